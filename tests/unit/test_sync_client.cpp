// Tests for core/sync/sync_client and sync_worker against a scripted server on
// 127.0.0.1 (plain http with allow_http_loopback) that plays tillit-server: it checks
// every signature, stores items by id and answers per item, and each test makes it
// misbehave in one way: a captive portal's 200, 500, 503/429 + Retry-After, 413,
// 401/403, conflicts, a 400, redirects, survey updates, a slow answer. The real server
// (and TLS) is exercised by tests/sync.
#include <doctest/doctest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "core/privacy.h"
#include "core/store.h"
#include "core/sync/http_client.h"
#include "core/sync/sync_client.h"
#include "core/sync/sync_worker.h"
#include "core/wire.h"
#include "scripted_http_server.h"

using namespace std::chrono_literals;
using nlohmann::json;
using tillit::DeviceIdentity;
using tillit::Store;
using tillit::SyncConfig;
using tillit::sync::HttpClient;
using tillit::sync::PassOutcome;
using tillit::sync::PassResult;
using tillit::sync::SyncClient;
using tillit::sync::SyncContext;
using tillit::sync::SyncState;
using tillit::sync::SyncStatus;
using tillit::sync::SyncWorker;
using tillit::sync::SyncWorkerOptions;
using tillit::test::HttpReply;
using tillit::test::HttpRequest;
using tillit::test::ScriptedHttpServer;
namespace fs = std::filesystem;
namespace wire = tillit::wire;

namespace {

bool contains(const std::string& text, const std::string& part) {
    return text.find(part) != std::string::npos;
}

HttpReply reply(int status, std::string body, std::vector<std::pair<std::string, std::string>> headers = {}) {
    return HttpReply{.status = status, .headers = std::move(headers), .body = std::move(body), .delay = {}};
}

json body_json(const HttpRequest& request) {
    auto inflated = wire::gunzip(request.body);
    REQUIRE(inflated.ok());
    return json::parse(inflated.value());
}

// Plays tillit-server: verifies signatures, stores items by id (same hash -> duplicate,
// other hash -> conflict) and answers per item. `script` may answer a request instead
// (the misbehaviour under test); it gets the request and the number of batch requests
// seen so far, this one included.
class FakeTillit {
public:
    using Script = std::function<std::optional<HttpReply>(const HttpRequest&, int batch_call)>;

    explicit FakeTillit(std::string device_id, std::string public_key)
        : device_id_(std::move(device_id)), public_key_(std::move(public_key)) {}

    void set_script(Script script) {
        const std::lock_guard<std::mutex> lock(mutex_);
        script_ = std::move(script);
    }
    void set_config(std::string version, json answer) {
        const std::lock_guard<std::mutex> lock(mutex_);
        config_version_ = std::move(version);
        config_answer_ = std::move(answer);
    }
    // Stores an item as if another kiosk had sent it with other content.
    void store_foreign(const std::string& id) {
        const std::lock_guard<std::mutex> lock(mutex_);
        stored_[id] = std::string(64, '0');
    }
    std::set<std::string> stored_ids() const {
        const std::lock_guard<std::mutex> lock(mutex_);
        std::set<std::string> ids;
        for (const auto& [id, hash] : stored_) ids.insert(id);
        return ids;
    }
    void answer_invalid(const std::string& id, std::string reason) {
        const std::lock_guard<std::mutex> lock(mutex_);
        invalid_[id] = std::move(reason);
    }
    int bad_signatures() const { return bad_signatures_; }

