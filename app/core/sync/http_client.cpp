// libcurl transport for the sync client. Every option that keeps the kiosk safe on a
// hostile network is set once when the handle is made and checked: a libcurl that
// refuses one of them makes create() fail rather than run with weaker settings.
// Not handled here: what a status means (sync_client) and retrying (sync_worker).
#include "core/sync/http_client.h"

#include <curl/curl.h>

#include <algorithm>
#include <cctype>
#include <mutex>

namespace tillit::sync {
namespace {

// curl_global_init is not thread-safe before 7.84 builds and must run before the first
// handle; once per process.
std::once_flag g_curl_once;
bool g_curl_ready = false;

struct CurlDeleter {
    void operator()(CURL* handle) const { curl_easy_cleanup(handle); }
};
struct SlistDeleter {
    void operator()(curl_slist* list) const { curl_slist_free_all(list); }
};
struct UrlDeleter {
    void operator()(CURLU* url) const { curl_url_cleanup(url); }
};
struct CurlStringDeleter {
    void operator()(char* text) const { curl_free(text); }
};
using CurlHandle = std::unique_ptr<CURL, CurlDeleter>;
using HeaderList = std::unique_ptr<curl_slist, SlistDeleter>;

// A server asking for a longer pause than a day is treated as asking for a day.
constexpr long long kMaxRetryAfterSeconds = 86400;

std::string lowercase(std::string text) {
    std::transform(text.begin(), text.end(), text.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return text;
}

std::string_view trim(std::string_view text) {
    while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front()))) text.remove_prefix(1);
    while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) text.remove_suffix(1);
    return text;
}

std::string host_of(const std::string& url) {
    const std::unique_ptr<CURLU, UrlDeleter> parsed(curl_url());
    if (!parsed || curl_url_set(parsed.get(), CURLUPART_URL, url.c_str(), 0) != CURLUE_OK) return {};
    char* raw = nullptr;
    if (curl_url_get(parsed.get(), CURLUPART_HOST, &raw, 0) != CURLUE_OK) return {};
    const std::unique_ptr<char, CurlStringDeleter> host(raw);
    return lowercase(host.get());
}

// What a failed transfer means for the admin reading the log; curl's own detail follows.
std::string plain_words(CURLcode rc, bool too_large) {
    switch (rc) {
        case CURLE_COULDNT_RESOLVE_HOST:
            return "cannot find the server by name; check the network and server_url";
        case CURLE_COULDNT_CONNECT:
            return "cannot connect to the server; it may be down, or the network is out";
        case CURLE_OPERATION_TIMEDOUT:
            return "the server did not answer in time";
        case CURLE_PEER_FAILED_VERIFICATION:
            return "the server's certificate is not trusted or not for this host name; check ca_file and server_url";
        case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
            return "the server's public key does not match pinned_public_key";
        case CURLE_SSL_CACERT_BADFILE:
            return "cannot read the certificates in ca_file";
        case CURLE_SSL_CONNECT_ERROR:
            return "the secure (TLS) connection to the server failed";
        case CURLE_UNSUPPORTED_PROTOCOL:
            return "the server address uses a protocol that is not allowed";
        case CURLE_ABORTED_BY_CALLBACK:
            return "the transfer was stopped";
        case CURLE_WRITE_ERROR:
            return too_large ? "the server's answer is larger than 16 MiB" : "cannot store the server's answer";
        case CURLE_GOT_NOTHING:
        case CURLE_RECV_ERROR:
        case CURLE_SEND_ERROR:
        case CURLE_PARTIAL_FILE:
            return "the connection broke before the server's answer arrived";
        default:
            return std::string("the request failed: ") + curl_easy_strerror(rc);
    }
}

bool has_line_break(std::string_view text) {
    return text.find_first_of("\r\n") != std::string_view::npos;
}

}  // namespace

struct HttpClient::Impl {
    CurlHandle handle;
    std::string base_url;  // server_url without a trailing '/'
    const std::atomic<bool>* cancel = nullptr;
    char error_buffer[CURL_ERROR_SIZE] = {};
    // One transfer's answer, reset before each request.
    std::string body;
    bool too_large = false;
    std::string retry_after;

    static std::size_t on_body(char* data, std::size_t size, std::size_t count, void* user) {
        auto* self = static_cast<Impl*>(user);
        const std::size_t bytes = size * count;
        if (self->body.size() + bytes > kMaxAnswerBytes) {
            self->too_large = true;
            return 0;  // aborts the transfer with CURLE_WRITE_ERROR
        }
        self->body.append(data, bytes);
        return bytes;
    }

