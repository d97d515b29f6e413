// tillit-server's embedded backend: ServerStore on one SQLite file (WAL,
// synchronous=FULL, versioned migrations recorded in a table and applied in one
// transaction). Every write commits before it returns, so the HTTP layer only
// acknowledges what is on disk. Not handled here: HTTP, signatures, item validation
// (the HTTP layer marks invalid items before they reach put_batch) and PostgreSQL.
#include <sodium.h>
#include <sqlite3.h>

#include <chrono>
#include <ctime>
#include <filesystem>
#include <iterator>
#include <mutex>
#include <system_error>
#include <utility>

#include "core/privacy.h"
#include "server_store.h"

namespace tillit::server {
namespace {

struct ConnectionCloser {
    void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
};
struct StatementFinalizer {
    void operator()(sqlite3_stmt* stmt) const { sqlite3_finalize(stmt); }
};
using Connection = std::unique_ptr<sqlite3, ConnectionCloser>;
using Statement = std::unique_ptr<sqlite3_stmt, StatementFinalizer>;

// "TlSv" in PRAGMA application_id marks a file as a tillit-server database, so a
// kiosk database or another program's file is refused instead of being migrated.
constexpr int kApplicationId = 0x546C5376;

// The admin CLI (another process) may hold the write lock for a moment; wait for it.
constexpr int kBusyTimeoutMs = 10000;

constexpr int kSchemaVersion = 3;

struct Migration {
    int version;  // the schema version after this step
    const char* sql;
};

// Ordered; each entry moves the schema from version - 1 to version. Never edit an entry
// that has shipped: append one and raise kSchemaVersion.
// Items are WITHOUT ROWID and keyed by their random UUID, so the table keeps no arrival
// order (the kiosks shuffle batches for the same reason). Enrol codes are stored only
// as their SHA-256: a copy of the database does not hand out usable codes.
constexpr Migration kMigrations[] = {
    {1, R"sql(
CREATE TABLE devices (
    device_id           TEXT NOT NULL PRIMARY KEY,
    venue_id            TEXT NOT NULL CHECK (venue_id <> ''),
    public_key          BLOB NOT NULL CHECK (length(public_key) = 32),
    revoked             INTEGER NOT NULL DEFAULT 0 CHECK (revoked IN (0, 1)),
    enrolled_at         TEXT NOT NULL,
    last_heartbeat_json TEXT NOT NULL DEFAULT '',
    last_seen_at        TEXT NOT NULL DEFAULT ''
) STRICT;

CREATE TABLE enrol_codes (
    code_sha256 TEXT NOT NULL PRIMARY KEY CHECK (length(code_sha256) = 64),
    venue_id    TEXT NOT NULL CHECK (venue_id <> ''),
    created_at  TEXT NOT NULL,
    expires_at  TEXT NOT NULL,
    used_at     TEXT,
    device_id   TEXT REFERENCES devices (device_id)
) STRICT;

CREATE TABLE items (
    id        TEXT NOT NULL PRIMARY KEY CHECK (length(id) = 36),
    kind      TEXT NOT NULL CHECK (kind IN ('response', 'abandonment')),
    sha256    TEXT NOT NULL CHECK (length(sha256) = 64),
    content   TEXT NOT NULL CHECK (json_valid(content)),
    device_id TEXT NOT NULL,
    batch_id  TEXT NOT NULL
) STRICT, WITHOUT ROWID;

CREATE TABLE surveys (
    survey_id TEXT NOT NULL PRIMARY KEY CHECK (survey_id <> ''),
    toml      TEXT NOT NULL
) STRICT;

CREATE TABLE settings (
    key   TEXT NOT NULL PRIMARY KEY CHECK (key <> ''),
    value TEXT NOT NULL CHECK (json_valid(value))
) STRICT;

CREATE TABLE server_keys (
    name       TEXT NOT NULL PRIMARY KEY,
    public_key BLOB NOT NULL,
    secret_key BLOB NOT NULL
) STRICT;
)sql"},
    // Workshop records (docs/sync-protocol.md, "Items"): a third kind of item. SQLite
    // cannot change a CHECK in place, so the table is rebuilt with the rows as they are.
    {2, R"sql(
CREATE TABLE items_v2 (
    id        TEXT NOT NULL PRIMARY KEY CHECK (length(id) = 36),
    kind      TEXT NOT NULL CHECK (kind IN ('response', 'abandonment', 'workshop')),
    sha256    TEXT NOT NULL CHECK (length(sha256) = 64),
    content   TEXT NOT NULL CHECK (json_valid(content)),
    device_id TEXT NOT NULL,
    batch_id  TEXT NOT NULL
) STRICT, WITHOUT ROWID;
INSERT INTO items_v2 SELECT id, kind, sha256, content, device_id, batch_id FROM items;
DROP TABLE items;
ALTER TABLE items_v2 RENAME TO items;
)sql"},
    // The report page's own state (issue 7): the admin password hash, free-text reviews,
    // "Ni sa - vi gjorde" messages. Apart from `settings`, which kiosks download.
    {3, R"sql(
CREATE TABLE admin_values (
    key   TEXT NOT NULL PRIMARY KEY CHECK (key <> ''),
    value TEXT NOT NULL CHECK (json_valid(value))
) STRICT;
)sql"},
};
static_assert(std::size(kMigrations) > 0 && kMigrations[std::size(kMigrations) - 1].version == kSchemaVersion,
              "the last migration must produce kSchemaVersion");

// Crockford base32: no I, L, O or U, so a code read aloud or typed is not ambiguous.
constexpr char kCrockford[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
constexpr std::size_t kEnrolCodeLength = 10;

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

// Text and blobs are told apart by type so a raw key never goes in as (invalid) UTF-8.
struct Blob {
    const std::string& bytes;
};

int bind_one(sqlite3_stmt* stmt, int index, const std::string& text) {
    return sqlite3_bind_text64(stmt, index, text.data(), text.size(), SQLITE_TRANSIENT, SQLITE_UTF8);
}
int bind_one(sqlite3_stmt* stmt, int index, Blob blob) {
    return sqlite3_bind_blob64(stmt, index, blob.bytes.data(), blob.bytes.size(), SQLITE_TRANSIENT);
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

// Prepares `sql` and binds `args`; the usual first two steps of every query here.
template <class... Args>
Result<Statement> prepare_bound(sqlite3* db, const char* sql, const Args&... args) {
    auto stmt = prepare(db, sql);
    if (!stmt) return stmt;
    if (bind_all(stmt.value().get(), args...) != SQLITE_OK) return make_error(errmsg(db));
    return stmt;
}

std::string column_text(sqlite3_stmt* stmt, int column) {
    const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(stmt, column));
    return text == nullptr ? std::string()
                           : std::string(text, static_cast<std::size_t>(sqlite3_column_bytes(stmt, column)));
}

std::string column_blob(sqlite3_stmt* stmt, int column) {
    const auto* bytes = static_cast<const char*>(sqlite3_column_blob(stmt, column));
    return bytes == nullptr ? std::string()
                            : std::string(bytes, static_cast<std::size_t>(sqlite3_column_bytes(stmt, column)));
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

// Runs `body` between BEGIN IMMEDIATE and COMMIT; any failure (a failed COMMIT
// included) rolls back. IMMEDIATE takes the write lock up front, so a second process
// (the admin CLI) makes us wait at BEGIN rather than fail half-way. A failure of
// `body` comes back with its own message: those are meant for a person (the kiosk
// shows "this enrol code has expired" as it is).
template <class Body>
Status in_transaction(sqlite3* db, Body&& body) {
    auto rollback = [&] {
        // After SQLITE_FULL, SQLITE_IOERR or SQLITE_NOMEM SQLite has already rolled back.
        if (sqlite3_get_autocommit(db) == 0) exec(db, "ROLLBACK");
    };
    if (exec(db, "BEGIN IMMEDIATE") != SQLITE_OK) return make_error("the database is busy: " + errmsg(db));
    const Status done = body();
    if (!done) {
        rollback();
        return done;
    }
    if (exec(db, "COMMIT") != SQLITE_OK) {
        const std::string reason = errmsg(db);
        rollback();
        return make_error("could not commit to the database: " + reason);
    }
    return Ok{};
}

std::string utc_iso(std::chrono::system_clock::time_point when) {
    const std::time_t t = std::chrono::system_clock::to_time_t(when);
    std::tm tm{};
    gmtime_r(&t, &tm);
    char text[32];
    std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return text;
}

std::string utc_now() { return utc_iso(std::chrono::system_clock::now()); }

// What a person typed back into canonical form: Crockford decoding rules (I and L
// read as 1, O as 0, case and dashes ignored). "" when it cannot be a code at all.
std::string normalise_code(const std::string& typed) {
    std::string code;
    for (char c : typed) {
        if (c == '-' || c == ' ') continue;
        if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
        if (c == 'I' || c == 'L') c = '1';
        if (c == 'O') c = '0';
        if (std::string_view(kCrockford).find(c) == std::string_view::npos) return {};
        code += c;
    }
    return code.size() == kEnrolCodeLength ? code : std::string();
}

std::string new_enrol_code() {
    std::string code;
    for (std::size_t i = 0; i < kEnrolCodeLength; ++i) code += kCrockford[randombytes_uniform(32)];
    return code;
}

Status create_parent_folder(const std::string& path) {
    const std::filesystem::path folder = std::filesystem::path(path).parent_path();
    if (folder.empty()) return Ok{};
    std::error_code ec;
    std::filesystem::create_directories(folder, ec);
    if (ec) return make_error("could not create the folder " + folder.string() + ": " + ec.message());
    return Ok{};
}

// Brings the schema to kSchemaVersion. The version is read inside the write
// transaction, so the server and the admin CLI starting together migrate once.
Status migrate(sqlite3* db, const std::string& path) {
    return in_transaction(db, [&]() -> Status {
        const auto application = query_int(db, "PRAGMA application_id");
        if (!application) return make_error("could not read " + path + ": " + application.error());
        if (application.value() != 0 && application.value() != kApplicationId) {
            return make_error(path + " is not a tillit-server database (application_id " +
                              std::to_string(application.value()) + ")");
        }
        const auto has_table = query_int(
            db, "SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name = 'schema_migrations'");
        const auto objects = query_int(db, "SELECT count(*) FROM sqlite_schema");
        if (!has_table || !objects) return make_error("could not read " + path + ": " + errmsg(db));
        if (has_table.value() == 0 && objects.value() > 0) {
            return make_error(path + " is not a tillit-server database: it holds tables of another program");
        }
        if (exec(db, "CREATE TABLE IF NOT EXISTS schema_migrations ("
                     " version INTEGER NOT NULL PRIMARY KEY, applied_at TEXT NOT NULL) STRICT") != SQLITE_OK) {
            return make_error("could not create the migrations table in " + path + ": " + errmsg(db));
        }
        const auto version = query_int(db, "SELECT coalesce(max(version), 0) FROM schema_migrations");
        if (!version) return make_error("could not read the schema version of " + path + ": " + version.error());
        if (version.value() > kSchemaVersion) {
            return make_error(path + " was written by a newer tillit-server (schema " +
                              std::to_string(version.value()) + ", this build knows " +
                              std::to_string(kSchemaVersion) + "); update tillit-server");
        }
        for (const Migration& migration : kMigrations) {
            if (migration.version <= version.value()) continue;
            if (exec(db, migration.sql) != SQLITE_OK) {
                return make_error("could not upgrade " + path + " to schema " + std::to_string(migration.version) +
                                  ": " + errmsg(db));
            }
            auto record = prepare_bound(db, "INSERT INTO schema_migrations (version, applied_at) VALUES (?1, ?2)",
                                        migration.version, utc_now());
            if (!record) return make_error(record.error());
            const Status recorded = step_done(db, record.value().get());
            if (!recorded) return recorded;
        }
        // PRAGMAs take no bound parameters; the value is a compile-time constant.
        const std::string stamp = "PRAGMA application_id = " + std::to_string(kApplicationId);
        if (exec(db, stamp.c_str()) != SQLITE_OK) return make_error(errmsg(db));
        return Ok{};
    });
}

Device device_from_row(sqlite3_stmt* stmt) {
    Device device;
    device.device_id = column_text(stmt, 0);
    device.venue_id = column_text(stmt, 1);
    device.public_key = column_blob(stmt, 2);
    device.revoked = sqlite3_column_int(stmt, 3) != 0;
    device.enrolled_at = column_text(stmt, 4);
    device.last_heartbeat_json = column_text(stmt, 5);
    device.last_seen_at = column_text(stmt, 6);
    return device;
}

constexpr const char* kDeviceColumns =
    "device_id, venue_id, public_key, revoked, enrolled_at, last_heartbeat_json, last_seen_at";

// One connection behind a mutex, rather than one connection per thread: SQLite lets
// only one writer in at a time anyway, so a pool would just trade our mutex for
// SQLITE_BUSY retries between our own threads, and one connection keeps every
// transaction (a whole batch) strictly serialised and easy to reason about. The
// admin CLI in another process is handled by WAL + busy_timeout.
class SqliteServerStore final : public ServerStore {
public:
    explicit SqliteServerStore(Connection db) : db_(std::move(db)) {}

    Result<EnrolCode> create_enrol_code(const std::string& venue_id, int valid_hours) override {
        if (venue_id.empty()) return make_error("a venue id is needed");
        if (valid_hours < 0) return make_error("valid_hours must not be negative");
        const std::lock_guard lock(mutex_);
        sqlite3* db = db_.get();
        const auto now = std::chrono::system_clock::now();
        EnrolCode code{.code = {}, .venue_id = venue_id, .expires_at = utc_iso(now + std::chrono::hours(valid_hours))};
        // 50 random bits make a collision with a live code vanishingly rare; retry anyway.
        for (int attempt = 0; attempt < 3; ++attempt) {
            code.code = new_enrol_code();
            auto insert = prepare_bound(db,
                                        "INSERT INTO enrol_codes (code_sha256, venue_id, created_at, expires_at) "
                                        "VALUES (?1, ?2, ?3, ?4)",
                                        wire::sha256_hex(code.code), venue_id, utc_iso(now), code.expires_at);
            if (!insert) return make_error(insert.error());
            const int rc = sqlite3_step(insert.value().get());
            if (rc == SQLITE_DONE) return code;
            if (rc != SQLITE_CONSTRAINT) return make_error("could not store the enrol code: " + errmsg(db));
        }
        return make_error("could not create a unique enrol code; try again");
    }

    Result<Device> enrol(const std::string& typed_code, const std::string& public_key) override {
        if (public_key.size() != crypto_sign_PUBLICKEYBYTES) {
            return make_error("the public key must be a 32-byte Ed25519 key");
        }
        const std::string code = normalise_code(typed_code);
        if (code.empty()) return make_error("unknown enrol code");
        const std::lock_guard lock(mutex_);
        sqlite3* db = db_.get();
        Device device;
        const Status done = in_transaction(db, [&]() -> Status {
            const std::string code_hash = wire::sha256_hex(code);
            auto find = prepare_bound(db, "SELECT venue_id, expires_at, used_at IS NOT NULL FROM enrol_codes "
                                          "WHERE code_sha256 = ?1", code_hash);
            if (!find) return make_error(find.error());
            sqlite3_stmt* row = find.value().get();
            const int rc = sqlite3_step(row);
            if (rc == SQLITE_DONE) return make_error("unknown enrol code");
            if (rc != SQLITE_ROW) return make_error(errmsg(db));
            if (sqlite3_column_int(row, 2) != 0) return make_error("this enrol code has already been used");
            const std::string now = utc_now();
            // Same fixed-width UTC format on both sides, so text order is time order.
            if (now >= column_text(row, 1)) return make_error("this enrol code has expired; ask for a new one");
            device = Device{.device_id = new_uuid_v4(),
                            .venue_id = column_text(row, 0),
                            .public_key = public_key,
                            .revoked = false,
                            .enrolled_at = now,
                            .last_heartbeat_json = {},
                            .last_seen_at = {}};
            auto insert = prepare_bound(db,
                                        "INSERT INTO devices (device_id, venue_id, public_key, enrolled_at) "
                                        "VALUES (?1, ?2, ?3, ?4)",
                                        device.device_id, device.venue_id, Blob{device.public_key}, now);
            if (!insert) return make_error(insert.error());
            if (Status s = step_done(db, insert.value().get()); !s) return s;
            auto burn = prepare_bound(db, "UPDATE enrol_codes SET used_at = ?1, device_id = ?2 WHERE code_sha256 = ?3",
                                      now, device.device_id, code_hash);
            if (!burn) return make_error(burn.error());
            return step_done(db, burn.value().get());
        });
        if (!done) return make_error(done.error());
        return device;
    }

    Result<std::optional<Device>> find_device(const std::string& device_id) override {
        const std::lock_guard lock(mutex_);
        sqlite3* db = db_.get();
        const std::string sql = std::string("SELECT ") + kDeviceColumns + " FROM devices WHERE device_id = ?1";
        auto find = prepare_bound(db, sql.c_str(), device_id);
        if (!find) return make_error(find.error());
        const int rc = sqlite3_step(find.value().get());
        if (rc == SQLITE_DONE) return std::optional<Device>();
        if (rc != SQLITE_ROW) return make_error(errmsg(db));
        return std::optional<Device>(device_from_row(find.value().get()));
    }

    Status revoke(const std::string& device_id) override {
        const std::lock_guard lock(mutex_);
        sqlite3* db = db_.get();
        auto update = prepare_bound(db, "UPDATE devices SET revoked = 1 WHERE device_id = ?1", device_id);
        if (!update) return make_error(update.error());
        if (Status s = step_done(db, update.value().get()); !s) return s;
        if (sqlite3_changes(db) == 0) return make_error("no device with id " + device_id);
        return Ok{};
    }

    Result<std::vector<Device>> devices() override {
        const std::lock_guard lock(mutex_);
        sqlite3* db = db_.get();
        const std::string sql = std::string("SELECT ") + kDeviceColumns + " FROM devices ORDER BY enrolled_at, device_id";
        auto list = prepare(db, sql.c_str());
        if (!list) return make_error(list.error());
        std::vector<Device> out;
        int rc = SQLITE_ROW;
        while ((rc = sqlite3_step(list.value().get())) == SQLITE_ROW) out.push_back(device_from_row(list.value().get()));
        if (rc != SQLITE_DONE) return make_error(errmsg(db));
        return out;
    }

    Status record_heartbeat(const std::string& device_id, const std::string& heartbeat_json) override {
        const std::lock_guard lock(mutex_);
        sqlite3* db = db_.get();
        auto update = prepare_bound(db, "UPDATE devices SET last_heartbeat_json = ?1, last_seen_at = ?2 WHERE device_id = ?3",
                                    heartbeat_json, utc_now(), device_id);
        if (!update) return make_error(update.error());
        if (Status s = step_done(db, update.value().get()); !s) return s;
        if (sqlite3_changes(db) == 0) return make_error("no device with id " + device_id);
        return Ok{};
    }

    Result<std::vector<wire::ItemResult>> put_batch(const std::string& device_id,
                                                    const wire::ReceivedBatch& batch) override {
        const std::lock_guard lock(mutex_);
        sqlite3* db = db_.get();
        std::vector<wire::ItemResult> results;
        const Status done = in_transaction(db, [&]() -> Status {
            results.clear();
            // ON CONFLICT(id) DO NOTHING, not INSERT OR IGNORE: OR IGNORE would also
            // swallow CHECK failures and we would misreport those as conflicts.
            auto insert = prepare(db,
                                  "INSERT INTO items (id, kind, sha256, content, device_id, batch_id) "
                                  "VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT (id) DO NOTHING");
            auto stored = prepare(db, "SELECT sha256 FROM items WHERE id = ?1");
            if (!insert) return make_error(insert.error());
            if (!stored) return make_error(stored.error());
            for (const wire::ReceivedItem& received : batch.items) {
                const wire::Item& item = received.item;
                if (!received.invalid_reason.empty()) {
                    results.push_back({.id = item.id, .status = wire::ItemStatus::Invalid,
                                       .reason = received.invalid_reason});
                    continue;
                }
                sqlite3_stmt* ins = insert.value().get();
                sqlite3_reset(ins);
                if (bind_all(ins, item.id, wire::to_string(item.kind), item.sha256, wire::canonical(item.content),
                             device_id, batch.batch_id) != SQLITE_OK) {
                    return make_error(errmsg(db));
                }
                const int rc = sqlite3_step(ins);
                if (rc == SQLITE_CONSTRAINT) {
                    // A CHECK failed: this item alone is refused; the batch goes on.
                    results.push_back({.id = item.id, .status = wire::ItemStatus::Invalid,
                                       .reason = "the item breaks a storage rule: " + errmsg(db)});
                    continue;
                }
                if (rc != SQLITE_DONE) return make_error("could not store item " + item.id + ": " + errmsg(db));
                if (sqlite3_changes(db) == 1) {
                    results.push_back({.id = item.id, .status = wire::ItemStatus::Created, .reason = {}});
                    continue;
                }
                sqlite3_stmt* sel = stored.value().get();
                sqlite3_reset(sel);
                if (bind_all(sel, item.id) != SQLITE_OK || sqlite3_step(sel) != SQLITE_ROW) {
                    return make_error("could not read back item " + item.id + ": " + errmsg(db));
                }
                if (column_text(sel, 0) == item.sha256) {
                    results.push_back({.id = item.id, .status = wire::ItemStatus::Duplicate, .reason = {}});
                } else {
                    results.push_back({.id = item.id, .status = wire::ItemStatus::Conflict,
                                       .reason = "an item with this id and different content is already stored"});
                }
            }
            return Ok{};
        });
        if (!done) return make_error("the batch was not stored: " + done.error());
        return results;
    }

    Result<std::vector<StoredItem>> items() override {
        const std::lock_guard lock(mutex_);
        sqlite3* db = db_.get();
        auto list = prepare(db, "SELECT id, kind, sha256, content, device_id, batch_id FROM items ORDER BY id");
        if (!list) return make_error(list.error());
        std::vector<StoredItem> out;
        sqlite3_stmt* row = list.value().get();
        int rc = SQLITE_ROW;
        while ((rc = sqlite3_step(row)) == SQLITE_ROW) {
            out.push_back({.id = column_text(row, 0),
                           .kind = wire::parse_kind(column_text(row, 1)).value_or(wire::ItemKind::Response),
                           .sha256 = column_text(row, 2),
                           .content_json = column_text(row, 3),
                           .device_id = column_text(row, 4),
                           .batch_id = column_text(row, 5)});
        }
        if (rc != SQLITE_DONE) return make_error(errmsg(db));
        return out;
    }

    Result<long long> count_items() override {
        const std::lock_guard lock(mutex_);
        return query_int(db_.get(), "SELECT count(*) FROM items");
    }

    Status put_survey(const std::string& survey_id, const std::string& toml_text) override {
        if (survey_id.empty()) return make_error("a survey id is needed");
        return upsert("INSERT INTO surveys (survey_id, toml) VALUES (?1, ?2) "
                      "ON CONFLICT (survey_id) DO UPDATE SET toml = excluded.toml",
                      survey_id, toml_text);
    }

    Result<std::vector<std::pair<std::string, std::string>>> surveys() override {
        return pairs("SELECT survey_id, toml FROM surveys ORDER BY survey_id");
    }

    Status put_setting(const std::string& key, const std::string& json_value) override {
        if (key.empty()) return make_error("a setting key is needed");
        if (!nlohmann::json::accept(json_value)) return make_error("the value of " + key + " is not valid JSON");
        return upsert("INSERT INTO settings (key, value) VALUES (?1, ?2) "
                      "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                      key, json_value);
    }

    Result<std::vector<std::pair<std::string, std::string>>> settings() override {
        return pairs("SELECT key, value FROM settings ORDER BY key");
    }

    Status put_admin_value(const std::string& key, const std::string& json_value) override {
        if (key.empty()) return make_error("an admin key is needed");
        if (!nlohmann::json::accept(json_value)) return make_error("the value of " + key + " is not valid JSON");
        return upsert("INSERT INTO admin_values (key, value) VALUES (?1, ?2) "
                      "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                      key, json_value);
    }

    Result<std::optional<std::string>> admin_value(const std::string& key) override {
        auto all = pairs("SELECT key, value FROM admin_values ORDER BY key");
        if (!all) return make_error(all.error());
        for (auto& [k, v] : all.value()) {
            if (k == key) return std::optional<std::string>(std::move(v));
        }
        return std::optional<std::string>();
    }

    Result<wire::SealingKeys> sealing_keys() override {
        const std::lock_guard lock(mutex_);
        sqlite3* db = db_.get();
        wire::SealingKeys keys;
        const Status done = in_transaction(db, [&]() -> Status {
            auto find = prepare(db, "SELECT public_key, secret_key FROM server_keys WHERE name = 'sealing'");
            if (!find) return make_error(find.error());
            const int rc = sqlite3_step(find.value().get());
            if (rc == SQLITE_ROW) {
                keys = {.public_key = column_blob(find.value().get(), 0),
                        .secret_key = column_blob(find.value().get(), 1)};
                return Ok{};
            }
            if (rc != SQLITE_DONE) return make_error(errmsg(db));
            // First use: the pair is created once and kept, since every sealed text
            // already on the server can only be opened with this secret key.
            keys = wire::generate_sealing_keys();
            auto insert = prepare_bound(db, "INSERT INTO server_keys (name, public_key, secret_key) "
                                            "VALUES ('sealing', ?1, ?2)",
                                        Blob{keys.public_key}, Blob{keys.secret_key});
            if (!insert) return make_error(insert.error());
            return step_done(db, insert.value().get());
        });
        if (!done) return make_error("could not read the server's sealing keys: " + done.error());
        return keys;
    }

private:
    Status upsert(const char* sql, const std::string& key, const std::string& value) {
        const std::lock_guard lock(mutex_);
        sqlite3* db = db_.get();
        auto stmt = prepare_bound(db, sql, key, value);
        if (!stmt) return make_error(stmt.error());
        return step_done(db, stmt.value().get());
    }

    Result<std::vector<std::pair<std::string, std::string>>> pairs(const char* sql) {
        const std::lock_guard lock(mutex_);
        sqlite3* db = db_.get();
        auto list = prepare(db, sql);
        if (!list) return make_error(list.error());
        std::vector<std::pair<std::string, std::string>> out;
        int rc = SQLITE_ROW;
        while ((rc = sqlite3_step(list.value().get())) == SQLITE_ROW) {
            out.emplace_back(column_text(list.value().get(), 0), column_text(list.value().get(), 1));
        }
        if (rc != SQLITE_DONE) return make_error(errmsg(db));
        return out;
    }

    std::mutex mutex_;
    Connection db_;
};

}  // namespace

Result<std::unique_ptr<ServerStore>> open_sqlite_server_store(const std::string& path) {
    if (sodium_init() < 0) return make_error("libsodium could not be initialised; no random source for enrol codes");
    if (path.empty()) return make_error("the store path is empty");
    if (Status folder = create_parent_folder(path); !folder) return make_error(folder.error());

    sqlite3* raw = nullptr;
    // FULLMUTEX: our own mutex already serialises use, this is a second line of defence.
    const int open_rc =
        sqlite3_open_v2(path.c_str(), &raw, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX, nullptr);
    Connection db(raw);  // sqlite3_open_v2 may return a handle even when it fails
    if (open_rc != SQLITE_OK) {
        const std::string reason = raw != nullptr ? errmsg(raw) : sqlite3_errstr(open_rc);
        return make_error("could not open the server database " + path + ": " + reason);
    }
    sqlite3* c = db.get();
    sqlite3_busy_timeout(c, kBusyTimeoutMs);
    // The first real read of the file: something that is not a database fails here.
    if (exec(c, "SELECT count(*) FROM sqlite_schema") != SQLITE_OK) {
        return make_error("could not read " + path + " (is it a tillit-server database?): " + errmsg(c));
    }
    auto mode = prepare(c, "PRAGMA journal_mode = WAL");
    if (!mode || sqlite3_step(mode.value().get()) != SQLITE_ROW) {
        return make_error("could not switch " + path + " to write-ahead logging: " + errmsg(c));
    }
    // SQLite answers with the mode it ended up in instead of failing (e.g. on a network
    // share); crash safety would be silently lost, so refuse.
    if (column_text(mode.value().get(), 0) != "wal") {
        return make_error("could not switch " + path + " to write-ahead logging; keep the store on a local disk");
    }
    mode.value().reset();
    if (exec(c, "PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON;") != SQLITE_OK) {
        return make_error("could not configure " + path + ": " + errmsg(c));
    }
    if (Status migrated = migrate(c, path); !migrated) return make_error(migrated.error());
    return std::unique_ptr<ServerStore>(std::make_unique<SqliteServerStore>(std::move(db)));
}

}  // namespace tillit::server
