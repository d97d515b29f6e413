// The sync client's HTTP transport: one libcurl easy handle that POSTs raw bytes to the
// configured server under the rules of docs/sync-protocol.md ("Transport"): TLS 1.2+,
// peer and host verified, optional CA file and pinned key, https only (http only for a
// loopback test server when allowed), no redirects, bounded timeouts. It knows nothing
// about batches, signatures or retries (sync_client does); one client per thread.
#pragma once

#include <atomic>
#include <chrono>
#include <ctime>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/config.h"
#include "core/result.h"

namespace tillit::sync {

struct HttpResponse {
    long status = 0;
    std::optional<std::chrono::seconds> retry_after;  // from Retry-After (seconds or HTTP-date)
    std::string body;
};

using HttpHeaders = std::vector<std::pair<std::string, std::string>>;

// The largest answer the kiosk reads; the protocol's answers are small JSON.
constexpr std::size_t kMaxAnswerBytes = 16u * 1024u * 1024u;

class HttpClient {
public:
    // Refuses a server_url the transport rule does not allow, before any connection.
    static Result<HttpClient> create(const SyncConfig& config);
    ~HttpClient();
    HttpClient(HttpClient&&) noexcept;
    HttpClient& operator=(HttpClient&&) noexcept;

    // POSTs `body` to server_url + path as application/gzip with `headers`. A network
    // failure (no connection, timeout, TLS refused, answer too large) is an Error in
    // plain words; any HTTP status, 500 included, is a response.
    Result<HttpResponse> post(const std::string& path, std::string_view body, const HttpHeaders& headers);

    // While *cancel is true, a transfer in progress is aborted within about a second
    // (the sync worker's stop()). nullptr: never cancelled.
    void set_cancel_flag(const std::atomic<bool>* cancel);

private:
    struct Impl;
    explicit HttpClient(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> impl_;
};

// Retry-After as seconds from `now`: delta-seconds ("120") or an HTTP-date; nullopt when
// the value is neither. A date in the past gives 0.
std::optional<std::chrono::seconds> parse_retry_after(std::string_view value, std::time_t now);

}  // namespace tillit::sync
