// A free-text question with an on-screen keyboard (Swedish layout with å ä ö),
// because a kiosk has no physical keyboard. The text itself lives in the Session;
// this screen only remembers whether shift is on.
#pragma once

#include <optional>
#include <string>

#include "ui/keyboard.h"
#include "ui/question_screen.h"

namespace tillit::ui {

struct FreeTextScreen {
    Keyboard keyboard;
    void reset() { *this = {}; }
};

struct FreeTextIntent {
    enum class Kind { Type, Backspace, Navigate };
    Kind kind = Kind::Navigate;
    std::string text;         // Type: one character, UTF-8
    QuestionIntent navigate;  // Navigate: back / skip / next / send / language
};

std::optional<FreeTextIntent> draw(FreeTextScreen& screen, UiContext& ctx, const Session& session);

// Appends or removes one code point, respecting the question's max length.
std::string apply_typing(const std::string& text, const FreeTextIntent& intent, int max_length);

}  // namespace tillit::ui
