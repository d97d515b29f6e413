// End to end, exactly once through the network faults the proxy adds for issue 9: a
// request that is never answered, held, throttled, an answer cut short after the server
// committed, a request handed to the server twice, and redirects to a plain-http
// listener. The real tillit-server binary (SQLite) on 127.0.0.1 and the kiosk's own
// SyncClient; each test ends by comparing ids on both sides. The client's timeouts are
// shortened (SyncConfig::timeouts) so each fault costs a second or two, not minutes.
#include <arpa/inet.h>
#include <doctest/doctest.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <filesystem>

#include "e2e_harness.h"
#include "fault_proxy.h"

namespace fs = std::filesystem;
using namespace tillit::test;
using tillit::sync::PassOutcome;

namespace {

std::string sqlite_store(const std::string& dir) {
    return (fs::path(dir) / "server.db").string();
}

bool contains(const std::string& text, const std::string& part) {
    return text.find(part) != std::string::npos;
}

FaultAction on_batches(FaultAction::Kind kind) {
    FaultAction action;
    action.kind = kind;
    action.path_prefix = "/v1/batches";
    return action;
}

// A plain-http listener the test owns: a redirect target. Nobody ever accepts; a
// connection would wait in the backlog, where count() finds it.
class Listener {
public:
    Listener() {
        fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
        REQUIRE(fd_ >= 0);
        sockaddr_in addr{};
        addr.sin_family = AF_INET;
        addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        socklen_t size = sizeof addr;
        REQUIRE(::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
        REQUIRE(::listen(fd_, 16) == 0);
        REQUIRE(::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &size) == 0);
        port_ = ntohs(addr.sin_port);
    }
    ~Listener() { ::close(fd_); }
    Listener(const Listener&) = delete;
    Listener& operator=(const Listener&) = delete;
    int port() const { return port_; }
    // Connections that reached it so far.
    int count() {
        for (int fd; (fd = ::accept(fd_, nullptr, nullptr)) >= 0;) {
            ++accepted_;
            ::close(fd);
        }
        return accepted_;
    }

private:
    int fd_ = -1;
    int port_ = 0;
    int accepted_ = 0;
};

}  // namespace

TEST_CASE("e2e no answer: the proxy never answers, the timeout fires, nothing marked, then sent once") {
    const auto dir = fresh_dir("no-answer");
    auto server = start_server(sqlite_store(dir), dir);
    FaultProxy proxy(server->port());
    proxy.record_exchanges(true);
    Kiosk kiosk(dir, http_url(proxy.port()), server->enrol_code("test-venue"));
    kiosk.config.timeouts.total = std::chrono::milliseconds(1500);
    kiosk.connect(http_url(proxy.port()));
    kiosk.add(150, 5);
    proxy.push(on_batches(FaultAction::Kind::NoAnswer));

    const auto silent = kiosk.pass();
    CHECK(silent.outcome == PassOutcome::Retry);
    CHECK_MESSAGE(contains(silent.message, "did not answer in time"), silent.message);
    CHECK(kiosk.counts().sent == 0);
    CHECK(kiosk.counts().pending == 155);
    CHECK(proxy.forwarded("/v1/batches") == 0);
    CHECK(server_ids(*server, dir).empty());

    const auto landed = kiosk.pass();
    CHECK_MESSAGE(landed.outcome == PassOutcome::Done, landed.message);
    const auto exchanges = proxy.exchanges("/v1/batches");
    REQUIRE(exchanges.size() == 2);
    CHECK(exchanges[0].status == 0);
    CHECK_FALSE(exchanges[0].delivered);
    CHECK(exchanges[1].request_body == exchanges[0].request_body);  // the same frozen bytes
    CHECK(status_counts(exchanges[1].answer_body) == std::map<std::string, int>{{"created", 155}});
    check_exactly_once(kiosk, *server);
}

