// Settings layout: three columns (survey, venue, idle timeout), Save and Back.
#include "ui/settings_screen.h"

#include <algorithm>

#include "ui/widgets.h"

namespace tillit::ui {

std::optional<SettingsIntent> draw(SettingsScreen& screen, UiContext& ctx, const SettingsView& view) {
    const Theme& t = ctx.theme;
    if (!screen.loaded) {
        screen.loaded = true;
        screen.surveys = view.config.surveys;
        screen.venue_id = view.config.venue_id;
        screen.idle_timeout_seconds = view.config.idle_timeout_seconds;
    }
    begin_screen("settings", ctx);
    std::optional<SettingsIntent> intent;
    const ImVec2 size = ImGui::GetWindowSize();
    const float margin = t.px(Theme::kMarginMm);
    const float bar_h = t.px(Theme::kTargetMm);

    ImGui::SetCursorScreenPos(ImVec2(margin, margin * 0.75f));
    if (tile(ctx, "back", back_label(ctx), ImVec2(t.px(60.0f), bar_h), {.kind = TileStyle::Kind::Quiet})) {
        intent = SettingsIntent{SettingsIntent::Kind::Back, {}};
    }
    ImGui::SetCursorScreenPos(ImVec2(margin + t.px(70.0f), margin * 0.75f + (bar_h - ctx.fonts.question.size_px) * 0.5f));
    wrapped_text(ctx.fonts.question, ctx.tr("Settings"), size.x - 2 * margin - t.px(70.0f), t.text);

    const float gap = t.px(10.0f);
    const float column_w = (size.x - 2 * margin - 2 * gap) / 3.0f;
    const float top = margin * 0.75f + bar_h + t.px(8.0f);
    const ImVec2 button(column_w, t.px(Theme::kTargetMm + 2.0f));

    // Surveys: one or two.
    float x = margin;
    ImGui::SetCursorScreenPos(ImVec2(x, top));
    wrapped_text(ctx.fonts.body, ctx.tr("Survey shown (one or two)"), column_w, t.text);
    float y = ImGui::GetCursorScreenPos().y + t.px(3.0f);
    for (const Survey& survey : view.available) {
        auto at = std::find(screen.surveys.begin(), screen.surveys.end(), survey.id);
        const bool on = at != screen.surveys.end();
        ImGui::SetCursorScreenPos(ImVec2(x, y));
        const std::string id = "survey_" + survey.id;
        if (tile(ctx, id.c_str(), text_in(survey.title, ctx.language()), button, {.selected = on, .checkbox = true})) {
            if (on && screen.surveys.size() > 1) {
                screen.surveys.erase(at);
            } else if (!on) {
                if (screen.surveys.size() >= 2) screen.surveys.erase(screen.surveys.begin());
                screen.surveys.push_back(survey.id);
            }
            screen.message.clear();
        }
        y += button.y + t.px(3.0f);
    }

    // Venue.
    x += column_w + gap;
    ImGui::SetCursorScreenPos(ImVec2(x, top));
    wrapped_text(ctx.fonts.body, ctx.tr("Venue"), column_w, t.text);
    y = ImGui::GetCursorScreenPos().y + t.px(3.0f);
    for (const VenueChoice& venue : view.config.venue_choices) {
        ImGui::SetCursorScreenPos(ImVec2(x, y));
        const std::string id = "venue_" + venue.id;
        if (tile(ctx, id.c_str(), venue.name, button, {.selected = venue.id == screen.venue_id})) {
            screen.venue_id = venue.id;
            screen.message.clear();
        }
        y += button.y + t.px(3.0f);
    }

    // Idle timeout, in steps of 10 seconds.
    x += column_w + gap;
    ImGui::SetCursorScreenPos(ImVec2(x, top));
    wrapped_text(ctx.fonts.body, ctx.tr("Idle timeout"), column_w, t.text);
    y = ImGui::GetCursorScreenPos().y + t.px(3.0f);
    const ImVec2 step(t.px(Theme::kTargetMm + 2.0f), button.y);
    ImGui::SetCursorScreenPos(ImVec2(x, y));
    if (tile(ctx, "idle_less", "-", step, {.font = &ctx.fonts.question, .disabled = screen.idle_timeout_seconds <= 10})) {
        screen.idle_timeout_seconds = std::max(10, screen.idle_timeout_seconds - 10);
        screen.message.clear();
    }
    ImGui::SetCursorScreenPos(ImVec2(x + step.x, y + (step.y - ctx.fonts.question.size_px) * 0.5f));
    wrapped_text(ctx.fonts.question, format(ctx.tr("%d s"), screen.idle_timeout_seconds, 0), column_w - 2 * step.x,
                 t.text, Align::Center);
    ImGui::SetCursorScreenPos(ImVec2(x + column_w - step.x, y));
    if (tile(ctx, "idle_more", "+", step, {.font = &ctx.fonts.question, .disabled = screen.idle_timeout_seconds >= 600})) {
        screen.idle_timeout_seconds = std::min(600, screen.idle_timeout_seconds + 10);
        screen.message.clear();
    }

    // Save, and what happened.
    const ImVec2 save(t.px(90.0f), t.px(Theme::kTargetMm + 4.0f));
    ImGui::SetCursorScreenPos(ImVec2(size.x - margin - save.x, size.y - margin - save.y));
    if (tile(ctx, "save", ctx.tr("Save"), save, {.kind = TileStyle::Kind::Primary})) {
        SettingsIntent save_intent{SettingsIntent::Kind::Save, {}};
        save_intent.settings.surveys = screen.surveys;
        save_intent.settings.venue_id = screen.venue_id;
        save_intent.settings.idle_timeout_seconds = screen.idle_timeout_seconds;
        intent = save_intent;
    }
    ImGui::SetCursorScreenPos(ImVec2(margin, size.y - margin - save.y + (save.y - ctx.fonts.body.size_px) * 0.5f));
    wrapped_text(ctx.fonts.body, screen.message, size.x - 3 * margin - save.x, screen.failed ? t.warning : t.text);
    end_screen();
    return intent;
}

}  // namespace tillit::ui
