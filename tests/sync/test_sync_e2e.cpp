// End to end, exactly once: the kiosk's SyncClient and SyncWorker against the real
// tillit-server binary (SQLite store) on 127.0.0.1, through the fault proxy, for every
// failure docs/sync-protocol.md names: a lost answer after commit, 5xx/429/503 with
// Retry-After, 413, 401/403, a conflict, and tampered or unsigned batches. Each test
// ends by comparing the kiosk's ids with the server's export. Kill -9: test_sync_e2e_kill.cpp.
#include <doctest/doctest.h>

#include <algorithm>
#include <filesystem>

#include <httplib.h>

#include "core/wire.h"
#include "core/workshop.h"
#include "e2e_harness.h"
#include "fault_proxy.h"
#include "report_web.h"
#include "server_store.h"

namespace fs = std::filesystem;
using namespace tillit::test;
using tillit::sync::PassOutcome;
using tillit::sync::SyncState;
using tillit::sync::SyncStatus;
using tillit::WorkshopSetup;
using tillit::WorkshopStore;
using tillit::WorksheetStep;

namespace {

std::string sqlite_store(const std::string& dir) { return (fs::path(dir) / "server.db").string(); }

FaultAction respond(int status, std::vector<std::pair<std::string, std::string>> headers, std::string body) {
    return {FaultAction::Kind::Respond, status, std::move(headers), std::move(body), "/v1/batches"};
}

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

}  // namespace

TEST_CASE("e2e happy path: 1 200 responses and 37 abandonments in 3 batches, 1 heartbeat, exactly once") {
    const auto dir = fresh_dir("happy");
    happy_path_scenario(sqlite_store(dir), dir);
}

TEST_CASE("e2e reset after commit: Retry, then the same batch bytes again, answered duplicate") {
    const auto dir = fresh_dir("reset");
    reset_after_commit_scenario(sqlite_store(dir), dir);
}

TEST_CASE("e2e reset after commit on a reused connection: libcurl's own resend is answered duplicate") {
    // libcurl resends by itself when a reused connection dies before any answer byte.
    // Either way (its resend, or the pass failing and the next one resending) the
    // server sees the batch twice and stores it once.
    const auto dir = fresh_dir("reset-reused");
    auto server = start_server(sqlite_store(dir), dir);
    FaultProxy proxy(server->port());
    proxy.record_exchanges(true);
    Kiosk kiosk(dir, http_url(proxy.port()), server->enrol_code("test-venue"));
    kiosk.add(200);
    proxy.push({FaultAction::Kind::ResetAfterForward, 0, {}, {}, "/v1/batches"});
    const auto last = kiosk.sync_until_done();
    CHECK_MESSAGE(last.outcome == PassOutcome::Done, last.message);
    const auto exchanges = proxy.exchanges("/v1/batches");
    REQUIRE(exchanges.size() == 2);
    CHECK(exchanges[0].request_body == exchanges[1].request_body);
    CHECK(status_counts(exchanges[0].answer_body) == std::map<std::string, int>{{"created", 200}});
    CHECK_FALSE(exchanges[0].delivered);
    CHECK(status_counts(exchanges[1].answer_body) == std::map<std::string, int>{{"duplicate", 200}});
    check_exactly_once(kiosk, *server);
}

TEST_CASE("e2e 500, 503 and 429 with Retry-After and a captive portal's 200: the same bytes until they land") {
    const auto dir = fresh_dir("retry");
    auto server = start_server(sqlite_store(dir), dir);
    FaultProxy proxy(server->port());
    proxy.record_exchanges(true);
    Kiosk kiosk(dir, http_url(proxy.port()), server->enrol_code("test-venue"));
    kiosk.add(120, 5);
    proxy.push(respond(500, {}, R"({"error":"disk on fire"})"));
    proxy.push(respond(503, {{"Retry-After", "1"}}, "busy"));
    proxy.push(respond(429, {{"Retry-After", "1"}}, R"({"error":"too many requests"})"));
    proxy.push(respond(200, {{"Content-Type", "text/html"}}, "<html>Log in to the guest Wi-Fi</html>"));

    const auto crashed = kiosk.pass();
    CHECK(crashed.outcome == PassOutcome::Retry);
    CHECK_FALSE(crashed.retry_after.has_value());  // no Retry-After: the backoff alone decides
    CHECK(contains(crashed.message, "HTTP 500"));
    const auto busy = kiosk.pass();
    CHECK(busy.outcome == PassOutcome::Retry);
    REQUIRE(busy.retry_after.has_value());
    CHECK(busy.retry_after->count() >= 1);
    CHECK(contains(busy.message, "HTTP 503"));
    const auto slow = kiosk.pass();
    CHECK(slow.outcome == PassOutcome::Retry);
    REQUIRE(slow.retry_after.has_value());
    CHECK(slow.retry_after->count() >= 1);
    CHECK(contains(slow.message, "HTTP 429"));
    const auto portal = kiosk.pass();
    CHECK(portal.outcome == PassOutcome::Retry);  // a 200 that does not echo the batch is no success
    CHECK(kiosk.counts().sent == 0);
    CHECK(kiosk.counts().pending == 125);
    const auto landed = kiosk.pass();
    CHECK_MESSAGE(landed.outcome == PassOutcome::Done, landed.message);

    // Five tries of one frozen batch, byte-identical; only the last reached the server.
    const auto exchanges = proxy.exchanges("/v1/batches");
    REQUIRE(exchanges.size() == 5);
    for (const Exchange& e : exchanges) CHECK(e.request_body == exchanges[0].request_body);
    CHECK(proxy.forwarded("/v1/batches") == 1);
    CHECK(status_counts(exchanges[4].answer_body) == std::map<std::string, int>{{"created", 125}});
    check_exactly_once(kiosk, *server);
}

