// The text pipeline against the outside world: HarfBuzz's own renderer (hb-view) for
// Arabic and Persian, every string of every shipped catalog and survey for missing
// glyphs, bidi order of numbers and Latin words inside right-to-left text, the
// large-text mode's letter height and the themes' contrast.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <set>
#include <string>
#include <sys/wait.h>
#include <vector>

#include <stb/stb_image.h>
#include <stb/stb_image_write.h>

#include "core/i18n.h"
#include "core/survey.h"
#include "platform/text_engine.h"
#include "platform/text_shaper.h"
#include "ui/context.h"

namespace fs = std::filesystem;
using namespace tillit;
using namespace tillit::platform;

namespace {

const fs::path kSource = TILLIT_SOURCE_DIR;
const fs::path kOut = TILLIT_TEXT_ARTIFACTS;

TextShaper& shaper() {
    static auto made = TextShaper::create();  // one per test run: loading faces is the slow part
    REQUIRE_MESSAGE(made.ok(), (made.ok() ? "" : made.error()));
    return *made.value();
}

// A grey image (0 = no ink, 255 = full ink).
struct Gray {
    int width = 0, height = 0;
    std::vector<int> pixels;
    int at(int x, int y) const { return x < 0 || y < 0 || x >= width || y >= height ? 0 : pixels[y * width + x]; }
};

Gray from_image(const TextImage& image) {
    Gray g{image.image_width, image.image_height, {}};
    g.pixels.assign(image.coverage.begin(), image.coverage.end());
    return g;
}

void save(const Gray& g, const fs::path& path) {
    fs::create_directories(path.parent_path());
    std::vector<unsigned char> bytes(g.pixels.size());
    for (std::size_t i = 0; i < bytes.size(); ++i) bytes[i] = static_cast<unsigned char>(255 - g.pixels[i]);
    stbi_write_png(path.c_str(), g.width, g.height, 1, bytes.data(), g.width);
}

struct Box {
    int x0 = 0, y0 = 0, x1 = -1, y1 = -1;  // inclusive
    int width() const { return x1 - x0 + 1; }
    int height() const { return y1 - y0 + 1; }
};

Box ink_box(const Gray& g, int threshold = 40) {
    Box b{g.width, g.height, -1, -1};
    for (int y = 0; y < g.height; ++y) {
        for (int x = 0; x < g.width; ++x) {
            if (g.at(x, y) < threshold) continue;
            b.x0 = std::min(b.x0, x);
            b.y0 = std::min(b.y0, y);
            b.x1 = std::max(b.x1, x);
            b.y1 = std::max(b.y1, y);
        }
    }
    return b;
}

// hb-view's rendering of `text` with `font` at `em` pixels per em: white ink on black.
Gray hb_view(const std::string& font, const std::string& text, int em, const std::string& language) {
    const fs::path png = kOut / "hb-view.png";
    fs::create_directories(kOut);
    const fs::path text_file = kOut / "hb-view.txt";
    {
        std::FILE* f = std::fopen(text_file.c_str(), "wb");
        REQUIRE(f != nullptr);
        std::fwrite(text.data(), 1, text.size(), f);
        std::fclose(f);
    }
    const std::string command = "hb-view --font-file='" + font + "' --font-size=" + std::to_string(em) +
                                " --language=" + language +
                                " --margin=8 --background=000000 --foreground=ffffff -O png -o '" + png.string() +
                                "' --text-file='" + text_file.string() + "'";
    const int status = std::system(command.c_str());
    REQUIRE_MESSAGE(status == 0, command);
    int w = 0, h = 0, channels = 0;
    unsigned char* data = stbi_load(png.c_str(), &w, &h, &channels, 1);
    REQUIRE(data != nullptr);
    Gray g{w, h, std::vector<int>(data, data + w * h)};
    stbi_image_free(data);
    return g;
}

// How far two renderings of one text are apart: the ink boxes must have the same size
// (within `slack` px) and, laid over each other at the boxes' corners, the mean
// absolute difference of coverage over the larger box is returned (0 = identical, 1 = opposite).
struct Difference {
    int dw = 0, dh = 0;
    double mean = 1.0;
};

Difference compare(const Gray& a, const Gray& b) {
    const Box ba = ink_box(a), bb = ink_box(b);
    Difference d;
    d.dw = std::abs(ba.width() - bb.width());
    d.dh = std::abs(ba.height() - bb.height());
    const int w = std::max(ba.width(), bb.width());
    const int h = std::max(ba.height(), bb.height());
    // The best of a few one-pixel shifts: the two renderers round pen positions differently.
    double best = 1.0;
    for (int sy = -1; sy <= 1; ++sy) {
        for (int sx = -1; sx <= 1; ++sx) {
            double sum = 0.0;
            for (int y = 0; y < h; ++y) {
                for (int x = 0; x < w; ++x) {
                    sum += std::abs(a.at(ba.x0 + x, ba.y0 + y) - b.at(bb.x0 + x + sx, bb.y0 + y + sy));
                }
            }
            best = std::min(best, sum / (255.0 * w * h));
        }
    }
    d.mean = best;
    return d;
}

const std::string kArabicFont = "/usr/share/fonts/truetype/noto/NotoSansArabic-Regular.ttf";

struct Phrase {
    const char* language;
    const char* text;
};

// Joining forms, lam-alef ligatures (لا، الأ), Persian letters (پ چ ژ گ ک ی), a ZWNJ.
const Phrase kPhrases[] = {
    {"ar", "هل تثق في البلدية؟"},
    {"ar", "لا أعرف"},
    {"ar", "الأمان والاحترام في الخدمات الاجتماعية"},
    {"fa", "چقدر به شهرداری اعتماد دارید؟"},
    {"fa", "نمی‌دانم"},
    {"fa", "پیشنهاد گروه ژاپنی کوچک"},
};

TextImage render_like_hb_view(const std::string& text, int em, const std::string& language) {
    TextRequest request;
    request.size_px = static_cast<float>(em) / shaper().em_px(1.0f);
    request.direction = BaseDirection::RightToLeft;
    request.language = language;
    return shaper().render(text, request);
}

std::string with_zwnj_between_letters(const std::string& text) {
    // U+200C after every Arabic-script letter: no joining, no ligatures (an "unshaped" rendering).
    std::string out;
    for (std::size_t i = 0; i < text.size();) {
        const auto b = static_cast<unsigned char>(text[i]);
        const std::size_t len = b < 0x80 ? 1 : (b & 0xE0) == 0xC0 ? 2 : (b & 0xF0) == 0xE0 ? 3 : 4;
        out += text.substr(i, len);
        if (len == 2 && text[i + 1] != ' ') out += "\u200C";
        i += len;
    }
    return out;
}

}  // namespace

