// Reads gettext PO catalogs (the subset translators' tools write: comments, flags,
// msgctxt, plurals, multi-line strings, C escapes) and looks up UI strings.
// Not handled: plural selection by count (only msgstr[0] is kept), octal/hex escapes,
// obsolete "#~" entries (ignored like any comment) and MO files.
#include "core/i18n.h"

#include <algorithm>
#include <array>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <optional>
#include <utility>

namespace tillit {

namespace {

// gettext's separator between msgctxt and msgid in a catalog key.
constexpr char kContextSeparator = '\x04';

std::string context_key(std::string_view msgctxt, std::string_view msgid) {
    std::string key(msgctxt);
    key += kContextSeparator;
    key += msgid;
    return key;
}

std::string_view trim_left(std::string_view text) {
    const auto first = text.find_first_not_of(" \t");
    return first == std::string_view::npos ? std::string_view{} : text.substr(first);
}

bool is_blank(std::string_view text) { return trim_left(text).empty(); }

// One message while it is being read; plain msgstr is stored under index -1.
struct PoEntry {
    std::optional<std::string> msgctxt;
    std::optional<std::string> msgid;
    std::optional<std::string> msgid_plural;
    std::map<int, std::string> msgstr;
    bool fuzzy = false;
    int first_line = 0;
    int msgid_line = 0;
    int msgctxt_line = 0;
};

// The parser keeps its state in one object so each keyword is a short method and an
// error can name the line without threading it through every call.
class PoParser {
public:
    PoParser(std::string_view text, const std::string& path) : text_(text), path_(path) {}

    Status parse() {
        // A BOM from a Windows editor is not part of the first keyword.
        if (text_.starts_with("\xEF\xBB\xBF")) text_.remove_prefix(3);
        std::size_t pos = 0;
        while (pos <= text_.size()) {
            const auto end = std::min(text_.find('\n', pos), text_.size());
            std::string_view line = text_.substr(pos, end - pos);
            if (line.ends_with('\r')) line.remove_suffix(1);
            ++line_;
            if (Status status = parse_line(trim_left(line)); !status) return status;
            pos = end + 1;
        }
        return finish_entry();
    }

    std::map<std::string, std::string, std::less<>> take_messages() { return std::move(messages_); }

private:
    Error error_at(int line, const std::string& what) const {
        return make_error(path_ + ":" + std::to_string(line) + ": " + what);
    }
    Error error(const std::string& what) const { return error_at(line_, what); }

    Status parse_line(std::string_view line) {
        if (line.empty()) return Ok{};
        if (line.front() == '#') return parse_comment(line);
        if (line.front() == '"') return parse_continuation(line);

        const auto keyword_end = line.find_first_of(" \t\"");
        const std::string_view keyword = line.substr(0, keyword_end);
        const std::string_view rest =
            keyword_end == std::string_view::npos ? std::string_view{} : trim_left(line.substr(keyword_end));
        if (keyword == "msgctxt") return parse_msgctxt(rest);
        if (keyword == "msgid") return parse_msgid(rest);
        if (keyword == "msgid_plural") return parse_msgid_plural(rest);
        if (keyword == "msgstr") return parse_msgstr(rest, -1);
        if (keyword.starts_with("msgstr[") && keyword.ends_with(']')) {
            const std::string_view digits = keyword.substr(7, keyword.size() - 8);
            if (digits.empty() || digits.size() > 3 || digits.find_first_not_of("0123456789") != std::string_view::npos) {
                return error("bad plural index in '" + std::string(keyword) + "'");
            }
            return parse_msgstr(rest, std::stoi(std::string(digits)));
        }
        return error("unknown keyword '" + std::string(keyword) + "'");
    }

    Status parse_comment(std::string_view line) {
        // A comment after a complete entry belongs to the next one (its flags too).
        if (!entry_.msgstr.empty()) {
            if (Status status = finish_entry(); !status) return status;
        }
        if (!line.starts_with("#,")) return Ok{};
        std::string_view flags = line.substr(2);
        while (!flags.empty()) {
            const auto comma = flags.find(',');
            std::string_view flag = trim_left(flags.substr(0, comma));
            while (!flag.empty() && (flag.back() == ' ' || flag.back() == '\t')) flag.remove_suffix(1);
            if (flag == "fuzzy") entry_.fuzzy = true;
            if (comma == std::string_view::npos) break;
            flags.remove_prefix(comma + 1);
        }
        return Ok{};
    }

