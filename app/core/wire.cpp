// Wire encoding and crypto for the sync protocol. libsodium for hashing, signatures
// and sealed boxes; zlib for gzip. Parsing is defensive: the server feeds it bytes
// from the network.
#include "core/wire.h"

#include <algorithm>
#include <array>
#include <mutex>
#include <set>
#include <stdexcept>

#include <sodium.h>
#include <zlib.h>

namespace tillit::wire {
namespace {

std::once_flag g_sodium_once;

void ensure_sodium() {
    std::call_once(g_sodium_once, [] {
        if (sodium_init() < 0) throw std::runtime_error("libsodium could not be initialised");
    });
}

const unsigned char* bytes_of(std::string_view s) { return reinterpret_cast<const unsigned char*>(s.data()); }

std::string signing_message(std::string_view path, std::string_view body) {
    std::string message = "tillit-v1\n";
    message.append(path);
    message += '\n';
    message.append(body);
    return message;
}

bool is_hex64(const std::string& s) {
    return s.size() == 64 && std::all_of(s.begin(), s.end(), [](char c) {
               return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
           });
}

}  // namespace

bool is_uuid_v4(std::string_view t) {
    if (t.size() != 36) return false;
    for (std::size_t i = 0; i < t.size(); ++i) {
        const char c = t[i];
        if (i == 8 || i == 13 || i == 18 || i == 23) {
            if (c != '-') return false;
        } else if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
            return false;
        }
    }
    return t[14] == '4' && (t[19] == '8' || t[19] == '9' || t[19] == 'a' || t[19] == 'b');
}

std::string sha256_hex(std::string_view bytes) {
    ensure_sodium();
    std::array<unsigned char, crypto_hash_sha256_BYTES> digest{};
    crypto_hash_sha256(digest.data(), bytes_of(bytes), bytes.size());
    std::string hex(digest.size() * 2 + 1, '\0');
    sodium_bin2hex(hex.data(), hex.size(), digest.data(), digest.size());
    hex.pop_back();
    return hex;
}

std::string canonical(const nlohmann::json& value) {
    // nlohmann's objects are std::map: keys come out sorted; dump() has no spaces.
    return value.dump(-1, ' ', false, nlohmann::json::error_handler_t::strict);
}

std::string base64_encode(std::string_view bytes) {
    ensure_sodium();
    std::string out(sodium_base64_ENCODED_LEN(bytes.size(), sodium_base64_VARIANT_ORIGINAL), '\0');
    sodium_bin2base64(out.data(), out.size(), bytes_of(bytes), bytes.size(), sodium_base64_VARIANT_ORIGINAL);
    out.resize(out.size() - 1);  // the terminating NUL
    return out;
}

Result<std::string> base64_decode(std::string_view text) {
    ensure_sodium();
    std::string out(text.size() / 4 * 3 + 3, '\0');
    std::size_t length = 0;
    if (sodium_base642bin(reinterpret_cast<unsigned char*>(out.data()), out.size(), text.data(), text.size(),
                          nullptr, &length, nullptr, sodium_base64_VARIANT_ORIGINAL) != 0) {
        return make_error("not valid base64");
    }
    out.resize(length);
    return out;
}

std::string gzip(std::string_view bytes) {
    z_stream z{};
    // windowBits 15 + 16: a gzip header and trailer, not a raw zlib stream.
    if (deflateInit2(&z, Z_BEST_COMPRESSION, Z_DEFLATED, 15 + 16, 9, Z_DEFAULT_STRATEGY) != Z_OK) {
        throw std::runtime_error("zlib deflateInit2 failed");
    }
    std::string out(deflateBound(&z, static_cast<uLong>(bytes.size())) + 32, '\0');
    z.next_in = const_cast<Bytef*>(bytes_of(bytes));
    z.avail_in = static_cast<uInt>(bytes.size());
    z.next_out = reinterpret_cast<Bytef*>(out.data());
    z.avail_out = static_cast<uInt>(out.size());
    const int status = deflate(&z, Z_FINISH);
    out.resize(z.total_out);
    deflateEnd(&z);
    if (status != Z_STREAM_END) throw std::runtime_error("zlib deflate failed");
    return out;
}

