// The PostgreSQL backend of ServerStore (libpq), for municipalities with many kiosks.
// Schema migrations are applied in one transaction and tracked in schema_version; every
// value travels as a bound parameter of PQexecParams, never spliced into SQL text.
// Not handled here: creating the database or role (the admin does that), TLS settings
// of the connection (they belong in the conninfo), and connection pooling across processes.
#include <libpq-fe.h>
#include <sodium.h>

#include <cstdint>
#include <cstdlib>
#include <initializer_list>
#include <iterator>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/privacy.h"
#include "server_store.h"

namespace tillit::server {
namespace {

struct ConnectionCloser {
    void operator()(PGconn* conn) const { PQfinish(conn); }
};
struct ResultClearer {
    void operator()(PGresult* result) const { PQclear(result); }
};
using PgConnection = std::unique_ptr<PGconn, ConnectionCloser>;
using PgResult = std::unique_ptr<PGresult, ResultClearer>;

struct Migration {
    int version;      // schema_version after this step
    const char* sql;  // constant DDL only: no values, so PQexec with several statements is safe
};

// Ordered; each entry moves the schema from version - 1 to version. Never edit an entry
// that has shipped: append one. Keys are COLLATE "C" so "by id" means byte order, the
// same order SQLite and std::string give. Privacy: items carry no arrival time and no
// sequence number, only what the kiosk sent (DESIGN.md); the random UUID is the key.
constexpr Migration kMigrations[] = {
    {1, R"sql(
CREATE TABLE devices (
    device_id           text COLLATE "C" PRIMARY KEY,
    venue_id            text NOT NULL CHECK (venue_id <> ''),
    public_key          text NOT NULL,                  -- base64 of the raw Ed25519 key
    revoked             boolean NOT NULL DEFAULT false,
    enrolled_at         timestamptz NOT NULL DEFAULT statement_timestamp(),
    last_heartbeat_json text,
    last_seen_at        timestamptz
);
CREATE TABLE enrol_codes (
    code_hash  text COLLATE "C" PRIMARY KEY,           -- SHA-256 hex of the code, never the code
    venue_id   text NOT NULL CHECK (venue_id <> ''),
    expires_at timestamptz NOT NULL,
    used_at    timestamptz,
    device_id  text
);
CREATE TABLE items (
    id           text COLLATE "C" PRIMARY KEY CHECK (length(id) = 36),
    kind         text NOT NULL CHECK (kind IN ('response', 'abandonment')),
    sha256       text NOT NULL CHECK (length(sha256) = 64),
    content_json text NOT NULL,                         -- canonical, exactly as hashed
    device_id    text NOT NULL,
    batch_id     text NOT NULL                          -- the batch that first brought it
);
CREATE TABLE surveys (
    survey_id text COLLATE "C" PRIMARY KEY CHECK (survey_id <> ''),
    toml_text text NOT NULL
);
CREATE TABLE settings (
    key        text COLLATE "C" PRIMARY KEY CHECK (key <> ''),
    json_value text NOT NULL
);
CREATE TABLE server_keys (
    name       text COLLATE "C" PRIMARY KEY,
    public_key text NOT NULL,                           -- base64
    secret_key text NOT NULL                            -- base64
);
)sql"},
    // Workshop records (docs/sync-protocol.md, "Items"): a third kind of item.
    {2, R"sql(
ALTER TABLE items DROP CONSTRAINT items_kind_check;
ALTER TABLE items ADD CONSTRAINT items_kind_check CHECK (kind IN ('response', 'abandonment', 'workshop'));
)sql"},
    // The report page's own state (issue 7), apart from the kiosk-facing settings.
    {3, R"sql(
CREATE TABLE admin_values (
    key        text COLLATE "C" PRIMARY KEY CHECK (key <> ''),
    json_value text NOT NULL
);
)sql"},
};

constexpr int kSchemaVersion = kMigrations[std::size(kMigrations) - 1].version;

// Serialises migrations between server processes that open the same database at once
// (a transaction-scoped advisory lock; "Till" in ASCII, as in the kiosk's SQLite file).
constexpr const char* kMigrationLockKey = "1416195180";

// Retries of one statement that PostgreSQL aborted to break a deadlock or a
// serialisation failure: both mean "try again", and the statement is idempotent.
constexpr int kMaxStatementAttempts = 3;

// "2026-11-23T14:05:00Z" from a timestamptz column, whatever the session's time zone.
#define TILLIT_UTC(column) "to_char(" column " AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"

constexpr const char* kDeviceColumns =
    "device_id, venue_id, public_key, revoked, " TILLIT_UTC("enrolled_at") ", "
    "coalesce(last_heartbeat_json, ''), coalesce(" TILLIT_UTC("last_seen_at") ", '')";

// The kiosk-facing enrol messages, word for word the SQLite backend's, so the kiosk
// and the tests see one behaviour whichever backend the municipality runs.
constexpr const char* kUnknownCode = "unknown enrol code";
constexpr const char* kUsedCode = "this enrol code has already been used";
constexpr const char* kExpiredCode = "this enrol code has expired; ask for a new one";

// Crockford base32: no I, L, O or U, so a code read aloud or typed is hard to get wrong.
constexpr std::string_view kCrockford = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
constexpr std::size_t kCodeLength = 10;

std::string generate_code() {
    std::string code;
    for (std::size_t i = 0; i < kCodeLength; ++i) {
        code += kCrockford[randombytes_uniform(static_cast<std::uint32_t>(kCrockford.size()))];
    }
    return code;
}

// What a person typed, forgiven the way Crockford intends: case, dashes and spaces
// ignored, I and L read as 1, O as 0. "" when it cannot be a code at all.
std::string normalise_code(std::string_view typed) {
    std::string code;
    for (char c : typed) {
        if (c == '-' || c == ' ') continue;
        if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
        if (c == 'I' || c == 'L') c = '1';
        if (c == 'O') c = '0';
        if (kCrockford.find(c) == std::string_view::npos) return {};
        code += c;
    }
    return code.size() == kCodeLength ? code : std::string();
}

// The shape the items table insists on. The whole batch goes in one statement, so a
// row the table would refuse is answered `invalid` here instead of failing the batch.
std::string storage_problem(const wire::Item& item) {
    if (item.id.size() != 36) return "the item breaks a storage rule: the id must be 36 characters";
    if (item.sha256.size() != 64) return "the item breaks a storage rule: sha256 must be 64 characters";
    return {};
}

// libpq's messages end in a newline and may span lines; the store's errors are one line.
std::string one_line(const char* text) {
    std::string line;
    for (const char* c = text == nullptr ? "" : text; *c != '\0'; ++c) {
        const bool space = *c == '\n' || *c == '\t' || *c == ' ';
        if (space && (line.empty() || line.back() == ' ')) continue;
        line += space ? ' ' : *c;
    }
    if (!line.empty() && line.back() == ' ') line.pop_back();
    return line.empty() ? "unknown error" : line;
}

std::string text_at(const PGresult* result, int row, int column) {
    return std::string(PQgetvalue(result, row, column), static_cast<std::size_t>(PQgetlength(result, row, column)));
}

class PostgresStore final : public ServerStore {
public:
    explicit PostgresStore(PgConnection conn) : conn_(std::move(conn)) {}

