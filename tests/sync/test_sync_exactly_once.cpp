// End to end: the kiosk's SyncClient against the real tillit-server binary on
// 127.0.0.1, through the fault proxy. Every test ends by comparing the ids on the
// kiosk with the ids the server exports: zero lost, zero duplicated.
#include <doctest/doctest.h>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include <httplib.h>
#include <nlohmann/json.hpp>

#include "core/privacy.h"
#include "core/store.h"
#include "core/sync/http_client.h"
#include "core/sync/sync_client.h"
#include "core/wire.h"
#include "fault_proxy.h"
#include "server_process.h"

namespace fs = std::filesystem;
using tillit::sync::PassOutcome;
using tillit::test::FaultAction;

namespace {

std::string fresh_dir(const std::string& name) {
    const fs::path dir = fs::temp_directory_path() / ("tillit-sync-" + name + "-" + std::to_string(::getpid()));
    fs::remove_all(dir);
    fs::create_directories(dir);
    return dir.string();
}

std::string answers(int i) {
    return nlohmann::json{{"inst_trust", 1 + i % 5}, {"expect_help", i % 3 ? "would_help" : "harder"}}.dump();
}

// One kiosk store, enrolled with a real server (reached directly or through a proxy).
struct Kiosk {
    std::string dir;
    std::unique_ptr<tillit::Store> store;
    tillit::SyncConfig config;
    std::optional<tillit::sync::HttpClient> http;
    tillit::DeviceIdentity identity;

    Kiosk(const std::string& dir_, const std::string& url, const std::string& code, const std::string& ca_file = "")
        : dir(dir_) {
        auto opened = tillit::Store::open((fs::path(dir) / "kiosk.db").string());
        REQUIRE_MESSAGE(opened.ok(), (opened.ok() ? "" : opened.error()));
        store = std::move(opened).value();
        connect(url, ca_file);
        auto enrolled = tillit::sync::enrol(*store, *http, url, code, {});
        REQUIRE_MESSAGE(enrolled.ok(), (enrolled.ok() ? "" : enrolled.error()));
        identity = enrolled.value();
    }

    void connect(const std::string& url, const std::string& ca_file = "") {
        config.server_url = url;
        config.allow_http_loopback = url.rfind("http://", 0) == 0;
        config.ca_file = ca_file;
        auto client = tillit::sync::HttpClient::create(config);
        REQUIRE_MESSAGE(client.ok(), (client.ok() ? "" : client.error()));
        http.emplace(std::move(client).value());
    }

    void add(int responses, int abandonments = 0) {
        std::vector<tillit::NewResponse> rows;
        for (int i = 0; i < responses; ++i) {
            tillit::NewResponse r;
            r.survey_id = "tillit";
            r.survey_version = 1;
            r.language = i % 4 ? "sv" : "en";
            r.venue_id = "test-venue";
            r.time_bucket = "2026-11-23T14";
            r.answers_json = answers(i);
            rows.push_back(std::move(r));
        }
        REQUIRE(store->save_responses(rows).ok());
        for (int i = 0; i < abandonments; ++i) {
            tillit::Abandonment a;
            a.survey_id = "tillit";
            a.survey_version = 1;
            a.language = "sv";
            a.venue_id = "test-venue";
            a.time_bucket = "2026-11-23";
            a.reached_step = 1 + i % 15;
            a.total_steps = 15;
            REQUIRE(store->save_abandonment(a).ok());
        }
    }

    tillit::sync::PassResult pass(int batch_size = 500) {
        tillit::sync::SyncContext context;
        context.data_dir = dir;
        context.languages = {"sv", "en"};
        context.survey_versions = {{"tillit", 1}};
        context.batch_size = batch_size;
        tillit::sync::SyncClient client(*store, *http, identity, context);
        return client.run_pass();
    }

    std::set<std::string> ids() const {
        // Held in locals: a range-for over a temporary Result's value() would dangle.
        const auto responses = store->responses();
        const auto abandonments = store->abandonments();
        REQUIRE((responses.ok() && abandonments.ok()));
        std::set<std::string> all;
        for (const auto& r : responses.value()) all.insert(r.id);
        for (const auto& a : abandonments.value()) all.insert(a.id);
        return all;
    }

