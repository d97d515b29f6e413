// Set-up layout: the left column holds title, goal, data scope and dots; the right one
// the 15 themes as a 3 x 5 grid, the chosen theme's two questions, and "own question".
// While typing, the keyboard takes the lower half and everything else waits.
#include "ui/workshop_setup_screen.h"

#include <algorithm>

#include "ui/widgets.h"

namespace tillit::ui {
namespace {

constexpr WorkshopGoal kGoals[] = {WorkshopGoal::Learn, WorkshopGoal::SharedPicture, WorkshopGoal::Ideas};

std::optional<WorkshopSetupIntent> save(WorkshopSetup setup) {
    return WorkshopSetupIntent{WorkshopSetupIntent::Kind::Save, std::move(setup), {}};
}

// Typing mode: what is being typed, the keyboard, Done and Cancel.
std::optional<WorkshopSetupIntent> draw_typing(WorkshopSetupScreen& screen, UiContext& ctx, const Workshop& w) {
    const Theme& t = ctx.theme;
    const ImVec2 size = ImGui::GetWindowSize();
    const float margin = t.px(Theme::kMarginMm);
    const float width = size.x - 2 * margin;
    float y = workshop_content_top(ctx);
    const bool title = screen.editing == WorkshopSetupScreen::Field::Title;
    ImGui::SetCursorScreenPos(ImVec2(margin, y));
    y += wrapped_text(ctx.fonts.body, title ? ctx.tr("Title of the workshop") : ctx.tr("Your own question"), width,
                      t.text) + t.px(2.0f);
    const float box_h = ctx.fonts.body.size_px * 1.15f * 2.0f + t.px(6.0f);
    const float buttons_w = t.px(60.0f);
    draw_text_box(ctx, ImVec2(margin, y), ImVec2(margin + width - buttons_w - t.px(Theme::kGapMm), y + box_h), screen.draft,
                  title ? ctx.tr("For example: Trust at the library") : ctx.tr("How can we ...?"));
    std::optional<WorkshopSetupIntent> intent;
    const float bx = margin + width - buttons_w;
    ImGui::SetCursorScreenPos(ImVec2(bx, y));
    const float button_h = std::max(t.px(Theme::kTargetMm), box_h * 0.5f - t.px(1.0f));
    if (tile(ctx, "keyboard_done", ctx.tr("Done"), ImVec2(buttons_w, button_h), {.kind = TileStyle::Kind::Primary})) {
        WorkshopSetup setup = w.setup;
        if (title) {
            setup.title = screen.draft;
        } else if (!screen.draft.empty()) {
            setup.question = screen.draft;
            setup.question_kind = QuestionKind::Own;
            setup.theme_id.clear();
        }
        screen.editing = WorkshopSetupScreen::Field::None;
        screen.keyboard.reset();
        intent = save(setup);
    }
    ImGui::SetCursorScreenPos(ImVec2(bx, y + button_h + t.px(2.0f)));
    if (tile(ctx, "keyboard_cancel", ctx.tr("Cancel"), ImVec2(buttons_w, button_h), {.kind = TileStyle::Kind::Quiet})) {
        screen.editing = WorkshopSetupScreen::Field::None;
        screen.keyboard.reset();
    }
    y += std::max(box_h, 2 * button_h + t.px(2.0f)) + t.px(5.0f);
    const int limit = static_cast<int>(title ? kMaxTitleChars : kMaxQuestionChars);
    if (const auto press = draw_keyboard(screen.keyboard, ctx, ImVec2(margin, y), width, size.y - margin * 0.5f - y)) {
        screen.draft = apply_key(screen.draft, *press, limit);
    }
    return intent;
}

}  // namespace

std::optional<WorkshopSetupIntent> draw(WorkshopSetupScreen& screen, UiContext& ctx, const WorkshopSetupView& view) {
    const Theme& t = ctx.theme;
    const Workshop& w = view.workshop;
    begin_screen("workshop_setup", ctx);
    std::optional<WorkshopSetupIntent> intent;
    const bool typing = screen.editing != WorkshopSetupScreen::Field::None;
    if (auto nav = draw_workshop_bar(ctx, WorkshopStep::Setup, typing)) {
        intent = WorkshopSetupIntent{WorkshopSetupIntent::Kind::Nav, {}, *nav};
    }
    if (typing) {
        if (auto typed = draw_typing(screen, ctx, w)) intent = typed;
        end_screen();
        return intent;
    }

    const ImVec2 size = ImGui::GetWindowSize();
    const float margin = t.px(Theme::kMarginMm);
    const float gap = t.px(Theme::kGapMm);
    const float top = workshop_content_top(ctx);
    const float left_w = t.px(150.0f);
    const float right_x = margin + left_w + t.px(12.0f);
    const float right_w = size.x - margin - right_x;
    const float tile_h = t.px(Theme::kTargetMm);
    const TextFont& small = ctx.fonts.small;

    // Left: title.
    float y = top;
    ImGui::SetCursorScreenPos(ImVec2(margin, y));
    y += wrapped_text(small, ctx.tr("Title"), left_w, t.text_muted) + t.px(1.0f);
    ImGui::SetCursorScreenPos(ImVec2(margin, y));
    const std::string title = w.setup.title.empty() ? std::string(ctx.tr("Tap to write a title")) : w.setup.title;
    if (tile(ctx, "title_field", title, ImVec2(left_w, tile_h), {.font = &small})) {
        screen.editing = WorkshopSetupScreen::Field::Title;
        screen.draft = w.setup.title;
    }
    y += tile_h + gap;

    // Goal: one per dialogue.
    ImGui::SetCursorScreenPos(ImVec2(margin, y));
    y += wrapped_text(small, ctx.tr("Goal (one per dialogue)"), left_w, t.text_muted) + t.px(1.0f);
    for (WorkshopGoal goal : kGoals) {
        ImGui::SetCursorScreenPos(ImVec2(margin, y));
        const std::string id = std::string("goal_") + to_string(goal);
        if (tile(ctx, id.c_str(), goal_title(ctx, goal), ImVec2(left_w, tile_h),
                 {.selected = w.setup.goal == goal, .font = &small})) {
            WorkshopSetup setup = w.setup;
            setup.goal = goal;
            intent = save(setup);
        }
        y += tile_h + t.px(2.0f);
    }
    y += gap - t.px(2.0f);

    // Data from this venue or all.
    ImGui::SetCursorScreenPos(ImVec2(margin, y));
    y += wrapped_text(small, ctx.tr("Answers to start from"), left_w, t.text_muted) + t.px(1.0f);
    const float half = (left_w - t.px(2.0f)) * 0.5f;
    ImGui::SetCursorScreenPos(ImVec2(margin, y));
    if (tile(ctx, "scope_venue", ctx.tr("This venue"), ImVec2(half, tile_h),
             {.selected = w.setup.scope == DataScope::Venue, .font = &small})) {
        WorkshopSetup setup = w.setup;
        setup.scope = DataScope::Venue;
        intent = save(setup);
    }
    ImGui::SetCursorScreenPos(ImVec2(margin + half + t.px(2.0f), y));
    if (tile(ctx, "scope_all", ctx.tr("All venues"), ImVec2(half, tile_h),
             {.selected = w.setup.scope == DataScope::AllVenues, .font = &small})) {
        WorkshopSetup setup = w.setup;
        setup.scope = DataScope::AllVenues;
        intent = save(setup);
    }
    y += tile_h + gap;

    // Dots per participant.
    ImGui::SetCursorScreenPos(ImVec2(margin, y));
    y += wrapped_text(small, ctx.tr("Dots per participant"), left_w, t.text_muted) + t.px(1.0f);
    const ImVec2 step(t.px(Theme::kTargetMm + 2.0f), tile_h);
    ImGui::SetCursorScreenPos(ImVec2(margin, y));
    if (tile(ctx, "dots_less", "-", step, {.font = &ctx.fonts.question, .disabled = w.setup.dots_per_person <= 1})) {
        WorkshopSetup setup = w.setup;
        setup.dots_per_person -= 1;
        intent = save(setup);
    }
    ImGui::SetCursorScreenPos(ImVec2(margin + step.x, y + (tile_h - ctx.fonts.question.size_px) * 0.5f));
    wrapped_text(ctx.fonts.question, std::to_string(w.setup.dots_per_person), left_w - 2 * step.x, t.text, Align::Center);
    ImGui::SetCursorScreenPos(ImVec2(margin + left_w - step.x, y));
    if (tile(ctx, "dots_more", "+", step,
             {.font = &ctx.fonts.question, .disabled = w.setup.dots_per_person >= kMaxDotsPerPerson})) {
        WorkshopSetup setup = w.setup;
        setup.dots_per_person += 1;
        intent = save(setup);
    }
    y += tile_h + gap;
    ImGui::SetCursorScreenPos(ImVec2(margin, std::max(y, size.y - margin * 0.5f - tile_h)));
    if (tile(ctx, "setup_next", next_label(ctx), ImVec2(left_w, tile_h), {.kind = TileStyle::Kind::Primary})) {
        intent = WorkshopSetupIntent{WorkshopSetupIntent::Kind::Nav, {}, {WorkshopNav::Kind::Step, WorkshopStep::Data}};
    }

    // Right: themes.
    y = top;
    ImGui::SetCursorScreenPos(ImVec2(right_x, y));
    y += wrapped_text(small, ctx.tr("One question: choose a theme, then its promoting or preventive question"), right_w,
                      t.text_muted) + t.px(1.0f);
    if (!view.themes_error.empty()) {
        ImGui::SetCursorScreenPos(ImVec2(right_x, y));
        y += wrapped_text(small, view.themes_error, right_w, t.warning) + gap;
    }
    const float theme_gap = t.px(2.0f);
    const float theme_w = (right_w - 2 * theme_gap) / 3.0f;
    const float theme_h = t.px(20.5f);
    const WorkshopTheme* chosen = nullptr;
    for (std::size_t i = 0; i < view.themes.size(); ++i) {
        const WorkshopTheme& theme = view.themes[i];
        const bool on = theme.id == w.setup.theme_id;
        if (on) chosen = &theme;
        ImGui::SetCursorScreenPos(ImVec2(right_x + static_cast<float>(i % 3) * (theme_w + theme_gap),
                                         y + static_cast<float>(i / 3) * (theme_h + theme_gap)));
        const std::string id = "theme_" + theme.id;
        if (tile(ctx, id.c_str(), theme_text(theme.name, ctx.language()), ImVec2(theme_w, theme_h),
                 {.selected = on, .font = &small})) {
            WorkshopSetup setup = w.setup;
            setup.theme_id = theme.id;
            setup.question_kind = QuestionKind::Promoting;
            setup.question = theme_text(theme.promoting, ctx.language());
            intent = save(setup);
        }
    }
    const std::size_t rows = (view.themes.size() + 2) / 3;
    y += static_cast<float>(rows) * (theme_h + theme_gap) + gap - theme_gap;

    // The chosen theme's two questions, or the facilitator's own.
    const float question_h = t.px(30.0f);
    const float qw = (right_w - gap) * 0.5f;
    if (chosen != nullptr) {
        const struct {
            QuestionKind kind;
            const char* id;
            const char* label;
            const LocalText* text;
        } kinds[] = {{QuestionKind::Promoting, "question_promoting", ctx.tr("Promoting:"), &chosen->promoting},
                     {QuestionKind::Preventive, "question_preventive", ctx.tr("Preventive:"), &chosen->preventive}};
        for (int k = 0; k < 2; ++k) {
            ImGui::SetCursorScreenPos(ImVec2(right_x + static_cast<float>(k) * (qw + gap), y));
            const std::string question = theme_text(*kinds[k].text, ctx.language());
            if (tile(ctx, kinds[k].id, std::string(kinds[k].label) + " " + question, ImVec2(qw, question_h),
                     {.selected = w.setup.question_kind == kinds[k].kind, .font = &small})) {
                WorkshopSetup setup = w.setup;
                setup.question_kind = kinds[k].kind;
                setup.question = question;
                intent = save(setup);
            }
        }
        y += question_h + gap;
    }
    ImGui::SetCursorScreenPos(ImVec2(right_x, y));
    const bool own = w.setup.question_kind == QuestionKind::Own;
    const std::string own_label = own && !w.setup.question.empty()
                                      ? std::string(ctx.tr("Own question:")) + " " + w.setup.question
                                      : std::string(ctx.tr("Write our own question"));
    if (tile(ctx, "question_own", own_label, ImVec2(right_w, tile_h), {.selected = own && !w.setup.question.empty(),
                                                                       .font = &small})) {
        screen.editing = WorkshopSetupScreen::Field::OwnQuestion;
        screen.draft = own ? w.setup.question : std::string();
    }
    end_screen();
    return intent;
}

}  // namespace tillit::ui
