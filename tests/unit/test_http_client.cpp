// Tests for core/sync/http_client: the transport rule (https only; http only for a
// loopback server with allow_http_loopback), no redirect following, Retry-After in both
// forms, raw bodies and headers as sent, network errors in plain words, and cancelling
// a transfer. Runs against the scripted server on 127.0.0.1; TLS (a generated CA, a
// wrong host name) is tested against the real server in tests/sync.
#include <doctest/doctest.h>

#include <atomic>
#include <chrono>
#include <string>
#include <thread>

#include "core/config.h"
#include "core/sync/http_client.h"
#include "scripted_http_server.h"

using tillit::SyncConfig;
using tillit::sync::HttpClient;
using tillit::sync::HttpResponse;
using tillit::test::HttpReply;
using tillit::test::HttpRequest;
using tillit::test::ScriptedHttpServer;

namespace {

SyncConfig loopback_config(const std::string& url) {
    SyncConfig config;
    config.server_url = url;
    config.allow_http_loopback = true;
    return config;
}

bool contains(const std::string& text, const std::string& part) {
    return text.find(part) != std::string::npos;
}

HttpClient client_for(const std::string& url) {
    auto client = HttpClient::create(loopback_config(url));
    REQUIRE_MESSAGE(client.ok(), (client.ok() ? "" : client.error()));
    return std::move(client).value();
}

// A port nothing listens on: bind one, note it, close it.
int closed_port() {
    ScriptedHttpServer server([](const HttpRequest&) { return HttpReply{}; });
    return server.port();
}

}  // namespace

TEST_CASE("http client: plain http is refused unless allow_http_loopback is set") {
    SyncConfig config;
    config.server_url = "http://127.0.0.1:8443";
    auto refused = HttpClient::create(config);
    REQUIRE_FALSE(refused.ok());
    CHECK(contains(refused.error(), "plain http:// is refused"));
    CHECK(contains(refused.error(), "allow_http_loopback = true"));

    for (const char* url : {"http://127.0.0.1:8443", "http://localhost:8443/", "http://[::1]:8443"}) {
        config.server_url = url;
        config.allow_http_loopback = true;
        CHECK_MESSAGE(HttpClient::create(config).ok(), url);
    }
}

TEST_CASE("http client: non-loopback http is refused even with allow_http_loopback") {
    SyncConfig config;
    config.allow_http_loopback = true;
    for (const char* url : {"http://tillit.example.se", "http://10.0.0.5:8080", "http://127.0.0.1.example.se",
                            "http://localhost.example.se"}) {
        config.server_url = url;
        auto refused = HttpClient::create(config);
        REQUIRE_FALSE(refused.ok());
        CHECK_MESSAGE(contains(refused.error(), "plain http:// is refused (answers would travel unencrypted)"), url);
    }
    config.server_url = "ftp://tillit.example.se";
    CHECK(contains(HttpClient::create(config).error(), "only https:// is allowed"));
    config.server_url = "tillit.example.se";
    CHECK(contains(HttpClient::create(config).error(), "is not a full URL"));
    config.server_url = "https://user:secret@tillit.example.se";
    CHECK(contains(HttpClient::create(config).error(), "must not hold a user name or password"));
    config.server_url = "https://tillit.example.se";
    CHECK(HttpClient::create(config).ok());  // nothing is contacted until post()
}

TEST_CASE("http client: posts the raw bytes as application/gzip with the given headers") {
    ScriptedHttpServer server([](const HttpRequest&) {
        return HttpReply{
            .status = 200, .headers = {{"Content-Type", "application/json"}}, .body = R"({"ok":true})", .delay = {}};
    });
    HttpClient client = client_for(server.url() + "/");  // a trailing slash is not doubled
    constexpr char raw_body[] = "\x1f\x8b\x08\x00 binary \0 with a NUL";
    const std::string body(raw_body, sizeof raw_body - 1);
    auto answer = client.post("/v1/batches", body, {{"X-Tillit-Device", "dev-1"}, {"X-Tillit-Signature", "c2ln"}});
    REQUIRE_MESSAGE(answer.ok(), (answer.ok() ? "" : answer.error()));
    CHECK(answer.value().status == 200);
    CHECK(answer.value().body == R"({"ok":true})");
    CHECK_FALSE(answer.value().retry_after.has_value());

    const auto requests = server.requests();
    REQUIRE(requests.size() == 1);
    CHECK(requests[0].method == "POST");
    CHECK(requests[0].path == "/v1/batches");
    CHECK(requests[0].body == body);
    CHECK(requests[0].header("content-type") == "application/gzip");
    CHECK(requests[0].header("x-tillit-device") == "dev-1");
    CHECK(requests[0].header("x-tillit-signature") == "c2ln");
    CHECK(requests[0].header("expect").empty());

    // A header that would smuggle another header in is refused before sending.
    auto injected = client.post("/v1/batches", body, {{"X-Tillit-Device", "a\r\nX-Evil: 1"}});
    REQUIRE_FALSE(injected.ok());
    CHECK(server.requests().size() == 1);
}

