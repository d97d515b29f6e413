// The time the kiosk stamps on answers (as a coarse bucket). The wall clock is used
// while it agrees with the server's; once a heartbeat has told this process the
// server's time, a wall clock more than kClockTolerance away from it (a dead RTC
// battery, a technician's typo, a bad NTP answer) is replaced by the server's time
// carried forward on the monotonic clock, which no wall-clock jump moves. Not handled:
// before the first heartbeat of a run the wall clock is used as it is (nothing better is
// known), and the monotonic clock does not count a suspended machine (kiosks never sleep).
#pragma once

#include <chrono>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

namespace tillit {

// Closer than this to the server's clock, the kiosk's own clock is trusted as it is.
inline constexpr std::chrono::minutes kClockTolerance{5};

class TrustedClock {
public:
    using WallNow = std::function<std::chrono::system_clock::time_point()>;
    using SteadyNow = std::function<std::chrono::steady_clock::time_point()>;

    // Injectable clocks for tests; the defaults are the real ones.
    explicit TrustedClock(WallNow wall = std::chrono::system_clock::now,
                          SteadyNow steady = std::chrono::steady_clock::now);

    // The server's clock as it answered, observed at `received` on the monotonic clock.
    void observe_server_time(std::chrono::system_clock::time_point server,
                             std::chrono::steady_clock::time_point received);
    // The time to stamp: the wall clock, or the server's time carried forward when the
    // wall clock is off by more than kClockTolerance. Safe from any thread.
    std::chrono::system_clock::time_point now() const;
    // Wall clock minus the server's clock, once a server time was observed.
    std::optional<std::chrono::seconds> wall_offset() const;

private:
    struct Anchor {
        std::chrono::system_clock::time_point server;
        std::chrono::steady_clock::time_point steady;
    };
    WallNow wall_;
    SteadyNow steady_;
    mutable std::mutex mutex_;
    std::optional<Anchor> anchor_;  // guarded by mutex_
};

// "2026-11-23T14:07:12Z" (UTC, as the protocol writes times); nullopt for anything else.
std::optional<std::chrono::system_clock::time_point> parse_utc_iso(std::string_view text);
// The inverse: a time point as "YYYY-MM-DDTHH:MM:SSZ".
std::string format_utc_iso(std::chrono::system_clock::time_point when);

}  // namespace tillit
