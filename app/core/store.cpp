// The durable store: one SQLite connection in WAL mode with synchronous=FULL, schema
// migrations tracked in PRAGMA user_version and applied in one transaction, and one
// transaction per saved response (with its outbox row). The outbox moves items
// held/pending -> frozen (in a batch) -> sent or set_aside, each step one transaction.
// Failures come back as Error values with a plain message; nothing here throws on
// purpose. Not handled here: backups, and sharing one connection between threads.
#include "core/store.h"

#include <sqlite3.h>

#include <algorithm>
#include <exception>
#include <filesystem>
#include <iterator>
#include <system_error>
#include <utility>

#include <nlohmann/json.hpp>

#include "core/privacy.h"
#include "core/report.h"
#include "core/sql.h"

namespace tillit {
namespace {

using namespace sql;

// "Till" in PRAGMA application_id marks a file as a tillit-kiosk database, so another
// program's SQLite file is refused instead of being migrated.
constexpr int kApplicationId = 0x54696C6C;

// A writer that finds the database locked (a backup reading it) waits this long.
constexpr int kBusyTimeoutMs = 5000;

struct Migration {
    int version;      // user_version after this step
    const char* sql;
};

// Ordered; each entry moves the schema from version - 1 to version. Never edit an entry
// that has shipped: append one and raise Store::kSchemaVersion.
// Privacy: WITHOUT ROWID keyed by random UUIDs, so no insertion-order sequence exists,
// and time_bucket cannot hold anything finer than an hour.
constexpr Migration kMigrations[] = {
    {1, R"sql(
CREATE TABLE responses (
    id             TEXT NOT NULL PRIMARY KEY CHECK (length(id) = 36),
    survey_id      TEXT NOT NULL CHECK (survey_id <> ''),
    survey_version INTEGER NOT NULL CHECK (survey_version >= 0),
    language       TEXT NOT NULL CHECK (language <> ''),
    venue_id       TEXT NOT NULL CHECK (venue_id <> ''),
    time_bucket    TEXT NOT NULL CHECK (
        time_bucket GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]' OR
        time_bucket GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]'),
    answers        TEXT NOT NULL CHECK (json_valid(answers))
) STRICT, WITHOUT ROWID;

CREATE TABLE abandonments (
    id             TEXT NOT NULL PRIMARY KEY CHECK (length(id) = 36),
    survey_id      TEXT NOT NULL CHECK (survey_id <> ''),
    survey_version INTEGER NOT NULL CHECK (survey_version >= 0),
    language       TEXT NOT NULL CHECK (language <> ''),
    venue_id       TEXT NOT NULL CHECK (venue_id <> ''),
    time_bucket    TEXT NOT NULL CHECK (
        time_bucket GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]' OR
        time_bucket GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]'),
    reached_step   INTEGER NOT NULL CHECK (reached_step >= 0),  -- 0: left before question 1
    total_steps    INTEGER NOT NULL CHECK (total_steps >= reached_step)
) STRICT, WITHOUT ROWID;
)sql"},
    // The sync outbox. One row per response/abandonment, keyed by the item's own id:
    // no timestamps and no sequence numbers, so the outbox adds nothing about when or
    // in which order residents answered. Frozen batches keep the exact bytes sent.
    {2, R"sql(
CREATE TABLE batches (
    batch_id TEXT NOT NULL PRIMARY KEY CHECK (length(batch_id) = 36),
    body     BLOB NOT NULL
) STRICT, WITHOUT ROWID;

CREATE TABLE outbox (
    item_id  TEXT NOT NULL PRIMARY KEY CHECK (length(item_id) = 36),
    kind     TEXT NOT NULL CHECK (kind IN ('response', 'abandonment')),
    state    TEXT NOT NULL CHECK (state IN ('held', 'pending', 'frozen', 'sent', 'set_aside')),
    batch_id TEXT REFERENCES batches (batch_id),
    reason   TEXT,
    CHECK ((state = 'frozen') = (batch_id IS NOT NULL)),
    CHECK ((state = 'set_aside') = (reason IS NOT NULL))
) STRICT, WITHOUT ROWID;
CREATE INDEX outbox_by_state ON outbox (state);
CREATE INDEX outbox_by_batch ON outbox (batch_id);

CREATE TABLE device (
    singleton          INTEGER NOT NULL PRIMARY KEY CHECK (singleton = 1),
    device_id          TEXT NOT NULL CHECK (device_id <> ''),
    venue_id           TEXT NOT NULL,
    public_key         BLOB NOT NULL CHECK (length(public_key) = 32),
    secret_key         BLOB NOT NULL CHECK (length(secret_key) = 64),
    sealing_public_key BLOB NOT NULL CHECK (length(sealing_public_key) = 32),
    server_url         TEXT NOT NULL CHECK (server_url <> '')
) STRICT, WITHOUT ROWID;

CREATE TABLE sync_meta (
    singleton      INTEGER NOT NULL PRIMARY KEY CHECK (singleton = 1),
    last_success   TEXT NOT NULL DEFAULT '',
    config_version TEXT NOT NULL DEFAULT ''
) STRICT, WITHOUT ROWID;
INSERT INTO sync_meta (singleton) VALUES (1);

-- Everything stored before sync existed is still to be sent.
INSERT INTO outbox (item_id, kind, state) SELECT id, 'response', 'pending' FROM responses;
INSERT INTO outbox (item_id, kind, state) SELECT id, 'abandonment', 'pending' FROM abandonments;
)sql"},
    // Wrong staff PINs: counted here so a restart does not reset the pause (core/staff.h).
    {3, R"sql(
CREATE TABLE pin_attempts (
    singleton         INTEGER NOT NULL PRIMARY KEY CHECK (singleton = 1),
    failures          INTEGER NOT NULL DEFAULT 0 CHECK (failures >= 0),
    last_failure_unix INTEGER NOT NULL DEFAULT 0
) STRICT, WITHOUT ROWID;
INSERT INTO pin_attempts (singleton) VALUES (1);
)sql"},
    // Facilitated workshops (core/workshop.h): every change is one transaction, so a
    // workshop resumes where it was after a crash. No participant is named anywhere; dots
    // and stances are kept as totals per contribution, and only the turn in progress
    // (one anonymous participant's unfinished choices) is held apart until it ends.
    // A finished workshop's record joins the outbox as a third kind of item, so the
    // outbox is rebuilt with the wider CHECK (SQLite cannot alter a CHECK in place).
    {4, R"sql(
CREATE TABLE workshops (
    id              TEXT NOT NULL PRIMARY KEY CHECK (length(id) = 36),
    title           TEXT NOT NULL,
    venue_id        TEXT NOT NULL CHECK (venue_id <> ''),
    day             TEXT NOT NULL CHECK (day GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'),
    goal            TEXT NOT NULL CHECK (goal IN ('learn', 'shared_picture', 'ideas')),
    theme_id        TEXT NOT NULL,
    question_kind   TEXT NOT NULL CHECK (question_kind IN ('promoting', 'preventive', 'own')),
    question        TEXT NOT NULL,
    data_scope      TEXT NOT NULL CHECK (data_scope IN ('venue', 'all')),
    step            TEXT NOT NULL CHECK (step IN ('setup', 'data', 'gather', 'vote', 'summary')),
    dots_per_person INTEGER NOT NULL CHECK (dots_per_person BETWEEN 1 AND 10),
    dot_turns       INTEGER NOT NULL DEFAULT 0 CHECK (dot_turns >= 0),
    stance_turns    INTEGER NOT NULL DEFAULT 0 CHECK (stance_turns >= 0),
    turn            TEXT CHECK (turn IS NULL OR json_valid(turn)),
    updated_unix    INTEGER NOT NULL,
    finished        INTEGER NOT NULL DEFAULT 0 CHECK (finished IN (0, 1))
) STRICT, WITHOUT ROWID;
CREATE INDEX workshops_open ON workshops (finished);

CREATE TABLE workshop_contributions (
    id          TEXT NOT NULL PRIMARY KEY CHECK (length(id) = 36),
    workshop_id TEXT NOT NULL REFERENCES workshops (id),
    position    INTEGER NOT NULL,
    step        TEXT NOT NULL CHECK (step IN ('partners', 'wanted_info', 'available_info', 'next_steps')),
    text        TEXT NOT NULL CHECK (text <> ''),
    hidden      INTEGER NOT NULL DEFAULT 0 CHECK (hidden IN (0, 1)),
    merged_into TEXT REFERENCES workshop_contributions (id),
    dots        INTEGER NOT NULL DEFAULT 0 CHECK (dots >= 0),
    agree       INTEGER NOT NULL DEFAULT 0 CHECK (agree >= 0),
    disagree    INTEGER NOT NULL DEFAULT 0 CHECK (disagree >= 0),
    pass        INTEGER NOT NULL DEFAULT 0 CHECK (pass >= 0)
) STRICT, WITHOUT ROWID;
CREATE INDEX workshop_contributions_by_workshop ON workshop_contributions (workshop_id, position);

CREATE TABLE workshop_moderation (
    workshop_id     TEXT NOT NULL REFERENCES workshops (id),
    seq             INTEGER NOT NULL CHECK (seq > 0),
    action          TEXT NOT NULL CHECK (action IN ('edit', 'merge', 'hide', 'show')),
    contribution_id TEXT NOT NULL,
    other_id        TEXT NOT NULL DEFAULT '',
    before          TEXT NOT NULL DEFAULT '',
    after           TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (workshop_id, seq)
) STRICT, WITHOUT ROWID;

-- The record of a finished workshop exactly as it is sent (the outbox item's content).
CREATE TABLE workshop_records (
    id      TEXT NOT NULL PRIMARY KEY REFERENCES workshops (id),
    content TEXT NOT NULL CHECK (json_valid(content))
) STRICT, WITHOUT ROWID;

CREATE TABLE outbox_v4 (
    item_id  TEXT NOT NULL PRIMARY KEY CHECK (length(item_id) = 36),
    kind     TEXT NOT NULL CHECK (kind IN ('response', 'abandonment', 'workshop')),
    state    TEXT NOT NULL CHECK (state IN ('held', 'pending', 'frozen', 'sent', 'set_aside')),
    batch_id TEXT REFERENCES batches (batch_id),
    reason   TEXT,
    CHECK ((state = 'frozen') = (batch_id IS NOT NULL)),
    CHECK ((state = 'set_aside') = (reason IS NOT NULL))
) STRICT, WITHOUT ROWID;
INSERT INTO outbox_v4 (item_id, kind, state, batch_id, reason) SELECT item_id, kind, state, batch_id, reason FROM outbox;
DROP TABLE outbox;
ALTER TABLE outbox_v4 RENAME TO outbox;
CREATE INDEX outbox_by_state ON outbox (state);
CREATE INDEX outbox_by_batch ON outbox (batch_id);

-- The data screen's aggregates read one survey (and venue) at a time.
CREATE INDEX responses_by_survey_venue ON responses (survey_id, venue_id);
CREATE INDEX abandonments_by_survey_venue ON abandonments (survey_id, venue_id);
)sql"},
    // The report's counts, kept by triggers (core/report.h, counts_schema_sql): the
    // workshop data screen reads them instead of every stored answer.
    {5, nullptr},
};
static_assert(std::size(kMigrations) > 0 &&
                  kMigrations[std::size(kMigrations) - 1].version == Store::kSchemaVersion,
              "the last migration must produce Store::kSchemaVersion");

Status migrate(sqlite3* db, int from_version) {
    return in_transaction(db, "upgrade the database schema", [&]() -> Status {
        for (const Migration& migration : kMigrations) {
            if (migration.version <= from_version) continue;
            const std::string generated = migration.sql != nullptr ? std::string() : report::counts_schema_sql();
            if (exec(db, migration.sql != nullptr ? migration.sql : generated.c_str()) != SQLITE_OK) {
                return make_error("step " + std::to_string(migration.version) + ": " + errmsg(db));
            }
        }
        // PRAGMAs take no bound parameters; both values are compile-time constants.
        const std::string stamp = "PRAGMA user_version = " + std::to_string(Store::kSchemaVersion) +
                                  "; PRAGMA application_id = " + std::to_string(kApplicationId) + ";";
        if (exec(db, stamp.c_str()) != SQLITE_OK) return make_error(errmsg(db));
        return Ok{};
    });
}

// Makes the folder that will hold `path`, so a fresh data_dir works on first start.
Status create_parent_folder(const std::string& path) {
    const std::filesystem::path folder = std::filesystem::path(path).parent_path();
    if (folder.empty()) return Ok{};
    std::error_code ec;
    std::filesystem::create_directories(folder, ec);
    if (ec) {
        return make_error("could not create the folder " + folder.string() + " for the database " + path + ": " +
                          ec.message());
    }
    return Ok{};
}

// An open, configured and migrated connection, before it becomes a Store.
struct OpenedDb {
    Connection connection;
    long long default_max_pages = 0;  // restored by limit_size_for_tests(0)
};

// Corruption and "not a database" as SQLite reports them (any extended code).
bool damaged_code(int rc) {
    const int primary = rc & 0xff;
    return primary == SQLITE_CORRUPT || primary == SQLITE_NOTADB;
}

// Opens, configures and migrates; `name` is how errors refer to the database. `problem`
// says what kind of failure it was (see OpenProblem). Nothing is written to the file
// before it has been read and found to be a tillit-kiosk database that this build can
// use, and a failed open never checkpoints, so a refused file is left byte-identical.
Result<OpenedDb> open_db(const std::string& path, const std::string& name, bool in_memory, bool quick_check,
                         OpenProblem& problem) {
    problem = OpenProblem::Other;
    if (!in_memory) {
        const Status folder = create_parent_folder(path);
        if (!folder) return make_error(folder.error());
    }
    sqlite3* raw = nullptr;
    const int open_rc = sqlite3_open_v2(path.c_str(), &raw, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr);
    OpenedDb db;
    db.connection.reset(raw);  // sqlite3_open_v2 may return a handle even when it fails
    if (open_rc != SQLITE_OK) {
        const std::string reason = raw != nullptr ? errmsg(raw) : sqlite3_errstr(open_rc);
        if (damaged_code(open_rc)) problem = OpenProblem::Damaged;
        return make_error("could not open the database " + name + ": " + reason);
    }
    sqlite3* c = db.connection.get();
    sqlite3_busy_timeout(c, kBusyTimeoutMs);
    // Until the file is accepted, closing must not checkpoint the WAL into it (that
    // would change, and then delete, the very files an admin may need to look at).
    sqlite3_db_config(c, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, nullptr);
    // Every refusal from here on. A WAL without frames (this open made it) may go on
    // close; one with frames stays exactly as it was found.
    auto refuse = [&](OpenProblem kind, const std::string& message) -> Result<OpenedDb> {
        problem = kind;
        std::error_code ec;
        const auto wal_size = std::filesystem::file_size(path + "-wal", ec);
        if (!in_memory && (ec || wal_size == 0)) sqlite3_db_config(c, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 0, nullptr);
        return make_error(message);
    };
    auto damaged = [&](const std::string& message) { return refuse(OpenProblem::Damaged, message); };
    auto failed = [&](const std::string& message) {
        return refuse(damaged_code(sqlite3_extended_errcode(c)) ? OpenProblem::Damaged : OpenProblem::Other, message);
    };

    // Reading the schema is the first real read of the file: a file that is not a
    // database (or is encrypted, or truncated to garbage) fails here.
    const int probe_rc = exec(c, "SELECT count(*) FROM sqlite_schema");
    if (probe_rc == SQLITE_NOTADB) return damaged(name + " is not a tillit-kiosk database: " + errmsg(c));
    if (probe_rc != SQLITE_OK) return failed("could not read the database " + name + ": " + errmsg(c));

    const auto version = query_int(c, "PRAGMA user_version");
    const auto application = query_int(c, "PRAGMA application_id");
    const auto objects = query_int(c, "SELECT count(*) FROM sqlite_schema");
    const auto max_pages = query_int(c, "PRAGMA max_page_count");
    for (const auto* read : {&version, &application, &objects, &max_pages}) {
        if (!*read) return failed("could not read the database " + name + ": " + read->error());
    }
    const bool ours = application.value() == kApplicationId;
    if (version.value() > Store::kSchemaVersion && (ours || (application.value() == 0 && objects.value() == 0))) {
        return refuse(OpenProblem::Newer, name + " was written by a newer tillit-kiosk (schema " +
                                              std::to_string(version.value()) + ", this build knows " +
                                              std::to_string(Store::kSchemaVersion) + "); update the app");
    }
    if (!ours && application.value() != 0) {
        return damaged(name + " is not a tillit-kiosk database: it belongs to another program (application_id " +
                       std::to_string(application.value()) + ")");
    }
    // Every migration stamps application_id, so tables without it are another program's.
    if (!ours && objects.value() > 0) {
        return damaged(name + " is not a tillit-kiosk database: it already holds tables of another program");
    }
    if (version.value() < 0 || (!ours && version.value() != 0)) {
        return damaged(name + " is not a tillit-kiosk database: schema version " + std::to_string(version.value()) +
                       " without the tillit-kiosk mark");
    }
    if (quick_check) {
        const auto health = query_text(c, "PRAGMA quick_check(1)");
        if (!health) return failed("could not check the database " + name + ": " + health.error());
        if (health.value() != "ok") {
            std::string first = health.value();  // several lines; the log and the alarm want one
            std::replace(first.begin(), first.end(), '\n', ' ');
            return damaged(name + " is damaged: " + first);
        }
    }
    db.default_max_pages = max_pages.value();

    const auto mode = query_text(c, "PRAGMA journal_mode = WAL");
    if (!mode) return failed("could not switch " + name + " to write-ahead logging: " + mode.error());
    // SQLite answers with the mode it ended up in instead of failing; on some file
    // systems (network shares) that is not WAL, and crash safety would silently be lost.
    if (!in_memory && mode.value() != "wal") {
        return refuse(OpenProblem::Other, "could not switch " + name + " to write-ahead logging (journal mode is '" +
                                              mode.value() + "'); keep the data folder on a local disk");
    }
    if (exec(c, "PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON;") != SQLITE_OK) {
        return failed("could not configure the database " + name + ": " + errmsg(c));
    }

    if (version.value() < Store::kSchemaVersion) {
        const Status migrated = migrate(c, static_cast<int>(version.value()));
        if (!migrated) return failed(name + ": " + migrated.error());
    }
    // Accepted: a clean close checkpoints and removes the WAL again, so a WAL found at
    // the next start means the kiosk did not stop cleanly.
    sqlite3_db_config(c, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 0, nullptr);
    problem = OpenProblem::None;
    return Result<OpenedDb>(std::move(db));
}

// The outbox state of one item; nullopt when it has no outbox row.
Result<std::optional<std::string>> outbox_state(sqlite3* c, const std::string& id) {
    auto stmt = prepare(c, "SELECT state FROM outbox WHERE item_id = ?1");
    if (!stmt) return make_error(stmt.error());
    if (bind_all(stmt.value().get(), id) != SQLITE_OK) return make_error(errmsg(c));
    const int rc = sqlite3_step(stmt.value().get());
    if (rc == SQLITE_DONE) return std::optional<std::string>();
    if (rc != SQLITE_ROW) return make_error(errmsg(c));
    return std::optional<std::string>(column_text(stmt.value().get(), 0));
}

struct OutboxRef {
    std::string id;
    wire::ItemKind kind = wire::ItemKind::Response;
};

// Up to `limit` pending items. Ordered by the random id, so which ones come first says
// nothing about when they were answered.
Result<std::vector<OutboxRef>> pending_items(sqlite3* c, int limit) {
    auto stmt = prepare(c, "SELECT item_id, kind FROM outbox WHERE state = 'pending' ORDER BY item_id LIMIT ?1");
    if (!stmt) return make_error(stmt.error());
    if (bind_all(stmt.value().get(), limit) != SQLITE_OK) return make_error(errmsg(c));
    std::vector<OutboxRef> refs;
    int rc = SQLITE_ROW;
    while ((rc = sqlite3_step(stmt.value().get())) == SQLITE_ROW) {
        const std::string kind = column_text(stmt.value().get(), 1);
        refs.push_back({column_text(stmt.value().get(), 0),
                        wire::parse_kind(kind).value_or(wire::ItemKind::Response)});
    }
    if (rc != SQLITE_DONE) return make_error(errmsg(c));
    return refs;
}

// The item's `content` as docs/sync-protocol.md spells it (the row's fields without its
// id), or why it cannot be sent at all (the row is gone, its answers do not parse).
struct ItemContent {
    nlohmann::json content;
    std::string problem;  // non-empty: set the item aside with this reason
};

// Reads items' contents with statements prepared once per batch (preparing them per
// item was a fifth of a sync's CPU time at 100 000 responses).
class ContentReader {
public:
    explicit ContentReader(sqlite3* c) : c_(c) {}

    Result<ItemContent> read(const OutboxRef& ref) {
        auto stmt = statement(ref.kind);
        if (!stmt) return make_error(stmt.error());
        sqlite3_stmt* s = stmt.value();
        sqlite3_reset(s);
        if (bind_all(s, ref.id) != SQLITE_OK) return make_error(errmsg(c_));
        const int rc = sqlite3_step(s);
        if (rc == SQLITE_DONE) return ItemContent{{}, "its row is missing"};
        if (rc != SQLITE_ROW) return make_error(errmsg(c_));
        if (ref.kind == wire::ItemKind::Workshop) {
            // Written whole by WorkshopStore::finish (core/workshop.h) in the transaction that
            // added this outbox row; it never changes afterwards.
            nlohmann::json content = nlohmann::json::parse(column_text(s, 0), nullptr, false);
            if (!content.is_object()) return ItemContent{{}, "its record is not a JSON object"};
            return ItemContent{std::move(content), {}};
        }
        nlohmann::json content = {{"survey_id", column_text(s, 0)},
                                  {"survey_version", sqlite3_column_int(s, 1)},
                                  {"language", column_text(s, 2)},
                                  {"venue_id", column_text(s, 3)},
                                  {"time_bucket", column_text(s, 4)}};
        if (ref.kind == wire::ItemKind::Response) {
            nlohmann::json answers = nlohmann::json::parse(column_text(s, 5), nullptr, false);
            if (answers.is_discarded()) return ItemContent{{}, "its answers are not valid UTF-8 JSON"};
            content["answers"] = std::move(answers);
        } else {
            content["reached_step"] = sqlite3_column_int(s, 5);
            content["total_steps"] = sqlite3_column_int(s, 6);
        }
        return ItemContent{std::move(content), {}};
    }

private:
    Result<sqlite3_stmt*> statement(wire::ItemKind kind) {
        Statement& slot = kind == wire::ItemKind::Workshop   ? workshop_
                          : kind == wire::ItemKind::Response ? response_
                                                             : abandonment_;
        if (!slot) {
            const char* sql = kind == wire::ItemKind::Workshop
                                  ? "SELECT content FROM workshop_records WHERE id = ?1"
                              : kind == wire::ItemKind::Response
                                  ? "SELECT survey_id, survey_version, language, venue_id, time_bucket, answers "
                                    "FROM responses WHERE id = ?1"
                                  : "SELECT survey_id, survey_version, language, venue_id, time_bucket, "
                                    "reached_step, total_steps FROM abandonments WHERE id = ?1";
            auto prepared = prepare(c_, sql);
            if (!prepared) return make_error(prepared.error());
            slot = std::move(prepared).value();
        }
        return slot.get();
    }

    sqlite3* c_;
    Statement response_;
    Statement abandonment_;
    Statement workshop_;
};

Status set_aside(sqlite3* c, const std::string& item_id, const std::string& reason) {
    return run(c, "UPDATE outbox SET state = 'set_aside', reason = ?2, batch_id = NULL WHERE item_id = ?1", item_id,
               reason);
}

// Inside a transaction: shuffles `refs`, encodes them as one batch and stores it with
// its items marked frozen. An item that cannot be encoded (it would fail again on every
// try and block every item behind it) is set aside instead; nullopt when none is left.
Result<std::optional<FrozenBatch>> freeze_items(sqlite3* c, std::vector<OutboxRef> refs) {
    shuffle_securely(refs);
    std::vector<wire::Item> items;
    ContentReader reader(c);
    for (OutboxRef& ref : refs) {
        auto content = reader.read(ref);
        if (!content) return make_error(content.error());
        if (!content.value().problem.empty()) {
            if (const Status aside = set_aside(c, ref.id, content.value().problem); !aside) {
                return make_error(aside.error());
            }
            continue;
        }
        // No hash: protocol 2 does not send it (the server computes its own).
        items.push_back(wire::Item{ref.id, ref.kind, std::move(content.value().content), {}});
    }

    FrozenBatch batch;
    batch.batch_id = new_uuid_v4();
    std::string json;
    try {
        json = wire::batch_json(batch.batch_id, items);
    } catch (const std::exception&) {
        // Some item does not encode (text that is not UTF-8, from a damaged row): find
        // it and set it aside, so it does not block every item behind it.
        std::vector<wire::Item> good;
        for (wire::Item& item : items) {
            try {
                (void)wire::canonical(item.content);
                good.push_back(std::move(item));
            } catch (const std::exception& e) {
                if (const Status aside = set_aside(c, item.id, std::string("cannot be encoded: ") + e.what()); !aside) {
                    return make_error(aside.error());
                }
            }
        }
        items = std::move(good);
        json.clear();
    }
    if (items.empty()) return std::optional<FrozenBatch>();
    try {
        if (json.empty()) json = wire::batch_json(batch.batch_id, items);
        batch.body = wire::gzip(json);
    } catch (const std::exception& e) {
        return make_error(std::string("cannot encode the batch: ") + e.what());
    }
    if (const Status stored = run(c, "INSERT INTO batches (batch_id, body) VALUES (?1, ?2)", batch.batch_id,
                                  Blob{batch.body});
        !stored) {
        return make_error(stored.error());
    }
    auto freeze = prepare(c, "UPDATE outbox SET state = 'frozen', batch_id = ?1 WHERE item_id = ?2 AND state = 'pending'");
    if (!freeze) return make_error(freeze.error());
    for (const wire::Item& item : items) {
        if (const Status frozen = rerun(c, freeze.value().get(), batch.batch_id, item.id); !frozen) {
            return make_error(frozen.error());
        }
        if (sqlite3_changes(c) != 1) return make_error("item " + item.id + " is no longer pending");
        batch.item_ids.push_back(item.id);
    }
    std::sort(batch.item_ids.begin(), batch.item_ids.end());
    return std::optional<FrozenBatch>(std::move(batch));
}

Result<std::vector<std::string>> batch_item_ids(sqlite3* c, const std::string& batch_id) {
    auto stmt = prepare(c, "SELECT item_id FROM outbox WHERE batch_id = ?1 ORDER BY item_id");
    if (!stmt) return make_error(stmt.error());
    if (bind_all(stmt.value().get(), batch_id) != SQLITE_OK) return make_error(errmsg(c));
    std::vector<std::string> ids;
    int rc = SQLITE_ROW;
    while ((rc = sqlite3_step(stmt.value().get())) == SQLITE_ROW) ids.push_back(column_text(stmt.value().get(), 0));
    if (rc != SQLITE_DONE) return make_error(errmsg(c));
    return ids;
}

// Replaces every plaintext string answer to a text question with {"sealed": <base64>};
// returns "" when nothing changed.
std::string sealed_answers(const std::string& answers_json, const std::set<std::string>& text_questions,
                           const std::string& sealing_key) {
    nlohmann::json answers = nlohmann::json::parse(answers_json, nullptr, false);
    if (!answers.is_object()) return {};
    bool changed = false;
    for (auto& [question_id, value] : answers.items()) {
        if (text_questions.count(question_id) == 0 || !value.is_string()) continue;
        value = nlohmann::json{{"sealed", wire::seal(sealing_key, value.get<std::string>())}};
        changed = true;
    }
    return changed ? answers.dump() : std::string();
}

}  // namespace

struct Store::Db {
    Connection connection;
    long long default_max_pages = 0;
    std::string path;  // "" in memory: nothing to open again
    // A write failed with an I/O error: after a failed fsync the OS may report later ones
    // as fine and serve pages that never reached the disk ("fsyncgate"), so this connection
    // and its file handles are not trusted for the next write.
    bool reopen_before_write = false;
    sqlite3* get() const { return connection.get(); }
};

Store::Store(std::unique_ptr<Db> db) : db_(std::move(db)) {}
sqlite3* Store::connection() const { return db_->get(); }
Store::~Store() = default;

Status Store::write(const std::string& what, const std::function<Status(sqlite3*)>& body) {
    if (db_->reopen_before_write) {
        const Status reopened = reopen();
        if (!reopened) return make_error("could not " + what + ": " + reopened.error());
    }
    sqlite3* c = db_->get();
    int error_code = SQLITE_OK;
    auto run_body = [&]() -> Status { return body(c); };
    const Status done = in_transaction(c, what, run_body, &error_code);
    if (!done && (error_code & 0xff) == SQLITE_IOERR && !db_->path.empty()) db_->reopen_before_write = true;
    return done;
}

Status Store::reopen() {
    OpenProblem problem = OpenProblem::None;
    auto opened = open_db(db_->path, db_->path, false, false, problem);
    if (!opened) return make_error("the database could not be opened again after an I/O error: " + opened.error());
    // The new connection is open before the old one closes, so the WAL index stays in
    // shared memory: were the old one the last to close, SQLite would rebuild the index
    // from the WAL file, where the frames of the commit that failed may still be.
    db_->connection = std::move(opened.value().connection);
    db_->default_max_pages = opened.value().default_max_pages;
    db_->reopen_before_write = false;
    return Ok{};
}

Result<std::unique_ptr<Store>> Store::open(const std::string& path) {
    OpenProblem problem = OpenProblem::None;
    return open(path, OpenOptions{}, problem);
}

Result<std::unique_ptr<Store>> Store::open(const std::string& path, const OpenOptions& options, OpenProblem& problem) {
    auto opened = open_db(path, path, false, options.quick_check, problem);
    if (!opened) return make_error(opened.error());
    auto db = std::make_unique<Db>(Db{std::move(opened.value().connection), opened.value().default_max_pages, path});
    // The constructor is private, so std::make_unique cannot reach it.
    return Result<std::unique_ptr<Store>>(std::unique_ptr<Store>(new Store(std::move(db))));
}

Result<std::unique_ptr<Store>> Store::open_in_memory() {
    OpenProblem problem = OpenProblem::None;
    auto opened = open_db(":memory:", "the in-memory database", true, false, problem);
    if (!opened) return make_error(opened.error());
    auto db = std::make_unique<Db>(Db{std::move(opened.value().connection), opened.value().default_max_pages, ""});
    return Result<std::unique_ptr<Store>>(std::unique_ptr<Store>(new Store(std::move(db))));
}

namespace {

// One response row and its outbox row; the caller owns the transaction.
Status insert_response(sqlite3* c, const std::string& id, const NewResponse& response) {
    auto stmt = prepare(c,
                        "INSERT INTO responses (id, survey_id, survey_version, language, venue_id, time_bucket, "
                        "answers) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)");
    if (!stmt) return make_error(stmt.error());
    if (bind_all(stmt.value().get(), id, response.survey_id, response.survey_version, response.language,
                 response.venue_id, response.time_bucket, response.answers_json) != SQLITE_OK) {
        return make_error(errmsg(c));
    }
    if (const Status inserted = step_done(c, stmt.value().get()); !inserted) return inserted;
    const std::string state = response.hold_for_followup ? "held" : "pending";
    return run(c, "INSERT INTO outbox (item_id, kind, state) VALUES (?1, 'response', ?2)", id, state);
}

}  // namespace

Result<std::string> Store::save_response(const NewResponse& response) {
    std::string id;
    try {
        id = new_uuid_v4();
    } catch (const std::exception& e) {
        return make_error(std::string("could not save the response: ") + e.what());
    }
    const Status saved =
        write("save the response", [&](sqlite3* c) -> Status { return insert_response(c, id, response); });
    if (!saved) return make_error(saved.error());
    return id;  // only now: COMMIT has returned SQLITE_OK
}

Result<std::vector<std::string>> Store::save_responses(const std::vector<NewResponse>& responses) {
    // Many responses in ONE transaction (imports, benchmark set-up): one fsync instead of
    // one per response. Each still gets its outbox row; ids come back after COMMIT.
    std::vector<std::string> ids;
    try {
        for (std::size_t i = 0; i < responses.size(); ++i) ids.push_back(new_uuid_v4());
    } catch (const std::exception& e) {
        return make_error(std::string("could not save the responses: ") + e.what());
    }
    const Status saved = write("save the responses", [&](sqlite3* c) -> Status {
        for (std::size_t i = 0; i < responses.size(); ++i) {
            if (const Status inserted = insert_response(c, ids[i], responses[i]); !inserted) return inserted;
        }
        return Ok{};
    });
    if (!saved) return make_error(saved.error());
    return ids;
}

Status Store::amend_response(const std::string& id, const std::string& answers_json) {
    return write("amend the response", [&](sqlite3* c) -> Status {
        const auto state = outbox_state(c, id);
        if (!state) return make_error(state.error());
        if (state.value() && *state.value() != "held" && *state.value() != "pending") {
            return make_error("the response is already in a batch for the server (" + *state.value() + ")");
        }
        if (const Status released =
                run(c, "UPDATE outbox SET state = 'pending' WHERE item_id = ?1 AND state = 'held'", id);
            !released) {
            return released;
        }
        auto stmt = prepare(c, "UPDATE responses SET answers = ?1 WHERE id = ?2");
        if (!stmt) return make_error(stmt.error());
        if (bind_all(stmt.value().get(), answers_json, id) != SQLITE_OK) return make_error(errmsg(c));
        const Status updated = step_done(c, stmt.value().get());
        if (!updated) return updated;
        if (sqlite3_changes(c) != 1) return make_error("no response with id " + id);
        return Ok{};
    });
}

Status Store::save_abandonment(const Abandonment& abandonment) {
    std::string id;
    try {
        id = new_uuid_v4();
    } catch (const std::exception& e) {
        return make_error(std::string("could not save the abandoned session: ") + e.what());
    }
    return write("save the abandoned session", [&](sqlite3* c) -> Status {
        auto stmt = prepare(c,
                            "INSERT INTO abandonments (id, survey_id, survey_version, language, venue_id, "
                            "time_bucket, reached_step, total_steps) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)");
        if (!stmt) return make_error(stmt.error());
        if (bind_all(stmt.value().get(), id, abandonment.survey_id, abandonment.survey_version, abandonment.language,
                     abandonment.venue_id, abandonment.time_bucket, abandonment.reached_step,
                     abandonment.total_steps) != SQLITE_OK) {
            return make_error(errmsg(c));
        }
        if (const Status inserted = step_done(c, stmt.value().get()); !inserted) return inserted;
        return run(c, "INSERT INTO outbox (item_id, kind, state) VALUES (?1, 'abandonment', 'pending')", id);
    });
}

Result<int> Store::schema_version() {
    const auto version = query_int(db_->get(), "PRAGMA user_version");
    if (!version) return make_error("could not read the schema version: " + version.error());
    return static_cast<int>(version.value());
}

Result<long long> Store::count_responses() {
    const auto count = query_int(db_->get(), "SELECT count(*) FROM responses");
    if (!count) return make_error("could not count the responses: " + count.error());
    return count.value();
}

Result<std::vector<StoredResponse>> Store::responses() {
    sqlite3* c = db_->get();
    // Ordered by the random id: any order the rows had on disk stays private.
    auto stmt = prepare(c,
                        "SELECT id, survey_id, survey_version, language, venue_id, time_bucket, answers "
                        "FROM responses ORDER BY id");
    if (!stmt) return make_error("could not read the responses: " + stmt.error());
    std::vector<StoredResponse> rows;
    sqlite3_stmt* s = stmt.value().get();
    int rc = SQLITE_ROW;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        StoredResponse row;
        row.id = column_text(s, 0);
        row.survey_id = column_text(s, 1);
        row.survey_version = sqlite3_column_int(s, 2);
        row.language = column_text(s, 3);
        row.venue_id = column_text(s, 4);
        row.time_bucket = column_text(s, 5);
        row.answers_json = column_text(s, 6);
        rows.push_back(std::move(row));
    }
    if (rc != SQLITE_DONE) return make_error("could not read the responses: " + errmsg(c));
    return rows;
}

