// Start screen layout: venue line and language button on top; then either a single
// inviting "start" tile, a one-tap face row, or both (faces above, survey card below).
#include "ui/start_screen.h"

#include <algorithm>

#include "ui/widgets.h"

namespace tillit::ui {
namespace {

constexpr float kFaceTileMm = 62.0f;
constexpr float kStartButtonMm = 30.0f;
constexpr float kSectionGapMm = 18.0f;

float one_tap_height(const UiContext& ctx, const Survey& survey, float width) {
    const Theme& t = ctx.theme;
    return wrapped_text_height(ctx.fonts.question, text_in(survey.questions.front().label, ctx.language()), width) +
           t.px(Theme::kGapMm) + t.px(kFaceTileMm);
}

// The start button: wide enough for its words on one line where the screen allows, and
// taller when large text still needs two.
ImVec2 start_button_size(const UiContext& ctx, float width) {
    const Theme& t = ctx.theme;
    const std::string label = ctx.tr("Tap here to start");
    const float w = button_width(ctx, label, 150.0f, width, &ctx.fonts.question);
    const float text_h = wrapped_text_height(ctx.fonts.question, label, w - t.px(8.0f));
    return ImVec2(w, std::max(t.px(kStartButtonMm), text_h + t.px(8.0f)));
}

float sequential_height(const UiContext& ctx, const Survey& survey, float width, const TextFont& heading) {
    const Theme& t = ctx.theme;
    return wrapped_text_height(heading, text_in(survey.title, ctx.language()), width) + t.px(3.0f) +
           wrapped_text_height(ctx.fonts.body, text_in(survey.summary, ctx.language()), width) + t.px(8.0f) +
           start_button_size(ctx, width).y;
}

std::optional<StartIntent> one_tap_row(UiContext& ctx, const Survey& survey, std::size_t index, float top,
                                       float width) {
    const Theme& t = ctx.theme;
    const float margin = t.px(Theme::kMarginMm);
    const Question& q = survey.questions.front();
    ImGui::SetCursorScreenPos(ImVec2(margin, top));
    wrapped_text(ctx.fonts.question, text_in(q.label, ctx.language()), width - 2 * margin, t.text, Align::Center);
    const float gap = t.px(Theme::kGapMm);
    const int steps = q.scale_steps();
    const float row_top = ImGui::GetCursorScreenPos().y + gap;
    const float tile_h = t.px(kFaceTileMm);
    const float tile_w = std::min((width - 2 * margin - gap * static_cast<float>(steps - 1)) / static_cast<float>(steps),
                                  tile_h * 1.2f);
    const float row_w = tile_w * static_cast<float>(steps) + gap * static_cast<float>(steps - 1);
    std::optional<StartIntent> intent;
    for (int step = 1; step <= steps; ++step) {
        ImGui::SetCursorScreenPos(ImVec2((width - row_w) * 0.5f + static_cast<float>(step - 1) * (tile_w + gap), row_top));
        std::string caption;
        if (step == 1) caption = text_in(q.low_label, ctx.language());
        if (step == steps) caption = text_in(q.high_label, ctx.language());
        const std::string id = "onetap_" + std::to_string(step);
        if (face_tile(ctx, id.c_str(), step, steps, ImVec2(tile_w, tile_h), false, caption)) {
            intent = StartIntent{StartIntent::Kind::OneTapAnswer, index, step};
        }
    }
    return intent;
}

// "Ni sa – vi gjorde": the staff's message as written (it is the municipality's own
// words, in Swedish), then what residents here answered, only as the server's
// suppressed counts allow ("too few" for a hidden class).
std::string feedback_summary(const UiContext& ctx, const sync::Feedback& feedback) {
    if (feedback.responses < 5 || feedback.trust.empty()) {
        return ctx.tr("Too few answers to show yet. Fewer than 5 people have answered here.");
    }
    std::string line = format(ctx.tr("%d people here have answered."), static_cast<int>(feedback.responses), 0);
    const std::pair<const char*, const char*> classes[] = {
        {"trust", "Trust"}, {"weak_trust", "Weak trust"}, {"distrust", "Distrust"}};
    for (const auto& [key, label] : classes) {
        for (const auto& [cell, n] : feedback.trust) {
            if (cell != key) continue;
            line += std::string(" ") + ctx.tr(label) + ": " + (n ? std::to_string(*n) : std::string(ctx.tr("too few"))) + ".";
        }
    }
    return line;
}

float feedback_height(const UiContext& ctx, const sync::Feedback& feedback, float width) {
    const Theme& t = ctx.theme;
    return wrapped_text_height(ctx.fonts.body, ctx.tr("You said – we did"), width) + t.px(2.0f) +
           wrapped_text_height(ctx.fonts.body, feedback.message, width) + t.px(2.0f) +
           wrapped_text_height(ctx.fonts.small, feedback_summary(ctx, feedback), width) + t.px(Theme::kGapMm);
}

void draw_feedback(UiContext& ctx, const sync::Feedback& feedback, float top, float width) {
    const Theme& t = ctx.theme;
    const float margin = t.px(Theme::kMarginMm);
    ImGui::GetWindowDrawList()->AddLine(ImVec2(margin, top), ImVec2(margin + width, top), t.progress_track, t.px(0.5f));
    ImGui::SetCursorScreenPos(ImVec2(margin, top + t.px(Theme::kGapMm) * 0.5f));
    wrapped_text(ctx.fonts.body, ctx.tr("You said – we did"), width, t.text_muted);
    ImGui::SetCursorScreenPos(ImVec2(margin, ImGui::GetCursorScreenPos().y + t.px(2.0f)));
    wrapped_text(ctx.fonts.body, feedback.message, width, t.text);
    ImGui::SetCursorScreenPos(ImVec2(margin, ImGui::GetCursorScreenPos().y + t.px(2.0f)));
    wrapped_text(ctx.fonts.small, feedback_summary(ctx, feedback), width, t.text_muted);
}

}  // namespace

std::optional<StartIntent> draw(StartScreen&, UiContext& ctx, const StartView& view) {
    const Theme& t = ctx.theme;
    begin_screen("start", ctx);
    std::optional<StartIntent> intent;
    const ImVec2 size = ImGui::GetWindowSize();
    const float margin = t.px(Theme::kMarginMm);
    const float bar_h = t.px(Theme::kTargetMm);
    const float text_w = size.x - 2 * margin;

    // Top line: where you are, and the language.
    ImGui::SetCursorScreenPos(ImVec2(margin, margin * 0.75f + (bar_h - ctx.fonts.small.size_px) * 0.5f));
    wrapped_text(ctx.fonts.small, view.venue_name, size.x * 0.5f, t.text_muted);
    if (view.offer_language &&
        language_button(ctx, ImVec2(size.x - margin - language_button_width(ctx), margin * 0.75f),
                        ImVec2(language_button_width(ctx), bar_h))) {
        intent = StartIntent{StartIntent::Kind::ChangeLanguage, 0, 0};
    }

    const Survey* sequential = nullptr;
    std::size_t sequential_index = 0;
    const Survey* one_tap = nullptr;
    std::size_t one_tap_index = 0;
    for (std::size_t i = 0; i < view.surveys.size(); ++i) {
        if (view.surveys[i].flow == SurveyFlow::OneTap && one_tap == nullptr) {
            one_tap = &view.surveys[i];
            one_tap_index = i;
        } else if (view.surveys[i].flow == SurveyFlow::Sequential && sequential == nullptr) {
            sequential = &view.surveys[i];
            sequential_index = i;
        }
    }

    // Measure both sections, then centre them together below the top line.
    const TextFont& heading = one_tap != nullptr ? ctx.fonts.question : ctx.fonts.title;
    const float one_tap_h = one_tap != nullptr ? one_tap_height(ctx, *one_tap, text_w) : 0.0f;
    const float sequential_h = sequential != nullptr ? sequential_height(ctx, *sequential, text_w, heading) : 0.0f;
    const float between = one_tap != nullptr && sequential != nullptr ? t.px(kSectionGapMm) : 0.0f;
    const float content_top = margin * 0.75f + bar_h + t.px(4.0f);
    const float feedback_h = view.feedback != nullptr ? feedback_height(ctx, *view.feedback, text_w) : 0.0f;
    const float content_h = size.y - content_top - margin - feedback_h;
    if (view.feedback != nullptr) draw_feedback(ctx, *view.feedback, size.y - margin - feedback_h, text_w);
    float y = content_top + std::max(0.0f, (content_h - one_tap_h - between - sequential_h) * 0.5f);

    if (one_tap != nullptr) {
        if (auto tap = one_tap_row(ctx, *one_tap, one_tap_index, y, size.x)) intent = tap;
        y += one_tap_h + between;
        if (sequential != nullptr) {
            const float line_y = y - between * 0.5f;
            ImGui::GetWindowDrawList()->AddLine(ImVec2(size.x * 0.3f, line_y), ImVec2(size.x * 0.7f, line_y),
                                                t.progress_track, t.px(0.5f));
        }
    }
    if (sequential != nullptr) {
        ImGui::SetCursorScreenPos(ImVec2(margin, y));
        wrapped_text(heading, text_in(sequential->title, ctx.language()), text_w, t.text, Align::Center);
        ImGui::SetCursorScreenPos(ImVec2(margin, ImGui::GetCursorScreenPos().y + t.px(3.0f)));
        wrapped_text(ctx.fonts.body, text_in(sequential->summary, ctx.language()), text_w, t.text_muted, Align::Center);
        const ImVec2 button = start_button_size(ctx, text_w);
        ImGui::SetCursorScreenPos(ImVec2((size.x - button.x) * 0.5f, ImGui::GetCursorScreenPos().y + t.px(8.0f)));
        if (tile(ctx, "start", ctx.tr("Tap here to start"), button,
                 {.kind = TileStyle::Kind::Primary, .font = &ctx.fonts.question})) {
            intent = StartIntent{StartIntent::Kind::BeginSurvey, sequential_index, 0};
        }
        if (one_tap == nullptr) {
            // Alone on the screen, the whole screen starts the survey: one tap anywhere.
            // Submitted last, so the buttons above keep their taps.
            ImGui::SetCursorScreenPos(ImVec2(0, 0));
            if (ImGui::InvisibleButton("anywhere", size) && !intent) {
                intent = StartIntent{StartIntent::Kind::BeginSurvey, sequential_index, 0};
            }
        }
    }
    end_screen();
    return intent;
}

}  // namespace tillit::ui
