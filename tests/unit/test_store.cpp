// Tests for core/store: migrations, WAL + synchronous=FULL, one transaction per row,
// disk-full and recovery, refusal of too-new, foreign and garbage files, and the
// privacy shape of the tables. Inspection goes through a second, read-only sqlite3
// connection that only the tests open; crash and kill -9 tests live in tests/faults.
#include <doctest/doctest.h>
#include <sqlite3.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "core/privacy.h"
#include "../server/temp_dir.h"
#include "core/store.h"

namespace {

using tillit::Store;

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

RawDb open_read_only(const std::string& path) { return open_raw(path, SQLITE_OPEN_READONLY); }

// Every row of `sql`, columns joined by '|'.
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

tillit::NewResponse sample_response() {
    tillit::NewResponse r;
    r.survey_id = "trust-2026";
    r.survey_version = 3;
    r.language = "sv";
    r.venue_id = "biblioteket-centrum";
    r.time_bucket = "2026-11-23T14";
    r.answers_json = R"({"q1":4,"q2":"Bra bemötande på Medborgarkontoret, tack!"})";
    return r;
}

tillit::Abandonment sample_abandonment() {
    tillit::Abandonment a;
    a.survey_id = "trust-2026";
    a.survey_version = 3;
    a.language = "ar";
    a.venue_id = "biblioteket-centrum";
    a.time_bucket = "2026-11-23";
    a.reached_step = 4;
    a.total_steps = 9;
    return a;
}

std::unique_ptr<Store> open_ok(const std::string& path) {
    auto store = Store::open(path);
    REQUIRE_MESSAGE(store.ok(), (store.ok() ? "" : store.error()));
    return std::move(store).value();
}

long long count(Store& store) {
    auto n = store.count_responses();
    REQUIRE(n.ok());
    return n.value();
}

bool is_uuid_v4(const std::string& id) {
    if (id.size() != 36) return false;
    for (std::size_t i = 0; i < id.size(); ++i) {
        const char c = id[i];
        if (i == 8 || i == 13 || i == 18 || i == 23) {
            if (c != '-') return false;
        } else if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
            return false;
        }
    }
    return id[14] == '4' && std::string("89ab").find(id[19]) != std::string::npos;
}

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

}  // namespace

TEST_CASE("store: a fresh file migrates to the current schema in WAL mode with synchronous=FULL") {
    TempDir dir;
    const std::string path = dir.file("kiosk.db");
    auto store = open_ok(path);
    auto version = store->schema_version();
    REQUIRE(version.ok());
    CHECK(version.value() == Store::kSchemaVersion);
    CHECK(version.value() == 5);

    // synchronous and foreign_keys are per connection, so only the store's own
    // connection can show them; journal_mode=WAL is stored in the file itself.
    auto settings = store->settings();
    REQUIRE(settings.ok());
    CHECK(settings.value().journal_mode == "wal");
    CHECK(settings.value().synchronous == 2);  // FULL
    CHECK(settings.value().foreign_keys);

    RawDb inspect = open_read_only(path);
    CHECK(rows_of(inspect.get(), "PRAGMA journal_mode") == std::vector<std::string>{"wal"});
    CHECK(rows_of(inspect.get(), "PRAGMA user_version") == std::vector<std::string>{"5"});
}

TEST_CASE("store: a missing data folder is created") {
    TempDir dir;
    const std::string path = dir.file("not/yet/there/kiosk.db");
    auto store = open_ok(path);
    CHECK(std::filesystem::exists(path));
}

TEST_CASE("store: a folder that cannot be created gives a clear error naming the file") {
    TempDir dir;
    const std::string blocker = dir.file("a-file");
    std::ofstream(blocker) << "not a folder";
    const std::string path = blocker + "/kiosk.db";
    auto store = Store::open(path);
    REQUIRE_FALSE(store.ok());
    CHECK(contains(store.error(), "could not create the folder"));
    CHECK(contains(store.error(), path));
}

TEST_CASE("store: a response round-trips every field and survives a reopen") {
    TempDir dir;
    const std::string path = dir.file("kiosk.db");
    std::string id;
    {
        auto store = open_ok(path);
        auto saved = store->save_response(sample_response());
        REQUIRE_MESSAGE(saved.ok(), (saved.ok() ? "" : saved.error()));
        id = saved.value();
        CHECK(is_uuid_v4(id));
    }
    auto store = open_ok(path);
    CHECK(count(*store) == 1);
    auto rows = store->responses();
    REQUIRE(rows.ok());
    REQUIRE(rows.value().size() == 1);
    const tillit::StoredResponse& row = rows.value()[0];
    const tillit::NewResponse expected = sample_response();
    CHECK(row.id == id);
    CHECK(row.survey_id == expected.survey_id);
    CHECK(row.survey_version == expected.survey_version);
    CHECK(row.language == expected.language);
    CHECK(row.venue_id == expected.venue_id);
    CHECK(row.time_bucket == expected.time_bucket);
    CHECK(row.answers_json == expected.answers_json);  // UTF-8 intact, byte for byte
}

