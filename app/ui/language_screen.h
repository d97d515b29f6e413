// The language screen: every enabled language named in its own script, as large
// tiles (never flags). Choosing one keeps any answers already given.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "ui/context.h"

namespace tillit::ui {

struct LanguageScreen {};

struct LanguageIntent {
    enum class Kind { Choose, Back };
    Kind kind = Kind::Back;
    std::string language;
};

std::optional<LanguageIntent> draw(LanguageScreen& screen, UiContext& ctx, const std::vector<std::string>& languages);

}  // namespace tillit::ui
