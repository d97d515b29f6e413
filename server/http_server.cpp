// The /v1 endpoints on cpp-httplib. Each signed request goes through the same gate, in
// an order chosen so that nothing costly or revealing happens for a stranger:
// content type -> device + signature over the raw bytes (401) -> revoked (403) ->
// rate limit (429) -> bounded gunzip (413) -> JSON (400). The device, signature and
// inflate steps are batch_ingest's; a batch goes through ingest_batch (shared with
// `tillit-server import`) and commits in ServerStore::put_batch before the answer is
// written. Logs carry counts and ids, never item content, answers or heartbeat bodies.
#include "http_server.h"

#include <arpa/inet.h>
#include <sys/socket.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <ctime>
#include <httplib.h>
#include <mutex>
#include <optional>
#include <thread>

#include "batch_ingest.h"
#include "core/trusted_clock.h"
#include "rate_limiter.h"
#include "report_web.h"

namespace tillit::server {
namespace {

using Json = nlohmann::json;
using SteadyClock = std::chrono::steady_clock;

// Between two reads or writes of one request; generous for kiosks on poor networks.
constexpr time_t kSocketTimeoutSeconds = 30;
// httplib serves each connection on one pool thread for as long as the client keeps it
// alive. With its 5 s keep-alive, the 9th of 20 kiosks syncing at once waited for other
// kiosks' idle connections to time out (fleet_bench: batch p99 10 s); with 1 s it is 2 s.
// More threads did better there (64: p99 0.7 s) but let 40 attacking clients slow the good
// kiosks' p99 3-5x (test_server_abuse), against 1.6x with 8: the pool stays at 8.
constexpr std::size_t kWorkerThreads = 8;
constexpr time_t kKeepAliveSeconds = 1;

// Connections waiting to be accepted. Debian's libcpp-httplib (0.11.4) listens with a
// backlog of 5, fixed when the library was built: under 50 concurrent clients the
// kernel then dropped handshakes (TcpExtListenOverflows) and some kiosks' requests
// were closed unanswered (tests/sync/test_server_abuse.cpp). The kernel caps this at
// net.core.somaxconn.
constexpr int kListenBacklog = 1024;

std::string utc_timestamp_ms() {
    const auto now = std::chrono::system_clock::now();
    const std::time_t t = std::chrono::system_clock::to_time_t(now);
    const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() % 1000;
    std::tm tm{};
    gmtime_r(&t, &tm);
    char text[40];
    const std::size_t n = std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%S", &tm);
    std::snprintf(text + n, sizeof text - n, ".%03dZ", static_cast<int>(ms));
    return text;
}

// Replace, not throw, on invalid UTF-8: an error reason may quote a header value.
std::string dump(const Json& value) { return value.dump(-1, ' ', false, Json::error_handler_t::replace); }

void reply(httplib::Response& res, int status, const Json& body) {
    res.status = status;
    res.set_content(dump(body), "application/json");
}

void reply_error(httplib::Response& res, Json& log, int status, const std::string& message) {
    reply(res, status, Json{{"error", message}});
    log["error"] = message;
}

bool is_gzip_content_type(const httplib::Request& req) {
    const std::string type = req.get_header_value("Content-Type");
    // A parameter (e.g. "; charset=binary") is harmless; another type is not.
    return type == wire::kContentType || type.starts_with(std::string(wire::kContentType) + ";");
}

// The HTTP answer to a refused request (batch_ingest.h's kinds).
int http_status(RefusalKind kind) {
    switch (kind) {
        case RefusalKind::UnknownDevice:
        case RefusalKind::BadSignature: return 401;
        case RefusalKind::Revoked: return 403;
        case RefusalKind::Gate: return 429;
        case RefusalKind::TooLarge: return 413;
        case RefusalKind::Corrupt: return 400;
        case RefusalKind::StoreFailed: return 500;
    }
    return 500;
}

std::string openssl_errors() {
    std::string text;
    while (const unsigned long code = ERR_get_error()) {
        char buffer[256];
        ERR_error_string_n(code, buffer, sizeof buffer);
        if (!text.empty()) text += "; ";
        text += buffer;
    }
    return text.empty() ? "unknown OpenSSL error" : text;
}

}  // namespace

Result<ListenAddress> parse_listen_address(const std::string& text) {
    std::string host;
    std::string port_text;
    if (text.starts_with("[")) {
        const auto close = text.find(']');
        if (close == std::string::npos || close + 1 >= text.size() || text[close + 1] != ':') {
            return make_error("--listen must be HOST:PORT, e.g. 127.0.0.1:8443 or [::1]:8443");
        }
        host = text.substr(1, close - 1);
        port_text = text.substr(close + 2);
    } else {
        const auto colon = text.rfind(':');
        if (colon == std::string::npos || text.find(':') != colon) {
            return make_error("--listen must be HOST:PORT, e.g. 127.0.0.1:8443 (IPv6 as [::1]:8443)");
        }
        host = text.substr(0, colon);
        port_text = text.substr(colon + 1);
    }
    if (host.empty()) return make_error("--listen needs a host, e.g. 127.0.0.1:8443");
    if (port_text.empty() || port_text.size() > 5 ||
        port_text.find_first_not_of("0123456789") != std::string::npos || std::stoi(port_text) > 65535) {
        return make_error("--listen needs a port from 0 to 65535 (0 picks a free one)");
    }
    return ListenAddress{.host = host, .port = std::stoi(port_text)};
}

bool is_loopback_host(const std::string& host) {
    if (host == "localhost" || host == "::1") return true;
    in_addr address{};
    if (inet_pton(AF_INET, host.c_str(), &address) == 1) return (ntohl(address.s_addr) >> 24) == 127;
    return false;
}

Result<Json> config_document(ServerStore& store) {
    auto surveys = store.surveys();
    if (!surveys) return make_error(surveys.error());
    auto settings = store.settings();
    if (!settings) return make_error(settings.error());
    Json document = {{"surveys", Json::object()}, {"settings", Json::object()}};
    for (const auto& [id, toml] : surveys.value()) document["surveys"][id] = toml;
    for (const auto& [key, value] : settings.value()) {
        Json parsed = Json::parse(value, nullptr, false);
        if (parsed.is_discarded()) return make_error("the stored setting " + key + " is not valid JSON");
        document["settings"][key] = std::move(parsed);
    }
    return document;
}

Result<Json> config_document(ServerStore& store, const std::string& venue_id) {
    auto document = config_document(store);
    if (!document) return document;
    auto feedback = venue_feedback(store, venue_id);
    if (!feedback) return make_error(feedback.error());
    // Absent when none: a kiosk of a venue without messages sees the same document (and
    // version) as before, and older kiosks ignore the key.
    if (feedback.value()) document.value()["feedback"] = *feedback.value();
    return document;
}

std::string config_version(const Json& document) { return wire::sha256_hex(wire::canonical(document)); }

struct HttpServer::Impl {
    ServerStore& store;
    HttpOptions options;
    std::ostream& log_stream;
    std::mutex log_mutex;
    RateLimiter device_limiter;
    RateLimiter enrol_limiter;
    std::unique_ptr<httplib::Server> server;
    std::unique_ptr<ReportPages> report_pages;  // /login, /report...: the admin's pages
    int port = 0;
    int listen_socket = -1;  // the socket bind() made, for kListenBacklog
    std::atomic<bool> stop_requested{false};
    std::atomic<bool> serving{false};
    std::atomic<bool> finished{false};