    tillit::OutboxCounts counts() const { return store->outbox_counts().value(); }
};

// Every id the server holds, with how many times.
std::map<std::string, int> server_ids(const tillit::test::ServerProcess& server, const std::string& dir) {
    const std::string out = (fs::path(dir) / "export.json").string();
    const auto exported = server.admin("export", {"--format", "json", "--out", out});
    REQUIRE_MESSAGE(exported.exit_code == 0, exported.err);
    std::ifstream in(out);
    const auto rows = nlohmann::json::parse(in);
    std::map<std::string, int> ids;
    for (const auto& row : rows) ++ids[row["id"].get<std::string>()];
    return ids;
}

void check_exactly_once(const Kiosk& kiosk, const tillit::test::ServerProcess& server) {
    const auto on_server = server_ids(server, kiosk.dir);
    const auto on_kiosk = kiosk.ids();
    std::set<std::string> server_set;
    for (const auto& [id, count] : on_server) {
        CHECK_MESSAGE(count == 1, "duplicated on the server: " << id);
        server_set.insert(id);
    }
    CHECK(server_set == on_kiosk);  // zero lost, zero extra
    CHECK(kiosk.counts().pending == 0);
}

std::string server_log(const std::string& dir) { return (fs::path(dir) / "server.log").string(); }

tillit::test::ServerProcess start_server(const std::string& dir, std::vector<std::string> extra = {}) {
    extra.insert(extra.end(), {"--rate-limit-per-minute", "100000"});
    return tillit::test::ServerProcess(TILLIT_SERVER_BIN, (fs::path(dir) / "server.db").string(), extra,
                                       server_log(dir));
}

std::string url_of(int port) { return "http://127.0.0.1:" + std::to_string(port); }

}  // namespace

TEST_CASE("sync happy path: 1 200 responses and 30 abandonments arrive exactly once in 3 batches") {
    const auto dir = fresh_dir("happy");
    auto server = start_server(dir);
    tillit::test::FaultProxy proxy(server.port());
    Kiosk kiosk(dir, url_of(proxy.port()), server.enrol_code("test-venue"));
    kiosk.add(1200, 30);
    const auto result = kiosk.pass(500);
    CHECK_MESSAGE(result.outcome == PassOutcome::Done, result.message);
    CHECK(proxy.forwarded("/v1/batches") == 3);  // 1 230 items / 500
    CHECK(proxy.forwarded("/v1/heartbeat") == 1);
    CHECK(kiosk.counts().sent == 1230);
    check_exactly_once(kiosk, server);
    // A second pass has nothing to send.
    CHECK(kiosk.pass().outcome == PassOutcome::Done);
    CHECK(proxy.forwarded("/v1/batches") == 3);
}

TEST_CASE("sync: the server commits but the answer is lost; the same batch is resent and found duplicate") {
    const auto dir = fresh_dir("reset");
    auto server = start_server(dir);
    tillit::test::FaultProxy proxy(server.port());
    Kiosk kiosk(dir, url_of(proxy.port()), server.enrol_code("test-venue"));
    kiosk.add(300);
    proxy.push({FaultAction::Kind::ResetAfterForward, 0, {}, {}, "/v1/batches"});
    // Depending on whether the connection was new or reused, libcurl either reports the
    // reset (the pass retries later) or resends at once itself; both must end the same.
    for (int i = 0; i < 3 && kiosk.counts().pending > 0; ++i) kiosk.pass();
    CHECK(proxy.hits("/v1/batches") == 2);
    CHECK(proxy.forwarded("/v1/batches") == 2);  // the server saw the batch twice ...
    CHECK(kiosk.counts().sent == 300);
    check_exactly_once(kiosk, server);           // ... and holds each response once
}

