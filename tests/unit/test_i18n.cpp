// Tests for core/i18n: the PO parser on inline catalogs, its error lines, loading
// catalogs from a temporary directory, fallback to the msgid, native names and RTL.
// The shipped translations/ catalogs are checked elsewhere (they change with the UI).
#include <doctest/doctest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "core/i18n.h"

using tillit::Catalog;
using tillit::Translations;

namespace {

Catalog parse_ok(std::string_view text) {
    auto result = Catalog::parse_po(text, "sv.po");
    INFO((result.ok() ? std::string() : result.error()));
    REQUIRE(result.ok());
    return std::move(result).value();
}

std::string parse_error(std::string_view text) {
    auto result = Catalog::parse_po(text, "translations/sv.po");
    REQUIRE_FALSE(result.ok());
    return result.error();
}

std::string translation(const Catalog& catalog, std::string_view msgid) {
    const std::string* found = catalog.find(msgid);
    return found ? *found : std::string("<missing>");
}

// A fresh directory under /tmp, removed when the test ends.
struct TempDir {
    std::filesystem::path path;
    TempDir() {
        std::string pattern = (std::filesystem::temp_directory_path() / "tillit-i18n-XXXXXX").string();
        REQUIRE(mkdtemp(pattern.data()) != nullptr);
        path = pattern;
    }
    ~TempDir() {
        std::error_code ignored;
        std::filesystem::remove_all(path, ignored);
    }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;

    void write(const std::string& name, const std::string& text) const {
        std::ofstream out(path / name, std::ios::binary);
        out << text;
    }
};

constexpr const char* kHeader = R"(# Swedish translations for tillit-kiosk.
msgid ""
msgstr ""
"Project-Id-Version: tillit-kiosk 0.1\n"
"Language: sv\n"
"Content-Type: text/plain; charset=UTF-8\n"
"Plural-Forms: nplurals=2; plural=(n != 1);\n"

)";

}  // namespace

TEST_CASE("PO: plain entries, comments, and the header is skipped") {
    const Catalog catalog = parse_ok(std::string(kHeader) + R"(#. Shown on the start screen.
#: app/ui/start_screen.cpp:42
#| msgid "Start"
msgid "Start"
msgstr "Börja"

# translator comment
msgid "Skip"
msgstr "Hoppa över"
)");
    CHECK(catalog.size() == 2);
    CHECK(translation(catalog, "Start") == "Börja");
    CHECK(translation(catalog, "Skip") == "Hoppa över");
    CHECK(catalog.find("") == nullptr);
    CHECK(catalog.find("Send") == nullptr);
}

TEST_CASE("PO: multi-line strings are concatenated") {
    const Catalog catalog = parse_ok(R"(msgid ""
"Your answers are anonymous. "
"Nothing you write is linked to you."
msgstr ""
"Dina svar är anonyma. "
  "Inget du skriver kopplas till dig."
)");
    CHECK(translation(catalog, "Your answers are anonymous. Nothing you write is linked to you.") ==
          "Dina svar är anonyma. Inget du skriver kopplas till dig.");
}

TEST_CASE("PO: escapes") {
    const Catalog catalog = parse_ok(R"(msgid "Line one\nLine two"
msgstr "Rad ett\nRad två"

msgid "Say \"hi\"\tnow"
msgstr "Säg \"hej\"\tnu"

msgid "back\\slash"
msgstr "bak\\snedstreck"
)");
    CHECK(translation(catalog, "Line one\nLine two") == "Rad ett\nRad två");
    CHECK(translation(catalog, "Say \"hi\"\tnow") == "Säg \"hej\"\tnu");
    CHECK(translation(catalog, "back\\slash") == "bak\\snedstreck");
}

TEST_CASE("PO: msgctxt entries are keyed as context + \\x04 + msgid") {
    const Catalog catalog = parse_ok(R"(msgctxt "button"
msgid "Back"
msgstr "Tillbaka"

msgctxt "body part"
msgid "Back"
msgstr "Rygg"

msgid "Back"
msgstr "Bakåt"
)");
    CHECK(catalog.size() == 3);
    CHECK(translation(catalog, std::string("button\x04") + "Back") == "Tillbaka");
    REQUIRE(catalog.find("body part", "Back") != nullptr);
    CHECK(*catalog.find("body part", "Back") == "Rygg");
    CHECK(translation(catalog, "Back") == "Bakåt");
    CHECK(catalog.find("menu", "Back") == nullptr);
}

TEST_CASE("PO: plural forms keep msgstr[0] for the msgid") {
    const Catalog catalog = parse_ok(R"(msgid "%d answer"
msgid_plural "%d answers"
msgstr[0] "%d svar"
msgstr[1] "%d svar totalt"

msgid "one more"
msgid_plural "%d more"
msgstr[0] ""
msgstr[1] "%d till"
)");
    CHECK(catalog.size() == 1);
    CHECK(translation(catalog, "%d answer") == "%d svar");
    CHECK(catalog.find("%d answers") == nullptr);
    CHECK(catalog.find("one more") == nullptr);
}

