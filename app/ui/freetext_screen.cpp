// Free-text screen: question, note ("Do not write names"), the text so far with a
// counter, then five keyboard rows. Keys are at least 20 mm tall at the configured
// screen size; ids are "key_<hex code point>" so tests can find them.
#include "ui/freetext_screen.h"

#include <algorithm>
#include <array>
#include <cstdio>

#include "core/privacy.h"
#include "ui/widgets.h"

namespace tillit::ui {
namespace {

// Rows of the Swedish layout, lower case; shift gives upper case.
constexpr std::array<const char*, 4> kRows = {
    "1 2 3 4 5 6 7 8 9 0 ?",
    "q w e r t y u i o p å",
    "a s d f g h j k l ö ä",
    "z x c v b n m , . - !",
};

std::vector<std::string> split_keys(const char* row) {
    std::vector<std::string> keys;
    std::string current;
    for (const char* p = row; *p != '\0'; ++p) {
        if (*p == ' ') {
            keys.push_back(current);
            current.clear();
        } else {
            current += *p;
        }
    }
    keys.push_back(current);
    return keys;
}

std::string upper(const std::string& key) {
    if (key.size() == 1 && key[0] >= 'a' && key[0] <= 'z') return std::string(1, static_cast<char>(key[0] - 'a' + 'A'));
    if (key == "å") return "Å";
    if (key == "ä") return "Ä";
    if (key == "ö") return "Ö";
    return key;
}

std::string key_id(const std::string& key) {
    // The first code point of the lower-case key, in hex.
    const auto* s = reinterpret_cast<const unsigned char*>(key.c_str());
    unsigned cp = s[0];
    if ((s[0] & 0xE0) == 0xC0) cp = ((s[0] & 0x1Fu) << 6) | (s[1] & 0x3Fu);
    char buffer[24];
    std::snprintf(buffer, sizeof buffer, "key_%x", cp);
    return buffer;
}

}  // namespace

std::string apply_typing(const std::string& text, const FreeTextIntent& intent, int max_length) {
    if (intent.kind == FreeTextIntent::Kind::Backspace) {
        if (text.empty()) return text;
        std::size_t cut = text.size() - 1;
        while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
        return text.substr(0, cut);
    }
    if (intent.kind == FreeTextIntent::Kind::Type) {
        if (max_length > 0 && utf8_length(text) >= static_cast<std::size_t>(max_length)) return text;
        return text + intent.text;
    }
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
    const float gap = t.px(2.5f);
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
    draw->AddRectFilled(box_min, box_max, t.tile, t.px(2.0f));
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
    const float key_h = std::min(t.px(Theme::kTargetMm), (kb_bottom - kb_top - gap * 4.0f) / 5.0f);
    const float key_w = std::min(t.px(34.0f), (width - gap * 10.0f) / 11.0f);
    const float kb_w = key_w * 11.0f + gap * 10.0f;
    const float kb_left = (size.x - kb_w) * 0.5f;
    // The keys are Latin letters in QWERTY order: a right-to-left frame must not reverse
    // them, so they are placed pre-mirrored and the frame's mirror puts them back.
    auto key_x = [&](float x, float w) { return ctx.rtl() ? size.x - x - w : x; };
    for (std::size_t r = 0; r < kRows.size(); ++r) {
        const auto keys = split_keys(kRows[r]);
        for (std::size_t k = 0; k < keys.size(); ++k) {
            const std::string shown = screen.shift ? upper(keys[k]) : keys[k];
            ImGui::SetCursorScreenPos(ImVec2(key_x(kb_left + static_cast<float>(k) * (key_w + gap), key_w),
                                             kb_top + static_cast<float>(r) * (key_h + gap)));
            if (tile(ctx, key_id(keys[k]).c_str(), shown, ImVec2(key_w, key_h))) {
                intent = FreeTextIntent{FreeTextIntent::Kind::Type, shown, {}};
                screen.shift = false;
            }
        }
    }
    const float last_y = kb_top + 4.0f * (key_h + gap);
    ImGui::SetCursorScreenPos(ImVec2(key_x(kb_left, key_w * 2.0f + gap), last_y));
    if (tile(ctx, "key_shift", screen.shift ? "abc" : "ABC", ImVec2(key_w * 2.0f + gap, key_h),
             {.selected = screen.shift})) {
        screen.shift = !screen.shift;
    }
    ImGui::SetCursorScreenPos(ImVec2(key_x(kb_left + 2.0f * (key_w + gap), key_w * 6.0f + gap * 5.0f), last_y));
    if (tile(ctx, "key_space", ctx.tr("space"), ImVec2(key_w * 6.0f + gap * 5.0f, key_h))) {
        intent = FreeTextIntent{FreeTextIntent::Kind::Type, " ", {}};
    }
    ImGui::SetCursorScreenPos(ImVec2(key_x(kb_left + 8.0f * (key_w + gap), key_w * 3.0f + gap * 2.0f), last_y));
    if (tile(ctx, "key_backspace", std::string("‹ ") + ctx.tr("Delete"), ImVec2(key_w * 3.0f + gap * 2.0f, key_h))) {
        intent = FreeTextIntent{FreeTextIntent::Kind::Backspace, {}, {}};
    }

    if (auto footer = draw_question_footer(ctx, session, false)) {
        intent = FreeTextIntent{FreeTextIntent::Kind::Navigate, {}, *footer};
    }
    end_screen();
    return intent;
}

}  // namespace tillit::ui
