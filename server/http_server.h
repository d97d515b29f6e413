// tillit-server's HTTP(S) front: the /v1 endpoints of docs/sync-protocol.md on
// cpp-httplib, with signature checks before inflating, body and inflate limits,
// per-device rate limits and one JSON log line per request (never item content).
// Storage is the ServerStore's; command-line parsing and signals are the admin CLI's.
#pragma once

#include <cstddef>
#include <memory>
#include <ostream>
#include <string>

#include <nlohmann/json.hpp>

#include "core/result.h"
#include "server_store.h"

namespace tillit::server {

struct HttpOptions {
    std::string host = "127.0.0.1";
    int port = 8443;  // 0: the system picks a free port (see HttpServer::port())
    std::string tls_cert_path;  // both or neither; plain HTTP only on a loopback host
    std::string tls_key_path;
    std::size_t max_body_bytes = 8u * 1024u * 1024u;  // as sent (gzip), before inflating
    int rate_limit_per_minute = 600;                  // per device
};

struct ListenAddress {
    std::string host;
    int port = 0;
};
// "127.0.0.1:8443", "[::1]:0", "localhost:8443".
Result<ListenAddress> parse_listen_address(const std::string& text);
// 127.0.0.0/8, ::1 and localhost: the only hosts where plain HTTP is allowed.
bool is_loopback_host(const std::string& host);

// {"surveys": {id: toml}, "settings": {key: value}}: what /v1/config serves. With a
// venue, also "feedback": that venue's newest "Ni sa – vi gjorde" message (if any).
Result<nlohmann::json> config_document(ServerStore& store);
Result<nlohmann::json> config_document(ServerStore& store, const std::string& venue_id);
// SHA-256 of the canonical form of config_document(): changes exactly when it does.
std::string config_version(const nlohmann::json& document);

class HttpServer {
public:
    // Checks the options, loads the TLS key pair and binds the socket, so that
    // port() is known before serve() runs. `log` gets one JSON object per line.
    static Result<std::unique_ptr<HttpServer>> bind(ServerStore& store, const HttpOptions& options,
                                                    std::ostream& log);
    ~HttpServer();
    HttpServer(const HttpServer&) = delete;
    HttpServer& operator=(const HttpServer&) = delete;

    int port() const;
    // "HOST:PORT" as a client would write it ("[::1]:8443" for IPv6).
    std::string address() const;
    bool tls() const;
    // One line in the request log's format (ts and level added), e.g. "listening".
    void log_event(const nlohmann::json& entry);

    // Answers requests until stop(). Returns at once if stop() came first.
    void serve();
    // From any thread (a signal watcher, a test); waits until serve() has returned.
    void stop();

private:
    struct Impl;
    explicit HttpServer(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> impl_;
};

}  // namespace tillit::server
