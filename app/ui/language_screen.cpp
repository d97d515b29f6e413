// Language tiles in a grid of up to three columns; the current language is marked.
#include "ui/language_screen.h"

#include <algorithm>

#include "ui/widgets.h"

namespace tillit::ui {

std::optional<LanguageIntent> draw(LanguageScreen&, UiContext& ctx, const std::vector<std::string>& languages) {
    const Theme& t = ctx.theme;
    begin_screen("language", ctx);
    std::optional<LanguageIntent> intent;
    const ImVec2 size = ImGui::GetWindowSize();
    const float margin = t.px(Theme::kMarginMm);
    const float gap = t.px(Theme::kGapMm);

    ImGui::SetCursorScreenPos(ImVec2(margin, margin));
    wrapped_text(ctx.fonts.title, ctx.tr("Choose language"), size.x - 2 * margin, t.text, Align::Center);
    // The same request in every other language: the person here may not read the current one.
    std::string others;
    for (const auto& language : languages) {
        if (language == ctx.language()) continue;
        if (!others.empty()) others += "  ·  ";
        others += ctx.translations.tr_in(language, "Choose language");
    }
    if (!others.empty()) {
        ImGui::SetCursorScreenPos(ImVec2(margin, ImGui::GetCursorScreenPos().y + t.px(2.0f)));
        wrapped_text(ctx.fonts.body, others, size.x - 2 * margin, t.text_muted, Align::Center);
    }

    const int columns = languages.size() <= 2 ? static_cast<int>(languages.size()) : 3;
    const float tile_w = std::min(t.px(110.0f), (size.x - 2 * margin - gap * static_cast<float>(columns - 1)) /
                                                    static_cast<float>(std::max(columns, 1)));
    const float tile_h = t.px(32.0f);
    const float grid_w = tile_w * static_cast<float>(columns) + gap * static_cast<float>(columns - 1);
    const float top = ImGui::GetCursorScreenPos().y + t.px(12.0f);
    for (std::size_t i = 0; i < languages.size(); ++i) {
        const float x = (size.x - grid_w) * 0.5f + static_cast<float>(i % static_cast<std::size_t>(columns)) * (tile_w + gap);
        const float y = top + static_cast<float>(i / static_cast<std::size_t>(columns)) * (tile_h + gap);
        ImGui::SetCursorScreenPos(ImVec2(x, y));
        const std::string id = "lang_" + languages[i];
        if (tile(ctx, id.c_str(), native_language_name(languages[i]), ImVec2(tile_w, tile_h),
                 {.selected = languages[i] == ctx.language(), .font = &ctx.fonts.question,
                  .direction = TextDirection::Auto})) {
            intent = LanguageIntent{LanguageIntent::Kind::Choose, languages[i]};
        }
    }

    const float bar_h = t.px(24.0f);
    ImGui::SetCursorScreenPos(ImVec2(margin, size.y - margin * 0.75f - bar_h));
    if (tile(ctx, "back", back_label(ctx), ImVec2(button_width(ctx, back_label(ctx), 65.0f, size.x * 0.3f), bar_h),
             {.kind = TileStyle::Kind::Quiet})) {
        intent = LanguageIntent{LanguageIntent::Kind::Back, {}};
    }
    end_screen();
    return intent;
}

}  // namespace tillit::ui
