// The kiosk's durable store: one SQLite database in the data folder; each Store object
// is one connection owned by one thread (the UI's and the sync worker's each open their
// own; WAL makes that safe). WAL + synchronous=FULL; versioned migrations applied in one
// transaction; a schema newer than this code is refused. Rows follow DESIGN.md's privacy
// rules: tables are WITHOUT ROWID and keyed by random UUIDs, so not even insertion order
// is kept. The outbox and frozen batches of the sync protocol live here too; talking to
// the server does not (core/sync).
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "core/result.h"
#include "core/staff.h"
#include "core/wire.h"

struct sqlite3;

namespace tillit {

struct NewResponse {
    std::string survey_id;
    int survey_version = 0;
    std::string language;
    std::string venue_id;
    std::string time_bucket;
    std::string answers_json;  // Session::answers_json().dump()
    // One-tap surveys: the follow-up may still amend the row, so the sync worker leaves
    // it alone until amend_response() (or release_held() at the next start).
    bool hold_for_followup = false;
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

// This kiosk's enrolment with one server (docs/sync-protocol.md, "Devices").
struct DeviceIdentity {
    std::string device_id;
    std::string venue_id;            // the venue the server enrolled this device for
    std::string public_key;          // raw Ed25519, 32 bytes
    std::string secret_key;          // raw Ed25519, 64 bytes
    std::string sealing_public_key;  // the server's raw X25519 key, 32 bytes
    std::string server_url;          // the server it was enrolled with
};

// Survey id -> ids of its free-text questions: the answers enrolment seals.
using TextQuestions = std::map<std::string, std::set<std::string>>;

// A frozen batch: re-sent byte-identical under the same id until the server answered.
struct FrozenBatch {
    std::string batch_id;
    std::string body;                   // gzipped JSON, exactly the bytes sent
    std::vector<std::string> item_ids;  // sorted
};

struct OutboxCounts {
    long long pending = 0;    // not yet answered by the server (frozen and held included)
    long long set_aside = 0;  // answered conflict/invalid, or refused as a whole batch
    long long sent = 0;       // created or duplicate on the server
    std::map<std::string, long long> set_aside_reasons;
};

struct SyncMeta {
    std::string last_success;    // UTC "2026-11-23T14:05:00Z"; "" = never
    std::string config_version;  // the server's config version last adopted; "" = none
};

// What the open connection really runs with (for the admin screen and tests).
struct StoreSettings {
    std::string journal_mode;   // "wal" for a file database, "memory" in memory
    int synchronous = 0;        // 2 = FULL
    bool foreign_keys = false;
};

// Why Store::open failed, so start-up can tell a damaged file (moved aside, fresh
// database) from one it must not touch.
enum class OpenProblem {
    None,     // opened
    Damaged,  // SQLITE_CORRUPT/NOTADB, a failed quick_check, another program's database
    Newer,    // written by a newer tillit-kiosk: refuse, the app is old
    Other,    // I/O, permissions, no WAL on this file system, ...: refuse with the error
};

struct OpenOptions {
    bool quick_check = false;  // PRAGMA quick_check before the file is accepted
};

class Store {
public:
    static constexpr int kSchemaVersion = 5;

    // Opens (creating if needed) `path` and migrates it. Errors name the file.
    static Result<std::unique_ptr<Store>> open(const std::string& path);
    // The same, and says what kind of failure it was. Nothing is written to a file that
    // is refused (a failed open does not checkpoint its WAL either).
    static Result<std::unique_ptr<Store>> open(const std::string& path, const OpenOptions& options,
                                               OpenProblem& problem);
    static Result<std::unique_ptr<Store>> open_in_memory();
    ~Store();
    Store(const Store&) = delete;
    Store& operator=(const Store&) = delete;

