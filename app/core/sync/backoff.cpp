// Full-jitter backoff. The exponent is clamped before shifting, so a kiosk that has been
// offline for weeks (thousands of failures) still gets a delay no longer than the cap.
#include "core/sync/backoff.h"

#include <algorithm>
#include <limits>

#include "core/privacy.h"

namespace tillit::sync {

std::uint64_t secure_random(std::uint64_t upper_inclusive) {
    // randombytes_uniform takes a 32-bit exclusive bound; delays in ms fit easily.
    const std::uint64_t bound = std::min<std::uint64_t>(upper_inclusive, std::numeric_limits<std::uint32_t>::max() - 1);
    return secure_uniform(static_cast<std::uint32_t>(bound + 1));
}

std::chrono::milliseconds backoff_delay(int failures, const BackoffPolicy& policy, const UniformRandom& random) {
    const long long floor = std::max<long long>(policy.floor.count(), 0);
    if (failures <= 0) return std::chrono::milliseconds(floor);
    const long long base = std::max<long long>(policy.base.count(), 1);
    const long long cap = std::max<long long>(policy.cap.count(), 0);
    // 2^40 times any sane base is past any sane cap; beyond that the shift would overflow.
    const int exponent = std::min(failures, 40);
    long long ceiling = cap;
    if (base <= (cap >> exponent)) ceiling = base << exponent;
    const auto drawn = static_cast<long long>(
        std::min<std::uint64_t>(random(static_cast<std::uint64_t>(ceiling)), static_cast<std::uint64_t>(ceiling)));
    return std::chrono::milliseconds(std::max(drawn, floor));
}

}  // namespace tillit::sync