Result<std::vector<StoredAbandonment>> Store::abandonments() {
    sqlite3* c = db_->get();
    auto stmt = prepare(c,
                        "SELECT id, survey_id, survey_version, language, venue_id, time_bucket, reached_step, "
                        "total_steps FROM abandonments ORDER BY id");
    if (!stmt) return make_error("could not read the abandoned sessions: " + stmt.error());
    std::vector<StoredAbandonment> rows;
    sqlite3_stmt* s = stmt.value().get();
    int rc = SQLITE_ROW;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        StoredAbandonment row;
        row.id = column_text(s, 0);
        row.survey_id = column_text(s, 1);
        row.survey_version = sqlite3_column_int(s, 2);
        row.language = column_text(s, 3);
        row.venue_id = column_text(s, 4);
        row.time_bucket = column_text(s, 5);
        row.reached_step = sqlite3_column_int(s, 6);
        row.total_steps = sqlite3_column_int(s, 7);
        rows.push_back(std::move(row));
    }
    if (rc != SQLITE_DONE) return make_error("could not read the abandoned sessions: " + errmsg(c));
    return rows;
}

Result<StoreSettings> Store::settings() {
    sqlite3* c = db_->get();
    const auto mode = query_text(c, "PRAGMA journal_mode");
    const auto synchronous = query_int(c, "PRAGMA synchronous");
    const auto foreign_keys = query_int(c, "PRAGMA foreign_keys");
    if (!mode) return make_error("could not read the database settings: " + mode.error());
    if (!synchronous) return make_error("could not read the database settings: " + synchronous.error());
    if (!foreign_keys) return make_error("could not read the database settings: " + foreign_keys.error());
    StoreSettings settings;
    settings.journal_mode = mode.value();
    settings.synchronous = static_cast<int>(synchronous.value());
    settings.foreign_keys = foreign_keys.value() != 0;
    return settings;
}

