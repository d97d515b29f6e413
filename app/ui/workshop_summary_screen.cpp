// Summary layout: left, the question and the data; right, the four steps' contributions
// in a 2 x 2 grid and the priorities below; the bottom row saves and finishes.
#include "ui/workshop_summary_screen.h"

#include <algorithm>

#include "ui/widgets.h"
#include "ui/workshop_data_screen.h"

namespace tillit::ui {

ExportWords workshop_export_words(const UiContext& ctx) {
    ExportWords w;
    w.words = {
        {"workshop", ctx.tr("Workshop")},
        {"question", ctx.tr("Question")},
        {"goal", ctx.tr("Goal")},
        {"goal_learn", ctx.tr("Learn from each other")},
        {"goal_shared_picture", ctx.tr("Agree on a shared picture")},
        {"goal_ideas", ctx.tr("Ideas for new initiatives")},
        {"data", ctx.tr("The data we started from")},
        {"no_data", ctx.tr("No survey data was shown.")},
        {"scope_venue", ctx.tr("Answers given at this venue")},
        {"scope_all", ctx.tr("Answers given at every venue on this kiosk")},
        {"too_few", ctx.tr("Too few answers to show")},
        {"answers", ctx.tr("Answers")},
        {"started", ctx.tr("Started")},
        {"completed", ctx.tr("Finished")},
        {"trust_split", ctx.tr("Trust, weak trust and distrust")},
        {"trust", ctx.tr("Trust")},
        {"weak_trust", ctx.tr("Weak trust")},
        {"distrust", ctx.tr("Distrust")},
        {"unclassified", ctx.tr("Too little answered to say")},
        {"builders", ctx.tr("What matters most for trust")},
        {"dont_know", ctx.tr("Don't know")},
        {"skipped", ctx.tr("Skipped")},
        {"contributions", ctx.tr("Contributions")},
        {"step_partners", ctx.tr("Who else could we work with?")},
        {"step_wanted_info", ctx.tr("What information would help?")},
        {"step_available_info", ctx.tr("What information is there, and where?")},
        {"step_next_steps", ctx.tr("Next steps")},
        {"priorities", ctx.tr("Priorities")},
        {"dot_participants", ctx.tr("Participants who placed dots")},
        {"dots_each", ctx.tr("dots each")},
        {"stances", ctx.tr("Agree or disagree")},
        {"stance_participants", ctx.tr("Participants who answered")},
        {"agrees", ctx.tr("The room agrees")},
        {"disagrees", ctx.tr("The room disagrees")},
        {"divided", ctx.tr("This divides the room")},
        {"agree", ctx.tr("agree")},
        {"disagree", ctx.tr("disagree")},
        {"pass", ctx.tr("pass")},
        {"too_few_votes", ctx.tr("Too few answers to show")},
        {"anonymous_note",
         ctx.tr("Anonymous: no names were recorded. Figures below 5 answers (10 in tables) are not shown, nor any that "
                "would reveal one.")},
    };
    return w;
}

std::optional<WorkshopSummaryIntent> draw(WorkshopSummaryScreen& screen, UiContext& ctx, const WorkshopSummaryView& view) {
    const Theme& t = ctx.theme;
    const Workshop& w = view.workshop;
    begin_screen("workshop_summary", ctx);
    std::optional<WorkshopSummaryIntent> intent;
    if (auto nav = draw_workshop_bar(ctx, WorkshopStep::Summary, false)) {
        intent = WorkshopSummaryIntent{WorkshopSummaryIntent::Kind::Nav, {}, *nav};
    }
    const ImVec2 size = ImGui::GetWindowSize();
    const float margin = t.px(Theme::kMarginMm);
    const float gap = t.px(Theme::kGapMm);
    const float tile_h = t.px(Theme::kTargetMm);
    const float top = workshop_content_top(ctx);
    const float bottom_bar = size.y - margin * 0.5f - tile_h;
    const TextFont& small = ctx.fonts.small;

    // Left: the question and the data.
    const float left_w = t.px(150.0f);
    float y = top;
    ImGui::SetCursorScreenPos(ImVec2(margin, y));
    y += wrapped_text(ctx.fonts.body, w.setup.title.empty() ? std::string(ctx.tr("Workshop")) : w.setup.title, left_w,
                      t.text) + t.px(1.0f);
    ImGui::SetCursorScreenPos(ImVec2(margin, y));
    y += wrapped_text(small, view.venue_name + " · " + w.day + " · " + goal_title(ctx, w.setup.goal), left_w,
                      t.text_muted) + t.px(3.0f);
    ImGui::SetCursorScreenPos(ImVec2(margin, y));
    y += wrapped_text(small, w.setup.question.empty() ? std::string(ctx.tr("No question chosen yet.")) : w.setup.question,
                      left_w, t.text) + t.px(4.0f);
    ImGui::SetCursorScreenPos(ImVec2(margin, y));
    y += wrapped_text(small, ctx.tr("The data we started from"), left_w, t.text_muted) + t.px(1.5f);
    if (view.report != nullptr && view.report->responses >= report::kMinCell) {
        y += draw_trust_split(ctx, view.report->trust, ImVec2(margin, y), left_w, t.px(10.0f), false);
        for (const report::Cell& cell : view.report->trust.cells) {
            if (view.report->trust.too_few) break;
            const char* label = cell.key == "trust"        ? ctx.tr("Trust")
                                 : cell.key == "weak_trust" ? ctx.tr("Weak trust")
                                 : cell.key == "distrust"   ? ctx.tr("Distrust")
                                                            : ctx.tr("Too little answered to say");
            ImGui::SetCursorScreenPos(ImVec2(margin, y));
            y += wrapped_text(small, std::string(label) + ": " + (cell.suppressed ? ctx.tr("too few") : std::to_string(cell.n)),
                              left_w, t.text);
        }
        ImGui::SetCursorScreenPos(ImVec2(margin, y));
        y += wrapped_text(small, "n = " + std::to_string(view.report->responses), left_w, t.text_muted);
    } else {
        ImGui::SetCursorScreenPos(ImVec2(margin, y));
        y += wrapped_text(small, view.report != nullptr ? ctx.tr("Too few answers to show") : ctx.tr("No survey data was shown."),
                          left_w, t.text);
    }

    // Right: contributions by step (2 x 2), then priorities.
    const float right_x = margin + left_w + t.px(10.0f);
    const float right_w = size.x - margin - right_x;
    const float cell_w = (right_w - gap) * 0.5f;
    const float grid_h = (bottom_bar - gap - top) * 0.55f;
    const float cell_h = (grid_h - gap) * 0.5f;
    ImDrawList* draw = ImGui::GetWindowDrawList();
    for (int s = 0; s < 4; ++s) {
        const ImVec2 min(right_x + static_cast<float>(s % 2) * (cell_w + gap), top + static_cast<float>(s / 2) * (cell_h + gap));
        fill_rounded(draw, min, ImVec2(min.x + cell_w, min.y + cell_h), t.tile, t.px(2.0f));
        draw->PushClipRect(min, ImVec2(min.x + cell_w, min.y + cell_h), true);
        float cy = min.y + t.px(2.0f);
        ImGui::SetCursorScreenPos(ImVec2(min.x + t.px(3.0f), cy));
        cy += wrapped_text(small, worksheet_title(ctx, kWorksheetSteps[s]), cell_w - t.px(6.0f), t.accent) + t.px(1.0f);
        for (const Contribution* c : w.visible(kWorksheetSteps[s])) {
            ImGui::SetCursorScreenPos(ImVec2(min.x + t.px(3.0f), cy));
            cy += wrapped_text(ctx.fonts.body, "• " + c->text, cell_w - t.px(6.0f), t.text);
        }
        draw->PopClipRect();
    }
    y = top + grid_h + gap;
    ImGui::SetCursorScreenPos(ImVec2(right_x, y));
    y += wrapped_text(small, format(ctx.tr("Priorities: dots from %d participants"), static_cast<int>(w.dot_turns), 0),
                      right_w, t.text_muted) + t.px(1.0f);
    const float prio_w = (right_w - gap) * 0.5f;
    float py = y;
    int shown = 0;
    for (const Contribution* c : w.by_dots()) {
        if (c->dots == 0 || shown == 5 || py > bottom_bar - gap - small.size_px) break;
        ++shown;
        ImGui::SetCursorScreenPos(ImVec2(right_x, py));
        py += wrapped_text(small, std::to_string(shown) + ". " + c->text + " (" + std::to_string(c->dots) + ")", prio_w,
                           t.text);
    }
    float sy = y;
    ImGui::SetCursorScreenPos(ImVec2(right_x + prio_w + gap, sy - small.size_px * 1.15f - t.px(1.0f)));
    wrapped_text(small, format(ctx.tr("Agree or disagree: %d participants"), static_cast<int>(w.stance_turns), 0), prio_w,
                 t.text_muted);
    for (const Contribution* c : w.visible()) {
        const StanceResult r = stance_result(*c);
        if (r.n == 0 || sy > bottom_bar - gap - small.size_px) continue;
        const std::string verdict = !r.shown ? format(ctx.tr("too few to show (n = %d)"), static_cast<int>(r.n), 0)
                                    : r.verdict == StanceResult::Verdict::Agrees ? std::string(ctx.tr("The room agrees"))
                                    : r.verdict == StanceResult::Verdict::Disagrees ? std::string(ctx.tr("The room disagrees"))
                                                                                     : std::string(ctx.tr("This divides the room"));
        ImGui::SetCursorScreenPos(ImVec2(right_x + prio_w + gap, sy));
        sy += wrapped_text(small, c->text + ": " + verdict, prio_w, t.text);
    }

    // Bottom: save to a stick or the kiosk, finish.
    const float finish_w = t.px(90.0f);
    float x = margin;
    if (screen.confirm_finish) {
        ImGui::SetCursorScreenPos(ImVec2(x, bottom_bar + (tile_h - ctx.fonts.body.size_px * 2.3f) * 0.5f));
        wrapped_text(small, ctx.tr("Finish? The workshop is then closed and its summary waits for the next sync."),
                     size.x - 2 * margin - 2 * finish_w - 2 * gap, t.text);
        ImGui::SetCursorScreenPos(ImVec2(size.x - margin - 2 * finish_w - gap, bottom_bar));
        if (tile(ctx, "finish_cancel", ctx.tr("Cancel"), ImVec2(finish_w, tile_h), {.kind = TileStyle::Kind::Quiet})) {
            screen.confirm_finish = false;
        }
        ImGui::SetCursorScreenPos(ImVec2(size.x - margin - finish_w, bottom_bar));
        if (tile(ctx, "finish_confirm", ctx.tr("Finish"), ImVec2(finish_w, tile_h), {.kind = TileStyle::Kind::Primary})) {
            intent = WorkshopSummaryIntent{WorkshopSummaryIntent::Kind::Finish, {}, {}};
        }
        end_screen();
        return intent;
    }
    const float target_w = t.px(70.0f);
    for (std::size_t i = 0; i < view.targets.size() && i < 3; ++i) {
        const ExportTarget& target = view.targets[i];
        ImGui::SetCursorScreenPos(ImVec2(x, bottom_bar));
        const std::string id = "save_" + std::to_string(i);
        const std::string label = target.label.empty() ? std::string(ctx.tr("Save on the kiosk"))
                                                       : std::string(ctx.tr("Save to")) + " " + target.label;
        if (tile(ctx, id.c_str(), label, ImVec2(target_w, tile_h), {.font = &small})) {
            intent = WorkshopSummaryIntent{WorkshopSummaryIntent::Kind::Export, target.path, {}};
        }
        x += target_w + t.px(2.0f);
    }
    ImGui::SetCursorScreenPos(ImVec2(x, bottom_bar));
    if (tile(ctx, "save_rescan", ctx.tr("Look for USB sticks"), ImVec2(target_w, tile_h),
             {.kind = TileStyle::Kind::Quiet, .font = &small})) {
        intent = WorkshopSummaryIntent{WorkshopSummaryIntent::Kind::Rescan, {}, {}};
    }
    x += target_w + gap;
    const float message_w = size.x - margin - finish_w - gap - x;
    if (!screen.message.empty()) {
        ImGui::SetCursorScreenPos(ImVec2(x, bottom_bar));
        draw->PushClipRect(ImVec2(x, bottom_bar), ImVec2(x + message_w, bottom_bar + tile_h), true);
        wrapped_text(small, screen.message, message_w, screen.failed ? t.warning : t.text);
        draw->PopClipRect();
    }
    ImGui::SetCursorScreenPos(ImVec2(size.x - margin - finish_w, bottom_bar));
    if (tile(ctx, "finish", ctx.tr("Finish the workshop"), ImVec2(finish_w, tile_h), {.kind = TileStyle::Kind::Primary,
                                                                                      .font = &small})) {
        screen.confirm_finish = true;
    }
    end_screen();
    return intent;
}

}  // namespace tillit::ui
