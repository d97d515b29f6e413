// Tests for core/wire, the bytes both sides of the sync protocol agree on: UUIDv4
// shape, SHA-256 and canonical JSON, base64, bounded gzip (truncated, corrupt and bomb
// inputs), Ed25519 request signatures, sealed free text, batch encoding and parsing,
// and the kiosk's check of the server's per-item answer. No network and no storage.
#include <doctest/doctest.h>
#include <sys/resource.h>
#include <zlib.h>

#include <array>
#include <cstddef>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/privacy.h"
#include "core/wire.h"

namespace {

using nlohmann::json;
using namespace tillit;

json response_content(int answer) {
    return {{"survey_id", "tillit"},
            {"survey_version", 1},
            {"language", "sv"},
            {"venue_id", "biblioteket-centrum"},
            {"time_bucket", "2026-11-23T14"},
            {"answers", {{"q1", answer}, {"q2", "Bra bemötande, tack!"}}}};
}

wire::Item sample_item(int answer = 4) {
    return wire::make_item(new_uuid_v4(), wire::ItemKind::Response, response_content(answer));
}

// One raw item as a kiosk puts it in a batch (protocol 1 with its sha256), for
// hand-made (and broken) bodies.
json raw_item(const wire::Item& item, int protocol = wire::kProtocol) {
    json raw = {{"id", item.id}, {"kind", wire::to_string(item.kind)}, {"content", item.content}};
    if (protocol == 1) raw["sha256"] = item.sha256;
    return raw;
}

std::string body_with(const std::vector<json>& raw_items, const json& protocol = wire::kProtocol) {
    return json{{"protocol", protocol}, {"batch_id", new_uuid_v4()}, {"items", raw_items}}.dump();
}

// `total` zero bytes gzipped in 1 MiB steps, so the test itself never holds them all.
std::string gzip_of_zeros(std::size_t total) {
    z_stream z{};
    REQUIRE(deflateInit2(&z, Z_BEST_COMPRESSION, Z_DEFLATED, 15 + 16, 9, Z_DEFAULT_STRATEGY) == Z_OK);
    const std::string zeros(1024 * 1024, '\0');
    std::string out;
    std::array<char, 65536> chunk{};
    for (std::size_t fed = 0; fed < total; fed += zeros.size()) {
        const bool last = fed + zeros.size() >= total;
        z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(zeros.data()));
        z.avail_in = static_cast<uInt>(zeros.size());
        do {
            z.next_out = reinterpret_cast<Bytef*>(chunk.data());
            z.avail_out = static_cast<uInt>(chunk.size());
            deflate(&z, last ? Z_FINISH : Z_NO_FLUSH);
            out.append(chunk.data(), chunk.size() - z.avail_out);
        } while (z.avail_out == 0 || (last && z.avail_in != 0));
    }
    deflateEnd(&z);
    return out;
}

long peak_rss_kib() {
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    return usage.ru_maxrss;  // KiB on Linux
}

}  // namespace

TEST_CASE("wire: is_uuid_v4 accepts only lower-case version 4 UUIDs") {
    CHECK(wire::is_uuid_v4(new_uuid_v4()));
    CHECK(wire::is_uuid_v4("5f0c8e2a-1b3d-4c5e-8f70-123456789abc"));
    CHECK(wire::is_uuid_v4("5f0c8e2a-1b3d-4c5e-bf70-123456789abc"));
    CHECK_FALSE(wire::is_uuid_v4(""));
    CHECK_FALSE(wire::is_uuid_v4("5F0C8E2A-1B3D-4C5E-8F70-123456789ABC"));   // upper case
    CHECK_FALSE(wire::is_uuid_v4("5f0c8e2a-1b3d-1c5e-8f70-123456789abc"));   // version 1
    CHECK_FALSE(wire::is_uuid_v4("5f0c8e2a-1b3d-4c5e-7f70-123456789abc"));   // wrong variant
    CHECK_FALSE(wire::is_uuid_v4("5f0c8e2a1b3d4c5e8f70123456789abc"));       // no dashes
    CHECK_FALSE(wire::is_uuid_v4("5f0c8e2a-1b3d-4c5e-8f70-123456789abcd"));  // too long
    CHECK_FALSE(wire::is_uuid_v4("5f0c8e2a-1b3d-4c5e-8f70-123456789abg"));   // not hex
}

