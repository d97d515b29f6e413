// Idle warning: heading, seconds left in large digits, one button. No flashing.
#include "ui/idle_screen.h"

#include <algorithm>
#include <string>

#include "ui/widgets.h"

namespace tillit::ui {

std::optional<IdleIntent> draw(IdleScreen&, UiContext& ctx, int seconds_left) {
    const Theme& t = ctx.theme;
    begin_screen("idle", ctx);
    std::optional<IdleIntent> intent;
    const ImVec2 size = ImGui::GetWindowSize();
    const float text_w = std::min(size.x - 2 * t.px(Theme::kMarginMm), t.px(300.0f));
    const float left = (size.x - text_w) * 0.5f;
    ImGui::SetCursorScreenPos(ImVec2(left, size.y * 0.16f));
    wrapped_text(ctx.fonts.title, ctx.tr("Are you still there?"), text_w, t.text, Align::Center);
    ImGui::SetCursorScreenPos(ImVec2(left, ImGui::GetCursorScreenPos().y + t.px(6.0f)));
    wrapped_text(ctx.fonts.question,
                 format(ctx.tr("Your answers will be removed in %d seconds so that nobody else sees them."),
                        std::max(seconds_left, 0), 0),
                 text_w, t.text, Align::Center);
    const ImVec2 button(t.px(130.0f), t.px(32.0f));
    ImGui::SetCursorScreenPos(ImVec2((size.x - button.x) * 0.5f, ImGui::GetCursorScreenPos().y + t.px(14.0f)));
    if (tile(ctx, "continue", ctx.tr("Continue"), button,
             {.kind = TileStyle::Kind::Primary, .font = &ctx.fonts.question})) {
        intent = IdleIntent::Continue;
    }
    end_screen();
    return intent;
}

}  // namespace tillit::ui
