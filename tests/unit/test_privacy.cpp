// Tests for core/privacy: UUIDv4 shape and uniqueness, hour/day time buckets in a
// fixed time zone, scrubbing of personnummer, phone numbers and e-mail addresses
// (and leaving ordinary Swedish text, years and prices alone), and UTF-8 helpers.
#include <doctest/doctest.h>

#include <chrono>
#include <cstdlib>
#include <ctime>
#include <optional>
#include <set>
#include <string>

#include "core/privacy.h"

namespace {

const std::string kRedacted = "[\xE2\x80\xA6]";  // "[…]"

// Sets TZ for one test and puts the old value back, so other tests see the real zone.
struct ScopedTimeZone {
    std::optional<std::string> previous;
    explicit ScopedTimeZone(const char* zone) {
        if (const char* old = std::getenv("TZ")) previous = old;
        setenv("TZ", zone, 1);
        tzset();
    }
    ~ScopedTimeZone() {
        if (previous) {
            setenv("TZ", previous->c_str(), 1);
        } else {
            unsetenv("TZ");
        }
        tzset();
    }
    ScopedTimeZone(const ScopedTimeZone&) = delete;
    ScopedTimeZone& operator=(const ScopedTimeZone&) = delete;
};

std::chrono::system_clock::time_point at(int y, unsigned m, unsigned d, int h, int min, int s) {
    using namespace std::chrono;
    return sys_days{year{y} / month{m} / day{d}} + hours{h} + minutes{min} + seconds{s};
}

bool is_lower_hex(char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); }

}  // namespace

TEST_CASE("privacy: new_uuid_v4 is a lower-case RFC 4122 version 4 UUID") {
    const std::string id = tillit::new_uuid_v4();
    REQUIRE(id.size() == 36);
    for (std::size_t i = 0; i < id.size(); ++i) {
        if (i == 8 || i == 13 || i == 18 || i == 23) {
            CHECK(id[i] == '-');
        } else {
            CHECK(is_lower_hex(id[i]));
        }
    }
    CHECK(id[14] == '4');                                           // version
    CHECK(std::string("89ab").find(id[19]) != std::string::npos);  // variant 10xx
}

TEST_CASE("privacy: 10 000 UUIDs are distinct and all well-formed") {
    std::set<std::string> ids;
    bool all_v4 = true;
    for (int i = 0; i < 10000; ++i) {
        const std::string id = tillit::new_uuid_v4();
        all_v4 = all_v4 && id.size() == 36 && id[14] == '4' && std::string("89ab").find(id[19]) != std::string::npos;
        ids.insert(id);
    }
    CHECK(all_v4);
    CHECK(ids.size() == 10000);
}

TEST_CASE("privacy: time buckets are hour or day, local time, never finer") {
    ScopedTimeZone utc("UTC");
    const auto afternoon = at(2026, 11, 23, 14, 37, 12);
    CHECK(tillit::time_bucket(tillit::TimeBucket::Hour, afternoon) == "2026-11-23T14");
    CHECK(tillit::time_bucket(tillit::TimeBucket::Day, afternoon) == "2026-11-23");

    const auto last_second = at(2026, 12, 31, 23, 59, 59);
    CHECK(tillit::time_bucket(tillit::TimeBucket::Hour, last_second) == "2026-12-31T23");
    CHECK(tillit::time_bucket(tillit::TimeBucket::Day, last_second) == "2026-12-31");

    const auto midnight = at(2027, 1, 1, 0, 0, 0);
    CHECK(tillit::time_bucket(tillit::TimeBucket::Hour, midnight) == "2027-01-01T00");
}

TEST_CASE("privacy: time buckets follow the local time zone") {
    // A POSIX TZ string needs no tzdata: UTC+1 all year.
    ScopedTimeZone plus_one("CET-1");
    const auto late = at(2026, 11, 23, 23, 30, 0);  // 00:30 on the 24th locally
    CHECK(tillit::time_bucket(tillit::TimeBucket::Hour, late) == "2026-11-24T00");
    CHECK(tillit::time_bucket(tillit::TimeBucket::Day, late) == "2026-11-24");
}