TEST_CASE(
    "e2e delay: held requests land, one held past the client's timeout is stored anyway and resent as duplicate") {
    const auto dir = fresh_dir("delay");
    auto server = start_server(sqlite_store(dir), dir);
    FaultProxy proxy(server->port());
    proxy.record_exchanges(true);
    Kiosk kiosk(dir, http_url(proxy.port()), server->enrol_code("test-venue"));
    kiosk.config.timeouts.total = std::chrono::milliseconds(1000);
    kiosk.connect(http_url(proxy.port()));

    // Every request (heartbeat and batches) held 300 ms: slower, still well inside the timeout.
    proxy.set_chooser([](const std::string&) {
        FaultAction held;
        held.kind = FaultAction::Kind::Delay;
        held.delay_ms = 300;
        return std::optional<FaultAction>(held);
    });
    kiosk.add(120);
    const auto slow = kiosk.pass(50);
    CHECK_MESSAGE(slow.outcome == PassOutcome::Done, slow.message);
    CHECK(proxy.forwarded("/v1/batches") == 3);
    CHECK(kiosk.counts().sent == 120);
    proxy.set_chooser({});

    // One batch held 2 s: the client gives up at 1 s; the proxy then hands it over anyway.
    kiosk.add(40);
    FaultAction late = on_batches(FaultAction::Kind::Delay);
    late.delay_ms = 2000;
    proxy.push(late);
    const auto gave_up = kiosk.pass();
    CHECK(gave_up.outcome == PassOutcome::Retry);
    CHECK(kiosk.counts().pending == 40);
    REQUIRE(proxy.wait_for_exchanges("/v1/batches", 4, std::chrono::seconds(20)));
    const Exchange committed = proxy.exchanges("/v1/batches")[3];
    CHECK_FALSE(committed.delivered);
    CHECK(status_counts(committed.answer_body) == std::map<std::string, int>{{"created", 40}});
    CHECK(server_ids(*server, dir).size() == 160);

    const auto resent = kiosk.pass();
    CHECK_MESSAGE(resent.outcome == PassOutcome::Done, resent.message);
    const auto exchanges = proxy.exchanges("/v1/batches");
    REQUIRE(exchanges.size() == 5);
    CHECK(exchanges[4].request_body == committed.request_body);
    CHECK(status_counts(exchanges[4].answer_body) == std::map<std::string, int>{{"duplicate", 40}});
    check_exactly_once(kiosk, *server);
}

TEST_CASE("e2e throttle: 4 KB/s both ways lands once, under the low-speed limit the client gives up, then lands once") {
    const auto dir = fresh_dir("throttle");
    auto server = start_server(sqlite_store(dir), dir);
    FaultProxy proxy(server->port());
    proxy.record_exchanges(true);
    Kiosk kiosk(dir, http_url(proxy.port()), server->enrol_code("test-venue"));
    auto throttle = [](long rate, bool batches_only) {
        return [rate, batches_only](const std::string& path) -> std::optional<FaultAction> {
            if (batches_only && path != "/v1/batches") return std::nullopt;
            FaultAction slow;
            slow.kind = FaultAction::Kind::Throttle;
            slow.bytes_per_second = rate;
            return slow;
        };
    };

    proxy.set_chooser(throttle(4000, false));
    kiosk.add(40);
    const auto slow = kiosk.pass();
    CHECK_MESSAGE(slow.outcome == PassOutcome::Done, slow.message);
    auto exchanges = proxy.exchanges("/v1/batches");
    REQUIRE(exchanges.size() == 1);
    CHECK(exchanges[0].delivered);
    CHECK(status_counts(exchanges[0].answer_body) == std::map<std::string, int>{{"created", 40}});

    // 300 B/s where the client calls a link under 2 000 B/s for 1 s dead: it stops waiting
    // while the proxy still hands the request to the server, and the answer trickles to nobody.
    kiosk.config.timeouts.low_speed_bytes_per_second = 2000;
    kiosk.config.timeouts.low_speed_time = std::chrono::seconds(1);
    kiosk.connect(http_url(proxy.port()));
    proxy.set_chooser(throttle(300, true));
    kiosk.add(2);
    const auto dead = kiosk.pass();
    CHECK(dead.outcome == PassOutcome::Retry);
    CHECK_MESSAGE(contains(dead.message, "did not answer in time"), dead.message);
    CHECK(kiosk.counts().pending == 2);
    proxy.set_chooser({});
    REQUIRE(proxy.wait_for_exchanges("/v1/batches", 2, std::chrono::seconds(30)));
    const Exchange trickled = proxy.exchanges("/v1/batches")[1];
    CHECK_FALSE(trickled.delivered);
    CHECK(status_counts(trickled.answer_body) == std::map<std::string, int>{{"created", 2}});

    const auto landed = kiosk.pass();
    CHECK_MESSAGE(landed.outcome == PassOutcome::Done, landed.message);
    exchanges = proxy.exchanges("/v1/batches");
    REQUIRE(exchanges.size() == 3);
    CHECK(exchanges[2].request_body == trickled.request_body);
    CHECK(status_counts(exchanges[2].answer_body) == std::map<std::string, int>{{"duplicate", 2}});
    check_exactly_once(kiosk, *server);
}

