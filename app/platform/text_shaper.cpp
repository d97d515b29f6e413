// The shaping pipeline, per paragraph ('\n' separates paragraphs):
//   code points -> FriBidi embedding levels (UAX #9, brackets included)
//   -> a face per code point (the first in the fallback chain that has it; spaces,
//      digits and punctuation stay in the face of the text around them)
//   -> runs of one level, face and script -> HarfBuzz advances for line breaking
//   -> greedy lines at spaces (a word longer than the line is split between clusters)
//   -> per line: runs in visual order (UAX #9 rule L2), each run shaped again,
//      glyphs rasterised by FreeType (unhinted, quarter-pixel positions) into one image.
// HarfBuzz uses its own OpenType functions (as hb-view does by default), FreeType only
// draws outlines, so advances and the reference renderer agree.
#include "platform/text_shaper.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <map>
#include <tuple>

#include <fribidi.h>
#include <ft2build.h>
#include FT_FREETYPE_H
#include FT_OUTLINE_H
#include <hb-ot.h>
#include <hb.h>

namespace tillit::platform {
namespace {

struct FtLibraryDeleter {
    void operator()(FT_Library library) const { FT_Done_FreeType(library); }
};
using FtLibrary = std::unique_ptr<FT_LibraryRec_, FtLibraryDeleter>;
struct FtFaceDeleter {
    void operator()(FT_Face face) const { FT_Done_Face(face); }
};
using FtFace = std::unique_ptr<FT_FaceRec_, FtFaceDeleter>;
struct HbFontDeleter {
    void operator()(hb_font_t* font) const { hb_font_destroy(font); }
};
using HbFont = std::unique_ptr<hb_font_t, HbFontDeleter>;
struct HbBufferDeleter {
    void operator()(hb_buffer_t* buffer) const { hb_buffer_destroy(buffer); }
};
using HbBuffer = std::unique_ptr<hb_buffer_t, HbBufferDeleter>;

// Fallback order. Debian 12: fonts-noto-core; DejaVu (fonts-dejavu-core) is the last resort.
struct FamilyFiles {
    const char* regular;
    const char* bold;
};
constexpr FamilyFiles kFamilies[] = {
    {"/usr/share/fonts/truetype/noto/NotoSans-Regular.ttf", "/usr/share/fonts/truetype/noto/NotoSans-Bold.ttf"},
    {"/usr/share/fonts/truetype/noto/NotoSansArabic-Regular.ttf",
     "/usr/share/fonts/truetype/noto/NotoSansArabic-Bold.ttf"},
    {"/usr/share/fonts/truetype/noto/NotoSansEthiopic-Regular.ttf",
     "/usr/share/fonts/truetype/noto/NotoSansEthiopic-Bold.ttf"},
    {"/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"},
};

// Lines are 1.15 line boxes apart, the spacing the layouts were designed with.
constexpr float kLineSpacing = 1.15f;
constexpr int kSubpixelSteps = 4;
constexpr std::size_t kMaxCachedGlyphs = 20000;

struct Face {
    std::string path;
    FtFace ft;
    HbFont hb;
    long ft_size = -1;  // the 26.6 em size FreeType is set to
};

struct Family {
    std::unique_ptr<Face> regular;
    std::unique_ptr<Face> bold;  // may be null: the regular face is used
};

struct GlyphBitmap {
    int left = 0, top = 0, width = 0, rows = 0;
    std::vector<std::uint8_t> pixels;
};

struct Run {
    int start = 0, end = 0;
    int family = 0;
    FriBidiLevel level = 0;
    hb_script_t script = HB_SCRIPT_COMMON;
};

struct Paragraph {
    std::u32string text;
    std::vector<FriBidiLevel> levels;
    std::vector<Run> runs;
    std::vector<float> advance;      // per code point (a cluster's advance on its first one)
    std::vector<bool> cluster_start;  // where a line may be split inside a word
    bool rtl = false;
};

struct PlacedGlyph {
    int family = 0;
    hb_codepoint_t id = 0;
    std::size_t cluster = 0;  // in the whole text
    float x = 0.0f, y = 0.0f;  // pen position relative to the line's start and baseline
};

struct Line {
    std::vector<PlacedGlyph> glyphs;
    float width = 0.0f;
    bool rtl = false;
};

bool is_space(char32_t c) { return c == U' ' || c == U'\t' || c == 0x00A0 || c == 0x3000; }

// Weak and neutral bidi classes: digits, spaces, punctuation, marks. They stay in the
// face of the text around them so that one word is shaped with one font.
bool is_neutral(FriBidiCharType type) {
    return !(FRIBIDI_IS_STRONG(type));
}

hb_codepoint_t glyph_of(const Face& face, char32_t c) { return FT_Get_Char_Index(face.ft.get(), c); }

}  // namespace

struct TextShaper::Impl {
    FtLibrary library;
    std::vector<Family> families;
    HbBuffer buffer{hb_buffer_create()};
    float ascender = 0.0f;   // of the primary face, in em
    float line_box = 1.0f;   // ascender - descender of the primary face, in em
    std::map<std::tuple<int, bool, hb_codepoint_t, long, int>, GlyphBitmap> glyphs;