    HttpReply operator()(const HttpRequest& request) {
        const std::lock_guard<std::mutex> lock(mutex_);
        if (request.path == "/v1/batches") ++batch_calls_;
        if (request.header("x-tillit-device") != device_id_ ||
            !wire::verify(public_key_, request.path, request.body, request.header("x-tillit-signature"))) {
            ++bad_signatures_;
            return reply(401, R"({"error":"bad signature"})");
        }
        if (script_) {
            if (auto scripted = script_(request, batch_calls_)) return *scripted;
        }
        if (request.path == "/v1/heartbeat") return reply(200, json{{"config_version", config_version_}}.dump());
        if (request.path == "/v1/config") return reply(200, config_answer_.dump());
        if (request.path != "/v1/batches") return reply(404, R"({"error":"no such endpoint"})");

        auto inflated = wire::gunzip(request.body);
        if (!inflated) return reply(400, R"({"error":"not gzip"})");
        auto batch = wire::parse_batch(inflated.value());
        if (!batch) return reply(400, json{{"error", batch.error()}}.dump());
        std::vector<wire::ItemResult> results;
        for (const auto& received : batch.value().items) {
            const wire::Item& item = received.item;
            if (!received.invalid_reason.empty()) {
                results.push_back({item.id, wire::ItemStatus::Invalid, received.invalid_reason});
            } else if (auto scripted = invalid_.find(item.id); scripted != invalid_.end()) {
                results.push_back({item.id, wire::ItemStatus::Invalid, scripted->second});
            } else if (auto known = stored_.find(item.id); known != stored_.end()) {
                results.push_back(
                    {item.id, known->second == item.sha256 ? wire::ItemStatus::Duplicate : wire::ItemStatus::Conflict,
                     ""});
            } else {
                stored_[item.id] = item.sha256;
                results.push_back({item.id, wire::ItemStatus::Created, ""});
            }
        }
        return reply(200, wire::results_json(batch.value().batch_id, results));
    }

private:
    mutable std::mutex mutex_;
    std::string device_id_;
    std::string public_key_;
    Script script_;
    std::string config_version_;
    json config_answer_ = json::object();
    std::map<std::string, std::string> stored_;
    std::map<std::string, std::string> invalid_;
    int batch_calls_ = 0;
    std::atomic<int> bad_signatures_{0};
};

// A kiosk's data folder with its store, enrolled with the fake server.
struct Kiosk {
    fs::path root = fs::temp_directory_path() / ("tillit-sync-test-" + tillit::new_uuid_v4());
    std::string data_dir = (root / "data").string();
    std::string db_path = (root / "data" / "responses.db").string();
    std::unique_ptr<Store> store = [this] {
        auto opened = Store::open(db_path);
        REQUIRE_MESSAGE(opened.ok(), (opened.ok() ? "" : opened.error()));
        return std::move(opened).value();
    }();
    wire::DeviceKeys keys = wire::generate_device_keys();
    wire::SealingKeys server_keys = wire::generate_sealing_keys();
    DeviceIdentity identity{"kiosk-7",       "biblioteket-centrum",  keys.public_key,
                            keys.secret_key, server_keys.public_key, ""};
    FakeTillit fake{identity.device_id, keys.public_key};
    ScriptedHttpServer server{[this](const HttpRequest& request) { return fake(request); }};

    Kiosk() {
        identity.server_url = server.url();
        REQUIRE(store->save_enrolment(identity, {}).ok());
    }
    ~Kiosk() {
        std::error_code ignored;
        fs::remove_all(root, ignored);
    }
    Kiosk(const Kiosk&) = delete;
    Kiosk& operator=(const Kiosk&) = delete;

    SyncConfig sync_config() const {
        SyncConfig config;
        config.server_url = server.url();
        config.allow_http_loopback = true;
        config.interval_seconds = 300;
        return config;
    }
    SyncContext context(int batch_size = 500) const {
        return SyncContext{.data_dir = data_dir,
                           .languages = {"sv", "en"},
                           .survey_versions = {{"tillit", 2}},
                           .batch_size = batch_size,
                           .clock = nullptr};
    }
    std::vector<std::string> save_responses(int count) {
        std::vector<std::string> ids;
        for (int i = 0; i < count; ++i) {
            tillit::NewResponse r;
            r.survey_id = "tillit";
            r.survey_version = 2;
            r.language = "sv";
            r.venue_id = "biblioteket-centrum";
            r.time_bucket = "2026-11-23T14";
            r.answers_json = R"({"q1":)" + std::to_string(i % 5 + 1) + "}";
            auto id = store->save_response(r);
            REQUIRE(id.ok());
            ids.push_back(id.value());
        }
        return ids;
    }
    tillit::OutboxCounts counts() {
        auto c = store->outbox_counts();
        REQUIRE(c.ok());
        return c.value();
    }
    std::vector<HttpRequest> batch_requests() const { return server.requests_to("/v1/batches"); }
};

// One pass with a fresh client, as the worker runs it.
PassResult run_pass(Kiosk& kiosk, int batch_size = 500, tillit::sync::ProgressFn progress = {}) {
    auto http = HttpClient::create(kiosk.sync_config());
    REQUIRE(http.ok());
    SyncClient client(*kiosk.store, http.value(), kiosk.identity, kiosk.context(batch_size));
    return client.run_pass(progress);
}

std::set<std::string> as_set(const std::vector<std::string>& ids) {
    return {ids.begin(), ids.end()};
}

std::string batch_id_of(const HttpRequest& request) {
    return body_json(request)["batch_id"].get<std::string>();
}

std::vector<std::string> item_ids_of(const HttpRequest& request) {
    std::vector<std::string> ids;
    const json batch = body_json(request);
    for (const auto& item : batch["items"]) ids.push_back(item["id"].get<std::string>());
    return ids;
}

// Polls until `done` holds or `timeout` passes; returns whether it held.
bool eventually(const std::function<bool()>& done, std::chrono::milliseconds timeout = 10s) {
    const auto until = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < until) {
        if (done()) return true;
        std::this_thread::sleep_for(10ms);
    }
    return done();
}

