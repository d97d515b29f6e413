// The end-to-end harness (see e2e_harness.h). Failures inside it are doctest
// REQUIREs, so a broken set-up stops the test at the line that says what broke,
// except in sync_child_main, which runs in a child process and reports by exit code.
#include "e2e_harness.h"

#include <doctest/doctest.h>
#include <sqlite3.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <thread>

#include "core/wire.h"
#include "fault_proxy.h"

namespace fs = std::filesystem;

namespace tillit::test {
namespace {

std::string answers_json(int i) {
    return nlohmann::json{{"inst_trust", 1 + i % 5}, {"expect_help", i % 3 ? "would_help" : "harder"}}.dump();
}

// Each export gets its own file, so a test can keep an earlier one to compare.
std::atomic<int> g_exports{0};
std::mutex g_dirs_mutex;
std::vector<fs::path> g_dirs;

}  // namespace

std::string fresh_dir(const std::string& name) {
    const fs::path dir = fs::temp_directory_path() / ("tillit-e2e-" + name + "-" + std::to_string(::getpid()));
    fs::remove_all(dir);
    fs::create_directories(dir);
    const std::lock_guard lock(g_dirs_mutex);
    g_dirs.push_back(dir);
    return dir.string();
}

void remove_fresh_dirs() {
    const std::lock_guard lock(g_dirs_mutex);
    for (const fs::path& dir : g_dirs) {
        std::error_code ignored;
        fs::remove_all(dir, ignored);
    }
    g_dirs.clear();
}

std::unique_ptr<ServerProcess> start_server(const std::string& store_location, const std::string& dir,
                                            std::vector<std::string> extra) {
    extra.insert(extra.end(), {"--rate-limit-per-minute", "100000"});
    return std::make_unique<ServerProcess>(TILLIT_SERVER_BIN, store_location, extra,
                                           (fs::path(dir) / "server.log").string());
}

std::string http_url(int port) { return "http://127.0.0.1:" + std::to_string(port); }

Kiosk::Kiosk(std::string dir_, const std::string& url, const std::string& code, const std::string& ca_file,
             const std::string& db_name)
    : dir(std::move(dir_)), db_path((fs::path(dir) / db_name).string()) {
    reopen();
    connect(url, ca_file);
    if (code.empty()) {
        const auto stored = store->identity();
        REQUIRE((stored.ok() && stored.value().has_value()));
        identity = *stored.value();
        return;
    }
    auto enrolled = sync::enrol(*store, *http, url, code, {});
    REQUIRE_MESSAGE(enrolled.ok(), (enrolled.ok() ? "" : enrolled.error()));
    identity = enrolled.value();
}

void Kiosk::connect(const std::string& url, const std::string& ca_file, const std::string& pin) {
    // A test's shortened timeouts stay with the kiosk across reconnects.
    const HttpTimeouts timeouts = config.timeouts;
    config = {};
    config.timeouts = timeouts;
    config.server_url = url;
    config.allow_http_loopback = url.rfind("http://", 0) == 0;
    config.ca_file = ca_file;
    config.pinned_public_key = pin;
    config.interval_seconds = 3600;  // a worker in a test syncs on start and on sync_now() only
    auto client = sync::HttpClient::create(config);
    REQUIRE_MESSAGE(client.ok(), (client.ok() ? "" : client.error()));
    http.emplace(std::move(client).value());
}

void Kiosk::reopen() {
    store.reset();
    auto opened = Store::open(db_path);
    REQUIRE_MESSAGE(opened.ok(), (opened.ok() ? "" : opened.error()));
    store = std::move(opened).value();
}

void Kiosk::add(int responses, int abandonments) {
    std::vector<NewResponse> rows;
    for (int i = 0; i < responses; ++i) {
        NewResponse r;
        r.survey_id = "tillit";
        r.survey_version = 1;
        r.language = i % 4 ? "sv" : "en";
        r.venue_id = "test-venue";
        r.time_bucket = "2026-11-23T14";
        r.answers_json = answers_json(i);
        rows.push_back(std::move(r));
    }
    if (!rows.empty()) REQUIRE(store->save_responses(rows).ok());
    for (int i = 0; i < abandonments; ++i) {
        Abandonment a;
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

sync::SyncContext Kiosk::context(int batch_size) const {
    sync::SyncContext c;
    c.data_dir = dir;
    c.languages = {"sv", "en"};
    c.survey_versions = {{"tillit", 1}};
    c.batch_size = batch_size;
    return c;
}

sync::PassResult Kiosk::pass(int batch_size) {
    sync::SyncClient client(*store, *http, identity, context(batch_size));
    return client.run_pass();
}

sync::PassResult Kiosk::sync_until_done(int batch_size, int max_passes) {
    sync::PassResult last;
    for (int i = 0; i < max_passes; ++i) {
        last = pass(batch_size);
        if (last.outcome != sync::PassOutcome::Retry && counts().pending == 0) break;
    }
    return last;
}

std::map<std::string, int> Kiosk::ids() const {
    // Held in locals: a range-for over a temporary Result's value() would dangle.
    const auto responses = store->responses();
    const auto abandonments = store->abandonments();
    REQUIRE((responses.ok() && abandonments.ok()));
    std::map<std::string, int> all;
    for (const auto& r : responses.value()) ++all[r.id];
    for (const auto& a : abandonments.value()) ++all[a.id];
    // Finished workshops' records are outbox items too (core/workshop.h).
    sqlite3_stmt* raw = nullptr;
    REQUIRE(sqlite3_prepare_v2(store->connection(), "SELECT id FROM workshop_records", -1, &raw, nullptr) == SQLITE_OK);
    std::unique_ptr<sqlite3_stmt, int (*)(sqlite3_stmt*)> stmt(raw, sqlite3_finalize);
    while (sqlite3_step(raw) == SQLITE_ROW) ++all[reinterpret_cast<const char*>(sqlite3_column_text(raw, 0))];
    return all;
}

OutboxCounts Kiosk::counts() const {
    const auto counted = store->outbox_counts();
    REQUIRE(counted.ok());
    return counted.value();
}

std::vector<FrozenBatch> Kiosk::frozen() const {
    const auto batches = store->frozen_batches();
    REQUIRE(batches.ok());
    return batches.value();
}

sync::SyncWorkerOptions Kiosk::worker_options(int batch_size) const {
    sync::SyncWorkerOptions options;
    options.database_path = db_path;
    options.sync = config;
    options.context = context(batch_size);
    // Short, so the retries of a test take milliseconds; the floor still keeps it from spinning.
    options.backoff.base = std::chrono::milliseconds(20);
    options.backoff.cap = std::chrono::milliseconds(100);
    options.backoff.floor = std::chrono::milliseconds(10);
    return options;
}

nlohmann::json export_rows(const ServerProcess& server, const std::string& dir) {
    const std::string out = (fs::path(dir) / ("export-" + std::to_string(++g_exports) + ".json")).string();
    const auto exported = server.admin("export", {"--format", "json", "--out", out});
    REQUIRE_MESSAGE(exported.exit_code == 0, exported.err);
    std::ifstream in(out);
    return nlohmann::json::parse(in);
}

std::map<std::string, int> server_ids(const ServerProcess& server, const std::string& dir) {
    std::map<std::string, int> ids;
    for (const auto& row : export_rows(server, dir)) ++ids[row.at("id").get<std::string>()];
    return ids;
}

void check_exactly_once(const Kiosk& kiosk, const ServerProcess& server, long long set_aside) {
    const auto on_server = server_ids(server, kiosk.dir);
    const auto on_kiosk = kiosk.ids();
    long long doubled = 0, lost = 0, extra = 0;
    for (const auto& [id, count] : on_server) {
        if (count != 1) ++doubled;
        if (on_kiosk.count(id) == 0) ++extra;
    }
    for (const auto& [id, count] : on_kiosk) {
        if (count != 1) ++doubled;
        if (on_server.count(id) == 0) ++lost;
    }
    CHECK_MESSAGE(lost == 0, lost << " kiosk items are not on the server");
    CHECK_MESSAGE(doubled == 0, doubled << " ids occur more than once");
    CHECK_MESSAGE(extra == 0, extra << " server items are not on this kiosk");
    CHECK(on_server.size() == on_kiosk.size());
    const OutboxCounts counts = kiosk.counts();
    CHECK(counts.pending == 0);
    CHECK(counts.set_aside == set_aside);
    CHECK(counts.sent == static_cast<long long>(on_kiosk.size()) - set_aside);
}

SeenBatch decode_batch(const std::string& gzipped_body) {
    const auto json = wire::gunzip(gzipped_body);
    REQUIRE(json.ok());
    const auto doc = nlohmann::json::parse(json.value());
    SeenBatch seen;
    seen.batch_id = doc.at("batch_id").get<std::string>();
    for (const auto& item : doc.at("items")) seen.item_ids.push_back(item.at("id").get<std::string>());
    std::sort(seen.item_ids.begin(), seen.item_ids.end());
    return seen;
}

std::map<std::string, std::string> decode_results(const std::string& answer_body) {
    const auto doc = nlohmann::json::parse(answer_body);
    std::map<std::string, std::string> results;
    for (const auto& r : doc.at("results")) results[r.at("id").get<std::string>()] = r.at("status").get<std::string>();
    return results;
}

std::map<std::string, int> status_counts(const std::string& answer_body) {
    std::map<std::string, int> counts;
    for (const auto& [id, status] : decode_results(answer_body)) ++counts[status];
    // Protocol 2 lists only the items not stored and counts the others.
    const auto doc = nlohmann::json::parse(answer_body);
    for (const char* status : {"created", "duplicate"}) {
        if (doc.contains(status) && doc.at(status).get<int>() > 0) counts[status] += doc.at(status).get<int>();
    }
    return counts;
}

std::string sqlite_integrity(const std::string& path) {
    sqlite3* db = nullptr;
    if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
        sqlite3_close(db);
        return "cannot open " + path;
    }
    sqlite3_stmt* statement = nullptr;
    std::string result = "no answer";
    if (sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &statement, nullptr) == SQLITE_OK) {
        result.clear();
        while (sqlite3_step(statement) == SQLITE_ROW) {
            if (!result.empty()) result += "; ";
            result += reinterpret_cast<const char*>(sqlite3_column_text(statement, 0));
        }
    }
    sqlite3_finalize(statement);
    sqlite3_close(db);
    return result;
}

void sqlite_exec(const std::string& path, const std::string& sql, const std::string& arg) {
    sqlite3* db = nullptr;
    REQUIRE(sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE, nullptr) == SQLITE_OK);
    sqlite3_stmt* statement = nullptr;
    const bool prepared = sqlite3_prepare_v2(db, sql.c_str(), -1, &statement, nullptr) == SQLITE_OK;
    if (prepared) sqlite3_bind_text(statement, 1, arg.c_str(), -1, SQLITE_TRANSIENT);
    const int stepped = prepared ? sqlite3_step(statement) : SQLITE_ERROR;
    const std::string message = sqlite3_errmsg(db);
    sqlite3_finalize(statement);
    sqlite3_close(db);
    REQUIRE_MESSAGE(stepped == SQLITE_DONE, sql << ": " << message);
}

