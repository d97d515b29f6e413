// Text for every script the kiosk shows, done properly: FriBidi resolves the direction
// of each run (the Unicode bidi algorithm, so numbers and Latin words inside Arabic or
// Persian sit where a reader expects), HarfBuzz shapes each run with the Noto face that
// has its letters (Arabic joining forms and lam-alef ligatures, Ethiopic, Cyrillic,
// Latin), and FreeType rasterises the glyphs into one 8-bit coverage image per text,
// lines broken at spaces. Not handled: vertical text, dictionary line breaking (Thai,
// CJK), colour fonts. Not thread-safe: one shaper per thread.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace tillit::platform {

enum class BaseDirection { LeftToRight, RightToLeft, Auto };
enum class LineAlign { Start, Center };

struct TextRequest {
    // The height of a Latin line box (ascender to descender of Noto Sans), in pixels:
    // the meaning ImGui gives a font size, so layouts keep their proportions.
    float size_px = 32.0f;
    bool bold = false;
    float wrap_width = 0.0f;  // <= 0: no wrapping (only '\n' breaks lines)
    BaseDirection direction = BaseDirection::LeftToRight;
    LineAlign align = LineAlign::Start;  // Start is the right edge for a right-to-left paragraph
    std::string language;                // BCP 47 ("fa", "ar"): language-specific glyph forms
};

// Where one glyph went (for tests and diagnostics): which code point of the text
// (index into decode_utf8(text)) begins its cluster, its glyph id, its line and pen x.
struct GlyphPlacement {
    std::size_t cluster = 0;
    unsigned glyph = 0;
    int line = 0;
    float x = 0.0f;
};

// One laid-out text. The logical box (width x height: the lines' advances and line
// heights) is where layouts place it; the image is larger by `pad_x`/`pad_y` on every
// side so that ink outside the box (Arabic descenders, accents) is not cut off.
struct TextImage {
    float width = 0.0f;
    float height = 0.0f;
    int pad_x = 0;
    int pad_y = 0;
    int image_width = 0;
    int image_height = 0;
    std::vector<std::uint8_t> coverage;  // image_width * image_height, row-major, 0..255
    int lines = 0;
    float line_height = 0.0f;
    bool rtl = false;                   // the resolved direction of the (first) paragraph
    std::vector<char32_t> missing;      // code points no loaded face has (drawn as .notdef)
    std::vector<GlyphPlacement> glyphs; // in drawing order, x relative to the logical box
};

class TextShaper {
public:
    // Loads Noto Sans, Noto Sans Arabic and Noto Sans Ethiopic (regular and bold) from
    // Debian's fonts-noto-core, DejaVu Sans as the last fallback. When `texts` is not
    // empty, a script face none of them needs is not loaded (its memory is saved).
    static Result<std::unique_ptr<TextShaper>> create(const std::vector<std::string>& texts = {});
    ~TextShaper();
    TextShaper(const TextShaper&) = delete;
    TextShaper& operator=(const TextShaper&) = delete;

    TextImage render(std::string_view utf8, const TextRequest& request);
    // Only the layout (sizes, lines, missing code points); no rasterising.
    TextImage measure(std::string_view utf8, const TextRequest& request);
    // Pixels per em at a request's size_px (sizes are line boxes of the primary face).
    float em_px(float size_px) const;
    // The font files loaded, fallback order, regular faces first.
    std::vector<std::string> font_files() const;

private:
    struct Impl;
    explicit TextShaper(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> impl_;
};

// UTF-8 to code points; an invalid byte becomes U+FFFD.
std::u32string decode_utf8(std::string_view text);

}  // namespace tillit::platform