    Face& face(int family, bool bold) {
        Family& f = families[static_cast<std::size_t>(family)];
        return bold && f.bold ? *f.bold : *f.regular;
    }

    // The family for a code point: the previous one for neutrals that it has, else the
    // first family that has it; -1 when none has it. In a right-to-left run a mirrored
    // character ("(", "‹") needs a face with its mirror too: HarfBuzz draws the mirror
    // glyph, and only when the face has it.
    int pick(char32_t c, FriBidiCharType type, bool rtl, bool bold, int previous) {
        FriBidiChar mirror = 0;
        const bool mirrored = rtl && fribidi_get_mirror_char(c, &mirror) && mirror != c;
        auto has = [&](int family) {
            const Face& f = face(family, bold);
            return glyph_of(f, c) != 0 && (!mirrored || glyph_of(f, mirror) != 0);
        };
        if (previous >= 0 && is_neutral(type) && has(previous)) return previous;
        for (std::size_t i = 0; i < families.size(); ++i) {
            if (has(static_cast<int>(i))) return static_cast<int>(i);
        }
        if (mirrored) return pick(c, type, false, bold, previous);  // better unmirrored than missing
        return -1;
    }

    float em_px(const TextRequest& request) const { return request.size_px / line_box; }

    void shape(const Paragraph& p, int start, int end, const Run& run, const TextRequest& request) {
        hb_buffer_t* buf = buffer.get();
        hb_buffer_clear_contents(buf);
        hb_buffer_add_utf32(buf, reinterpret_cast<const std::uint32_t*>(p.text.data()),
                            static_cast<int>(p.text.size()), static_cast<unsigned>(start), end - start);
        hb_buffer_set_direction(buf, (run.level & 1) != 0 ? HB_DIRECTION_RTL : HB_DIRECTION_LTR);
        hb_buffer_set_script(buf, run.script);
        if (!request.language.empty()) {
            hb_buffer_set_language(buf, hb_language_from_string(request.language.c_str(), -1));
        }
        hb_font_t* font = face(run.family, request.bold).hb.get();
        const int scale = static_cast<int>(std::lround(em_px(request) * 64.0f));
        hb_font_set_scale(font, scale, scale);
        hb_shape(font, buf, nullptr, 0);
    }