    Impl(ServerStore& s, const HttpOptions& o, std::ostream& l)
        : store(s),
          options(o),
          log_stream(l),
          device_limiter(o.rate_limit_per_minute),
          enrol_limiter(o.rate_limit_per_minute) {}

    // One line per request, written whole under a lock so lines from concurrent
    // requests never interleave.
    void write_log(Json entry) {
        const int status = entry.value("http_status", 0);
        Json line = {{"ts", utc_timestamp_ms()}, {"level", status >= 500 ? "error" : status >= 400 ? "warn" : "info"}};
        line.update(entry);
        const std::string text = dump(line);
        const std::lock_guard lock(log_mutex);
        log_stream << text << '\n' << std::flush;
    }

    using Handler = void (Impl::*)(const httplib::Request&, httplib::Response&, Json& log);

    httplib::Server::Handler logged(const char* event, Handler handler) {
        return [this, event, handler](const httplib::Request& req, httplib::Response& res) {
            const auto start = SteadyClock::now();
            Json log = {{"event", event}};
            (this->*handler)(req, res, log);
            log["http_status"] = res.status;
            log["ms"] = std::chrono::duration_cast<std::chrono::milliseconds>(SteadyClock::now() - start).count();
            write_log(std::move(log));
        };
    }

    void install_routes() {
        httplib::Server& s = *server;
        s.new_task_queue = [] { return new httplib::ThreadPool(kWorkerThreads); };
        s.set_keep_alive_timeout(kKeepAliveSeconds);
        s.set_payload_max_length(options.max_body_bytes);
        s.set_read_timeout(kSocketTimeoutSeconds);
        s.set_write_timeout(kSocketTimeoutSeconds);
        s.set_tcp_nodelay(true);

        // Before any body byte is read: refuse what would bypass our limits. httplib
        // would inflate a Content-Encoding body without bound, and a chunked body
        // has no length to check up front.
        s.set_pre_routing_handler([this](const httplib::Request& req, httplib::Response& res) {
            Json log = {{"event", "rejected"}, {"path", req.path}};
            const std::string encoding = req.get_header_value("Content-Encoding");
            if (!encoding.empty() && encoding != "identity") {
                reply_error(res, log, 415, "send the gzip body as Content-Type: application/gzip, without Content-Encoding");
            } else if (req.has_header("Transfer-Encoding") || (req.method == "POST" && !req.has_header("Content-Length"))) {
                // Without a length httplib would read until the peer closes (or times out).
                reply_error(res, log, 411, "send the body with a Content-Length, not chunked");
            } else if (too_long(req)) {
                reply_error(res, log, 413, "the body is larger than " + std::to_string(options.max_body_bytes) + " bytes");
                res.set_header("Connection", "close");
            } else {
                return httplib::Server::HandlerResponse::Unhandled;
            }
            log["http_status"] = res.status;
            write_log(std::move(log));
            return httplib::Server::HandlerResponse::Handled;
        });
        // curl asks before sending a large body: answer 413 then, before it uploads.
        s.set_expect_100_continue_handler([this](const httplib::Request& req, httplib::Response& res) {
            if (!too_long(req)) return 100;
            Json log = {{"event", "rejected"}, {"path", req.path}};
            reply_error(res, log, 413, "the body is larger than " + std::to_string(options.max_body_bytes) + " bytes");
            log["http_status"] = 413;
            write_log(std::move(log));
            return 413;
        });
        // Errors httplib raises itself (unknown path, over the payload limit, a bad
        // request line) get a JSON body too; our handlers' errors already have one.
        s.set_error_handler([this](const httplib::Request& req, httplib::Response& res) {
            if (!res.body.empty()) return;
            Json log = {{"event", "rejected"}, {"path", req.path}};
            // No request line: almost always the rest of a body refused unread (413,
            // 411) that httplib then parses as further requests. One line per refusal
            // is logged already; these would only repeat it.
            const bool leftover = req.path.empty() && res.status == 400;
            const std::string message = res.status == 404   ? "no such endpoint"
                                        : res.status == 413 ? "the body is larger than " +
                                                                  std::to_string(options.max_body_bytes) + " bytes"
                                                            : "the request was refused";
            reply_error(res, log, res.status, message);
            log["http_status"] = res.status;
            if (!leftover) write_log(std::move(log));
        });
        s.set_exception_handler([this](const httplib::Request& req, httplib::Response& res, std::exception_ptr) {
            Json log = {{"event", "exception"}, {"path", req.path}};
            reply_error(res, log, 500, "the server failed while answering; nothing was acknowledged");
            log["http_status"] = 500;
            write_log(std::move(log));
        });

        s.Get("/v1/health", logged("health", &Impl::handle_health));
        s.Post("/v1/enrol", logged("enrol", &Impl::handle_enrol));
        s.Post("/v1/batches", logged("batch", &Impl::handle_batch));
        s.Post("/v1/heartbeat", logged("heartbeat", &Impl::handle_heartbeat));
        s.Post("/v1/config", logged("config", &Impl::handle_config));
        const bool tls = !options.tls_cert_path.empty();
        report_pages = std::make_unique<ReportPages>(store, tls, [this](Json entry) { write_log(std::move(entry)); });
        report_pages->install(s);
    }

