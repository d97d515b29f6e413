// Text set-up for the app: the shaper and the text engine, whose images become the
// renderer's textures.
#include "platform/fonts.h"

#include <imgui.h>

namespace tillit::platform {

Result<Ok> load_text(AppText& out, const std::vector<std::string>& texts, const CachedTextEngine::Upload& upload,
                     const CachedTextEngine::Release& release) {
    auto shaper = TextShaper::create(texts);
    if (!shaper) return make_error(shaper.error());
    out.engine.reset();
    out.shaper = std::move(shaper.value());
    out.engine = std::make_unique<CachedTextEngine>(*out.shaper, upload, release);

    ImGuiIO& io = ImGui::GetIO();
    if (io.Fonts->Fonts.empty()) {
        io.Fonts->AddFontDefault();  // ImGui needs one font; nothing visible uses it
        io.Fonts->Build();
    }
    return Ok{};
}

}  // namespace tillit::platform