void WorkerWatch::attach(sync::SyncWorkerOptions& options) {
    options.on_change = [this](const sync::SyncStatus& status) {
        {
            std::lock_guard lock(mutex_);
            seen_.push_back(status);
        }
        changed_.notify_all();
    };
}

sync::SyncStatus WorkerWatch::wait_for(const std::function<bool(const sync::SyncStatus&)>& match, std::size_t from,
                                       std::size_t* index) {
    std::unique_lock lock(mutex_);
    std::size_t next = from;
    const bool found = changed_.wait_for(lock, std::chrono::seconds(60), [&] {
        for (; next < seen_.size(); ++next) {
            if (match(seen_[next])) return true;
        }
        return false;
    });
    REQUIRE_MESSAGE(found, "the sync worker never reached the awaited state; last: "
                               << (seen_.empty() ? std::string("nothing") : sync::describe(seen_.back())));
    if (index != nullptr) *index = next;
    return seen_[next];
}

std::vector<sync::SyncStatus> WorkerWatch::seen() const {
    std::lock_guard lock(mutex_);
    return seen_;
}

void happy_path_scenario(const std::string& store_location, const std::string& dir) {
    auto server = start_server(store_location, dir);
    FaultProxy proxy(server->port());
    proxy.record_exchanges(true);
    Kiosk kiosk(dir, http_url(proxy.port()), server->enrol_code("test-venue"));
    kiosk.add(1200, 37);
    const auto result = kiosk.pass(500);
    CHECK_MESSAGE(result.outcome == sync::PassOutcome::Done, result.message);
    CHECK_MESSAGE(result.message.empty(), result.message);

    // ceil(1 237 / 500) = 3 batches, each sent once; one heartbeat.
    CHECK(proxy.hits("/v1/batches") == 3);
    CHECK(proxy.forwarded("/v1/batches") == 3);
    CHECK(proxy.forwarded("/v1/heartbeat") == 1);
    // The batches split the items between them, and the server created every one.
    std::map<std::string, int> in_batches;
    std::vector<std::size_t> sizes;
    for (const Exchange& e : proxy.exchanges("/v1/batches")) {
        CHECK(e.status == 200);
        CHECK(e.delivered);
        const SeenBatch batch = decode_batch(e.request_body);
        sizes.push_back(batch.item_ids.size());
        for (const auto& id : batch.item_ids) ++in_batches[id];
        CHECK(status_counts(e.answer_body) == std::map<std::string, int>{{"created", int(batch.item_ids.size())}});
    }
    std::sort(sizes.begin(), sizes.end());
    CHECK(sizes == std::vector<std::size_t>{237, 500, 500});
    CHECK(in_batches == kiosk.ids());

    // The content arrived as saved: every response's answers are the kiosk's.
    std::map<std::string, nlohmann::json> server_answers;
    for (const auto& row : export_rows(*server, dir)) {
        if (row.contains("answers")) server_answers[row["id"].get<std::string>()] = row["answers"];
    }
    const auto responses = kiosk.store->responses();
    REQUIRE(responses.ok());
    long long same = 0;
    for (const auto& r : responses.value()) same += server_answers[r.id] == nlohmann::json::parse(r.answers_json);
    CHECK(same == 1200);

    check_exactly_once(kiosk, *server);
    // The next pass is a heartbeat and nothing else.
    CHECK(kiosk.pass().outcome == sync::PassOutcome::Done);
    CHECK(proxy.hits("/v1/batches") == 3);
    CHECK(proxy.forwarded("/v1/heartbeat") == 2);
    check_exactly_once(kiosk, *server);
}

