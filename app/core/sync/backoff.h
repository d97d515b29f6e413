// Retry delays for the sync worker (docs/sync-protocol.md, "Backoff"): exponential with
// full jitter, delay = random(0, min(cap, base * 2^failures)), never below a small floor
// so a run of unlucky draws cannot make the worker spin. A pure function: the caller
// counts failures, owns the clock (steady_clock) and injects the random source.
// Retry-After is not handled here; the worker waits for the longer of the two.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>

namespace tillit::sync {

struct BackoffPolicy {
    std::chrono::milliseconds base{2000};
    std::chrono::milliseconds cap{15 * 60 * 1000};
    std::chrono::milliseconds floor{250};  // never retry sooner than this
};

// A uniform integer in [0, upper_inclusive].
using UniformRandom = std::function<std::uint64_t(std::uint64_t upper_inclusive)>;

// libsodium's CSPRNG: kiosks that fail together (a server restart) do not retry together.
std::uint64_t secure_random(std::uint64_t upper_inclusive);

// The wait before the next try after `failures` consecutive failures (1 = the first).
// failures <= 0 gives the floor. Never more than max(cap, floor), for any count.
std::chrono::milliseconds backoff_delay(int failures, const BackoffPolicy& policy,
                                        const UniformRandom& random = secure_random);

}  // namespace tillit::sync
