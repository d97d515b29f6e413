// The PostgreSQL backend against a real PostgreSQL 15 that this test binary starts
// (tests/server/pg_fixture.h): the shared ServerStore contract on a fresh database per
// store, then what only a client/server database adds: reopening over TCP, a schema
// from a newer server, concurrent writers of the same items in overlapping
// transactions, lost and refused connections. Missing PostgreSQL binaries fail these
// tests; they are never skipped.
#include <doctest/doctest.h>
#include <libpq-fe.h>

#include <algorithm>
#include <functional>
#include <latch>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "core/privacy.h"
#include "core/wire.h"
#include "pg_fixture.h"
#include "server_store.h"
#include "store_contract.h"

namespace {

using tillit::server::ServerStore;
namespace wire = tillit::wire;
namespace contract = tillit::test::contract;

// One cluster per test binary run, started by the first test that needs it and
// stopped (and deleted) when the binary exits.
tillit::test::PgCluster g_postgres;

// The error of a failed Result, for doctest's messages; "" when it succeeded.
template <class T>
std::string error_of(const tillit::Result<T>& result) {
    return result.ok() ? std::string() : result.error();
}

// A new empty database on the test cluster; its name.
std::string fresh_database() {
    auto database = g_postgres.create_database();
    REQUIRE_MESSAGE(database.ok(), error_of(database));
    return database.value();
}

std::unique_ptr<ServerStore> open_store(const std::string& conninfo) {
    auto store = tillit::server::open_postgres_server_store(conninfo);
    REQUIRE_MESSAGE(store.ok(), error_of(store));
    return std::move(store).value();
}

// Runs one statement as the test's own client, for inspecting or tampering; its rows,
// columns joined by '|'.
std::vector<std::string> run_sql(const std::string& conninfo, const std::string& sql) {
    std::unique_ptr<PGconn, decltype(&PQfinish)> conn(PQconnectdb(conninfo.c_str()), &PQfinish);
    REQUIRE_MESSAGE(PQstatus(conn.get()) == CONNECTION_OK, PQerrorMessage(conn.get()));
    std::unique_ptr<PGresult, decltype(&PQclear)> result(PQexec(conn.get(), sql.c_str()), &PQclear);
    const auto status = PQresultStatus(result.get());
    REQUIRE_MESSAGE((status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK), PQresultErrorMessage(result.get()));
    std::vector<std::string> rows;
    for (int row = 0; row < PQntuples(result.get()); ++row) {
        std::string line;
        for (int column = 0; column < PQnfields(result.get()); ++column) {
            if (column > 0) line += '|';
            line += PQgetvalue(result.get(), row, column);
        }
        rows.push_back(line);
    }
    return rows;
}

std::vector<wire::Item> sample_items(int count) {
    std::vector<wire::Item> items;
    for (int i = 0; i < count; ++i) items.push_back(contract::response_item(i % 5));
    return items;
}

// Two threads put the same items at the same moment, through `a` and `b` (which may
// be one store), the second in reverse order. Each thread's answer, or its error.
struct RaceOutcome {
    std::vector<std::vector<wire::ItemResult>> answers = {{}, {}};
    std::vector<std::string> errors = {"", ""};
};
RaceOutcome race_same_items(ServerStore& a, ServerStore& b, const std::vector<wire::Item>& items) {
    const std::vector<wire::Item> reversed(items.rbegin(), items.rend());
    RaceOutcome outcome;
    std::latch go(2);
    // No doctest assertions inside the threads: a failed REQUIRE throws, and an
    // exception escaping a std::thread ends the whole test binary.
    auto writer = [&](std::size_t which, ServerStore& store, const std::vector<wire::Item>& order) {
        go.arrive_and_wait();
        auto answer = store.put_batch("device-" + std::to_string(which), contract::batch_of(order));
        if (answer) {
            outcome.answers[which] = std::move(answer).value();
        } else {
            outcome.errors[which] = answer.error();
        }
    };
    std::thread first(writer, 0, std::ref(a), std::cref(items));
    std::thread second(writer, 1, std::ref(b), std::cref(reversed));
    first.join();
    second.join();
    return outcome;
}

// Both writers' answers for the same ids: each id `created` exactly once, else `duplicate`.
void check_exactly_one_created(const RaceOutcome& outcome, const std::vector<wire::Item>& items) {
    CHECK(outcome.errors[0] == "");
    CHECK(outcome.errors[1] == "");
    std::map<std::string, int> created;
    for (const auto& answer : outcome.answers) {
        REQUIRE(answer.size() == items.size());
        for (const wire::ItemResult& result : answer) {
            CHECK_MESSAGE((result.status == wire::ItemStatus::Created || result.status == wire::ItemStatus::Duplicate),
                          result.id << ": " << wire::to_string(result.status) << " " << result.reason);
            if (result.status == wire::ItemStatus::Created) ++created[result.id];
        }
    }
    CHECK(created.size() == items.size());
    CHECK(std::all_of(created.begin(), created.end(), [](const auto& entry) { return entry.second == 1; }));
}

}  // namespace

