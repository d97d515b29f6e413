// `tillit-server import FILE`: offline export files through the real admin command
// (run_admin_cli in-process, captured output) on a real store, SQLite in a temp folder
// and, for the exactly-once cases, a real PostgreSQL (pg_fixture.h). The files are
// built here the way a kiosk builds them, with the shared wire code: batch_json ->
// gzip -> sign(keys, "/v1/batches", body). What counts is what ends up stored, read
// back with `export` and ServerStore::items().
#include <doctest/doctest.h>
#include <httplib.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

#include "admin_cli.h"
#include "core/privacy.h"
#include "core/wire.h"
#include "http_server.h"
#include "pg_fixture.h"
#include "server_store.h"
#include "store_contract.h"
#include "temp_dir.h"

namespace {

using Json = nlohmann::json;
using tillit::server::ServerStore;
using tillit::test::TempDir;
namespace wire = tillit::wire;
namespace contract = tillit::test::contract;

// Started by the first PostgreSQL case in this process, stopped when it exits.
tillit::test::PgCluster g_postgres;

struct Run {
    int code = -1;
    std::string out;
    std::string err;
};

Run cli(const std::vector<std::string>& args) {
    std::ostringstream out;
    std::ostringstream err;
    const int code = tillit::server::run_admin_cli(args, out, err);
    return {.code = code, .out = out.str(), .err = err.str()};
}

std::unique_ptr<ServerStore> open_store(const std::string& location) {
    auto store = tillit::server::open_server_store(location);
    REQUIRE_MESSAGE(store, (store.ok() ? "" : store.error()));
    return std::move(store).value();
}

std::string postgres_location() {
    const auto started = g_postgres.start();
    REQUIRE_MESSAGE(started.ok(), (started.ok() ? "" : started.error()));
    auto database = g_postgres.create_database();
    REQUIRE_MESSAGE(database.ok(), (database.ok() ? "" : database.error()));
    return g_postgres.uri(database.value());
}

void write_file(const std::string& path, const std::string& text) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << text;
    REQUIRE(out.good());
}

// A kiosk: its own key pair, enrolled on the store through a one-time code.
struct Kiosk {
    wire::DeviceKeys keys;
    std::string device_id;
};

Kiosk enrol(const std::string& location) {
    auto store = open_store(location);
    auto code = store->create_enrol_code("biblioteket-centrum", 24);
    REQUIRE(code);
    Kiosk kiosk{.keys = wire::generate_device_keys(), .device_id = {}};
    auto device = store->enrol(code.value().code, kiosk.keys.public_key);
    REQUIRE_MESSAGE(device, (device.ok() ? "" : device.error()));
    kiosk.device_id = device.value().device_id;
    return kiosk;
}

// One frozen batch as the kiosk holds it: the exact gzipped body and its signature.
struct Batch {
    std::string batch_id;
    std::vector<wire::Item> items;
    std::string body;       // gzip of batch_json
    std::string signature;  // base64, over "/v1/batches" and body
};

Batch freeze(const Kiosk& kiosk, const std::vector<wire::Item>& items) {
    Batch batch{.batch_id = tillit::new_uuid_v4(), .items = items, .body = {}, .signature = {}};
    batch.body = wire::gzip(wire::batch_json(batch.batch_id, items));
    batch.signature = wire::sign(kiosk.keys, "/v1/batches", batch.body);
    return batch;
}

Json entry_of(const Batch& batch) {
    return {{"batch_id", batch.batch_id}, {"body", wire::base64_encode(batch.body)}, {"signature", batch.signature}};
}

Json export_document(const std::string& device_id, const std::vector<Json>& entries) {
    return {{"format", "tillit-export"}, {"version", 1}, {"device_id", device_id}, {"batches", entries}};
}

std::string write_export(const TempDir& dir, const std::string& name, const std::string& device_id,
                         const std::vector<Batch>& batches) {
    std::vector<Json> entries;
    for (const Batch& batch : batches) entries.push_back(entry_of(batch));
    const std::string path = dir.file(name);
    write_file(path, export_document(device_id, entries).dump(2));
    return path;
}

