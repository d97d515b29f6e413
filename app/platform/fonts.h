// The app's text: a TextShaper with the Noto faces the kiosk's texts need (Debian's
// fonts-noto-core; DejaVu as a fallback) and a CachedTextEngine whose images become the
// renderer's textures (platform/renderer.h: white with the coverage as alpha, so a draw
// call's colour tints it). ImGui's own font atlas keeps only its built-in font:
// every visible text is shaped (see platform/text_shaper.h).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "core/result.h"
#include "platform/text_engine.h"
#include "platform/text_shaper.h"

namespace tillit::platform {

struct AppText {
    std::unique_ptr<TextShaper> shaper;
    std::unique_ptr<CachedTextEngine> engine;  // destroy before the renderer
};

// `texts` are every string the kiosk may show: they decide which script faces load.
// `upload` and `release` are the renderer's (Renderer::upload/release).
Result<Ok> load_text(AppText& out, const std::vector<std::string>& texts, const CachedTextEngine::Upload& upload,
                     const CachedTextEngine::Release& release);

}  // namespace tillit::platform