    Paragraph analyse(std::u32string text, const TextRequest& request, std::vector<char32_t>& missing) {
        Paragraph p;
        p.text = std::move(text);
        for (char32_t& c : p.text) {
            if (c == U'\t') c = U' ';
        }
        const auto n = static_cast<int>(p.text.size());
        p.levels.assign(p.text.size(), 0);
        p.advance.assign(p.text.size(), 0.0f);
        p.cluster_start.assign(p.text.size(), false);
        FriBidiParType base = request.direction == BaseDirection::RightToLeft  ? FRIBIDI_PAR_RTL
                              : request.direction == BaseDirection::LeftToRight ? FRIBIDI_PAR_LTR
                                                                                 : FRIBIDI_PAR_ON;
        std::vector<FriBidiCharType> types(p.text.size());
        std::vector<FriBidiBracketType> brackets(p.text.size());
        if (n > 0) {
            const auto* chars = reinterpret_cast<const FriBidiChar*>(p.text.data());
            fribidi_get_bidi_types(chars, n, types.data());
            fribidi_get_bracket_types(chars, n, types.data(), brackets.data());
            if (fribidi_get_par_embedding_levels_ex(types.data(), brackets.data(), n, &base, p.levels.data()) == 0) {
                std::fill(p.levels.begin(), p.levels.end(), FRIBIDI_IS_RTL(base) ? 1 : 0);
            }
        }
        p.rtl = FRIBIDI_IS_RTL(base);

        // Faces and scripts per code point.
        hb_unicode_funcs_t* unicode = hb_unicode_funcs_get_default();
        std::vector<int> family(p.text.size(), 0);
        std::vector<hb_script_t> script(p.text.size(), HB_SCRIPT_COMMON);
        int previous = -1;
        for (int i = 0; i < n; ++i) {
            const char32_t c = p.text[static_cast<std::size_t>(i)];
            int chosen = pick(c, types[static_cast<std::size_t>(i)], (p.levels[static_cast<std::size_t>(i)] & 1) != 0,
                              request.bold, previous);
            if (chosen < 0) {
                if (!is_space(c) && std::find(missing.begin(), missing.end(), c) == missing.end()) missing.push_back(c);
                chosen = previous >= 0 ? previous : 0;
            }
            family[static_cast<std::size_t>(i)] = chosen;
            previous = chosen;
            script[static_cast<std::size_t>(i)] = hb_unicode_script(unicode, c);
        }
        // Common and inherited code points (spaces, digits, marks) take the script around them.
        auto real = [](hb_script_t s) {
            return s != HB_SCRIPT_COMMON && s != HB_SCRIPT_INHERITED && s != HB_SCRIPT_UNKNOWN;
        };
        hb_script_t last = HB_SCRIPT_COMMON;
        for (auto& s : script) {
            if (real(s)) {
                last = s;
            } else {
                s = last;
            }
        }
        last = HB_SCRIPT_COMMON;
        for (auto it = script.rbegin(); it != script.rend(); ++it) {
            if (real(*it)) {
                last = *it;
            } else {
                *it = last;
            }
        }
        for (int i = 0; i < n;) {
            Run run{i, i + 1, family[static_cast<std::size_t>(i)], p.levels[static_cast<std::size_t>(i)],
                    script[static_cast<std::size_t>(i)]};
            while (run.end < n && family[static_cast<std::size_t>(run.end)] == run.family &&
                   p.levels[static_cast<std::size_t>(run.end)] == run.level &&
                   script[static_cast<std::size_t>(run.end)] == run.script) {
                ++run.end;
            }
            p.runs.push_back(run);
            i = run.end;
        }
        // Advances per cluster, for line breaking.
        for (const Run& run : p.runs) {
            shape(p, run.start, run.end, run, request);
            unsigned count = 0;
            const hb_glyph_info_t* info = hb_buffer_get_glyph_infos(buffer.get(), &count);
            const hb_glyph_position_t* pos = hb_buffer_get_glyph_positions(buffer.get(), &count);
            for (unsigned g = 0; g < count; ++g) {
                const std::size_t cluster = info[g].cluster;
                p.advance[cluster] += static_cast<float>(pos[g].x_advance) / 64.0f;
                p.cluster_start[cluster] = true;
                const char32_t c = p.text[cluster];
                if (info[g].codepoint == 0 && !is_space(c) &&
                    std::find(missing.begin(), missing.end(), c) == missing.end()) {
                    missing.push_back(c);
                }
            }
        }
        return p;
    }

    // [start, end) of each line, trailing spaces left out.
    static std::vector<std::pair<int, int>> break_lines(const Paragraph& p, float wrap) {
        const auto n = static_cast<int>(p.text.size());
        std::vector<std::pair<int, int>> lines;
        auto trimmed = [&](int start, int end) {
            while (end > start && is_space(p.text[static_cast<std::size_t>(end - 1)])) --end;
            return std::make_pair(start, end);
        };
        if (wrap <= 0.0f || n == 0) {
            lines.push_back(trimmed(0, n));
            return lines;
        }
        int start = 0;
        while (start < n) {
            float width = 0.0f;
            int end = n;
            int last_break = -1;  // where this line would end at the last opportunity
            for (int i = start; i < n; ++i) {
                const char32_t c = p.text[static_cast<std::size_t>(i)];
                if (is_space(c)) {
                    if (i > start) last_break = i;
                    width += p.advance[static_cast<std::size_t>(i)];
                    continue;  // spaces at a line's end hang; they never force a break
                }
                width += p.advance[static_cast<std::size_t>(i)];
                if (width > wrap && i > start) {
                    if (last_break > start) {
                        end = last_break;
                    } else {
                        // One word wider than the line: split it between two clusters.
                        end = i;
                        while (end > start + 1 && !p.cluster_start[static_cast<std::size_t>(end)]) --end;
                    }
                    break;
                }
                if (c == U'-' || c == U'/' || c == 0x1361 /* Ethiopic wordspace */) last_break = i + 1;
            }
            lines.push_back(trimmed(start, end));
            start = end;
            while (start < n && is_space(p.text[static_cast<std::size_t>(start)])) ++start;
        }
        return lines;
    }

