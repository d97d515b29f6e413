// A per-key token bucket (one bucket per device, or per address for enrolment) so one
// kiosk stuck in a loop cannot starve the others. In memory only: a restart forgets
// the buckets, which errs on the side of letting kiosks in. Not a defence against a
// flood of connections; that belongs in front of the server (firewall, proxy).
#pragma once

#include <chrono>
#include <map>
#include <mutex>
#include <optional>
#include <string>

namespace tillit::server {

class RateLimiter {
public:
    using Clock = std::chrono::steady_clock;

    // Each key may burst to `per_minute` requests and then gets `per_minute` a minute.
    explicit RateLimiter(int per_minute);

    // Takes one token for `key`. nullopt: go ahead. Otherwise the whole seconds to wait
    // until a token is free (for Retry-After, at least 1).
    std::optional<int> take(const std::string& key, Clock::time_point now = Clock::now());

private:
    struct Bucket {
        double tokens = 0;
        Clock::time_point updated;
    };
    void forget_full_buckets(Clock::time_point now);

    double capacity_;
    double per_second_;
    std::mutex mutex_;
    std::map<std::string, Bucket> buckets_;
};

}  // namespace tillit::server