TEST_CASE("Arabic and Persian match HarfBuzz's reference renderer (hb-view) and differ from unshaped text") {
    constexpr int kEm = 48;
    int index = 0;
    for (const Phrase& phrase : kPhrases) {
        CAPTURE(phrase.text);
        const Gray reference = hb_view(kArabicFont, phrase.text, kEm, phrase.language);
        const Gray ours = from_image(render_like_hb_view(phrase.text, kEm, phrase.language));
        const Gray unshaped = from_image(render_like_hb_view(with_zwnj_between_letters(phrase.text), kEm,
                                                             phrase.language));
        save(reference, kOut / ("phrase_" + std::to_string(index) + "_hb-view.png"));
        save(ours, kOut / ("phrase_" + std::to_string(index) + "_ours.png"));
        save(unshaped, kOut / ("phrase_" + std::to_string(index) + "_unshaped.png"));
        ++index;

        const Difference same = compare(ours, reference);
        const Difference wrong = compare(unshaped, reference);
        MESSAGE(std::string(phrase.language) << ": ours vs hb-view: size diff " << same.dw << "x" << same.dh << " px, mean "
                                << same.mean << "; unshaped vs hb-view: " << wrong.dw << "x" << wrong.dh
                                << " px, mean " << wrong.mean);
        CHECK(same.dw <= 3);
        CHECK(same.dh <= 3);
        CHECK(same.mean < 0.03);
        // The comparison can tell shaped from unshaped text.
        CHECK((wrong.dw > 3 || wrong.mean > 0.06));
    }
}

TEST_CASE("lam-alef is one ligature glyph and letters take their joining forms") {
    TextRequest request;
    request.size_px = 40.0f;
    request.direction = BaseDirection::RightToLeft;
    const TextImage lam_alef = shaper().measure("لا", request);
    CHECK(lam_alef.glyphs.size() == 1);
    CHECK(lam_alef.missing.empty());

    // beh alone, and beh + beh: initial and final forms are other glyphs than the isolated one.
    const TextImage alone = shaper().measure("ب", request);
    const TextImage pair = shaper().measure("بب", request);
    REQUIRE(alone.glyphs.size() == 1);
    REQUIRE(pair.glyphs.size() == 2);
    CHECK(pair.glyphs[0].glyph != alone.glyphs[0].glyph);
    CHECK(pair.glyphs[1].glyph != alone.glyphs[0].glyph);
    CHECK(pair.glyphs[0].glyph != pair.glyphs[1].glyph);
}