    bool too_long(const httplib::Request& req) const {
        const std::string length = req.get_header_value("Content-Length");
        if (length.empty()) return false;
        errno = 0;
        char* end = nullptr;
        const unsigned long long value = std::strtoull(length.c_str(), &end, 10);
        return errno == ERANGE || *end != '\0' || value > options.max_body_bytes;
    }

    // The body of an enrol request, inflated; nullopt after answering an error.
    std::optional<std::string> inflate(const httplib::Request& req, httplib::Response& res, Json& log) {
        auto inflated = inflate_body(req.body);
        if (auto* text = std::get_if<std::string>(&inflated)) return std::move(*text);
        reply_refusal(res, log, std::get<Refusal>(inflated));
        return std::nullopt;
    }

    void reply_refusal(httplib::Response& res, Json& log, const Refusal& refusal) {
        if (!refusal.device_id.empty()) log["device"] = refusal.device_id;
        if (!refusal.batch_id.empty()) {
            log["batch"] = refusal.batch_id;
            log["items"] = refusal.items;
        }
        const std::string advice = refusal.kind == RefusalKind::TooLarge ? "; split the batch" : "";
        reply_error(res, log, http_status(refusal.kind), refusal.message + advice);
    }

    std::optional<Json> json_object(const std::string& text, httplib::Response& res, Json& log) {
        Json doc = Json::parse(text, nullptr, false);
        if (doc.is_discarded() || !doc.is_object()) {
            reply_error(res, log, 400, "the body is not a JSON object");
            return std::nullopt;
        }
        return doc;
    }

