// Free-text screen: question, note ("Do not write names"), the text so far with a
// counter, then the on-screen keyboard (ui/keyboard.h).
#include "ui/freetext_screen.h"

#include <algorithm>
#include <cstdio>

#include "core/privacy.h"
#include "ui/keyboard.h"
#include "ui/widgets.h"

namespace tillit::ui {
std::string apply_typing(const std::string& text, const FreeTextIntent& intent, int max_length) {
    if (intent.kind == FreeTextIntent::Kind::Backspace) return apply_key(text, {KeyPress::Kind::Backspace, {}}, max_length);
    if (intent.kind == FreeTextIntent::Kind::Type) return apply_key(text, {KeyPress::Kind::Type, intent.text}, max_length);
    return text;
}

std::optional<FreeTextIntent> draw(FreeTextScreen& screen, UiContext& ctx, const Session& session) {
    const Theme& t = ctx.theme;
    const Question& q = session.current();
    begin_screen("freetext", ctx);
    std::optional<FreeTextIntent> intent;
    if (auto header = draw_question_header(ctx, session, true)) intent = FreeTextIntent{FreeTextIntent::Kind::Navigate, {}, *header};

    const ImVec2 size = ImGui::GetWindowSize();
    const float margin = t.px(Theme::kMarginMm);
    const float width = size.x - 2 * margin;
    float y = margin * 0.75f + t.px(Theme::kTargetMm) + t.px(4.0f);
    ImGui::SetCursorScreenPos(ImVec2(margin, y));
    y += wrapped_text(ctx.fonts.question, text_in(q.label, ctx.language()), width, t.text);
    if (!q.note.empty()) {
        ImGui::SetCursorScreenPos(ImVec2(margin, y + t.px(1.5f)));
        y += t.px(1.5f) + wrapped_text(ctx.fonts.small, text_in(q.note, ctx.language()), width, t.warning);
    }

    // The text so far: the last three lines, a caret, and the characters left.
    const Answer* answer = session.current_answer();
    const std::string text = answer != nullptr && answer->kind == Answer::Kind::Text ? answer->text : std::string();
    const float line_h = ctx.fonts.body.size_px * 1.15f;
    const ImVec2 box_min(margin, y + t.px(3.0f));
    const ImVec2 box_max(margin + width, box_min.y + line_h * 3.0f + t.px(6.0f));
    ImDrawList* draw = ImGui::GetWindowDrawList();
    fill_rounded(draw, box_min, box_max, t.tile, t.px(2.0f));
    draw->AddRect(box_min, box_max, t.accent, t.px(2.0f), 0, t.px(0.6f));
    const float text_w = width - t.px(40.0f);
    const float full_h = wrapped_text_height(ctx.fonts.body, text + "|", text_w);  // same block as drawn below
    draw->PushClipRect(box_min, box_max, true);
    // Start at the top; once the text outgrows the box, keep its end (and the caret) in view.
    const float inner_h = box_max.y - box_min.y - t.px(6.0f);
    const float text_y = full_h <= inner_h ? box_min.y + t.px(3.0f) : box_max.y - t.px(3.0f) - full_h;
    ImGui::SetCursorScreenPos(ImVec2(box_min.x + t.px(3.0f), text_y));
    wrapped_text(ctx.fonts.body, text + "|", text_w, t.text, Align::Left, TextDirection::Auto);
    draw->PopClipRect();
    const std::string counter = std::to_string(utf8_length(text)) + " / " + std::to_string(q.max_length);
    const ImVec2 counter_size = text_size(ctx.fonts.small, counter);
    draw_text(draw, ctx.fonts.small, counter,
              ImVec2(box_max.x - counter_size.x - t.px(3.0f), box_max.y - counter_size.y - t.px(2.0f)), t.text_muted);

    // Keyboard: four character rows + shift, space, delete.
    const float kb_top = box_max.y + t.px(4.0f);
    const float kb_bottom = question_footer_top(ctx) - t.px(4.0f);
    if (const auto press = draw_keyboard(screen.keyboard, ctx, ImVec2(margin, kb_top), width, kb_bottom - kb_top)) {
        intent = FreeTextIntent{press->kind == KeyPress::Kind::Type ? FreeTextIntent::Kind::Type
                                                                     : FreeTextIntent::Kind::Backspace,
                                press->text, {}};
    }

    if (auto footer = draw_question_footer(ctx, session, false)) {
        intent = FreeTextIntent{FreeTextIntent::Kind::Navigate, {}, *footer};
    }
    end_screen();
    return intent;
}

}  // namespace tillit::ui