Result<std::string> Store::storage_health() {
    // quick_check(1): stop at the first problem; the heartbeat needs a word, not a list.
    const auto health = query_text(db_->get(), "PRAGMA quick_check(1)");
    if (!health) return make_error("could not check the database: " + health.error());
    return health.value();
}

Status Store::release_held() {
    return write("release held responses", [&](sqlite3* c) -> Status {
        return run(c, "UPDATE outbox SET state = 'pending' WHERE state = 'held'");
    });
}

Result<std::optional<FrozenBatch>> Store::freeze_batch(int max_items) {
    std::optional<FrozenBatch> frozen;
    const Status done = write("freeze a batch", [&](sqlite3* c) -> Status {
        // Loops only past items that could not be encoded and were set aside.
        while (!frozen) {
            auto refs = pending_items(c, std::max(max_items, 1));
            if (!refs) return make_error(refs.error());
            if (refs.value().empty()) return Ok{};
            auto batch = freeze_items(c, std::move(refs).value());
            if (!batch) return make_error(batch.error());
            frozen = std::move(batch).value();
        }
        return Ok{};
    });
    if (!done) return make_error(done.error());
    return frozen;
}

Result<std::vector<FrozenBatch>> Store::frozen_batches() {
    sqlite3* c = db_->get();
    std::vector<FrozenBatch> batches;
    {
        auto stmt = prepare(c, "SELECT batch_id, body FROM batches ORDER BY batch_id");
        if (!stmt) return make_error("could not read the frozen batches: " + stmt.error());
        int rc = SQLITE_ROW;
        while ((rc = sqlite3_step(stmt.value().get())) == SQLITE_ROW) {
            batches.push_back({column_text(stmt.value().get(), 0), column_blob(stmt.value().get(), 1), {}});
        }
        if (rc != SQLITE_DONE) return make_error("could not read the frozen batches: " + errmsg(c));
    }
    for (FrozenBatch& batch : batches) {
        auto ids = batch_item_ids(c, batch.batch_id);
        if (!ids) return make_error("could not read the frozen batches: " + ids.error());
        batch.item_ids = std::move(ids).value();
    }
    return batches;
}

