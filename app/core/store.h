// The kiosk's durable store: one SQLite database in the data folder, owned by one
// thread. WAL + synchronous=FULL; versioned migrations applied in one transaction;
// a schema newer than this code is refused. Rows follow DESIGN.md's privacy rules:
// tables are WITHOUT ROWID and keyed by random UUIDs, so not even insertion order
// is kept. Sync (outbox, batches) is not handled here yet.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "core/result.h"

struct sqlite3;

namespace tillit {

struct NewResponse {
    std::string survey_id;
    int survey_version = 0;
    std::string language;
    std::string venue_id;
    std::string time_bucket;
    std::string answers_json;  // Session::answers_json().dump()
};

struct StoredResponse {
    std::string id;
    std::string survey_id;
    int survey_version = 0;
    std::string language;
    std::string venue_id;
    std::string time_bucket;
    std::string answers_json;
};

// "Reached question k of n, then walked away" - the only trace of an abandoned session.
struct Abandonment {
    std::string survey_id;
    int survey_version = 0;
    std::string language;
    std::string venue_id;
    std::string time_bucket;
    int reached_step = 0;  // 1-based question reached; 0 = tapped start, left before question 1
    int total_steps = 0;
};

struct StoredAbandonment : Abandonment {
    std::string id;
};

// What the open connection really runs with (for the admin screen and tests).
struct StoreSettings {
    std::string journal_mode;   // "wal" for a file database, "memory" in memory
    int synchronous = 0;        // 2 = FULL
    bool foreign_keys = false;
};

class Store {
public:
    static constexpr int kSchemaVersion = 1;

    // Opens (creating if needed) `path` and migrates it. Errors name the file.
    static Result<std::unique_ptr<Store>> open(const std::string& path);
    static Result<std::unique_ptr<Store>> open_in_memory();
    ~Store();
    Store(const Store&) = delete;
    Store& operator=(const Store&) = delete;

    // Commits one response in one transaction; returns its new UUID only after COMMIT.
    Result<std::string> save_response(const NewResponse& response);
    // Replaces the answers of a response (the optional follow-up of a one-tap survey).
    Status amend_response(const std::string& id, const std::string& answers_json);
    Status save_abandonment(const Abandonment& abandonment);

    Result<int> schema_version();
    Result<long long> count_responses();
    Result<std::vector<StoredResponse>> responses();       // for tests, export and reports
    Result<std::vector<StoredAbandonment>> abandonments();
    Result<StoreSettings> settings();

    // Caps the database at `max_pages` pages (PRAGMA max_page_count; SQLite never caps
    // below the current size) so a test gets SQLITE_FULL on this one connection.
    // 0 or less lifts the cap again.
    Status limit_size_for_tests(int max_pages);

private:
    struct Db;
    explicit Store(std::unique_ptr<Db> db);
    std::unique_ptr<Db> db_;
};

}  // namespace tillit