Result<std::string> gunzip(std::string_view bytes, std::size_t max_output) {
    z_stream z{};
    if (inflateInit2(&z, 15 + 16) != Z_OK) return make_error("cannot start gzip decoding");
    z.next_in = const_cast<Bytef*>(bytes_of(bytes));
    z.avail_in = static_cast<uInt>(bytes.size());
    std::string out;
    std::array<char, 65536> chunk{};
    int status = Z_OK;
    while (status != Z_STREAM_END) {
        z.next_out = reinterpret_cast<Bytef*>(chunk.data());
        z.avail_out = static_cast<uInt>(chunk.size());
        status = inflate(&z, Z_NO_FLUSH);
        if (status != Z_OK && status != Z_STREAM_END) {
            inflateEnd(&z);
            return make_error("the body is not valid gzip");
        }
        out.append(chunk.data(), chunk.size() - z.avail_out);
        if (out.size() > max_output) {
            inflateEnd(&z);
            return make_error("the body inflates to more than " + std::to_string(max_output) + " bytes");
        }
        if (status == Z_OK && z.avail_in == 0 && z.avail_out != 0) {
            inflateEnd(&z);
            return make_error("the gzip body is truncated");
        }
    }
    const bool trailing = z.avail_in != 0;
    inflateEnd(&z);
    if (trailing) return make_error("unexpected bytes after the gzip body");
    return out;
}

DeviceKeys generate_device_keys() {
    ensure_sodium();
    DeviceKeys keys{std::string(crypto_sign_PUBLICKEYBYTES, '\0'), std::string(crypto_sign_SECRETKEYBYTES, '\0')};
    crypto_sign_keypair(reinterpret_cast<unsigned char*>(keys.public_key.data()),
                        reinterpret_cast<unsigned char*>(keys.secret_key.data()));
    return keys;
}

std::string sign(const DeviceKeys& keys, std::string_view path, std::string_view body) {
    ensure_sodium();
    if (keys.secret_key.size() != crypto_sign_SECRETKEYBYTES) throw std::invalid_argument("bad device secret key");
    const std::string message = signing_message(path, body);
    std::array<unsigned char, crypto_sign_BYTES> signature{};
    crypto_sign_detached(signature.data(), nullptr, bytes_of(message), message.size(), bytes_of(keys.secret_key));
    return base64_encode(std::string_view(reinterpret_cast<const char*>(signature.data()), signature.size()));
}

bool verify(std::string_view public_key, std::string_view path, std::string_view body,
            std::string_view signature_base64) {
    ensure_sodium();
    if (public_key.size() != crypto_sign_PUBLICKEYBYTES) return false;
    const auto signature = base64_decode(signature_base64);
    if (!signature || signature.value().size() != crypto_sign_BYTES) return false;
    const std::string message = signing_message(path, body);
    return crypto_sign_verify_detached(bytes_of(signature.value()), bytes_of(message), message.size(),
                                       bytes_of(public_key)) == 0;
}

SealingKeys generate_sealing_keys() {
    ensure_sodium();
    SealingKeys keys{std::string(crypto_box_PUBLICKEYBYTES, '\0'), std::string(crypto_box_SECRETKEYBYTES, '\0')};
    crypto_box_keypair(reinterpret_cast<unsigned char*>(keys.public_key.data()),
                       reinterpret_cast<unsigned char*>(keys.secret_key.data()));
    return keys;
}

std::string seal(std::string_view public_key, std::string_view plaintext) {
    ensure_sodium();
    if (public_key.size() != crypto_box_PUBLICKEYBYTES) throw std::invalid_argument("bad sealing public key");
    std::string sealed(plaintext.size() + crypto_box_SEALBYTES, '\0');
    crypto_box_seal(reinterpret_cast<unsigned char*>(sealed.data()), bytes_of(plaintext), plaintext.size(),
                    bytes_of(public_key));
    return base64_encode(sealed);
}

Result<std::string> unseal(const SealingKeys& keys, std::string_view sealed_base64) {
    ensure_sodium();
    auto sealed = base64_decode(sealed_base64);
    if (!sealed || sealed.value().size() < crypto_box_SEALBYTES) return make_error("not a sealed text");
    std::string plain(sealed.value().size() - crypto_box_SEALBYTES, '\0');
    if (crypto_box_seal_open(reinterpret_cast<unsigned char*>(plain.data()), bytes_of(sealed.value()),
                             sealed.value().size(), bytes_of(keys.public_key), bytes_of(keys.secret_key)) != 0) {
        return make_error("the sealed text does not open with this key");
    }
    return plain;
}

