// Save-failed screen: no error codes for the resident; the admin sees the cause in the log.
#include "ui/save_failed_screen.h"

#include <algorithm>

#include "ui/widgets.h"

namespace tillit::ui {

std::optional<SaveFailedIntent> draw(SaveFailedScreen& screen, UiContext& ctx) {
    const Theme& t = ctx.theme;
    begin_screen("save_failed", ctx);
    std::optional<SaveFailedIntent> intent;
    const ImVec2 size = ImGui::GetWindowSize();
    const float text_w = std::min(size.x - 2 * t.px(Theme::kMarginMm), t.px(300.0f));
    const float left = (size.x - text_w) * 0.5f;
    ImGui::SetCursorScreenPos(ImVec2(left, size.y * 0.18f));
    wrapped_text(ctx.fonts.title, ctx.tr("Your answers could not be saved"), text_w, t.text, Align::Center);
    ImGui::SetCursorScreenPos(ImVec2(left, ImGui::GetCursorScreenPos().y + t.px(6.0f)));
    wrapped_text(ctx.fonts.question, ctx.tr("You did nothing wrong. Please tell the staff so that they can fix the kiosk."),
                 text_w, t.text, Align::Center);
    if (screen.failed_attempts > 1) {
        // Visible proof that "try again" did something.
        ImGui::SetCursorScreenPos(ImVec2(left, ImGui::GetCursorScreenPos().y + t.px(5.0f)));
        wrapped_text(ctx.fonts.body, format(ctx.tr("Tried %d times without success."), screen.failed_attempts, 0),
                     text_w, t.warning, Align::Center);
    }
    const ImVec2 button(t.px(90.0f), t.px(26.0f));
    const float gap = t.px(10.0f);
    const float y = ImGui::GetCursorScreenPos().y + t.px(14.0f);
    ImGui::SetCursorScreenPos(ImVec2(size.x * 0.5f - button.x - gap * 0.5f, y));
    if (tile(ctx, "leave", ctx.tr("To the start"), button, {.kind = TileStyle::Kind::Quiet})) {
        intent = SaveFailedIntent::Leave;
    }
    ImGui::SetCursorScreenPos(ImVec2(size.x * 0.5f + gap * 0.5f, y));
    if (tile(ctx, "retry", ctx.tr("Try again"), button, {.kind = TileStyle::Kind::Primary})) {
        intent = SaveFailedIntent::Retry;
    }
    end_screen();
    return intent;
}

}  // namespace tillit::ui