TEST_CASE("e2e sync worker: backs off after 500, waits at least Retry-After after 503 and 429, then succeeds") {
    const auto dir = fresh_dir("worker-retry");
    auto server = start_server(sqlite_store(dir), dir);
    FaultProxy proxy(server->port());
    Kiosk kiosk(dir, http_url(proxy.port()), server->enrol_code("test-venue"));
    kiosk.add(60);
    proxy.push(respond(500, {}, R"({"error":"disk on fire"})"));
    proxy.push(respond(503, {{"Retry-After", "1"}}, "busy"));
    proxy.push(respond(429, {{"Retry-After", "1"}}, R"({"error":"too many requests"})"));

    WorkerWatch watch;
    auto options = kiosk.worker_options();
    watch.attach(options);
    tillit::sync::SyncWorker worker(std::move(options));
    const SyncStatus idle = watch.wait_for([](const SyncStatus& s) { return s.state == SyncState::Idle; });
    worker.stop();
    CHECK(idle.sent == 60);
    CHECK(idle.pending == 0);
    CHECK(idle.last_error.empty());
    CHECK_FALSE(idle.last_success.empty());

    // The transitions up to that Idle: three failed passes, each followed by a wait.
    std::vector<SyncStatus> steps;
    for (const SyncStatus& s : watch.seen()) {
        steps.push_back(s);
        if (s.state == SyncState::Idle) break;
    }
    std::vector<SyncState> states;
    for (const SyncStatus& s : steps) states.push_back(s.state);
    CHECK(states == std::vector<SyncState>{SyncState::Syncing, SyncState::Waiting, SyncState::Syncing,
                                           SyncState::Waiting, SyncState::Syncing, SyncState::Waiting,
                                           SyncState::Syncing, SyncState::Idle});
    REQUIRE(steps.size() == 8);
    // After the 500: the jittered backoff only (the test's policy: 10 ms floor, 100 ms cap).
    CHECK(contains(steps[1].last_error, "HTTP 500"));
    CHECK(steps[1].wait >= std::chrono::milliseconds(10));
    CHECK(steps[1].wait <= std::chrono::milliseconds(100));
    // After 503 and 429: at least the server's Retry-After, though the backoff is shorter.
    CHECK(contains(steps[3].last_error, "HTTP 503"));
    CHECK(steps[3].wait >= std::chrono::seconds(1));
    CHECK(contains(steps[5].last_error, "HTTP 429"));
    CHECK(steps[5].wait >= std::chrono::seconds(1));
    CHECK(proxy.hits("/v1/batches") == 4);
    CHECK(proxy.forwarded("/v1/batches") == 1);
    check_exactly_once(kiosk, *server);
}