TEST_CASE("PO: fuzzy entries are ignored and the flag does not leak") {
    const Catalog catalog = parse_ok(std::string(kHeader) + R"(#, fuzzy
msgid "Send"
msgstr "Skicka"

#, c-format, fuzzy
msgid "Question %d of %d"
msgstr "Fråga %d av %d"

#, c-format
msgid "Step %d"
msgstr "Steg %d"
msgid "Thank you"
msgstr "Tack"
#, fuzzy
msgctxt "button"
msgid "Done"
msgstr "Klar"
msgid "Next"
msgstr "Nästa"
)");
    CHECK(catalog.find("Send") == nullptr);
    CHECK(catalog.find("Question %d of %d") == nullptr);
    CHECK(catalog.find("button", "Done") == nullptr);
    CHECK(translation(catalog, "Step %d") == "Steg %d");
    CHECK(translation(catalog, "Thank you") == "Tack");
    CHECK(translation(catalog, "Next") == "Nästa");
    CHECK(catalog.size() == 3);
}

TEST_CASE("PO: an empty msgstr means untranslated") {
    const Catalog catalog = parse_ok(R"(msgid "Skip"
msgstr ""

msgid "Send"
msgstr "Skicka"
)");
    CHECK(catalog.find("Skip") == nullptr);
    CHECK(catalog.size() == 1);
}

TEST_CASE("PO: CRLF line endings, a BOM and obsolete entries") {
    const Catalog catalog = parse_ok("\xEF\xBB\xBFmsgid \"Yes\"\r\nmsgstr \"Ja\"\r\n\r\n#~ msgid \"Old\"\r\n#~ msgstr \"Gammal\"\r\n");
    CHECK(catalog.size() == 1);
    CHECK(translation(catalog, "Yes") == "Ja");
}

TEST_CASE("PO: an empty file is an empty catalog") {
    CHECK(parse_ok("").size() == 0);
    CHECK(parse_ok("# only a comment\n\n").size() == 0);
}

TEST_CASE("PO: malformed input names the file and line") {
    SUBCASE("unterminated string") {
        CHECK(parse_error("msgid \"Yes\"\nmsgstr \"Ja\n") ==
              "translations/sv.po:2: unterminated string (missing closing quote)");
    }
    SUBCASE("unterminated continuation string") {
        CHECK(parse_error("msgid \"Yes\"\nmsgstr \"\"\n\"Ja\n") ==
              "translations/sv.po:3: unterminated string (missing closing quote)");
    }
    SUBCASE("an escaped quote does not close the string") {
        CHECK(parse_error("msgid \"Yes\\\"\nmsgstr \"Ja\"\n") ==
              "translations/sv.po:1: unterminated string (missing closing quote)");
    }
    SUBCASE("msgstr without msgid") {
        CHECK(parse_error("msgid \"Yes\"\nmsgstr \"Ja\"\n\nmsgstr \"Nej\"\n") ==
              "translations/sv.po:4: msgstr without msgid");
    }
    SUBCASE("msgstr after a msgctxt alone") {
        CHECK(parse_error("msgctxt \"button\"\nmsgstr \"Ja\"\n") == "translations/sv.po:2: msgstr without msgid");
    }
    SUBCASE("msgid without msgstr, followed by another entry") {
        CHECK(parse_error("msgid \"Yes\"\n\nmsgid \"No\"\nmsgstr \"Nej\"\n") ==
              "translations/sv.po:1: msgid without msgstr");
    }
    SUBCASE("msgid without msgstr at the end of the file") {
        CHECK(parse_error("msgid \"Yes\"\nmsgstr \"Ja\"\n\nmsgid \"No\"\n") ==
              "translations/sv.po:4: msgid without msgstr");
    }
    SUBCASE("unknown keyword") {
        CHECK(parse_error("msgid \"Yes\"\nmsgtsr \"Ja\"\n") == "translations/sv.po:2: unknown keyword 'msgtsr'");
    }
    SUBCASE("bad escape") {
        CHECK(parse_error("msgid \"Yes\"\nmsgstr \"\"\n\"J\\qa\"\n") == "translations/sv.po:3: bad escape '\\q'");
    }
    SUBCASE("keyword without a string") {
        CHECK(parse_error("msgid Yes\nmsgstr \"Ja\"\n") == "translations/sv.po:1: expected a quoted string after msgid");
    }
    SUBCASE("text after the closing quote") {
        CHECK(parse_error("msgid \"Yes\" extra\nmsgstr \"Ja\"\n") ==
              "translations/sv.po:1: unexpected text after the closing quote");
    }
    SUBCASE("a string with no keyword before it") {
        CHECK(parse_error("# comment\n\"Ja\"\n") == "translations/sv.po:2: string without a keyword before it");
    }
    SUBCASE("msgstr[0] without msgid_plural") {
        CHECK(parse_error("msgid \"Yes\"\nmsgstr[0] \"Ja\"\n") ==
              "translations/sv.po:2: msgstr[0] without msgid_plural");
    }
    SUBCASE("plain msgstr on a plural entry") {
        CHECK(parse_error("msgid \"a\"\nmsgid_plural \"as\"\nmsgstr \"x\"\n") ==
              "translations/sv.po:3: msgstr after msgid_plural; expected msgstr[0]");
    }
    SUBCASE("bad plural index") {
        CHECK(parse_error("msgid \"a\"\nmsgid_plural \"as\"\nmsgstr[x] \"x\"\n") ==
              "translations/sv.po:3: bad plural index in 'msgstr[x]'");
    }
    SUBCASE("a plural form given twice") {
        CHECK(parse_error("msgid \"a\"\nmsgid_plural \"as\"\nmsgstr[0] \"x\"\nmsgstr[0] \"y\"\n") ==
              "translations/sv.po:4: second msgstr[0] in one entry");
    }
    SUBCASE("duplicate msgid") {
        CHECK(parse_error("msgid \"Yes\"\nmsgstr \"Ja\"\n\nmsgid \"Yes\"\nmsgstr \"Jo\"\n") ==
              "translations/sv.po:4: duplicate msgid \"Yes\" (first on line 1)");
    }
}