TEST_CASE("store: the in-memory store works like the file store") {
    auto opened = Store::open_in_memory();
    REQUIRE(opened.ok());
    auto& store = *opened.value();
    CHECK(store.schema_version().value() == Store::kSchemaVersion);
    REQUIRE(store.save_response(sample_response()).ok());
    CHECK(count(store) == 1);
    CHECK(store.settings().value().synchronous == 2);
}

TEST_CASE("store: a rejected response leaves no row behind and the store keeps working") {
    auto opened = Store::open_in_memory();
    REQUIRE(opened.ok());
    auto& store = *opened.value();
    REQUIRE(store.save_response(sample_response()).ok());

    tillit::NewResponse bad = sample_response();
    bad.answers_json = "{\"q1\": 4";  // cut-off JSON
    auto saved = store.save_response(bad);
    REQUIRE_FALSE(saved.ok());
    CHECK(contains(saved.error(), "could not save the response"));
    CHECK(count(store) == 1);

    tillit::NewResponse too_precise = sample_response();
    too_precise.time_bucket = "2026-11-23T14:37";  // finer than an hour is never stored
    CHECK_FALSE(store.save_response(too_precise).ok());
    CHECK(count(store) == 1);

    REQUIRE(store.save_response(sample_response()).ok());
    CHECK(count(store) == 2);
}

TEST_CASE("store: a full disk gives an Error, no row, and the store recovers") {
    TempDir dir;
    auto store = open_ok(dir.file("kiosk.db"));
    REQUIRE(store->save_response(sample_response()).ok());
    REQUIRE(count(*store) == 1);

    // 1 page is below the current size, so SQLite caps at the current size: any new page fails.
    REQUIRE(store->limit_size_for_tests(1).ok());
    tillit::NewResponse big = sample_response();
    big.answers_json = "{\"q9\":\"" + std::string(200000, 'x') + "\"}";
    auto saved = store->save_response(big);
    REQUIRE_FALSE(saved.ok());
    CHECK(saved.error() == "could not save the response: database or disk is full");
    CHECK(count(*store) == 1);
    auto rows = store->responses();
    REQUIRE(rows.ok());
    CHECK(rows.value().size() == 1);

    // Space again: the next save succeeds on the same connection.
    REQUIRE(store->limit_size_for_tests(0).ok());
    auto retried = store->save_response(big);
    REQUIRE_MESSAGE(retried.ok(), (retried.ok() ? "" : retried.error()));
    CHECK(count(*store) == 2);
}

