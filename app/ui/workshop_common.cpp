// The workshop top bar and shared words.
#include "ui/workshop_common.h"

#include <algorithm>

#include "ui/widgets.h"

namespace tillit::ui {

std::string worksheet_title(const UiContext& ctx, WorksheetStep step) {
    switch (step) {
        case WorksheetStep::Partners: return ctx.tr("Who else could we work with?");
        case WorksheetStep::WantedInfo: return ctx.tr("What information would help?");
        case WorksheetStep::AvailableInfo: return ctx.tr("What information is there, and where?");
        case WorksheetStep::NextSteps: return ctx.tr("Next steps");
    }
    return "";
}

std::string goal_title(const UiContext& ctx, WorkshopGoal goal) {
    switch (goal) {
        case WorkshopGoal::Learn: return ctx.tr("Learn from each other");
        case WorkshopGoal::SharedPicture: return ctx.tr("Agree on a shared picture");
        case WorkshopGoal::Ideas: return ctx.tr("Ideas for new initiatives");
    }
    return "";
}

std::string step_title(const UiContext& ctx, WorkshopStep step) {
    switch (step) {
        case WorkshopStep::Setup: return ctx.tr("1 Set up");
        case WorkshopStep::Data: return ctx.tr("2 Data");
        case WorkshopStep::Gather: return ctx.tr("3 Gather");
        case WorkshopStep::Vote: return ctx.tr("4 Prioritise");
        case WorkshopStep::Summary: return ctx.tr("5 Summary");
    }
    return "";
}

float workshop_content_top(const UiContext& ctx) {
    const Theme& t = ctx.theme;
    return t.px(Theme::kMarginMm) * 0.5f + t.px(Theme::kTargetMm) + t.px(5.0f);
}

std::optional<WorkshopNav> draw_workshop_bar(UiContext& ctx, WorkshopStep current, bool busy) {
    const Theme& t = ctx.theme;
    const ImVec2 size = ImGui::GetWindowSize();
    const float margin = t.px(Theme::kMarginMm);
    const float top = margin * 0.5f;
    const float bar_h = t.px(Theme::kTargetMm);
    std::optional<WorkshopNav> nav;
    ImGui::SetCursorScreenPos(ImVec2(margin, top));
    if (tile(ctx, "workshop_leave", back_label(ctx), ImVec2(t.px(50.0f), bar_h),
             {.kind = TileStyle::Kind::Quiet, .disabled = busy})) {
        nav = WorkshopNav{WorkshopNav::Kind::Leave, current};
    }
    constexpr WorkshopStep kAll[] = {WorkshopStep::Setup, WorkshopStep::Data, WorkshopStep::Gather, WorkshopStep::Vote,
                                     WorkshopStep::Summary};
    const float gap = t.px(2.5f);
    const float left = margin + t.px(50.0f) + t.px(Theme::kGapMm);
    const float tab_w = (size.x - margin - left - gap * 4.0f) / 5.0f;
    for (int i = 0; i < 5; ++i) {
        ImGui::SetCursorScreenPos(ImVec2(left + static_cast<float>(i) * (tab_w + gap), top));
        const std::string id = std::string("wstep_") + to_string(kAll[i]);
        const bool here = kAll[i] == current;
        if (tile(ctx, id.c_str(), step_title(ctx, kAll[i]), ImVec2(tab_w, bar_h),
                 {.kind = here ? TileStyle::Kind::Primary : TileStyle::Kind::Normal, .disabled = busy && !here}) &&
            !here) {
            nav = WorkshopNav{WorkshopNav::Kind::Step, kAll[i]};
        }
    }
    return nav;
}

void draw_text_box(UiContext& ctx, ImVec2 min, ImVec2 max, const std::string& text, const std::string& hint) {
    const Theme& t = ctx.theme;
    ImDrawList* draw = ImGui::GetWindowDrawList();
    fill_rounded(draw, min, max, t.tile, t.px(2.0f));
    draw->AddRect(min, max, t.accent, t.px(2.0f), 0, t.px(0.6f));
    const float pad = t.px(3.0f);
    const float width = max.x - min.x - 2 * pad;
    draw->PushClipRect(min, max, true);
    if (text.empty()) {
        ImGui::SetCursorScreenPos(ImVec2(min.x + pad, min.y + pad));
        wrapped_text(ctx.fonts.body, "|" + hint, width, t.text_muted);
    } else {
        const float full_h = wrapped_text_height(ctx.fonts.body, text + "|", width);
        const float inner_h = max.y - min.y - 2 * pad;
        const float y = full_h <= inner_h ? min.y + pad : max.y - pad - full_h;
        ImGui::SetCursorScreenPos(ImVec2(min.x + pad, y));
        wrapped_text(ctx.fonts.body, text + "|", width, t.text);
    }
    draw->PopClipRect();
}

}  // namespace tillit::ui
