// Promise screen: a heading, three short sentences with a tick each, one big button.
#include "ui/promise_screen.h"

#include <algorithm>

#include "ui/widgets.h"

namespace tillit::ui {

std::optional<PromiseIntent> draw(PromiseScreen&, UiContext& ctx) {
    const Theme& t = ctx.theme;
    begin_screen("promise", ctx);
    std::optional<PromiseIntent> intent;
    const ImVec2 size = ImGui::GetWindowSize();
    const float margin = t.px(Theme::kMarginMm);
    const float bar_h = t.px(Theme::kTargetMm);
    const float language_w = language_button_width(ctx);
    if (language_button(ctx, ImVec2(size.x - margin - language_w, margin * 0.75f), ImVec2(language_w, bar_h))) {
        intent = PromiseIntent::ChangeLanguage;
    }

    const float text_w = std::min(size.x - 2 * margin, t.px(330.0f));
    const float left = (size.x - text_w) * 0.5f;
    ImGui::SetCursorScreenPos(ImVec2(left, margin * 0.75f + bar_h + t.px(6.0f)));
    wrapped_text(ctx.fonts.title, ctx.tr("Your answers are anonymous"), text_w, t.text);
    const char* points[] = {
        ctx.tr("We do not ask for your name, and nothing you answer can be traced back to you."),
        ctx.tr("Nobody at the desk can see what you answer."),
        ctx.tr("The municipality only sees answers from many people together, and uses them to do better."),
    };
    ImDrawList* draw = ImGui::GetWindowDrawList();
    for (const char* point : points) {
        const ImVec2 pos(left, ImGui::GetCursorScreenPos().y + t.px(6.0f));
        const float dot = t.px(3.0f);
        draw->AddCircleFilled(ImVec2(pos.x + dot, pos.y + ctx.fonts.question.size_px * 0.55f), dot, t.accent);
        ImGui::SetCursorScreenPos(ImVec2(pos.x + t.px(11.0f), pos.y));
        wrapped_text(ctx.fonts.question, point, text_w - t.px(11.0f), t.text);
    }

    const float bottom_h = t.px(26.0f);
    const float bottom_y = size.y - margin * 0.75f - bottom_h;
    ImGui::SetCursorScreenPos(ImVec2(margin, bottom_y));
    if (tile(ctx, "back", back_label(ctx), ImVec2(button_width(ctx, back_label(ctx), 65.0f, size.x * 0.3f), bottom_h),
             {.kind = TileStyle::Kind::Quiet})) {
        intent = PromiseIntent::Back;
    }
    const std::string begin = std::string(ctx.tr("I understand, start")) + " ›";
    const float begin_w = button_width(ctx, begin, 130.0f, size.x * 0.55f);
    ImGui::SetCursorScreenPos(ImVec2(size.x - margin - begin_w, bottom_y));
    if (tile(ctx, "begin", begin, ImVec2(begin_w, bottom_h),
             {.kind = TileStyle::Kind::Primary})) {
        intent = PromiseIntent::Begin;
    }
    end_screen();
    return intent;
}

}  // namespace tillit::ui
