// Tests for the sync side of core/store: the v1 -> v2 migration keeps every row and
// queues it, saving queues in the same transaction, freezing (shuffled, encoded per the
// protocol, byte-identical on every read and after a reopen, as after a crash between
// freeze and send), per-item results, whole-batch set-aside, 413 splits, held one-tap
// responses, enrolment sealing free text, and the privacy shape of the new tables.
// Inspection goes through a second sqlite3 connection only the tests open.
#include <doctest/doctest.h>
#include <sqlite3.h>

#include <algorithm>
#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "core/privacy.h"
#include "../server/temp_dir.h"
#include "core/store.h"
#include "core/wire.h"

using nlohmann::json;
using tillit::FrozenBatch;
using tillit::Store;
namespace wire = tillit::wire;

namespace {

using TempDir = tillit::test::TempDir;

struct RawCloser {
    void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
};
using RawDb = std::unique_ptr<sqlite3, RawCloser>;

RawDb open_raw(const std::string& path, int flags) {
    sqlite3* raw = nullptr;
    const int rc = sqlite3_open_v2(path.c_str(), &raw, flags, nullptr);
    RawDb db(raw);
    REQUIRE(rc == SQLITE_OK);
    return db;
}

std::vector<std::string> rows_of(sqlite3* db, const std::string& sql) {
    sqlite3_stmt* raw = nullptr;
    REQUIRE(sqlite3_prepare_v2(db, sql.c_str(), -1, &raw, nullptr) == SQLITE_OK);
    std::unique_ptr<sqlite3_stmt, int (*)(sqlite3_stmt*)> stmt(raw, sqlite3_finalize);
    std::vector<std::string> rows;
    while (sqlite3_step(raw) == SQLITE_ROW) {
        std::string row;
        for (int column = 0; column < sqlite3_column_count(raw); ++column) {
            if (column > 0) row += '|';
            const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(raw, column));
            row += text == nullptr ? "" : text;
        }
        rows.push_back(row);
    }
    return rows;
}

tillit::NewResponse response_with(const std::string& answers) {
    tillit::NewResponse r;
    r.survey_id = "tillit";
    r.survey_version = 2;
    r.language = "sv";
    r.venue_id = "biblioteket-centrum";
    r.time_bucket = "2026-11-23T14";
    r.answers_json = answers;
    return r;
}

tillit::Abandonment sample_abandonment() {
    tillit::Abandonment a;
    a.survey_id = "tillit";
    a.survey_version = 2;
    a.language = "en";
    a.venue_id = "biblioteket-centrum";
    a.time_bucket = "2026-11-23";
    a.reached_step = 3;
    a.total_steps = 9;
    return a;
}

std::unique_ptr<Store> open_ok(const std::string& path) {
    auto store = Store::open(path);
    REQUIRE_MESSAGE(store.ok(), (store.ok() ? "" : store.error()));
    return std::move(store).value();
}

std::unique_ptr<Store> in_memory() {
    auto store = Store::open_in_memory();
    REQUIRE_MESSAGE(store.ok(), (store.ok() ? "" : store.error()));
    return std::move(store).value();
}

std::string save(Store& store, const std::string& answers = R"({"q1":4})") {
    auto id = store.save_response(response_with(answers));
    REQUIRE_MESSAGE(id.ok(), (id.ok() ? "" : id.error()));
    return id.value();
}

std::optional<FrozenBatch> freeze(Store& store, int max_items) {
    auto batch = store.freeze_batch(max_items);
    REQUIRE_MESSAGE(batch.ok(), (batch.ok() ? "" : batch.error()));
    return batch.value();
}

std::vector<FrozenBatch> frozen(Store& store) {
    auto batches = store.frozen_batches();
    REQUIRE_MESSAGE(batches.ok(), (batches.ok() ? "" : batches.error()));
    return batches.value();
}

tillit::OutboxCounts counts(Store& store) {
    auto c = store.outbox_counts();
    REQUIRE(c.ok());
    return c.value();
}

