// Vote layout: a row of controls (the two kinds of voting, "My turn" or "Done") and a
// list of statements, one row each; the row's right part holds the dots or the three
// answers or, between turns, the result.
#include "ui/workshop_vote_screen.h"

#include <algorithm>
#include <cstdio>

#include "ui/widgets.h"

namespace tillit::ui {
namespace {

constexpr ImU32 kAgree = IM_COL32(0x1F, 0x4E, 0x79, 0xFF);
constexpr ImU32 kDisagree = IM_COL32(0x8A, 0x3B, 0x00, 0xFF);
constexpr ImU32 kPass = IM_COL32(0xC8, 0xC4, 0xBA, 0xFF);
constexpr ImU32 kThisTurn = IM_COL32(0xD0, 0x6A, 0x00, 0xFF);

WorkshopVoteIntent make(WorkshopVoteIntent::Kind kind, std::string id = {}) {
    WorkshopVoteIntent intent;
    intent.kind = kind;
    intent.id = std::move(id);
    return intent;
}

// Filled dots in a row from the right edge: the totals, then this turn's in another colour.
void draw_dots(ImDrawList* draw, ImVec2 right_centre, float radius, long long total, int mine, ImU32 colour) {
    float x = right_centre.x - radius;
    for (int i = 0; i < mine; ++i) {
        draw->AddCircleFilled(ImVec2(x, right_centre.y), radius, kThisTurn, 20);
        x -= radius * 2.4f;
    }
    for (long long i = 0; i < std::min<long long>(total, 20); ++i) {
        draw->AddCircleFilled(ImVec2(x, right_centre.y), radius, colour, 20);
        x -= radius * 2.4f;
    }
}

}  // namespace

std::optional<WorkshopVoteIntent> draw(WorkshopVoteScreen& screen, UiContext& ctx, const Workshop& w) {
    const Theme& t = ctx.theme;
    begin_screen("workshop_vote", ctx);
    std::optional<WorkshopVoteIntent> intent;
    const bool in_turn = w.turn.has_value();
    if (in_turn) screen.mode = w.turn->kind;  // a resumed turn shows itself
    if (auto nav = draw_workshop_bar(ctx, WorkshopStep::Vote, in_turn)) {
        WorkshopVoteIntent go;
        go.nav = *nav;
        intent = go;
    }
    const ImVec2 size = ImGui::GetWindowSize();
    const float margin = t.px(Theme::kMarginMm);
    const float gap = t.px(Theme::kGapMm);
    const float tile_h = t.px(Theme::kTargetMm);
    const float width = size.x - 2 * margin;
    float y = workshop_content_top(ctx);

    // Controls.
    const float mode_w = t.px(75.0f);
    ImGui::SetCursorScreenPos(ImVec2(margin, y));
    if (tile(ctx, "vote_mode_dots", ctx.tr("Dot voting"), ImVec2(mode_w, tile_h),
             {.selected = screen.mode == TurnKind::Dots, .font = &ctx.fonts.small, .disabled = in_turn})) {
        screen.mode = TurnKind::Dots;
    }
    ImGui::SetCursorScreenPos(ImVec2(margin + mode_w + t.px(2.0f), y));
    if (tile(ctx, "vote_mode_stances", ctx.tr("Agree or disagree"), ImVec2(mode_w, tile_h),
             {.selected = screen.mode == TurnKind::Stances, .font = &ctx.fonts.small, .disabled = in_turn})) {
        screen.mode = TurnKind::Stances;
    }
    const float info_x = margin + 2 * mode_w + t.px(2.0f) + gap;
    const float action_w = t.px(80.0f);
    const float info_w = size.x - margin - info_x - 2 * action_w - 2 * gap;
    std::string info;
    if (!in_turn) {
        info = screen.mode == TurnKind::Dots
                   ? format(ctx.tr("Each participant places %d dots, then passes on. %d have voted."),
                            w.setup.dots_per_person, static_cast<int>(w.dot_turns))
                   : format(ctx.tr("Each participant answers every statement, then passes on. %d have answered."),
                            static_cast<int>(w.stance_turns), 0);
        ImGui::SetCursorScreenPos(ImVec2(size.x - margin - action_w, y));
        if (tile(ctx, "my_turn", ctx.tr("My turn"), ImVec2(action_w, tile_h), {.kind = TileStyle::Kind::Primary})) {
            WorkshopVoteIntent start = make(WorkshopVoteIntent::Kind::StartTurn);
            start.turn = screen.mode;
            intent = start;
        }
    } else {
        const int left = w.setup.dots_per_person - w.turn->dots_placed();
        info = screen.mode == TurnKind::Dots ? format(ctx.tr("Your dots left: %d of %d. Tap a statement to place one."),
                                                      left, w.setup.dots_per_person)
                                             : std::string(ctx.tr("Your answer to each statement, then Done."));
        ImGui::SetCursorScreenPos(ImVec2(size.x - margin - 2 * action_w - gap, y));
        if (tile(ctx, "turn_cancel", ctx.tr("Cancel turn"), ImVec2(action_w, tile_h), {.kind = TileStyle::Kind::Quiet})) {
            intent = make(WorkshopVoteIntent::Kind::CancelTurn);
        }
        ImGui::SetCursorScreenPos(ImVec2(size.x - margin - action_w, y));
        if (tile(ctx, "turn_done", ctx.tr("Done, pass on"), ImVec2(action_w, tile_h), {.kind = TileStyle::Kind::Primary})) {
            intent = make(WorkshopVoteIntent::Kind::EndTurn);
        }
    }
    ImGui::SetCursorScreenPos(ImVec2(info_x, y + std::max(0.0f, (tile_h - wrapped_text_height(ctx.fonts.small, info, info_w)) * 0.5f)));
    wrapped_text(ctx.fonts.small, info, info_w, t.text);
    y += tile_h + gap;

    // Statements.
    const auto statements = w.visible();
    if (statements.empty()) {
        ImGui::SetCursorScreenPos(ImVec2(margin, y));
        wrapped_text(ctx.fonts.body, ctx.tr("Nothing to vote on yet: add contributions in step 3."), width, t.text_muted);
        end_screen();
        return intent;
    }
    ImGui::SetCursorScreenPos(ImVec2(margin, y));
    ImGui::PushStyleColor(ImGuiCol_ChildBg, t.background);
    ImGui::BeginChild("statements", ImVec2(width, size.y - margin * 0.5f - y), false,
                      ImGuiWindowFlags_NoScrollbar | ImGuiWindowFlags_NoScrollWithMouse);
    drag_to_scroll();
    ImDrawList* draw = ImGui::GetWindowDrawList();
    const TextFont& small = ctx.fonts.small;
    const float right_w = t.px(170.0f);
    const float text_w = width - right_w - gap;
    for (std::size_t i = 0; i < statements.size(); ++i) {
        const Contribution& c = *statements[i];
        const std::string n = std::to_string(i);
        const float h = std::max(tile_h, wrapped_text_height(small, c.text, text_w - t.px(8.0f)) + t.px(6.0f));
        const ImVec2 row = ImGui::GetCursorScreenPos();
        if (screen.mode == TurnKind::Dots) {
            const int mine = in_turn && w.turn->dots.count(c.id) ? w.turn->dots.at(c.id) : 0;
            const bool full = in_turn && w.turn->dots_placed() >= w.setup.dots_per_person;
            const std::string id = "dot_" + n;
            if (tile(ctx, id.c_str(), c.text, ImVec2(text_w, h), {.selected = mine > 0, .font = &small,
                                                                   .disabled = !in_turn || full})) {
                intent = make(WorkshopVoteIntent::Kind::PlaceDot, c.id);
            }
            const float undo_w = t.px(Theme::kTargetMm);
            if (mine > 0) {
                ImGui::SetCursorScreenPos(ImVec2(row.x + width - undo_w, row.y));
                const std::string undo = "undot_" + n;
                if (tile(ctx, undo.c_str(), "-", ImVec2(undo_w, h), {.font = &ctx.fonts.question})) {
                    intent = make(WorkshopVoteIntent::Kind::RemoveDot, c.id);
                }
            }
            // During a turn only this participant's own dots show, so nobody votes with the
            // crowd; between turns, everyone's so far.
            const long long shown = in_turn ? 0 : c.dots;
            draw_dots(draw, ImVec2(row.x + width - undo_w - t.px(3.0f), row.y + h * 0.5f), t.px(3.6f), shown, mine,
                      t.accent);
            if (!in_turn) {
                ImGui::SetCursorScreenPos(ImVec2(row.x + text_w + gap, row.y + (h - ctx.fonts.body.size_px) * 0.5f));
                wrapped_text(ctx.fonts.body, std::to_string(c.dots), t.px(20.0f), t.text);
            }
        } else if (in_turn) {
            ImGui::SetCursorScreenPos(row);
            const ImVec2 min = row;
            fill_rounded(draw, min, ImVec2(min.x + text_w, min.y + h), t.tile, t.px(Theme::kRoundingMm));
            ImGui::SetCursorScreenPos(ImVec2(row.x + t.px(4.0f), row.y + (h - wrapped_text_height(small, c.text, text_w - t.px(8.0f))) * 0.5f));
            wrapped_text(small, c.text, text_w - t.px(8.0f), t.text);
            const auto chosen = w.turn->stances.find(c.id);
            const struct {
                Stance stance;
                const char* prefix;
                const char* label;
            } choices[] = {{Stance::Agree, "agree_", ctx.tr("Agree")},
                           {Stance::Disagree, "disagree_", ctx.tr("Disagree")},
                           {Stance::Pass, "pass_", ctx.tr("Pass")}};
            const float cw = (right_w - 2 * t.px(2.0f)) / 3.0f;
            for (int k = 0; k < 3; ++k) {
                ImGui::SetCursorScreenPos(ImVec2(row.x + text_w + gap + static_cast<float>(k) * (cw + t.px(2.0f)), row.y));
                const std::string id = choices[k].prefix + n;
                const bool on = chosen != w.turn->stances.end() && chosen->second == choices[k].stance;
                if (tile(ctx, id.c_str(), choices[k].label, ImVec2(cw, h), {.selected = on, .font = &small})) {
                    WorkshopVoteIntent set = make(WorkshopVoteIntent::Kind::SetStance, c.id);
                    set.stance = choices[k].stance;
                    intent = set;
                }
            }
            ImGui::SetCursorScreenPos(ImVec2(row.x, row.y + h));
        } else {
            // Between turns: where the room stands.
            fill_rounded(draw, row, ImVec2(row.x + text_w, row.y + h), t.tile, t.px(Theme::kRoundingMm));
            ImGui::SetCursorScreenPos(ImVec2(row.x + t.px(4.0f), row.y + (h - wrapped_text_height(small, c.text, text_w - t.px(8.0f))) * 0.5f));
            wrapped_text(small, c.text, text_w - t.px(8.0f), t.text);
            const StanceResult r = stance_result(c);
            const float rx = row.x + text_w + gap;
            if (!r.shown) {
                ImGui::SetCursorScreenPos(ImVec2(rx, row.y + t.px(1.0f)));
                wrapped_text(small, format(ctx.tr("Too few answers to show (n = %d)"), static_cast<int>(r.n), 0), right_w,
                             t.text_muted);
            } else {
                const char* verdict = r.verdict == StanceResult::Verdict::Agrees      ? ctx.tr("The room agrees")
                                      : r.verdict == StanceResult::Verdict::Disagrees ? ctx.tr("The room disagrees")
                                                                                       : ctx.tr("This divides the room");
                ImGui::SetCursorScreenPos(ImVec2(rx, row.y));
                wrapped_text(small, std::string(verdict) + " (n = " + std::to_string(r.n) + ")", right_w, t.text);
                const float by = row.y + small.size_px * 1.25f;
                const float bh = std::max(t.px(4.0f), h - small.size_px * 1.25f - t.px(1.0f));
                float x = rx;
                for (const auto& [count, colour] : {std::pair{c.agree, kAgree}, std::pair{c.disagree, kDisagree},
                                                    std::pair{c.pass, kPass}}) {
                    const float bw = right_w * static_cast<float>(count) / static_cast<float>(r.n);
                    draw->AddRectFilled(ImVec2(x, by), ImVec2(x + bw, by + bh), colour);
                    x += bw;
                }
            }
            ImGui::SetCursorScreenPos(ImVec2(row.x, row.y + h));
        }
        ImGui::SetCursorScreenPos(ImVec2(row.x, row.y + h + t.px(2.0f)));
        ImGui::Dummy(ImVec2(width, 0.0f));
    }
    if (screen.mode == TurnKind::Stances && !in_turn) {
        ImGui::SetCursorScreenPos(ImVec2(ImGui::GetCursorScreenPos().x, ImGui::GetCursorScreenPos().y + t.px(2.0f)));
        const float lx = ImGui::GetCursorScreenPos().x;
        const float ly = ImGui::GetCursorScreenPos().y;
        const struct {
            ImU32 colour;
            const char* label;
        } legend[] = {{kAgree, ctx.tr("Agree")}, {kDisagree, ctx.tr("Disagree")}, {kPass, ctx.tr("Pass")}};
        for (int k = 0; k < 3; ++k) {
            const float x = lx + static_cast<float>(k) * t.px(50.0f);
            draw->AddRectFilled(ImVec2(x, ly + t.px(1.0f)), ImVec2(x + t.px(5.0f), ly + t.px(6.0f)), legend[k].colour);
            ImGui::SetCursorScreenPos(ImVec2(x + t.px(7.0f), ly));
            wrapped_text(small, legend[k].label, t.px(40.0f), t.text);
        }
    }
    ImGui::EndChild();
    ImGui::PopStyleColor();
    end_screen();
    return intent;
}

}  // namespace tillit::ui