    Status migrate() {
        std::lock_guard lock(mutex_);
        if (auto begun = exec("BEGIN"); !begun) return make_error(begun.error());
        RollbackGuard guard{conn_.get()};
        if (auto locked = exec("SELECT pg_advisory_xact_lock($1::bigint)", {kMigrationLockKey}); !locked) {
            return make_error(locked.error());
        }
        if (auto created = exec("CREATE TABLE IF NOT EXISTS schema_version ("
                                "version integer PRIMARY KEY, "
                                "applied_at timestamptz NOT NULL DEFAULT statement_timestamp())");
            !created) {
            return make_error(created.error());
        }
        auto current = exec("SELECT coalesce(max(version), 0) FROM schema_version");
        if (!current) return make_error(current.error());
        const int version = std::atoi(PQgetvalue(current.value().get(), 0, 0));
        if (version > kSchemaVersion) {
            return make_error("the PostgreSQL database has schema version " + std::to_string(version) +
                              ", newer than this tillit-server understands (" + std::to_string(kSchemaVersion) +
                              "); upgrade tillit-server");
        }
        for (const Migration& migration : kMigrations) {
            if (migration.version <= version) continue;
            // PQexec, not PQexecParams: a migration is several statements of constant DDL.
            PgResult applied(PQexec(conn_.get(), migration.sql));
            if (PQresultStatus(applied.get()) != PGRES_COMMAND_OK) {
                return make_error("PostgreSQL: schema migration " + std::to_string(migration.version) +
                                  " failed: " + one_line(PQresultErrorMessage(applied.get())));
            }
            if (auto noted = exec("INSERT INTO schema_version (version) VALUES ($1::integer)",
                                  {std::to_string(migration.version)});
                !noted) {
                return make_error(noted.error());
            }
        }
        if (auto committed = exec("COMMIT"); !committed) return make_error(committed.error());
        guard.armed = false;
        return Ok{};
    }