// The batch's body as the server reads it.
wire::ReceivedBatch decode(const FrozenBatch& batch) {
    auto inflated = wire::gunzip(batch.body);
    REQUIRE(inflated.ok());
    auto parsed = wire::parse_batch(inflated.value());
    REQUIRE(parsed.ok());
    return parsed.value();
}

std::vector<std::string> ids_in_body(const FrozenBatch& batch) {
    std::vector<std::string> ids;
    for (const auto& received : decode(batch).items) ids.push_back(received.item.id);
    return ids;
}

std::vector<std::string> sorted(std::vector<std::string> ids) {
    std::sort(ids.begin(), ids.end());
    return ids;
}

std::vector<wire::ItemResult> all_created(const FrozenBatch& batch) {
    std::vector<wire::ItemResult> results;
    for (const auto& id : batch.item_ids) results.push_back({id, wire::ItemStatus::Created, ""});
    return results;
}

}  // namespace

TEST_CASE("outbox: a v1 database migrates to v2, keeps its rows and queues them to be sent") {
    TempDir dir;
    const std::string path = dir.file("kiosk.db");
    {
        // The v1 schema exactly as it shipped, with one response and one abandonment.
        RawDb db = open_raw(path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
        const char* v1 = R"sql(
PRAGMA journal_mode = WAL;
CREATE TABLE responses (
    id TEXT NOT NULL PRIMARY KEY CHECK (length(id) = 36), survey_id TEXT NOT NULL CHECK (survey_id <> ''),
    survey_version INTEGER NOT NULL CHECK (survey_version >= 0), language TEXT NOT NULL CHECK (language <> ''),
    venue_id TEXT NOT NULL CHECK (venue_id <> ''), time_bucket TEXT NOT NULL, answers TEXT NOT NULL CHECK (json_valid(answers))
) STRICT, WITHOUT ROWID;
CREATE TABLE abandonments (
    id TEXT NOT NULL PRIMARY KEY CHECK (length(id) = 36), survey_id TEXT NOT NULL CHECK (survey_id <> ''),
    survey_version INTEGER NOT NULL CHECK (survey_version >= 0), language TEXT NOT NULL CHECK (language <> ''),
    venue_id TEXT NOT NULL CHECK (venue_id <> ''), time_bucket TEXT NOT NULL,
    reached_step INTEGER NOT NULL CHECK (reached_step >= 0), total_steps INTEGER NOT NULL CHECK (total_steps >= reached_step)
) STRICT, WITHOUT ROWID;
INSERT INTO responses VALUES ('11111111-1111-4111-8111-111111111111', 'tillit', 1, 'sv', 'v', '2026-11-23T14', '{"q1":3}');
INSERT INTO abandonments VALUES ('22222222-2222-4222-9222-222222222222', 'tillit', 1, 'en', 'v', '2026-11-23', 2, 9);
PRAGMA user_version = 1;
PRAGMA application_id = 1416195180;
)sql";
        REQUIRE(sqlite3_exec(db.get(), v1, nullptr, nullptr, nullptr) == SQLITE_OK);
    }
    auto store = open_ok(path);
    CHECK(store->schema_version().value() == Store::kSchemaVersion);
    CHECK(store->count_responses().value() == 1);
    CHECK(store->responses().value()[0].answers_json == R"({"q1":3})");
    CHECK(store->abandonments().value().size() == 1);
    const auto c = counts(*store);
    CHECK(c.pending == 2);
    CHECK(c.sent == 0);
    CHECK(c.set_aside == 0);

    RawDb inspect = open_raw(path, SQLITE_OPEN_READONLY);
    CHECK(rows_of(inspect.get(), "SELECT item_id, kind, state FROM outbox ORDER BY item_id") ==
          std::vector<std::string>{"11111111-1111-4111-8111-111111111111|response|pending",
                                   "22222222-2222-4222-9222-222222222222|abandonment|pending"});
    auto batch = freeze(*store, 10);
    REQUIRE(batch);
    CHECK(batch->item_ids ==
          std::vector<std::string>{"11111111-1111-4111-8111-111111111111", "22222222-2222-4222-9222-222222222222"});
}