TEST_CASE("postgres store: the cluster starts (PostgreSQL 15 must be installed)") {
    const auto started = g_postgres.start();
    REQUIRE_MESSAGE(started.ok(), error_of(started));
    MESSAGE("test PostgreSQL started in " << g_postgres.startup_seconds() << " s");
}

TEST_CASE("postgres store: the shared ServerStore contract, a fresh database per store") {
    check_store_contract([] { return open_store(g_postgres.conninfo(fresh_database())); });
}

TEST_CASE("postgres store: everything committed survives closing and reopening, also over TCP") {
    const std::string database = fresh_database();
    int opened = 0;
    // First through the unix socket, then through the 127.0.0.1 listener: one database.
    check_store_persistence([&] {
        return open_store(opened++ == 0 ? g_postgres.conninfo(database) : g_postgres.tcp_conninfo(database));
    });
    CHECK(opened == 2);
}

TEST_CASE("postgres store: enrol codes are kept only as hashes") {
    const std::string conninfo = g_postgres.conninfo(fresh_database());
    auto store = open_store(conninfo);
    const auto code = store->create_enrol_code("biblioteket-centrum", 24);
    REQUIRE(code);
    const auto rows = run_sql(conninfo, "SELECT code_hash, venue_id FROM enrol_codes");
    REQUIRE(rows.size() == 1);
    CHECK(rows[0] == wire::sha256_hex(code.value().code) + "|biblioteket-centrum");
    // Nowhere in the row, in any column: a copy of the database hands out no codes.
    for (const std::string& row : run_sql(conninfo, "SELECT enrol_codes::text FROM enrol_codes")) {
        CHECK(row.find(code.value().code) == std::string::npos);
    }
}

TEST_CASE("postgres store: a schema written by a newer server is refused and left alone") {
    const std::string conninfo = g_postgres.conninfo(fresh_database());
    REQUIRE(open_store(conninfo)->put_batch("device-1", contract::batch_of(sample_items(2))));
    run_sql(conninfo, "INSERT INTO schema_version (version) VALUES (999)");
    const auto refused = tillit::server::open_postgres_server_store(conninfo);
    REQUIRE_FALSE(refused);
    CHECK(refused.error().find("999") != std::string::npos);
    CHECK(refused.error().find("newer") != std::string::npos);
    // Nothing was migrated or dropped: taking the marker back opens the same data.
    run_sql(conninfo, "DELETE FROM schema_version WHERE version = 999");
    CHECK(open_store(conninfo)->count_items().value() == 2);
}

TEST_CASE("postgres store: two threads putting the same batch get one `created` per id and no error") {
    SUBCASE("one store shared by both threads, as in the HTTP server") {
        auto store = open_store(g_postgres.conninfo(fresh_database()));
        const auto items = sample_items(300);
        check_exactly_one_created(race_same_items(*store, *store, items), items);
        CHECK(store->count_items().value() == 300);
    }
    // Two connections whose transactions really overlap inside PostgreSQL, as with two
    // server processes on one database: ON CONFLICT waits for the other's commit, and
    // the reversed order must not deadlock.
    SUBCASE("two stores on one database") {
        const std::string conninfo = g_postgres.conninfo(fresh_database());
        auto a = open_store(conninfo);
        auto b = open_store(conninfo);
        for (int round = 0; round < 5; ++round) {
            const auto items = sample_items(200);
            check_exactly_one_created(race_same_items(*a, *b, items), items);
        }
        CHECK(a->count_items().value() == 1000);
    }
}

TEST_CASE("postgres store: an unreachable server is an error value with a plain message") {
    // Port 1 on loopback: nothing listens there, so the connection is refused at once.
    const auto refused = tillit::server::open_postgres_server_store("host=127.0.0.1 port=1 dbname=tillit");
    REQUIRE_FALSE(refused);
    CHECK(refused.error().starts_with("cannot connect to PostgreSQL: "));
    CHECK(refused.error().find('\n') == std::string::npos);
    CHECK_FALSE(tillit::server::open_postgres_server_store("host=127.0.0.1 port=notaport"));
}

TEST_CASE("postgres store: a dropped connection costs at most one failed call") {
    const std::string conninfo = g_postgres.conninfo(fresh_database());
    auto store = open_store(conninfo);
    REQUIRE(store->put_survey("tillit", "a"));
    // What a PostgreSQL restart or a network cut does to the store's one connection.
    run_sql(conninfo, "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                      "WHERE application_name = 'tillit-server' AND pid <> pg_backend_pid()");
    const auto first = store->surveys();  // may fail: the connection is found dead here
    if (!first) CHECK(first.error().starts_with("PostgreSQL: "));
    const auto second = store->surveys();
    REQUIRE_MESSAGE(second.ok(), error_of(second));
    CHECK(second.value().size() == 1);
}

TEST_CASE("postgres store: open_server_store sends a postgresql:// URI to PostgreSQL") {
    const std::string database = fresh_database();
    auto store = tillit::server::open_server_store(g_postgres.uri(database));
    REQUIRE_MESSAGE(store.ok(), error_of(store));
    REQUIRE(store.value()->put_setting("idle_timeout_seconds", "90"));
    // Seen through a key=value connection over the socket: the same database.
    CHECK(open_store(g_postgres.conninfo(database))->settings().value().size() == 1);
}