TEST_CASE("e2e truncated answers after the server committed: cut in the status line, the headers and the body") {
    const auto dir = fresh_dir("truncate");
    auto server = start_server(sqlite_store(dir), dir);
    FaultProxy proxy(server->port());
    proxy.record_exchanges(true);
    // Each request on its own connection: a cut inside the status line on a reused one
    // is resent by libcurl itself (it counts no answer byte), which is safe but would
    // hide the failure this test wants the sync client to handle.
    proxy.close_after_each_answer(true);
    Kiosk kiosk(dir, http_url(proxy.port()), server->enrol_code("test-venue"));
    kiosk.add(60);
    // The answer's status line and headers take about 120 bytes, its body (protocol 2's
    // summary) about 180: 200 falls inside the body.
    for (const std::size_t cut : {std::size_t{5}, std::size_t{40}, std::size_t{200}}) {
        FaultAction action = on_batches(FaultAction::Kind::Truncate);
        action.truncate_after = cut;
        proxy.push(action);
    }

    std::string first_body;
    for (int i = 0; i < 3; ++i) {
        CAPTURE(i);
        const auto cut = kiosk.pass();
        CHECK(cut.outcome == PassOutcome::Retry);
        const bool broke = contains(cut.message, "connection broke") || contains(cut.message, "request failed");
        CHECK_MESSAGE(broke, cut.message);
        CHECK(kiosk.counts().sent == 0);
        CHECK(kiosk.counts().pending == 60);
        // The server stored the batch the first time it saw it, and only then.
        CHECK(server_ids(*server, dir).size() == 60);
    }
    const auto exchanges = proxy.exchanges("/v1/batches");
    REQUIRE(exchanges.size() == 3);
    CHECK(status_counts(exchanges[0].answer_body) == std::map<std::string, int>{{"created", 60}});
    CHECK(exchanges[2].answer_body.size() > 150);  // the last cut fell inside the body
    for (std::size_t i = 0; i < exchanges.size(); ++i) {
        CHECK_FALSE(exchanges[i].delivered);
        CHECK(exchanges[i].request_body == exchanges[0].request_body);
        if (i > 0) CHECK(status_counts(exchanges[i].answer_body) == std::map<std::string, int>{{"duplicate", 60}});
    }

    const auto landed = kiosk.pass();
    CHECK_MESSAGE(landed.outcome == PassOutcome::Done, landed.message);
    CHECK(status_counts(proxy.exchanges("/v1/batches").back().answer_body) ==
          std::map<std::string, int>{{"duplicate", 60}});
    check_exactly_once(kiosk, *server);
}

TEST_CASE("e2e duplicated requests: every batch reaches the server twice at once and is stored once") {
    const auto dir = fresh_dir("duplicate");
    auto server = start_server(sqlite_store(dir), dir);
    FaultProxy proxy(server->port());
    proxy.record_exchanges(true);
    Kiosk kiosk(dir, http_url(proxy.port()), server->enrol_code("test-venue"));
    kiosk.add(430, 20);  // three batches of up to 200
    proxy.set_chooser([](const std::string& path) -> std::optional<FaultAction> {
        if (path != "/v1/batches") return std::nullopt;
        return on_batches(FaultAction::Kind::Duplicate);
    });
    const auto result = kiosk.pass(200);
    CHECK_MESSAGE(result.outcome == PassOutcome::Done, result.message);
    CHECK(proxy.hits("/v1/batches") == 3);
    CHECK(proxy.forwarded("/v1/batches") == 6);

    // Per batch: one copy created every item, the other found them all as duplicates.
    std::map<std::string, std::map<std::string, int>> per_batch;
    std::map<std::string, int> sizes;
    for (const Exchange& e : proxy.exchanges("/v1/batches")) {
        const SeenBatch seen = decode_batch(e.request_body);
        sizes[seen.batch_id] = static_cast<int>(seen.item_ids.size());
        for (const auto& [status, n] : status_counts(e.answer_body)) per_batch[seen.batch_id][status] += n;
    }
    REQUIRE(per_batch.size() == 3);
    for (const auto& [batch_id, statuses] : per_batch) {
        CAPTURE(batch_id);
        CHECK(statuses == std::map<std::string, int>{{"created", sizes[batch_id]}, {"duplicate", sizes[batch_id]}});
    }
    check_exactly_once(kiosk, *server);
}

