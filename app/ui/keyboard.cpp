// Keyboard layout: 11 keys a row; the last row is shift (2 keys wide), space (6) and
// delete (3).
#include "ui/keyboard.h"

#include <algorithm>
#include <array>
#include <cstdio>
#include <vector>

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

std::string apply_key(const std::string& text, const KeyPress& press, int max_length) {
    if (press.kind == KeyPress::Kind::Backspace) {
        if (text.empty()) return text;
        std::size_t cut = text.size() - 1;
        while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
        return text.substr(0, cut);
    }
    if (max_length > 0 && utf8_length(text) >= static_cast<std::size_t>(max_length)) return text;
    return text + press.text;
}

std::optional<KeyPress> draw_keyboard(Keyboard& keyboard, UiContext& ctx, ImVec2 top_left, float width, float height) {
    const Theme& t = ctx.theme;
    const float gap = t.px(2.5f);
    const float key_h = std::min(t.px(Theme::kTargetMm), (height - gap * 4.0f) / 5.0f);
    const float key_w = std::min(t.px(34.0f), (width - gap * 10.0f) / 11.0f);
    const float kb_w = key_w * 11.0f + gap * 10.0f;
    const float kb_left = top_left.x + (width - kb_w) * 0.5f;
    // The keys are Latin letters in QWERTY order: a right-to-left frame must not reverse
    // them, so they are placed pre-mirrored and the frame's mirror puts them back.
    const float screen_w = ImGui::GetWindowSize().x;
    auto key_x = [&](float x, float w) { return ctx.rtl() ? screen_w - x - w : x; };
    std::optional<KeyPress> press;
    for (std::size_t r = 0; r < kRows.size(); ++r) {
        const auto keys = split_keys(kRows[r]);
        for (std::size_t k = 0; k < keys.size(); ++k) {
            const std::string shown = keyboard.shift ? upper(keys[k]) : keys[k];
            ImGui::SetCursorScreenPos(ImVec2(key_x(kb_left + static_cast<float>(k) * (key_w + gap), key_w),
                                             top_left.y + static_cast<float>(r) * (key_h + gap)));
            if (tile(ctx, key_id(keys[k]).c_str(), shown, ImVec2(key_w, key_h))) {
                press = KeyPress{KeyPress::Kind::Type, shown};
                keyboard.shift = false;
            }
        }
    }
    const float last_y = top_left.y + 4.0f * (key_h + gap);
    ImGui::SetCursorScreenPos(ImVec2(key_x(kb_left, key_w * 2.0f + gap), last_y));
    if (tile(ctx, "key_shift", keyboard.shift ? "abc" : "ABC", ImVec2(key_w * 2.0f + gap, key_h),
             {.selected = keyboard.shift})) {
        keyboard.shift = !keyboard.shift;
    }
    ImGui::SetCursorScreenPos(ImVec2(key_x(kb_left + 2.0f * (key_w + gap), key_w * 6.0f + gap * 5.0f), last_y));
    if (tile(ctx, "key_space", ctx.tr("space"), ImVec2(key_w * 6.0f + gap * 5.0f, key_h))) {
        press = KeyPress{KeyPress::Kind::Type, " "};
    }
    ImGui::SetCursorScreenPos(ImVec2(key_x(kb_left + 8.0f * (key_w + gap), key_w * 3.0f + gap * 2.0f), last_y));
    if (tile(ctx, "key_backspace", std::string("‹ ") + ctx.tr("Delete"), ImVec2(key_w * 3.0f + gap * 2.0f, key_h))) {
        press = KeyPress{KeyPress::Kind::Backspace, {}};
    }
    return press;
}

}  // namespace tillit::ui