// `count` items, every seventh an abandonment; a marker in each free text so a test
// can tell that no answer ever reaches the output.
std::vector<wire::Item> sample_items(int count) {
    std::vector<wire::Item> items;
    for (int i = 0; i < count; ++i) {
        if (i % 7 == 6) {
            items.push_back(contract::abandonment_item());
        } else {
            Json content = contract::response_content(i % 5);
            content["answers"]["comment"] = "hemligt svar " + std::to_string(i);
            items.push_back(wire::make_item(tillit::new_uuid_v4(), wire::ItemKind::Response, content));
        }
    }
    return items;
}

std::vector<Batch> freeze_in_batches(const Kiosk& kiosk, const std::vector<wire::Item>& items, std::size_t size) {
    std::vector<Batch> batches;
    for (std::size_t at = 0; at < items.size(); at += size) {
        const auto end = items.begin() + static_cast<std::ptrdiff_t>(std::min(items.size(), at + size));
        batches.push_back(freeze(kiosk, std::vector<wire::Item>(items.begin() + static_cast<std::ptrdiff_t>(at), end)));
    }
    return batches;
}

// Every id `export --format json` lists, with how often.
std::map<std::string, int> exported_ids(const std::string& location) {
    const Run run = cli({"export", "--store", location, "--format", "json"});
    REQUIRE_MESSAGE(run.code == 0, run.err);
    const Json rows = Json::parse(run.out);
    REQUIRE(rows.is_array());
    std::map<std::string, int> ids;
    for (const Json& row : rows) ++ids[row.at("id").get<std::string>()];
    return ids;
}

// The whole stored state of the items, for "unchanged" checks.
std::vector<std::tuple<std::string, std::string, std::string, std::string, std::string>> stored_rows(
    const std::string& location) {
    auto store = open_store(location);
    auto items = store->items();
    REQUIRE_MESSAGE(items, (items.ok() ? "" : items.error()));
    std::vector<std::tuple<std::string, std::string, std::string, std::string, std::string>> rows;
    for (const auto& item : items.value()) {
        rows.emplace_back(item.id, item.sha256, item.content_json, item.device_id, item.batch_id);
    }
    std::sort(rows.begin(), rows.end());
    return rows;
}

long long item_count(const std::string& location) {
    auto store = open_store(location);
    auto count = store->count_items();
    REQUIRE_MESSAGE(count, (count.ok() ? "" : count.error()));
    return count.value();
}

bool has_line(const std::string& text, const std::string& line) {
    std::istringstream lines(text);
    std::string each;
    while (std::getline(lines, each)) {
        if (each == line) return true;
    }
    return false;
}

// The line of `text` that starts with `prefix`, or "".
std::string line_starting(const std::string& text, const std::string& prefix) {
    std::istringstream lines(text);
    std::string each;
    while (std::getline(lines, each)) {
        if (each.starts_with(prefix)) return each;
    }
    return "";
}

std::size_t line_count(const std::string& text) {
    return static_cast<std::size_t>(std::count(text.begin(), text.end(), '\n'));
}

// ---------------------------------------------------------------- shared scenarios