// The statuses a worker announced, for tests to look back at.
struct Announcements {
    mutable std::mutex mutex;
    std::vector<SyncStatus> seen;
    void add(const SyncStatus& status) {
        const std::lock_guard<std::mutex> lock(mutex);
        seen.push_back(status);
    }
    std::vector<SyncStatus> all() const {
        const std::lock_guard<std::mutex> lock(mutex);
        return seen;
    }
};

SyncWorkerOptions worker_options(Kiosk& kiosk, Announcements& announcements) {
    SyncWorkerOptions options;
    options.database_path = kiosk.db_path;
    options.sync = kiosk.sync_config();
    options.context = kiosk.context();
    options.backoff = {.base = 10ms, .cap = 50ms, .floor = 1ms};
    options.on_change = [&announcements](const SyncStatus& status) { announcements.add(status); };
    return options;
}

}  // namespace

TEST_CASE("sync: a pass sends a signed heartbeat, then every item; per-item results mark them sent") {
    Kiosk kiosk;
    const auto ids = kiosk.save_responses(5);
    tillit::Abandonment left;
    left.survey_id = "tillit";
    left.survey_version = 2;
    left.language = "en";
    left.venue_id = "biblioteket-centrum";
    left.time_bucket = "2026-11-23";
    left.reached_step = 2;
    left.total_steps = 9;
    REQUIRE(kiosk.store->save_abandonment(left).ok());

    std::vector<tillit::sync::Progress> progress;
    const PassResult result =
        run_pass(kiosk, 4, [&progress](const tillit::sync::Progress& p) { progress.push_back(p); });
    CHECK(result.outcome == PassOutcome::Done);
    CHECK(result.message.empty());
    CHECK(kiosk.fake.bad_signatures() == 0);

    const auto c = kiosk.counts();
    CHECK(c.sent == 6);
    CHECK(c.pending == 0);
    CHECK(c.set_aside == 0);
    CHECK(kiosk.fake.stored_ids().size() == 6);
    for (const auto& id : ids) CHECK(kiosk.fake.stored_ids().count(id) == 1);
    CHECK(kiosk.batch_requests().size() == 2);  // batch_size 4: 4 + 2
    REQUIRE_FALSE(progress.empty());
    CHECK(progress.front().done == 0);
    CHECK(progress.back().done == 6);
    CHECK(progress.back().total == 6);
    const std::string last_success = kiosk.store->sync_meta().value().last_success;
    CHECK(last_success.size() == 20);
    CHECK(last_success.back() == 'Z');

    // The heartbeat came first and says what the protocol lists.
    const auto requests = kiosk.server.requests();
    REQUIRE(requests.size() == 3);
    CHECK(requests[0].path == "/v1/heartbeat");
    CHECK(requests[0].header("content-type") == "application/gzip");
    const json beat = body_json(requests[0]);
    CHECK(beat["app_version"] == TILLIT_VERSION);
    CHECK(beat["survey_versions"] == json{{"tillit", 2}});
    CHECK(beat["pending"] == 6);
    CHECK(beat["set_aside"] == 0);
    CHECK(beat["last_success"].is_null());
    CHECK(beat["free_disk_bytes"].get<long long>() > 0);
    CHECK(beat["storage_health"] == "ok");
    CHECK(beat["clock"].get<std::string>().back() == 'Z');
    CHECK(beat.size() == 8);

    // Nothing left: the next pass is a heartbeat only, reporting the success.
    CHECK(run_pass(kiosk).outcome == PassOutcome::Done);
    CHECK(kiosk.batch_requests().size() == 2);
    const auto heartbeats = kiosk.server.requests_to("/v1/heartbeat");
    REQUIRE(heartbeats.size() == 2);
    CHECK(body_json(heartbeats[1])["last_success"] == last_success);
    CHECK(body_json(heartbeats[1])["pending"] == 0);
}