Status Store::apply_results(const std::string& batch_id, const std::vector<wire::ItemResult>& results) {
    return write("record the server's answer", [&](sqlite3* c) -> Status {
        auto sent = prepare(c, "UPDATE outbox SET state = 'sent', batch_id = NULL WHERE item_id = ?1 AND batch_id = ?2");
        if (!sent) return make_error(sent.error());
        for (const wire::ItemResult& result : results) {
            Status marked = Ok{};
            switch (result.status) {
                case wire::ItemStatus::Created:
                case wire::ItemStatus::Duplicate:
                    marked = rerun(c, sent.value().get(), result.id, batch_id);
                    break;
                case wire::ItemStatus::Conflict:
                case wire::ItemStatus::Invalid: {
                    std::string reason = wire::to_string(result.status);
                    if (!result.reason.empty()) reason += ": " + result.reason;
                    marked = run(c,
                                 "UPDATE outbox SET state = 'set_aside', reason = ?3, batch_id = NULL "
                                 "WHERE item_id = ?1 AND batch_id = ?2",
                                 result.id, batch_id, reason);
                    break;
                }
            }
            if (!marked) return marked;
            if (sqlite3_changes(c) != 1) return make_error("item " + result.id + " is not in batch " + batch_id);
        }
        auto left = batch_item_ids(c, batch_id);
        if (!left) return make_error(left.error());
        if (!left.value().empty()) {
            return make_error(std::to_string(left.value().size()) + " items of batch " + batch_id + " were not answered");
        }
        return run(c, "DELETE FROM batches WHERE batch_id = ?1", batch_id);
    });
}