    // Commits one response and its outbox row in one transaction; returns its new UUID
    // only after COMMIT. After a write that failed with an I/O error (a failed write or
    // fsync), the next write first opens the file again; if that fails, it is the error.
    Result<std::string> save_response(const NewResponse& response);
    // Many responses in one transaction (imports, benchmark set-up); ids after COMMIT.
    Result<std::vector<std::string>> save_responses(const std::vector<NewResponse>& responses);
    // Replaces the answers of a response (the optional follow-up of a one-tap survey) and
    // releases it to the sync worker. Refused once the response is in a batch: a frozen
    // batch never changes, and the server never overwrites an item.
    Status amend_response(const std::string& id, const std::string& answers_json);
    Status save_abandonment(const Abandonment& abandonment);

    Result<int> schema_version();
    Result<long long> count_responses();
    Result<std::vector<StoredResponse>> responses();       // for tests, export and reports
    Result<std::vector<StoredAbandonment>> abandonments();
    Result<StoreSettings> settings();
    // PRAGMA quick_check: "ok", or the first problem it reports (for the heartbeat).
    Result<std::string> storage_health();

    // --- the outbox (docs/sync-protocol.md, "Batches") ---
    // Held one-tap responses whose follow-up never came (the kiosk stopped mid-follow-up)
    // become pending. Call at start, before a sync worker runs.
    Status release_held();
    // Freezes up to max_items pending items into a new batch: shuffled (CSPRNG), encoded
    // per the protocol, gzipped, stored with its items marked frozen, in one transaction.
    // nullopt when nothing is pending.
    Result<std::optional<FrozenBatch>> freeze_batch(int max_items);
    Result<std::vector<FrozenBatch>> frozen_batches();  // ordered by (random) batch id
    Result<long long> freezable_count();                // items pending and not held or frozen
    // The server's per-item answer, in one transaction: created/duplicate -> sent,
    // conflict/invalid -> set aside with the reason; then the batch is deleted. Every
    // item of the batch must be answered (wire::parse_results checks that).
    Status apply_results(const std::string& batch_id, const std::vector<wire::ItemResult>& results);
    // The server refused the batch as a whole (a 4xx that retrying cannot fix).
    Status set_batch_aside(const std::string& batch_id, const std::string& reason);
    // 413: deletes the batch and freezes its items again as two batches (new ids, same
    // item ids), in one transaction. A batch of one item cannot be split (Error).
    Result<std::vector<FrozenBatch>> split_batch(const std::string& batch_id);
    Result<OutboxCounts> outbox_counts();

    // --- enrolment and sync metadata ---
    // Stores the identity (replacing an earlier one), forgets the adopted config version,
    // and seals every plaintext free-text answer not yet in a batch to the server's key,
    // all in one transaction: afterwards the kiosk cannot read that text back.
    Status save_enrolment(const DeviceIdentity& identity, const TextQuestions& text_questions);
    Result<std::optional<DeviceIdentity>> identity();
    Result<SyncMeta> sync_meta();
    Status set_last_success(const std::string& utc);
    Status set_config_version(const std::string& version);

    // --- staff sign-in (core/staff.h) ---
    Result<PinAttempts> pin_attempts();
    // One more failure, stamped now, committed before the PIN is checked.
    Result<PinAttempts> count_pin_attempt(long long now_unix);
    Status clear_pin_attempts();  // the right PIN was given
    // The clock went back past the last failure: the pause restarts from `now_unix`, so
    // it ends one pause later instead of when the clock catches up (years, maybe).
    Status restart_pin_pause(long long now_unix);

    // The connection itself, for core's other table groups on the same database and the
    // same thread (WorkshopStore, report::compute). Never for the UI, never for another thread.
    sqlite3* connection() const;

    // Caps the database at `max_pages` pages (PRAGMA max_page_count; SQLite never caps
    // below the current size) so a test gets SQLITE_FULL on this one connection.
    // 0 or less lifts the cap again.
    Status limit_size_for_tests(int max_pages);

private:
    struct Db;
    explicit Store(std::unique_ptr<Db> db);
    // Every write of the tables above: one transaction, on a connection opened again first
    // when an earlier write ended in an I/O error.
    Status write(const std::string& what, const std::function<Status(sqlite3*)>& body);
    Status reopen();
    std::unique_ptr<Db> db_;
};

}  // namespace tillit