const char* to_string(ItemKind kind) {
    switch (kind) {
        case ItemKind::Response: return "response";
        case ItemKind::Abandonment: return "abandonment";
        case ItemKind::Workshop: return "workshop";
    }
    return "response";
}

std::optional<ItemKind> parse_kind(std::string_view text) {
    if (text == "response") return ItemKind::Response;
    if (text == "abandonment") return ItemKind::Abandonment;
    if (text == "workshop") return ItemKind::Workshop;
    return std::nullopt;
}

const char* to_string(ItemStatus status) {
    switch (status) {
        case ItemStatus::Created: return "created";
        case ItemStatus::Duplicate: return "duplicate";
        case ItemStatus::Conflict: return "conflict";
        case ItemStatus::Invalid: return "invalid";
    }
    return "invalid";
}

Item make_item(std::string id, ItemKind kind, nlohmann::json content) {
    Item item{std::move(id), kind, std::move(content), {}};
    item.sha256 = sha256_hex(canonical(item.content));
    return item;
}

std::string batch_json(const std::string& batch_id, const std::vector<Item>& items, int protocol) {
    nlohmann::json list = nlohmann::json::array();
    for (const Item& item : items) {
        nlohmann::json entry = {{"id", item.id}, {"kind", to_string(item.kind)}, {"content", item.content}};
        if (protocol == 1) entry["sha256"] = item.sha256;
        list.push_back(std::move(entry));
    }
    return canonical({{"protocol", protocol}, {"batch_id", batch_id}, {"items", list}});
}

Result<ReceivedBatch> parse_batch(std::string_view json_text) {
    const nlohmann::json doc = nlohmann::json::parse(json_text, nullptr, false);
    if (doc.is_discarded() || !doc.is_object()) return make_error("the body is not a JSON object");
    const auto& version = doc.value("protocol", nlohmann::json());
    if (!version.is_number_integer() || version.get<long long>() < kOldestProtocol ||
        version.get<long long>() > kProtocol) {
        return make_error("unsupported protocol version");
    }
    if (!doc.contains("batch_id") || !doc["batch_id"].is_string() ||
        !is_uuid_v4(doc["batch_id"].get<std::string>())) {
        return make_error("batch_id must be a UUIDv4");
    }
    if (!doc.contains("items") || !doc["items"].is_array()) return make_error("items must be an array");
    ReceivedBatch batch;
    batch.protocol = static_cast<int>(version.get<long long>());
    batch.batch_id = doc["batch_id"].get<std::string>();
    std::set<std::string> seen;
    for (const auto& raw : doc["items"]) {
        ReceivedItem received;
        auto invalid = [&](std::string reason) {
            received.invalid_reason = std::move(reason);
            batch.items.push_back(received);
        };
        if (!raw.is_object() || !raw.contains("id") || !raw["id"].is_string()) {
            batch.items.push_back({{}, "item without a string id"});
            continue;
        }
        received.item.id = raw["id"].get<std::string>();
        if (!is_uuid_v4(received.item.id)) { invalid("id is not a UUIDv4"); continue; }
        if (!seen.insert(received.item.id).second) { invalid("the same id twice in one batch"); continue; }
        const auto kind = raw.value("kind", nlohmann::json()).is_string() ? raw["kind"].get<std::string>() : "";
        if (const auto parsed = parse_kind(kind)) {
            received.item.kind = *parsed;
        } else {
            invalid("unknown kind"); continue;
        }
        if (!raw.contains("content") || !raw["content"].is_object()) { invalid("content must be an object"); continue; }
        received.item.content = raw["content"];
        const std::string hash = sha256_hex(canonical(received.item.content));
        if (batch.protocol == 1) {
            // Version 1 sent the hash; the signature covers the body since, so version 2 does not.
            if (!raw.contains("sha256") || !raw["sha256"].is_string() || !is_hex64(raw["sha256"].get<std::string>())) {
                invalid("sha256 must be 64 lower-case hex digits"); continue;
            }
            if (raw["sha256"].get<std::string>() != hash) { invalid("sha256 does not match the content"); continue; }
        } else if (raw.contains("sha256")) {
            invalid("protocol 2 items carry no sha256"); continue;
        }
        received.item.sha256 = hash;
        batch.items.push_back(std::move(received));
    }
    return batch;
}

