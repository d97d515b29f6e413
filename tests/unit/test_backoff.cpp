// Tests for core/sync/backoff: full jitter stays within [floor, min(cap, base * 2^n)],
// is spread over that whole range, never overflows after weeks offline, and never
// drops below the floor (no spinning) even when the random source returns 0 forever.
#include <doctest/doctest.h>

#include <chrono>
#include <climits>
#include <cstdint>
#include <vector>

#include "core/sync/backoff.h"

using namespace std::chrono_literals;
using tillit::sync::backoff_delay;
using tillit::sync::BackoffPolicy;

namespace {

long long ms(std::chrono::milliseconds d) {
    return d.count();
}

}  // namespace

TEST_CASE("backoff: the random source is asked for min(cap, base * 2^failures)") {
    const BackoffPolicy policy;  // base 2 s, cap 15 min, floor 250 ms
    std::vector<std::uint64_t> asked;
    auto highest = [&asked](std::uint64_t upper) {
        asked.push_back(upper);
        return upper;
    };
    CHECK(ms(backoff_delay(1, policy, highest)) == 4000);
    CHECK(ms(backoff_delay(2, policy, highest)) == 8000);
    CHECK(ms(backoff_delay(3, policy, highest)) == 16000);
    CHECK(ms(backoff_delay(8, policy, highest)) == 512000);
    CHECK(ms(backoff_delay(9, policy, highest)) == 900000);  // 1024 s > the 15 min cap
    CHECK(ms(backoff_delay(10, policy, highest)) == 900000);
    CHECK(asked == std::vector<std::uint64_t>{4000, 8000, 16000, 512000, 900000, 900000});
}

TEST_CASE("backoff: never below the floor, so a zero draw cannot make the worker spin") {
    const BackoffPolicy policy;
    auto zero = [](std::uint64_t) { return std::uint64_t{0}; };
    for (int failures : {1, 2, 5, 30}) CHECK(ms(backoff_delay(failures, policy, zero)) == 250);
    CHECK(ms(backoff_delay(0, policy, zero)) == 250);
    CHECK(ms(backoff_delay(-3, policy, zero)) == 250);
}

TEST_CASE("backoff: weeks of failures neither overflow nor exceed the cap") {
    const BackoffPolicy policy;
    auto highest = [](std::uint64_t upper) { return upper; };
    for (int failures : {40, 62, 63, 64, 1000, 100000, INT_MAX}) {
        CHECK_MESSAGE(ms(backoff_delay(failures, policy, highest)) == 900000, failures);
    }
    // A random source that misbehaves (returns more than asked) is clamped too.
    auto too_high = [](std::uint64_t) { return UINT64_MAX; };
    CHECK(ms(backoff_delay(3, policy, too_high)) == 16000);
}

TEST_CASE("backoff: the real CSPRNG stays in bounds and spreads over the whole range") {
    const BackoffPolicy policy;
    for (int failures = 1; failures <= 12; ++failures) {
        const long long ceiling = std::min<long long>(900000, 2000LL << failures);
        long long low = LLONG_MAX;
        long long high = 0;
        double sum = 0;
        constexpr int samples = 2000;
        for (int i = 0; i < samples; ++i) {
            const long long delay = ms(backoff_delay(failures, policy));
            REQUIRE(delay >= 250);
            REQUIRE(delay <= ceiling);
            low = std::min(low, delay);
            high = std::max(high, delay);
            sum += static_cast<double>(delay);
        }
        // Full jitter: uniform over [0, ceiling], so the mean is near ceiling / 2 and
        // draws reach both ends (each bound fails with probability far below 1e-9).
        const double mean = sum / samples;
        CHECK_MESSAGE(mean > 0.43 * static_cast<double>(ceiling), failures);
        CHECK_MESSAGE(mean < 0.57 * static_cast<double>(ceiling), failures);
        CHECK_MESSAGE(low < std::max<long long>(250, ceiling / 100) + 1, failures);
        CHECK_MESSAGE(high > ceiling - ceiling / 100, failures);
    }
}

TEST_CASE("backoff: tests may shorten every bound") {
    const BackoffPolicy fast{.base = 10ms, .cap = 50ms, .floor = 1ms};
    for (int i = 0; i < 200; ++i) {
        const auto delay = backoff_delay(4, fast);
        CHECK(delay >= 1ms);
        CHECK(delay <= 50ms);
    }
}