TEST_CASE("load_po names a missing file") {
    const auto result = Catalog::load_po("/nonexistent/tillit/sv.po");
    REQUIRE_FALSE(result.ok());
    CHECK(result.error() == "/nonexistent/tillit/sv.po: cannot open translation catalog");
}

TEST_CASE("Translations: load, switch language, fall back to the msgid") {
    const TempDir dir;
    dir.write("sv.po", std::string(kHeader) + "msgid \"Skip\"\nmsgstr \"Hoppa över\"\n\nmsgid \"Send\"\nmsgstr \"\"\n");
    dir.write("ar.po", "msgid \"Skip\"\nmsgstr \"تخطي\"\n");

    auto loaded = Translations::load(dir.path.string(), {"sv", "en", "ar"});
    INFO((loaded.ok() ? std::string() : loaded.error()));
    REQUIRE(loaded.ok());
    Translations translations = std::move(loaded).value();

    CHECK(translations.language() == "sv");
    CHECK(std::string(translations.tr("Skip")) == "Hoppa över");
    CHECK(std::string(translations.tr("Send")) == "Send");  // untranslated
    CHECK(std::string(translations.tr("Never seen")) == "Never seen");

    translations.set_language("ar");
    CHECK(std::string(translations.tr("Skip")) == "تخطي");

    translations.set_language("en");  // English is the msgids, no catalog
    CHECK(translations.catalog("en") == nullptr);
    const char* msgid = "Skip";
    CHECK(translations.tr(msgid) == msgid);

    translations.set_language("fi");  // not loaded: fall back, never crash
    CHECK(std::string(translations.tr("Skip")) == "Skip");
    CHECK(translations.catalog("sv") != nullptr);
    CHECK(translations.catalog("sv")->size() == 1);
}

TEST_CASE("Translations: a missing catalog for an enabled language is an error") {
    const TempDir dir;
    dir.write("sv.po", "msgid \"Skip\"\nmsgstr \"Hoppa över\"\n");
    const auto result = Translations::load(dir.path.string(), {"sv", "fi"});
    REQUIRE_FALSE(result.ok());
    CHECK(result.error() == (dir.path / "fi.po").string() + ": missing catalog for enabled language fi");

    const auto relative = Translations::load("translations_dir", {"xx"});
    REQUIRE_FALSE(relative.ok());
    CHECK(relative.error() == "translations_dir/xx.po: missing catalog for enabled language xx");
}

TEST_CASE("Translations: English alone needs no catalog, and parse errors propagate") {
    CHECK(Translations::load("/nonexistent", {"en"}).ok());

    const TempDir dir;
    dir.write("sv.po", "msgid \"Skip\"\nmsgstr \"Hoppa\\q\"\n");
    const auto result = Translations::load(dir.path.string(), {"sv"});
    REQUIRE_FALSE(result.ok());
    CHECK(result.error() == (dir.path / "sv.po").string() + ":2: bad escape '\\q'");
}

TEST_CASE("native language names and text direction") {
    CHECK(std::string(tillit::native_language_name("sv")) == "Svenska");
    CHECK(std::string(tillit::native_language_name("sv-easy")) == "Lätt svenska");
    CHECK(std::string(tillit::native_language_name("en")) == "English");
    CHECK(std::string(tillit::native_language_name("ar")) == "العربية");
    CHECK(std::string(tillit::native_language_name("fa")) == "فارسی");
    CHECK(std::string(tillit::native_language_name("so")) == "Soomaali");
    CHECK(std::string(tillit::native_language_name("ti")) == "ትግርኛ");
    CHECK(std::string(tillit::native_language_name("fi")) == "Suomi");
    CHECK(std::string(tillit::native_language_name("uk")) == "Українська");
    const std::string unknown = "kmr";
    CHECK(std::string(tillit::native_language_name(unknown)) == "kmr");

    CHECK(tillit::is_rtl("ar"));
    CHECK(tillit::is_rtl("fa"));
    for (const char* ltr : {"sv", "sv-easy", "en", "so", "ti", "fi", "uk", "xx"}) CHECK_FALSE(tillit::is_rtl(ltr));
}