    Line layout_line(const Paragraph& p, int start, int end, const TextRequest& request, std::size_t offset) {
        struct Segment {
            Run run;
            int start, end;
        };
        std::vector<Segment> segments;
        for (const Run& run : p.runs) {
            const int s = std::max(run.start, start);
            const int e = std::min(run.end, end);
            if (s < e) segments.push_back({run, s, e});
        }
        // UAX #9 L2: from the highest level down to the lowest odd one, reverse every
        // sequence of runs at that level or higher.
        FriBidiLevel highest = 0;
        FriBidiLevel lowest_odd = 127;
        for (const auto& s : segments) {
            highest = std::max(highest, s.run.level);
            if ((s.run.level & 1) != 0) lowest_odd = std::min(lowest_odd, s.run.level);
        }
        for (int level = highest; level >= lowest_odd && level > 0; --level) {
            for (std::size_t i = 0; i < segments.size();) {
                if (segments[i].run.level < level) {
                    ++i;
                    continue;
                }
                std::size_t j = i;
                while (j < segments.size() && segments[j].run.level >= level) ++j;
                std::reverse(segments.begin() + static_cast<long>(i), segments.begin() + static_cast<long>(j));
                i = j;
            }
        }
        Line line;
        line.rtl = p.rtl;
        float pen = 0.0f;
        for (const auto& segment : segments) {
            shape(p, segment.start, segment.end, segment.run, request);
            unsigned count = 0;
            const hb_glyph_info_t* info = hb_buffer_get_glyph_infos(buffer.get(), &count);
            const hb_glyph_position_t* pos = hb_buffer_get_glyph_positions(buffer.get(), &count);
            for (unsigned g = 0; g < count; ++g) {
                line.glyphs.push_back({segment.run.family, info[g].codepoint, offset + info[g].cluster,
                                       pen + static_cast<float>(pos[g].x_offset) / 64.0f,
                                       -static_cast<float>(pos[g].y_offset) / 64.0f});
                pen += static_cast<float>(pos[g].x_advance) / 64.0f;
            }
        }
        line.width = pen;
        return line;
    }

    const GlyphBitmap& glyph(int family, bool bold, hb_codepoint_t id, long size26, int subpixel) {
        const auto key = std::make_tuple(family, bold, id, size26, subpixel);
        if (auto it = glyphs.find(key); it != glyphs.end()) return it->second;
        if (glyphs.size() >= kMaxCachedGlyphs) glyphs.clear();
        GlyphBitmap& out = glyphs[key];
        Face& f = face(family, bold);
        if (f.ft_size != size26) {
            FT_Set_Char_Size(f.ft.get(), 0, size26, 72, 72);
            f.ft_size = size26;
        }
        if (FT_Load_Glyph(f.ft.get(), id, FT_LOAD_NO_HINTING | FT_LOAD_NO_BITMAP) != 0) return out;
        FT_GlyphSlot slot = f.ft->glyph;
        if (slot->format == FT_GLYPH_FORMAT_OUTLINE) {
            FT_Outline_Translate(&slot->outline, subpixel * (64 / kSubpixelSteps), 0);
        }
        if (FT_Render_Glyph(slot, FT_RENDER_MODE_NORMAL) != 0) return out;
        const FT_Bitmap& bitmap = slot->bitmap;
        out.left = slot->bitmap_left;
        out.top = slot->bitmap_top;
        out.width = static_cast<int>(bitmap.width);
        out.rows = static_cast<int>(bitmap.rows);
        out.pixels.resize(static_cast<std::size_t>(out.width) * static_cast<std::size_t>(out.rows));
        for (int y = 0; y < out.rows; ++y) {
            const unsigned char* row = bitmap.buffer + static_cast<long>(y) * bitmap.pitch;
            std::copy(row, row + out.width, out.pixels.begin() + static_cast<long>(y) * out.width);
        }
        return out;
    }

