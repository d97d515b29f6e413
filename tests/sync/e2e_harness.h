// Shared pieces of the end-to-end sync tests (test_sync_e2e*.cpp): a kiosk store
// enrolled with the real tillit-server, the server's export read back as ids, the
// exactly-once check every test ends with, and decoders for what the fault proxy saw.
// Everything runs on 127.0.0.1; each test gets its own temp dir and server store.
#pragma once

#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/store.h"
#include "core/sync/http_client.h"
#include "core/sync/sync_client.h"
#include "core/sync/sync_worker.h"
#include "server_process.h"

namespace tillit::test {

// A fresh, empty temp dir for one test (removed first if a killed run left it behind).
std::string fresh_dir(const std::string& name);
// Removes every dir fresh_dir made; main() calls it only when all tests passed, so a
// failed test's store files and server log stay behind to be read.
void remove_fresh_dirs();

// `tillit-server serve` on 127.0.0.1 with its log in dir/server.log and a rate limit no
// test reaches (429 comes from the proxy, where a test decides it).
std::unique_ptr<ServerProcess> start_server(const std::string& store_location, const std::string& dir,
                                            std::vector<std::string> extra = {});
std::string http_url(int port);

// One kiosk: its own store file in `dir`, enrolled with a real server.
struct Kiosk {
    std::string dir;
    std::string db_path;
    std::unique_ptr<Store> store;
    SyncConfig config;
    std::optional<sync::HttpClient> http;
    DeviceIdentity identity;

    // Opens dir/<db_name>; enrols when `code` is given (through `url`, with `ca_file`).
    Kiosk(std::string dir, const std::string& url, const std::string& code, const std::string& ca_file = "",
          const std::string& db_name = "kiosk.db");

    // Talk to another address from now on (a restarted server, a wrong CA, ...). The
    // enrolment stays as it is; only the transport changes (config.timeouts are kept).
    void connect(const std::string& url, const std::string& ca_file = "", const std::string& pin = "");
    void reopen();  // closes and reopens the store file, as a restarted kiosk does

    // `responses` responses and `abandonments` abandonments, saved as the UI saves them.
    void add(int responses, int abandonments = 0);
    sync::SyncContext context(int batch_size = 500) const;
    sync::PassResult pass(int batch_size = 500);
    // Passes until nothing is pending (at most `max_passes`); returns the last result.
    sync::PassResult sync_until_done(int batch_size = 500, int max_passes = 10);

    // Every item id on the kiosk with how often it occurs (responses and abandonments).
    std::map<std::string, int> ids() const;
    OutboxCounts counts() const;
    std::vector<FrozenBatch> frozen() const;
    // Worker options for this kiosk's store and transport, with a short backoff.
    sync::SyncWorkerOptions worker_options(int batch_size = 500) const;
};

// The server's export (`tillit-server export --format json`), parsed.
nlohmann::json export_rows(const ServerProcess& server, const std::string& dir);
// Every id the server exports, with how often it occurs.
std::map<std::string, int> server_ids(const ServerProcess& server, const std::string& dir);

// The end of every test: the ids on the kiosk and on the server are the same set, each
// exactly once on either side; nothing pending; `set_aside` items set aside and every
// other item marked sent.
void check_exactly_once(const Kiosk& kiosk, const ServerProcess& server, long long set_aside = 0);

// Records every status a SyncWorker announces (its on_change), so a test can follow its
// state transitions. Declare it before the worker: the worker's thread calls into it.
class WorkerWatch {
public:
    void attach(sync::SyncWorkerOptions& options);
    // The first announced status at index >= `from` that matches; its index in `index`.
    // Fails the test (REQUIRE) if none comes within a minute - a hang, not a timing check.
    sync::SyncStatus wait_for(const std::function<bool(const sync::SyncStatus&)>& match, std::size_t from = 0,
                              std::size_t* index = nullptr);
    std::vector<sync::SyncStatus> seen() const;

private:
    mutable std::mutex mutex_;
    std::condition_variable changed_;
    std::vector<sync::SyncStatus> seen_;
};

// Scenarios both server backends run (SQLite here, PostgreSQL in test_sync_e2e_tls_pg.cpp):
// the happy path, and the server committing a batch whose answer the kiosk never gets.
void happy_path_scenario(const std::string& store_location, const std::string& dir);
void reset_after_commit_scenario(const std::string& store_location, const std::string& dir);

// A batch request body as the proxy saw it: gunzipped and parsed.
struct SeenBatch {
    std::string batch_id;
    std::vector<std::string> item_ids;  // sorted
};
SeenBatch decode_batch(const std::string& gzipped_body);
// A 200 answer to a batch: item id -> status of the items it lists (protocol 2: only
// "conflict" / "invalid"; protocol 1: every item).
std::map<std::string, std::string> decode_results(const std::string& answer_body);
// The statuses of an answer, counted: {"created": 500} or {"duplicate": 300}.
std::map<std::string, int> status_counts(const std::string& answer_body);

// PRAGMA integrity_check of a SQLite file: "ok" or what it found.
std::string sqlite_integrity(const std::string& path);
// Runs `sql` (one UPDATE/INSERT, parameter ?1 = arg) on a SQLite file, outside any Store.
void sqlite_exec(const std::string& path, const std::string& sql, const std::string& arg);

// A kiosk process for the kill -9 test: sync_tests re-executes itself with
// kSyncChildFlag DB_PATH URL BATCH_SIZE and the child syncs that store until done.
constexpr const char* kSyncChildFlag = "--tillit-sync-child";
int sync_child_main(int argc, char** argv);

}  // namespace tillit::test