TEST_CASE("sync: 500, 503 and 429 with Retry-After are retried with the same batch until it lands") {
    const auto dir = fresh_dir("retry");
    auto server = start_server(dir);
    tillit::test::FaultProxy proxy(server.port());
    Kiosk kiosk(dir, url_of(proxy.port()), server.enrol_code("test-venue"));
    kiosk.add(50);
    proxy.push({FaultAction::Kind::Respond, 500, {}, "oops", "/v1/batches"});
    proxy.push({FaultAction::Kind::Respond, 503, {{"Retry-After", "7"}}, "busy", "/v1/batches"});
    proxy.push({FaultAction::Kind::Respond, 429, {{"Retry-After", "3"}}, "slow down", "/v1/batches"});

    CHECK(kiosk.pass().outcome == PassOutcome::Retry);
    const std::string body = kiosk.store->frozen_batches().value().at(0).body;
    const auto busy = kiosk.pass();
    CHECK(busy.outcome == PassOutcome::Retry);
    REQUIRE(busy.retry_after.has_value());
    CHECK(busy.retry_after->count() >= 7);
    const auto slow = kiosk.pass();
    CHECK(slow.outcome == PassOutcome::Retry);
    REQUIRE(slow.retry_after.has_value());
    CHECK(slow.retry_after->count() >= 3);
    CHECK(kiosk.store->frozen_batches().value().at(0).body == body);  // byte-identical on every resend
    CHECK(kiosk.pass().outcome == PassOutcome::Done);
    CHECK(proxy.hits("/v1/batches") == 4);
    CHECK(proxy.forwarded("/v1/batches") == 1);
    check_exactly_once(kiosk, server);
}

TEST_CASE("sync: 413 splits the batch; both halves arrive") {
    const auto dir = fresh_dir("split");
    auto server = start_server(dir);
    tillit::test::FaultProxy proxy(server.port());
    Kiosk kiosk(dir, url_of(proxy.port()), server.enrol_code("test-venue"));
    kiosk.add(400);
    proxy.push({FaultAction::Kind::Respond, 413, {}, "too large", "/v1/batches"});
    for (int i = 0; i < 3 && kiosk.counts().pending > 0; ++i) kiosk.pass(400);
    CHECK(proxy.forwarded("/v1/batches") == 2);  // the two halves
    CHECK(kiosk.counts().sent == 400);
    check_exactly_once(kiosk, server);
}

TEST_CASE("sync: 401 stops with the reason; a revoked device gets 403; nothing is marked") {
    const auto dir = fresh_dir("auth");
    auto server = start_server(dir);
    tillit::test::FaultProxy proxy(server.port());
    Kiosk kiosk(dir, url_of(proxy.port()), server.enrol_code("test-venue"));
    kiosk.add(20);
    proxy.push({FaultAction::Kind::Respond, 401, {{"Content-Type", "application/json"}},
                R"({"error":"unknown device"})", "/v1/heartbeat"});
    const auto refused = kiosk.pass();
    CHECK(refused.outcome == PassOutcome::Stopped);
    CHECK(refused.message.find("unknown device") != std::string::npos);
    CHECK(kiosk.counts().sent == 0);
    CHECK(kiosk.pass().outcome == PassOutcome::Done);  // "sync now" after the fault is gone
    check_exactly_once(kiosk, server);

    REQUIRE(server.admin("revoke", {kiosk.identity.device_id}).exit_code == 0);
    kiosk.add(5);
    const auto revoked = kiosk.pass();
    CHECK(revoked.outcome == PassOutcome::Stopped);
    CHECK_FALSE(revoked.message.empty());
    CHECK(kiosk.counts().pending == 5);
    CHECK(server_ids(server, dir).size() == 20);
}

TEST_CASE("sync: a tampered and an unsigned batch are rejected and store nothing") {
    const auto dir = fresh_dir("tamper");
    auto server = start_server(dir);
    Kiosk kiosk(dir, url_of(server.port()), server.enrol_code("test-venue"));
    const auto item = tillit::wire::make_item(tillit::new_uuid_v4(), tillit::wire::ItemKind::Response,
                                              {{"survey_id", "tillit"}, {"survey_version", 1}, {"language", "sv"},
                                               {"venue_id", "test-venue"}, {"time_bucket", "2026-11-23T14"},
                                               {"answers", {{"inst_trust", 3}}}});
    const std::string body = tillit::wire::gzip(tillit::wire::batch_json(tillit::new_uuid_v4(), {item}));
    const tillit::wire::DeviceKeys keys{kiosk.identity.public_key, kiosk.identity.secret_key};
    const std::string signature = tillit::wire::sign(keys, "/v1/batches", body);
    httplib::Client client("127.0.0.1", server.port());

    std::string tampered = body;
    tampered[tampered.size() / 2] ^= 0x01;
    const auto bad = client.Post("/v1/batches",
                                 {{tillit::wire::kDeviceHeader, kiosk.identity.device_id},
                                  {tillit::wire::kSignatureHeader, signature}},
                                 tampered, tillit::wire::kContentType);
    REQUIRE(bad);
    CHECK(bad->status == 401);
    const auto unsigned_ = client.Post("/v1/batches", {{tillit::wire::kDeviceHeader, kiosk.identity.device_id}},
                                       body, tillit::wire::kContentType);
    REQUIRE(unsigned_);
    CHECK(unsigned_->status == 401);
    CHECK(server_ids(server, dir).empty());
    // The same bytes, properly signed, are accepted: the rejections were about the signature.
    const auto good = client.Post("/v1/batches",
                                  {{tillit::wire::kDeviceHeader, kiosk.identity.device_id},
                                   {tillit::wire::kSignatureHeader, signature}},
                                  body, tillit::wire::kContentType);
    REQUIRE(good);
    CHECK(good->status == 200);
    CHECK(server_ids(server, dir).size() == 1);
}