    static std::size_t on_header(char* data, std::size_t size, std::size_t count, void* user) {
        auto* self = static_cast<Impl*>(user);
        const std::size_t bytes = size * count;
        const std::string_view line(data, bytes);
        // A new status line starts a new header block (after a 100 Continue, say).
        if (line.rfind("HTTP/", 0) == 0) self->retry_after.clear();
        const auto colon = line.find(':');
        if (colon != std::string_view::npos && lowercase(std::string(trim(line.substr(0, colon)))) == "retry-after") {
            self->retry_after = std::string(trim(line.substr(colon + 1)));
        }
        return bytes;
    }

    static int on_progress(void* user, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
        const auto* self = static_cast<Impl*>(user);
        return self->cancel != nullptr && self->cancel->load() ? 1 : 0;
    }
};

HttpClient::HttpClient(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
HttpClient::~HttpClient() = default;
HttpClient::HttpClient(HttpClient&&) noexcept = default;
HttpClient& HttpClient::operator=(HttpClient&&) noexcept = default;

Result<HttpClient> HttpClient::create(const SyncConfig& config) {
    if (const Status allowed = check_server_url(config.server_url, config.allow_http_loopback); !allowed) {
        return make_error("server_url " + config.server_url + ": " + allowed.error());
    }
    std::call_once(g_curl_once, [] { g_curl_ready = curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK; });
    if (!g_curl_ready) return make_error("libcurl could not be initialised");

    auto impl = std::make_unique<Impl>();
    impl->handle.reset(curl_easy_init());
    if (!impl->handle) return make_error("libcurl could not make a connection handle");
    impl->base_url = config.server_url;
    while (!impl->base_url.empty() && impl->base_url.back() == '/') impl->base_url.pop_back();

    const std::string host = host_of(config.server_url);
    const bool loopback = host == "127.0.0.1" || host == "[::1]" || host == "localhost";
    const bool plain_http = lowercase(config.server_url).rfind("http://", 0) == 0;

    CURL* h = impl->handle.get();
    CURLcode rc = CURLE_OK;
    const char* refused = nullptr;
    auto set = [&](const char* name, auto option, auto value) {
        if (rc != CURLE_OK) return;
        rc = curl_easy_setopt(h, option, value);
        if (rc != CURLE_OK) refused = name;
    };
    // Signals are the process's business; a timeout must not raise SIGALRM in a thread.
    set("NOSIGNAL", CURLOPT_NOSIGNAL, 1L);
    // Every limit at least 1: curl reads 0 as "no limit", and the kiosk must never wait forever.
    const HttpTimeouts& limits = config.timeouts;
    set("CONNECTTIMEOUT_MS", CURLOPT_CONNECTTIMEOUT_MS,
        static_cast<long>(std::max<long long>(limits.connect.count(), 1)));
    set("TIMEOUT_MS", CURLOPT_TIMEOUT_MS, static_cast<long>(std::max<long long>(limits.total.count(), 1)));
    set("LOW_SPEED_LIMIT", CURLOPT_LOW_SPEED_LIMIT, std::max(limits.low_speed_bytes_per_second, 1L));
    set("LOW_SPEED_TIME", CURLOPT_LOW_SPEED_TIME,
        static_cast<long>(std::max<long long>(limits.low_speed_time.count(), 1)));
    set("SSLVERSION", CURLOPT_SSLVERSION, static_cast<long>(CURL_SSLVERSION_TLSv1_2));
    set("SSL_VERIFYPEER", CURLOPT_SSL_VERIFYPEER, 1L);
    set("SSL_VERIFYHOST", CURLOPT_SSL_VERIFYHOST, 2L);
    if (!config.ca_file.empty()) set("CAINFO", CURLOPT_CAINFO, config.ca_file.c_str());
    if (!config.pinned_public_key.empty()) {
        set("PINNEDPUBLICKEY", CURLOPT_PINNEDPUBLICKEY, config.pinned_public_key.c_str());
    }
    // check_server_url allowed http only for loopback with allow_http_loopback.
    set("PROTOCOLS_STR", CURLOPT_PROTOCOLS_STR, plain_http && loopback ? "http,https" : "https");
    set("FOLLOWLOCATION", CURLOPT_FOLLOWLOCATION, 0L);
    // CURLOPT_REDIR_PROTOCOLS_STR cannot say "none" (it refuses ""), so the older
    // bitmask option does: no protocol may ever be redirected to.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
    set("REDIR_PROTOCOLS", CURLOPT_REDIR_PROTOCOLS, 0L);
#pragma GCC diagnostic pop
    // A loopback test server is never reached through a proxy from the environment.
    if (loopback) set("NOPROXY", CURLOPT_NOPROXY, "*");
    set("USERAGENT", CURLOPT_USERAGENT, "tillit-kiosk/" TILLIT_VERSION);
    set("ERRORBUFFER", CURLOPT_ERRORBUFFER, impl->error_buffer);
    set("WRITEFUNCTION", CURLOPT_WRITEFUNCTION, &Impl::on_body);
    set("WRITEDATA", CURLOPT_WRITEDATA, static_cast<void*>(impl.get()));
    set("HEADERFUNCTION", CURLOPT_HEADERFUNCTION, &Impl::on_header);
    set("HEADERDATA", CURLOPT_HEADERDATA, static_cast<void*>(impl.get()));
    set("XFERINFOFUNCTION", CURLOPT_XFERINFOFUNCTION, &Impl::on_progress);
    set("XFERINFODATA", CURLOPT_XFERINFODATA, static_cast<void*>(impl.get()));
    set("NOPROGRESS", CURLOPT_NOPROGRESS, 0L);
    if (rc != CURLE_OK) {
        return make_error(std::string("libcurl refused the setting ") + refused + ": " + curl_easy_strerror(rc));
    }
    return HttpClient(std::move(impl));
}

void HttpClient::set_cancel_flag(const std::atomic<bool>* cancel) {
    impl_->cancel = cancel;
}

Result<HttpResponse> HttpClient::post(const std::string& path, std::string_view body, const HttpHeaders& headers) {
    Impl& impl = *impl_;
    CURL* h = impl.handle.get();
    // "Expect:" stops libcurl waiting for a 100 Continue before large bodies.
    std::vector<std::string> lines = {std::string("Content-Type: application/gzip"), "Expect:"};
    for (const auto& [name, value] : headers) {
        if (has_line_break(name) || has_line_break(value)) return make_error("a request header holds a line break");
        lines.push_back(name + ": " + value);
    }
    HeaderList list;
    for (const std::string& line : lines) {
        // Returns the list's head: new on the first append, the same one afterwards.
        curl_slist* head = curl_slist_append(list.get(), line.c_str());
        if (head == nullptr) return make_error("out of memory while building the request");
        if (!list) list.reset(head);
    }
    impl.body.clear();
    impl.too_large = false;
    impl.retry_after.clear();
    impl.error_buffer[0] = '\0';
    const std::string url = impl.base_url + path;
    curl_easy_setopt(h, CURLOPT_URL, url.c_str());
    curl_easy_setopt(h, CURLOPT_POST, 1L);
    curl_easy_setopt(h, CURLOPT_POSTFIELDS, body.data());
    curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, list.get());
    const CURLcode rc = curl_easy_perform(h);
    // The list dies with this call; the handle must not keep pointing at it.
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, nullptr);
    curl_easy_setopt(h, CURLOPT_POSTFIELDS, nullptr);

    if (rc != CURLE_OK) {
        const std::string plain = plain_words(rc, impl.too_large);
        const std::string detail = impl.error_buffer;
        return make_error(detail.empty() ? plain : plain + " (" + detail + ")");
    }
    HttpResponse response;
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &response.status);
    if (!impl.retry_after.empty()) response.retry_after = parse_retry_after(impl.retry_after, std::time(nullptr));
    response.body = std::move(impl.body);
    impl.body.clear();
    return response;
}

std::optional<std::chrono::seconds> parse_retry_after(std::string_view value, std::time_t now) {
    value = trim(value);
    if (value.empty()) return std::nullopt;
    if (std::all_of(value.begin(), value.end(), [](char c) { return c >= '0' && c <= '9'; })) {
        // Long digit strings would overflow; anything beyond a day means "a day".
        if (value.size() > 9) return std::chrono::seconds(kMaxRetryAfterSeconds);
        return std::chrono::seconds(std::min(std::stoll(std::string(value)), kMaxRetryAfterSeconds));
    }
    const std::time_t when = curl_getdate(std::string(value).c_str(), nullptr);
    if (when == -1) return std::nullopt;
    const long long delta = static_cast<long long>(when) - static_cast<long long>(now);
    return std::chrono::seconds(std::clamp(delta, 0LL, kMaxRetryAfterSeconds));
}

}  // namespace tillit::sync