TEST_CASE("sync: a 200 that does not echo the batch (a captive portal) marks nothing") {
    Kiosk kiosk;
    kiosk.save_responses(3);
    for (const std::string& portal : {std::string("<html><body>Log in to Guest Wi-Fi</body></html>"),
                                      json{{"batch_id", tillit::new_uuid_v4()}, {"results", json::array()}}.dump(),
                                      std::string(R"({"ok":true})")}) {
        kiosk.fake.set_script([portal](const HttpRequest& request, int) -> std::optional<HttpReply> {
            if (request.path == "/v1/batches") return reply(200, portal);
            return std::nullopt;
        });
        const PassResult result = run_pass(kiosk);
        CHECK(result.outcome == PassOutcome::Retry);
        CHECK(contains(result.message, "the server's answer was not accepted"));
        CHECK(kiosk.counts().sent == 0);
        CHECK(kiosk.counts().pending == 3);
    }
    // Every try sent the same frozen batch.
    const auto sent = kiosk.batch_requests();
    REQUIRE(sent.size() == 3);
    CHECK(sent[0].body == sent[1].body);
    CHECK(sent[1].body == sent[2].body);
}

TEST_CASE("sync: an answer that leaves an item out is not success either") {
    int protocol = 1;
    SUBCASE("protocol 1") { protocol = 1; }
    SUBCASE("protocol 2") { protocol = 2; }
    Kiosk kiosk;
    kiosk.save_responses(3);
    kiosk.fake.set_script([protocol](const HttpRequest& request, int) -> std::optional<HttpReply> {
        if (request.path != "/v1/batches") return std::nullopt;
        const json batch = body_json(request);
        const std::vector<wire::ItemResult> two = {{batch["items"][0]["id"], wire::ItemStatus::Created, ""},
                                                   {batch["items"][1]["id"], wire::ItemStatus::Created, ""}};
        // Protocol 1 lists every item; protocol 2's digest is of two ids, not the three sent.
        return reply(200, wire::results_json(batch["batch_id"], two, protocol));
    });
    const PassResult result = run_pass(kiosk);
    CHECK(result.outcome == PassOutcome::Retry);
    CHECK(contains(result.message, protocol == 1 ? "leaves 1 items unanswered" : "for other items than were sent"));
    CHECK(kiosk.counts().sent == 0);
}

TEST_CASE("sync: a 500 is retried with the very same batch bytes") {
    Kiosk kiosk;
    const auto ids = kiosk.save_responses(4);
    kiosk.fake.set_script([](const HttpRequest& request, int batch_call) -> std::optional<HttpReply> {
        if (request.path == "/v1/batches" && batch_call == 1) return reply(500, R"({"error":"database locked"})");
        return std::nullopt;
    });
    const PassResult failed = run_pass(kiosk);
    CHECK(failed.outcome == PassOutcome::Retry);
    CHECK(failed.message == "the server had a problem (HTTP 500): database locked");
    CHECK(kiosk.counts().sent == 0);
    CHECK(kiosk.fake.stored_ids().empty());

    // A new answer saved in between goes into a new batch; the failed one is re-sent as it was.
    kiosk.save_responses(1);
    const PassResult retried = run_pass(kiosk);
    CHECK(retried.outcome == PassOutcome::Done);
    const auto sent = kiosk.batch_requests();
    REQUIRE(sent.size() == 3);
    const auto first_again = std::find_if(sent.begin() + 1, sent.end(),
                                          [&](const HttpRequest& r) { return batch_id_of(r) == batch_id_of(sent[0]); });
    REQUIRE(first_again != sent.end());
    CHECK(first_again->body == sent[0].body);
    CHECK(first_again->header("x-tillit-signature") == sent[0].header("x-tillit-signature"));
    CHECK(as_set(item_ids_of(sent[0])) == as_set(ids));
    CHECK(kiosk.counts().sent == 5);
    CHECK(kiosk.fake.stored_ids().size() == 5);
}

TEST_CASE("sync: 503 and 429 report the server's Retry-After; a redirect is a network error") {
    Kiosk kiosk;
    kiosk.save_responses(2);
    for (int status : {503, 429}) {
        kiosk.fake.set_script([status](const HttpRequest& request, int) -> std::optional<HttpReply> {
            if (request.path == "/v1/batches")
                return reply(status, R"({"error":"slow down"})", {{"Retry-After", "42"}});
            return std::nullopt;
        });
        const PassResult result = run_pass(kiosk);
        CHECK(result.outcome == PassOutcome::Retry);
        REQUIRE(result.retry_after.has_value());
        CHECK(result.retry_after->count() == 42);
        CHECK(contains(result.message, "the server is busy (HTTP " + std::to_string(status) + "): slow down"));
    }
    kiosk.fake.set_script([](const HttpRequest&, int) -> std::optional<HttpReply> {
        return reply(302, "", {{"Location", "http://portal.example/login"}});
    });
    const PassResult redirected = run_pass(kiosk);
    CHECK(redirected.outcome == PassOutcome::Retry);
    CHECK(contains(redirected.message, "redirect (HTTP 302)"));
    CHECK(kiosk.counts().sent == 0);
    CHECK(kiosk.counts().pending == 2);
}