// 1 237 items in 3 batches: all created once; the same file again is all duplicate
// and changes nothing.
void import_twice_scenario(const std::string& location, const TempDir& dir) {
    const Kiosk kiosk = enrol(location);
    const std::vector<wire::Item> items = sample_items(1237);
    const std::vector<Batch> batches = freeze_in_batches(kiosk, items, 500);
    REQUIRE(batches.size() == 3);
    const std::string file = write_export(dir, "export.json", kiosk.device_id, batches);

    const Run first = cli({"import", "--store", location, file});
    REQUIRE_MESSAGE(first.code == 0, first.err);
    CHECK(first.err.empty());
    CHECK(has_line(first.out, "batch " + batches[0].batch_id + ": 500 created, 0 duplicate, 0 conflict, 0 invalid"));
    CHECK(has_line(first.out, "batch " + batches[1].batch_id + ": 500 created, 0 duplicate, 0 conflict, 0 invalid"));
    CHECK(has_line(first.out, "batch " + batches[2].batch_id + ": 237 created, 0 duplicate, 0 conflict, 0 invalid"));
    CHECK(has_line(first.out, "imported 3 batches: 1 237 items, 1 237 created, 0 duplicate, 0 conflict, 0 invalid"));
    CHECK(line_count(first.out) == 4);
    CHECK(first.out.find("hemligt") == std::string::npos);
    CHECK(first.out.find("trust_general") == std::string::npos);

    const auto ids = exported_ids(location);
    CHECK(ids.size() == items.size());
    for (const wire::Item& item : items) {
        const auto found = ids.find(item.id);
        REQUIRE_MESSAGE(found != ids.end(), item.id);
        CHECK(found->second == 1);
    }
    const auto before = stored_rows(location);
    // Each item is stored as sent, under the batch that brought it and the device.
    {
        auto store = open_store(location);
        const auto kept = contract::stored_item(*store, batches[2].items.front().id);
        REQUIRE(kept.has_value());
        CHECK(kept->sha256 == batches[2].items.front().sha256);
        CHECK(kept->batch_id == batches[2].batch_id);
        CHECK(kept->device_id == kiosk.device_id);
    }

    const Run again = cli({"import", "--store", location, file});
    REQUIRE_MESSAGE(again.code == 0, again.err);
    CHECK(has_line(again.out, "batch " + batches[0].batch_id + ": 0 created, 500 duplicate, 0 conflict, 0 invalid"));
    CHECK(has_line(again.out, "batch " + batches[2].batch_id + ": 0 created, 237 duplicate, 0 conflict, 0 invalid"));
    CHECK(has_line(again.out, "imported 3 batches: 1 237 items, 0 created, 1 237 duplicate, 0 conflict, 0 invalid"));
    CHECK(stored_rows(location) == before);
    CHECK(exported_ids(location) == ids);
    // An import is not a heartbeat: the device was not "seen".
    auto store = open_store(location);
    auto device = store->find_device(kiosk.device_id);
    REQUIRE(device);
    REQUIRE(device.value().has_value());
    CHECK(device.value()->last_seen_at.empty());
}

// An HTTP server on its own thread over `location`, as `serve` runs it.
struct LiveServer {
    std::unique_ptr<ServerStore> store;
    std::ostringstream log;
    std::unique_ptr<tillit::server::HttpServer> server;
    std::thread thread;

    explicit LiveServer(const std::string& location) : store(open_store(location)) {
        tillit::server::HttpOptions options;
        options.host = "127.0.0.1";
        options.port = 0;
        auto bound = tillit::server::HttpServer::bind(*store, options, log);
        REQUIRE_MESSAGE(bound, (bound.ok() ? "" : bound.error()));
        server = std::move(bound).value();
        thread = std::thread([this] { server->serve(); });
    }
    ~LiveServer() {
        server->stop();
        thread.join();
    }

    // POSTs the frozen batch exactly as the kiosk's sync would; the answer's statuses,
    // counted (protocol 2 answers with counts and lists only the items not stored).
    std::map<std::string, int> post(const Kiosk& kiosk, const Batch& batch) {
        httplib::Client client("127.0.0.1", server->port());
        client.set_read_timeout(20);
        const httplib::Headers headers = {{wire::kDeviceHeader, kiosk.device_id},
                                          {wire::kSignatureHeader, batch.signature}};
        auto res = client.Post("/v1/batches", headers, batch.body, wire::kContentType);
        REQUIRE(res);
        REQUIRE_MESSAGE(res->status == 200, res->body);
        std::vector<std::string> ids;
        for (const wire::Item& item : batch.items) ids.push_back(item.id);
        auto results = wire::parse_results(res->body, batch.batch_id, ids);
        REQUIRE_MESSAGE(results, (results.ok() ? "" : results.error()));
        const auto doc = nlohmann::json::parse(res->body);
        std::map<std::string, int> counts;
        for (const char* status : {"created", "duplicate"}) {
            if (doc.value(status, 0) > 0) counts[status] = doc.value(status, 0);
        }
        for (const auto& listed : doc["results"]) ++counts[listed["status"].get<std::string>()];
        return counts;
    }
};

