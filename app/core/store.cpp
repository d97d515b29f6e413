// The durable store: one SQLite connection in WAL mode with synchronous=FULL, schema
// migrations tracked in PRAGMA user_version and applied in one transaction, and one
// transaction per saved response. Failures come back as Error values with a plain
// message; nothing here throws on purpose. Not handled here: sync bookkeeping (outbox,
// batches), backups, and sharing the connection between threads.
#include "core/store.h"

#include <sqlite3.h>

#include <exception>
#include <filesystem>
#include <iterator>
#include <system_error>
#include <utility>

#include "core/privacy.h"

namespace tillit {
namespace {

struct ConnectionCloser {
    void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
};
struct StatementFinalizer {
    void operator()(sqlite3_stmt* stmt) const { sqlite3_finalize(stmt); }
};
using Connection = std::unique_ptr<sqlite3, ConnectionCloser>;
using Statement = std::unique_ptr<sqlite3_stmt, StatementFinalizer>;

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
};
static_assert(std::size(kMigrations) > 0 &&
                  kMigrations[std::size(kMigrations) - 1].version == Store::kSchemaVersion,
              "the last migration must produce Store::kSchemaVersion");

std::string errmsg(sqlite3* db) { return sqlite3_errmsg(db); }

// For fixed SQL only; anything that carries a value goes through prepare + bind.
int exec(sqlite3* db, const char* sql) { return sqlite3_exec(db, sql, nullptr, nullptr, nullptr); }

Result<Statement> prepare(sqlite3* db, const char* sql) {
    sqlite3_stmt* raw = nullptr;
    const int rc = sqlite3_prepare_v2(db, sql, -1, &raw, nullptr);
    Statement stmt(raw);
    if (rc != SQLITE_OK) return make_error(errmsg(db));
    return Result<Statement>(std::move(stmt));
}

int bind_one(sqlite3_stmt* stmt, int index, const std::string& text) {
    return sqlite3_bind_text64(stmt, index, text.data(), text.size(), SQLITE_TRANSIENT, SQLITE_UTF8);
}
int bind_one(sqlite3_stmt* stmt, int index, int number) { return sqlite3_bind_int(stmt, index, number); }

// Binds ?1, ?2, ... in order; returns the first failure.
template <class... Args>
int bind_all(sqlite3_stmt* stmt, const Args&... args) {
    int index = 0;
    int rc = SQLITE_OK;
    ((rc = rc == SQLITE_OK ? bind_one(stmt, ++index, args) : rc), ...);
    return rc;
}

std::string column_text(sqlite3_stmt* stmt, int column) {
    const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(stmt, column));
    return text == nullptr ? std::string() : std::string(text, static_cast<std::size_t>(sqlite3_column_bytes(stmt, column)));
}

// Runs a statement that returns one row and reads its first column.
Result<std::string> query_text(sqlite3* db, const char* sql) {
    auto stmt = prepare(db, sql);
    if (!stmt) return make_error(stmt.error());
    if (sqlite3_step(stmt.value().get()) != SQLITE_ROW) return make_error(errmsg(db));
    return column_text(stmt.value().get(), 0);
}

Result<long long> query_int(sqlite3* db, const char* sql) {
    auto stmt = prepare(db, sql);
    if (!stmt) return make_error(stmt.error());
    if (sqlite3_step(stmt.value().get()) != SQLITE_ROW) return make_error(errmsg(db));
    return static_cast<long long>(sqlite3_column_int64(stmt.value().get(), 0));
}

Status step_done(sqlite3* db, sqlite3_stmt* stmt) {
    if (sqlite3_step(stmt) != SQLITE_DONE) return make_error(errmsg(db));
    return Ok{};
}

// Runs `body` between BEGIN IMMEDIATE and COMMIT. Any failure, a failed COMMIT included,
// rolls back, so a row is either fully stored or not at all. IMMEDIATE takes the write
// lock up front, so a busy database fails here and not half-way through.
template <class Body>
Status in_transaction(sqlite3* db, const std::string& what, Body&& body) {
    auto fail = [&](const std::string& reason) -> Status {
        // After some errors (SQLITE_FULL, SQLITE_IOERR, SQLITE_NOMEM) SQLite has already
        // rolled back the whole transaction; a second ROLLBACK would only fail.
        if (sqlite3_get_autocommit(db) == 0) exec(db, "ROLLBACK");
        return make_error("could not " + what + ": " + reason);
    };
    if (exec(db, "BEGIN IMMEDIATE") != SQLITE_OK) return fail(errmsg(db));
    const Status done = body();
    if (!done) return fail(done.error());
    if (exec(db, "COMMIT") != SQLITE_OK) return fail(errmsg(db));
    return Ok{};
}