TEST_CASE("outbox: every save queues its item in the same transaction; a failed save queues nothing") {
    auto store = in_memory();
    save(*store);
    REQUIRE(store->save_abandonment(sample_abandonment()).ok());
    CHECK(counts(*store).pending == 2);

    CHECK_FALSE(store->save_response(response_with("{broken")).ok());
    tillit::Abandonment bad = sample_abandonment();
    bad.reached_step = -1;
    CHECK_FALSE(store->save_abandonment(bad).ok());
    CHECK(counts(*store).pending == 2);
    CHECK(store->count_responses().value() == 1);
}

TEST_CASE("outbox: freezing takes up to N items, encodes them per the protocol and marks them frozen") {
    auto store = in_memory();
    std::set<std::string> saved;
    for (int i = 0; i < 4; ++i)
        saved.insert(save(*store, R"({"q1":)" + std::to_string(i + 1) + R"(,"q2":"dont_know"})"));
    REQUIRE(store->save_abandonment(sample_abandonment()).ok());

    auto first = freeze(*store, 3);
    REQUIRE(first);
    CHECK(first->item_ids.size() == 3);
    CHECK(wire::is_uuid_v4(first->batch_id));
    auto second = freeze(*store, 3);
    REQUIRE(second);
    CHECK(second->item_ids.size() == 2);
    CHECK_FALSE(freeze(*store, 3).has_value());  // nothing pending is left
    CHECK(counts(*store).pending == 5);          // frozen still counts as pending

    // The body is what parse_batch (the server) accepts: every hash checks out.
    int responses = 0;
    int abandonments = 0;
    for (const FrozenBatch* batch : {&*first, &*second}) {
        const wire::ReceivedBatch received = decode(*batch);
        CHECK(received.batch_id == batch->batch_id);
        CHECK(sorted(ids_in_body(*batch)) == batch->item_ids);
        for (const auto& item : received.items) {
            CHECK(item.invalid_reason.empty());
            const json& content = item.item.content;
            CHECK(content["survey_id"] == "tillit");
            CHECK(content["survey_version"] == 2);
            CHECK(content["venue_id"] == "biblioteket-centrum");
            CHECK_FALSE(content.contains("id"));
            if (item.item.kind == wire::ItemKind::Response) {
                ++responses;
                CHECK(saved.count(item.item.id) == 1);
                CHECK(content["time_bucket"] == "2026-11-23T14");
                CHECK(content["answers"]["q2"] == "dont_know");
                CHECK(content.size() == 6);
            } else {
                ++abandonments;
                CHECK(content["reached_step"] == 3);
                CHECK(content["total_steps"] == 9);
                CHECK(content["time_bucket"] == "2026-11-23");
                CHECK(content.size() == 7);
            }
        }
        // Canonical: decoding and encoding again gives the very same JSON text.
        const std::string text = wire::gunzip(batch->body).value();
        CHECK(wire::canonical(json::parse(text)) == text);
    }
    CHECK(responses == 4);
    CHECK(abandonments == 1);
}

TEST_CASE("outbox: items are shuffled, not in id or save order") {
    auto store = in_memory();
    std::vector<std::string> saved_order;
    for (int i = 0; i < 40; ++i) saved_order.push_back(save(*store));
    auto batch = freeze(*store, 100);
    REQUIRE(batch);
    const std::vector<std::string> in_body = ids_in_body(*batch);
    CHECK(in_body.size() == 40);
    // Each of these orders comes out by chance with probability 1/40!.
    CHECK(in_body != sorted(in_body));
    CHECK(in_body != saved_order);
}

TEST_CASE("outbox: a frozen batch reads back byte-identical, also after a crash before it was sent") {
    TempDir dir;
    const std::string path = dir.file("kiosk.db");
    FrozenBatch original;
    {
        auto store = open_ok(path);
        for (int i = 0; i < 5; ++i) save(*store);
        auto batch = freeze(*store, 10);
        REQUIRE(batch);
        original = *batch;
        const auto again = frozen(*store);
        REQUIRE(again.size() == 1);
        CHECK(again[0].body == original.body);
        // The Store goes away here without any result recorded: the kiosk died mid-sync.
    }
    auto store = open_ok(path);
    const auto after = frozen(*store);
    REQUIRE(after.size() == 1);
    CHECK(after[0].batch_id == original.batch_id);
    CHECK(after[0].item_ids == original.item_ids);
    CHECK(after[0].body == original.body);        // byte for byte
    CHECK_FALSE(freeze(*store, 10).has_value());  // its items are not frozen a second time
    CHECK(counts(*store).pending == 5);
}

