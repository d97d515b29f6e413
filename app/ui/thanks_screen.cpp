// Thank-you screen: a large heading, what happens with the answers, one button.
#include "ui/thanks_screen.h"

#include <algorithm>

#include "ui/widgets.h"

namespace tillit::ui {

std::optional<ThanksIntent> draw(ThanksScreen&, UiContext& ctx) {
    const Theme& t = ctx.theme;
    begin_screen("thanks", ctx);
    std::optional<ThanksIntent> intent;
    const ImVec2 size = ImGui::GetWindowSize();
    const float text_w = std::min(size.x - 2 * t.px(Theme::kMarginMm), t.px(300.0f));
    const float left = (size.x - text_w) * 0.5f;
    ImGui::SetCursorScreenPos(ImVec2(left, size.y * 0.2f));
    wrapped_text(ctx.fonts.title, ctx.tr("Thank you!"), text_w, t.text, Align::Center);
    ImGui::SetCursorScreenPos(ImVec2(left, ImGui::GetCursorScreenPos().y + t.px(8.0f)));
    wrapped_text(ctx.fonts.question, ctx.tr("Your answers are saved. They are anonymous: nobody can see who gave them."),
                 text_w, t.text, Align::Center);
    ImGui::SetCursorScreenPos(ImVec2(left, ImGui::GetCursorScreenPos().y + t.px(5.0f)));
    wrapped_text(ctx.fonts.body,
                 ctx.tr("The municipality reads the answers from many people together and uses them to do better."),
                 text_w, t.text_muted, Align::Center);
    const ImVec2 button(t.px(80.0f), t.px(26.0f));
    ImGui::SetCursorScreenPos(ImVec2((size.x - button.x) * 0.5f, ImGui::GetCursorScreenPos().y + t.px(12.0f)));
    if (tile(ctx, "done", ctx.tr("Done"), button, {.kind = TileStyle::Kind::Primary})) intent = ThanksIntent::Done;
    end_screen();
    return intent;
}

}  // namespace tillit::ui