    TextImage run(std::string_view utf8, const TextRequest& request, bool rasterise) {
        TextImage image;
        const float em = em_px(request);
        const float line_advance = request.size_px * kLineSpacing;
        std::vector<Line> lines;
        bool first = true;
        const std::u32string all = decode_utf8(utf8);
        std::size_t from = 0;
        while (true) {
            const std::size_t newline = all.find(U'\n', from);
            const std::size_t to = newline == std::u32string::npos ? all.size() : newline;
            Paragraph p = analyse(all.substr(from, to - from), request, image.missing);
            if (first) image.rtl = p.rtl;
            first = false;
            for (const auto& [start, end] : break_lines(p, request.wrap_width)) {
                lines.push_back(layout_line(p, start, end, request, from));
            }
            if (newline == std::u32string::npos) break;
            from = newline + 1;
        }
        image.lines = static_cast<int>(lines.size());
        image.line_height = line_advance;
        for (const Line& line : lines) image.width = std::max(image.width, line.width);
        image.height = request.size_px * (kLineSpacing * static_cast<float>(lines.size()) - (kLineSpacing - 1.0f));
        image.pad_x = static_cast<int>(std::ceil(request.size_px * 0.2f));
        image.pad_y = static_cast<int>(std::ceil(request.size_px * 0.4f));
        image.image_width = static_cast<int>(std::ceil(image.width)) + 2 * image.pad_x;
        image.image_height = static_cast<int>(std::ceil(image.height)) + 2 * image.pad_y;
        // Where a line starts in the box: centred, or at its paragraph's start side.
        auto line_x0 = [&](const Line& line) {
            if (request.align == LineAlign::Center) return (image.width - line.width) * 0.5f;
            return line.rtl ? image.width - line.width : 0.0f;
        };
        for (std::size_t l = 0; l < lines.size(); ++l) {
            for (const PlacedGlyph& g : lines[l].glyphs) {
                image.glyphs.push_back({g.cluster, g.id, static_cast<int>(l), line_x0(lines[l]) + g.x});
            }
        }
        if (!rasterise) return image;

        image.coverage.assign(static_cast<std::size_t>(image.image_width) * static_cast<std::size_t>(image.image_height), 0);
        const long size26 = std::lround(em * 64.0f);
        const float baseline0 = ascender * em;
        for (std::size_t l = 0; l < lines.size(); ++l) {
            const Line& line = lines[l];
            const float x0 = line_x0(line);
            const float baseline = static_cast<float>(image.pad_y) + baseline0 + static_cast<float>(l) * line_advance;
            for (const PlacedGlyph& g : line.glyphs) {
                const float gx = static_cast<float>(image.pad_x) + x0 + g.x;
                const float whole = std::floor(gx);
                const int subpixel = std::min(kSubpixelSteps - 1, static_cast<int>((gx - whole) * kSubpixelSteps));
                const GlyphBitmap& bm = glyph(g.family, request.bold, g.id, size26, subpixel);
                const int left = static_cast<int>(whole) + bm.left;
                const int top = static_cast<int>(std::lround(baseline + g.y)) - bm.top;
                for (int y = 0; y < bm.rows; ++y) {
                    const int dy = top + y;
                    if (dy < 0 || dy >= image.image_height) continue;
                    for (int x = 0; x < bm.width; ++x) {
                        const int dx = left + x;
                        if (dx < 0 || dx >= image.image_width) continue;
                        const unsigned src = bm.pixels[static_cast<std::size_t>(y * bm.width + x)];
                        std::uint8_t& dst = image.coverage[static_cast<std::size_t>(dy * image.image_width + dx)];
                        // "over": overlapping marks and joins do not double their ink.
                        dst = static_cast<std::uint8_t>(src + (dst * (255u - src) + 127u) / 255u);
                    }
                }
            }
        }
        return image;
    }
};

std::u32string decode_utf8(std::string_view text) {
    std::u32string out;
    out.reserve(text.size());
    std::size_t i = 0;
    while (i < text.size()) {
        const auto b = static_cast<unsigned char>(text[i]);
        int extra = 0;
        char32_t c = 0;
        if (b < 0x80) {
            c = b;
        } else if ((b & 0xE0) == 0xC0) {
            c = b & 0x1F;
            extra = 1;
        } else if ((b & 0xF0) == 0xE0) {
            c = b & 0x0F;
            extra = 2;
        } else if ((b & 0xF8) == 0xF0) {
            c = b & 0x07;
            extra = 3;
        } else {
            out.push_back(0xFFFD);
            ++i;
            continue;
        }
        bool ok = i + static_cast<std::size_t>(extra) < text.size();  // every continuation byte is there
        for (int k = 1; ok && k <= extra; ++k) {
            const auto next = static_cast<unsigned char>(text[i + static_cast<std::size_t>(k)]);
            if ((next & 0xC0) != 0x80) {
                ok = false;
            } else {
                c = (c << 6) | (next & 0x3F);
            }
        }
        const bool overlong = (extra == 1 && c < 0x80) || (extra == 2 && c < 0x800) || (extra == 3 && c < 0x10000);
        if (!ok || overlong || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF)) {
            out.push_back(0xFFFD);
            ++i;
            continue;
        }
        out.push_back(c);
        i += static_cast<std::size_t>(extra) + 1;
    }
    return out;
}