TEST_CASE("privacy: personnummer and samordningsnummer are scrubbed") {
    using tillit::scrub_identifiers;
    CHECK(scrub_identifiers("Mitt personnummer är 850312-1234.") == "Mitt personnummer är " + kRedacted + ".");
    CHECK(scrub_identifiers("pnr 8503121234 tack") == "pnr " + kRedacted + " tack");
    CHECK(scrub_identifiers("19850312-1234") == kRedacted);
    CHECK(scrub_identifiers("198503121234") == kRedacted);
    CHECK(scrub_identifiers("född 201501011234!") == "född " + kRedacted + "!");
    CHECK(scrub_identifiers("hundraåring 201212+1234") == "hundraåring " + kRedacted);
    CHECK(scrub_identifiers("samordningsnummer 850372-1234") == "samordningsnummer " + kRedacted);
    CHECK(scrub_identifiers("(850312-1234)") == "(" + kRedacted + ")");
}

TEST_CASE("privacy: phone numbers are scrubbed") {
    using tillit::scrub_identifiers;
    CHECK(scrub_identifiers("Ring mig på 070-123 45 67 efter fem") == "Ring mig på " + kRedacted + " efter fem");
    CHECK(scrub_identifiers("0701234567") == kRedacted);
    CHECK(scrub_identifiers("073 - 123 45 67") == kRedacted);
    CHECK(scrub_identifiers("tel: 08-123 456 78.") == "tel: " + kRedacted + ".");
    CHECK(scrub_identifiers("+46 70 123 45 67") == kRedacted);
    CHECK(scrub_identifiers("+46701234567, kvällstid") == kRedacted + ", kvällstid");
    CHECK(scrub_identifiers("+46 (0)70-123 45 67") == kRedacted);
    CHECK(scrub_identifiers("0046 70 123 45 67") == kRedacted);
    CHECK(scrub_identifiers("(08) 123 45 67") == "(" + kRedacted);
    CHECK(scrub_identifiers("070\xC2\xA0" "123\xC2\xA0" "45\xC2\xA0" "67") == kRedacted);  // no-break spaces
    CHECK(scrub_identifiers("nr 12345678") == "nr " + kRedacted);
    CHECK(scrub_identifiers("123 456 78 90") == kRedacted);
    CHECK(scrub_identifiers("svar 5 0701234567") == "svar 5 " + kRedacted);
    CHECK(scrub_identifiers("2024-01-15 0701234567") == "2024-01-15 " + kRedacted);
}

TEST_CASE("privacy: e-mail addresses are scrubbed") {
    using tillit::scrub_identifiers;
    CHECK(scrub_identifiers("maila anna.svensson@example.se.") == "maila " + kRedacted + ".");
    CHECK(scrub_identifiers("<kalle+kiosk@mail.kommun.se>") == "<" + kRedacted + ">");
    CHECK(scrub_identifiers("åsa.öberg85@exempel.nu") == kRedacted);
    CHECK(scrub_identifiers("\xE2\x80\x9C" "bo@example.org" "\xE2\x80\x9D") ==
          "\xE2\x80\x9C" + kRedacted + "\xE2\x80\x9D");  // “…” quotes stay
    CHECK(scrub_identifiers("a@b.se och c@d.se") == kRedacted + " och " + kRedacted);
    // Not addresses: a lone @, a handle, no top-level domain.
    CHECK(scrub_identifiers("vi ses @ biblioteket") == "vi ses @ biblioteket");
    CHECK(scrub_identifiers("följ @kommunen") == "följ @kommunen");
    CHECK(scrub_identifiers("user@localhost") == "user@localhost");
}