TEST_CASE("sync: 413 splits the batch and both halves are sent") {
    Kiosk kiosk;
    const auto ids = kiosk.save_responses(5);
    kiosk.fake.set_script([](const HttpRequest& request, int) -> std::optional<HttpReply> {
        if (request.path == "/v1/batches" && body_json(request)["items"].size() > 3) {
            return reply(413, R"({"error":"too large"})");
        }
        return std::nullopt;
    });
    const PassResult result = run_pass(kiosk);
    CHECK(result.outcome == PassOutcome::Done);
    const auto sent = kiosk.batch_requests();
    REQUIRE(sent.size() == 3);
    CHECK(item_ids_of(sent[0]).size() == 5);
    std::set<std::string> batch_ids;
    std::vector<std::string> halves;
    for (const auto& request : sent) batch_ids.insert(batch_id_of(request));
    for (std::size_t i = 1; i < sent.size(); ++i) {
        const auto half = item_ids_of(sent[i]);
        CHECK(half.size() <= 3);
        halves.insert(halves.end(), half.begin(), half.end());
    }
    CHECK(batch_ids.size() == 3);  // new batch ids for the halves
    CHECK(halves.size() == 5);
    CHECK(as_set(halves) == as_set(ids));  // same item ids
    CHECK(kiosk.counts().sent == 5);
    CHECK(kiosk.fake.stored_ids() == as_set(ids));
}

TEST_CASE("sync: one item the server finds too large is set aside, the rest go on") {
    Kiosk kiosk;
    const auto ids = kiosk.save_responses(3);
    const std::string big = ids[1];
    kiosk.fake.set_script([big](const HttpRequest& request, int) -> std::optional<HttpReply> {
        if (request.path == "/v1/batches" && contains(wire::gunzip(request.body).value(), big)) {
            return reply(413, R"({"error":"too large"})");
        }
        return std::nullopt;
    });
    CHECK(run_pass(kiosk).outcome == PassOutcome::Done);
    const auto c = kiosk.counts();
    CHECK(c.sent == 2);
    CHECK(c.set_aside == 1);
    CHECK(c.set_aside_reasons.at("too large for the server") == 1);
    CHECK(kiosk.fake.stored_ids().count(big) == 0);
}

TEST_CASE("sync: 401 and 403 stop the pass with the server's reason and leave the outbox alone") {
    Kiosk kiosk;
    kiosk.save_responses(2);
    kiosk.fake.set_script([](const HttpRequest& request, int) -> std::optional<HttpReply> {
        if (request.path == "/v1/heartbeat") return reply(401, R"({"error":"unknown device"})");
        return std::nullopt;
    });
    PassResult result = run_pass(kiosk);
    CHECK(result.outcome == PassOutcome::Stopped);
    CHECK(result.message == "the server refuses this kiosk (HTTP 401): unknown device");
    CHECK(kiosk.batch_requests().empty());

    kiosk.fake.set_script([](const HttpRequest& request, int) -> std::optional<HttpReply> {
        if (request.path == "/v1/batches") return reply(403, "{\"error\":\"device revoked\\non 2026-11-20\"}");
        return std::nullopt;
    });
    result = run_pass(kiosk);
    CHECK(result.outcome == PassOutcome::Stopped);
    CHECK(result.message == "the server refuses this kiosk (HTTP 403): device revoked on 2026-11-20");
    CHECK(kiosk.counts().pending == 2);
    CHECK(kiosk.counts().sent == 0);
    REQUIRE(kiosk.store->frozen_batches().value().size() == 1);  // kept for when the admin fixes it
}

TEST_CASE("sync: conflict and invalid items are set aside with the reason; the others are sent") {
    Kiosk kiosk;
    const auto ids = kiosk.save_responses(4);
    kiosk.fake.store_foreign(ids[0]);  // same id, other content: never overwritten
    kiosk.fake.answer_invalid(ids[1], "unknown survey");
    CHECK(run_pass(kiosk).outcome == PassOutcome::Done);
    const auto c = kiosk.counts();
    CHECK(c.sent == 2);
    CHECK(c.set_aside == 2);
    CHECK(c.set_aside_reasons == std::map<std::string, long long>{{"conflict", 1}, {"invalid: unknown survey", 1}});
    CHECK(c.pending == 0);
    // Set aside is final: the next pass sends nothing again.
    CHECK(run_pass(kiosk).outcome == PassOutcome::Done);
    CHECK(kiosk.batch_requests().size() == 1);
}