Status Store::set_batch_aside(const std::string& batch_id, const std::string& reason) {
    return write("set the batch aside", [&](sqlite3* c) -> Status {
        if (const Status aside = run(c,
                                     "UPDATE outbox SET state = 'set_aside', reason = ?2, batch_id = NULL "
                                     "WHERE batch_id = ?1",
                                     batch_id, reason);
            !aside) {
            return aside;
        }
        return run(c, "DELETE FROM batches WHERE batch_id = ?1", batch_id);
    });
}

Result<std::vector<FrozenBatch>> Store::split_batch(const std::string& batch_id) {
    std::vector<FrozenBatch> halves;
    const Status done = write("split the batch", [&](sqlite3* c) -> Status {
        auto ids = batch_item_ids(c, batch_id);
        if (!ids) return make_error(ids.error());
        if (ids.value().size() < 2) return make_error("a batch of one item cannot be split");
        std::vector<OutboxRef> refs;
        {
            auto stmt = prepare(c, "SELECT item_id, kind FROM outbox WHERE batch_id = ?1");
            if (!stmt) return make_error(stmt.error());
            if (bind_all(stmt.value().get(), batch_id) != SQLITE_OK) return make_error(errmsg(c));
            int rc = SQLITE_ROW;
            while ((rc = sqlite3_step(stmt.value().get())) == SQLITE_ROW) {
                const std::string kind = column_text(stmt.value().get(), 1);
                refs.push_back({column_text(stmt.value().get(), 0),
                                wire::parse_kind(kind).value_or(wire::ItemKind::Response)});
            }
            if (rc != SQLITE_DONE) return make_error(errmsg(c));
        }
        if (const Status back = run(c, "UPDATE outbox SET state = 'pending', batch_id = NULL WHERE batch_id = ?1",
                                    batch_id);
            !back) {
            return back;
        }
        if (const Status gone = run(c, "DELETE FROM batches WHERE batch_id = ?1", batch_id); !gone) return gone;
        // Which item goes to which half is random too; each half is shuffled again.
        shuffle_securely(refs);
        const auto middle = refs.begin() + static_cast<std::ptrdiff_t>(refs.size() / 2);
        for (auto half : {std::vector<OutboxRef>(refs.begin(), middle), std::vector<OutboxRef>(middle, refs.end())}) {
            auto batch = freeze_items(c, std::move(half));
            if (!batch) return make_error(batch.error());
            if (batch.value()) halves.push_back(std::move(*batch.value()));
        }
        return Ok{};
    });
    if (!done) return make_error(done.error());
    return halves;
}