    // The first step of every signed endpoint: the content type and both signature
    // headers are there. {device id, signature}; nullopt after answering an error.
    std::optional<std::pair<std::string, std::string>> signed_headers(const httplib::Request& req,
                                                                      httplib::Response& res, Json& log) {
        if (!is_gzip_content_type(req)) {
            reply_error(res, log, 415, "send the body gzip-compressed as Content-Type: application/gzip");
            return std::nullopt;
        }
        std::string device_id = req.get_header_value(wire::kDeviceHeader);
        std::string signature = req.get_header_value(wire::kSignatureHeader);
        if (device_id.empty() || signature.empty()) {
            reply_error(res, log, 401, std::string("unsigned request: ") + wire::kDeviceHeader + " and " +
                                           wire::kSignatureHeader + " are required");
            return std::nullopt;
        }
        return std::make_pair(std::move(device_id), std::move(signature));
    }

    // The per-device rate limit, after the signature, so nobody can spend a kiosk's
    // tokens by naming its id. A refusal message (with Retry-After set) or nullopt.
    std::optional<std::string> rate_limit(const Device& device, httplib::Response& res) {
        const auto wait = device_limiter.take(device.device_id);
        if (!wait) return std::nullopt;
        res.set_header("Retry-After", std::to_string(*wait));
        return "too many requests from this device; retry after " + std::to_string(*wait) + " s";
    }

    // The gate in front of the signed endpoints other than batches (see the top of
    // this file). On success: the device and the inflated body.
    std::optional<std::pair<Device, std::string>> authenticate(const httplib::Request& req, httplib::Response& res,
                                                               Json& log) {
        const auto headers = signed_headers(req, res, log);
        if (!headers) return std::nullopt;
        auto verified = verify_signed(store, req.path, headers->first, headers->second, req.body);
        if (const auto* refused = std::get_if<Refusal>(&verified)) {
            reply_refusal(res, log, *refused);
            return std::nullopt;
        }
        Device& device = std::get<Device>(verified);
        log["device"] = device.device_id;
        if (auto message = rate_limit(device, res)) {
            reply_error(res, log, 429, *message);
            return std::nullopt;
        }
        auto body = inflate(req, res, log);
        if (!body) return std::nullopt;
        return std::make_pair(std::move(device), std::move(*body));
    }

    void handle_health(const httplib::Request&, httplib::Response& res, Json&) {
        reply(res, 200, Json{{"status", "ok"}, {"protocol", wire::kProtocol}});
    }

    void handle_enrol(const httplib::Request& req, httplib::Response& res, Json& log) {
        if (!is_gzip_content_type(req)) {
            reply_error(res, log, 415, "send the body gzip-compressed as Content-Type: application/gzip");
            return;
        }
        // Per address: codes are 50 random bits, this only keeps guessing slow and cheap.
        if (const auto wait = enrol_limiter.take(req.remote_addr)) {
            res.set_header("Retry-After", std::to_string(*wait));
            reply_error(res, log, 429, "too many enrol attempts; retry after " + std::to_string(*wait) + " s");
            return;
        }
        const auto body = inflate(req, res, log);
        if (!body) return;
        const auto doc = json_object(*body, res, log);
        if (!doc) return;
        if (!doc->contains("code") || !(*doc)["code"].is_string() || !doc->contains("public_key") ||
            !(*doc)["public_key"].is_string()) {
            reply_error(res, log, 400, "enrol needs {\"code\", \"public_key\", \"app_version\"}");
            return;
        }
        const auto public_key = wire::base64_decode((*doc)["public_key"].get<std::string>());
        if (!public_key || public_key.value().size() != 32) {
            reply_error(res, log, 400, "public_key must be a base64 Ed25519 public key (32 bytes)");
            return;
        }
        auto keys = store.sealing_keys();
        if (!keys) {
            reply_error(res, log, 500, keys.error());
            return;
        }
        auto device = store.enrol((*doc)["code"].get<std::string>(), public_key.value());
        if (!device) {
            reply_error(res, log, 401, device.error());
            return;
        }
        log["device"] = device.value().device_id;
        reply(res, 200,
              Json{{"device_id", device.value().device_id},
                   {"venue_id", device.value().venue_id},
                   {"sealing_public_key", wire::base64_encode(keys.value().public_key)}});
    }