TEST_CASE("wire: sha256_hex matches the FIPS 180-2 vectors") {
    CHECK(wire::sha256_hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    CHECK(wire::sha256_hex("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    CHECK(wire::sha256_hex(std::string("a\0b", 3)) != wire::sha256_hex("a"));  // binary-safe
}

TEST_CASE("wire: canonical JSON sorts keys at every level, has no spaces and keeps UTF-8") {
    const json a = json::parse(R"({"b": 1, "a": {"d": [3, 1], "c": "å"}})");
    const json b = json::parse(R"({"a": {"c": "å", "d": [3, 1]}, "b": 1})");
    CHECK(wire::canonical(a) == "{\"a\":{\"c\":\"\xC3\xA5\",\"d\":[3,1]},\"b\":1}");
    CHECK(wire::canonical(a) == wire::canonical(b));
}

TEST_CASE("wire: base64 round-trips any bytes and refuses what is not base64") {
    std::string all_bytes;
    for (int c = 0; c < 256; ++c) all_bytes += static_cast<char>(c);
    for (std::size_t length : {0u, 1u, 2u, 3u, 4u, 5u, 256u}) {
        const std::string bytes = all_bytes.substr(0, length);
        const auto decoded = wire::base64_decode(wire::base64_encode(bytes));
        REQUIRE(decoded);
        CHECK(decoded.value() == bytes);
    }
    CHECK(wire::base64_encode("foobar") == "Zm9vYmFy");
    CHECK(wire::base64_encode("fo") == "Zm8=");
    CHECK_FALSE(wire::base64_decode("Zm9v!mFy"));
    CHECK_FALSE(wire::base64_decode("Zm8"));     // padding missing
    CHECK_FALSE(wire::base64_decode("Zm9v YmFy"));
}

TEST_CASE("wire: gzip and gunzip round-trip, and the output is a gzip file") {
    for (const std::string& text : {std::string(), std::string("{\"a\":1}"), std::string(200000, 'x')}) {
        const std::string packed = wire::gzip(text);
        REQUIRE(packed.size() >= 2);
        CHECK(static_cast<unsigned char>(packed[0]) == 0x1f);
        CHECK(static_cast<unsigned char>(packed[1]) == 0x8b);
        const auto unpacked = wire::gunzip(packed);
        REQUIRE(unpacked);
        CHECK(unpacked.value() == text);
    }
}

TEST_CASE("wire: truncated, corrupt, trailing-garbage and non-gzip bodies are refused") {
    const std::string text = wire::canonical(response_content(3)) + std::string(5000, 'y');
    const std::string packed = wire::gzip(text);
    SUBCASE("truncated") {
        CHECK_FALSE(wire::gunzip(packed.substr(0, packed.size() - 8)));  // trailer cut off
        CHECK_FALSE(wire::gunzip(packed.substr(0, packed.size() / 2)));
        CHECK_FALSE(wire::gunzip(packed.substr(0, 5)));
    }
    SUBCASE("corrupt") {
        std::string damaged = packed;
        damaged[damaged.size() / 2] = static_cast<char>(damaged[damaged.size() / 2] ^ 0x55);
        CHECK_FALSE(wire::gunzip(damaged));
        std::string bad_crc = packed;
        bad_crc[bad_crc.size() - 6] = static_cast<char>(bad_crc[bad_crc.size() - 6] ^ 0x01);
        CHECK_FALSE(wire::gunzip(bad_crc));
    }
    SUBCASE("trailing bytes") { CHECK_FALSE(wire::gunzip(packed + "extra")); }
    SUBCASE("not gzip") {
        CHECK_FALSE(wire::gunzip(""));
        CHECK_FALSE(wire::gunzip("{\"protocol\":1}"));
        CHECK_FALSE(wire::gunzip("<html><body>Welcome to the hotel Wi-Fi</body></html>"));
    }
}

TEST_CASE("wire: gunzip stops at the cap, exactly at the cap is fine") {
    const std::size_t cap = 1024 * 1024;
    CHECK(wire::gunzip(wire::gzip(std::string(cap, 'z')), cap));
    CHECK_FALSE(wire::gunzip(wire::gzip(std::string(cap + 1, 'z')), cap));
}

TEST_CASE("wire: a gzip bomb is refused by the cap without inflating it all") {
    const std::size_t inflated = 64u * 1024u * 1024u;
    const std::string bomb = gzip_of_zeros(inflated);
    REQUIRE(bomb.size() < 256 * 1024);  // ~1000:1, the point of a bomb

    // With a 1 MiB cap the peak memory must stay far below the 64 MiB the bomb holds
    // (measured first, before the default cap below raises the peak by its 16 MiB).
    const long before = peak_rss_kib();
    CHECK_FALSE(wire::gunzip(bomb, 1024 * 1024));
    CHECK(peak_rss_kib() - before < 16 * 1024);

    const auto refused = wire::gunzip(bomb);  // the default cap, 16 MiB
    REQUIRE_FALSE(refused);
    CHECK(refused.error().find(std::to_string(wire::kMaxInflatedBytes)) != std::string::npos);
}

TEST_CASE("wire: signatures verify only with the right key, path and body") {
    const wire::DeviceKeys keys = wire::generate_device_keys();
    CHECK(keys.public_key.size() == 32);
    CHECK(keys.secret_key.size() == 64);
    const std::string body = wire::gzip(R"({"protocol":1})");
    const std::string signature = wire::sign(keys, "/v1/batches", body);
    CHECK(wire::verify(keys.public_key, "/v1/batches", body, signature));
    CHECK(wire::sign(keys, "/v1/batches", body) == signature);  // Ed25519 is deterministic

    SUBCASE("another device's key") {
        CHECK_FALSE(wire::verify(wire::generate_device_keys().public_key, "/v1/batches", body, signature));
    }
    SUBCASE("tampered body") {
        std::string tampered = body;
        tampered.back() = static_cast<char>(tampered.back() ^ 0x01);
        CHECK_FALSE(wire::verify(keys.public_key, "/v1/batches", tampered, signature));
        CHECK_FALSE(wire::verify(keys.public_key, "/v1/batches", body + " ", signature));
    }
    SUBCASE("a signature for another path is not replayable") {
        CHECK_FALSE(wire::verify(keys.public_key, "/v1/heartbeat", body, signature));
    }
    SUBCASE("malformed signatures and keys") {
        CHECK_FALSE(wire::verify(keys.public_key, "/v1/batches", body, ""));
        CHECK_FALSE(wire::verify(keys.public_key, "/v1/batches", body, "not base64!"));
        CHECK_FALSE(wire::verify(keys.public_key, "/v1/batches", body, wire::base64_encode("too short")));
        CHECK_FALSE(wire::verify(keys.public_key, "/v1/batches", body, signature.substr(0, signature.size() - 4)));
        auto raw = wire::base64_decode(signature).value();
        raw[10] = static_cast<char>(raw[10] ^ 0x20);
        CHECK_FALSE(wire::verify(keys.public_key, "/v1/batches", body, wire::base64_encode(raw)));
        CHECK_FALSE(wire::verify("", "/v1/batches", body, signature));
        CHECK_FALSE(wire::verify(keys.public_key.substr(1), "/v1/batches", body, signature));
    }
}

TEST_CASE("wire: sealed text opens only with the server's key") {
    const wire::SealingKeys server = wire::generate_sealing_keys();
    const std::string text = "Jag vill ha längre öppettider på biblioteket";
    const std::string sealed = wire::seal(server.public_key, text);
    CHECK(sealed.find("biblioteket") == std::string::npos);
    CHECK(wire::seal(server.public_key, text) != sealed);  // a fresh ephemeral key each time

    const auto opened = wire::unseal(server, sealed);
    REQUIRE(opened);
    CHECK(opened.value() == text);

    CHECK_FALSE(wire::unseal(wire::generate_sealing_keys(), sealed));
    CHECK_FALSE(wire::unseal(server, "not base64!"));
    CHECK_FALSE(wire::unseal(server, wire::base64_encode("short")));
    auto raw = wire::base64_decode(sealed).value();
    raw.back() = static_cast<char>(raw.back() ^ 0x01);
    CHECK_FALSE(wire::unseal(server, wire::base64_encode(raw)));
}

TEST_CASE("wire: make_item hashes the canonical content, whatever the key order") {
    const json content = response_content(4);
    const wire::Item item = wire::make_item("5f0c8e2a-1b3d-4c5e-8f70-123456789abc", wire::ItemKind::Abandonment, content);
    CHECK(item.id == "5f0c8e2a-1b3d-4c5e-8f70-123456789abc");
    CHECK(item.kind == wire::ItemKind::Abandonment);
    CHECK(item.sha256 == wire::sha256_hex(wire::canonical(content)));
    const json reordered = json::parse(R"({"venue_id":"biblioteket-centrum","answers":{"q2":"Bra bemötande, tack!","q1":4},
        "time_bucket":"2026-11-23T14","language":"sv","survey_version":1,"survey_id":"tillit"})");
    CHECK(wire::make_item(item.id, item.kind, reordered).sha256 == item.sha256);
    CHECK(wire::make_item(item.id, item.kind, response_content(5)).sha256 != item.sha256);
    CHECK(std::string(wire::to_string(wire::ItemKind::Response)) == "response");
    CHECK(std::string(wire::to_string(wire::ItemKind::Abandonment)) == "abandonment");
}

TEST_CASE("wire: batch_json is byte-identical for the same input and parses back") {
    const std::string batch_id = new_uuid_v4();
    const std::vector<wire::Item> items = {sample_item(1), sample_item(2),
                                           wire::make_item(new_uuid_v4(), wire::ItemKind::Abandonment,
                                                           {{"reached_step", 4}, {"total_steps", 15}})};
    const std::string first = wire::batch_json(batch_id, items);
    CHECK(wire::batch_json(batch_id, items) == first);
    // A re-frozen copy (as read back from the kiosk's outbox) encodes the same bytes.
    std::vector<wire::Item> copy;
    for (const wire::Item& item : items) copy.push_back(wire::make_item(item.id, item.kind, json::parse(item.content.dump())));
    CHECK(wire::batch_json(batch_id, copy) == first);
    CHECK(wire::gzip(first) == wire::gzip(wire::batch_json(batch_id, copy)));
    // Canonical: keys sorted (batch_id, items, protocol), no spaces between tokens.
    CHECK(first.starts_with("{\"batch_id\":\"" + batch_id + "\",\"items\":[{\"content\":{"));
    CHECK(first.ends_with("],\"protocol\":2}"));
    CHECK(first.find("sha256") == std::string::npos);  // protocol 2: the signature covers the body

    const auto parsed = wire::parse_batch(first);
    REQUIRE(parsed);
    CHECK(parsed.value().batch_id == batch_id);
    REQUIRE(parsed.value().items.size() == items.size());
    for (std::size_t i = 0; i < items.size(); ++i) {
        const wire::ReceivedItem& received = parsed.value().items[i];
        CHECK(received.invalid_reason.empty());
        CHECK(received.item.id == items[i].id);
        CHECK(received.item.kind == items[i].kind);
        CHECK(received.item.sha256 == items[i].sha256);
        CHECK(received.item.content == items[i].content);
    }
    // A batch frozen by a protocol 1 kiosk (with hashes) is still taken.
    const auto old = wire::parse_batch(wire::batch_json(batch_id, items, 1));
    REQUIRE(old);
    CHECK(old.value().protocol == 1);
    REQUIRE(old.value().items.size() == items.size());
    for (std::size_t i = 0; i < items.size(); ++i) {
        CHECK(old.value().items[i].invalid_reason.empty());
        CHECK(old.value().items[i].item.sha256 == items[i].sha256);
    }
}

TEST_CASE("wire: parse_batch marks single bad items invalid and keeps the good ones (protocol 1)") {
    const wire::Item good = sample_item(1);
    const wire::Item other = sample_item(2);
    json bad_uuid = raw_item(sample_item(3), 1);
    bad_uuid["id"] = "5F0C8E2A-1B3D-4C5E-8F70-123456789ABC";
    json unknown_kind = raw_item(sample_item(4), 1);
    unknown_kind["kind"] = "feedback";
    json hash_mismatch = raw_item(sample_item(5), 1);
    hash_mismatch["content"]["answers"]["q1"] = 1;  // content changed after hashing
    json upper_hash = raw_item(sample_item(6), 1);
    upper_hash["sha256"] = "BA7816BF8F01CFEA414140DE5DAE2223B00361A396177A9CB410FF61F20015AD";
    json no_content = raw_item(sample_item(7), 1);
    no_content.erase("content");
    json duplicate = raw_item(good, 1);
    duplicate["content"]["answers"]["q1"] = 2;  // same id again, even with other content

    const auto parsed = wire::parse_batch(body_with({raw_item(good, 1), bad_uuid, duplicate, unknown_kind, hash_mismatch,
                                                     upper_hash, no_content, json{{"kind", "response"}},
                                                     raw_item(other, 1)},
                                                    1));
    REQUIRE(parsed);
    const auto& items = parsed.value().items;
    REQUIRE(items.size() == 9);
    CHECK(items[0].invalid_reason.empty());
    CHECK(items[1].invalid_reason == "id is not a UUIDv4");
    CHECK(items[2].invalid_reason == "the same id twice in one batch");
    CHECK(items[3].invalid_reason == "unknown kind");
    CHECK(items[4].invalid_reason == "sha256 does not match the content");
    CHECK(items[5].invalid_reason == "sha256 must be 64 lower-case hex digits");
    CHECK(items[6].invalid_reason == "content must be an object");
    CHECK(items[7].invalid_reason == "item without a string id");
    CHECK(items[8].invalid_reason.empty());
    CHECK(items[8].item.id == other.id);
    // The invalid ones still carry their id, so the answer can name them.
    CHECK(items[1].item.id == bad_uuid["id"].get<std::string>());
    CHECK(items[3].item.id == unknown_kind["id"].get<std::string>());
}

TEST_CASE("wire: protocol 2 items carry no hash; the server computes it") {
    const wire::Item good = sample_item(1);
    json with_hash = raw_item(sample_item(2), 1);
    const auto parsed = wire::parse_batch(body_with({raw_item(good), with_hash}));
    REQUIRE(parsed);
    REQUIRE(parsed.value().items.size() == 2);
    CHECK(parsed.value().protocol == 2);
    CHECK(parsed.value().items[0].invalid_reason.empty());
    CHECK(parsed.value().items[0].item.sha256 == good.sha256);
    CHECK(parsed.value().items[1].invalid_reason == "protocol 2 items carry no sha256");
}

TEST_CASE("wire: parse_batch refuses a body that is not a batch at all") {
    const json item = raw_item(sample_item());
    CHECK_FALSE(wire::parse_batch(""));
    CHECK_FALSE(wire::parse_batch("not json"));
    CHECK_FALSE(wire::parse_batch("<html><body>Log in to the Wi-Fi</body></html>"));
    CHECK_FALSE(wire::parse_batch("[1,2,3]"));
    CHECK_FALSE(wire::parse_batch(body_with({item}, 3)));       // a protocol from the future
    CHECK_FALSE(wire::parse_batch(body_with({item}, 0)));
    CHECK_FALSE(wire::parse_batch(body_with({item}, "1")));     // a string is not the number 1
    CHECK_FALSE(wire::parse_batch(json{{"batch_id", new_uuid_v4()}, {"items", json::array({item})}}.dump()));
    CHECK_FALSE(wire::parse_batch(json{{"protocol", 1}, {"batch_id", "batch-7"}, {"items", json::array()}}.dump()));
    CHECK_FALSE(wire::parse_batch(json{{"protocol", 1}, {"batch_id", new_uuid_v4()}, {"items", item}}.dump()));
    const auto error = wire::parse_batch(body_with({item}, 3));
    CHECK(error.error() == "unsupported protocol version");
    CHECK(wire::parse_batch(body_with({})));  // an empty batch is still a batch
}

TEST_CASE("wire: results_json and parse_results agree, and the kiosk checks the echo (protocol 1)") {
    const std::string batch_id = new_uuid_v4();
    const std::vector<wire::ItemResult> sent = {
        {new_uuid_v4(), wire::ItemStatus::Created, ""},
        {new_uuid_v4(), wire::ItemStatus::Duplicate, ""},
        {new_uuid_v4(), wire::ItemStatus::Conflict, "an item with this id and different content is already stored"},
        {new_uuid_v4(), wire::ItemStatus::Invalid, "unknown kind"},
    };
    std::vector<std::string> ids;
    for (const auto& r : sent) ids.push_back(r.id);
    const std::string body = wire::results_json(batch_id, sent, 1);
    CHECK(wire::results_json(batch_id, sent, 1) == body);

    SUBCASE("a complete answer") {
        // The kiosk's own order of ids need not be the server's.
        const std::vector<std::string> shuffled = {ids[2], ids[0], ids[3], ids[1]};
        const auto parsed = wire::parse_results(body, batch_id, shuffled);
        REQUIRE(parsed);
        REQUIRE(parsed.value().size() == sent.size());
        for (std::size_t i = 0; i < sent.size(); ++i) {
            CHECK(parsed.value()[i].id == sent[i].id);
            CHECK(parsed.value()[i].status == sent[i].status);
            CHECK(parsed.value()[i].reason == sent[i].reason);
        }
    }
    SUBCASE("another batch's answer") { CHECK_FALSE(wire::parse_results(body, new_uuid_v4(), ids)); }
    SUBCASE("an item left unanswered") {
        std::vector<std::string> more = ids;
        more.push_back(new_uuid_v4());
        const auto parsed = wire::parse_results(body, batch_id, more);
        REQUIRE_FALSE(parsed);
        CHECK(parsed.error().find("unanswered") != std::string::npos);
    }
    SUBCASE("an item that was not sent") {
        CHECK_FALSE(wire::parse_results(body, batch_id, {ids[0], ids[1], ids[2]}));
    }
    SUBCASE("an item answered twice") {
        std::vector<wire::ItemResult> twice = sent;
        twice.push_back(sent[0]);
        CHECK_FALSE(wire::parse_results(wire::results_json(batch_id, twice, 1), batch_id, ids));
    }
    SUBCASE("an unknown status") {
        json doc = json::parse(body);
        doc["results"][0]["status"] = "stored";
        CHECK_FALSE(wire::parse_results(doc.dump(), batch_id, ids));
    }
    SUBCASE("a captive portal's friendly 200") {
        CHECK_FALSE(wire::parse_results("<!DOCTYPE html><html><body>Accept the terms to continue</body></html>",
                                        batch_id, ids));
        CHECK_FALSE(wire::parse_results("", batch_id, ids));
        CHECK_FALSE(wire::parse_results("{}", batch_id, ids));
        CHECK_FALSE(wire::parse_results(json{{"status", "ok"}}.dump(), batch_id, ids));
    }
    CHECK(std::string(wire::to_string(wire::ItemStatus::Created)) == "created");
    CHECK(std::string(wire::to_string(wire::ItemStatus::Duplicate)) == "duplicate");
    CHECK(std::string(wire::to_string(wire::ItemStatus::Conflict)) == "conflict");
    CHECK(std::string(wire::to_string(wire::ItemStatus::Invalid)) == "invalid");
}

TEST_CASE("wire: a protocol 2 answer lists only what was not stored and proves which items it read") {
    const std::string batch_id = new_uuid_v4();
    const std::vector<wire::ItemResult> sent = {
        {new_uuid_v4(), wire::ItemStatus::Created, ""},
        {new_uuid_v4(), wire::ItemStatus::Created, ""},
        {new_uuid_v4(), wire::ItemStatus::Duplicate, ""},
        {new_uuid_v4(), wire::ItemStatus::Conflict, "an item with this id and different content is already stored"},
        {new_uuid_v4(), wire::ItemStatus::Invalid, "unknown kind"},
    };
    std::vector<std::string> ids;
    for (const auto& r : sent) ids.push_back(r.id);
    const std::string body = wire::results_json(batch_id, sent);
    const json doc = json::parse(body);
    CHECK(doc["created"] == 2);
    CHECK(doc["duplicate"] == 1);
    CHECK(doc["results"].size() == 2);
    CHECK(doc["ids_sha256"] == wire::ids_digest({ids[4], ids[3], ids[2], ids[1], ids[0]}));
    CHECK(body.find(ids[0]) == std::string::npos);  // stored items are not listed

    SUBCASE("a complete answer: the unlisted items are stored") {
        const auto parsed = wire::parse_results(body, batch_id, {ids[3], ids[1], ids[4], ids[0], ids[2]});
        REQUIRE(parsed);
        std::map<std::string, wire::ItemStatus> status;
        for (const auto& r : parsed.value()) status[r.id] = r.status;
        REQUIRE(status.size() == 5);
        CHECK(status[ids[0]] == wire::ItemStatus::Created);
        CHECK(status[ids[1]] == wire::ItemStatus::Created);
        CHECK(status[ids[2]] == wire::ItemStatus::Created);  // duplicate or created: the server holds it
        CHECK(status[ids[3]] == wire::ItemStatus::Conflict);
        CHECK(status[ids[4]] == wire::ItemStatus::Invalid);
        CHECK(parsed.value()[1].reason == "unknown kind");
    }
    SUBCASE("an answer for other items") {
        std::vector<std::string> other = ids;
        other[0] = new_uuid_v4();
        const auto parsed = wire::parse_results(body, batch_id, other);
        REQUIRE_FALSE(parsed);
        CHECK(parsed.error() == "the answer is for other items than were sent");
        CHECK_FALSE(wire::parse_results(body, batch_id, {ids[0], ids[1], ids[2], ids[3]}));
    }
    SUBCASE("counts that do not add up") {
        json wrong = doc;
        wrong["created"] = 3;
        CHECK_FALSE(wire::parse_results(wrong.dump(), batch_id, ids));
        wrong["created"] = -1;
        wrong["duplicate"] = 4;
        CHECK_FALSE(wire::parse_results(wrong.dump(), batch_id, ids));
        wrong = doc;
        wrong.erase("duplicate");
        CHECK_FALSE(wire::parse_results(wrong.dump(), batch_id, ids));
    }
    SUBCASE("a stored item listed, or a listed item not sent") {
        json listed = doc;
        listed["results"].push_back({{"id", ids[0]}, {"status", "created"}});
        CHECK_FALSE(wire::parse_results(listed.dump(), batch_id, ids));
        json stranger = doc;
        stranger["results"][0]["id"] = new_uuid_v4();
        CHECK_FALSE(wire::parse_results(stranger.dump(), batch_id, ids));
    }
    SUBCASE("another batch's answer") { CHECK_FALSE(wire::parse_results(body, new_uuid_v4(), ids)); }
}
