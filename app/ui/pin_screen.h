// The staff PIN pad: large digit keys, dots for what is typed (never the digits), and
// one line saying what happened in plain words. Which role a PIN opens, the count of
// wrong PINs and the pause are decided by PinGate (core/staff.h), not here.
#pragma once

#include <optional>
#include <string>

#include "ui/context.h"

namespace tillit::ui {

struct PinScreen {
    std::string digits;  // what is typed so far; cleared after each try
    std::string message; // the line shown in the last frame
    void reset() { digits.clear(); }
};

struct PinView {
    enum class State { Ready, Checking, Wrong, Paused, NoPinSet, Failed };
    State state = State::Ready;
    int tries_left = 0;          // Wrong: before a pause starts
    long long wait_seconds = 0;  // Paused
};

struct PinIntent {
    enum class Kind { Submit, Cancel };
    Kind kind = Kind::Submit;
};

// Typing (digits, erase) is handled inside; a full PIN is handed over with Submit.
std::optional<PinIntent> draw(PinScreen& screen, UiContext& ctx, const PinView& view);

}  // namespace tillit::ui