// Import then sync, and sync then import: whichever comes second adds nothing.
void import_and_sync_scenario(const std::string& location, const TempDir& dir) {
    const Kiosk kiosk = enrol(location);
    const Batch imported_first = freeze(kiosk, sample_items(40));
    const Batch synced_first = freeze(kiosk, sample_items(30));
    const std::string file = write_export(dir, "first.json", kiosk.device_id, {imported_first});
    const Run run = cli({"import", "--store", location, file});
    REQUIRE_MESSAGE(run.code == 0, run.err);
    CHECK(has_line(run.out, "imported 1 batch: 40 items, 40 created, 0 duplicate, 0 conflict, 0 invalid"));
    {
        LiveServer live(location);
        CHECK(live.post(kiosk, imported_first) == std::map<std::string, int>{{"duplicate", 40}});
        CHECK(live.post(kiosk, synced_first) == std::map<std::string, int>{{"created", 30}});
    }
    // The kiosk also wrote the synced batch to the stick (it was frozen before it went out).
    const std::string both = write_export(dir, "both.json", kiosk.device_id, {synced_first, imported_first});
    const Run later = cli({"import", "--store", location, both});
    REQUIRE_MESSAGE(later.code == 0, later.err);
    CHECK(has_line(later.out, "batch " + synced_first.batch_id + ": 0 created, 30 duplicate, 0 conflict, 0 invalid"));
    CHECK(has_line(later.out, "imported 2 batches: 70 items, 0 created, 70 duplicate, 0 conflict, 0 invalid"));
    const auto ids = exported_ids(location);
    CHECK(ids.size() == 70);
    for (const auto& [id, times] : ids) CHECK_MESSAGE(times == 1, id);
}

}  // namespace

TEST_CASE("import: usage is in --help, and a missing FILE is bad usage that creates no store") {
    const Run help = cli({"--help"});
    CHECK(help.code == 0);
    CHECK(help.out.find("  import       FILE") != std::string::npos);

    TempDir dir;
    const std::string store = dir.file("server.db");
    for (const auto& args : std::vector<std::vector<std::string>>{
             {"import", "--store", store},
             {"import", "--store", store, "a.json", "b.json"},
             {"import", dir.file("export.json")},
             {"import", "--store", store, "--format", "json", dir.file("export.json")}}) {
        const Run run = cli(args);
        CHECK(run.code == 2);
        CHECK(run.out.empty());
        CHECK(line_count(run.err) == 1);
    }
    CHECK_FALSE(std::filesystem::exists(store));
}

TEST_CASE("import: SQLite - each item once, and the same file again is all duplicate and changes nothing") {
    TempDir dir;
    import_twice_scenario(dir.file("server.db"), dir);
}

TEST_CASE("import: PostgreSQL - each item once, and the same file again is all duplicate and changes nothing") {
    TempDir dir;
    import_twice_scenario(postgres_location(), dir);
}

TEST_CASE("import: SQLite - POST /v1/batches of an imported batch is all duplicate, and the reverse") {
    TempDir dir;
    import_and_sync_scenario(dir.file("server.db"), dir);
}

TEST_CASE("import: PostgreSQL - POST /v1/batches of an imported batch is all duplicate, and the reverse") {
    TempDir dir;
    import_and_sync_scenario(postgres_location(), dir);
}