TEST_CASE("sync: another 4xx sets the batch aside with the reason instead of looping on it") {
    Kiosk kiosk;
    kiosk.save_responses(3);
    kiosk.fake.set_script([](const HttpRequest& request, int) -> std::optional<HttpReply> {
        if (request.path == "/v1/batches") return reply(400, R"({"error":"protocol must be 1"})");
        return std::nullopt;
    });
    const PassResult result = run_pass(kiosk);
    CHECK(result.outcome == PassOutcome::Done);
    CHECK(result.message == "the server refused the request (HTTP 400): protocol must be 1");
    const auto c = kiosk.counts();
    CHECK(c.set_aside == 3);
    CHECK(c.set_aside_reasons.at("the server refused the request (HTTP 400): protocol must be 1") == 3);
    CHECK(run_pass(kiosk).outcome == PassOutcome::Done);
    CHECK(kiosk.batch_requests().size() == 1);
}

TEST_CASE("sync: changed survey definitions are adopted only when every one of them is valid") {
    Kiosk kiosk;
    std::ifstream file(std::string(TILLIT_SOURCE_DIR) + "/kiosk-config/surveys/besok.toml");
    std::stringstream besok;
    besok << file.rdbuf();
    const fs::path folder = tillit::sync::server_surveys_dir(kiosk.data_dir);

    // One broken survey: nothing is written and the version is not remembered.
    kiosk.fake.set_config("v1", {{"config_version", "v1"},
                                 {"surveys", {{"besok", besok.str()}, {"trasig", "id = \"trasig\"\nversion = 1\n"}}},
                                 {"settings", json::object()}});
    PassResult result = run_pass(kiosk);
    CHECK(result.outcome == PassOutcome::Done);
    CHECK(contains(result.message, "survey update refused: the server's survey \"trasig\" is not valid"));
    CHECK_FALSE(fs::exists(folder / "besok.toml"));
    CHECK(kiosk.store->sync_meta().value().config_version.empty());

    // A survey id that would leave the folder is refused before anything is written.
    kiosk.fake.set_config("v1", {{"config_version", "v1"}, {"surveys", {{"../../evil", besok.str()}}}});
    result = run_pass(kiosk);
    CHECK(contains(result.message, "bad id \"../../evil\""));
    CHECK_FALSE(fs::exists(fs::path(kiosk.data_dir) / "evil.toml"));

    // All valid: written, remembered, and not fetched again until the version changes.
    kiosk.fake.set_config("v2", {{"config_version", "v2"}, {"surveys", {{"besok", besok.str()}}}});
    result = run_pass(kiosk);
    CHECK(result.outcome == PassOutcome::Done);
    CHECK(result.message.empty());
    CHECK(fs::exists(folder / "besok.toml"));
    CHECK(kiosk.store->sync_meta().value().config_version == "v2");
    const auto fetched = kiosk.server.requests_to("/v1/config").size();
    CHECK(fetched == 3);
    CHECK(run_pass(kiosk).outcome == PassOutcome::Done);
    CHECK(kiosk.server.requests_to("/v1/config").size() == fetched);
    // The staging folders are gone.
    for (const auto& entry : fs::directory_iterator(folder)) CHECK(entry.path().filename() == "besok.toml");
}