Result<long long> Store::freezable_count() {
    auto count = query_int(db_->get(), "SELECT count(*) FROM outbox WHERE state = 'pending'");
    if (!count) return make_error("could not count the outbox: " + count.error());
    return count.value();
}

Result<OutboxCounts> Store::outbox_counts() {
    sqlite3* c = db_->get();
    OutboxCounts counts;
    auto stmt = prepare(c, "SELECT state, coalesce(reason, ''), count(*) FROM outbox GROUP BY state, reason");
    if (!stmt) return make_error("could not count the outbox: " + stmt.error());
    sqlite3_stmt* s = stmt.value().get();
    int rc = SQLITE_ROW;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        const std::string state = column_text(s, 0);
        const long long n = sqlite3_column_int64(s, 2);
        if (state == "sent") {
            counts.sent += n;
        } else if (state == "set_aside") {
            counts.set_aside += n;
            counts.set_aside_reasons[column_text(s, 1)] += n;
        } else {
            counts.pending += n;
        }
    }
    if (rc != SQLITE_DONE) return make_error("could not count the outbox: " + errmsg(c));
    return counts;
}

Status Store::save_enrolment(const DeviceIdentity& identity, const TextQuestions& text_questions) {
    return write("save the enrolment", [&](sqlite3* c) -> Status {
        if (const Status saved = run(c,
                                     "INSERT OR REPLACE INTO device (singleton, device_id, venue_id, public_key, "
                                     "secret_key, sealing_public_key, server_url) VALUES (1, ?1, ?2, ?3, ?4, ?5, ?6)",
                                     identity.device_id, identity.venue_id, Blob{identity.public_key},
                                     Blob{identity.secret_key}, Blob{identity.sealing_public_key},
                                     identity.server_url);
            !saved) {
            return saved;
        }
        // A new server may hold other surveys: fetch its config on the next sync.
        if (const Status reset = run(c, "UPDATE sync_meta SET config_version = ''"); !reset) return reset;

        // Rows already in a batch keep their bytes (a frozen batch never changes); before
        // the first enrolment there are none.
        struct Row {
            std::string id, survey_id, answers;
        };
        std::vector<Row> rows;
        {
            auto stmt = prepare(c,
                                "SELECT r.id, r.survey_id, r.answers FROM responses r JOIN outbox o "
                                "ON o.item_id = r.id WHERE o.state IN ('held', 'pending')");
            if (!stmt) return make_error(stmt.error());
            int rc = SQLITE_ROW;
            while ((rc = sqlite3_step(stmt.value().get())) == SQLITE_ROW) {
                rows.push_back({column_text(stmt.value().get(), 0), column_text(stmt.value().get(), 1),
                                column_text(stmt.value().get(), 2)});
            }
            if (rc != SQLITE_DONE) return make_error(errmsg(c));
        }
        for (const Row& row : rows) {
            const auto text_ids = text_questions.find(row.survey_id);
            if (text_ids == text_questions.end()) continue;
            std::string sealed;
            try {
                sealed = sealed_answers(row.answers, text_ids->second, identity.sealing_public_key);
            } catch (const std::exception& e) {
                return make_error(std::string("cannot seal the free text: ") + e.what());
            }
            if (sealed.empty()) continue;
            if (const Status updated = run(c, "UPDATE responses SET answers = ?1 WHERE id = ?2", sealed, row.id);
                !updated) {
                return updated;
            }
        }
        return Ok{};
    });
}