TEST_CASE("import: an id that comes back with other content is a conflict, and the stored item is kept") {
    TempDir dir;
    const std::string location = dir.file("server.db");
    const Kiosk kiosk = enrol(location);
    const wire::Item original = contract::response_item(4);
    const wire::Item other = contract::response_item(2);
    REQUIRE(cli({"import", "--store", location,
                 write_export(dir, "first.json", kiosk.device_id, {freeze(kiosk, {original, other})})})
                .code == 0);

    const wire::Item changed = wire::make_item(original.id, wire::ItemKind::Response, contract::response_content(1));
    const wire::Item fresh = contract::response_item(3);
    Json extra = contract::response_content(5);
    extra["answered_at"] = "2026-11-23T14:07:12Z";
    const wire::Item invalid = wire::make_item(tillit::new_uuid_v4(), wire::ItemKind::Response, extra);
    const Batch second = freeze(kiosk, {changed, other, fresh, invalid});
    const Run run = cli({"import", "--store", location, write_export(dir, "second.json", kiosk.device_id, {second})});
    // Conflicts and invalid items are answers, not refusals: the batch was accepted.
    REQUIRE_MESSAGE(run.code == 0, run.err);
    CHECK(has_line(run.out, "batch " + second.batch_id + ": 1 created, 1 duplicate, 1 conflict, 1 invalid"));
    CHECK(has_line(run.out,
                   "  item " + original.id + ": conflict: another item with this id is stored; it is kept unchanged"));
    CHECK(has_line(run.out,
                   "  item " + invalid.id + ": invalid: content has a field the protocol does not allow: answered_at"));
    CHECK(has_line(run.out, "imported 1 batch: 4 items, 1 created, 1 duplicate, 1 conflict, 1 invalid"));
    CHECK(run.out.find("2026-11-23T14:07:12Z") == std::string::npos);

    auto store = open_store(location);
    const auto kept = contract::stored_item(*store, original.id);
    REQUIRE(kept.has_value());
    CHECK(kept->sha256 == original.sha256);
    CHECK(kept->content_json == wire::canonical(original.content));
    CHECK_FALSE(contract::stored_item(*store, invalid.id).has_value());
    CHECK(contract::stored_item(*store, fresh.id).has_value());
    auto count = store->count_items();
    REQUIRE(count);
    CHECK(count.value() == 3);
}

TEST_CASE("import: a damaged batch is refused with exit 1 while the others of the file are stored") {
    TempDir dir;
    const std::string location = dir.file("server.db");
    const Kiosk kiosk = enrol(location);
    const Batch good_a = freeze(kiosk, sample_items(20));
    Batch flipped = freeze(kiosk, sample_items(20));
    flipped.body[flipped.body.size() / 2] = static_cast<char>(flipped.body[flipped.body.size() / 2] ^ 0x01);
    Batch foreign = freeze(kiosk, sample_items(5));
    foreign.signature = wire::sign(wire::generate_device_keys(), "/v1/batches", foreign.body);
    const Batch misfiled = freeze(kiosk, sample_items(5));
    const Batch good_b = freeze(kiosk, sample_items(10));

    Json misfiled_entry = entry_of(misfiled);
    const std::string other_batch_id = tillit::new_uuid_v4();
    misfiled_entry["batch_id"] = other_batch_id;  // signed and intact, but filed under another id
    Json not_base64 = entry_of(freeze(kiosk, sample_items(5)));
    not_base64["body"] = "**** not base64 ****";
    const std::string file = dir.file("export.json");
    write_file(file, export_document(kiosk.device_id, {entry_of(good_a), entry_of(flipped), entry_of(foreign),
                                                       misfiled_entry, not_base64, entry_of(good_b)})
                         .dump());

    const Run run = cli({"import", "--store", location, file});
    CHECK(run.code == 1);
    CHECK(has_line(run.out, "batch " + good_a.batch_id + ": 20 created, 0 duplicate, 0 conflict, 0 invalid"));
    CHECK(has_line(run.out, "batch " + good_b.batch_id + ": 10 created, 0 duplicate, 0 conflict, 0 invalid"));
    CHECK(line_starting(run.out, "batch " + flipped.batch_id + ": refused: ").find("signature does not match") !=
          std::string::npos);
    CHECK(line_starting(run.out, "batch " + foreign.batch_id + ": refused: ").find("signature does not match") !=
          std::string::npos);
    CHECK(line_starting(run.out, "batch " + other_batch_id + ": refused: ").find(misfiled.batch_id) !=
          std::string::npos);
    CHECK(line_starting(run.out, "batch " + not_base64["batch_id"].get<std::string>() + ": refused: ")
              .find("not base64") != std::string::npos);
    CHECK(has_line(run.out, "imported 2 of 6 batches: 30 items, 30 created, 0 duplicate, 0 conflict, 0 invalid"));
    CHECK(line_count(run.out) == 7);
    CHECK(line_count(run.err) == 1);
    CHECK(run.err.find(file) != std::string::npos);
    CHECK(run.err.find("4 of 6 batches refused") != std::string::npos);

    std::set<std::string> expected;
    for (const Batch* batch : {&good_a, &good_b}) {
        for (const wire::Item& item : batch->items) expected.insert(item.id);
    }
    std::set<std::string> stored;
    for (const auto& [id, times] : exported_ids(location)) {
        CHECK(times == 1);
        stored.insert(id);
    }
    CHECK(stored == expected);

    SUBCASE("once the damaged batches come again intact, they are stored and the rest is duplicate") {
        Batch repaired = flipped;
        repaired.body = wire::gzip(wire::batch_json(flipped.batch_id, flipped.items));
        const Run again = cli({"import", "--store", location,
                               write_export(dir, "again.json", kiosk.device_id, {good_a, repaired, good_b})});
        REQUIRE_MESSAGE(again.code == 0, again.err);
        CHECK(has_line(again.out, "imported 3 batches: 50 items, 20 created, 30 duplicate, 0 conflict, 0 invalid"));
        CHECK(item_count(location) == 50);
    }
}