TEST_CASE("outbox: per-item results mark sent or set aside, in one transaction, and drop the batch") {
    auto store = in_memory();
    for (int i = 0; i < 4; ++i) save(*store);
    auto batch = freeze(*store, 10);
    REQUIRE(batch);
    const auto& ids = batch->item_ids;
    std::vector<wire::ItemResult> results = {{ids[0], wire::ItemStatus::Created, ""},
                                             {ids[1], wire::ItemStatus::Duplicate, ""},
                                             {ids[2], wire::ItemStatus::Conflict, ""},
                                             {ids[3], wire::ItemStatus::Invalid, "sha256 does not match the content"}};

    // An answer that leaves an item out changes nothing.
    auto partial = store->apply_results(batch->batch_id, {results[0], results[1]});
    REQUIRE_FALSE(partial.ok());
    CHECK(counts(*store).sent == 0);
    CHECK(frozen(*store).size() == 1);

    REQUIRE(store->apply_results(batch->batch_id, results).ok());
    const auto c = counts(*store);
    CHECK(c.sent == 2);
    CHECK(c.set_aside == 2);
    CHECK(c.pending == 0);
    CHECK(c.set_aside_reasons ==
          std::map<std::string, long long>{{"conflict", 1}, {"invalid: sha256 does not match the content", 1}});
    CHECK(frozen(*store).empty());
    // Applying the same answer again (a retry after a crash) finds no batch and changes nothing.
    CHECK_FALSE(store->apply_results(batch->batch_id, results).ok());
    CHECK(counts(*store).sent == 2);
}

TEST_CASE("outbox: a batch refused as a whole is set aside with the reason") {
    auto store = in_memory();
    for (int i = 0; i < 3; ++i) save(*store);
    auto batch = freeze(*store, 10);
    REQUIRE(batch);
    REQUIRE(store->set_batch_aside(batch->batch_id, "the server refused the request (HTTP 400)").ok());
    const auto c = counts(*store);
    CHECK(c.set_aside == 3);
    CHECK(c.set_aside_reasons.at("the server refused the request (HTTP 400)") == 3);
    CHECK(frozen(*store).empty());
    CHECK_FALSE(freeze(*store, 10).has_value());  // set aside is not pending
}

TEST_CASE("outbox: splitting a batch freezes the same items as two new batches") {
    auto store = in_memory();
    for (int i = 0; i < 5; ++i) save(*store);
    auto batch = freeze(*store, 10);
    REQUIRE(batch);

    auto halves = store->split_batch(batch->batch_id);
    REQUIRE_MESSAGE(halves.ok(), (halves.ok() ? "" : halves.error()));
    REQUIRE(halves.value().size() == 2);
    const FrozenBatch& a = halves.value()[0];
    const FrozenBatch& b = halves.value()[1];
    CHECK(a.item_ids.size() + b.item_ids.size() == 5);
    CHECK(std::min(a.item_ids.size(), b.item_ids.size()) == 2);
    CHECK(a.batch_id != batch->batch_id);
    CHECK(b.batch_id != batch->batch_id);
    CHECK(a.batch_id != b.batch_id);
    std::vector<std::string> together = a.item_ids;
    together.insert(together.end(), b.item_ids.begin(), b.item_ids.end());
    CHECK(sorted(together) == batch->item_ids);
    CHECK(sorted(ids_in_body(a)) == a.item_ids);
    CHECK(sorted(ids_in_body(b)) == b.item_ids);

    // The stored batches are now exactly the two halves; the old one is gone.
    const auto stored = frozen(*store);
    REQUIRE(stored.size() == 2);
    std::set<std::string> stored_ids = {stored[0].batch_id, stored[1].batch_id};
    CHECK(stored_ids == std::set<std::string>{a.batch_id, b.batch_id});
    CHECK_FALSE(store->apply_results(batch->batch_id, all_created(*batch)).ok());

    // An item keeps its hash across the split: the same content in a new envelope.
    REQUIRE(store->apply_results(a.batch_id, all_created(a)).ok());
    REQUIRE(store->apply_results(b.batch_id, all_created(b)).ok());
    CHECK(counts(*store).sent == 5);

    save(*store);
    auto single = freeze(*store, 10);
    REQUIRE(single);
    auto refused = store->split_batch(single->batch_id);
    REQUIRE_FALSE(refused.ok());
    CHECK(refused.error() == "could not split the batch: a batch of one item cannot be split");
    CHECK(frozen(*store).size() == 1);  // untouched
}

