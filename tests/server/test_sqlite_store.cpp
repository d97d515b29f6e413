// The SQLite backend: the shared ServerStore contract on fresh files, then what only
// an embedded file database has: reopening, a schema from a newer server, a foreign
// file, how codes are kept, and several threads and connections writing at once.
#include <doctest/doctest.h>
#include <sqlite3.h>

#include <atomic>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "core/privacy.h"
#include "core/wire.h"
#include "server_store.h"
#include "store_contract.h"
#include "temp_dir.h"

namespace {

using tillit::server::ServerStore;
using tillit::test::TempDir;
namespace wire = tillit::wire;
namespace contract = tillit::test::contract;

std::unique_ptr<ServerStore> open_store(const std::string& path) {
    auto store = tillit::server::open_sqlite_server_store(path);
    REQUIRE_MESSAGE(store, (store.ok() ? "" : store.error()));
    return std::move(store).value();
}

struct DbCloser {
    void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
};

// The test's own connection, for inspecting or tampering with the file.
std::unique_ptr<sqlite3, DbCloser> raw_connection(const std::string& path) {
    sqlite3* raw = nullptr;
    REQUIRE(sqlite3_open_v2(path.c_str(), &raw, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr) == SQLITE_OK);
    return std::unique_ptr<sqlite3, DbCloser>(raw);
}

void run_sql(sqlite3* db, const char* sql) {
    char* message = nullptr;
    const int rc = sqlite3_exec(db, sql, nullptr, nullptr, &message);
    const std::string text = message ? message : "";
    sqlite3_free(message);
    REQUIRE_MESSAGE(rc == SQLITE_OK, text);
}

std::string single_text(sqlite3* db, const char* sql) {
    sqlite3_stmt* raw = nullptr;
    REQUIRE(sqlite3_prepare_v2(db, sql, -1, &raw, nullptr) == SQLITE_OK);
    std::unique_ptr<sqlite3_stmt, decltype(&sqlite3_finalize)> stmt(raw, &sqlite3_finalize);
    REQUIRE(sqlite3_step(raw) == SQLITE_ROW);
    const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(raw, 0));
    return text ? text : "";
}

}  // namespace

TEST_CASE("sqlite store: the shared ServerStore contract, a fresh file per store") {
    TempDir dir;
    int opened = 0;
    check_store_contract([&] { return open_store(dir.file("store-" + std::to_string(opened++) + ".db")); });
}

TEST_CASE("sqlite store: everything committed survives closing and reopening the file") {
    TempDir dir;
    check_store_persistence([&] { return open_store(dir.file("server.db")); });
}

TEST_CASE("sqlite store: the file runs in WAL mode and creates its folder") {
    TempDir dir;
    const std::string path = dir.file("nested/folder/server.db");
    auto store = open_store(path);
    auto db = raw_connection(path);
    CHECK(single_text(db.get(), "PRAGMA journal_mode") == "wal");
    CHECK(single_text(db.get(), "SELECT max(version) FROM schema_migrations") == "3");
}

TEST_CASE("sqlite store: a schema written by a newer server is refused, not touched") {
    TempDir dir;
    const std::string path = dir.file("server.db");
    open_store(path).reset();
    {
        auto db = raw_connection(path);
        run_sql(db.get(), "INSERT INTO schema_migrations (version, applied_at) VALUES (99, '2030-01-01T00:00:00Z')");
    }
    auto again = tillit::server::open_sqlite_server_store(path);
    REQUIRE_FALSE(again);
    CHECK(again.error().find("newer") != std::string::npos);
    CHECK(again.error().find(path) != std::string::npos);
    auto db = raw_connection(path);
    CHECK(single_text(db.get(), "SELECT max(version) FROM schema_migrations") == "99");
}

TEST_CASE("sqlite store: another program's database is refused") {
    TempDir dir;
    const std::string path = dir.file("other.db");
    {
        auto db = raw_connection(path);
        run_sql(db.get(), "CREATE TABLE notes (text TEXT)");
    }
    auto store = tillit::server::open_sqlite_server_store(path);
    REQUIRE_FALSE(store);
    CHECK(store.error().find("not a tillit-server database") != std::string::npos);
}