TextShaper::TextShaper(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
TextShaper::~TextShaper() = default;

Result<std::unique_ptr<TextShaper>> TextShaper::create(const std::vector<std::string>& texts) {
    auto impl = std::make_unique<Impl>();
    FT_Library library = nullptr;
    if (FT_Init_FreeType(&library) != 0) return make_error("FreeType could not start");
    impl->library.reset(library);
    auto load = [&](const char* path) -> std::unique_ptr<Face> {
        if (!std::filesystem::exists(path)) return nullptr;
        FT_Face ft = nullptr;
        if (FT_New_Face(impl->library.get(), path, 0, &ft) != 0) return nullptr;
        auto face = std::make_unique<Face>();
        face->path = path;
        face->ft.reset(ft);
        hb_blob_t* blob = hb_blob_create_from_file(path);
        hb_face_t* hb_face = hb_face_create(blob, 0);
        face->hb.reset(hb_font_create(hb_face));
        hb_face_destroy(hb_face);
        hb_blob_destroy(blob);
        return face;
    };
    for (const FamilyFiles& files : kFamilies) {
        Family family;
        family.regular = load(files.regular);
        if (!family.regular) continue;
        family.bold = load(files.bold);
        impl->families.push_back(std::move(family));
    }
    if (impl->families.empty()) {
        return make_error("no usable font: install fonts-noto-core (or fonts-dejavu-core)");
    }
    // A script face that none of the kiosk's texts needs is not kept (the primary face always is).
    if (!texts.empty()) {
        std::vector<bool> needed(impl->families.size(), false);
        needed[0] = true;
        for (const auto& text : texts) {
            for (char32_t c : decode_utf8(text)) {
                for (std::size_t i = 0; i < impl->families.size(); ++i) {
                    if (glyph_of(*impl->families[i].regular, c) != 0) {
                        needed[i] = true;
                        break;
                    }
                }
            }
        }
        std::vector<Family> kept;
        for (std::size_t i = 0; i < impl->families.size(); ++i) {
            if (needed[i]) kept.push_back(std::move(impl->families[i]));
        }
        impl->families = std::move(kept);
    }
    // Sizes are line boxes of the primary face, as ImGui sizes fonts.
    hb_font_t* primary = impl->families.front().regular->hb.get();
    const unsigned upem = hb_face_get_upem(hb_font_get_face(primary));
    hb_font_set_scale(primary, static_cast<int>(upem), static_cast<int>(upem));
    hb_font_extents_t extents{};
    hb_font_get_h_extents(primary, &extents);
    const float em_units = static_cast<float>(upem);
    impl->ascender = static_cast<float>(extents.ascender) / em_units;
    impl->line_box = static_cast<float>(extents.ascender - extents.descender) / em_units;
    if (impl->line_box <= 0.0f) impl->line_box = 1.0f;
    return std::unique_ptr<TextShaper>(new TextShaper(std::move(impl)));
}

TextImage TextShaper::render(std::string_view utf8, const TextRequest& request) { return impl_->run(utf8, request, true); }

float TextShaper::em_px(float size_px) const { return size_px / impl_->line_box; }

TextImage TextShaper::measure(std::string_view utf8, const TextRequest& request) {
    return impl_->run(utf8, request, false);
}

std::vector<std::string> TextShaper::font_files() const {
    std::vector<std::string> files;
    for (const auto& family : impl_->families) files.push_back(family.regular->path);
    for (const auto& family : impl_->families) {
        if (family.bold) files.push_back(family.bold->path);
    }
    return files;
}

}  // namespace tillit::platform
