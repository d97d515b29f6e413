// tillit-server's storage, behind one interface with two backends: embedded SQLite
// (the default) and PostgreSQL (libpq) for municipalities with many kiosks. Both pass
// the same tests (tests/server/test_server_store.cpp runs every case on both).
// Every write commits before it returns, so the HTTP layer acknowledges only what is
// durable. Item ids are unique keys: an item is stored once and never overwritten.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"
#include "core/wire.h"

namespace tillit::server {

struct Device {
    std::string device_id;
    std::string venue_id;
    std::string public_key;   // raw Ed25519 public key
    bool revoked = false;
    std::string enrolled_at;  // UTC ISO 8601
    std::string last_heartbeat_json;  // latest heartbeat body, "" if none
    std::string last_seen_at;         // UTC ISO 8601 of that heartbeat, "" if none
};

struct EnrolCode {
    std::string code;        // 10 characters, Crockford base32, single use
    std::string venue_id;
    std::string expires_at;  // UTC ISO 8601
};

// One stored item, for export and reports.
struct StoredItem {
    std::string id;
    wire::ItemKind kind = wire::ItemKind::Response;
    std::string sha256;
    std::string content_json;  // canonical
    std::string device_id;
    std::string batch_id;      // the batch that first brought it
};

class ServerStore {
public:
    virtual ~ServerStore() = default;

    // --- devices ---
    virtual Result<EnrolCode> create_enrol_code(const std::string& venue_id, int valid_hours) = 0;
    // Burns the code (single use) and registers the device, in one transaction.
    // An unknown, used or expired code is an Error whose message can go to the kiosk.
    virtual Result<Device> enrol(const std::string& code, const std::string& public_key) = 0;
    virtual Result<std::optional<Device>> find_device(const std::string& device_id) = 0;
    virtual Status revoke(const std::string& device_id) = 0;
    virtual Result<std::vector<Device>> devices() = 0;
    virtual Status record_heartbeat(const std::string& device_id, const std::string& heartbeat_json) = 0;

    // --- items ---
    // Stores the valid items of one batch in one transaction and returns one result
    // per received item, in order: created / duplicate (same id, same hash) /
    // conflict (same id, different hash; the stored one is kept) / invalid (as received).
    virtual Result<std::vector<wire::ItemResult>> put_batch(const std::string& device_id,
                                                            const wire::ReceivedBatch& batch) = 0;
    virtual Result<std::vector<StoredItem>> items() = 0;
    virtual Result<long long> count_items() = 0;

    // --- central configuration (surveys and venue settings pulled by kiosks) ---
    virtual Status put_survey(const std::string& survey_id, const std::string& toml_text) = 0;
    virtual Result<std::vector<std::pair<std::string, std::string>>> surveys() = 0;  // (id, toml), by id
    virtual Status put_setting(const std::string& key, const std::string& json_value) = 0;
    virtual Result<std::vector<std::pair<std::string, std::string>>> settings() = 0;  // (key, json), by key

    // --- the report page's own state (never sent to kiosks): the admin password hash,
    // free-text reviews, "Ni sa - vi gjorde" messages; one JSON value per key ---
    virtual Status put_admin_value(const std::string& key, const std::string& json_value) = 0;
    virtual Result<std::optional<std::string>> admin_value(const std::string& key) = 0;

    // --- the server's own sealing key pair (created on first use, then stable) ---
    virtual Result<wire::SealingKeys> sealing_keys() = 0;
};

// "path/to/server.db" -> SQLite; "postgresql://..." or "host=... dbname=..." -> PostgreSQL.
Result<std::unique_ptr<ServerStore>> open_server_store(const std::string& location);
Result<std::unique_ptr<ServerStore>> open_sqlite_server_store(const std::string& path);
Result<std::unique_ptr<ServerStore>> open_postgres_server_store(const std::string& conninfo);

}  // namespace tillit::server
