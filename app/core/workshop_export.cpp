// PDF and CSV of a workshop. The PDF is laid out top to bottom on A4 pages: each line
// of text is shaped by HarfBuzz (so any script the Noto font covers comes out right) and
// drawn with cairo_show_glyphs on a FreeType face; bars are cairo rectangles. Not handled:
// right-to-left paragraph layout (lines are shaped, but placed from the left margin).
#include "core/workshop_export.h"

#include <cairo-ft.h>
#include <cairo-pdf.h>
#include <cairo.h>
#include <ft2build.h>
#include FT_FREETYPE_H
#include <hb.h>

#include <algorithm>
#include <filesystem>
#include <memory>
#include <mutex>

#include "core/config_edit.h"

namespace tillit {
namespace fs = std::filesystem;

const std::string& ExportWords::operator[](const std::string& key) const {
    const auto found = words.find(key);
    return found == words.end() ? key : found->second;
}

namespace {

// --- CSV ---

std::string csv_cell(const std::string& text) {
    std::string value = text;
    if (!value.empty() && (value[0] == '=' || value[0] == '+' || value[0] == '-' || value[0] == '@')) {
        value = "'" + value;
    }
    if (value.find_first_of(",\"\n\r") == std::string::npos) return value;
    std::string quoted = "\"";
    for (char c : value) {
        if (c == '"') quoted += '"';
        quoted += c;
    }
    return quoted + "\"";
}

// --- PDF ---

constexpr double kPageW = 595.0;  // A4 in points
constexpr double kPageH = 842.0;
constexpr double kMargin = 56.0;

const char* first_existing(std::initializer_list<const char*> paths) {
    for (const char* path : paths) {
        std::error_code ec;
        if (fs::exists(path, ec)) return path;
    }
    return nullptr;
}

// One FreeType library for the process: cairo keeps font faces in its own caches past
// the export, and a face must not outlive its library. Never freed.
FT_Library freetype() {
    static std::once_flag once;
    static FT_Library library = nullptr;
    std::call_once(once, [] {
        if (FT_Init_FreeType(&library) != 0) library = nullptr;
    });
    return library;
}

struct HbFontDeleter {
    void operator()(hb_font_t* font) const { hb_font_destroy(font); }
};
struct HbBufferDeleter {
    void operator()(hb_buffer_t* buffer) const { hb_buffer_destroy(buffer); }
};
struct CairoFaceDeleter {
    void operator()(cairo_font_face_t* face) const { cairo_font_face_destroy(face); }
};
struct CairoDeleter {
    void operator()(cairo_t* cr) const { cairo_destroy(cr); }
};
struct SurfaceDeleter {
    void operator()(cairo_surface_t* surface) const { cairo_surface_destroy(surface); }
};

// A font for both: cairo draws with the FreeType face, HarfBuzz shapes with the same face.
struct Font {
    std::unique_ptr<cairo_font_face_t, CairoFaceDeleter> cairo;
    std::unique_ptr<hb_font_t, HbFontDeleter> hb;
    double units_per_em = 1000.0;
};

const cairo_user_data_key_t kFaceKey{};

Result<Font> load_font(const char* path) {
    FT_Library library = freetype();
    if (library == nullptr) return make_error("FreeType could not start");
    FT_Face face = nullptr;
    if (FT_New_Face(library, path, 0, &face) != 0) return make_error(std::string("cannot read the font ") + path);
    Font font;
    font.cairo.reset(cairo_ft_font_face_create_for_ft_face(face, 0));
    // cairo frees the FreeType face when it lets go of its font face (possibly later, from its cache).
    if (cairo_font_face_set_user_data(font.cairo.get(), &kFaceKey, face,
                                      [](void* f) { FT_Done_Face(static_cast<FT_Face>(f)); }) != CAIRO_STATUS_SUCCESS) {
        FT_Done_Face(face);
        return make_error("cairo could not take the font");
    }
    // HarfBuzz reads the same file with its own OpenType functions (as hb-view does by
    // default), so cairo changing the FreeType face's size never changes the shaping.
    hb_blob_t* blob = hb_blob_create_from_file(path);
    hb_face_t* hb_face = hb_face_create(blob, 0);
    hb_blob_destroy(blob);
    font.units_per_em = static_cast<double>(hb_face_get_upem(hb_face));
    font.hb.reset(hb_font_create(hb_face));
    hb_face_destroy(hb_face);
    if (font.units_per_em <= 0.0) return make_error(std::string("cannot read the font ") + path);
    hb_font_set_scale(font.hb.get(), static_cast<int>(font.units_per_em) * 64, static_cast<int>(font.units_per_em) * 64);
    return font;
}

struct Shaped {
    std::vector<cairo_glyph_t> glyphs;  // x, y relative to the line's start
    double width = 0.0;
};

Shaped shape(const Font& font, const std::string& text, double size) {
    std::unique_ptr<hb_buffer_t, HbBufferDeleter> buffer(hb_buffer_create());
    hb_buffer_add_utf8(buffer.get(), text.c_str(), static_cast<int>(text.size()), 0, static_cast<int>(text.size()));
    hb_buffer_guess_segment_properties(buffer.get());
    hb_shape(font.hb.get(), buffer.get(), nullptr, 0);
    unsigned count = 0;
    const hb_glyph_info_t* info = hb_buffer_get_glyph_infos(buffer.get(), &count);
    const hb_glyph_position_t* pos = hb_buffer_get_glyph_positions(buffer.get(), &count);
    const double scale = size / (font.units_per_em * 64.0);
    Shaped shaped;
    double x = 0.0;
    double y = 0.0;
    for (unsigned i = 0; i < count; ++i) {
        shaped.glyphs.push_back({info[i].codepoint, x + pos[i].x_offset * scale, y - pos[i].y_offset * scale});
        x += pos[i].x_advance * scale;
        y -= pos[i].y_advance * scale;
    }
    shaped.width = x;
    return shaped;
}

class PdfWriter {
public:
    PdfWriter(Font regular, Font bold, std::string* out) : regular_(std::move(regular)), bold_(std::move(bold)), out_(out) {
        surface_.reset(cairo_pdf_surface_create_for_stream(
            [](void* closure, const unsigned char* data, unsigned length) {
                static_cast<std::string*>(closure)->append(reinterpret_cast<const char*>(data), length);
                return CAIRO_STATUS_SUCCESS;
            },
            out_, kPageW, kPageH));
        cr_.reset(cairo_create(surface_.get()));
        y_ = kMargin;
    }