TEST_CASE("sync: enrolment registers the public key, stores the identity and seals stored free text") {
    Kiosk kiosk;  // (enrolled with a preset identity; enrolling again replaces it)
    tillit::NewResponse r;
    r.survey_id = "tillit";
    r.survey_version = 2;
    r.language = "sv";
    r.venue_id = "biblioteket-centrum";
    r.time_bucket = "2026-11-23T14";
    r.answers_json = R"({"q1":2,"comment":"Personalen var vänlig"})";
    const std::string saved = kiosk.store->save_response(r).value();

    const wire::SealingKeys server_keys = wire::generate_sealing_keys();
    std::string enrolled_key;
    kiosk.server.set_handler([&](const HttpRequest& request) {
        if (request.path != "/v1/enrol") return reply(404, "{}");
        const json body = body_json(request);
        if (body["code"] != "ABCDE12345") return reply(401, R"({"error":"the code was already used"})");
        enrolled_key = wire::base64_decode(body["public_key"].get<std::string>()).value();
        CHECK(body["app_version"] == TILLIT_VERSION);
        CHECK(request.header("x-tillit-signature").empty());  // enrol is unsigned
        return reply(200, json{{"device_id", "dev-42"},
                               {"venue_id", "biblioteket-centrum"},
                               {"sealing_public_key", wire::base64_encode(server_keys.public_key)}}
                              .dump());
    });
    auto http = HttpClient::create(kiosk.sync_config());
    REQUIRE(http.ok());

    auto refused = tillit::sync::enrol(*kiosk.store, http.value(), kiosk.server.url(), "WRONG", {});
    REQUIRE_FALSE(refused.ok());
    CHECK(refused.error() ==
          "the server did not accept the enrolment code (used, expired or mistyped): the code was already used");
    CHECK(kiosk.store->identity().value()->device_id == "kiosk-7");  // unchanged

    auto identity =
        tillit::sync::enrol(*kiosk.store, http.value(), kiosk.server.url(), "ABCDE12345", {{"tillit", {"comment"}}});
    REQUIRE_MESSAGE(identity.ok(), (identity.ok() ? "" : identity.error()));
    CHECK(identity.value().device_id == "dev-42");
    const auto stored = kiosk.store->identity().value();
    REQUIRE(stored.has_value());
    CHECK(stored->device_id == "dev-42");
    CHECK(stored->public_key == enrolled_key);
    CHECK(stored->sealing_public_key == server_keys.public_key);
    CHECK(stored->server_url == kiosk.server.url());
    // The key pair is real: what it signs, the registered public key verifies.
    const std::string signature = wire::sign(wire::DeviceKeys{stored->public_key, stored->secret_key}, "/p", "b");
    CHECK(wire::verify(enrolled_key, "/p", "b", signature));

    const auto rows = kiosk.store->responses();
    REQUIRE(rows.ok());
    REQUIRE(rows.value().size() == 1);
    CHECK(rows.value()[0].id == saved);
    const json answers = json::parse(rows.value()[0].answers_json);
    CHECK_FALSE(contains(rows.value()[0].answers_json, "vänlig"));
    CHECK(wire::unseal(server_keys, answers["comment"]["sealed"].get<std::string>()).value() ==
          "Personalen var vänlig");

    kiosk.server.set_handler([](const HttpRequest&) { return reply(200, "<html>portal</html>"); });
    auto portal = tillit::sync::enrol(*kiosk.store, http.value(), kiosk.server.url(), "ABCDE12345", {});
    REQUIRE_FALSE(portal.ok());
    CHECK(contains(portal.error(), "not a tillit enrolment"));
}

TEST_CASE("sync worker: syncs at start, then on sync_now; the UI's saves reach the server") {
    Kiosk kiosk;
    const auto first = kiosk.save_responses(3);
    Announcements announcements;
    SyncWorker worker(worker_options(kiosk, announcements));
    REQUIRE(eventually([&] { return worker.status().state == SyncState::Idle && worker.status().sent == 3; }));
    SyncStatus status = worker.status();
    CHECK(status.pending == 0);
    CHECK(status.last_error.empty());
    CHECK_FALSE(status.last_success.empty());
    CHECK(status.progress.done == 3);
    CHECK(status.progress.total == 3);
    CHECK(status.wait == std::chrono::milliseconds(300000));

    // Saved through the UI's own connection while the worker holds its own.
    const auto second = kiosk.save_responses(2);
    worker.sync_now();
    REQUIRE(eventually([&] { return worker.status().sent == 5; }));
    CHECK(kiosk.fake.stored_ids().size() == 5);

    worker.stop();
    CHECK(worker.status().state == SyncState::Stopped);
    const auto seen = announcements.all();
    REQUIRE(seen.size() >= 4);
    CHECK(seen[0].state == SyncState::Syncing);
    CHECK(seen[1].state == SyncState::Idle);
    CHECK(seen.back().state == SyncState::Stopped);
    CHECK(tillit::sync::describe(seen[1]).rfind("idle 300 s; pending 0, set aside 0, sent 3; last success 20", 0) == 0);
}

TEST_CASE("sync worker: 503 and 429 with Retry-After: the next try waits at least that long") {
    for (int status : {503, 429}) {
        CAPTURE(status);
        Kiosk kiosk;
        kiosk.save_responses(2);
        kiosk.fake.set_script([status](const HttpRequest& request, int batch_call) -> std::optional<HttpReply> {
            if (request.path == "/v1/batches" && batch_call == 1) {
                return reply(status, R"({"error":"busy"})", {{"Retry-After", "1"}});
            }
            return std::nullopt;
        });
        Announcements announcements;
        SyncWorker worker(worker_options(kiosk, announcements));  // backoff alone would be <= 50 ms
        REQUIRE(eventually([&] { return worker.status().state == SyncState::Waiting; }));
        worker.sync_now();  // an admin's "sync now" does not cut the server's pause short
        REQUIRE(eventually([&] { return worker.status().sent == 2; }));
        const auto sent = kiosk.batch_requests();
        REQUIRE(sent.size() == 2);
        CHECK(sent[1].received - sent[0].received >= 1s);
        CHECK(sent[1].body == sent[0].body);
        const auto seen = announcements.all();
        const auto waiting =
            std::find_if(seen.begin(), seen.end(), [](const SyncStatus& s) { return s.state == SyncState::Waiting; });
        REQUIRE(waiting != seen.end());
        CHECK(waiting->wait >= 1000ms);
        CHECK(contains(waiting->last_error, "the server is busy"));
    }
}