TEST_CASE("http client: a redirect is returned, never followed") {
    ScriptedHttpServer server([](const HttpRequest& request) {
        if (request.path == "/v1/batches") {
            return HttpReply{.status = 302, .headers = {{"Location", "/portal/login"}}, .body = "moved", .delay = {}};
        }
        return HttpReply{.status = 200, .headers = {}, .body = "portal page", .delay = {}};
    });
    HttpClient client = client_for(server.url());
    auto answer = client.post("/v1/batches", "x", {});
    REQUIRE(answer.ok());
    CHECK(answer.value().status == 302);
    CHECK(answer.value().body == "moved");
    REQUIRE(server.requests().size() == 1);
    CHECK(server.requests_to("/portal/login").empty());
}

TEST_CASE("http client: status codes are answers, Retry-After is read") {
    ScriptedHttpServer server([](const HttpRequest& request) {
        if (request.path == "/busy") {
            return HttpReply{.status = 503, .headers = {{"Retry-After", "7"}}, .body = "{}", .delay = {}};
        }
        return HttpReply{.status = 500, .headers = {}, .body = "oops", .delay = {}};
    });
    HttpClient client = client_for(server.url());
    auto busy = client.post("/busy", "x", {});
    REQUIRE(busy.ok());
    CHECK(busy.value().status == 503);
    REQUIRE(busy.value().retry_after.has_value());
    CHECK(busy.value().retry_after->count() == 7);
    auto broken = client.post("/broken", "x", {});
    REQUIRE(broken.ok());
    CHECK(broken.value().status == 500);
    CHECK_FALSE(broken.value().retry_after.has_value());  // not carried over from the last answer
}

TEST_CASE("http client: Retry-After as seconds or as an HTTP-date") {
    using tillit::sync::parse_retry_after;
    const std::time_t now = 1445412480;  // Wed, 21 Oct 2015 07:28:00 GMT
    CHECK(parse_retry_after("120", now)->count() == 120);
    CHECK(parse_retry_after(" 5 ", now)->count() == 5);
    CHECK(parse_retry_after("0", now)->count() == 0);
    CHECK(parse_retry_after("Wed, 21 Oct 2015 07:28:30 GMT", now)->count() == 30);
    CHECK(parse_retry_after("Wed, 21 Oct 2015 07:20:00 GMT", now)->count() == 0);  // already past
    CHECK(parse_retry_after("99999999999999999999", now)->count() == 86400);       // capped at a day
    CHECK_FALSE(parse_retry_after("", now).has_value());
    CHECK_FALSE(parse_retry_after("soon", now).has_value());
}

TEST_CASE("http client: a server that is not there is a network error in plain words") {
    HttpClient client = client_for("http://127.0.0.1:" + std::to_string(closed_port()));
    auto answer = client.post("/v1/heartbeat", "x", {});
    REQUIRE_FALSE(answer.ok());
    CHECK(contains(answer.error(), "cannot connect to the server; it may be down, or the network is out"));
}

TEST_CASE("http client: the cancel flag aborts a transfer in progress") {
    ScriptedHttpServer server([](const HttpRequest&) {
        return HttpReply{.status = 200, .headers = {}, .body = "late", .delay = std::chrono::milliseconds(8000)};
    });
    HttpClient client = client_for(server.url());
    std::atomic<bool> cancel{false};
    client.set_cancel_flag(&cancel);
    std::thread canceller([&cancel] {
        std::this_thread::sleep_for(std::chrono::milliseconds(200));
        cancel = true;
    });
    const auto started = std::chrono::steady_clock::now();
    auto answer = client.post("/v1/batches", "x", {});
    canceller.join();
    REQUIRE_FALSE(answer.ok());
    CHECK(contains(answer.error(), "the transfer was stopped"));
    CHECK(std::chrono::steady_clock::now() - started < std::chrono::seconds(3));
}