std::string ids_digest(std::vector<std::string> ids) {
    std::sort(ids.begin(), ids.end());
    std::string joined;
    for (const std::string& id : ids) {
        if (!joined.empty()) joined += '\n';
        joined += id;
    }
    return sha256_hex(joined);
}

std::string results_json(const std::string& batch_id, const std::vector<ItemResult>& results, int protocol) {
    nlohmann::json list = nlohmann::json::array();
    std::vector<std::string> ids;
    long long created = 0;
    long long duplicate = 0;
    for (const ItemResult& r : results) {
        ids.push_back(r.id);
        if (protocol != 1 && r.status == ItemStatus::Created) {
            ++created;
            continue;
        }
        if (protocol != 1 && r.status == ItemStatus::Duplicate) {
            ++duplicate;
            continue;
        }
        nlohmann::json entry = {{"id", r.id}, {"status", to_string(r.status)}};
        if (!r.reason.empty()) entry["reason"] = r.reason;
        list.push_back(std::move(entry));
    }
    if (protocol == 1) return canonical({{"batch_id", batch_id}, {"results", list}});
    return canonical({{"batch_id", batch_id},
                      {"protocol", protocol},
                      {"created", created},
                      {"duplicate", duplicate},
                      {"ids_sha256", ids_digest(std::move(ids))},
                      {"results", list}});
}

Result<std::vector<ItemResult>> parse_results(std::string_view json_text, const std::string& batch_id,
                                              const std::vector<std::string>& expected_ids) {
    const nlohmann::json doc = nlohmann::json::parse(json_text, nullptr, false);
    if (doc.is_discarded() || !doc.is_object() || !doc.contains("batch_id") || doc["batch_id"] != batch_id ||
        !doc.contains("results") || !doc["results"].is_array()) {
        return make_error("the answer does not echo the batch id (not the tillit server?)");
    }
    const bool summary = doc.contains("ids_sha256");
    if (summary) {
        if (!doc["ids_sha256"].is_string() || !doc.contains("created") || !doc["created"].is_number_integer() ||
            !doc.contains("duplicate") || !doc["duplicate"].is_number_integer()) {
            return make_error("the answer's summary is malformed");
        }
        if (doc["ids_sha256"].get<std::string>() != ids_digest(expected_ids)) {
            return make_error("the answer is for other items than were sent");
        }
    }
    std::set<std::string> expected(expected_ids.begin(), expected_ids.end());
    std::vector<ItemResult> results;
    for (const auto& raw : doc["results"]) {
        if (!raw.is_object() || !raw.contains("id") || !raw["id"].is_string() || !raw.contains("status") ||
            !raw["status"].is_string()) {
            return make_error("an item result is malformed");
        }
        ItemResult r;
        r.id = raw["id"].get<std::string>();
        const std::string status = raw["status"].get<std::string>();
        if (summary && (status == "created" || status == "duplicate")) {
            return make_error("the answer lists a stored item");
        }
        if (status == "created") r.status = ItemStatus::Created;
        else if (status == "duplicate") r.status = ItemStatus::Duplicate;
        else if (status == "conflict") r.status = ItemStatus::Conflict;
        else if (status == "invalid") r.status = ItemStatus::Invalid;
        else return make_error("unknown item status '" + status + "'");
        if (raw.contains("reason") && raw["reason"].is_string()) r.reason = raw["reason"].get<std::string>();
        if (expected.erase(r.id) != 1) return make_error("the answer names an item that was not sent, or one twice");
        results.push_back(std::move(r));
    }
    if (summary) {
        // The digest matched: every id not listed is one the server says it holds.
        if (doc["created"].get<long long>() < 0 || doc["duplicate"].get<long long>() < 0 ||
            doc["created"].get<long long>() + doc["duplicate"].get<long long>() !=
                static_cast<long long>(expected.size())) {
            return make_error("the answer's counts do not add up to the items sent");
        }
        for (const std::string& id : expected) results.push_back({id, ItemStatus::Created, {}});
        expected.clear();
    }
    if (!expected.empty()) return make_error("the answer leaves " + std::to_string(expected.size()) + " items unanswered");
    return results;
}

}  // namespace tillit::wire