    // --- devices ---

    Result<EnrolCode> create_enrol_code(const std::string& venue_id, int valid_hours) override {
        if (venue_id.empty()) return make_error("a venue id is needed");
        if (valid_hours < 0) return make_error("valid_hours must not be negative");
        std::lock_guard lock(mutex_);
        // 50 random bits make a clash with a stored code vanishingly rare; retry anyway.
        for (int attempt = 0; attempt < 3; ++attempt) {
            const std::string code = generate_code();
            std::string sqlstate;
            auto inserted = exec(
                "INSERT INTO enrol_codes (code_hash, venue_id, expires_at) "
                "VALUES ($1, $2, clock_timestamp() + make_interval(hours => $3::integer)) "
                "RETURNING " TILLIT_UTC("expires_at"),
                {wire::sha256_hex(code), venue_id, std::to_string(valid_hours)}, &sqlstate);
            if (inserted) return EnrolCode{code, venue_id, text_at(inserted.value().get(), 0, 0)};
            if (sqlstate != "23505") return make_error(inserted.error());  // 23505: unique_violation
        }
        return make_error("could not create a unique enrol code; try again");
    }

    Result<Device> enrol(const std::string& code, const std::string& public_key) override {
        if (public_key.size() != crypto_sign_PUBLICKEYBYTES) {
            return make_error("the public key must be a 32-byte Ed25519 key");
        }
        const std::string normalised = normalise_code(code);
        if (normalised.empty()) return make_error(kUnknownCode);
        const std::string code_hash = wire::sha256_hex(normalised);
        const std::string device_id = new_uuid_v4();
        std::lock_guard lock(mutex_);
        if (auto begun = exec("BEGIN"); !begun) return make_error(begun.error());
        RollbackGuard guard{conn_.get()};
        // One UPDATE both checks and burns the code: its row lock makes a second,
        // concurrent enrol with the same code wait and then find it used.
        auto burned = exec(
            "UPDATE enrol_codes SET used_at = clock_timestamp(), device_id = $2 "
            "WHERE code_hash = $1 AND used_at IS NULL AND expires_at > clock_timestamp() "
            "RETURNING venue_id",
            {code_hash, device_id});
        if (!burned) return make_error(burned.error());
        if (PQntuples(burned.value().get()) == 0) {
            auto known = exec("SELECT used_at IS NOT NULL FROM enrol_codes WHERE code_hash = $1", {code_hash});
            if (!known) return make_error(known.error());
            if (PQntuples(known.value().get()) == 0) return make_error(kUnknownCode);
            return make_error(text_at(known.value().get(), 0, 0) == "t" ? kUsedCode : kExpiredCode);
        }
        const std::string venue_id = text_at(burned.value().get(), 0, 0);
        auto device = exec(std::string("INSERT INTO devices (device_id, venue_id, public_key) VALUES ($1, $2, $3) "
                                       "RETURNING ") + kDeviceColumns,
                           {device_id, venue_id, wire::base64_encode(public_key)});
        if (!device) return make_error(device.error());
        if (auto committed = exec("COMMIT"); !committed) return make_error(committed.error());
        guard.armed = false;
        return device_at(device.value().get(), 0);
    }

