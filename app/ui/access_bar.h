// The access buttons on every resident screen, left of the language button: read aloud
// (tap again to stop), volume (while reading aloud), large text, high contrast. They are
// icons, not words: the person who needs them may not read the current language; their
// translated names go to the widget log. The state is one resident's and is reset for the next.
#pragma once

#include <optional>

#include "ui/context.h"

namespace tillit::ui {

struct AccessState {
    bool read_aloud = false;
    bool large_text = false;
    bool high_contrast = false;
    bool any() const { return read_aloud || large_text || high_contrast; }
};

struct AccessView {
    bool has_voice = false;  // no voice for the language: no speaker button
    bool speaking = false;
    int volume = 100;        // percent
};

enum class AccessIntent { ToggleReadAloud, CycleVolume, ToggleLargeText, ToggleContrast };

// The width the bar takes (for screens that lay out around it).
float access_bar_width(const UiContext& ctx, const AccessState& state, const AccessView& view);
// Draws the bar in its own window on top of the screen, its right end at `right`, in the
// top row (`top`, one target high).
std::optional<AccessIntent> draw_access_bar(UiContext& ctx, const AccessState& state, const AccessView& view,
                                            float right, float top);

// The volume after a tap on the volume button: 40 -> 70 -> 100 -> 40 percent.
int next_volume(int volume);

}  // namespace tillit::ui
