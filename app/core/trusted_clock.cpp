// TrustedClock: one anchor (the server's time and the monotonic moment it was seen),
// replaced at every heartbeat, so the carried-forward time never drifts for long.
#include "core/trusted_clock.h"

#include <ctime>
#include <utility>

namespace tillit {

TrustedClock::TrustedClock(WallNow wall, SteadyNow steady) : wall_(std::move(wall)), steady_(std::move(steady)) {}

void TrustedClock::observe_server_time(std::chrono::system_clock::time_point server,
                                       std::chrono::steady_clock::time_point received) {
    const std::lock_guard lock(mutex_);
    anchor_ = Anchor{server, received};
}

std::chrono::system_clock::time_point TrustedClock::now() const {
    const auto wall = wall_();
    std::optional<Anchor> anchor;
    {
        const std::lock_guard lock(mutex_);
        anchor = anchor_;
    }
    if (!anchor) return wall;
    const auto server_now =
        anchor->server + std::chrono::duration_cast<std::chrono::system_clock::duration>(steady_() - anchor->steady);
    const auto apart = wall > server_now ? wall - server_now : server_now - wall;
    return apart <= kClockTolerance ? wall : server_now;
}

std::optional<std::chrono::seconds> TrustedClock::wall_offset() const {
    std::optional<Anchor> anchor;
    {
        const std::lock_guard lock(mutex_);
        anchor = anchor_;
    }
    if (!anchor) return std::nullopt;
    const auto server_now =
        anchor->server + std::chrono::duration_cast<std::chrono::system_clock::duration>(steady_() - anchor->steady);
    return std::chrono::duration_cast<std::chrono::seconds>(wall_() - server_now);
}

std::optional<std::chrono::system_clock::time_point> parse_utc_iso(std::string_view text) {
    // Exactly YYYY-MM-DDTHH:MM:SSZ; fields checked for range, then normalised by timegm,
    // which must give the same fields back (no 31st of February).
    if (text.size() != 20 || text[4] != '-' || text[7] != '-' || text[10] != 'T' || text[13] != ':' ||
        text[16] != ':' || text[19] != 'Z') {
        return std::nullopt;
    }
    auto number = [&](std::size_t at, std::size_t count) {
        int value = 0;
        for (std::size_t i = at; i < at + count; ++i) {
            if (text[i] < '0' || text[i] > '9') return -1;
            value = value * 10 + (text[i] - '0');
        }
        return value;
    };
    std::tm tm{};
    tm.tm_year = number(0, 4) - 1900;
    tm.tm_mon = number(5, 2) - 1;
    tm.tm_mday = number(8, 2);
    tm.tm_hour = number(11, 2);
    tm.tm_min = number(14, 2);
    tm.tm_sec = number(17, 2);
    if (tm.tm_year < 0 || tm.tm_mon < 0 || tm.tm_mon > 11 || tm.tm_mday < 1 || tm.tm_hour < 0 || tm.tm_hour > 23 ||
        tm.tm_min < 0 || tm.tm_min > 59 || tm.tm_sec < 0 || tm.tm_sec > 60) {
        return std::nullopt;
    }
    const std::tm asked = tm;
    const std::time_t seconds = timegm(&tm);
    if (seconds == static_cast<std::time_t>(-1) || tm.tm_mday != asked.tm_mday || tm.tm_mon != asked.tm_mon) {
        return std::nullopt;
    }
    return std::chrono::system_clock::from_time_t(seconds);
}

std::string format_utc_iso(std::chrono::system_clock::time_point when) {
    const std::time_t seconds = std::chrono::system_clock::to_time_t(when);
    std::tm utc{};
    gmtime_r(&seconds, &utc);
    char text[32];
    std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &utc);
    return text;
}

}  // namespace tillit