TEST_CASE("e2e redirects 301, 302, 307, 308 to a plain-http listener are refused, nothing reaches it or is marked") {
    const auto dir = fresh_dir("redirect");
    auto server = start_server(sqlite_store(dir), dir);
    FaultProxy proxy(server->port());
    proxy.record_exchanges(true);
    Listener elsewhere;
    const std::string target = "http://127.0.0.1:" + std::to_string(elsewhere.port());
    auto redirect = [&](int status, const std::string& prefix) {
        FaultAction action;
        action.kind = FaultAction::Kind::Respond;
        action.status = status;
        action.headers = {{"Location", target + prefix}};
        action.path_prefix = prefix;
        return action;
    };

    // Enrolment redirected: refused, and the code is not used up (the server never saw it).
    const std::string code = server->enrol_code("test-venue");
    {
        const auto other = fresh_dir("redirect-enrol");
        auto store = tillit::Store::open((fs::path(other) / "kiosk.db").string());
        REQUIRE(store.ok());
        tillit::SyncConfig config;
        config.server_url = http_url(proxy.port());
        config.allow_http_loopback = true;
        auto http = tillit::sync::HttpClient::create(config);
        REQUIRE(http.ok());
        proxy.push(redirect(307, "/v1/enrol"));
        const auto enrolled = tillit::sync::enrol(*store.value(), http.value(), config.server_url, code, {});
        CHECK_FALSE(enrolled.ok());
        CHECK_FALSE(store.value()->identity().value().has_value());
    }
    Kiosk kiosk(dir, http_url(proxy.port()), code);
    // Were a redirect followed, the listener (which never answers) would hold the request:
    // a short timeout makes that a quick failure instead of a two-minute hang.
    kiosk.config.timeouts.total = std::chrono::milliseconds(2000);
    kiosk.connect(http_url(proxy.port()));
    kiosk.add(80, 3);

    proxy.push(redirect(301, "/v1/heartbeat"));
    const auto beat = kiosk.pass();
    CHECK(beat.outcome == PassOutcome::Retry);
    CHECK_MESSAGE(contains(beat.message, "redirect"), beat.message);
    for (const int status : {301, 302, 307, 308}) {
        CAPTURE(status);
        proxy.push(redirect(status, "/v1/batches"));
        const auto moved = kiosk.pass();
        CHECK(moved.outcome == PassOutcome::Retry);
        CHECK_MESSAGE(contains(moved.message, "redirect (HTTP " + std::to_string(status) + ")"), moved.message);
        CHECK(kiosk.counts().sent == 0);
        CHECK(kiosk.counts().pending == 83);
        REQUIRE(kiosk.frozen().size() == 1);
    }
    CHECK(elsewhere.count() == 0);
    CHECK(proxy.forwarded("/v1/batches") == 0);
    CHECK(server_ids(*server, dir).empty());

    // The proxy passes again: the same frozen batch lands, once.
    const auto landed = kiosk.pass();
    CHECK_MESSAGE(landed.outcome == PassOutcome::Done, landed.message);
    const auto exchanges = proxy.exchanges("/v1/batches");
    REQUIRE(exchanges.size() == 5);
    for (const Exchange& e : exchanges) CHECK(e.request_body == exchanges[0].request_body);
    CHECK(status_counts(exchanges[4].answer_body) == std::map<std::string, int>{{"created", 83}});
    CHECK(elsewhere.count() == 0);
    check_exactly_once(kiosk, *server);
}
