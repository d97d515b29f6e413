// Text as the screens see it: a font is a size (and weight) plus the engine that shapes
// and rasterises; a laid-out text is an image with a logical box. The engine lives in
// app/platform (HarfBuzz + FriBidi + FreeType, cached textures); screens only ask it for
// blocks through widgets.h. A right-to-left frame is drawn left-to-right and mirrored
// as a whole at the end (ui/mirror.h): text images are drawn with flipped u so that
// the mirror puts them back the right way round.
#pragma once

#include <string_view>

#include <imgui.h>

namespace tillit::ui {

class TextEngine;

struct TextFont {
    TextEngine* engine = nullptr;
    float size_px = 16.0f;  // the line box of a Latin line (as ImGui sizes fonts)
    bool bold = false;
};

// One laid-out text. `size` is the logical box the layout uses; the image covers
// [image_min, image_max] relative to the box's top-left (a little larger, for ink
// that reaches outside the box).
struct TextBlock {
    ImTextureID texture = nullptr;
    ImVec2 size;
    ImVec2 image_min;
    ImVec2 image_max;
    int lines = 0;
};

enum class TextDirection {
    Language,  // the current language's: right-to-left for Arabic and Persian
    Auto,      // from the text's first strong letter (language names, typed text)
};

class TextEngine {
public:
    virtual ~TextEngine() = default;
    // Lays out `text` wrapped at `wrap_width` (<= 0: no wrapping), lines centred or at
    // the paragraph's start side. The block stays valid until the frame has been drawn.
    virtual const TextBlock& layout(std::string_view text, const TextFont& font, float wrap_width, bool center,
                                    TextDirection direction = TextDirection::Language) = 0;
    // True while the current frame is laid out for a right-to-left language.
    virtual bool mirrored() const = 0;
};

}  // namespace tillit::ui