TEST_CASE("numbers and Latin words keep their order inside right-to-left text") {
    // "Question 2 of 15 (SMS)" in Arabic: the paragraph runs right to left, "15" and "SMS" left to right.
    const std::string text = "السؤال 2 من 15 عبر SMS";
    const std::u32string chars = decode_utf8(text);
    TextRequest request;
    request.size_px = 40.0f;
    request.direction = BaseDirection::RightToLeft;
    const TextImage image = shaper().measure(text, request);
    CHECK(image.rtl);
    auto x_of = [&](std::size_t index) {
        for (const auto& g : image.glyphs) {
            if (g.cluster == index) return g.x;
        }
        FAIL("no glyph for code point " << index);
        return 0.0f;
    };
    const std::size_t one = chars.find(U'1');
    const std::size_t five = chars.find(U'5');
    const std::size_t s1 = chars.find(U'S');
    const std::size_t m = chars.find(U'M');
    const std::size_t s2 = chars.rfind(U'S');
    CHECK(x_of(one) < x_of(five));  // 15 reads left to right
    CHECK(x_of(s1) < x_of(m));
    CHECK(x_of(m) < x_of(s2));
    CHECK(x_of(0) > x_of(one));     // the first Arabic word is at the right, after it (visually left) the number
    CHECK(x_of(one) > x_of(s1));    // SMS comes last, so it is leftmost
    // Lines of a right-to-left paragraph end at the right edge.
    request.wrap_width = 200.0f;
    const TextImage wrapped = shaper().measure("هذا نص طويل باللغة العربية ينقسم على عدة أسطر في الشاشة", request);
    CHECK(wrapped.lines > 1);
    for (int line = 0; line < wrapped.lines; ++line) {
        float right = 0.0f;
        for (const auto& g : wrapped.glyphs) {
            if (g.line == line) right = std::max(right, g.x);
        }
        CHECK(right > wrapped.width - 40.0f);
    }
    CHECK(wrapped.width <= 200.0f);
}

TEST_CASE("paired punctuation mirrors in right-to-left text: the Next button's chevron points left") {
    TextRequest ltr;
    ltr.size_px = 40.0f;
    const unsigned right_pointing = shaper().measure("›", ltr).glyphs.at(0).glyph;
    const unsigned left_pointing = shaper().measure("‹", ltr).glyphs.at(0).glyph;
    REQUIRE(right_pointing != left_pointing);
    TextRequest rtl = ltr;
    rtl.direction = BaseDirection::RightToLeft;
    const std::string next = "التالي ›";
    const std::size_t chevron = decode_utf8(next).find(U'›');
    const TextImage image = shaper().measure(next, rtl);
    bool found = false;
    for (const auto& g : image.glyphs) {
        if (g.cluster != chevron) continue;
        found = true;
        CHECK(g.glyph == left_pointing);
        for (const auto& other : image.glyphs) {
            if (other.cluster != chevron) CHECK(g.x < other.x);  // and it is the leftmost
        }
    }
    CHECK(found);
}

TEST_CASE("Ethiopic (Tigrinya) and Cyrillic render with their own faces") {
    TextRequest request;
    request.size_px = 40.0f;
    for (const char* text : {"ብኸመይ ትርእዮ ምምሕዳር ከተማ?", "Наскільки ви довіряєте?", "Hur mycket litar du på kommunen?"}) {
        CAPTURE(text);
        const TextImage image = shaper().render(text, request);
        CHECK(image.missing.empty());
        for (const auto& g : image.glyphs) CHECK(g.glyph != 0);
        CHECK(ink_box(from_image(image)).width() > 100);
    }
    // A code point no face has is reported, not silently dropped.
    const TextImage none = shaper().measure("漢", request);  // no CJK face is loaded
    CHECK(none.missing.size() == 1);
}

TEST_CASE("every string of every shipped catalog and survey renders without a missing glyph") {
    std::vector<std::pair<std::string, std::string>> texts;  // (where, text)
    for (const auto& entry : fs::directory_iterator(kSource / "translations")) {
        if (entry.path().extension() != ".po") continue;
        auto catalog = Catalog::load_po(entry.path().string());
        REQUIRE_MESSAGE(catalog.ok(), entry.path().string());
        for (const auto& [msgid, msgstr] : catalog.value().messages()) {
            texts.emplace_back(entry.path().filename().string(), msgstr);
        }
    }
    const std::vector<std::string> languages = {"sv", "sv-easy", "en", "ar", "fa", "so", "ti", "fi", "uk"};
    for (const auto& language : languages) texts.emplace_back("language names", native_language_name(language));
    for (const auto& entry : fs::directory_iterator(kSource / "kiosk-config" / "surveys")) {
        auto survey = load_survey(entry.path().string(), languages);
        REQUIRE_MESSAGE(survey.ok(), (survey.ok() ? "" : survey.error()));
        auto add = [&](const LocalText& text) {
            for (const auto& [lang, value] : text) texts.emplace_back(entry.path().filename().string() + "::" + lang, value);
        };
        const Survey& s = survey.value();
        add(s.title);
        add(s.summary);
        for (const Question& q : s.questions) {
            add(q.label);
            add(q.low_label);
            add(q.high_label);
            add(q.note);
            for (const Option& o : q.options) add(o.label);
        }
    }
    REQUIRE(texts.size() > 100);
    std::size_t checked = 0;
    for (const auto& [where, text] : texts) {
        for (bool bold : {false, true}) {
            TextRequest request;
            request.size_px = 33.0f;
            request.bold = bold;
            request.direction = BaseDirection::Auto;
            request.wrap_width = 600.0f;
            const TextImage image = shaper().render(text, request);
            CAPTURE(where);
            CAPTURE(text);
            CHECK(image.missing.empty());
            bool notdef = false;
            for (const auto& g : image.glyphs) notdef = notdef || g.glyph == 0;
            CHECK_FALSE(notdef);
            if (text.find_first_not_of(" ") != std::string::npos) CHECK(ink_box(from_image(image)).width() > 0);
            ++checked;
        }
    }
    MESSAGE(checked << " renderings of " << texts.size() << " strings checked");
}

