// The few widgets every screen is built from: full-viewport screens, large tiles,
// faces drawn as vector shapes, wrapped and centred text, a progress bar, the
// language button. Every tappable widget records itself in the WidgetLog.
// Nothing here depends on hover: pressed and selected states only.
#pragma once

#include <string>

#include <imgui.h>

#include "ui/context.h"

namespace tillit::ui {

enum class Align { Left, Center };

struct TileStyle {
    enum class Kind { Normal, Primary, Quiet };
    Kind kind = Kind::Normal;
    bool selected = false;   // drawn with the accent border and a tick
    bool checkbox = false;   // multi-choice: a box at the start of the tile
    bool dimmed = false;     // shown greyed (e.g. at the maximum of a multi choice) but still tappable
    const TextFont* font = nullptr;  // default: fonts.body
    TextDirection direction = TextDirection::Language;  // Auto for a language's own name
    bool disabled = false;   // shown greyed, reported as not enabled, and a tap does nothing
    bool tick = true;        // selected tiles show a tick in the corner (small icon buttons do not)
};

// ImDrawList::AddRectFilled with rounding, cut into three plain rectangles and four
// corner fans. ImGui fills a rounded rectangle as one fan of long, thin triangles from a
// corner, which software GL (Mesa's llvmpipe) bins into every 64x64 tile each crosses:
// on the free-text screen's 50 keys that was a third of the frame (20.1 -> 12.6 ms
// without the fills). Same pixels, local triangles.
void fill_rounded(ImDrawList* draw, ImVec2 min, ImVec2 max, ImU32 color, float rounding);

// A full-viewport window with no decoration; call end_screen() after.
void begin_screen(const char* name, const UiContext& ctx);
void end_screen();

// A large rounded tile at the cursor. Returns true when tapped (released inside,
// and not at the end of a drag-scroll).
bool tile(UiContext& ctx, const char* id, const std::string& label, ImVec2 size, TileStyle style = {});

// One face of a 4- or 5-step scale: mood from step (1 = saddest).
bool face_tile(UiContext& ctx, const char* id, int step, int steps, ImVec2 size, bool selected,
               const std::string& caption);
void draw_face(ImDrawList* draw, ImVec2 center, float radius, int step, int steps, const Theme& theme);

// Wrapped text in a box of `width`, at the cursor; advances the cursor. Returns the height.
// Align::Left is the start side: the right for a right-to-left language (the frame is mirrored).
float wrapped_text(const TextFont& font, const std::string& text, float width, ImU32 color, Align align = Align::Left,
                   TextDirection direction = TextDirection::Language);
// Height wrapped_text would take, without drawing.
float wrapped_text_height(const TextFont& font, const std::string& text, float width);
// One line's size, and drawing it with its box's top-left at `pos` (no cursor change).
ImVec2 text_size(const TextFont& font, const std::string& text);
void draw_text(ImDrawList* draw, const TextFont& font, const std::string& text, ImVec2 pos, ImU32 color,
               TextDirection direction = TextDirection::Language);

void progress_bar(const UiContext& ctx, ImVec2 pos, ImVec2 size, float fraction);

// The globe + current language's own name; tapping it opens the language screen. Its
// width grows with the name in large text: place it with language_button_width().
bool language_button(UiContext& ctx, ImVec2 pos, ImVec2 size);
float language_button_width(const UiContext& ctx);
// A button wide enough for its label on one line (at least `min_mm`, at most `max_px`).
float button_width(const UiContext& ctx, const std::string& label, float min_mm, float max_px,
                   const TextFont* font = nullptr);

// Lets the current (child) window scroll by dragging a finger anywhere on it.
void drag_to_scroll();

// "‹ Back" and "Next ›": the chevrons are drawing, not text to translate (and they
// will mirror for right-to-left languages).
std::string back_label(const UiContext& ctx);
std::string next_label(const UiContext& ctx);

// printf into a std::string with a translated format ("Question %d of %d").
std::string format(const char* fmt, int a, int b);

}  // namespace tillit::ui