TEST_CASE("sync: the same id with different content is a conflict, set aside; the server keeps its copy") {
    const auto dir = fresh_dir("conflict");
    auto server = start_server(dir);
    Kiosk first(dir, url_of(server.port()), server.enrol_code("test-venue"));
    first.add(10);
    REQUIRE(first.pass().outcome == PassOutcome::Done);
    const auto stored = first.store->responses();
    REQUIRE(stored.ok());
    const std::string reused_id = stored.value().at(0).id;

    // A second kiosk sends an item under an id the server already holds, with other answers.
    const auto dir2 = fresh_dir("conflict2");
    const auto item = tillit::wire::make_item(reused_id, tillit::wire::ItemKind::Response,
                                              {{"survey_id", "tillit"}, {"survey_version", 1}, {"language", "sv"},
                                               {"venue_id", "test-venue"}, {"time_bucket", "2026-11-23T14"},
                                               {"answers", {{"inst_trust", 99}}}});
    const auto fresh = tillit::wire::make_item(tillit::new_uuid_v4(), tillit::wire::ItemKind::Response,
                                               item.content);
    const std::string batch_id = tillit::new_uuid_v4();
    const std::string body = tillit::wire::gzip(tillit::wire::batch_json(batch_id, std::vector{item, fresh}));
    const tillit::wire::DeviceKeys keys{first.identity.public_key, first.identity.secret_key};
    httplib::Client client("127.0.0.1", server.port());
    const auto answer = client.Post("/v1/batches",
                                    {{tillit::wire::kDeviceHeader, first.identity.device_id},
                                     {tillit::wire::kSignatureHeader, tillit::wire::sign(keys, "/v1/batches", body)}},
                                    body, tillit::wire::kContentType);
    REQUIRE(answer);
    REQUIRE(answer->status == 200);
    const auto results =
        tillit::wire::parse_results(answer->body, batch_id, std::vector<std::string>{reused_id, fresh.id});
    REQUIRE(results.ok());
    for (const auto& r : results.value()) {
        CHECK(r.status == (r.id == reused_id ? tillit::wire::ItemStatus::Conflict : tillit::wire::ItemStatus::Created));
    }
    // The server's copy of the reused id is the first kiosk's, unchanged.
    const auto out = (fs::path(dir2) / "export.json").string();
    REQUIRE(server.admin("export", {"--format", "json", "--out", out}).exit_code == 0);
    std::ifstream in(out);
    for (const auto& row : nlohmann::json::parse(in)) {
        if (row["id"] == reused_id) CHECK(row["answers"]["inst_trust"] != 99);
    }
    const auto ids = server_ids(server, dir);
    CHECK(ids.size() == 11);
    for (const auto& [id, count] : ids) CHECK(count == 1);
}