TEST_CASE("sync worker: 5xx and network errors back off and retry until the server is back") {
    Kiosk kiosk;
    kiosk.save_responses(2);
    kiosk.fake.set_script([](const HttpRequest& request, int batch_call) -> std::optional<HttpReply> {
        if (request.path == "/v1/batches" && batch_call <= 3) return reply(500, "{}");
        return std::nullopt;
    });
    Announcements announcements;
    SyncWorker worker(worker_options(kiosk, announcements));
    REQUIRE(eventually([&] { return worker.status().sent == 2; }));
    const auto sent = kiosk.batch_requests();
    REQUIRE(sent.size() == 4);
    for (const auto& request : sent) CHECK(request.body == sent[0].body);
    CHECK(worker.status().last_error.empty());  // cleared by the success
}

TEST_CASE("sync worker: 401 stops syncing and says why until sync_now") {
    Kiosk kiosk;
    kiosk.save_responses(2);
    std::atomic<bool> revoked{true};
    kiosk.fake.set_script([&revoked](const HttpRequest&, int) -> std::optional<HttpReply> {
        if (revoked) return reply(401, R"({"error":"unknown device"})");
        return std::nullopt;
    });
    Announcements announcements;
    SyncWorker worker(worker_options(kiosk, announcements));
    REQUIRE(eventually([&] { return worker.status().state == SyncState::Stopped; }));
    CHECK(worker.status().last_error == "the server refuses this kiosk (HTTP 401): unknown device");
    const auto asked = kiosk.server.requests().size();
    std::this_thread::sleep_for(300ms);
    CHECK(kiosk.server.requests().size() == asked);  // no retries on its own

    revoked = false;  // the admin fixed it on the server
    worker.sync_now();
    REQUIRE(eventually([&] { return worker.status().sent == 2; }));
    CHECK(worker.status().state == SyncState::Idle);
    CHECK(worker.status().last_error.empty());
}

TEST_CASE("sync worker: stop() is prompt mid-backoff and mid-request") {
    {
        Kiosk kiosk;
        kiosk.fake.set_script([](const HttpRequest&, int) -> std::optional<HttpReply> { return reply(500, "{}"); });
        Announcements announcements;
        SyncWorkerOptions options = worker_options(kiosk, announcements);
        options.backoff = {.base = 1h, .cap = 1h, .floor = 1h};
        SyncWorker worker(std::move(options));
        REQUIRE(eventually([&] { return worker.status().state == SyncState::Waiting; }));
        const auto started = std::chrono::steady_clock::now();
        worker.stop();
        CHECK(std::chrono::steady_clock::now() - started < 1s);
        CHECK(worker.status().state == SyncState::Stopped);
    }
    {
        Kiosk kiosk;
        kiosk.server.set_handler(
            [](const HttpRequest&) { return HttpReply{.status = 200, .headers = {}, .body = "{}", .delay = 20s}; });
        Announcements announcements;
        SyncWorker worker(worker_options(kiosk, announcements));
        REQUIRE(eventually([&] { return !kiosk.server.requests().empty(); }));
        const auto started = std::chrono::steady_clock::now();
        worker.stop();
        CHECK(std::chrono::steady_clock::now() - started < 3s);
    }
}

TEST_CASE("sync worker: a kiosk enrolled elsewhere or not at all does not sync and says why") {
    Kiosk kiosk;
    Announcements announcements;
    SyncWorkerOptions options = worker_options(kiosk, announcements);
    options.sync.server_url = "http://localhost:1";
    {
        SyncWorker worker(options);
        REQUIRE(eventually([&] { return worker.status().state == SyncState::Stopped; }));
        CHECK(contains(worker.status().last_error, "enrol again with a code from the new server"));
    }
    CHECK(kiosk.server.requests().empty());

    fs::path fresh = fs::path(kiosk.root) / "fresh" / "responses.db";
    options.database_path = fresh.string();
    SyncWorker worker(options);
    REQUIRE(eventually([&] { return worker.status().state == SyncState::Stopped; }));
    CHECK(worker.status().last_error == "this kiosk is not enrolled; run tillit-kiosk --enrol CODE");
}