Status migrate(sqlite3* db, int from_version) {
    return in_transaction(db, "upgrade the database schema", [&]() -> Status {
        for (const Migration& migration : kMigrations) {
            if (migration.version <= from_version) continue;
            if (exec(db, migration.sql) != SQLITE_OK) {
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

// Opens, configures and migrates; `name` is how errors refer to the database.
Result<OpenedDb> open_db(const std::string& path, const std::string& name, bool in_memory) {
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
        return make_error("could not open the database " + name + ": " + reason);
    }
    sqlite3* c = db.connection.get();
    sqlite3_busy_timeout(c, kBusyTimeoutMs);

    // Reading the schema is the first real read of the file: a file that is not a
    // database (or is encrypted, or truncated to garbage) fails here.
    const int probe_rc = exec(c, "SELECT count(*) FROM sqlite_schema");
    if (probe_rc == SQLITE_NOTADB) return make_error(name + " is not a tillit-kiosk database: " + errmsg(c));
    if (probe_rc != SQLITE_OK) return make_error("could not read the database " + name + ": " + errmsg(c));

    const auto mode = query_text(c, "PRAGMA journal_mode = WAL");
    if (!mode) return make_error("could not switch " + name + " to write-ahead logging: " + mode.error());
    // SQLite answers with the mode it ended up in instead of failing; on some file
    // systems (network shares) that is not WAL, and crash safety would silently be lost.
    if (!in_memory && mode.value() != "wal") {
        return make_error("could not switch " + name + " to write-ahead logging (journal mode is '" + mode.value() +
                          "'); keep the data folder on a local disk");
    }
    if (exec(c, "PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON;") != SQLITE_OK) {
        return make_error("could not configure the database " + name + ": " + errmsg(c));
    }

    const auto version = query_int(c, "PRAGMA user_version");
    const auto application = query_int(c, "PRAGMA application_id");
    const auto objects = query_int(c, "SELECT count(*) FROM sqlite_schema");
    const auto max_pages = query_int(c, "PRAGMA max_page_count");
    for (const auto* read : {&version, &application, &objects, &max_pages}) {
        if (!*read) return make_error("could not read the database " + name + ": " + read->error());
    }
    if (version.value() > Store::kSchemaVersion) {
        return make_error(name + " was written by a newer tillit-kiosk (schema " + std::to_string(version.value()) +
                          ", this build knows " + std::to_string(Store::kSchemaVersion) + "); update the app");
    }
    if (application.value() != 0 && application.value() != kApplicationId) {
        return make_error(name + " is not a tillit-kiosk database: it belongs to another program (application_id " +
                          std::to_string(application.value()) + ")");
    }
    if (version.value() < 0 || (version.value() == 0 && objects.value() > 0)) {
        return make_error(name + " is not a tillit-kiosk database: it already holds tables of another program");
    }
    db.default_max_pages = max_pages.value();

    if (version.value() < Store::kSchemaVersion) {
        const Status migrated = migrate(c, static_cast<int>(version.value()));
        if (!migrated) return make_error(name + ": " + migrated.error());
    }
    return Result<OpenedDb>(std::move(db));
}

}  // namespace

struct Store::Db {
    Connection connection;
    long long default_max_pages = 0;
    sqlite3* get() const { return connection.get(); }
};

Store::Store(std::unique_ptr<Db> db) : db_(std::move(db)) {}
Store::~Store() = default;

Result<std::unique_ptr<Store>> Store::open(const std::string& path) {
    auto opened = open_db(path, path, false);
    if (!opened) return make_error(opened.error());
    auto db = std::make_unique<Db>(Db{std::move(opened.value().connection), opened.value().default_max_pages});
    // The constructor is private, so std::make_unique cannot reach it.
    return Result<std::unique_ptr<Store>>(std::unique_ptr<Store>(new Store(std::move(db))));
}

Result<std::unique_ptr<Store>> Store::open_in_memory() {
    auto opened = open_db(":memory:", "the in-memory database", true);
    if (!opened) return make_error(opened.error());
    auto db = std::make_unique<Db>(Db{std::move(opened.value().connection), opened.value().default_max_pages});
    return Result<std::unique_ptr<Store>>(std::unique_ptr<Store>(new Store(std::move(db))));
}

Result<std::string> Store::save_response(const NewResponse& response) {
    sqlite3* c = db_->get();
    std::string id;
    try {
        id = new_uuid_v4();
    } catch (const std::exception& e) {
        return make_error(std::string("could not save the response: ") + e.what());
    }
    const Status saved = in_transaction(c, "save the response", [&]() -> Status {
        auto stmt = prepare(c,
                            "INSERT INTO responses (id, survey_id, survey_version, language, venue_id, time_bucket, "
                            "answers) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)");
        if (!stmt) return make_error(stmt.error());
        if (bind_all(stmt.value().get(), id, response.survey_id, response.survey_version, response.language,
                     response.venue_id, response.time_bucket, response.answers_json) != SQLITE_OK) {
            return make_error(errmsg(c));
        }
        return step_done(c, stmt.value().get());
    });
    if (!saved) return make_error(saved.error());
    return id;  // only now: COMMIT has returned SQLITE_OK
}

Status Store::amend_response(const std::string& id, const std::string& answers_json) {
    sqlite3* c = db_->get();
    return in_transaction(c, "amend the response", [&]() -> Status {
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
    sqlite3* c = db_->get();
    std::string id;
    try {
        id = new_uuid_v4();
    } catch (const std::exception& e) {
        return make_error(std::string("could not save the abandoned session: ") + e.what());
    }
    return in_transaction(c, "save the abandoned session", [&]() -> Status {
        auto stmt = prepare(c,
                            "INSERT INTO abandonments (id, survey_id, survey_version, language, venue_id, "
                            "time_bucket, reached_step, total_steps) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)");
        if (!stmt) return make_error(stmt.error());
        if (bind_all(stmt.value().get(), id, abandonment.survey_id, abandonment.survey_version, abandonment.language,
                     abandonment.venue_id, abandonment.time_bucket, abandonment.reached_step,
                     abandonment.total_steps) != SQLITE_OK) {
            return make_error(errmsg(c));
        }
        return step_done(c, stmt.value().get());
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
