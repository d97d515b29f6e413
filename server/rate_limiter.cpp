// Token buckets refilled continuously on the monotonic clock (a wall-clock jump must
// neither block kiosks nor let them through). The map is pruned of full buckets when
// it grows, since a full bucket behaves exactly like an absent one.
#include "rate_limiter.h"

#include <algorithm>
#include <cmath>

namespace tillit::server {
namespace {
constexpr std::size_t kPruneAbove = 10000;
}

RateLimiter::RateLimiter(int per_minute)
    : capacity_(std::max(1, per_minute)), per_second_(std::max(1, per_minute) / 60.0) {}

std::optional<int> RateLimiter::take(const std::string& key, Clock::time_point now) {
    const std::lock_guard lock(mutex_);
    if (buckets_.size() > kPruneAbove) forget_full_buckets(now);
    auto [it, fresh] = buckets_.try_emplace(key, Bucket{.tokens = capacity_, .updated = now});
    Bucket& bucket = it->second;
    if (!fresh && now > bucket.updated) {
        const double elapsed = std::chrono::duration<double>(now - bucket.updated).count();
        bucket.tokens = std::min(capacity_, bucket.tokens + elapsed * per_second_);
        bucket.updated = now;
    }
    if (bucket.tokens >= 1.0) {
        bucket.tokens -= 1.0;
        return std::nullopt;
    }
    const double wait = (1.0 - bucket.tokens) / per_second_;
    return std::max(1, static_cast<int>(std::ceil(wait)));
}

void RateLimiter::forget_full_buckets(Clock::time_point now) {
    std::erase_if(buckets_, [&](const auto& entry) {
        const Bucket& bucket = entry.second;
        const double elapsed = std::chrono::duration<double>(now - bucket.updated).count();
        return bucket.tokens + elapsed * per_second_ >= capacity_;
    });
}

}  // namespace tillit::server