    Status parse_continuation(std::string_view line) {
        if (target_ == nullptr) return error("string without a keyword before it");
        auto text = parse_string(line);
        if (!text) return Error{text.error()};
        *target_ += text.value();
        return Ok{};
    }

    Status parse_msgctxt(std::string_view rest) {
        if (!entry_.msgstr.empty()) {
            if (Status status = finish_entry(); !status) return status;
        }
        if (entry_.msgid) return error_at(entry_.msgid_line, "msgid without msgstr");
        if (entry_.msgctxt) return error("second msgctxt in one entry (line " + std::to_string(entry_.msgctxt_line) + ")");
        auto text = parse_string(rest, "msgctxt");
        if (!text) return Error{text.error()};
        entry_.msgctxt = std::move(text.value());
        entry_.msgctxt_line = line_;
        if (entry_.first_line == 0) entry_.first_line = line_;
        target_ = &*entry_.msgctxt;
        return Ok{};
    }

    Status parse_msgid(std::string_view rest) {
        if (!entry_.msgstr.empty()) {
            if (Status status = finish_entry(); !status) return status;
        }
        if (entry_.msgid) return error_at(entry_.msgid_line, "msgid without msgstr");
        auto text = parse_string(rest, "msgid");
        if (!text) return Error{text.error()};
        entry_.msgid = std::move(text.value());
        entry_.msgid_line = line_;
        if (entry_.first_line == 0) entry_.first_line = line_;
        target_ = &*entry_.msgid;
        return Ok{};
    }

    Status parse_msgid_plural(std::string_view rest) {
        if (!entry_.msgid || !entry_.msgstr.empty()) return error("msgid_plural without msgid");
        if (entry_.msgid_plural) return error("second msgid_plural in one entry");
        auto text = parse_string(rest, "msgid_plural");
        if (!text) return Error{text.error()};
        entry_.msgid_plural = std::move(text.value());
        target_ = &*entry_.msgid_plural;
        return Ok{};
    }

    // index -1 is a plain msgstr; 0.. are msgstr[N] of a plural entry.
    Status parse_msgstr(std::string_view rest, int index) {
        const std::string keyword = index < 0 ? "msgstr" : "msgstr[" + std::to_string(index) + "]";
        // A second plain msgstr can only start a new entry, and that entry has no msgid.
        if (!entry_.msgid || (index < 0 && !entry_.msgstr.empty())) return error(keyword + " without msgid");
        if (index < 0 && entry_.msgid_plural) return error("msgstr after msgid_plural; expected msgstr[0]");
        if (index >= 0 && !entry_.msgid_plural) return error(keyword + " without msgid_plural");
        if (entry_.msgstr.contains(index)) return error("second " + keyword + " in one entry");
        auto text = parse_string(rest, keyword);
        if (!text) return Error{text.error()};
        target_ = &(entry_.msgstr[index] = std::move(text.value()));
        return Ok{};
    }

    // A quoted C-style string; only whitespace may follow the closing quote.
    Result<std::string> parse_string(std::string_view text, const std::string& after = {}) const {
        if (text.empty() || text.front() != '"') {
            return error(after.empty() ? "expected a quoted string" : "expected a quoted string after " + after);
        }
        std::string out;
        for (std::size_t i = 1; i < text.size(); ++i) {
            const char c = text[i];
            if (c == '"') {
                if (!is_blank(text.substr(i + 1))) return error("unexpected text after the closing quote");
                return out;
            }
            if (c != '\\') {
                out += c;
                continue;
            }
            if (++i == text.size()) break;  // a trailing backslash leaves the string open
            switch (text[i]) {
                case 'n': out += '\n'; break;
                case 't': out += '\t'; break;
                case 'r': out += '\r'; break;
                case '"': out += '"'; break;
                case '\\': out += '\\'; break;
                case 'a': out += '\a'; break;
                case 'b': out += '\b'; break;
                case 'f': out += '\f'; break;
                case 'v': out += '\v'; break;
                default: return error(std::string("bad escape '\\") + text[i] + "'");
            }
        }
        return error("unterminated string (missing closing quote)");
    }

