// The one way a kiosk's batch enters the store, shared by POST /v1/batches
// (http_server.cpp) and `tillit-server import` of an offline export file
// (admin_cli.cpp), so a batch gets the same per-item answers whichever way it came:
// device -> Ed25519 signature over the gzipped bytes -> revoked -> the caller's gate
// (HTTP: the per-device rate limit) -> bounded gunzip -> parse_batch -> item rules ->
// ServerStore::put_batch, which commits the whole batch in one transaction. Nothing
// here writes logs or prints; refusals and outcomes carry ids and counts, never content.
#pragma once

#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "core/wire.h"
#include "server_store.h"

namespace tillit::server {

// The path a batch signature covers, also for batches read from an export file.
constexpr const char* kBatchesPath = "/v1/batches";

enum class RefusalKind {
    UnknownDevice,  // no such device (HTTP 401)
    BadSignature,   // missing, malformed or wrong signature (401)
    Revoked,        // correctly signed by a revoked device (403)
    Gate,           // refused by the caller's gate, e.g. the rate limit (429)
    TooLarge,       // inflates to more than wire::kMaxInflatedBytes (413)
    Corrupt,        // not gzip, not a batch, or not the batch id expected (400)
    StoreFailed,    // the store failed; nothing was acknowledged (500)
};

// Why a whole request or batch was refused, in plain words for the sender (the
// messages are the ones the HTTP API answers with). Nothing of it was stored.
struct Refusal {
    RefusalKind kind = RefusalKind::Corrupt;
    std::string message;
    std::string device_id;  // set once the signature is verified
    std::string batch_id;   // set once the body parsed as a batch
    std::size_t items = 0;  // the batch's item count, once parsed
};

struct BatchCounts {
    std::size_t created = 0;
    std::size_t duplicate = 0;
    std::size_t conflict = 0;
    std::size_t invalid = 0;
    std::size_t items() const { return created + duplicate + conflict + invalid; }
    BatchCounts& operator+=(const BatchCounts& other);
};

// A batch that reached the store: committed before this is returned.
struct IngestedBatch {
    std::string device_id;
    std::string batch_id;
    int protocol = wire::kProtocol;         // the body's; the answer takes the same form
    std::vector<wire::ItemResult> results;  // one per received item, in the body's order
    BatchCounts counts() const;
};

// A verified device, or why not: the device is looked up (unknown -> UnknownDevice),
// the signature checked over "tillit-v1\n" + path + "\n" + body exactly as received,
// then revocation (only after the signature, so a stranger learns nothing). Used for
// every signed request.
std::variant<Device, Refusal> verify_signed(ServerStore& store, std::string_view path, const std::string& device_id,
                                            std::string_view signature_base64, std::string_view body);

// Bounded gunzip of a signed body: TooLarge past wire::kMaxInflatedBytes, Corrupt
// when it is not gzip.
std::variant<std::string, Refusal> inflate_body(std::string_view gzipped_body);

struct BatchRequest {
    std::string device_id;
    std::string_view signature_base64;  // the X-Tillit-Signature value
    std::string_view gzipped_body;      // the bytes exactly as signed
    std::string expected_batch_id;      // "" accepts any; else the body's batch_id must equal it
};

// After device, signature and revocation are checked and before anything is
// inflated: a message refuses the batch (RefusalKind::Gate), nullopt lets it through.
using IngestGate = std::function<std::optional<std::string>(const Device&)>;

// Verifies, inflates, parses and validates one batch and stores its valid items with
// ServerStore::put_batch: created / duplicate (same id, same hash) / conflict (same id,
// other hash; the stored item is kept) / invalid (with the reason) per item.
std::variant<IngestedBatch, Refusal> ingest_batch(ServerStore& store, const BatchRequest& request,
                                                  const IngestGate& gate = {});

}  // namespace tillit::server