    Result<std::optional<Device>> find_device(const std::string& device_id) override {
        std::lock_guard lock(mutex_);
        auto found = exec(std::string("SELECT ") + kDeviceColumns + " FROM devices WHERE device_id = $1", {device_id});
        if (!found) return make_error(found.error());
        if (PQntuples(found.value().get()) == 0) return std::optional<Device>{};
        auto device = device_at(found.value().get(), 0);
        if (!device) return make_error(device.error());
        return std::optional<Device>{std::move(device).value()};
    }

    Status revoke(const std::string& device_id) override {
        std::lock_guard lock(mutex_);
        auto updated = exec("UPDATE devices SET revoked = true WHERE device_id = $1", {device_id});
        if (!updated) return make_error(updated.error());
        if (std::string(PQcmdTuples(updated.value().get())) == "0") return make_error("no device " + device_id);
        return Ok{};
    }

    Result<std::vector<Device>> devices() override {
        std::lock_guard lock(mutex_);
        auto rows = exec(std::string("SELECT ") + kDeviceColumns + " FROM devices ORDER BY enrolled_at, device_id");
        if (!rows) return make_error(rows.error());
        std::vector<Device> list;
        for (int row = 0; row < PQntuples(rows.value().get()); ++row) {
            auto device = device_at(rows.value().get(), row);
            if (!device) return make_error(device.error());
            list.push_back(std::move(device).value());
        }
        return list;
    }

    Status record_heartbeat(const std::string& device_id, const std::string& heartbeat_json) override {
        std::lock_guard lock(mutex_);
        // Kept as the text received (not jsonb) so it reads back byte for byte.
        auto updated = exec(
            "UPDATE devices SET last_heartbeat_json = $2, last_seen_at = statement_timestamp() WHERE device_id = $1",
            {device_id, heartbeat_json});
        if (!updated) return make_error(updated.error());
        if (std::string(PQcmdTuples(updated.value().get())) == "0") return make_error("no device " + device_id);
        return Ok{};
    }

    // --- items ---

    Result<std::vector<wire::ItemResult>> put_batch(const std::string& device_id,
                                                    const wire::ReceivedBatch& batch) override {
        // Why each item is invalid ("" when it is not), and the rows to insert: valid
        // items, first copy of each id only (parse_batch already marks a repeated id
        // invalid; this keeps a hand-built batch from inserting an id twice).
        std::vector<std::string> problems;
        std::map<std::string, std::string> first_copy_hash;
        nlohmann::json rows = nlohmann::json::array();
        nlohmann::json ids = nlohmann::json::array();
        for (const wire::ReceivedItem& received : batch.items) {
            const wire::Item& item = received.item;
            problems.push_back(received.invalid_reason.empty() ? storage_problem(item) : received.invalid_reason);
            if (!problems.back().empty() || !first_copy_hash.emplace(item.id, item.sha256).second) continue;
            rows.push_back({{"id", item.id},
                            {"kind", wire::to_string(item.kind)},
                            {"sha256", item.sha256},
                            {"content", wire::canonical(item.content)}});
            ids.push_back(item.id);
        }

        std::set<std::string> created;
        std::map<std::string, std::string> stored_hash;
        if (!rows.empty()) {
            std::lock_guard lock(mutex_);
            // The whole batch travels as one JSON parameter and lands in ONE statement,
            // which is its own transaction: all of the batch's new items commit together
            // or none do, and the answer is sent only after that commit. ON CONFLICT DO
            // NOTHING never overwrites a stored item; a concurrent writer of the same id
            // makes this statement wait for its commit and then skip the row. ORDER BY id
            // takes row locks in one global order, so two overlapping batches from two
            // server processes cannot deadlock each other.
            auto inserted = exec_with_retry(
                "INSERT INTO items (id, kind, sha256, content_json, device_id, batch_id) "
                "SELECT x.id, x.kind, x.sha256, x.content, $2, $3 "
                "FROM jsonb_to_recordset($1::jsonb) AS x(id text, kind text, sha256 text, content text) "
                "ORDER BY x.id COLLATE \"C\" "
                "ON CONFLICT (id) DO NOTHING RETURNING id",
                {rows.dump(), device_id, batch.batch_id});
            if (!inserted) return make_error("the batch was not stored: " + inserted.error());
            for (int row = 0; row < PQntuples(inserted.value().get()); ++row) {
                created.insert(text_at(inserted.value().get(), row, 0));
            }
            if (created.size() < first_copy_hash.size()) {
                // Items are never updated or deleted, so reading the stored hashes after
                // the commit sees exactly the rows that made the insert skip ours.
                auto existing = exec(
                    "SELECT id, sha256 FROM items WHERE id IN (SELECT jsonb_array_elements_text($1::jsonb))",
                    {ids.dump()});
                if (!existing) return make_error("the batch was stored but not read back: " + existing.error());
                for (int row = 0; row < PQntuples(existing.value().get()); ++row) {
                    stored_hash[text_at(existing.value().get(), row, 0)] = text_at(existing.value().get(), row, 1);
                }
            }
        }

        std::vector<wire::ItemResult> results;
        results.reserve(batch.items.size());
        for (std::size_t i = 0; i < batch.items.size(); ++i) {
            const wire::Item& item = batch.items[i].item;
            wire::ItemResult result{item.id, wire::ItemStatus::Invalid, problems[i]};
            if (problems[i].empty()) {
                // erase(): only the first copy of a new id is `created`; a later copy in
                // the same batch is compared with it like any stored item.
                if (created.erase(item.id) == 1) {
                    result.status = wire::ItemStatus::Created;
                } else {
                    const auto stored = stored_hash.find(item.id);
                    const std::string& hash = stored != stored_hash.end() ? stored->second : first_copy_hash[item.id];
                    if (hash == item.sha256) {
                        result.status = wire::ItemStatus::Duplicate;
                    } else {
                        result.status = wire::ItemStatus::Conflict;
                        result.reason = "an item with this id and different content is already stored";
                    }
                }
            }
            results.push_back(std::move(result));
        }
        return results;
    }