TEST_CASE("sqlite store: a file that is not a database is refused with its path") {
    TempDir dir;
    const std::string path = dir.file("garbage.db");
    {
        std::FILE* f = std::fopen(path.c_str(), "wb");
        REQUIRE(f);
        std::fputs("this is not an SQLite database, just text that is long enough to be read", f);
        std::fclose(f);
    }
    auto store = tillit::server::open_sqlite_server_store(path);
    REQUIRE_FALSE(store);
    CHECK(store.error().find(path) != std::string::npos);
}

TEST_CASE("sqlite store: enrol codes are kept only as hashes") {
    TempDir dir;
    const std::string path = dir.file("server.db");
    auto store = open_store(path);
    auto code = store->create_enrol_code("biblioteket-centrum", 24);
    REQUIRE(code);
    auto db = raw_connection(path);
    CHECK(single_text(db.get(), "SELECT code_sha256 FROM enrol_codes") == wire::sha256_hex(code.value().code));
    // Nowhere in the file or its write-ahead log does the code itself appear.
    for (const std::string& file : {path, path + "-wal"}) {
        std::ifstream in(file, std::ios::binary);
        const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
        CHECK(bytes.find(code.value().code) == std::string::npos);
    }
}

TEST_CASE("sqlite store: concurrent batches from many threads store each item exactly once") {
    TempDir dir;
    auto store = open_store(dir.file("server.db"));
    const auto device = contract::enrolled_device(*store);
    std::vector<wire::Item> shared;
    for (int i = 0; i < 40; ++i) shared.push_back(contract::response_item(i % 5));
    constexpr int kThreads = 8;
    std::vector<std::vector<wire::ItemResult>> answers(kThreads);
    std::vector<std::string> errors(kThreads);
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
        threads.emplace_back([&, t] {
            std::vector<wire::Item> items = shared;
            for (int i = 0; i < 10; ++i) items.push_back(contract::response_item(t % 5));  // this thread's own
            auto answer = store->put_batch(device.device_id, contract::batch_of(items));
            if (answer) {
                answers[t] = answer.value();
            } else {
                errors[t] = answer.error();
            }
        });
    }
    for (auto& thread : threads) thread.join();
    std::multiset<std::string> created;
    for (int t = 0; t < kThreads; ++t) {
        CHECK_MESSAGE(errors[t].empty(), errors[t]);
        for (const auto& r : answers[t]) {
            CHECK((r.status == wire::ItemStatus::Created || r.status == wire::ItemStatus::Duplicate));
            if (r.status == wire::ItemStatus::Created) created.insert(r.id);
        }
    }
    for (const auto& item : shared) CHECK(created.count(item.id) == 1);
    CHECK(created.size() == shared.size() + kThreads * 10);
    auto count = store->count_items();
    REQUIRE(count);
    CHECK(count.value() == static_cast<long long>(shared.size() + kThreads * 10));
}

TEST_CASE("sqlite store: two connections to one file (server and admin CLI) see each other's commits") {
    TempDir dir;
    const std::string path = dir.file("server.db");
    auto server = open_store(path);
    auto admin = open_store(path);
    auto code = admin->create_enrol_code("biblioteket-centrum", 24);
    REQUIRE(code);
    auto device = server->enrol(code.value().code, wire::generate_device_keys().public_key);
    REQUIRE_MESSAGE(device, (device.ok() ? "" : device.error()));
    REQUIRE(admin->revoke(device.value().device_id));
    auto seen = server->find_device(device.value().device_id);
    REQUIRE(seen);
    CHECK(seen.value()->revoked);
    auto keys_server = server->sealing_keys();
    auto keys_admin = admin->sealing_keys();
    REQUIRE(keys_server);
    REQUIRE(keys_admin);
    CHECK(keys_server.value().public_key == keys_admin.value().public_key);
}
