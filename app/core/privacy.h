// The privacy rules of DESIGN.md, in one place: random ids, coarse time buckets and
// scrubbing of obvious identifiers from free text. Sealing free text to the server's
// key belongs to the sync layer (it needs the enrolled server key).
#pragma once

#include <chrono>
#include <string>

#include "core/config.h"

namespace tillit {

// Random UUIDv4 from libsodium's CSPRNG, lower-case, 36 characters.
std::string new_uuid_v4();

// "2026-11-23T14" (hour) or "2026-11-23" (day), local time. Never finer than an hour.
std::string time_bucket(TimeBucket bucket, std::chrono::system_clock::time_point when);

// Replaces personnummer, phone numbers and e-mail addresses with "[…]".
std::string scrub_identifiers(const std::string& text);

// Number of Unicode code points in valid UTF-8 (invalid bytes count as one each).
std::size_t utf8_length(const std::string& text);
// The first `max_chars` code points of `text`, never splitting a character.
std::string utf8_truncate(const std::string& text, std::size_t max_chars);

}  // namespace tillit