TEST_CASE("e2e 413 from the proxy: the first batch is split into two new batches with the same items") {
    const auto dir = fresh_dir("split");
    auto server = start_server(sqlite_store(dir), dir);
    FaultProxy proxy(server->port());
    proxy.record_exchanges(true);
    Kiosk kiosk(dir, http_url(proxy.port()), server->enrol_code("test-venue"));
    kiosk.add(700, 20);  // batches of 500 and 220
    proxy.push(respond(413, {}, R"({"error":"the body is larger than 1000 bytes"})"));
    const auto result = kiosk.pass(500);
    CHECK_MESSAGE(result.outcome == PassOutcome::Done, result.message);

    const auto exchanges = proxy.exchanges("/v1/batches");
    REQUIRE(exchanges.size() == 4);  // refused, its two halves, the other batch
    CHECK(exchanges[0].status == 413);
    const SeenBatch refused = decode_batch(exchanges[0].request_body);
    const SeenBatch half1 = decode_batch(exchanges[1].request_body);
    const SeenBatch half2 = decode_batch(exchanges[2].request_body);
    CHECK(half1.batch_id != refused.batch_id);
    CHECK(half2.batch_id != refused.batch_id);
    CHECK(half1.batch_id != half2.batch_id);
    std::vector<std::string> rejoined = half1.item_ids;
    rejoined.insert(rejoined.end(), half2.item_ids.begin(), half2.item_ids.end());
    std::sort(rejoined.begin(), rejoined.end());
    CHECK(rejoined == refused.item_ids);  // the same items, each in exactly one half
    CHECK(half1.item_ids.size() + 1 >= half2.item_ids.size());
    CHECK(half2.item_ids.size() + 1 >= half1.item_ids.size());
    for (std::size_t i = 1; i < exchanges.size(); ++i) {
        const auto size = static_cast<int>(decode_batch(exchanges[i].request_body).item_ids.size());
        CHECK(status_counts(exchanges[i].answer_body) == std::map<std::string, int>{{"created", size}});
    }
    CHECK(proxy.forwarded("/v1/batches") == 3);
    check_exactly_once(kiosk, *server);
}

TEST_CASE("e2e 413 from the real server's body limit: split until the halves fit") {
    const auto dir = fresh_dir("split-real");
    auto server = start_server(sqlite_store(dir), dir);
    Kiosk kiosk(dir, http_url(server->port()), server->enrol_code("test-venue"));
    kiosk.add(400);
    // Freeze the one batch now to learn its size, then serve with a limit just below it.
    const auto frozen = kiosk.store->freeze_batch(500);
    REQUIRE((frozen.ok() && frozen.value().has_value()));
    const std::size_t size = frozen.value()->body.size();
    // Close the kiosk's idle keep-alive connection first: the server's graceful stop
    // would otherwise wait for it to time out.
    kiosk.http.reset();
    REQUIRE(server->stop() == 0);
    server = start_server(sqlite_store(dir), dir, {"--max-body-bytes", std::to_string(size - 1)});
    FaultProxy proxy(server->port());
    proxy.record_exchanges(true);
    kiosk.connect(http_url(proxy.port()));
    const auto result = kiosk.sync_until_done(500);
    CHECK_MESSAGE(result.outcome == PassOutcome::Done, result.message);
    const auto exchanges = proxy.exchanges("/v1/batches");
    REQUIRE(exchanges.size() == 3);
    CHECK(exchanges[0].status == 413);  // answered by the server itself
    CHECK(exchanges[1].status == 200);
    CHECK(exchanges[2].status == 200);
    check_exactly_once(kiosk, *server);
}