    // Everything after the headers is ingest_batch's, the same path as an import.
    void handle_batch(const httplib::Request& req, httplib::Response& res, Json& log) {
        const auto headers = signed_headers(req, res, log);
        if (!headers) return;
        const BatchRequest request{.device_id = headers->first, .signature_base64 = headers->second,
                                   .gzipped_body = req.body, .expected_batch_id = {}};
        auto outcome = ingest_batch(store, request, [&](const Device& device) { return rate_limit(device, res); });
        if (const auto* refused = std::get_if<Refusal>(&outcome)) {
            reply_refusal(res, log, *refused);
            return;
        }
        const IngestedBatch& batch = std::get<IngestedBatch>(outcome);
        const BatchCounts counts = batch.counts();
        log["device"] = batch.device_id;
        log["batch"] = batch.batch_id;
        log["items"] = batch.results.size();
        log["created"] = counts.created;
        log["duplicate"] = counts.duplicate;
        log["conflict"] = counts.conflict;
        log["invalid"] = counts.invalid;
        // put_batch has committed: only now may the kiosk hear that its items are safe.
        res.status = 200;
        res.set_content(wire::results_json(batch.batch_id, batch.results, batch.protocol), "application/json");
    }

    void handle_heartbeat(const httplib::Request& req, httplib::Response& res, Json& log) {
        auto authenticated = authenticate(req, res, log);
        if (!authenticated) return;
        const auto& [device, body] = *authenticated;
        const auto doc = json_object(body, res, log);
        if (!doc) return;
        if (Status stored = store.record_heartbeat(device.device_id, wire::canonical(*doc)); !stored) {
            reply_error(res, log, 500, "could not store the heartbeat: " + stored.error());
            return;
        }
        auto config = config_document(store, device.venue_id);
        if (!config) {
            reply_error(res, log, 500, config.error());
            return;
        }
        // The server's clock, so a kiosk whose own clock is wrong stamps answers sanely
        // (core/trusted_clock.h); kiosks that do not know the key ignore it.
        reply(res, 200,
              Json{{"config_version", config_version(config.value())},
                   {"server_time", format_utc_iso(std::chrono::system_clock::now())}});
    }

