// Benchmark: a fleet of kiosks syncing at once (issue 8, point 4). K kiosks (default 20),
// each with its own Store (its own folder, N made-up responses, default 5 000), its own
// enrol code, HttpClient and SyncClient on its own thread, batch size 500, all released
// together into one real tillit-server process on loopback; once with the server on
// SQLite (a file on disk) and once on PostgreSQL (a throwaway cluster, pg_fixture.h's
// PgCluster, with fsync and full_page_writes switched back on so both backends commit
// durably). Not part of the test run:
//   build/fleet_bench [N] [--kiosks K] [--backend sqlite|postgres|both]
// Prints responses/s over all kiosks, the latency of one batch POST, and the errors (any
// pass not ending Done, any HTTP status other than 200 in the server's request log),
// which must be 0; then exports the server and exits 1 unless it holds exactly K*N items.
// Besides the text lines, one `RESULT {json}` line per backend for a driver script.
//
// How a batch POST is timed. The HTTP call is inside SyncClient::run_pass, so the
// benchmark cannot put a clock around HttpClient::post itself, and a proxy in between
// would change what the server sees (FaultProxy opens a new upstream connection per
// request, while real kiosks keep theirs alive and so occupy the server's worker
// threads between requests). What is measured instead, all on the real path:
//  - "round": the time between two progress callbacks of run_pass, per batch: sign,
//    POST, read the answer, check it, and the kiosk's own commit of the per-item answers;
//  - "POST": the round minus the time the kiosk's SQLite connection spent running
//    statements in it (sqlite3_trace_v2 SQLITE_TRACE_PROFILE on the kiosk's connection;
//    the COMMIT and its fsync are such a statement): signing, the HTTP exchange and
//    parsing the answer, i.e. what the kiosk waits for on the network and the server;
//  - "server": the handler time the server logs for each batch ("ms" in its JSON log,
//    whole milliseconds; without waiting for a worker thread or reading the body).
#include <libpq-fe.h>
#include <sqlite3.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <latch>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/store.h"
#include "core/sync/http_client.h"
#include "core/sync/sync_client.h"
#include "made_up.h"
#include "../tests/server/pg_fixture.h"
#include "../tests/sync/server_process.h"

namespace {

using Clock = std::chrono::steady_clock;

double ms_between(Clock::time_point from, Clock::time_point to) {
    return std::chrono::duration<double, std::milli>(to - from).count();
}

// Nearest-rank percentile of unsorted samples.
double percentile(std::vector<double> samples, double p) {
    if (samples.empty()) return 0;
    std::sort(samples.begin(), samples.end());
    const auto rank = static_cast<std::size_t>(p / 100.0 * static_cast<double>(samples.size()) + 0.999999);
    return samples[std::clamp<std::size_t>(rank, 1, samples.size()) - 1];
}

template <class T>
T checked(tillit::Result<T> result, const std::string& what) {
    if (!result) throw std::runtime_error(what + ": " + result.error());
    return std::move(result).value();
}

// Nanoseconds the connection spent running statements, summed by SQLite's profile hook.
// Only the kiosk's own thread uses the connection, so the hook runs on that thread.
int add_statement_time(unsigned type, void* context, void*, void* nanoseconds) {
    if (type == SQLITE_TRACE_PROFILE) {
        *static_cast<long long*>(context) += static_cast<long long>(*static_cast<sqlite3_int64*>(nanoseconds));
    }
    return 0;
}

struct Kiosk {
    std::filesystem::path dir;
    std::string venue;
    std::unique_ptr<tillit::Store> store;
    std::unique_ptr<tillit::sync::HttpClient> http;
    tillit::DeviceIdentity identity;
    long long sql_ns = 0;  // add_statement_time's sum

