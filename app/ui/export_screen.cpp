// Export layout: back, heading, one tile per folder found, "look again", the outcome.
#include "ui/export_screen.h"

#include <algorithm>

#include "ui/widgets.h"

namespace tillit::ui {

std::optional<ExportIntent> draw(ExportScreen& screen, UiContext& ctx, const ExportView& view) {
    const Theme& t = ctx.theme;
    begin_screen("export", ctx);
    std::optional<ExportIntent> intent;
    const ImVec2 size = ImGui::GetWindowSize();
    const float margin = t.px(Theme::kMarginMm);
    const float bar_h = t.px(Theme::kTargetMm);

    ImGui::SetCursorScreenPos(ImVec2(margin, margin * 0.75f));
    if (tile(ctx, "back", back_label(ctx), ImVec2(t.px(60.0f), bar_h), {.kind = TileStyle::Kind::Quiet})) {
        intent = ExportIntent{ExportIntent::Kind::Back, ""};
    }
    const float text_w = size.x - 2 * margin;
    ImGui::SetCursorScreenPos(ImVec2(margin, margin * 0.75f + bar_h + t.px(4.0f)));
    wrapped_text(ctx.fonts.question, ctx.tr("Export to a USB stick"), text_w, t.text);
    ImGui::SetCursorScreenPos(ImVec2(margin, ImGui::GetCursorScreenPos().y + t.px(2.0f)));
    wrapped_text(ctx.fonts.small,
                 ctx.tr("The file holds the answers not yet on the server, signed by this kiosk. Importing it on the "
                        "server adds each answer once, however often it is imported or synced later."),
                 text_w, t.text_muted);

    float y = ImGui::GetCursorScreenPos().y + t.px(6.0f);
    const ImVec2 button(std::min(text_w, t.px(260.0f)), t.px(Theme::kTargetMm + 2.0f));
    int index = 0;
    for (const ExportTarget& target : view.targets) {
        ImGui::SetCursorScreenPos(ImVec2(margin, y));
        const std::string label = target.removable ? std::string(ctx.tr("USB stick")) + ": " + target.label
                                                   : std::string(ctx.tr("The kiosk's own folder"));
        const std::string id = "target_" + std::to_string(index++);
        if (tile(ctx, id.c_str(), label, button, {.disabled = view.busy})) {
            intent = ExportIntent{ExportIntent::Kind::Write, target.path};
        }
        y += button.y + t.px(3.0f);
        if (y > size.y - margin - 2 * button.y) break;  // a screenful is plenty
    }
    ImGui::SetCursorScreenPos(ImVec2(margin, y));
    if (tile(ctx, "rescan", ctx.tr("Look for USB sticks again"), button,
             {.kind = TileStyle::Kind::Quiet, .disabled = view.busy})) {
        intent = ExportIntent{ExportIntent::Kind::Rescan, ""};
    }
    const float right_x = margin + button.x + t.px(10.0f);
    ImGui::SetCursorScreenPos(ImVec2(right_x, ImGui::GetCursorScreenPos().y));
    const std::string message = view.busy ? std::string(ctx.tr("Writing the file...")) : screen.message;
    ImGui::SetCursorScreenPos(ImVec2(right_x, margin * 0.75f + bar_h + t.px(40.0f)));
    wrapped_text(ctx.fonts.body, message, size.x - right_x - margin, screen.failed ? t.warning : t.text);
    end_screen();
    return intent;
}

}  // namespace tillit::ui