    Status finish() {
        cr_.reset();
        cairo_surface_finish(surface_.get());
        const cairo_status_t status = cairo_surface_status(surface_.get());
        surface_.reset();
        if (status != CAIRO_STATUS_SUCCESS) return make_error(std::string("cairo: ") + cairo_status_to_string(status));
        return Ok{};
    }

    // Wrapped text at the left margin (plus indent); returns the height used.
    void text(const std::string& text, double size, bool bold = false, double indent = 0.0, double grey = 0.1) {
        const Font& font = bold ? bold_ : regular_;
        const double width = kPageW - 2 * kMargin - indent;
        for (const std::string& line : wrap(font, text, size, width)) {
            need(size * 1.3);
            draw_line(font, line, size, kMargin + indent, y_ + size, grey);
            y_ += size * 1.3;
        }
    }

    void gap(double points) { y_ += points; }

    // One horizontal bar split into segments by their share of `total`; what is hidden
    // (suppressed) is one grey block, never its own size. The legend is one line per
    // segment, or with `compact` one wrapped line for all.
    struct Segment {
        std::string label;
        long long n = 0;
        bool suppressed = false;
        double rgb[3] = {0.6, 0.6, 0.6};
    };
    void stacked_bar(const std::vector<Segment>& segments, long long total, const std::string& too_few, bool compact) {
        const double width = kPageW - 2 * kMargin;
        const double height = compact ? 11.0 : 16.0;
        need(height + 8.0);
        cairo_set_source_rgb(cr_.get(), 0.89, 0.88, 0.85);
        cairo_rectangle(cr_.get(), kMargin, y_, width, height);
        cairo_fill(cr_.get());
        double x = kMargin;
        for (const Segment& s : segments) {
            if (s.suppressed || s.n <= 0 || total <= 0) continue;
            const double w = width * static_cast<double>(s.n) / static_cast<double>(total);
            cairo_set_source_rgb(cr_.get(), s.rgb[0], s.rgb[1], s.rgb[2]);
            cairo_rectangle(cr_.get(), x, y_, w, height);
            cairo_fill(cr_.get());
            x += w;
        }
        cairo_set_source_rgb(cr_.get(), 0.42, 0.42, 0.42);
        cairo_set_line_width(cr_.get(), 0.5);
        cairo_rectangle(cr_.get(), kMargin, y_, width, height);
        cairo_stroke(cr_.get());
        y_ += height + 4.0;
        if (compact) {
            std::string line;
            for (const Segment& s : segments) {
                line += (line.empty() ? "" : "   ") + s.label + ": " + (s.suppressed ? too_few : std::to_string(s.n));
            }
            text(line, 9.0, false, 0.0, 0.2);
            y_ += 3.0;
            return;
        }
        for (const Segment& s : segments) {
            need(14.0);
            cairo_set_source_rgb(cr_.get(), s.rgb[0], s.rgb[1], s.rgb[2]);
            cairo_rectangle(cr_.get(), kMargin, y_ + 2.0, 9.0, 9.0);
            cairo_fill(cr_.get());
            draw_line(regular_, s.label + ": " + (s.suppressed ? too_few : std::to_string(s.n)), 10.0, kMargin + 14.0,
                      y_ + 10.0, 0.1);
            y_ += 13.0;
        }
        y_ += 4.0;
    }

