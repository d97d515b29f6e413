// The on-screen keyboard (Swedish layout with å ä ö), shared by every screen where
// people type: the resident's free-text question and the workshop's contributions.
// Keys are at least 20 mm; ids are "key_<hex code point>" so tests can find them.
// It remembers only whether shift is on; the text lives with whoever owns it.
#pragma once

#include <optional>
#include <string>

#include "ui/context.h"

namespace tillit::ui {

struct Keyboard {
    bool shift = false;
    void reset() { *this = {}; }
};

struct KeyPress {
    enum class Kind { Type, Backspace };
    Kind kind = Kind::Type;
    std::string text;  // Type: one character, UTF-8
};

// Five rows (four of characters, then shift, space, delete) in the box at `top_left`
// of `width` x `height`, centred; keys as large as fit, at most 34 x 22 mm.
std::optional<KeyPress> draw_keyboard(Keyboard& keyboard, UiContext& ctx, ImVec2 top_left, float width, float height);

// Appends or removes one code point; max_length (code points) 0 = no limit.
std::string apply_key(const std::string& text, const KeyPress& press, int max_length);

}  // namespace tillit::ui
