// Theme variants (high contrast), the fonts of each text mode, and the contrast
// arithmetic the accessibility test uses.
#include "ui/context.h"

#include <algorithm>
#include <cmath>

namespace tillit::ui {
namespace {

double channel(unsigned value) {
    const double c = static_cast<double>(value) / 255.0;
    return c <= 0.04045 ? c / 12.92 : std::pow((c + 0.055) / 1.055, 2.4);
}

double luminance(ImU32 color) {
    const unsigned r = (color >> IM_COL32_R_SHIFT) & 0xFF;
    const unsigned g = (color >> IM_COL32_G_SHIFT) & 0xFF;
    const unsigned b = (color >> IM_COL32_B_SHIFT) & 0xFF;
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b);
}

}  // namespace

Fonts Fonts::make(TextEngine* engine, const Theme& theme, bool large) {
    Fonts fonts;
    fonts.body = {engine, theme.px(large ? Theme::kLargeBodyMm : Theme::kBodyMm), false};
    fonts.question = {engine, theme.px(large ? Theme::kLargeQuestionMm : Theme::kQuestionMm), true};
    fonts.title = {engine, theme.px(large ? Theme::kLargeTitleMm : Theme::kTitleMm), true};
    fonts.small = {engine, theme.px(large ? Theme::kLargeSmallMm : Theme::kSmallMm), false};
    return fonts;
}

Theme Theme::with_high_contrast() const {
    Theme t = *this;
    t.high_contrast = true;
    t.background = IM_COL32(0x00, 0x00, 0x00, 0xFF);
    t.text = IM_COL32(0xFF, 0xFF, 0xFF, 0xFF);
    t.text_muted = IM_COL32(0xE6, 0xE6, 0xE6, 0xFF);
    t.tile = IM_COL32(0x00, 0x00, 0x00, 0xFF);
    t.tile_border = IM_COL32(0xFF, 0xFF, 0xFF, 0xFF);
    t.tile_pressed = IM_COL32(0x33, 0x33, 0x33, 0xFF);
    t.accent = IM_COL32(0xFF, 0xD4, 0x00, 0xFF);
    t.accent_pressed = IM_COL32(0xE0, 0xBA, 0x00, 0xFF);
    t.on_accent = IM_COL32(0x00, 0x00, 0x00, 0xFF);
    t.selected = IM_COL32(0x2E, 0x28, 0x00, 0xFF);
    t.disabled_text = IM_COL32(0xB0, 0xB0, 0xB0, 0xFF);
    t.face = IM_COL32(0xFF, 0xD4, 0x00, 0xFF);
    t.face_line = IM_COL32(0x00, 0x00, 0x00, 0xFF);
    t.progress_track = IM_COL32(0x5A, 0x5A, 0x5A, 0xFF);
    t.warning = IM_COL32(0xFF, 0xB3, 0x66, 0xFF);
    return t;
}

std::vector<ColorPair> text_color_pairs(const Theme& t) {
    return {
        {"text on the background", t.text, t.background, false},
        {"muted text on the background", t.text_muted, t.background, false},
        {"warning on the background", t.warning, t.background, false},
        {"text on a tile", t.text, t.tile, false},
        {"text on a pressed tile", t.text, t.tile_pressed, false},
        {"text on a selected tile", t.text, t.selected, false},
        {"dimmed or disabled text on a tile", t.disabled_text, t.tile, false},
        {"dimmed or disabled text on the background", t.disabled_text, t.background, false},
        {"text on the accent (primary button)", t.on_accent, t.accent, false},
        {"text on the pressed accent", t.on_accent, t.accent_pressed, false},
    };
}

double contrast_ratio(ImU32 a, ImU32 b) {
    const double la = luminance(a);
    const double lb = luminance(b);
    return (std::max(la, lb) + 0.05) / (std::min(la, lb) + 0.05);
}

}  // namespace tillit::ui