TEST_CASE("sync: kill -9 of the server during a large batch, restart on the same store: exactly once") {
    const auto dir = fresh_dir("killserver");
    auto server = std::make_unique<tillit::test::ServerProcess>(
        TILLIT_SERVER_BIN, (fs::path(dir) / "server.db").string(),
        std::vector<std::string>{"--rate-limit-per-minute", "100000"}, server_log(dir));
    auto proxy = std::make_unique<tillit::test::FaultProxy>(server->port());
    Kiosk kiosk(dir, url_of(proxy->port()), server->enrol_code("test-venue"));
    kiosk.add(6000);
    // Kill the server the moment the first 3 000-item batch has been handed to it.
    const pid_t victim = server->pid();
    proxy->on_forward([victim](const std::string& path, int count) {
        if (path == "/v1/batches" && count == 1) ::kill(victim, SIGKILL);
    });
    const auto interrupted = kiosk.pass(3000);
    CHECK(interrupted.outcome == PassOutcome::Retry);
    CHECK(kiosk.counts().pending == 6000);
    server->kill9();  // reaps it
    INFO("first pass: " << interrupted.message);

    server = std::make_unique<tillit::test::ServerProcess>(
        TILLIT_SERVER_BIN, (fs::path(dir) / "server.db").string(),
        std::vector<std::string>{"--rate-limit-per-minute", "100000"}, server_log(dir));
    proxy = std::make_unique<tillit::test::FaultProxy>(server->port());
    kiosk.connect(url_of(proxy->port()));
    for (int i = 0; i < 5 && kiosk.counts().pending > 0; ++i) kiosk.pass(3000);
    CHECK(kiosk.counts().sent == 6000);
    check_exactly_once(kiosk, *server);
    REQUIRE(server->stop() == 0);
}

TEST_CASE("sync: kill -9 of the kiosk during a sync, then a restart: exactly once") {
    const auto dir = fresh_dir("killkiosk");
    auto server = start_server(dir);
    tillit::test::FaultProxy proxy(server.port());
    const std::string code = server.enrol_code("test-venue");
    {
        Kiosk kiosk(dir, url_of(proxy.port()), code);
        kiosk.add(4000);
    }
    const pid_t child = ::fork();
    if (child == 0) {
        // The child syncs with its own connections, as a kiosk process would, until killed.
        auto store = tillit::Store::open((fs::path(dir) / "kiosk.db").string());
        if (!store) ::_exit(3);
        tillit::SyncConfig config;
        config.server_url = url_of(proxy.port());
        config.allow_http_loopback = true;
        auto http = tillit::sync::HttpClient::create(config);
        auto identity = store.value()->identity();
        if (!http || !identity || !identity.value()) ::_exit(4);
        tillit::sync::SyncContext context;
        context.data_dir = dir;
        context.languages = {"sv", "en"};
        context.batch_size = 200;
        tillit::sync::SyncClient client(*store.value(), http.value(), *identity.value(), context);
        client.run_pass();
        ::_exit(0);
    }
    // The parent kills the syncing child the moment its 5th batch reaches the server.
    std::atomic<bool> killed{false};
    proxy.on_forward([child, &killed](const std::string& path, int count) {
        if (path == "/v1/batches" && count == 5) {
            ::kill(child, SIGKILL);
            killed = true;
        }
    });
    int status = 0;
    ::waitpid(child, &status, 0);
    REQUIRE(killed.load());
    CHECK(WIFSIGNALED(status));
    proxy.on_forward({});

    auto reopened = tillit::Store::open((fs::path(dir) / "kiosk.db").string());
    REQUIRE(reopened.ok());
    // Finish with a fresh client on the reopened store.
    tillit::SyncConfig config;
    config.server_url = url_of(proxy.port());
    config.allow_http_loopback = true;
    auto http = tillit::sync::HttpClient::create(config);
    REQUIRE(http.ok());
    auto identity = reopened.value()->identity();
    REQUIRE((identity.ok() && identity.value()));
    tillit::sync::SyncContext context;
    context.data_dir = dir;
    context.languages = {"sv", "en"};
    context.batch_size = 200;
    tillit::sync::SyncClient client(*reopened.value(), http.value(), *identity.value(), context);
    for (int i = 0; i < 5 && reopened.value()->outbox_counts().value().pending > 0; ++i) client.run_pass();
    CHECK(reopened.value()->outbox_counts().value().pending == 0);
    CHECK(reopened.value()->outbox_counts().value().sent == 4000);
    std::set<std::string> on_kiosk;
    const auto responses = reopened.value()->responses();
    REQUIRE(responses.ok());
    for (const auto& r : responses.value()) on_kiosk.insert(r.id);
    const auto on_server = server_ids(server, dir);
    std::set<std::string> server_set;
    for (const auto& [id, count] : on_server) {
        CHECK(count == 1);
        server_set.insert(id);
    }
    CHECK(server_set == on_kiosk);
}
