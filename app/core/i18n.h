// UI translations: gettext PO catalogs under translations/, English msgids.
// English needs no catalog; a missing translation falls back to the msgid.
// Survey texts are not here: they live inline in the survey files (survey.h).
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace tillit {

class Catalog {
public:
    // Parses a PO file: multi-line strings, C escapes, msgctxt (stored as
    // msgctxt + '\x04' + msgid, as gettext does), plural forms (msgstr[0] is kept).
    static Result<Catalog> load_po(const std::string& path);
    static Result<Catalog> parse_po(std::string_view text, const std::string& path_for_errors);

    // nullptr when the msgid has no (non-empty, non-fuzzy) translation.
    const std::string* find(std::string_view msgid) const;
    // The same for an entry with a msgctxt.
    const std::string* find(std::string_view msgctxt, std::string_view msgid) const;
    std::size_t size() const { return messages_.size(); }
    const std::map<std::string, std::string, std::less<>>& messages() const { return messages_; }

private:
    std::map<std::string, std::string, std::less<>> messages_;
};

// All loaded catalogs plus the current language.
class Translations {
public:
    // Loads translations_dir/<lang>.po for every language except "en".
    static Result<Translations> load(const std::string& translations_dir,
                                     const std::vector<std::string>& languages);

    void set_language(const std::string& language) { language_ = language; }
    const std::string& language() const { return language_; }
    // The translation of msgid in the current language, or msgid itself.
    const char* tr(const char* msgid) const;
    // The translation of msgid in `language` (not the current one), or msgid itself.
    const char* tr_in(const std::string& language, const char* msgid) const;
    const Catalog* catalog(const std::string& language) const;

private:
    std::map<std::string, Catalog> catalogs_;
    std::string language_ = "sv";
};

// The language's own name in its own script ("Svenska", "English"); never a flag.
const char* native_language_name(const std::string& language);
// True for right-to-left scripts (ar, fa).
bool is_rtl(const std::string& language);

}  // namespace tillit
