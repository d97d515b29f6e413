// The privacy rules of DESIGN.md, in one place: random ids, coarse time buckets and
// scrubbing of obvious identifiers from free text. Sealing free text to the server's
// key belongs to the sync layer (it needs the enrolled server key).
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "core/config.h"

namespace tillit {

// Random UUIDv4 from libsodium's CSPRNG, lower-case, 36 characters.
std::string new_uuid_v4();

// A uniform number in [0, upper_exclusive) from libsodium's CSPRNG (0 when the bound is
// 0 or 1). Shuffling batches with it keeps the upload order unrelated to the answer order.
std::uint32_t secure_uniform(std::uint32_t upper_exclusive);

// Fisher-Yates with secure_uniform.
template <class T>
void shuffle_securely(std::vector<T>& items) {
    for (std::size_t i = items.size(); i > 1; --i) {
        const std::size_t j = secure_uniform(static_cast<std::uint32_t>(i));
        std::swap(items[i - 1], items[j]);
    }
}

// "2026-11-23T14" (hour) or "2026-11-23" (day), local time. Never finer than an hour.
std::string time_bucket(TimeBucket bucket, std::chrono::system_clock::time_point when);

// The local time now in strftime's `format`: for staff (the status clock, an export's
// day), never stored with an answer.
std::string local_time_now(const char* format);

// Replaces personnummer, phone numbers and e-mail addresses with "[…]".
std::string scrub_identifiers(const std::string& text);

// Number of Unicode code points in valid UTF-8 (invalid bytes count as one each).
std::size_t utf8_length(const std::string& text);
// The first `max_chars` code points of `text`, never splitting a character.
std::string utf8_truncate(const std::string& text, std::size_t max_chars);

}  // namespace tillit