    Result<std::vector<StoredItem>> items() override {
        std::lock_guard lock(mutex_);
        auto rows = exec(
            "SELECT id, kind, sha256, content_json, device_id, batch_id FROM items ORDER BY id");
        if (!rows) return make_error(rows.error());
        const PGresult* result = rows.value().get();
        std::vector<StoredItem> list;
        list.reserve(static_cast<std::size_t>(PQntuples(result)));
        for (int row = 0; row < PQntuples(result); ++row) {
            StoredItem item;
            item.id = text_at(result, row, 0);
            item.kind = wire::parse_kind(text_at(result, row, 1)).value_or(wire::ItemKind::Response);
            item.sha256 = text_at(result, row, 2);
            item.content_json = text_at(result, row, 3);
            item.device_id = text_at(result, row, 4);
            item.batch_id = text_at(result, row, 5);
            list.push_back(std::move(item));
        }
        return list;
    }

    Result<long long> count_items() override {
        std::lock_guard lock(mutex_);
        auto counted = exec("SELECT count(*) FROM items");
        if (!counted) return make_error(counted.error());
        return std::atoll(PQgetvalue(counted.value().get(), 0, 0));
    }

    // --- central configuration ---

    Status put_survey(const std::string& survey_id, const std::string& toml_text) override {
        if (survey_id.empty()) return make_error("a survey id is needed");
        std::lock_guard lock(mutex_);
        auto stored = exec(
            "INSERT INTO surveys (survey_id, toml_text) VALUES ($1, $2) "
            "ON CONFLICT (survey_id) DO UPDATE SET toml_text = excluded.toml_text",
            {survey_id, toml_text});
        if (!stored) return make_error(stored.error());
        return Ok{};
    }

    Result<std::vector<std::pair<std::string, std::string>>> surveys() override {
        return pairs("SELECT survey_id, toml_text FROM surveys ORDER BY survey_id");
    }

    Status put_setting(const std::string& key, const std::string& json_value) override {
        if (key.empty()) return make_error("a setting key is needed");
        if (!nlohmann::json::accept(json_value)) return make_error("the value of " + key + " is not valid JSON");
        std::lock_guard lock(mutex_);
        auto stored = exec(
            "INSERT INTO settings (key, json_value) VALUES ($1, $2) "
            "ON CONFLICT (key) DO UPDATE SET json_value = excluded.json_value",
            {key, json_value});
        if (!stored) return make_error(stored.error());
        return Ok{};
    }