TEST_CASE("e2e 401 stops the worker with the reason and sync now completes, a revoked device is stopped by 403") {
    const auto dir = fresh_dir("auth");
    auto server = start_server(sqlite_store(dir), dir);
    FaultProxy proxy(server->port());
    proxy.record_exchanges(true);
    Kiosk kiosk(dir, http_url(proxy.port()), server->enrol_code("test-venue"));
    kiosk.add(40);
    proxy.push(respond(401, {{"Content-Type", "application/json"}}, R"({"error":"this kiosk's key is not known here"})"));

    WorkerWatch watch;
    auto options = kiosk.worker_options();
    watch.attach(options);
    tillit::sync::SyncWorker worker(std::move(options));
    std::size_t at = 0;
    const SyncStatus refused = watch.wait_for([](const SyncStatus& s) { return s.state == SyncState::Stopped; }, 0, &at);
    CHECK(contains(refused.last_error, "this kiosk's key is not known here"));
    CHECK(contains(refused.last_error, "401"));
    CHECK(refused.sent == 0);
    CHECK(refused.pending == 40);
    CHECK(kiosk.frozen().size() == 1);  // kept, to be sent as it is when asked again
    CHECK(server_ids(*server, dir).empty());

    // The admin fixed it and presses "sync now".
    worker.sync_now();
    const SyncStatus done = watch.wait_for([](const SyncStatus& s) { return s.state == SyncState::Idle; }, at + 1, &at);
    CHECK(done.sent == 40);
    CHECK(done.last_error.empty());
    check_exactly_once(kiosk, *server);
    const auto before = kiosk.ids();

    // A real revocation: the server's own 403 and words stop the worker.
    const auto revoked = server->admin("revoke", {kiosk.identity.device_id});
    REQUIRE_MESSAGE(revoked.exit_code == 0, revoked.err);
    kiosk.add(15);
    worker.sync_now();
    const SyncStatus stopped = watch.wait_for([](const SyncStatus& s) { return s.state == SyncState::Stopped; }, at + 1);
    worker.stop();
    CHECK(contains(stopped.last_error, "403"));
    CHECK(contains(stopped.last_error, "this device has been revoked"));
    CHECK(stopped.sent == 40);
    CHECK(stopped.pending == 15);
    const auto heartbeats = proxy.exchanges("/v1/heartbeat");
    REQUIRE_FALSE(heartbeats.empty());
    CHECK(heartbeats.back().status == 403);

    // The server holds exactly the 40 sent before the revocation, once each; the 15
    // after it are on the kiosk only, still pending.
    const auto on_server = server_ids(*server, dir);
    CHECK(on_server.size() == 40);
    for (const auto& [id, count] : on_server) {
        CHECK(count == 1);
        CHECK(before.count(id) == 1);
    }
    const auto now = kiosk.ids();
    CHECK(now.size() == 55);
    for (const auto& [id, count] : now) CHECK((before.count(id) == 1) == (on_server.count(id) == 1));
}

TEST_CASE("e2e conflict: a known id with other answers is set aside and the server keeps its copy") {
    const auto dir = fresh_dir("conflict");
    auto server = start_server(sqlite_store(dir), dir);
    FaultProxy proxy(server->port());
    proxy.record_exchanges(true);
    Kiosk first(dir, http_url(proxy.port()), server->enrol_code("test-venue"));
    first.add(30, 5);
    // A copy of the store (same device, same ids) in which one response's answers differ.
    const std::string copy = (fs::path(dir) / "copy.db").string();
    sqlite_exec(first.db_path, "VACUUM INTO ?1", copy);
    const auto responses = first.store->responses();
    REQUIRE(responses.ok());
    const std::string reused = responses.value().at(0).id;
    sqlite_exec(copy, R"(UPDATE responses SET answers = '{"inst_trust":5,"expect_help":"changed"}' WHERE id = ?1)",
                reused);

    REQUIRE(first.pass().outcome == PassOutcome::Done);
    check_exactly_once(first, *server);
    const auto before = export_rows(*server, dir);

    Kiosk second(dir, http_url(proxy.port()), "", "", "copy.db");
    const auto result = second.pass();
    CHECK_MESSAGE(result.outcome == PassOutcome::Done, result.message);
    const auto exchanges = proxy.exchanges("/v1/batches");
    REQUIRE(exchanges.size() == 2);
    const auto answered = decode_results(exchanges[1].answer_body);
    CHECK(answered.at(reused) == "conflict");
    CHECK(status_counts(exchanges[1].answer_body) == std::map<std::string, int>{{"conflict", 1}, {"duplicate", 34}});
    // Set aside on the second store, with the reason; the others are sent as usual.
    const auto counts = second.counts();
    CHECK(counts.set_aside == 1);
    REQUIRE(counts.set_aside_reasons.size() == 1);
    CHECK(counts.set_aside_reasons.begin()->first.rfind("conflict", 0) == 0);
    // The server never overwrote anything: its export is what it was.
    CHECK(export_rows(*server, dir) == before);
    for (const auto& row : before) {
        if (row["id"] == reused) {
            CHECK(row["answers"] == nlohmann::json::parse(responses.value().at(0).answers_json));
        }
    }
    check_exactly_once(first, *server);
    check_exactly_once(second, *server, 1);
}

TEST_CASE("e2e a tampered and an unsigned batch are refused with 401 and store nothing") {
    const auto dir = fresh_dir("tamper");
    auto server = start_server(sqlite_store(dir), dir);
    Kiosk kiosk(dir, http_url(server->port()), server->enrol_code("test-venue"));
    kiosk.add(25, 2);
    // A real frozen batch, signed by the device as the sync client would sign it.
    const auto frozen = kiosk.store->freeze_batch(500);
    REQUIRE((frozen.ok() && frozen.value().has_value()));
    const std::string body = frozen.value()->body;
    const tillit::wire::DeviceKeys keys{kiosk.identity.public_key, kiosk.identity.secret_key};
    const std::string signature = tillit::wire::sign(keys, "/v1/batches", body);
    httplib::Client client("127.0.0.1", server->port());
    auto post = [&](const std::string& bytes, const httplib::Headers& headers) {
        auto answer = client.Post("/v1/batches", headers, bytes, tillit::wire::kContentType);
        REQUIRE(answer);
        return std::make_pair(answer->status, nlohmann::json::parse(answer->body, nullptr, false));
    };

    std::string tampered = body;
    tampered[tampered.size() / 2] = static_cast<char>(tampered[tampered.size() / 2] ^ 0x01);
    const auto [tampered_status, tampered_answer] =
        post(tampered, {{tillit::wire::kDeviceHeader, kiosk.identity.device_id},
                        {tillit::wire::kSignatureHeader, signature}});
    CHECK(tampered_status == 401);
    CHECK(contains(tampered_answer.value("error", ""), "signature"));
    const auto [unsigned_status, unsigned_answer] = post(body, {{tillit::wire::kDeviceHeader, kiosk.identity.device_id}});
    CHECK(unsigned_status == 401);
    CHECK(contains(unsigned_answer.value("error", ""), "unsigned"));
    // Signed by another key under this device's id: the same refusal.
    const auto stranger = tillit::wire::generate_device_keys();
    const auto [foreign_status, foreign_answer] =
        post(body, {{tillit::wire::kDeviceHeader, kiosk.identity.device_id},
                    {tillit::wire::kSignatureHeader, tillit::wire::sign(stranger, "/v1/batches", body)}});
    CHECK(foreign_status == 401);
    CHECK(server_ids(*server, dir).empty());

    // The untouched frozen batch, sent by the kiosk itself, is accepted as it is.
    CHECK(kiosk.pass().outcome == PassOutcome::Done);
    check_exactly_once(kiosk, *server);
}

TEST_CASE("e2e workshop: a finished workshop's record syncs next to responses, once, and the server exports it") {
    const auto dir = fresh_dir("workshop");
    auto server = start_server(sqlite_store(dir), dir);
    Kiosk kiosk(dir, http_url(server->port()), server->enrol_code("test-venue"));
    kiosk.add(12);
    WorkshopStore workshops(*kiosk.store);
    WorkshopSetup setup;
    setup.venue_id = "test-venue";
    setup.title = "Dialog";
    setup.question = "Hur kan vi förebygga digitalt utanförskap?";
    auto id = workshops.create(setup, "2026-11-23");
    REQUIRE(id.ok());
    REQUIRE(workshops.add_contribution(id.value(), WorksheetStep::NextSteps, "Boka ett möte").ok());
    REQUIRE(workshops.finish(id.value(), {{"responses", 12}}).ok());

    const auto last = kiosk.sync_until_done();
    CHECK_MESSAGE(last.outcome == PassOutcome::Done, last.message);
    check_exactly_once(kiosk, *server);
    int found = 0;
    for (const auto& row : export_rows(*server, dir)) {
        if (row.value("kind", "") != "workshop") continue;
        ++found;
        CHECK(row["id"] == id.value());
        CHECK(row["workshop"]["contributions"]["next_steps"][0]["text"] == "Boka ett möte");
        CHECK(row["workshop"]["data_shown"]["responses"] == 12);
    }
    CHECK(found == 1);
}

TEST_CASE("e2e feedback: a 'Ni sa – vi gjorde' message written on the server reaches the venue's kiosk with sync") {
    const auto dir = fresh_dir("feedback");
    const std::string store_path = sqlite_store(dir);
    auto server = start_server(store_path, dir);
    Kiosk kiosk(dir, http_url(server->port()), server->enrol_code("test-venue"));
    kiosk.add(12);
    auto first = kiosk.sync_until_done();
    REQUIRE_MESSAGE(first.outcome == PassOutcome::Done, first.message);
    CHECK(!tillit::sync::read_server_feedback(kiosk.dir).has_value());

    {
        // Staff write it on the report page; the page calls write_feedback on the store.
        auto store = tillit::server::open_server_store(store_path);
        REQUIRE(store);
        REQUIRE(tillit::server::write_feedback(*store.value(), "test-venue", "Ni sa: svårt att nå oss. Vi gjorde: öppet hus på tisdagar."));
    }
    auto second = kiosk.sync_until_done();
    CHECK_MESSAGE(second.outcome == PassOutcome::Done, second.message);
    const auto feedback = tillit::sync::read_server_feedback(kiosk.dir);
    REQUIRE(feedback.has_value());
    CHECK(feedback->message == "Ni sa: svårt att nå oss. Vi gjorde: öppet hus på tisdagar.");
    CHECK(feedback->written.size() == 10);
    CHECK(feedback->responses == 12);
    REQUIRE(feedback->trust.size() == 4);
    long long shown = 0;
    for (const auto& [key, n] : feedback->trust) shown += n.value_or(0);
    CHECK(shown <= 12);
    for (const auto& [key, n] : feedback->trust) CHECK((!n || *n == 0 || *n >= 5));
}
