// Question screen layout: header (progress, language), question text, a scrollable
// answer area (drag to scroll when long), footer (back, skip, next/send).
#include "ui/question_screen.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include <imgui_internal.h>  // SetScrollY(window): 1.86 has no SetNextWindowScroll

#include "ui/widgets.h"

namespace tillit::ui {
namespace {

bool is_selected(const Answer* answer, const std::string& option_id) {
    return answer != nullptr && answer->kind == Answer::Kind::Choice &&
           std::find(answer->choices.begin(), answer->choices.end(), option_id) != answer->choices.end();
}

void draw_scale(UiContext& ctx, const Question& q, const Answer* answer, float width,
                std::optional<QuestionIntent>& intent) {
    const Theme& t = ctx.theme;
    const float gap = t.px(Theme::kGapMm);
    const int steps = q.scale_steps();
    const float tile_w = std::min((width - gap * static_cast<float>(steps - 1)) / static_cast<float>(steps), t.px(62.0f));
    const float tile_h = t.px(52.0f);
    const float row_w = tile_w * static_cast<float>(steps) + gap * static_cast<float>(steps - 1);
    const ImVec2 origin = ImGui::GetCursorScreenPos();
    for (int step = 1; step <= steps; ++step) {
        ImGui::SetCursorScreenPos(ImVec2(origin.x + (width - row_w) * 0.5f + static_cast<float>(step - 1) * (tile_w + gap),
                                         origin.y));
        std::string caption;
        if (step == 1) caption = text_in(q.low_label, ctx.language());
        if (step == steps) caption = text_in(q.high_label, ctx.language());
        const bool selected = answer != nullptr && answer->kind == Answer::Kind::Scale && answer->scale == step;
        const std::string id = "scale_" + std::to_string(step);
        if (face_tile(ctx, id.c_str(), step, steps, ImVec2(tile_w, tile_h), selected, caption)) {
            intent = QuestionIntent{QuestionIntent::Kind::Scale, step, {}};
        }
    }
    // "Don't know" and extra options ("I have not met anyone") in a row below.
    const std::size_t extras = q.options.size() + (q.dont_know ? 1 : 0);
    if (extras == 0) {
        ImGui::SetCursorScreenPos(ImVec2(origin.x, origin.y + tile_h));
        ImGui::Dummy(ImVec2(width, 0));
        return;
    }
    const float extra_w = std::min(t.px(120.0f), (row_w - gap * static_cast<float>(extras - 1)) / static_cast<float>(extras));
    const float extra_row_w = extra_w * static_cast<float>(extras) + gap * static_cast<float>(extras - 1);
    float x = origin.x + (width - extra_row_w) * 0.5f;
    const float y = origin.y + tile_h + gap * 1.5f;
    const ImVec2 extra_size(extra_w, t.px(Theme::kTargetMm));
    if (q.dont_know) {
        ImGui::SetCursorScreenPos(ImVec2(x, y));
        const bool selected = answer != nullptr && answer->kind == Answer::Kind::DontKnow;
        if (tile(ctx, "dont_know", ctx.tr("Don't know"), extra_size, {.selected = selected})) {
            intent = QuestionIntent{QuestionIntent::Kind::DontKnow, 0, {}};
        }
        x += extra_w + gap;
    }
    for (const Option& option : q.options) {
        ImGui::SetCursorScreenPos(ImVec2(x, y));
        const std::string id = "option_" + option.id;
        if (tile(ctx, id.c_str(), text_in(option.label, ctx.language()), extra_size,
                 {.selected = is_selected(answer, option.id)})) {
            intent = QuestionIntent{QuestionIntent::Kind::Option, 0, option.id};
        }
        x += extra_w + gap;
    }
}

void draw_choices(UiContext& ctx, const Question& q, const Answer* answer, float width,
                  std::optional<QuestionIntent>& intent) {
    const Theme& t = ctx.theme;
    const float gap = t.px(Theme::kGapMm);
    const bool multi = q.type == QuestionType::Multi;
    const int columns = q.options.size() > 4 ? 2 : 1;
    const float tile_w = columns == 1 ? std::min(width, t.px(220.0f)) : (width - gap) * 0.5f;
    const float grid_w = tile_w * static_cast<float>(columns) + gap * static_cast<float>(columns - 1);
    const std::size_t chosen = answer != nullptr && answer->kind == Answer::Kind::Choice ? answer->choices.size() : 0;
    const bool at_max = multi && q.max_choices > 0 && chosen >= static_cast<std::size_t>(q.max_choices);
    const ImVec2 origin = ImGui::GetCursorScreenPos();
    float row_top = origin.y;
    float row_h = 0.0f;
    for (std::size_t i = 0; i < q.options.size(); ++i) {
        const Option& option = q.options[i];
        const std::string label = text_in(option.label, ctx.language());
        if (i > 0 && i % static_cast<std::size_t>(columns) == 0) {
            // A row starts below the tallest tile of the row above, so tiles never overlap.
            row_top += row_h + gap;
            row_h = 0.0f;
        }
        const float x = origin.x + (width - grid_w) * 0.5f + static_cast<float>(i % static_cast<std::size_t>(columns)) * (tile_w + gap);
        const float y = row_top;
        // A long label gets a taller tile rather than a smaller font.
        const float text_h = wrapped_text_height(ctx.fonts.body, label, tile_w - t.px(multi ? 26.0f : 16.0f));
        const float tile_h = std::max(t.px(Theme::kTargetMm), text_h + t.px(6.0f));
        ImGui::SetCursorScreenPos(ImVec2(x, y));
        const bool selected = is_selected(answer, option.id);
        const std::string id = "option_" + option.id;
        if (tile(ctx, id.c_str(), label, ImVec2(tile_w, tile_h),
                 {.selected = selected, .checkbox = multi, .dimmed = at_max && !selected && !option.exclusive})) {
            intent = QuestionIntent{multi ? QuestionIntent::Kind::Toggle : QuestionIntent::Kind::Option, 0, option.id};
        }
        row_h = std::max(row_h, tile_h);
    }
    ImGui::SetCursorScreenPos(ImVec2(origin.x, row_top + row_h));
    ImGui::Dummy(ImVec2(width, 0));
}

}  // namespace

float question_footer_top(const UiContext& ctx) {
    const Theme& t = ctx.theme;
    return ImGui::GetMainViewport()->WorkSize.y - t.px(Theme::kMarginMm) * 0.75f - t.px(24.0f);
}

std::optional<QuestionIntent> draw_question_header(UiContext& ctx, const Session& session, bool show_progress) {
    const Theme& t = ctx.theme;
    std::optional<QuestionIntent> intent;
    const ImVec2 size = ImGui::GetWindowSize();
    const float margin = t.px(Theme::kMarginMm);
    const float bar_h = t.px(Theme::kTargetMm);
    const float top = margin * 0.75f;
    if (show_progress) {
        const int number = static_cast<int>(session.index()) + 1;
        const int count = static_cast<int>(session.count());
        ImGui::SetCursorScreenPos(ImVec2(margin, top + t.px(1.0f)));
        const float text_h =
            wrapped_text(ctx.fonts.small, format(ctx.tr("Question %d of %d"), number, count), t.px(120.0f), t.text);
        // Below the words even when they are large, and within the top row.
        const float bar_y = std::max(top + bar_h - t.px(6.0f), top + t.px(1.0f) + text_h + t.px(1.0f));
        progress_bar(ctx, ImVec2(margin, bar_y), ImVec2(t.px(110.0f), t.px(4.0f)),
                     static_cast<float>(number) / static_cast<float>(count));
    }
    const float language_w = language_button_width(ctx);
    if (language_button(ctx, ImVec2(size.x - margin - language_w, top), ImVec2(language_w, bar_h))) {
        intent = QuestionIntent{QuestionIntent::Kind::ChangeLanguage, 0, {}};
    }
    return intent;
}

std::optional<QuestionIntent> draw_question_footer(UiContext& ctx, const Session& session, bool followup) {
    const Theme& t = ctx.theme;
    std::optional<QuestionIntent> intent;
    const ImVec2 size = ImGui::GetWindowSize();
    const float margin = t.px(Theme::kMarginMm);
    const float h = t.px(24.0f);
    const float y = question_footer_top(ctx);
    // Each button fits its label on one line (large text, long words), a third of the row at most.
    const float most = (size.x - 2 * margin - 2 * t.px(Theme::kGapMm)) / 3.0f;
    if (followup) {
        const float w = button_width(ctx, ctx.tr("Done"), 70.0f, most);
        ImGui::SetCursorScreenPos(ImVec2(size.x - margin - w, y));
        if (tile(ctx, "done", ctx.tr("Done"), ImVec2(w, h), {.kind = TileStyle::Kind::Primary})) {
            intent = QuestionIntent{QuestionIntent::Kind::Done, 0, {}};
        }
        return intent;
    }
    const std::string back = back_label(ctx);
    ImGui::SetCursorScreenPos(ImVec2(margin, y));
    if (tile(ctx, "back", back, ImVec2(button_width(ctx, back, 70.0f, most), h), {.kind = TileStyle::Kind::Quiet})) {
        intent = QuestionIntent{QuestionIntent::Kind::Back, 0, {}};
    }
    if (session.current().skippable) {
        const float w = button_width(ctx, ctx.tr("Skip"), 70.0f, most);
        ImGui::SetCursorScreenPos(ImVec2((size.x - w) * 0.5f, y));
        if (tile(ctx, "skip", ctx.tr("Skip"), ImVec2(w, h), {.kind = TileStyle::Kind::Quiet})) {
            intent = QuestionIntent{QuestionIntent::Kind::Skip, 0, {}};
        }
    }
    const bool last = session.is_last();
    const std::string forward = last ? ctx.tr("Send") : next_label(ctx);
    const float w = button_width(ctx, forward, 70.0f, most);
    ImGui::SetCursorScreenPos(ImVec2(size.x - margin - w, y));
    if (tile(ctx, last ? "send" : "next", forward, ImVec2(w, h), {.kind = TileStyle::Kind::Primary})) {
        intent = QuestionIntent{last ? QuestionIntent::Kind::Send : QuestionIntent::Kind::Next, 0, {}};
    }
    return intent;
}

std::optional<QuestionIntent> draw(QuestionScreen& screen, UiContext& ctx, const QuestionView& view) {
    const Theme& t = ctx.theme;
    const Session& session = view.session;
    const Question& q = session.current();
    begin_screen("question", ctx);
    std::optional<QuestionIntent> intent = draw_question_header(ctx, session, !view.followup);
    const ImVec2 size = ImGui::GetWindowSize();
    const float margin = t.px(Theme::kMarginMm);
    const float width = size.x - 2 * margin;

    float y = margin * 0.75f + t.px(Theme::kTargetMm) + t.px(5.0f);
    if (view.followup) {
        ImGui::SetCursorScreenPos(ImVec2(margin, y));
        y += wrapped_text(ctx.fonts.body, ctx.tr("Thank you! Your answer is saved. Would you like to tell us more?"),
                          width, t.text_muted) + t.px(3.0f);
    }
    ImGui::SetCursorScreenPos(ImVec2(margin, y));
    y += wrapped_text(ctx.fonts.question, text_in(q.label, ctx.language()), width, t.text);
    if (!q.note.empty()) {
        ImGui::SetCursorScreenPos(ImVec2(margin, y + t.px(2.0f)));
        y += t.px(2.0f) + wrapped_text(ctx.fonts.small, text_in(q.note, ctx.language()), width, t.text_muted);
    }
    if (q.type == QuestionType::Multi && q.max_choices > 0) {
        const Answer* chosen = session.current_answer();
        const int count = chosen != nullptr && chosen->kind == Answer::Kind::Choice ? static_cast<int>(chosen->choices.size()) : 0;
        ImGui::SetCursorScreenPos(ImVec2(margin, y + t.px(2.0f)));
        y += t.px(2.0f) + wrapped_text(ctx.fonts.small, format(ctx.tr("Chosen: %d of at most %d"), count, q.max_choices),
                                       width, t.text_muted);
    }
    if (screen.max_note_until > ctx.now) {
        ImGui::SetCursorScreenPos(ImVec2(margin, y + t.px(2.0f)));
        y += t.px(2.0f) + wrapped_text(ctx.fonts.small,
                                       format(ctx.tr("You can choose at most %d. Tap a choice again to remove it."),
                                              q.max_choices, 0),
                                       width, t.warning);
    }

    // The answers scroll by dragging when they do not fit (large text, many options).
    const float area_top = y + t.px(6.0f);
    const float area_h = question_footer_top(ctx) - t.px(4.0f) - area_top;
    ImGui::SetCursorScreenPos(ImVec2(margin * 0.5f, area_top));
    ImGui::PushStyleVar(ImGuiStyleVar_WindowPadding, ImVec2(margin * 0.5f, t.px(2.0f)));
    ImGui::PushStyleVar(ImGuiStyleVar_ScrollbarSize, t.px(5.0f));
    ImGui::PushStyleColor(ImGuiCol_ChildBg, IM_COL32(0, 0, 0, 0));
    ImGui::BeginChild("answers", ImVec2(width + margin, std::max(area_h, t.px(30.0f))), false,
                      ImGuiWindowFlags_NoScrollWithMouse | ImGuiWindowFlags_AlwaysUseWindowPadding);
    ImGuiWindow* answers = ImGui::GetCurrentWindow();
    // The list's own width: narrower by the scrollbar when the answers overflow, so no
    // tile ever runs under it.
    const float list_width = ImGui::GetContentRegionAvail().x;
    const Answer* answer = session.current_answer();
    if (q.type == QuestionType::Scale5 || q.type == QuestionType::Scale4) {
        draw_scale(ctx, q, answer, list_width, intent);
    } else {
        draw_choices(ctx, q, answer, list_width, intent);
    }
    drag_to_scroll();
    ImGui::EndChild();
    ImGui::PopStyleColor();
    ImGui::PopStyleVar(2);

    if (auto footer = draw_question_footer(ctx, session, view.followup)) {
        intent = footer;
        // Every footer button leaves this question; the list is shared by all questions,
        // so the next one must not open scrolled to where this one was.
        ImGui::SetScrollY(answers, 0.0f);
    }
    end_screen();
    return intent;
}

}  // namespace tillit::ui