    Result<std::vector<std::pair<std::string, std::string>>> settings() override {
        return pairs("SELECT key, json_value FROM settings ORDER BY key");
    }

    Status put_admin_value(const std::string& key, const std::string& json_value) override {
        if (key.empty()) return make_error("an admin key is needed");
        if (!nlohmann::json::accept(json_value)) return make_error("the value of " + key + " is not valid JSON");
        std::lock_guard lock(mutex_);
        auto stored = exec(
            "INSERT INTO admin_values (key, json_value) VALUES ($1, $2) "
            "ON CONFLICT (key) DO UPDATE SET json_value = excluded.json_value",
            {key, json_value});
        if (!stored) return make_error(stored.error());
        return Ok{};
    }

    Result<std::optional<std::string>> admin_value(const std::string& key) override {
        auto all = pairs("SELECT key, json_value FROM admin_values ORDER BY key");
        if (!all) return make_error(all.error());
        for (auto& [k, v] : all.value()) {
            if (k == key) return std::optional<std::string>(std::move(v));
        }
        return std::optional<std::string>();
    }

    // --- the server's sealing keys ---

    Result<wire::SealingKeys> sealing_keys() override {
        std::lock_guard lock(mutex_);
        auto found = exec("SELECT public_key, secret_key FROM server_keys WHERE name = 'sealing'");
        if (!found) return make_error(found.error());
        if (PQntuples(found.value().get()) == 0) {
            // Two server processes may race here; DO NOTHING keeps whichever pair committed
            // first and the re-read below returns that one to both.
            const wire::SealingKeys fresh = wire::generate_sealing_keys();
            auto inserted = exec(
                "INSERT INTO server_keys (name, public_key, secret_key) VALUES ('sealing', $1, $2) "
                "ON CONFLICT (name) DO NOTHING",
                {wire::base64_encode(fresh.public_key), wire::base64_encode(fresh.secret_key)});
            if (!inserted) return make_error(inserted.error());
            found = exec("SELECT public_key, secret_key FROM server_keys WHERE name = 'sealing'");
            if (!found) return make_error(found.error());
        }
        auto public_key = wire::base64_decode(text_at(found.value().get(), 0, 0));
        auto secret_key = wire::base64_decode(text_at(found.value().get(), 0, 1));
        if (!public_key || !secret_key || public_key.value().size() != crypto_box_PUBLICKEYBYTES ||
            secret_key.value().size() != crypto_box_SECRETKEYBYTES) {
            return make_error("the stored sealing key pair is damaged (table server_keys)");
        }
        return wire::SealingKeys{std::move(public_key).value(), std::move(secret_key).value()};
    }

private:
    // Rolls back an open transaction unless disarmed after COMMIT, so an early error
    // return never leaves the shared connection inside an aborted transaction.
    struct RollbackGuard {
        PGconn* conn;
        bool armed = true;
        explicit RollbackGuard(PGconn* open_transaction) : conn(open_transaction) {}
        ~RollbackGuard() {
            if (armed) PQclear(PQexec(conn, "ROLLBACK"));
        }
        RollbackGuard(const RollbackGuard&) = delete;
        RollbackGuard& operator=(const RollbackGuard&) = delete;
    };

    // Runs one statement with text parameters. Callers hold mutex_. A connection that
    // dropped (server restart, network) is re-established once before the statement,
    // never in the middle of a transaction: BEGIN is the first statement and goes first.
    Result<PgResult> exec(const std::string& sql, std::initializer_list<std::string> params = {},
                          std::string* sqlstate = nullptr) {
        if (PQstatus(conn_.get()) != CONNECTION_OK) {
            PQreset(conn_.get());
            if (PQstatus(conn_.get()) != CONNECTION_OK) {
                return make_error("PostgreSQL: the connection is lost and could not be re-established: " +
                                  one_line(PQerrorMessage(conn_.get())));
            }
        }
        std::vector<const char*> values;
        values.reserve(params.size());
        for (const std::string& param : params) {
            // libpq passes text parameters as C strings; a NUL would silently cut the value.
            if (param.find('\0') != std::string::npos) return make_error("a value contains a NUL byte");
            values.push_back(param.c_str());
        }
        PgResult result(PQexecParams(conn_.get(), sql.c_str(), static_cast<int>(values.size()), nullptr,
                                     values.data(), nullptr, nullptr, 0));
        const ExecStatusType status = PQresultStatus(result.get());
        if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK) return result;
        if (sqlstate != nullptr) {
            const char* state = PQresultErrorField(result.get(), PG_DIAG_SQLSTATE);
            *sqlstate = state == nullptr ? "" : state;
        }
        if (result == nullptr) return make_error("PostgreSQL: " + one_line(PQerrorMessage(conn_.get())));
        const char* primary = PQresultErrorField(result.get(), PG_DIAG_MESSAGE_PRIMARY);
        return make_error("PostgreSQL: " + one_line(primary != nullptr ? primary : PQresultErrorMessage(result.get())));
    }