void reset_after_commit_scenario(const std::string& store_location, const std::string& dir) {
    auto server = start_server(store_location, dir);
    FaultProxy proxy(server->port());
    proxy.record_exchanges(true);
    // Each request on its own connection: the reset then reaches the sync client as the
    // failure it is (on a reused connection libcurl would quietly resend; see the test
    // "libcurl's own resend").
    proxy.close_after_each_answer(true);
    Kiosk kiosk(dir, http_url(proxy.port()), server->enrol_code("test-venue"));
    kiosk.add(700, 10);
    proxy.push({FaultAction::Kind::ResetAfterForward, 0, {}, {}, "/v1/batches"});

    const auto first = kiosk.pass(500);
    CHECK(first.outcome == sync::PassOutcome::Retry);
    CHECK_FALSE(first.message.empty());
    INFO("first pass: " << first.message);
    auto exchanges = proxy.exchanges("/v1/batches");
    REQUIRE(exchanges.size() == 1);
    const Exchange lost = exchanges[0];
    const SeenBatch batch = decode_batch(lost.request_body);
    // The server committed and answered "created"; the kiosk never heard it ...
    CHECK(lost.status == 200);
    CHECK_FALSE(lost.delivered);
    CHECK(status_counts(lost.answer_body) == std::map<std::string, int>{{"created", int(batch.item_ids.size())}});
    std::set<std::string> committed;
    for (const auto& [id, count] : server_ids(*server, dir)) committed.insert(id);
    CHECK(committed == std::set<std::string>(batch.item_ids.begin(), batch.item_ids.end()));
    // ... so it marked nothing, and the batch waits frozen under the same id, same bytes.
    CHECK(kiosk.counts().sent == 0);
    CHECK(kiosk.counts().pending == 710);
    bool still_frozen = false;
    for (const FrozenBatch& frozen : kiosk.frozen()) {
        if (frozen.batch_id == batch.batch_id) {
            still_frozen = true;
            CHECK(frozen.body == lost.request_body);
            CHECK(frozen.item_ids == batch.item_ids);
        }
    }
    CHECK(still_frozen);

    const auto second = kiosk.pass(500);
    CHECK_MESSAGE(second.outcome == sync::PassOutcome::Done, second.message);
    exchanges = proxy.exchanges("/v1/batches");
    REQUIRE(exchanges.size() == 3);  // the lost one, its resend, the other batch
    int resends = 0;
    for (std::size_t i = 1; i < exchanges.size(); ++i) {
        const SeenBatch seen = decode_batch(exchanges[i].request_body);
        CHECK(exchanges[i].delivered);
        if (seen.batch_id == batch.batch_id) {
            ++resends;
            CHECK(exchanges[i].request_body == lost.request_body);  // byte-identical
            CHECK(status_counts(exchanges[i].answer_body) ==
                  std::map<std::string, int>{{"duplicate", int(batch.item_ids.size())}});
        } else {
            CHECK(status_counts(exchanges[i].answer_body) ==
                  std::map<std::string, int>{{"created", int(seen.item_ids.size())}});
        }
    }
    CHECK(resends == 1);
    CHECK(proxy.forwarded("/v1/batches") == 3);
    CHECK(kiosk.frozen().empty());
    check_exactly_once(kiosk, *server);
}

int sync_child_main(int argc, char** argv) {
    // DB_PATH URL BATCH_SIZE: sync that store as a kiosk process would, until done.
    if (argc != 5) return 2;
    auto store = Store::open(argv[2]);
    if (!store) return 3;
    const auto identity = store.value()->identity();
    if (!identity || !identity.value()) return 4;
    SyncConfig config;
    config.server_url = argv[3];
    config.allow_http_loopback = true;
    auto http = sync::HttpClient::create(config);
    if (!http) return 5;
    sync::SyncContext context;
    context.data_dir = fs::path(argv[2]).parent_path().string();
    context.languages = {"sv", "en"};
    context.batch_size = std::stoi(argv[4]);
    sync::SyncClient client(*store.value(), http.value(), *identity.value(), context);
    for (int i = 0; i < 50; ++i) {
        if (client.run_pass().outcome == sync::PassOutcome::Done) return 0;
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return 6;
}

}  // namespace tillit::test
