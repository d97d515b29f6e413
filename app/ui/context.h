// What every screen gets to draw with: the theme (sizes in millimetres, converted
// with the configured physical screen size), the fonts, the translations, the clock
// and the widget log that the test hook writes out. Screens keep no other state.
#pragma once

#include <string>
#include <vector>

#include <imgui.h>

#include "core/i18n.h"

namespace tillit::ui {

struct Fonts {
    ImFont* body = nullptr;      // answer tiles, buttons
    ImFont* question = nullptr;  // the question text
    ImFont* title = nullptr;     // start and thank-you headings
    ImFont* small = nullptr;     // notes, progress
};

// Sizes are in millimetres at the configured screen size; px() converts.
struct Theme {
    float px_per_mm = 4.0f;
    float px(float mm) const { return mm * px_per_mm; }

    // Text sizes (em height) in mm; the app loads fonts at these sizes.
    static constexpr float kBodyMm = 9.0f;
    static constexpr float kQuestionMm = 12.0f;
    static constexpr float kTitleMm = 18.0f;
    static constexpr float kSmallMm = 6.5f;

    static constexpr float kTargetMm = 22.0f;  // every tappable target: at least 20 mm
    static constexpr float kMarginMm = 16.0f;
    static constexpr float kGapMm = 5.0f;
    static constexpr float kRoundingMm = 3.0f;

    // Calm and high-contrast: near-black on warm off-white, one deep blue accent.
    ImU32 background = IM_COL32(0xF7, 0xF5, 0xF0, 0xFF);
    ImU32 text = IM_COL32(0x1A, 0x1A, 0x1A, 0xFF);
    ImU32 text_muted = IM_COL32(0x4A, 0x4A, 0x4A, 0xFF);
    ImU32 tile = IM_COL32(0xFF, 0xFF, 0xFF, 0xFF);
    ImU32 tile_border = IM_COL32(0x6B, 0x6B, 0x6B, 0xFF);
    ImU32 tile_pressed = IM_COL32(0xE4, 0xE1, 0xD8, 0xFF);
    ImU32 accent = IM_COL32(0x1F, 0x4E, 0x79, 0xFF);
    ImU32 accent_pressed = IM_COL32(0x16, 0x3A, 0x5C, 0xFF);
    ImU32 on_accent = IM_COL32(0xFF, 0xFF, 0xFF, 0xFF);
    ImU32 selected = IM_COL32(0xD6, 0xE6, 0xF5, 0xFF);
    ImU32 disabled_text = IM_COL32(0x6E, 0x6E, 0x6E, 0xFF);
    ImU32 face = IM_COL32(0xFF, 0xD9, 0x66, 0xFF);
    ImU32 face_line = IM_COL32(0x2B, 0x2B, 0x2B, 0xFF);
    ImU32 progress_track = IM_COL32(0xD9, 0xD5, 0xCC, 0xFF);
    ImU32 warning = IM_COL32(0x8A, 0x3B, 0x00, 0xFF);
};

// One tappable widget as the test hook reports it.
struct WidgetRecord {
    std::string id;
    std::string label;
    ImVec2 min;
    ImVec2 max;
    bool selected = false;
    bool enabled = true;
    bool clipped = false;  // partly scrolled out of its list: min/max is only the visible part
};

struct WidgetLog {
    std::vector<WidgetRecord> widgets;
    void clear() { widgets.clear(); }
};

struct UiContext {
    const Theme& theme;
    const Fonts& fonts;
    const Translations& translations;
    WidgetLog& log;
    double now = 0.0;  // monotonic seconds

    const char* tr(const char* msgid) const { return translations.tr(msgid); }
    const std::string& language() const { return translations.language(); }
};

}  // namespace tillit::ui