Result<std::optional<DeviceIdentity>> Store::identity() {
    sqlite3* c = db_->get();
    auto stmt = prepare(c,
                        "SELECT device_id, venue_id, public_key, secret_key, sealing_public_key, server_url "
                        "FROM device WHERE singleton = 1");
    if (!stmt) return make_error("could not read the enrolment: " + stmt.error());
    sqlite3_stmt* s = stmt.value().get();
    const int rc = sqlite3_step(s);
    if (rc == SQLITE_DONE) return std::optional<DeviceIdentity>();
    if (rc != SQLITE_ROW) return make_error("could not read the enrolment: " + errmsg(c));
    DeviceIdentity identity;
    identity.device_id = column_text(s, 0);
    identity.venue_id = column_text(s, 1);
    identity.public_key = column_blob(s, 2);
    identity.secret_key = column_blob(s, 3);
    identity.sealing_public_key = column_blob(s, 4);
    identity.server_url = column_text(s, 5);
    return std::optional<DeviceIdentity>(std::move(identity));
}

Result<SyncMeta> Store::sync_meta() {
    sqlite3* c = db_->get();
    auto stmt = prepare(c, "SELECT last_success, config_version FROM sync_meta WHERE singleton = 1");
    if (!stmt) return make_error("could not read the sync state: " + stmt.error());
    if (sqlite3_step(stmt.value().get()) != SQLITE_ROW) return make_error("could not read the sync state: " + errmsg(c));
    return SyncMeta{column_text(stmt.value().get(), 0), column_text(stmt.value().get(), 1)};
}