TEST_CASE("store: a database from a newer tillit-kiosk is refused") {
    TempDir dir;
    const std::string path = dir.file("kiosk.db");
    {
        RawDb db = open_raw(path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
        REQUIRE(sqlite3_exec(db.get(), "PRAGMA user_version = 99", nullptr, nullptr, nullptr) == SQLITE_OK);
    }
    auto store = Store::open(path);
    REQUIRE_FALSE(store.ok());
    CHECK(store.error() == path + " was written by a newer tillit-kiosk (schema 99, this build knows 5); update the app");
    // Refusing must not have touched it.
    RawDb inspect = open_read_only(path);
    CHECK(rows_of(inspect.get(), "PRAGMA user_version") == std::vector<std::string>{"99"});
}

TEST_CASE("store: a file that is not a database is refused") {
    TempDir dir;
    const std::string path = dir.file("kiosk.db");
    {
        std::ofstream out(path, std::ios::binary);
        for (int i = 0; i < 200; ++i) out << "this is a shopping list, not a database\n";
    }
    auto store = Store::open(path);
    REQUIRE_FALSE(store.ok());
    CHECK(store.error() == path + " is not a tillit-kiosk database: file is not a database");
}

TEST_CASE("store: another program's SQLite database is refused, not migrated") {
    TempDir dir;
    const std::string path = dir.file("other.db");
    {
        RawDb db = open_raw(path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
        REQUIRE(sqlite3_exec(db.get(), "CREATE TABLE notes(body TEXT)", nullptr, nullptr, nullptr) == SQLITE_OK);
    }
    auto store = Store::open(path);
    REQUIRE_FALSE(store.ok());
    CHECK(contains(store.error(), path + " is not a tillit-kiosk database"));
}

TEST_CASE("store: amending replaces the answers; an unknown id fails") {
    auto opened = Store::open_in_memory();
    REQUIRE(opened.ok());
    auto& store = *opened.value();
    auto saved = store.save_response(sample_response());
    REQUIRE(saved.ok());

    REQUIRE(store.amend_response(saved.value(), R"({"q1":5,"q2":"ändrat"})").ok());
    auto rows = store.responses();
    REQUIRE(rows.ok());
    REQUIRE(rows.value().size() == 1);
    CHECK(rows.value()[0].answers_json == R"({"q1":5,"q2":"ändrat"})");

    auto unknown = store.amend_response(tillit::new_uuid_v4(), R"({"q1":1})");
    REQUIRE_FALSE(unknown.ok());
    CHECK(contains(unknown.error(), "could not amend the response: no response with id"));

    CHECK_FALSE(store.amend_response(saved.value(), "not json").ok());
    CHECK(store.responses().value()[0].answers_json == R"({"q1":5,"q2":"ändrat"})");
}

TEST_CASE("store: abandonments round-trip") {
    TempDir dir;
    const std::string path = dir.file("kiosk.db");
    {
        auto store = open_ok(path);
        REQUIRE(store->save_abandonment(sample_abandonment()).ok());
        tillit::Abandonment negative = sample_abandonment();
        negative.reached_step = -1;  // 0 means "left before question 1"; below that is a bug
        CHECK_FALSE(store->save_abandonment(negative).ok());
        tillit::Abandonment beyond = sample_abandonment();
        beyond.reached_step = beyond.total_steps + 1;
        CHECK_FALSE(store->save_abandonment(beyond).ok());
    }
    auto store = open_ok(path);
    auto rows = store->abandonments();
    REQUIRE(rows.ok());
    REQUIRE(rows.value().size() == 1);
    const tillit::StoredAbandonment& row = rows.value()[0];
    const tillit::Abandonment expected = sample_abandonment();
    CHECK(is_uuid_v4(row.id));
    CHECK(row.survey_id == expected.survey_id);
    CHECK(row.survey_version == expected.survey_version);
    CHECK(row.language == expected.language);
    CHECK(row.venue_id == expected.venue_id);
    CHECK(row.time_bucket == expected.time_bucket);
    CHECK(row.reached_step == expected.reached_step);
    CHECK(row.total_steps == expected.total_steps);
    CHECK(count(*store) == 0);  // an abandonment is never a response
}

TEST_CASE("store privacy: tables hold exactly the allowed columns and no rowid") {
    TempDir dir;
    const std::string path = dir.file("kiosk.db");
    auto store = open_ok(path);
    REQUIRE(store->save_response(sample_response()).ok());
    REQUIRE(store->save_abandonment(sample_abandonment()).ok());

    RawDb inspect = open_read_only(path);
    CHECK(rows_of(inspect.get(), "SELECT name FROM pragma_table_info('responses') ORDER BY cid") ==
          std::vector<std::string>{"id", "survey_id", "survey_version", "language", "venue_id", "time_bucket",
                                   "answers"});
    CHECK(rows_of(inspect.get(), "SELECT name FROM pragma_table_info('abandonments') ORDER BY cid") ==
          std::vector<std::string>{"id", "survey_id", "survey_version", "language", "venue_id", "time_bucket",
                                   "reached_step", "total_steps"});
    // The sync tables (outbox, batches, device, sync_meta) are checked in test_outbox.cpp,
    // the workshop tables in test_workshop.cpp.
    CHECK(rows_of(inspect.get(), "SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name") ==
          std::vector<std::string>{"abandonments", "batches", "device", "outbox", "pin_attempts", "report_counts",
                                   "report_keys", "responses", "sync_meta", "workshop_contributions",
                                   "workshop_moderation", "workshop_records", "workshops"});
    // The report's counts: per survey and venue, never per response, and without rowid.
    CHECK(rows_of(inspect.get(), "SELECT name FROM pragma_table_info('report_counts') ORDER BY cid") ==
          std::vector<std::string>{"survey_id", "venue_id", "figure", "k1", "k2", "n"});

    // WITHOUT ROWID: there is no hidden insertion-order counter to select.
    for (const char* sql : {"SELECT rowid FROM responses", "SELECT rowid FROM abandonments", "SELECT rowid FROM outbox",
                            "SELECT rowid FROM workshops", "SELECT rowid FROM workshop_contributions",
                            "SELECT rowid FROM report_counts"}) {
        sqlite3_stmt* raw = nullptr;
        const int rc = sqlite3_prepare_v2(inspect.get(), sql, -1, &raw, nullptr);
        sqlite3_finalize(raw);
        CHECK_MESSAGE(rc != SQLITE_OK, sql);
    }
}

TEST_CASE("store privacy: ids are distinct UUIDv4s") {
    auto opened = Store::open_in_memory();
    REQUIRE(opened.ok());
    auto& store = *opened.value();
    std::set<std::string> ids;
    for (int i = 0; i < 200; ++i) {
        auto saved = store.save_response(sample_response());
        REQUIRE(saved.ok());
        CHECK(is_uuid_v4(saved.value()));
        ids.insert(saved.value());
    }
    CHECK(ids.size() == 200);
    CHECK(count(store) == 200);
}
