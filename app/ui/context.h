// What every screen gets to draw with: the theme (sizes in millimetres, converted
// with the configured physical screen size), the fonts, the translations, the clock
// and the widget log that the test hook writes out. Screens keep no other state.
#pragma once

#include <string>
#include <vector>

#include <imgui.h>

#include "core/i18n.h"
#include "ui/text.h"

namespace tillit::ui {

struct Theme;

struct Fonts {
    TextFont body;      // answer tiles, buttons
    TextFont question;  // the question text
    TextFont title;     // start and thank-you headings
    TextFont small;     // notes, progress

    // The four sizes of the theme (large: the large-text mode's), shaped by `engine`.
    static Fonts make(TextEngine* engine, const Theme& theme, bool large);
};

// Sizes are in millimetres at the configured screen size; px() converts.
struct Theme {
    float px_per_mm = 4.0f;
    float px(float mm) const { return mm * px_per_mm; }

    // Text sizes in mm: the line box of a Latin line (ascender to descender; a capital H
    // is about 0.52 of it in Noto Sans), as ImGui sizes fonts.
    static constexpr float kBodyMm = 9.0f;
    static constexpr float kQuestionMm = 12.0f;
    static constexpr float kTitleMm = 18.0f;
    static constexpr float kSmallMm = 6.5f;
    // Large-text mode: the smallest text has a capital H of at least 7.3 mm (0.7 degrees
    // at 60 cm), every other size grows with it.
    static constexpr float kLargeSmallMm = 14.5f;
    static constexpr float kLargeBodyMm = 15.5f;
    static constexpr float kLargeQuestionMm = 18.0f;
    static constexpr float kLargeTitleMm = 24.0f;

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
    bool high_contrast = false;

    // The high-contrast theme: white and yellow on black, same sizes.
    Theme with_high_contrast() const;
};

// Every text colour a widget draws on every fill it draws it on: the contrast test
// checks each pair (4.5:1, or 3:1 where the text is large).
struct ColorPair {
    const char* what;
    ImU32 text;
    ImU32 fill;
    bool large_text;
};
std::vector<ColorPair> text_color_pairs(const Theme& theme);
// WCAG 2 contrast ratio of two opaque colours (1..21).
double contrast_ratio(ImU32 a, ImU32 b);

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
    // Right-to-left frame: the whole frame is mirrored when drawn (ui/mirror.h).
    bool rtl() const { return fonts.body.engine != nullptr && fonts.body.engine->mirrored(); }
    const std::string& language() const { return translations.language(); }
};

}  // namespace tillit::ui