Status Store::set_last_success(const std::string& utc) {
    return write("record the sync time", [&](sqlite3* c) -> Status {
        return run(c, "UPDATE sync_meta SET last_success = ?1", utc);
    });
}

Status Store::set_config_version(const std::string& version) {
    return write("record the config version", [&](sqlite3* c) -> Status {
        return run(c, "UPDATE sync_meta SET config_version = ?1", version);
    });
}

Result<PinAttempts> Store::pin_attempts() {
    sqlite3* c = db_->get();
    auto stmt = prepare(c, "SELECT failures, last_failure_unix FROM pin_attempts WHERE singleton = 1");
    if (!stmt) return make_error("could not read the PIN attempts: " + stmt.error());
    if (sqlite3_step(stmt.value().get()) != SQLITE_ROW) {
        return make_error("could not read the PIN attempts: " + errmsg(c));
    }
    return PinAttempts{sqlite3_column_int(stmt.value().get(), 0), sqlite3_column_int64(stmt.value().get(), 1)};
}

Result<PinAttempts> Store::count_pin_attempt(long long now_unix) {
    const Status counted = write("count the PIN attempt", [&](sqlite3* c) -> Status {
        return run(c, "UPDATE pin_attempts SET failures = failures + 1, last_failure_unix = ?1",
                   now_unix);
    });
    if (!counted) return make_error(counted.error());
    return pin_attempts();
}

Status Store::clear_pin_attempts() {
    return write("clear the PIN attempts", [&](sqlite3* c) -> Status {
        return run(c, "UPDATE pin_attempts SET failures = 0, last_failure_unix = 0");
    });
}

Status Store::restart_pin_pause(long long now_unix) {
    sqlite3* c = db_->get();
    return in_transaction(c, "restart the PIN pause", [&]() -> Status {
        return run(c, "UPDATE pin_attempts SET last_failure_unix = ?1 WHERE last_failure_unix > ?1", now_unix);
    });
}

Status Store::limit_size_for_tests(int max_pages) {
    const long long pages = max_pages > 0 ? max_pages : db_->default_max_pages;
    // PRAGMAs take no bound parameters; `pages` is an int, not text from anyone.
    const std::string sql = "PRAGMA max_page_count = " + std::to_string(pages);
    if (exec(db_->get(), sql.c_str()) != SQLITE_OK) {
        return make_error("could not change the size limit: " + errmsg(db_->get()));
    }
    return Ok{};
}

}  // namespace tillit