TEST_CASE("import: an unknown device and a revoked device are refused and nothing is stored") {
    TempDir dir;
    const std::string location = dir.file("server.db");
    const Kiosk kiosk = enrol(location);
    const std::vector<Batch> batches = freeze_in_batches(kiosk, sample_items(30), 10);

    SUBCASE("unknown device") {
        const std::string stranger = tillit::new_uuid_v4();
        const std::string file = write_export(dir, "stranger.json", stranger, batches);
        const Run run = cli({"import", "--store", location, file});
        CHECK(run.code == 1);
        for (const Batch& batch : batches) {
            CHECK(has_line(run.out, "batch " + batch.batch_id + ": refused: device " + stranger +
                                        " is not enrolled on this server (is --store the right one?)"));
        }
        CHECK(has_line(run.out, "imported 0 of 3 batches: 0 items, 0 created, 0 duplicate, 0 conflict, 0 invalid"));
        CHECK(run.err.find("3 of 3 batches refused") != std::string::npos);
    }
    SUBCASE("another enrolled device's id on this kiosk's batches") {
        const Kiosk other = enrol(location);
        const Run run = cli({"import", "--store", location, write_export(dir, "other.json", other.device_id, batches)});
        CHECK(run.code == 1);
        CHECK(line_starting(run.out, "batch " + batches[0].batch_id + ": refused: ").find("signature") !=
              std::string::npos);
    }
    SUBCASE("revoked device") {
        const Run revoke = cli({"revoke", "--store", location, kiosk.device_id});
        REQUIRE_MESSAGE(revoke.code == 0, revoke.err);
        const Run run =
            cli({"import", "--store", location, write_export(dir, "revoked.json", kiosk.device_id, batches)});
        CHECK(run.code == 1);
        for (const Batch& batch : batches) {
            CHECK(has_line(run.out, "batch " + batch.batch_id + ": refused: device " + kiosk.device_id +
                                        " has been revoked; nothing it sends is accepted"));
        }
    }
    CHECK(item_count(location) == 0);
}

