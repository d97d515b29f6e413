// Tests for core/trusted_clock: the wall clock while it agrees with the server's, the
// server's time carried forward on the monotonic clock when the wall clock jumped, and
// the protocol's UTC time text. Clocks are injected; nothing here sleeps.
#include <doctest/doctest.h>

#include <chrono>

#include "core/privacy.h"
#include "core/trusted_clock.h"

using namespace std::chrono;
using tillit::TrustedClock;

namespace {

struct FakeClocks {
    system_clock::time_point wall = system_clock::from_time_t(1'795'000'000);  // 2026-11-18
    steady_clock::time_point steady{hours(1000)};
    TrustedClock clock{[this] { return wall; }, [this] { return steady; }};
};

constexpr auto kTwentyYears = hours(24 * 365 * 20);

}  // namespace

TEST_CASE("trusted clock: before any server time the wall clock is used as it is") {
    FakeClocks f;
    CHECK(f.clock.now() == f.wall);
    f.wall += kTwentyYears;
    CHECK(f.clock.now() == f.wall);
    CHECK_FALSE(f.clock.wall_offset().has_value());
}

TEST_CASE("trusted clock: a wall clock within the tolerance of the server's is kept") {
    FakeClocks f;
    f.clock.observe_server_time(f.wall + minutes(3), f.steady);
    CHECK(f.clock.now() == f.wall);
    CHECK(f.clock.wall_offset() == seconds(-180));
}

TEST_CASE("trusted clock: a wall clock that jumps years forward or back is replaced by the server's time") {
    FakeClocks f;
    const auto server = f.wall;
    f.clock.observe_server_time(server, f.steady);
    // 90 minutes pass on both clocks, and the wall clock jumps 20 years ahead.
    f.steady += minutes(90);
    f.wall += minutes(90) + kTwentyYears;
    CHECK(f.clock.now() == server + minutes(90));
    CHECK(f.clock.wall_offset() == duration_cast<seconds>(kTwentyYears));
    // Two hours later it jumps 40 years back.
    f.steady += hours(2);
    f.wall += hours(2) - 2 * kTwentyYears;
    CHECK(f.clock.wall_offset() == -duration_cast<seconds>(kTwentyYears));
    CHECK(f.clock.now() == server + minutes(210));
    // The bucket is the real hour, not 2006's or 2046's.
    CHECK(tillit::time_bucket(tillit::TimeBucket::Day, f.clock.now()) ==
          tillit::time_bucket(tillit::TimeBucket::Day, server + minutes(210)));
    // The clock put right again: the wall clock is used again.
    f.wall = server + minutes(210) + seconds(1);
    CHECK(f.clock.now() == f.wall);
}

TEST_CASE("trusted clock: the protocol's UTC time text is read strictly and written back the same") {
    const auto when = tillit::parse_utc_iso("2026-11-23T14:07:12Z");
    REQUIRE(when.has_value());
    CHECK(system_clock::to_time_t(*when) == 1'795'442'832);
    CHECK(tillit::format_utc_iso(*when) == "2026-11-23T14:07:12Z");
    for (const char* bad :
         {"", "2026-11-23T14:07:12", "2026-11-23 14:07:12Z", "2026-13-01T00:00:00Z", "2026-02-31T00:00:00Z",
          "2026-11-23T24:00:00Z", "2026-11-23T14:07:1xZ", "2026-11-23T14:07:12+01:00"}) {
        CHECK_MESSAGE(!tillit::parse_utc_iso(bad).has_value(), bad);
    }
}