TEST_CASE("privacy: ordinary text, years, dates, times and prices are left alone") {
    using tillit::scrub_identifiers;
    const std::string plain[] = {
        "",
        "Jag tycker att bemötandet på Medborgarkontoret har blivit bättre sedan 2024.",
        "Åsa och Örjan väntade i 45 minuter på bussen, det är för länge!",
        "Vi har bott här 2019 2020 och 2021.",
        "Mellan 2019-2020 var det stökigt, 2019 - 2023 bättre.",
        "Mötet är 2024-01-15 kl. 10.00-12.00, eller 15/01/2024.",
        "Öppet hus 2024-01-15 10-12 i Folkets hus.",
        "Hyran är 12 500 kr, lägenheten kostade 1 250 000 kr och huset 12 500 000 kr.",
        "Priset var 99:- eller 1 299,50 kr.",
        "Postnummer 123 45 Stockholm, buss 4 och 73.",
        "Öppet 08-17, lunch 12-13.",
        "Betyg: 5 av 5, 3 av 5.",
        "C++20 är ett språk, 2+2=4.",
        "Vi var 1 200 personer år 1998.",
        "\xF0\x9F\x98\x80 tack!",  // emoji
    };
    for (const std::string& text : plain) {
        CHECK_MESSAGE(scrub_identifiers(text) == text, text);
    }
}

TEST_CASE("privacy: identifiers are scrubbed inside longer Swedish text") {
    const std::string text =
        "Hej! Jag heter Sara, min mejl är sara.l@exempel.se och mobilen 0731234567. "
        "Personnummer 900101-1234. Jag har väntat sedan 2023 på svar om 3 500 kr.";
    const std::string expected = "Hej! Jag heter Sara, min mejl är " + kRedacted + " och mobilen " + kRedacted +
                                 ". Personnummer " + kRedacted +
                                 ". Jag har väntat sedan 2023 på svar om 3 500 kr.";
    CHECK(tillit::scrub_identifiers(text) == expected);
}

TEST_CASE("privacy: utf8_length counts code points") {
    using tillit::utf8_length;
    CHECK(utf8_length("") == 0);
    CHECK(utf8_length("abc") == 3);
    CHECK(utf8_length("åäö") == 3);
    CHECK(utf8_length("Räksmörgås") == 10);
    CHECK(utf8_length("\xF0\x9F\x98\x80") == 1);               // 😀
    CHECK(utf8_length("a\xF0\x9F\x91\x8D" "b") == 3);          // a👍b
    CHECK(utf8_length("\xD8\xB4\xD9\x83\xD8\xB1\xD8\xA7") == 4);  // شكرا
    // Invalid bytes count one each: a stray continuation byte, a cut-off sequence,
    // an overlong '/', and a surrogate.
    CHECK(utf8_length("a\x80" "b") == 3);
    CHECK(utf8_length("\xE2\x82") == 2);
    CHECK(utf8_length("\xC0\xAF") == 2);
    CHECK(utf8_length("\xED\xA0\x80") == 3);
}

TEST_CASE("privacy: utf8_truncate never splits a character") {
    using tillit::utf8_truncate;
    CHECK(utf8_truncate("Räksmörgås", 3) == "Räk");
    CHECK(utf8_truncate("åäö", 2) == "åä");
    CHECK(utf8_truncate("åäö", 0).empty());
    CHECK(utf8_truncate("åäö", 3) == "åäö");
    CHECK(utf8_truncate("åäö", 99) == "åäö");
    CHECK(utf8_truncate("hej \xF0\x9F\x98\x80!", 5) == "hej \xF0\x9F\x98\x80");
    CHECK(utf8_truncate("hej \xF0\x9F\x98\x80!", 4) == "hej ");
    CHECK(utf8_truncate("a\x80\xC3\xA5", 2) == "a\x80");  // the invalid byte is one character
    const std::string long_text(500, 'x');
    CHECK(tillit::utf8_length(utf8_truncate(long_text + "ö", 501)) == 501);
}
