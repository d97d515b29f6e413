// The privacy helpers: random UUIDv4s from libsodium, coarse local-time buckets,
// scrubbing of obvious identifiers from free text and code-point-safe UTF-8 helpers.
// Scrubbing is a hand scanner tuned to Swedish text; it catches the common written
// forms of personnummer, phone numbers and e-mail addresses, not every possible one
// (names and street addresses are out of reach without a model, and are not tried).
#include "core/privacy.h"

#include <sodium.h>

#include <array>
#include <ctime>
#include <mutex>
#include <stdexcept>
#include <string_view>
#include <vector>

namespace tillit {
namespace {

// sodium_init() is idempotent and thread-safe; the flag only spares the repeated call.
std::once_flag sodium_once;
bool sodium_ready = false;

void ensure_sodium() {
    std::call_once(sodium_once, [] { sodium_ready = sodium_init() >= 0; });
    // Without a CSPRNG the kiosk cannot promise anonymous ids: it cannot run at all.
    if (!sodium_ready) throw std::runtime_error("libsodium could not be initialised; no random source for response ids");
}

// UTF-8 for "[…]"; spelled as bytes so the source encoding cannot change it.
constexpr std::string_view kRedacted = "[\xE2\x80\xA6]";

// Locale-free and safe for the negative chars that UTF-8 bytes are on this platform.
bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_ascii_alnum(char c) {
    return is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
int two_digits(std::string_view s, std::size_t pos) { return (s[pos] - '0') * 10 + (s[pos + 1] - '0'); }
bool digits_at(std::string_view s, std::size_t pos, std::size_t count) {
    if (pos + count > s.size()) return false;
    for (std::size_t i = pos; i < pos + count; ++i) {
        if (!is_digit(s[i])) return false;
    }
    return true;
}

// ---- e-mail addresses ----

// Bytes of a Latin letter (å ä ö é ü ø ...) at s[i], 0 if there is none: Nordic names
// appear in addresses, while quotes and dashes around an address must stay outside it.
std::size_t latin_letter_at(std::string_view s, std::size_t i) {
    if (i + 1 >= s.size()) return 0;
    const auto lead = static_cast<unsigned char>(s[i]);
    const auto next = static_cast<unsigned char>(s[i + 1]);
    return (lead >= 0xC3 && lead <= 0xC5 && next >= 0x80 && next <= 0xBF) ? 2 : 0;
}

bool is_local_part_char(char c) {
    return is_ascii_alnum(c) || c == '.' || c == '_' || c == '%' || c == '+' || c == '-';
}

// Bytes of the local-part character that ends just before `end`, 0 if none.
std::size_t local_part_char_before(std::string_view s, std::size_t end, std::size_t floor) {
    if (end > floor && is_local_part_char(s[end - 1])) return 1;
    if (end >= floor + 2 && latin_letter_at(s, end - 2) == 2) return 2;
    return 0;
}

std::size_t domain_char_at(std::string_view s, std::size_t i) {
    if (is_ascii_alnum(s[i]) || s[i] == '-' || s[i] == '.') return 1;
    return latin_letter_at(s, i);
}

std::string scrub_emails(std::string_view s) {
    std::string out;
    std::size_t copied = 0;  // s[0, copied) is already in `out`
    for (std::size_t at = s.find('@'); at != std::string_view::npos; at = s.find('@', at + 1)) {
        if (at < copied) continue;
        std::size_t begin = at;
        while (std::size_t width = local_part_char_before(s, begin, copied)) begin -= width;
        while (begin < at && s[begin] == '.') ++begin;  // "...anna@" - the dots are prose
        std::size_t end = at + 1;
        while (end < s.size()) {
            const std::size_t width = domain_char_at(s, end);
            if (width == 0) break;
            end += width;
        }
        // A full stop or dash after the address ends the sentence, not the domain.
        while (end > at + 1 && (s[end - 1] == '.' || s[end - 1] == '-')) --end;
        if (begin == at) continue;
        const std::string_view domain = s.substr(at + 1, end - at - 1);
        const std::size_t dot = domain.rfind('.');
        if (dot == std::string_view::npos || dot == 0 || domain.size() - dot - 1 < 2) continue;
        out.append(s.substr(copied, begin - copied));
        out.append(kRedacted);
        copied = end;
    }
    out.append(s.substr(copied));
    return out;
}

// ---- personnummer, samordningsnummer and phone numbers ----

// Length of a personnummer (YYMMDD-XXXX, YYYYMMDD-XXXX, '-' optional, '+' for people
// over 100) or samordningsnummer (day + 60) starting at `pos`, 0 if there is none.
// The date must be plausible so that other 10-digit numbers are left to the phone rule;
// the check digit is not verified, because a mistyped personnummer still identifies.
std::size_t personnummer_at(std::string_view s, std::size_t pos) {
    for (const std::size_t date_digits : {std::size_t{8}, std::size_t{6}}) {
        if (!digits_at(s, pos, date_digits)) continue;
        if (date_digits == 8) {
            const int century = two_digits(s, pos);
            if (century < 18 || century > 20) continue;
        }
        std::size_t p = pos + date_digits;
        const int month = two_digits(s, p - 4);
        const int day = two_digits(s, p - 2);
        if (month < 1 || month > 12) continue;
        if (!((day >= 1 && day <= 31) || (day >= 61 && day <= 91))) continue;
        if (p < s.size() && (s[p] == '-' || s[p] == '+')) ++p;
        if (!digits_at(s, p, 4)) continue;
        p += 4;
        if (p < s.size() && is_digit(s[p])) continue;
        return p - pos;
    }
    return 0;
}

// Length of an ISO date "YYYY-MM-DD" at `pos`, 0 if there is none. A date is copied
// as a whole, so "2024-01-15 10-12" is not read as one long number after it.
std::size_t iso_date_at(std::string_view s, std::size_t pos) {
    if (!digits_at(s, pos, 4) || !digits_at(s, pos + 5, 2) || !digits_at(s, pos + 8, 2)) return 0;
    if (s[pos + 4] != '-' || s[pos + 7] != '-') return 0;
    if (pos + 10 < s.size() && is_digit(s[pos + 10])) return 0;
    const int month = two_digits(s, pos + 5);
    const int day = two_digits(s, pos + 8);
    return (month >= 1 && month <= 12 && day >= 1 && day <= 31) ? 10 : 0;
}

// Bytes of a separator that may sit between the digit groups of a phone number
// ("070-123 45 67", "+46 (0)70", "08/123"), including the no-break spaces that word
// processors put into numbers. Full stops and commas are not: they join times and prices.
std::size_t separator_at(std::string_view s, std::size_t i) {
    const char c = s[i];
    if (c == ' ' || c == '-' || c == '/' || c == '(' || c == ')') return 1;
    if (s.substr(i, 2) == "\xC2\xA0") return 2;          // U+00A0 no-break space
    if (s.substr(i, 3) == "\xE2\x80\xAF") return 3;      // U+202F narrow no-break space
    return 0;
}

// Digit groups joined by short separators, e.g. "+46 (0)70-123 45 67".
struct DigitRun {
    std::size_t end = 0;              // one past the last digit
    std::size_t first_group_end = 0;  // one past the first group's last digit
    int digits = 0;
    std::vector<int> groups;          // digits per group, in order
};

DigitRun scan_digit_run(std::string_view s, std::size_t pos) {
    DigitRun run;
    std::size_t i = s[pos] == '+' ? pos + 1 : pos;
    for (;;) {
        const std::size_t start = i;
        while (i < s.size() && is_digit(s[i])) ++i;
        run.groups.push_back(static_cast<int>(i - start));
        run.digits += static_cast<int>(i - start);
        run.end = i;
        if (run.groups.size() == 1) run.first_group_end = i;
        // At most three separator characters ("070 - 123", "+46 (0)70").
        std::size_t j = i;
        int separators = 0;
        while (j < s.size() && separators < 3) {
            const std::size_t width = separator_at(s, j);
            if (width == 0) break;
            j += width;
            ++separators;
        }
        if (separators == 0 || j >= s.size() || !is_digit(s[j])) break;
        i = j;
    }
    return run;
}

bool is_year(std::string_view s) {
    return s.size() == 4 && (s.substr(0, 2) == "19" || s.substr(0, 2) == "20");
}

// 8+ digits is a phone number, unless the run reads as something ordinary: thousands
// ("12 500 000 kr"), a list of years ("2019 2020") or a date ("2024-01-15").
// A leading '+' or trunk '0' marks a phone number whatever the grouping.
bool looks_like_phone(std::string_view s, std::size_t pos, const DigitRun& run) {
    if (run.digits < 8) return false;
    if (s[pos] == '+' || s[pos] == '0') return true;
    const std::vector<int>& g = run.groups;
    if (g.size() == 1) return true;  // one unbroken run of 8+ digits is an id or a number to call
    for (const int group : g) {
        if (group < 2) return false;  // phone groups are never single digits
    }
    bool thousands = g[0] <= 3;
    for (std::size_t k = 1; k < g.size(); ++k) thousands = thousands && g[k] == 3;
    if (thousands) return false;
    bool all_years = true;
    std::size_t i = pos;
    for (const int group : g) {
        while (!is_digit(s[i])) ++i;
        all_years = all_years && is_year(s.substr(i, static_cast<std::size_t>(group)));
        i += static_cast<std::size_t>(group);
    }
    if (all_years) return false;
    const bool date = g.size() == 3 && ((g[0] == 4 && g[1] == 2 && g[2] == 2) || (g[0] == 2 && g[1] == 2 && g[2] == 4));
    return !date;
}

std::string scrub_numbers(std::string_view s) {
    std::string out;
    std::size_t i = 0;
    while (i < s.size()) {
        const bool plus_start = s[i] == '+' && i + 1 < s.size() && is_digit(s[i + 1]) &&
                                (i == 0 || !is_ascii_alnum(s[i - 1]));
        const bool digit_start = is_digit(s[i]) && (i == 0 || !is_digit(s[i - 1]));
        if (!plus_start && !digit_start) {
            out.push_back(s[i++]);
            continue;
        }
        if (const std::size_t length = digit_start ? personnummer_at(s, i) : 0) {
            out.append(kRedacted);
            i += length;
            continue;
        }
        if (const std::size_t length = digit_start ? iso_date_at(s, i) : 0) {
            out.append(s.substr(i, length));
            i += length;
            continue;
        }
        const DigitRun run = scan_digit_run(s, i);
        if (looks_like_phone(s, i, run)) {
            out.append(kRedacted);
            i = run.end;
            continue;
        }
        // Not an identifier as a whole; a later group may still start one ("5 0701234567").
        out.append(s.substr(i, run.first_group_end - i));
        i = run.first_group_end;
    }
    return out;
}

// ---- UTF-8 ----

// Bytes of the well-formed UTF-8 sequence at s[i] (1-4), or 0 if none starts there.
// Overlong forms, surrogates and code points past U+10FFFF are not well-formed.
std::size_t utf8_sequence_length(std::string_view s, std::size_t i) {
    const auto lead = static_cast<unsigned char>(s[i]);
    if (lead < 0x80) return 1;
    std::size_t length = 0;
    unsigned char low = 0x80;   // allowed range of the second byte
    unsigned char high = 0xBF;
    if (lead >= 0xC2 && lead <= 0xDF) {
        length = 2;
    } else if (lead >= 0xE0 && lead <= 0xEF) {
        length = 3;
        if (lead == 0xE0) low = 0xA0;
        if (lead == 0xED) high = 0x9F;
    } else if (lead >= 0xF0 && lead <= 0xF4) {
        length = 4;
        if (lead == 0xF0) low = 0x90;
        if (lead == 0xF4) high = 0x8F;
    } else {
        return 0;
    }
    if (i + length > s.size()) return 0;
    for (std::size_t k = 1; k < length; ++k) {
        const auto byte = static_cast<unsigned char>(s[i + k]);
        const unsigned char min = k == 1 ? low : 0x80;
        const unsigned char max = k == 1 ? high : 0xBF;
        if (byte < min || byte > max) return 0;
    }
    return length;
}

// Bytes of the character at s[i]; an invalid byte is a character of its own.
std::size_t utf8_step(std::string_view s, std::size_t i) {
    const std::size_t length = utf8_sequence_length(s, i);
    return length == 0 ? 1 : length;
}

}  // namespace

std::uint32_t secure_uniform(std::uint32_t upper_exclusive) {
    ensure_sodium();
    return upper_exclusive < 2 ? 0 : randombytes_uniform(upper_exclusive);
}

std::string new_uuid_v4() {
    ensure_sodium();
    std::array<unsigned char, 16> bytes{};
    randombytes_buf(bytes.data(), bytes.size());
    bytes[6] = static_cast<unsigned char>((bytes[6] & 0x0F) | 0x40);  // version 4
    bytes[8] = static_cast<unsigned char>((bytes[8] & 0x3F) | 0x80);  // RFC 4122 variant
    constexpr std::string_view hex = "0123456789abcdef";
    std::string id;
    id.reserve(36);
    for (std::size_t k = 0; k < bytes.size(); ++k) {
        if (k == 4 || k == 6 || k == 8 || k == 10) id.push_back('-');
        id.push_back(hex[bytes[k] >> 4]);
        id.push_back(hex[bytes[k] & 0x0F]);
    }
    return id;
}

std::string time_bucket(TimeBucket bucket, std::chrono::system_clock::time_point when) {
    const std::time_t seconds = std::chrono::system_clock::to_time_t(when);
    std::tm local{};
    // localtime_r, not localtime: the sync worker may make buckets on another thread.
    if (localtime_r(&seconds, &local) == nullptr) return {};
    std::array<char, 32> text{};
    const char* format = bucket == TimeBucket::Hour ? "%Y-%m-%dT%H" : "%Y-%m-%d";
    const std::size_t length = std::strftime(text.data(), text.size(), format, &local);
    return std::string(text.data(), length);
}

std::string scrub_identifiers(const std::string& text) {
    // E-mail first: addresses such as "anna85@example.se" hold digits of their own.
    return scrub_numbers(scrub_emails(text));
}

std::size_t utf8_length(const std::string& text) {
    std::size_t count = 0;
    for (std::size_t i = 0; i < text.size(); i += utf8_step(text, i)) ++count;
    return count;
}

std::string utf8_truncate(const std::string& text, std::size_t max_chars) {
    std::size_t end = 0;
    for (std::size_t count = 0; end < text.size() && count < max_chars; ++count) end += utf8_step(text, end);
    return text.substr(0, end);
}

std::string local_time_now(const char* format) {
    const std::time_t now = std::time(nullptr);
    std::tm local{};
    localtime_r(&now, &local);
    char text[64];
    if (std::strftime(text, sizeof text, format, &local) == 0) return "";
    return text;
}

}  // namespace tillit