    // `count` filled dots after a line of text (dot voting).
    void dots_line(const std::string& label, long long count, double size) {
        const double dot = size * 0.7;
        const double room = std::min<double>(static_cast<double>(count), 12.0) * (dot + 3.0) + 8.0;
        const auto lines = wrap(regular_, label, size, kPageW - 2 * kMargin - room);
        for (std::size_t i = 0; i < lines.size(); ++i) {
            need(size * 1.3);
            draw_line(regular_, lines[i], size, kMargin, y_ + size, 0.1);
            if (i == 0) {
                cairo_set_source_rgb(cr_.get(), 0.12, 0.31, 0.47);
                for (long long d = 0; d < std::min<long long>(count, 12); ++d) {
                    cairo_arc(cr_.get(), kPageW - kMargin - dot * 0.5 - static_cast<double>(d) * (dot + 3.0),
                              y_ + size * 0.6, dot * 0.5, 0, 6.2832);
                    cairo_fill(cr_.get());
                }
            }
            y_ += size * 1.3;
        }
    }

private:
    void need(double height) {
        if (y_ + height <= kPageH - kMargin) return;
        cairo_show_page(cr_.get());
        y_ = kMargin;
    }

    void draw_line(const Font& font, const std::string& line, double size, double x, double baseline, double grey) {
        Shaped shaped = shape(font, line, size);
        for (cairo_glyph_t& glyph : shaped.glyphs) {
            glyph.x += x;
            glyph.y += baseline;
        }
        cairo_set_font_face(cr_.get(), font.cairo.get());
        cairo_set_font_size(cr_.get(), size);
        cairo_set_source_rgb(cr_.get(), grey, grey, grey);
        cairo_show_glyphs(cr_.get(), shaped.glyphs.data(), static_cast<int>(shaped.glyphs.size()));
    }