    Status finish_entry() {
        PoEntry entry = std::exchange(entry_, PoEntry{});
        target_ = nullptr;
        if (entry.msgid && entry.msgstr.empty()) return error_at(entry.msgid_line, "msgid without msgstr");
        if (!entry.msgid) {
            if (entry.msgctxt) return error_at(entry.msgctxt_line, "msgctxt without msgid");
            return Ok{};  // only comments
        }
        if (entry.fuzzy) return Ok{};  // a guess by msgmerge, not a translation
        if (entry.msgid->empty() && !entry.msgctxt) return Ok{};  // the header
        std::string key = entry.msgctxt ? context_key(*entry.msgctxt, *entry.msgid) : *entry.msgid;
        if (const auto [seen, inserted] = first_lines_.emplace(key, entry.first_line); !inserted) {
            return error_at(entry.first_line,
                            "duplicate msgid \"" + *entry.msgid + "\" (first on line " + std::to_string(seen->second) + ")");
        }
        const auto translation = entry.msgstr.begin();  // -1 or 0 sorts first
        if (translation->first > 0 || translation->second.empty()) return Ok{};  // untranslated
        messages_.emplace(std::move(key), std::move(translation->second));
        return Ok{};
    }

    std::string_view text_;
    const std::string& path_;
    int line_ = 0;
    PoEntry entry_;
    std::string* target_ = nullptr;  // where a continuation string is appended
    std::map<std::string, int> first_lines_;
    std::map<std::string, std::string, std::less<>> messages_;
};

struct LanguageName {
    std::string_view code;
    const char* name;
};

constexpr std::array kLanguageNames{
    LanguageName{"sv", "Svenska"},   LanguageName{"sv-easy", "Lätt svenska"},
    LanguageName{"en", "English"},   LanguageName{"ar", "العربية"},
    LanguageName{"fa", "فارسی"},     LanguageName{"so", "Soomaali"},
    LanguageName{"ti", "ትግርኛ"},      LanguageName{"fi", "Suomi"},
    LanguageName{"uk", "Українська"},
};

}  // namespace

Result<Catalog> Catalog::parse_po(std::string_view text, const std::string& path_for_errors) {
    PoParser parser(text, path_for_errors);
    if (Status status = parser.parse(); !status) return Error{status.error()};
    Catalog catalog;
    catalog.messages_ = parser.take_messages();
    return catalog;
}

Result<Catalog> Catalog::load_po(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return make_error(path + ": cannot open translation catalog");
    const std::string text{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
    if (in.bad()) return make_error(path + ": cannot read translation catalog");
    return parse_po(text, path);
}

const std::string* Catalog::find(std::string_view msgid) const {
    const auto it = messages_.find(msgid);
    return it == messages_.end() ? nullptr : &it->second;
}

const std::string* Catalog::find(std::string_view msgctxt, std::string_view msgid) const {
    return find(context_key(msgctxt, msgid));
}

Result<Translations> Translations::load(const std::string& translations_dir,
                                        const std::vector<std::string>& languages) {
    Translations translations;
    for (const std::string& language : languages) {
        if (language == "en" || translations.catalogs_.contains(language)) continue;  // msgids are English
        const std::string path = (std::filesystem::path(translations_dir) / (language + ".po")).string();
        std::error_code ignored;
        if (!std::filesystem::exists(path, ignored)) {
            return make_error(path + ": missing catalog for enabled language " + language);
        }
        auto catalog = Catalog::load_po(path);
        if (!catalog) return Error{catalog.error()};
        translations.catalogs_.emplace(language, std::move(catalog).value());
    }
    return translations;
}

const char* Translations::tr(const char* msgid) const { return tr_in(language_, msgid); }

const char* Translations::tr_in(const std::string& language, const char* msgid) const {
    if (msgid == nullptr) return "";
    if (const Catalog* wanted = catalog(language)) {
        if (const std::string* translation = wanted->find(msgid)) return translation->c_str();
    }
    return msgid;
}

const Catalog* Translations::catalog(const std::string& language) const {
    const auto it = catalogs_.find(language);
    return it == catalogs_.end() ? nullptr : &it->second;
}

// An unknown code returns the caller's own string, so the pointer lives as long as it.
const char* native_language_name(const std::string& language) {
    for (const LanguageName& entry : kLanguageNames) {
        if (entry.code == language) return entry.name;
    }
    return language.c_str();
}

bool is_rtl(const std::string& language) { return language == "ar" || language == "fa"; }

}  // namespace tillit
