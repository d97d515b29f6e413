// Signed batches from signature to commit (see batch_ingest.h). The order matters:
// nothing costly (inflating) or revealing (revoked or not) happens before the
// signature over the bytes as sent is verified.
#include "batch_ingest.h"

#include <utility>

#include "item_rules.h"

namespace tillit::server {
namespace {

Refusal refusal(RefusalKind kind, std::string message) {
    Refusal r;
    r.kind = kind;
    r.message = std::move(message);
    return r;
}

// wire::gunzip reports a bomb and a corrupt body alike as an Error; they are refused
// differently (413 vs 400), so recognise the bomb by its message. The bomb test in
// tests/server/test_http.cpp fails if wire ever words it differently.
bool is_inflate_limit(const std::string& message) {
    return message == "the body inflates to more than " + std::to_string(wire::kMaxInflatedBytes) + " bytes";
}

}  // namespace

BatchCounts& BatchCounts::operator+=(const BatchCounts& other) {
    created += other.created;
    duplicate += other.duplicate;
    conflict += other.conflict;
    invalid += other.invalid;
    return *this;
}

BatchCounts IngestedBatch::counts() const {
    BatchCounts counts;
    for (const wire::ItemResult& r : results) {
        switch (r.status) {
            case wire::ItemStatus::Created:
                ++counts.created;
                break;
            case wire::ItemStatus::Duplicate:
                ++counts.duplicate;
                break;
            case wire::ItemStatus::Conflict:
                ++counts.conflict;
                break;
            case wire::ItemStatus::Invalid:
                ++counts.invalid;
                break;
        }
    }
    return counts;
}

std::variant<Device, Refusal> verify_signed(ServerStore& store, std::string_view path, const std::string& device_id,
                                            std::string_view signature_base64, std::string_view body) {
    if (!wire::is_uuid_v4(device_id)) return refusal(RefusalKind::UnknownDevice, "unknown device");
    auto found = store.find_device(device_id);
    if (!found) return refusal(RefusalKind::StoreFailed, "could not look up the device: " + found.error());
    if (!found.value()) return refusal(RefusalKind::UnknownDevice, "unknown device; enrol it with a new code");
    Device device = std::move(*found.value());
    // The signature covers the bytes exactly as received, checked before they are
    // inflated: a stranger cannot make the server do any decompression work.
    if (signature_base64.empty() || !wire::verify(device.public_key, path, body, signature_base64)) {
        return refusal(RefusalKind::BadSignature,
                       "the signature does not match the request (tampered, or signed with another key)");
    }
    if (device.revoked) {
        Refusal revoked =
            refusal(RefusalKind::Revoked, "this device has been revoked; ask the admin to enrol it again");
        revoked.device_id = device.device_id;
        return revoked;
    }
    return device;
}

std::variant<std::string, Refusal> inflate_body(std::string_view gzipped_body) {
    auto inflated = wire::gunzip(gzipped_body);
    if (inflated) return std::move(inflated).value();
    return refusal(is_inflate_limit(inflated.error()) ? RefusalKind::TooLarge : RefusalKind::Corrupt, inflated.error());
}

std::variant<IngestedBatch, Refusal> ingest_batch(ServerStore& store, const BatchRequest& request,
                                                  const IngestGate& gate) {
    auto verified =
        verify_signed(store, kBatchesPath, request.device_id, request.signature_base64, request.gzipped_body);
    if (auto* refused = std::get_if<Refusal>(&verified)) return std::move(*refused);
    const Device& device = std::get<Device>(verified);
    // From here on every refusal names the (verified) device.
    auto refuse = [&](RefusalKind kind, std::string message) {
        Refusal r = refusal(kind, std::move(message));
        r.device_id = device.device_id;
        return r;
    };
    if (gate) {
        if (auto message = gate(device)) return refuse(RefusalKind::Gate, std::move(*message));
    }
    auto inflated = inflate_body(request.gzipped_body);
    if (auto* refused = std::get_if<Refusal>(&inflated)) return refuse(refused->kind, std::move(refused->message));

    auto parsed = wire::parse_batch(std::get<std::string>(inflated));
    if (!parsed) return refuse(RefusalKind::Corrupt, parsed.error());
    wire::ReceivedBatch& batch = parsed.value();
    auto refuse_batch = [&](RefusalKind kind, std::string message) {
        Refusal r = refuse(kind, std::move(message));
        r.batch_id = batch.batch_id;
        r.items = batch.items.size();
        return r;
    };
    if (!request.expected_batch_id.empty() && batch.batch_id != request.expected_batch_id) {
        return refuse_batch(RefusalKind::Corrupt, "the body holds batch " + batch.batch_id + ", not the batch " +
                                                      request.expected_batch_id + " it is filed as");
    }
    for (wire::ReceivedItem& received : batch.items) {
        if (received.invalid_reason.empty()) received.invalid_reason = item_content_problem(received.item);
    }
    auto results = store.put_batch(device.device_id, batch);
    if (!results) return refuse_batch(RefusalKind::StoreFailed, results.error());
    if (results.value().size() != batch.items.size()) {
        return refuse_batch(RefusalKind::StoreFailed, "the store answered for a different number of items");
    }
    return IngestedBatch{.device_id = device.device_id,
                         .batch_id = batch.batch_id,
                         .protocol = batch.protocol,
                         .results = std::move(results).value()};
}

}  // namespace tillit::server