TEST_CASE("large-text mode: a capital H is at least 7.3 mm at the configured screen size") {
    // The shipped example kiosk and the test kiosks: 527 x 296 mm at 1920 px across.
    ui::Theme theme;
    theme.px_per_mm = 1920.0f / 527.0f;
    for (float mm : {ui::Theme::kLargeSmallMm, ui::Theme::kLargeBodyMm, ui::Theme::kLargeQuestionMm,
                     ui::Theme::kLargeTitleMm}) {
        for (bool bold : {false, true}) {
            TextRequest request;
            request.size_px = theme.px(mm);
            request.bold = bold;
            const Box box = ink_box(from_image(shaper().render("H", request)), 128);
            const double h_mm = box.height() / theme.px_per_mm;
            CAPTURE(mm);
            MESSAGE("text size " << mm << " mm" << std::string(bold ? " bold" : "") << ": capital H " << h_mm << " mm");
            CHECK(h_mm >= 7.3);
        }
    }
}

TEST_CASE("every text colour meets 4.5:1 on what it is drawn on, in both themes") {
    const ui::Theme normal;
    const ui::Theme contrast = normal.with_high_contrast();
    for (const ui::Theme* theme : {&normal, &contrast}) {
        for (const auto& pair : ui::text_color_pairs(*theme)) {
            const double ratio = ui::contrast_ratio(pair.text, pair.fill);
            CAPTURE(pair.what);
            CAPTURE(theme->high_contrast);
            CHECK(ratio >= (pair.large_text ? 3.0 : 4.5));
        }
    }
    // The arithmetic itself: black on white is 21:1, a colour on itself 1:1.
    CHECK(ui::contrast_ratio(IM_COL32(0, 0, 0, 255), IM_COL32(255, 255, 255, 255)) == doctest::Approx(21.0));
    CHECK(ui::contrast_ratio(IM_COL32(0x77, 0x77, 0x77, 255), IM_COL32(0x77, 0x77, 0x77, 255)) == doctest::Approx(1.0));
    // #767676 on white is the well-known 4.54:1.
    CHECK(ui::contrast_ratio(IM_COL32(0x76, 0x76, 0x76, 255), IM_COL32(255, 255, 255, 255)) ==
          doctest::Approx(4.54).epsilon(0.01));
}

TEST_CASE("the text cache lays out once, releases what frames stop drawing, and forgets everything on clear") {
    int uploads = 0;
    int releases = 0;
    CachedTextEngine engine(
        shaper(), [&](const TextImage&) { return reinterpret_cast<ImTextureID>(static_cast<std::uintptr_t>(++uploads)); },
        [&](ImTextureID) { ++releases; });
    const ui::TextFont font{&engine, 30.0f, false};
    engine.begin_frame("sv");
    const ui::TextBlock& a = engine.layout("Hej", font, 0.0f, false, ui::TextDirection::Language);
    const ui::TextBlock& again = engine.layout("Hej", font, 0.0f, false, ui::TextDirection::Language);
    CHECK(&a == &again);
    CHECK(uploads == 1);
    CHECK_FALSE(engine.mirrored());
    engine.layout("Kvällsöppet", font, 0.0f, false, ui::TextDirection::Language);  // as typed free text
    engine.end_frame();
    CHECK(engine.cached_blocks() == 2);
    // The same text in a right-to-left frame is another block (its direction differs).
    engine.begin_frame("ar");
    CHECK(engine.mirrored());
    engine.layout("Hej", font, 0.0f, false, ui::TextDirection::Language);
    CHECK(uploads == 3);
    engine.end_frame();
    engine.clear();
    CHECK(engine.cached_blocks() == 0);
    CHECK(engine.cached_bytes() == 0);
    CHECK(releases == 3);
}