TEST_CASE("import: a file that is not an export file is one line naming it, exit 1, and nothing is stored") {
    TempDir dir;
    const std::string location = dir.file("server.db");
    const Kiosk kiosk = enrol(location);
    const Batch batch = freeze(kiosk, sample_items(5));
    const Json good = export_document(kiosk.device_id, {entry_of(batch)});
    auto with = [&](const std::string& key, const Json& value) {
        Json doc = good;
        doc[key] = value;
        return doc.dump();
    };
    auto without = [&](const std::string& key) {
        Json doc = good;
        doc.erase(key);
        return doc.dump();
    };
    Json entry_without_signature = entry_of(batch);
    entry_without_signature.erase("signature");
    Json bad_batch_id = entry_of(batch);
    bad_batch_id["batch_id"] = "batch-1";

    // {file content, what the message must say}; a valid batch is in most of them,
    // and must not be stored because the file as a whole is wrong.
    const std::vector<std::pair<std::string, std::string>> cases = {
        {"", "is empty"},
        {"hello, this is a CSV file\n1,2,3\n", "is not JSON"},
        {good.dump().substr(0, good.dump().size() / 2), "is not JSON"},
        {"[1, 2, 3]", "is not a tillit export file"},
        {with("format", "tillit-backup"), "is not a tillit export file"},
        {without("format"), "is not a tillit export file"},
        {with("version", 2), "is export format version 2; this tillit-server reads version 1 only"},
        {with("version", "1"), "\"version\" is missing or not a whole number"},
        {without("version"), "\"version\" is missing or not a whole number"},
        {without("device_id"), "\"device_id\" is missing or not a string"},
        {with("device_id", "kiosk-7"), "\"device_id\" is not a device id"},
        {without("batches"), "\"batches\" is missing or not a list"},
        {with("batches", Json::object()), "\"batches\" is missing or not a list"},
        {with("batches", Json::array({entry_of(batch), entry_without_signature})),
         "batches[1]: \"signature\" is missing or not a string"},
        {with("batches", Json::array({entry_of(batch), bad_batch_id})), "batches[1]: \"batch_id\" is not a UUIDv4"},
        {with("batches", Json::array({entry_of(batch), 7})), "batches[1] is not an object"},
    };
    for (std::size_t i = 0; i < cases.size(); ++i) {
        const auto& [text, expected] = cases[i];
        CAPTURE(i);
        CAPTURE(expected);
        const std::string file = dir.file("bad-" + std::to_string(i) + ".json");
        write_file(file, text);
        const Run run = cli({"import", "--store", location, file});
        CHECK(run.code == 1);
        CHECK(run.out.empty());
        CHECK(line_count(run.err) == 1);
        CHECK(run.err.starts_with("tillit-server import: " + file + ": "));
        CHECK_MESSAGE(run.err.find(expected) != std::string::npos, run.err);
    }
    const Run missing = cli({"import", "--store", location, dir.file("nope.json")});
    CHECK(missing.code == 1);
    CHECK(missing.err == "tillit-server import: " + dir.file("nope.json") + ": no such file\n");
    const Run folder = cli({"import", "--store", location, dir.path.string()});
    CHECK(folder.code == 1);
    CHECK(folder.err.find("is not a file") != std::string::npos);
    CHECK(item_count(location) == 0);

    // The same store then takes the good file: the refusals above left nothing behind.
    write_file(dir.file("good.json"), good.dump());
    const Run run = cli({"import", "--store", location, dir.file("good.json")});
    CHECK(run.code == 0);
    CHECK(item_count(location) == 5);
}

TEST_CASE("import: a file over 1 GiB is refused before it is read, and no store is created") {
    TempDir dir;
    const std::string file = dir.file("huge.json");
    write_file(file, "{}");
    std::filesystem::resize_file(file, (std::uintmax_t{1} << 30) + 1);  // sparse: no GiB written
    const std::string location = dir.file("server.db");
    const Run run = cli({"import", "--store", location, file});
    CHECK(run.code == 1);
    CHECK(line_count(run.err) == 1);
    CHECK(run.err.starts_with("tillit-server import: " + file + ": is 1073741825 bytes"));
    CHECK(run.err.find("1 GiB") != std::string::npos);
    CHECK_FALSE(std::filesystem::exists(location));
}

TEST_CASE("import: an empty export is fine and stores nothing") {
    TempDir dir;
    const std::string location = dir.file("server.db");
    const Kiosk kiosk = enrol(location);
    const Run run = cli({"import", "--store", location, write_export(dir, "empty.json", kiosk.device_id, {})});
    CHECK(run.code == 0);
    CHECK(run.out == "imported 0 batches: 0 items, 0 created, 0 duplicate, 0 conflict, 0 invalid\n");
    CHECK(item_count(location) == 0);
}
