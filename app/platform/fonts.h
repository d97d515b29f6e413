// Fonts from Debian's packages (fonts-noto-core, DejaVu as fallback), loaded at sizes
// given in millimetres, with glyph ranges built from the texts the kiosk will show
// (ImGui 1.86's default range covers only Latin-1). Shaping of right-to-left and
// complex scripts is not handled here yet.
#pragma once

#include <string>
#include <vector>

#include <imgui.h>

#include "core/result.h"
#include "ui/context.h"

namespace tillit::platform {

struct LoadedFonts {
    ui::Fonts fonts;
    ImVector<ImWchar> ranges;  // must outlive the atlas build
};

// Builds the ImGui font atlas. `texts` are every string the kiosk may show.
Result<Ok> load_fonts(LoadedFonts& out, const ui::Theme& theme, const std::vector<std::string>& texts);

}  // namespace tillit::platform