    // Greedy word wrap measured with the shaper (a word longer than the line is cut).
    std::vector<std::string> wrap(const Font& font, const std::string& text, double size, double width) const {
        std::vector<std::string> lines;
        std::size_t start = 0;
        while (start <= text.size()) {
            const std::size_t newline = text.find('\n', start);
            const std::string paragraph = text.substr(start, newline == std::string::npos ? std::string::npos : newline - start);
            std::string line;
            std::size_t p = 0;
            while (p < paragraph.size()) {
                std::size_t space = paragraph.find(' ', p);
                if (space == std::string::npos) space = paragraph.size();
                const std::string word = paragraph.substr(p, space - p);
                const std::string candidate = line.empty() ? word : line + " " + word;
                if (line.empty() || shape(font, candidate, size).width <= width) {
                    line = candidate;
                } else {
                    lines.push_back(line);
                    line = word;
                }
                p = space + 1;
            }
            lines.push_back(line);
            if (newline == std::string::npos) break;
            start = newline + 1;
        }
        return lines;
    }

    Font regular_;
    Font bold_;
    std::string* out_;
    std::unique_ptr<cairo_surface_t, SurfaceDeleter> surface_;
    std::unique_ptr<cairo_t, CairoDeleter> cr_;
    double y_ = 0.0;
};

std::string option_label(const Survey* survey, const std::string& question_id, const std::string& option_id,
                         const std::string& language) {
    if (survey == nullptr) return option_id;
    const Question* question = survey->find_question(question_id);
    if (question == nullptr) return option_id;
    const Option* option = question->find_option(option_id);
    return option == nullptr ? option_id : text_in(option->label, language);
}

// The same colours as the data screen (ui/workshop_data_screen.cpp).
struct Rgb {
    double r, g, b;
};
Rgb hex(unsigned value) {
    return {static_cast<double>((value >> 16) & 0xFF) / 255.0, static_cast<double>((value >> 8) & 0xFF) / 255.0,
            static_cast<double>(value & 0xFF) / 255.0};
}
Rgb class_rgb(const std::string& key) {
    if (key == "trust") return hex(0x1F4E79);
    if (key == "weak_trust") return hex(0x8FB4DE);
    if (key == "distrust") return hex(0x8A3B00);
    return hex(0xC8C4BA);
}
Rgb scale_rgb(const std::string& key) {
    constexpr unsigned kSteps[] = {0x8A3B00, 0xD08C4F, 0xD9D5CC, 0x8FB4DE, 0x1F4E79};
    if (key.size() == 1 && key[0] >= '1' && key[0] <= '5') return hex(kSteps[key[0] - '1']);
    if (key == "dont_know") return hex(0xA8A8A8);
    if (key == "skipped") return hex(0xFFFFFF);
    return hex(0xE8DC9C);
}

std::string goal_word(const ExportWords& words, WorkshopGoal goal) { return words[std::string("goal_") + to_string(goal)]; }

std::string stance_words(const ExportWords& words, const Contribution& c) {
    const StanceResult result = stance_result(c);
    if (result.n == 0) return "";
    if (!result.shown) return words["too_few_votes"] + " (n = " + std::to_string(result.n) + ")";
    const char* verdict = result.verdict == StanceResult::Verdict::Agrees      ? "agrees"
                          : result.verdict == StanceResult::Verdict::Disagrees ? "disagrees"
                                                                                : "divided";
    return words[verdict] + ": " + std::to_string(c.agree) + " " + words["agree"] + ", " + std::to_string(c.disagree) +
           " " + words["disagree"] + ", " + std::to_string(c.pass) + " " + words["pass"] + " (n = " +
           std::to_string(result.n) + ")";
}

template <class Segment>
void set_rgb(Segment& segment, Rgb rgb) {
    segment.rgb[0] = rgb.r;
    segment.rgb[1] = rgb.g;
    segment.rgb[2] = rgb.b;
}

}  // namespace

std::string workshop_csv(const WorkshopExportInput& input) {
    const Workshop& w = input.workshop;
    const ExportWords& words = input.words;
    std::string out = "workshop,day,question,step,text,dots,agree,disagree,pass,voters\r\n";
    for (WorksheetStep step : kWorksheetSteps) {
        for (const Contribution* c : w.visible(step)) {
            const StanceResult stance = stance_result(*c);
            const std::vector<std::string> row = {
                w.setup.title,
                w.day,
                w.setup.question,
                words[std::string("step_") + to_string(step)],
                c->text,
                std::to_string(c->dots),
                stance.shown ? std::to_string(c->agree) : "",
                stance.shown ? std::to_string(c->disagree) : "",
                stance.shown ? std::to_string(c->pass) : "",
                std::to_string(stance.n)};
            for (std::size_t i = 0; i < row.size(); ++i) out += (i > 0 ? "," : "") + csv_cell(row[i]);
            out += "\r\n";
        }
    }
    return out;
}

Result<std::string> workshop_pdf(const WorkshopExportInput& input) {
    const char* regular_path = first_existing({"/usr/share/fonts/truetype/noto/NotoSans-Regular.ttf",
                                               "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"});
    const char* bold_path = first_existing({"/usr/share/fonts/truetype/noto/NotoSans-Bold.ttf",
                                            "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"});
    if (regular_path == nullptr || bold_path == nullptr) return make_error("no font for the PDF: install fonts-noto-core");
    auto regular = load_font(regular_path);
    if (!regular) return make_error(regular.error());
    auto bold = load_font(bold_path);
    if (!bold) return make_error(bold.error());

    const Workshop& w = input.workshop;
    const ExportWords& words = input.words;
    std::string bytes;
    PdfWriter pdf(std::move(regular).value(), std::move(bold).value(), &bytes);

    pdf.text(w.setup.title.empty() ? words["workshop"] : w.setup.title, 20.0, true);
    pdf.text(input.venue_name + " · " + w.day, 11.0, false, 0.0, 0.3);
    pdf.gap(6.0);
    pdf.text(words["question"], 11.0, true, 0.0, 0.3);
    pdf.text(w.setup.question, 14.0, true);
    pdf.text(words["goal"] + ": " + goal_word(words, w.setup.goal), 11.0);
    pdf.gap(10.0);

    pdf.text(words["data"], 14.0, true);
    if (input.report == nullptr) {
        pdf.text(words["no_data"], 11.0);
    } else {
        const report::Report& r = *input.report;
        pdf.text(words[w.setup.scope == DataScope::Venue ? "scope_venue" : "scope_all"], 10.0, false, 0.0, 0.3);
        if (r.responses < report::kMinCell) {
            pdf.text(words["too_few"], 11.0);
        } else {
            pdf.text(words["answers"] + ": " + std::to_string(r.responses), 11.0);
            if (!r.completion.too_few) {
                pdf.text(words["started"] + ": " + std::to_string(r.started) + ", " + words["completed"] + ": " +
                             std::to_string(r.responses),
                         11.0);
            }
            pdf.gap(4.0);
            pdf.text(words["trust_split"], 12.0, true);
            std::vector<PdfWriter::Segment> segments;
            for (const report::Cell& cell : r.trust.cells) {
                PdfWriter::Segment segment{words[cell.key], cell.n, cell.suppressed, {}};
                set_rgb(segment, class_rgb(cell.key));
                segments.push_back(segment);
            }
            if (r.trust.too_few) {
                pdf.text(words["too_few"], 11.0);
            } else {
                pdf.stacked_bar(segments, r.trust.total, words["too_few"], false);
            }
            pdf.text(words["builders"], 12.0, true);
            if (r.builders.too_few) {
                pdf.text(words["too_few"], 11.0);
            } else {
                int listed = 0;
                for (const report::Cell& cell : r.builders.cells) {
                    if (cell.suppressed || listed == 3) continue;
                    ++listed;
                    pdf.text(std::to_string(listed) + ". " +
                                 option_label(input.survey, r.builders.id, cell.key, input.language) + " (" +
                                 std::to_string(cell.n) + ")",
                             11.0, false, 10.0);
                }
            }
            pdf.gap(4.0);
            for (const report::Figure& figure : r.scales) {
                const Question* question = input.survey ? input.survey->find_question(figure.id) : nullptr;
                pdf.text(question ? text_in(question->label, input.language) : figure.id, 11.0, true);
                if (figure.too_few) {
                    pdf.text(words["too_few"], 10.0);
                    continue;
                }
                std::vector<PdfWriter::Segment> steps;
                for (const report::Cell& cell : figure.cells) {
                    std::string label = cell.key;
                    if (cell.key == "dont_know") label = words["dont_know"];
                    if (cell.key == "skipped") label = words["skipped"];
                    if (cell.key.size() > 1 && cell.key != "dont_know" && cell.key != "skipped") {
                        label = option_label(input.survey, figure.id, cell.key, input.language);
                    }
                    if (question != nullptr && cell.key == "1") label += " " + text_in(question->low_label, input.language);
                    if (question != nullptr && cell.key == "5") label += " " + text_in(question->high_label, input.language);
                    PdfWriter::Segment segment{label, cell.n, cell.suppressed, {}};
                    set_rgb(segment, scale_rgb(cell.key));
                    steps.push_back(segment);
                }
                pdf.stacked_bar(steps, figure.total, words["too_few"], true);
            }
        }
    }
    pdf.gap(8.0);

    pdf.text(words["contributions"], 14.0, true);
    for (WorksheetStep step : kWorksheetSteps) {
        pdf.text(words[std::string("step_") + to_string(step)], 12.0, true);
        const auto list = w.visible(step);
        if (list.empty()) pdf.text("–", 11.0, false, 10.0);
        for (const Contribution* c : list) pdf.text("• " + c->text, 11.0, false, 10.0);
        pdf.gap(3.0);
    }
    pdf.gap(8.0);

    pdf.text(words["priorities"], 14.0, true);
    pdf.text(words["dot_participants"] + ": " + std::to_string(w.dot_turns) + ", " + words["dots_each"] + ": " +
                 std::to_string(w.setup.dots_per_person),
             10.0, false, 0.0, 0.3);
    for (const Contribution* c : w.by_dots()) {
        pdf.dots_line(c->text + " (" + std::to_string(c->dots) + ")", c->dots, 11.0);
    }
    pdf.gap(6.0);
    pdf.text(words["stances"], 12.0, true);
    pdf.text(words["stance_participants"] + ": " + std::to_string(w.stance_turns), 10.0, false, 0.0, 0.3);
    for (const Contribution* c : w.visible()) {
        const std::string stance = stance_words(words, *c);
        if (stance.empty()) continue;
        pdf.text(c->text, 11.0, false, 0.0);
        pdf.text(stance, 10.0, false, 10.0, 0.3);
    }
    pdf.gap(10.0);
    pdf.text(words["anonymous_note"], 9.0, false, 0.0, 0.35);
    if (const Status done = pdf.finish(); !done) return make_error(done.error());
    return bytes;
}

Result<WorkshopExportFiles> write_workshop_export(const WorkshopExportInput& input, const std::string& folder) {
    std::error_code ec;
    if (!fs::is_directory(folder, ec)) return make_error(folder + " is not a folder that can be written");
    auto pdf = workshop_pdf(input);
    if (!pdf) return make_error(pdf.error());
    const std::string stem = "workshop-" + input.workshop.day + "-" + input.workshop.id.substr(0, 8);
    WorkshopExportFiles files{(fs::path(folder) / (stem + ".pdf")).string(), (fs::path(folder) / (stem + ".csv")).string()};
    if (const Status written = write_file_atomically(files.pdf, pdf.value()); !written) return make_error(written.error());
    // A byte-order mark so spreadsheet programs read the UTF-8 (å, ä, ö) as UTF-8.
    if (const Status written = write_file_atomically(files.csv, "\xEF\xBB\xBF" + workshop_csv(input)); !written) {
        return make_error(written.error());
    }
    return files;
}

}  // namespace tillit