    Result<PgResult> exec_with_retry(const std::string& sql, std::initializer_list<std::string> params) {
        for (int attempt = 1;; ++attempt) {
            std::string sqlstate;
            auto result = exec(sql, params, &sqlstate);
            // 40P01 deadlock detected, 40001 serialization failure: PostgreSQL asks for a retry.
            const bool retry = sqlstate == "40P01" || sqlstate == "40001";
            if (result || !retry || attempt == kMaxStatementAttempts) return result;
        }
    }

    Result<std::vector<std::pair<std::string, std::string>>> pairs(const char* sql) {
        std::lock_guard lock(mutex_);
        auto rows = exec(sql);
        if (!rows) return make_error(rows.error());
        std::vector<std::pair<std::string, std::string>> list;
        for (int row = 0; row < PQntuples(rows.value().get()); ++row) {
            list.emplace_back(text_at(rows.value().get(), row, 0), text_at(rows.value().get(), row, 1));
        }
        return list;
    }

    static Result<Device> device_at(const PGresult* result, int row) {
        auto public_key = wire::base64_decode(text_at(result, row, 2));
        if (!public_key) return make_error("the stored public key of device " + text_at(result, row, 0) + " is damaged");
        Device device;
        device.device_id = text_at(result, row, 0);
        device.venue_id = text_at(result, row, 1);
        device.public_key = std::move(public_key).value();
        device.revoked = text_at(result, row, 3) == "t";
        device.enrolled_at = text_at(result, row, 4);
        device.last_heartbeat_json = text_at(result, row, 5);
        device.last_seen_at = text_at(result, row, 6);
        return device;
    }

    // One connection behind one mutex. The HTTP server calls the store from several
    // threads, and a PGconn must never be used by two at once. A pool would let reads
    // overlap, but the load is a few kiosks syncing now and then, each batch costs one
    // or two round trips, and a single connection keeps every call's transaction
    // boundaries trivially correct; several server processes can still share the
    // database, which the statements above are written to allow.
    std::mutex mutex_;
    PgConnection conn_;
};

#undef TILLIT_UTC

}  // namespace

Result<std::unique_ptr<ServerStore>> open_postgres_server_store(const std::string& conninfo) {
    if (sodium_init() < 0) return make_error("libsodium could not be initialised; no random source for codes");
    // Defaults first, then the admin's conninfo (expand_dbname) so it can override them;
    // client_encoding last because the store only ever speaks UTF-8.
    const char* keywords[] = {"connect_timeout", "application_name", "dbname", "client_encoding", nullptr};
    const char* values[] = {"10", "tillit-server", conninfo.c_str(), "UTF8", nullptr};
    PgConnection conn(PQconnectdbParams(keywords, values, 1));
    if (conn == nullptr) return make_error("PostgreSQL: out of memory while connecting");
    if (PQstatus(conn.get()) != CONNECTION_OK) {
        return make_error("cannot connect to PostgreSQL: " + one_line(PQerrorMessage(conn.get())));
    }
    // NOTICEs ("relation already exists, skipping") are not errors; keep them off stderr.
    PQsetNoticeProcessor(conn.get(), [](void*, const char*) {}, nullptr);
    auto store = std::make_unique<PostgresStore>(std::move(conn));
    if (auto migrated = store->migrate(); !migrated) return make_error(migrated.error());
    return std::unique_ptr<ServerStore>(std::move(store));
}

}  // namespace tillit::server
