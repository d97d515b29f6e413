// The sync protocol's shared wire types and crypto (docs/sync-protocol.md), used by
// the kiosk's sync client and by tillit-server so both encode and check the same
// bytes: canonical JSON + SHA-256 per item, Ed25519 request signatures, sealed free
// text, gzip with a bounded inflate. No networking and no storage here.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/result.h"

namespace tillit::wire {

// Version 2 (the kiosk sends it) drops the per-item sha256 from batches and answers
// with a summary; the server still takes version 1 batches (frozen by an older kiosk
// and re-sent byte-identical) and answers them in version 1's form.
constexpr int kProtocol = 2;
constexpr int kOldestProtocol = 1;
constexpr const char* kContentType = "application/gzip";
constexpr const char* kDeviceHeader = "X-Tillit-Device";
constexpr const char* kSignatureHeader = "X-Tillit-Signature";
constexpr std::size_t kMaxInflatedBytes = 16u * 1024u * 1024u;

bool is_uuid_v4(std::string_view text);

std::string sha256_hex(std::string_view bytes);
// Keys sorted, no spaces, UTF-8: the form that is hashed and signed.
std::string canonical(const nlohmann::json& value);

std::string base64_encode(std::string_view bytes);
Result<std::string> base64_decode(std::string_view text);

std::string gzip(std::string_view bytes);
// Errors on corrupt input and when the output would exceed max_output (a gzip bomb).
Result<std::string> gunzip(std::string_view bytes, std::size_t max_output = kMaxInflatedBytes);

// Ed25519 device keys, raw bytes (32-byte public, 64-byte secret).
struct DeviceKeys {
    std::string public_key;
    std::string secret_key;
};
DeviceKeys generate_device_keys();
// base64 signature over "tillit-v1\n" + path + "\n" + body.
std::string sign(const DeviceKeys& keys, std::string_view path, std::string_view body);
bool verify(std::string_view public_key, std::string_view path, std::string_view body,
            std::string_view signature_base64);

// X25519 sealing keys (the server's), raw bytes; free text is sealed to the public key.
struct SealingKeys {
    std::string public_key;
    std::string secret_key;
};
SealingKeys generate_sealing_keys();
std::string seal(std::string_view public_key, std::string_view plaintext);  // base64
Result<std::string> unseal(const SealingKeys& keys, std::string_view sealed_base64);

// A workshop is the record of a finished facilitated dialogue (core/workshop.h).
enum class ItemKind { Response, Abandonment, Workshop };
const char* to_string(ItemKind kind);
std::optional<ItemKind> parse_kind(std::string_view text);

struct Item {
    std::string id;
    ItemKind kind = ItemKind::Response;
    nlohmann::json content;  // the row's fields, without its id
    std::string sha256;      // of canonical(content); on the wire in protocol 1 only
};
Item make_item(std::string id, ItemKind kind, nlohmann::json content);

// The batch body (before gzip), canonical so a frozen batch re-encodes byte-identically.
// `protocol` 1 only for tests of the older form.
std::string batch_json(const std::string& batch_id, const std::vector<Item>& items, int protocol = kProtocol);

enum class ItemStatus { Created, Duplicate, Conflict, Invalid };
const char* to_string(ItemStatus status);

struct ItemResult {
    std::string id;
    ItemStatus status = ItemStatus::Invalid;
    std::string reason;  // Invalid (and Conflict): why
};

// What the server makes of one received item before storage: a valid item, or the
// reason it is invalid (so one bad item never rejects the others).
struct ReceivedItem {
    Item item;
    std::string invalid_reason;  // empty when valid
};
struct ReceivedBatch {
    int protocol = kProtocol;
    std::string batch_id;
    std::vector<ReceivedItem> items;
};
// Parses a batch body (after gunzip). A body that is not a batch at all is an Error;
// problems with single items are reported per item.
Result<ReceivedBatch> parse_batch(std::string_view json_text);

// SHA-256 (hex) of the ids sorted and joined by "\n": a protocol 2 answer carries it so
// the kiosk knows the server read exactly the items it sent.
std::string ids_digest(std::vector<std::string> ids);

// The answer to a batch. Protocol 1: every item with its status. Protocol 2: only the
// items not stored (conflict, invalid), the counts created and duplicate, and
// ids_digest of every item read.
std::string results_json(const std::string& batch_id, const std::vector<ItemResult>& results,
                         int protocol = kProtocol);
// The kiosk's check of an answer: the body must echo `batch_id` and answer every id
// in `expected_ids` exactly once (protocol 1 by listing it; protocol 2 by the digest
// and counts, an unlisted item being stored, returned as Created); otherwise an Error
// (e.g. a captive portal's page).
Result<std::vector<ItemResult>> parse_results(std::string_view json_text, const std::string& batch_id,
                                              const std::vector<std::string>& expected_ids);

}  // namespace tillit::wire