TEST_CASE("outbox: a one-tap response waits for its follow-up; a frozen response cannot be amended") {
    auto store = in_memory();
    tillit::NewResponse tap = response_with(R"({"q1":5})");
    tap.hold_for_followup = true;
    auto held = store->save_response(tap);
    REQUIRE(held.ok());
    CHECK(counts(*store).pending == 1);
    CHECK_FALSE(freeze(*store, 10).has_value());  // held back while the follow-up is open

    REQUIRE(store->amend_response(held.value(), R"({"q1":5,"q2":"bra"})").ok());
    auto batch = freeze(*store, 10);
    REQUIRE(batch);
    CHECK(decode(*batch).items[0].item.content["answers"]["q2"] == "bra");
    auto late = store->amend_response(held.value(), R"({"q1":1})");
    REQUIRE_FALSE(late.ok());
    CHECK(late.error() == "could not amend the response: the response is already in a batch for the server (frozen)");

    // A kiosk that stopped mid-follow-up releases the held row at the next start.
    auto orphan = store->save_response(tap);
    REQUIRE(orphan.ok());
    CHECK_FALSE(freeze(*store, 10).has_value());
    REQUIRE(store->release_held().ok());
    auto released = freeze(*store, 10);
    REQUIRE(released);
    CHECK(released->item_ids == std::vector<std::string>{orphan.value()});
}

TEST_CASE("outbox: enrolment stores the identity and seals the stored free text for good") {
    auto store = in_memory();
    CHECK_FALSE(store->identity().value().has_value());
    const std::string with_text = save(*store, R"({"q1":4,"comment":"Bra bemötande","other":"dont_know"})");
    const std::string besok = [&] {
        tillit::NewResponse r = response_with(R"({"comment":"inte en fritext här"})");
        r.survey_id = "besok";
        auto id = store->save_response(r);
        REQUIRE(id.ok());
        return id.value();
    }();

    const wire::SealingKeys server = wire::generate_sealing_keys();
    const wire::DeviceKeys device = wire::generate_device_keys();
    tillit::DeviceIdentity identity{"device-1",        "biblioteket-centrum", device.public_key,
                                    device.secret_key, server.public_key,     "https://tillit.example.se"};
    REQUIRE(store->set_config_version("abc").ok());
    REQUIRE(store->save_enrolment(identity, {{"tillit", {"comment"}}}).ok());

    const auto stored = store->identity();
    REQUIRE(stored.ok());
    REQUIRE(stored.value().has_value());
    CHECK(stored.value()->device_id == "device-1");
    CHECK(stored.value()->public_key == device.public_key);
    CHECK(stored.value()->secret_key == device.secret_key);
    CHECK(stored.value()->sealing_public_key == server.public_key);
    CHECK(stored.value()->server_url == "https://tillit.example.se");
    CHECK(store->sync_meta().value().config_version.empty());  // a new server: fetch its config

    const auto rows = store->responses();
    REQUIRE(rows.ok());
    for (const auto& row : rows.value()) {
        const json answers = json::parse(row.answers_json);
        if (row.id == with_text) {
            REQUIRE(answers["comment"].is_object());
            const std::string sealed = answers["comment"]["sealed"].get<std::string>();
            CHECK(sealed.find("Bra") == std::string::npos);
            CHECK(wire::unseal(server, sealed).value() == "Bra bemötande");  // only the server can
            CHECK(answers["q1"] == 4);
            CHECK(answers["other"] == "dont_know");  // not a text question
        } else {
            CHECK(row.id == besok);
            CHECK(answers["comment"] == "inte en fritext här");  // another survey's question
        }
    }

    // Enrolling again (a new server) does not seal twice.
    REQUIRE(store->save_enrolment(identity, {{"tillit", {"comment"}}}).ok());
    const auto again = store->responses();
    REQUIRE(again.ok());
    for (const auto& row : again.value()) {
        if (row.id != with_text) continue;
        const json answers = json::parse(row.answers_json);
        CHECK(wire::unseal(server, answers["comment"]["sealed"].get<std::string>()).value() == "Bra bemötande");
    }
}