    std::vector<double> round_ms;
    std::vector<double> post_ms;
    int passes = 0;
    std::vector<std::string> failed_passes;  // messages of passes not ending Done
    std::vector<std::string> warnings;       // Done with a warning (a batch set aside, ...)
    Clock::time_point finished;
};

void run_kiosk(Kiosk& kiosk, std::latch& go) {
    tillit::sync::SyncContext context;
    context.data_dir = kiosk.dir.string();
    context.languages = {"sv", "en"};
    context.survey_versions = {{"tillit", 1}};
    context.batch_size = 500;
    tillit::sync::SyncClient client(*kiosk.store, *kiosk.http, kiosk.identity, context);
    sqlite3_trace_v2(kiosk.store->connection(), SQLITE_TRACE_PROFILE, add_statement_time, &kiosk.sql_ns);
    Clock::time_point last{};
    long long last_sql_ns = 0;
    const auto progress = [&](const tillit::sync::Progress& p) {
        const auto now = Clock::now();
        // The first call of a pass comes after freezing, before the first POST.
        if (p.done > 0) {
            const double round = ms_between(last, now);
            kiosk.round_ms.push_back(round);
            kiosk.post_ms.push_back(round - static_cast<double>(kiosk.sql_ns - last_sql_ns) / 1e6);
        }
        last = now;
        last_sql_ns = kiosk.sql_ns;
    };
    go.arrive_and_wait();
    for (int pass = 0; pass < 10; ++pass) {
        ++kiosk.passes;
        const auto result = client.run_pass(progress);
        if (result.outcome == tillit::sync::PassOutcome::Done) {
            if (!result.message.empty()) kiosk.warnings.push_back(result.message);
            break;
        }
        kiosk.failed_passes.push_back(result.message);
    }
    kiosk.finished = Clock::now();
    sqlite3_trace_v2(kiosk.store->connection(), 0, nullptr, nullptr);
}

// PgCluster's cluster skips fsync (fine for tests); for a benchmark next to a durable
// SQLite both must commit to disk. ALTER SYSTEM overrides postgresql.conf; both
// settings take effect on reload.
void make_durable(const std::string& conninfo) {
    std::unique_ptr<PGconn, decltype(&PQfinish)> db(PQconnectdb(conninfo.c_str()), &PQfinish);
    if (PQstatus(db.get()) != CONNECTION_OK) throw std::runtime_error(std::string("PostgreSQL: ") + PQerrorMessage(db.get()));
    for (const char* sql : {"ALTER SYSTEM SET fsync = on", "ALTER SYSTEM SET full_page_writes = on", "SELECT pg_reload_conf()"}) {
        std::unique_ptr<PGresult, decltype(&PQclear)> result(PQexec(db.get(), sql), &PQclear);
        const auto status = PQresultStatus(result.get());
        if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
            throw std::runtime_error(std::string("PostgreSQL: ") + sql + ": " + PQresultErrorMessage(result.get()));
        }
    }
    // The reload is asynchronous: wait until a new session sees it.
    const auto deadline = Clock::now() + std::chrono::seconds(10);
    for (;;) {
        std::unique_ptr<PGconn, decltype(&PQfinish)> fresh(PQconnectdb(conninfo.c_str()), &PQfinish);
        std::unique_ptr<PGresult, decltype(&PQclear)> result(
            PQexec(fresh.get(), "SELECT current_setting('fsync') || ',' || current_setting('full_page_writes') || ',' || "
                                "current_setting('synchronous_commit')"),
            &PQclear);
        if (PQresultStatus(result.get()) == PGRES_TUPLES_OK && std::string(PQgetvalue(result.get(), 0, 0)) == "on,on,on") return;
        if (Clock::now() > deadline) throw std::runtime_error("PostgreSQL: fsync did not come on after pg_reload_conf()");
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
}

// The server's JSON request log: HTTP statuses per event, and each batch's handler time.
struct ServerLog {
    std::map<std::string, std::map<int, long long>> statuses;  // event -> status -> count
    long long not_200 = 0;
    std::vector<double> batch_ms;
};

ServerLog read_server_log(const std::filesystem::path& path) {
    ServerLog log;
    std::ifstream in(path);
    std::string line;
    while (std::getline(in, line)) {
        const auto entry = nlohmann::json::parse(line, nullptr, false);
        if (!entry.is_object() || !entry.contains("http_status")) continue;
        const std::string event = entry.value("event", "?");
        const int status = entry.value("http_status", 0);
        ++log.statuses[event][status];
        if (status != 200) ++log.not_200;
        if (event == "batch" && entry.contains("ms")) log.batch_ms.push_back(entry["ms"].get<double>());
    }
    return log;
}

std::size_t exported_items(const tillit::test::ServerProcess& server, const std::filesystem::path& file) {
    const auto exported = server.admin("export", {"--format", "json", "--out", file.string()});
    if (exported.exit_code != 0) throw std::runtime_error("tillit-server export failed: " + exported.err);
    std::ifstream in(file);
    const auto doc = nlohmann::json::parse(in, nullptr, false);
    return doc.is_array() ? doc.size() : doc.is_object() && doc.contains("items") ? doc["items"].size() : 0;
}

// One backend: returns true when everything arrived exactly once and nothing failed.
bool run_backend(const std::string& backend, int kiosks, int n, const std::filesystem::path& dir) {
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    tillit::test::PgCluster pg;  // started only for PostgreSQL; stopped and removed at the end
    std::string server_store = (dir / "server.db").string();
    if (backend == "postgres") {
        const auto database = checked(pg.create_database(), "PostgreSQL");
        make_durable(pg.conninfo("postgres"));
        server_store = pg.uri(database);
    }
    const auto log_path = dir / "server.log";
    tillit::test::ServerProcess server(TILLIT_SERVER_BIN, server_store, {"--rate-limit-per-minute", "1000000"},
                                       log_path.string());
    tillit::SyncConfig config;
    config.server_url = "http://127.0.0.1:" + std::to_string(server.port());
    config.allow_http_loopback = true;

    // Set-up, not timed: the kiosks' stores and their enrolment.
    std::vector<Kiosk> fleet(static_cast<std::size_t>(kiosks));
    for (int k = 0; k < kiosks; ++k) {
        Kiosk& kiosk = fleet[static_cast<std::size_t>(k)];
        char name[32];
        std::snprintf(name, sizeof name, "kiosk-%02d", k + 1);
        kiosk.dir = dir / name;
        kiosk.venue = std::string("fleet-venue-") + (name + 6);
        std::filesystem::create_directories(kiosk.dir);
        kiosk.store = checked(tillit::Store::open((kiosk.dir / "responses.db").string()), name);
        tillit::bench::Random random{static_cast<unsigned long long>(1000 + k)};
        std::vector<tillit::NewResponse> rows;
        for (int i = 0; i < n; ++i) {
            rows.push_back({"tillit", 1, i % 7 == 0 ? "en" : "sv", kiosk.venue, "2026-11-23T14",
                            tillit::bench::made_up(random).dump(), false});
        }
        checked(kiosk.store->save_responses(rows), name);
        kiosk.http = std::make_unique<tillit::sync::HttpClient>(checked(tillit::sync::HttpClient::create(config), name));
        kiosk.identity = checked(tillit::sync::enrol(*kiosk.store, *kiosk.http, config.server_url,
                                                     server.enrol_code(kiosk.venue), {}),
                                 std::string(name) + ": enrol");
    }

    std::latch go(kiosks + 1);
    std::vector<std::thread> threads;
    for (Kiosk& kiosk : fleet) threads.emplace_back(run_kiosk, std::ref(kiosk), std::ref(go));
    const auto start = Clock::now();
    go.count_down();
    for (auto& thread : threads) thread.join();
    Clock::time_point last = start;
    for (const Kiosk& kiosk : fleet) last = std::max(last, kiosk.finished);
    const double seconds = ms_between(start, last) / 1000.0;

    std::vector<double> round_ms, post_ms;
    long long failed_passes = 0, warnings = 0, passes = 0, not_sent = 0;
    for (const Kiosk& kiosk : fleet) {
        round_ms.insert(round_ms.end(), kiosk.round_ms.begin(), kiosk.round_ms.end());
        post_ms.insert(post_ms.end(), kiosk.post_ms.begin(), kiosk.post_ms.end());
        passes += kiosk.passes;
        failed_passes += static_cast<long long>(kiosk.failed_passes.size());
        warnings += static_cast<long long>(kiosk.warnings.size());
        for (const auto& message : kiosk.failed_passes) std::fprintf(stderr, "%s: pass failed: %s\n", kiosk.dir.filename().c_str(), message.c_str());
        for (const auto& message : kiosk.warnings) std::fprintf(stderr, "%s: pass warned: %s\n", kiosk.dir.filename().c_str(), message.c_str());
        const auto counts = checked(kiosk.store->outbox_counts(), "outbox_counts");
        not_sent += counts.pending + counts.set_aside;
    }
    const long long expected = static_cast<long long>(kiosks) * n;
    const std::size_t stored = exported_items(server, dir / "export.json");
    const long server_rss_kib = server.peak_rss_kib();
    server.stop();
    const ServerLog log = read_server_log(log_path);
    const long long errors = failed_passes + log.not_200;
    const bool ok = errors == 0 && warnings == 0 && not_sent == 0 && static_cast<long long>(stored) == expected;

    std::string statuses;
    for (const auto& [event, by_status] : log.statuses) {
        for (const auto& [status, count] : by_status) {
            statuses += (statuses.empty() ? "" : ", ") + event + " " + std::to_string(status) + " x" + std::to_string(count);
        }
    }
    std::printf("%s: %d kiosks x %d responses = %lld in %.2f s = %.0f responses/s (all kiosks together)\n",
                backend.c_str(), kiosks, n, expected, seconds, static_cast<double>(expected) / seconds);
    std::printf("%s: batch POST p50 %.1f ms, p99 %.1f ms (p90 %.1f, max %.1f; round incl. the kiosk's commit: p50 %.1f ms, "
                "p99 %.1f ms; server handler: p50 %.0f ms, p99 %.0f ms, max %.0f ms; %zu batches)\n",
                backend.c_str(), percentile(post_ms, 50), percentile(post_ms, 99), percentile(post_ms, 90),
                percentile(post_ms, 100), percentile(round_ms, 50), percentile(round_ms, 99), percentile(log.batch_ms, 50),
                percentile(log.batch_ms, 99), percentile(log.batch_ms, 100), post_ms.size());
    std::printf("%s: errors %lld (passes not Done %lld of %lld, HTTP statuses other than 200: %lld; %s), "
                "warnings %lld, items not sent %lld; server peak RSS %.1f MiB\n",
                backend.c_str(), errors, failed_passes, passes, log.not_200, statuses.c_str(), warnings, not_sent,
                server_rss_kib / 1024.0);
    std::printf("%s: the server holds %zu items, expected %lld: %s\n", backend.c_str(), stored, expected,
                ok ? "OK" : "FAILED");
    const nlohmann::json result = {{"bench", "fleet_bench"},
                                   {"backend", backend},
                                   {"kiosks", kiosks},
                                   {"responses_per_kiosk", n},
                                   {"batch_size", 500},
                                   {"seconds", seconds},
                                   {"responses_per_second", static_cast<double>(expected) / seconds},
                                   {"batches", post_ms.size()},
                                   {"post_p50_ms", percentile(post_ms, 50)},
                                   {"post_p99_ms", percentile(post_ms, 99)},
                                   {"post_p90_ms", percentile(post_ms, 90)},
                                   {"post_max_ms", percentile(post_ms, 100)},
                                   {"round_p50_ms", percentile(round_ms, 50)},
                                   {"round_p99_ms", percentile(round_ms, 99)},
                                   {"server_batch_p50_ms", percentile(log.batch_ms, 50)},
                                   {"server_batch_p99_ms", percentile(log.batch_ms, 99)},
                                   {"server_batch_max_ms", percentile(log.batch_ms, 100)},
                                   {"errors", errors},
                                   {"passes", passes},
                                   {"failed_passes", failed_passes},
                                   {"http_not_200", log.not_200},
                                   {"warnings", warnings},
                                   {"items_not_sent", not_sent},
                                   {"server_items", stored},
                                   {"expected_items", expected},
                                   {"server_peak_rss_kib", server_rss_kib},
                                   {"ok", ok}};
    std::printf("RESULT %s\n", result.dump().c_str());
    std::fflush(stdout);
    fleet.clear();  // the kiosks' connections close before their files go
    if (ok) std::filesystem::remove_all(dir);  // kept when something failed, with server.log
    return ok;
}

int usage() {
    std::fprintf(stderr, "usage: fleet_bench [N] [--kiosks K] [--backend sqlite|postgres|both]\n");
    return 2;
}

}  // namespace

int main(int argc, char** argv) {
    int n = 5000;
    int kiosks = 20;
    std::string backend = "both";
    for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i];
        const bool value = i + 1 < argc;
        if (arg == "--kiosks" && value) kiosks = std::atoi(argv[++i]);
        else if (arg == "--backend" && value) backend = argv[++i];
        else if (!arg.empty() && arg[0] != '-') n = std::atoi(arg.c_str());
        else return usage();
    }
    if (n < 1 || kiosks < 1 || (backend != "sqlite" && backend != "postgres" && backend != "both")) return usage();
    const auto dir = std::filesystem::temp_directory_path() / "tillit-fleet-bench";
    bool ok = true;
    for (const std::string name : {"sqlite", "postgres"}) {
        if (backend != "both" && backend != name) continue;
        try {
            ok = run_backend(name, kiosks, n, dir / name) && ok;
        } catch (const std::exception& error) {
            std::fprintf(stderr, "fleet_bench (%s): %s\n", name.c_str(), error.what());
            ok = false;
        }
    }
    return ok ? 0 : 1;
}