    void handle_config(const httplib::Request& req, httplib::Response& res, Json& log) {
        auto authenticated = authenticate(req, res, log);
        if (!authenticated) return;
        if (!json_object(authenticated->second, res, log)) return;
        auto config = config_document(store, authenticated->first.venue_id);
        if (!config) {
            reply_error(res, log, 500, config.error());
            return;
        }
        Json answer = config.value();
        answer["config_version"] = config_version(config.value());
        reply(res, 200, answer);
    }
};

HttpServer::HttpServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

HttpServer::~HttpServer() { stop(); }

Result<std::unique_ptr<HttpServer>> HttpServer::bind(ServerStore& store, const HttpOptions& options,
                                                     std::ostream& log) {
    if (options.host.empty()) return make_error("a listen host is needed");
    if (options.port < 0 || options.port > 65535) return make_error("the port must be 0 to 65535");
    if (options.max_body_bytes == 0) return make_error("--max-body-bytes must be at least 1");
    if (options.rate_limit_per_minute < 1) return make_error("--rate-limit-per-minute must be at least 1");
    const bool tls = !options.tls_cert_path.empty() || !options.tls_key_path.empty();
    if (tls && (options.tls_cert_path.empty() || options.tls_key_path.empty())) {
        return make_error("give both --tls-cert and --tls-key");
    }
    if (!tls && !is_loopback_host(options.host)) {
        return make_error("refusing plain HTTP on " + options.host +
                          ": kiosks' answers must not cross a network unencrypted; give --tls-cert and --tls-key, "
                          "or listen on 127.0.0.1");
    }

    auto impl = std::make_unique<Impl>(store, options, log);
    if (tls) {
        std::string tls_error;
        impl->server = std::make_unique<httplib::SSLServer>([&](SSL_CTX& ctx) {
            ERR_clear_error();
            // TLS 1.2 is the floor the protocol promises; no compression (CRIME).
            if (SSL_CTX_set_min_proto_version(&ctx, TLS1_2_VERSION) != 1) {
                tls_error = "cannot require TLS 1.2: " + openssl_errors();
                return false;
            }
            SSL_CTX_set_options(&ctx, SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION);
            // The chain file, not just one certificate, so an intermediate CA is sent too.
            if (SSL_CTX_use_certificate_chain_file(&ctx, options.tls_cert_path.c_str()) != 1) {
                tls_error = "cannot load the TLS certificate " + options.tls_cert_path + ": " + openssl_errors();
                return false;
            }
            if (SSL_CTX_use_PrivateKey_file(&ctx, options.tls_key_path.c_str(), SSL_FILETYPE_PEM) != 1) {
                // OpenSSL checks the pair while loading; say that in plain words.
                const bool mismatch = ERR_GET_REASON(ERR_peek_last_error()) == X509_R_KEY_VALUES_MISMATCH;
                const std::string detail = openssl_errors();
                tls_error = mismatch ? "the TLS key " + options.tls_key_path + " does not match the certificate " +
                                           options.tls_cert_path
                                     : "cannot load the TLS key " + options.tls_key_path + ": " + detail;
                return false;
            }
            if (SSL_CTX_check_private_key(&ctx) != 1) {
                tls_error = "the TLS key " + options.tls_key_path + " does not match the certificate " +
                            options.tls_cert_path;
                return false;
            }
            return true;
        });
        if (!impl->server->is_valid()) {
            return make_error(tls_error.empty() ? "could not set up TLS: " + openssl_errors() : tls_error);
        }
    } else {
        impl->server = std::make_unique<httplib::Server>();
    }
    impl->install_routes();
    // httplib's own options (address reuse), and the socket remembered so its backlog
    // can be raised once bound. 127.0.0.1 or one host name: bind makes one socket.
    impl->server->set_socket_options([raw = impl.get()](int sock) {
        httplib::default_socket_options(sock);
        raw->listen_socket = sock;
    });

    errno = 0;
    if (options.port == 0) {
        impl->port = impl->server->bind_to_any_port(options.host);
    } else {
        impl->port = impl->server->bind_to_port(options.host, options.port) ? options.port : -1;
    }
    if (impl->port <= 0) {
        const std::string reason = errno != 0 ? std::strerror(errno) : "address unavailable";
        return make_error("could not listen on " + options.host + ":" + std::to_string(options.port) + ": " + reason);
    }
    // listen() again on a listening socket only changes its backlog.
    if (impl->listen_socket >= 0 && ::listen(impl->listen_socket, kListenBacklog) != 0) {
        return make_error("could not listen on " + options.host + ":" + std::to_string(impl->port) + ": " +
                          std::strerror(errno));
    }
    return std::unique_ptr<HttpServer>(new HttpServer(std::move(impl)));
}

int HttpServer::port() const { return impl_->port; }

std::string HttpServer::address() const {
    const std::string& host = impl_->options.host;
    const std::string shown = host.find(':') != std::string::npos ? "[" + host + "]" : host;
    return shown + ":" + std::to_string(impl_->port);
}

void HttpServer::log_event(const nlohmann::json& entry) { impl_->write_log(entry); }

bool HttpServer::tls() const { return !impl_->options.tls_cert_path.empty(); }

void HttpServer::serve() {
    // serving, then stop_requested; stop() does the mirror image. With both atomics
    // sequentially consistent, at least one side sees the other, so a stop() racing
    // with the start can neither be lost nor wait forever.
    impl_->serving = true;
    if (!impl_->stop_requested) impl_->server->listen_after_bind();
    impl_->finished = true;
}

void HttpServer::stop() {
    impl_->stop_requested = true;
    if (!impl_->serving) return;
    // httplib ignores stop() until its accept loop has started; repeat until it has
    // ended. listen_after_bind() returns after in-flight requests are answered.
    while (!impl_->finished) {
        impl_->server->stop();
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
}

}  // namespace tillit::server