TEST_CASE("outbox: sync metadata and storage health") {
    auto store = in_memory();
    CHECK(store->sync_meta().value().last_success.empty());
    REQUIRE(store->set_last_success("2026-11-23T14:05:00Z").ok());
    REQUIRE(store->set_config_version("c0ffee").ok());
    CHECK(store->sync_meta().value().last_success == "2026-11-23T14:05:00Z");
    CHECK(store->sync_meta().value().config_version == "c0ffee");
    CHECK(store->storage_health().value() == "ok");
}

TEST_CASE("outbox privacy: the sync tables have no rowid, no times and no sequence numbers") {
    TempDir dir;
    const std::string path = dir.file("kiosk.db");
    auto store = open_ok(path);
    save(*store);
    REQUIRE(freeze(*store, 10));

    RawDb inspect = open_raw(path, SQLITE_OPEN_READONLY);
    CHECK(rows_of(inspect.get(), "SELECT name FROM pragma_table_info('outbox') ORDER BY cid") ==
          std::vector<std::string>{"item_id", "kind", "state", "batch_id", "reason"});
    CHECK(rows_of(inspect.get(), "SELECT name FROM pragma_table_info('batches') ORDER BY cid") ==
          std::vector<std::string>{"batch_id", "body"});
    for (const char* sql : {"SELECT rowid FROM outbox", "SELECT rowid FROM batches", "SELECT rowid FROM device",
                            "SELECT rowid FROM sync_meta"}) {
        sqlite3_stmt* raw = nullptr;
        const int rc = sqlite3_prepare_v2(inspect.get(), sql, -1, &raw, nullptr);
        sqlite3_finalize(raw);
        CHECK_MESSAGE(rc != SQLITE_OK, sql);
    }
    // The body is stored as the exact bytes (a BLOB), not re-encoded text.
    CHECK(rows_of(inspect.get(), "SELECT typeof(body) FROM batches") == std::vector<std::string>{"blob"});
}

TEST_CASE("outbox: an item that can never be encoded is set aside instead of blocking the others") {
    TempDir dir;
    const std::string path = dir.file("kiosk.db");
    auto store = open_ok(path);
    const std::string good = save(*store);
    const std::string bad_utf8 = save(*store, "{\"comment\":\"caf\xE9\"}");  // Latin-1, not UTF-8
    const std::string gone = save(*store);
    {
        RawDb raw = open_raw(path, SQLITE_OPEN_READWRITE);
        const std::string sql = "DELETE FROM responses WHERE id = '" + gone + "'";
        REQUIRE(sqlite3_exec(raw.get(), sql.c_str(), nullptr, nullptr, nullptr) == SQLITE_OK);
    }
    auto batch = freeze(*store, 10);
    REQUIRE(batch);
    CHECK(batch->item_ids == std::vector<std::string>{good});
    const auto c = counts(*store);
    CHECK(c.set_aside == 2);
    CHECK(c.set_aside_reasons.count("its row is missing") == 1);
    CHECK(c.set_aside_reasons.size() == 2);
    CHECK_FALSE(freeze(*store, 10).has_value());
    CHECK(bad_utf8 != good);
}
