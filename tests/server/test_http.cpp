// The /v1 endpoints through real sockets: the HTTP server runs in-process on
// 127.0.0.1 (port 0) over a SQLite store in a temp folder, and httplib::Client plays
// the kiosk with the shared wire code (gzip, Ed25519 signatures). The kiosk's own sync
// client against the tillit-server binary is tested in tests/sync/, not here.
#include <doctest/doctest.h>
#include <httplib.h>
#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include <cstdio>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "core/privacy.h"
#include "core/wire.h"
#include "http_server.h"
#include "server_store.h"
#include "store_contract.h"
#include "temp_dir.h"

namespace {

using Json = nlohmann::json;
using tillit::server::HttpOptions;
using tillit::server::HttpServer;
using tillit::server::ServerStore;
using tillit::test::TempDir;
namespace wire = tillit::wire;
namespace contract = tillit::test::contract;

// The server on its own thread, over a fresh store; stopped and joined at the end.
struct LiveServer {
    TempDir dir;
    std::unique_ptr<ServerStore> store;
    std::ostringstream log;  // written by the server under its lock; read only after stop()
    std::unique_ptr<HttpServer> server;
    std::thread thread;

    explicit LiveServer(HttpOptions options = {}) {
        auto opened = tillit::server::open_sqlite_server_store(dir.file("server.db"));
        REQUIRE_MESSAGE(opened, (opened.ok() ? "" : opened.error()));
        store = std::move(opened).value();
        options.host = "127.0.0.1";
        options.port = 0;
        auto bound = HttpServer::bind(*store, options, log);
        REQUIRE_MESSAGE(bound, (bound.ok() ? "" : bound.error()));
        server = std::move(bound).value();
        thread = std::thread([this] { server->serve(); });
    }
    ~LiveServer() { stop(); }

    void stop() {
        if (!thread.joinable()) return;
        server->stop();
        thread.join();
    }

    std::string stop_and_read_log() {
        stop();
        return log.str();
    }

    httplib::Client client() const {
        httplib::Client c("127.0.0.1", server->port());
        c.set_connection_timeout(5);
        c.set_read_timeout(20);
        return c;
    }
};

struct Kiosk {
    wire::DeviceKeys keys;
    std::string device_id;
    std::string venue_id;
    std::string sealing_public_key;  // raw
};

std::string gz(const Json& doc) { return wire::gzip(wire::canonical(doc)); }

Kiosk enrol_kiosk(LiveServer& live) {
    auto code = live.store->create_enrol_code("biblioteket-centrum", 24);
    REQUIRE(code);
    Kiosk kiosk{.keys = wire::generate_device_keys(), .device_id = {}, .venue_id = {}, .sealing_public_key = {}};
    auto res = live.client().Post("/v1/enrol",
                                  gz({{"code", code.value().code},
                                      {"public_key", wire::base64_encode(kiosk.keys.public_key)},
                                      {"app_version", "0.1.0"}}),
                                  wire::kContentType);
    REQUIRE(res);
    REQUIRE_MESSAGE(res->status == 200, res->body);
    const Json answer = Json::parse(res->body);
    kiosk.device_id = answer.at("device_id").get<std::string>();
    kiosk.venue_id = answer.at("venue_id").get<std::string>();
    auto key = wire::base64_decode(answer.at("sealing_public_key").get<std::string>());
    REQUIRE(key);
    kiosk.sealing_public_key = key.value();
    return kiosk;
}

httplib::Result post_signed(const LiveServer& live, const Kiosk& kiosk, const std::string& path,
                            const std::string& body, const std::string& signed_path = "") {
    const httplib::Headers headers = {
        {wire::kDeviceHeader, kiosk.device_id},
        {wire::kSignatureHeader, wire::sign(kiosk.keys, signed_path.empty() ? path : signed_path, body)}};
    return live.client().Post(path.c_str(), headers, body, wire::kContentType);
}

std::string error_of(const httplib::Result& res) {
    const Json body = Json::parse(res->body, nullptr, false);
    return body.is_object() && body.contains("error") && body["error"].is_string() ? body["error"].get<std::string>()
                                                                                   : "";
}

std::string heartbeat_body(int pending) {
    return gz({{"app_version", "0.1.0"},
               {"survey_versions", {{"tillit", 1}}},
               {"pending", pending},
               {"set_aside", 0},
               {"last_success", "2026-11-23T14:05:00Z"},
               {"free_disk_bytes", 123456789},
               {"storage_health", "ok"},
               {"clock", "2026-11-23T14:07:12Z"}});
}

std::map<std::string, wire::ItemResult> results_by_id(const std::string& body, const std::string& batch_id,
                                                      const std::vector<std::string>& ids) {
    auto parsed = wire::parse_results(body, batch_id, ids);
    REQUIRE_MESSAGE(parsed, (parsed.ok() ? "" : parsed.error()));
    std::map<std::string, wire::ItemResult> out;
    for (const auto& r : parsed.value()) out[r.id] = r;
    return out;
}

}  // namespace

TEST_CASE("http: health answers without auth") {
    LiveServer live;
    auto res = live.client().Get("/v1/health");
    REQUIRE(res);
    CHECK(res->status == 200);
    CHECK(Json::parse(res->body) == Json{{"status", "ok"}, {"protocol", 2}});
}

TEST_CASE("http: an unknown path is a JSON 404") {
    LiveServer live;
    auto res = live.client().Get("/v2/health");
    REQUIRE(res);
    CHECK(res->status == 404);
    CHECK_FALSE(error_of(res).empty());
}

TEST_CASE("http: enrol registers the key once and hands out the sealing key") {
    LiveServer live;
    auto code = live.store->create_enrol_code("biblioteket-centrum", 24);
    REQUIRE(code);
    const auto keys = wire::generate_device_keys();
    const std::string body = gz({{"code", code.value().code},
                                 {"public_key", wire::base64_encode(keys.public_key)},
                                 {"app_version", "0.1.0"}});
    auto res = live.client().Post("/v1/enrol", body, wire::kContentType);
    REQUIRE(res);
    REQUIRE_MESSAGE(res->status == 200, res->body);
    const Json answer = Json::parse(res->body);
    CHECK(wire::is_uuid_v4(answer.at("device_id").get<std::string>()));
    CHECK(answer.at("venue_id") == "biblioteket-centrum");
    auto sealing = live.store->sealing_keys();
    REQUIRE(sealing);
    CHECK(answer.at("sealing_public_key") == wire::base64_encode(sealing.value().public_key));
    auto device = live.store->find_device(answer.at("device_id").get<std::string>());
    REQUIRE(device);
    REQUIRE(device.value().has_value());
    CHECK(device.value()->public_key == keys.public_key);

    SUBCASE("the same code again is 401 with a reason") {
        auto again = live.client().Post("/v1/enrol", body, wire::kContentType);
        REQUIRE(again);
        CHECK(again->status == 401);
        CHECK(error_of(again).find("used") != std::string::npos);
    }
    SUBCASE("an unknown code is 401") {
        auto unknown = live.client().Post(
            "/v1/enrol", gz({{"code", "ABCDEFGHJK"}, {"public_key", wire::base64_encode(keys.public_key)}}),
            wire::kContentType);
        REQUIRE(unknown);
        CHECK(unknown->status == 401);
        CHECK_FALSE(error_of(unknown).empty());
    }
    SUBCASE("a body that is not gzip JSON with code and key is 400, another content type 415") {
        auto plain = live.client().Post("/v1/enrol", body, "application/json");
        REQUIRE(plain);
        CHECK(plain->status == 415);
        auto not_gzip = live.client().Post("/v1/enrol", "{\"code\":\"x\"}", wire::kContentType);
        REQUIRE(not_gzip);
        CHECK(not_gzip->status == 400);
        auto no_key = live.client().Post("/v1/enrol", gz({{"code", "ABCDEFGHJK"}}), wire::kContentType);
        REQUIRE(no_key);
        CHECK(no_key->status == 400);
        auto short_key = live.client().Post("/v1/enrol", gz({{"code", "ABCDEFGHJK"}, {"public_key", "AAAA"}}),
                                            wire::kContentType);
        REQUIRE(short_key);
        CHECK(short_key->status == 400);
    }
}

TEST_CASE("http: a protocol 1 batch (frozen by an older kiosk) is stored and answered per item; a resend is all duplicates") {
    LiveServer live;
    const Kiosk kiosk = enrol_kiosk(live);
    const wire::Item response = contract::response_item(4);
    const wire::Item abandonment = contract::abandonment_item();
    wire::Item forged = contract::response_item(2);
    forged.sha256 = wire::sha256_hex("something else");
    const wire::Item extra_field = wire::make_item(tillit::new_uuid_v4(), wire::ItemKind::Response,
                                                   [] {
                                                       Json c = contract::response_content(3);
                                                       c["answered_at"] = "2026-11-23T14:07:12Z";
                                                       return c;
                                                   }());
    const wire::Item fine_time = wire::make_item(tillit::new_uuid_v4(), wire::ItemKind::Response, [] {
        Json c = contract::response_content(3);
        c["time_bucket"] = "2026-11-23T14:07";
        return c;
    }());
    const std::vector<wire::Item> items = {response, abandonment, forged, extra_field, fine_time};
    std::vector<std::string> ids;
    for (const auto& item : items) ids.push_back(item.id);
    const std::string batch_id = tillit::new_uuid_v4();
    const std::string body = wire::gzip(wire::batch_json(batch_id, items, 1));

    auto res = post_signed(live, kiosk, "/v1/batches", body);
    REQUIRE(res);
    REQUIRE_MESSAGE(res->status == 200, res->body);
    auto results = results_by_id(res->body, batch_id, ids);
    CHECK(results[response.id].status == wire::ItemStatus::Created);
    CHECK(results[abandonment.id].status == wire::ItemStatus::Created);
    CHECK(results[forged.id].status == wire::ItemStatus::Invalid);
    CHECK(results[forged.id].reason.find("sha256") != std::string::npos);
    CHECK(results[extra_field.id].status == wire::ItemStatus::Invalid);
    CHECK(results[extra_field.id].reason.find("answered_at") != std::string::npos);
    CHECK(results[fine_time.id].status == wire::ItemStatus::Invalid);
    CHECK(results[fine_time.id].reason.find("time_bucket") != std::string::npos);
    // Committed before the answer was written: it is there now.
    auto count = live.store->count_items();
    REQUIRE(count);
    CHECK(count.value() == 2);

    auto resend = post_signed(live, kiosk, "/v1/batches", body);
    REQUIRE(resend);
    REQUIRE(resend->status == 200);
    auto again = results_by_id(resend->body, batch_id, ids);
    CHECK(again[response.id].status == wire::ItemStatus::Duplicate);
    CHECK(again[abandonment.id].status == wire::ItemStatus::Duplicate);
    CHECK(again[forged.id].status == wire::ItemStatus::Invalid);
    auto count_after = live.store->count_items();
    REQUIRE(count_after);
    CHECK(count_after.value() == 2);

    SUBCASE("the same id with other content is a conflict and the stored item stays") {
        const wire::Item changed = wire::make_item(response.id, wire::ItemKind::Response, contract::response_content(1));
        const std::string other_batch = tillit::new_uuid_v4();
        auto conflict = post_signed(live, kiosk, "/v1/batches", wire::gzip(wire::batch_json(other_batch, {changed})));
        REQUIRE(conflict);
        REQUIRE(conflict->status == 200);
        auto answer = results_by_id(conflict->body, other_batch, {changed.id});
        CHECK(answer[changed.id].status == wire::ItemStatus::Conflict);
        auto kept = contract::stored_item(*live.store, response.id);
        REQUIRE(kept.has_value());
        CHECK(kept->sha256 == response.sha256);
    }
}

TEST_CASE("http: a protocol 2 batch is answered with counts, the items not stored and the digest of its ids") {
    LiveServer live;
    const Kiosk kiosk = enrol_kiosk(live);
    const wire::Item response = contract::response_item(4);
    const wire::Item abandonment = contract::abandonment_item();
    const wire::Item extra_field = wire::make_item(tillit::new_uuid_v4(), wire::ItemKind::Response, [] {
        Json c = contract::response_content(3);
        c["answered_at"] = "2026-11-23T14:07:12Z";
        return c;
    }());
    const std::vector<wire::Item> items = {response, abandonment, extra_field};
    std::vector<std::string> ids;
    for (const auto& item : items) ids.push_back(item.id);
    const std::string batch_id = tillit::new_uuid_v4();
    const std::string body = wire::gzip(wire::batch_json(batch_id, items));

    auto res = post_signed(live, kiosk, "/v1/batches", body);
    REQUIRE(res);
    REQUIRE_MESSAGE(res->status == 200, res->body);
    const Json answer = Json::parse(res->body);
    CHECK(answer["batch_id"] == batch_id);
    CHECK(answer["created"] == 2);
    CHECK(answer["duplicate"] == 0);
    CHECK(answer["ids_sha256"] == wire::ids_digest(ids));
    REQUIRE(answer["results"].size() == 1);
    CHECK(answer["results"][0]["id"] == extra_field.id);
    CHECK(answer["results"][0]["status"] == "invalid");
    CHECK(res->body.find(response.id) == std::string::npos);
    auto results = results_by_id(res->body, batch_id, ids);
    CHECK(results[response.id].status == wire::ItemStatus::Created);
    CHECK(results[extra_field.id].status == wire::ItemStatus::Invalid);
    // The server stored the hash it computed, the same as the kiosk's.
    auto kept = contract::stored_item(*live.store, response.id);
    REQUIRE(kept.has_value());
    CHECK(kept->sha256 == response.sha256);

    auto resend = post_signed(live, kiosk, "/v1/batches", body);
    REQUIRE(resend);
    REQUIRE(resend->status == 200);
    const Json again = Json::parse(resend->body);
    CHECK(again["created"] == 0);
    CHECK(again["duplicate"] == 2);
    CHECK(again["results"].size() == 1);
    auto count = live.store->count_items();
    REQUIRE(count);
    CHECK(count.value() == 2);
}

TEST_CASE("http: the log has one JSON object per request, with counts and never content") {
    LiveServer live;
    const Kiosk kiosk = enrol_kiosk(live);
    Json content = contract::response_content(4);
    content["answers"]["free_text"] = "hemligt svar om grannen";
    const wire::Item item = wire::make_item(tillit::new_uuid_v4(), wire::ItemKind::Response, content);
    const std::string batch_id = tillit::new_uuid_v4();
    auto res = post_signed(live, kiosk, "/v1/batches", wire::gzip(wire::batch_json(batch_id, {item})));
    REQUIRE(res);
    REQUIRE(res->status == 200);
    REQUIRE(post_signed(live, kiosk, "/v1/heartbeat", heartbeat_body(7)));
    const std::string log = live.stop_and_read_log();
    CHECK(log.find("hemligt") == std::string::npos);
    CHECK(log.find("trust_general") == std::string::npos);
    CHECK(log.find("storage_health") == std::string::npos);
    std::istringstream lines(log);
    std::string line;
    bool saw_batch = false;
    int count = 0;
    while (std::getline(lines, line)) {
        ++count;
        const Json entry = Json::parse(line, nullptr, false);
        REQUIRE_MESSAGE(entry.is_object(), line);
        CHECK(entry.contains("ts"));
        CHECK(entry.contains("level"));
        CHECK(entry.contains("event"));
        if (entry["event"] == "batch") {
            saw_batch = true;
            CHECK(entry["device"] == kiosk.device_id);
            CHECK(entry["batch"] == batch_id);
            CHECK(entry["items"] == 1);
            CHECK(entry["created"] == 1);
            CHECK(entry["duplicate"] == 0);
            CHECK(entry["conflict"] == 0);
            CHECK(entry["invalid"] == 0);
            CHECK(entry["http_status"] == 200);
            CHECK(entry.contains("ms"));
        }
    }
    CHECK(saw_batch);
    CHECK(count == 3);  // enrol, batch, heartbeat
}

TEST_CASE("http: unsigned, tampered, misdirected and unknown-device requests are 401") {
    LiveServer live;
    const Kiosk kiosk = enrol_kiosk(live);
    const std::string batch_id = tillit::new_uuid_v4();
    const std::string body = wire::gzip(wire::batch_json(batch_id, {contract::response_item(3)}));

    SUBCASE("no signature headers") {
        auto res = live.client().Post("/v1/batches", body, wire::kContentType);
        REQUIRE(res);
        CHECK(res->status == 401);
        CHECK(error_of(res).find("unsigned") != std::string::npos);
    }
    SUBCASE("a device header without a signature") {
        auto res = live.client().Post("/v1/batches", {{wire::kDeviceHeader, kiosk.device_id}}, body, wire::kContentType);
        REQUIRE(res);
        CHECK(res->status == 401);
    }
    SUBCASE("one byte flipped after signing") {
        std::string tampered = body;
        const std::string signature = wire::sign(kiosk.keys, "/v1/batches", body);
        tampered[tampered.size() / 2] = static_cast<char>(tampered[tampered.size() / 2] ^ 0x01);
        auto res = live.client().Post(
            "/v1/batches", {{wire::kDeviceHeader, kiosk.device_id}, {wire::kSignatureHeader, signature}}, tampered,
            wire::kContentType);
        REQUIRE(res);
        CHECK(res->status == 401);
        CHECK(error_of(res).find("signature") != std::string::npos);
    }
    SUBCASE("a signature made for another path") {
        auto res = post_signed(live, kiosk, "/v1/batches", body, "/v1/heartbeat");
        REQUIRE(res);
        CHECK(res->status == 401);
    }
    SUBCASE("signed by another key") {
        Kiosk impostor = kiosk;
        impostor.keys = wire::generate_device_keys();
        auto res = post_signed(live, impostor, "/v1/batches", body);
        REQUIRE(res);
        CHECK(res->status == 401);
    }
    SUBCASE("an unknown device") {
        Kiosk stranger = kiosk;
        stranger.device_id = tillit::new_uuid_v4();
        auto res = post_signed(live, stranger, "/v1/batches", body);
        REQUIRE(res);
        CHECK(res->status == 401);
        CHECK(error_of(res).find("unknown device") != std::string::npos);
    }
    SUBCASE("a garbage signature") {
        auto res = live.client().Post(
            "/v1/batches", {{wire::kDeviceHeader, kiosk.device_id}, {wire::kSignatureHeader, "not base64 at all!"}},
            body, wire::kContentType);
        REQUIRE(res);
        CHECK(res->status == 401);
    }
    auto count = live.store->count_items();
    REQUIRE(count);
    CHECK(count.value() == 0);
}

TEST_CASE("http: a revoked device is 403 with a reason, even when correctly signed") {
    LiveServer live;
    const Kiosk kiosk = enrol_kiosk(live);
    REQUIRE(live.store->revoke(kiosk.device_id));
    const std::string batch_id = tillit::new_uuid_v4();
    auto res = post_signed(live, kiosk, "/v1/batches", wire::gzip(wire::batch_json(batch_id, {contract::response_item(3)})));
    REQUIRE(res);
    CHECK(res->status == 403);
    CHECK(error_of(res).find("revoked") != std::string::npos);
    auto heartbeat = post_signed(live, kiosk, "/v1/heartbeat", heartbeat_body(1));
    REQUIRE(heartbeat);
    CHECK(heartbeat->status == 403);
    auto count = live.store->count_items();
    REQUIRE(count);
    CHECK(count.value() == 0);
}

TEST_CASE("http: a body over --max-body-bytes is 413 and the server keeps serving") {
    HttpOptions options;
    options.max_body_bytes = 2048;
    LiveServer live(options);
    const Kiosk kiosk = enrol_kiosk(live);
    // Ids and hashes are random hex and barely compress: the gzip is over the limit.
    std::vector<wire::Item> items;
    for (int i = 0; i < 300; ++i) items.push_back(contract::response_item(i % 5));
    const std::string body = wire::gzip(wire::batch_json(tillit::new_uuid_v4(), items));
    REQUIRE(body.size() > 2048);
    auto res = post_signed(live, kiosk, "/v1/batches", body);
    REQUIRE(res);
    CHECK(res->status == 413);
    auto health = live.client().Get("/v1/health");
    REQUIRE(health);
    CHECK(health->status == 200);
    auto count = live.store->count_items();
    REQUIRE(count);
    CHECK(count.value() == 0);
}

TEST_CASE("http: a gzip bomb is 413 after the signature check, never inflated past 16 MiB") {
    LiveServer live;
    const Kiosk kiosk = enrol_kiosk(live);
    const std::string bomb = wire::gzip(std::string(wire::kMaxInflatedBytes + 1024 * 1024, ' '));
    REQUIRE(bomb.size() < 1024 * 1024);
    auto res = post_signed(live, kiosk, "/v1/batches", bomb);
    REQUIRE(res);
    CHECK(res->status == 413);
    CHECK(error_of(res).find("inflates") != std::string::npos);

    SUBCASE("unsigned, the same bomb is refused at the signature, before inflating") {
        auto unsigned_res = live.client().Post("/v1/batches", bomb, wire::kContentType);
        REQUIRE(unsigned_res);
        CHECK(unsigned_res->status == 401);
    }
}

TEST_CASE("http: bodies that are not a batch are 400 with a reason") {
    LiveServer live;
    const Kiosk kiosk = enrol_kiosk(live);
    for (const std::string& text : {std::string("{\"protocol\": 1, \"batch_id\": "), std::string("[1, 2, 3]"),
                                    std::string("{\"protocol\": 2, \"batch_id\": \"x\", \"items\": []}"),
                                    std::string("{\"protocol\": 1, \"batch_id\": \"not-a-uuid\", \"items\": []}")}) {
        CAPTURE(text);
        auto res = post_signed(live, kiosk, "/v1/batches", wire::gzip(text));
        REQUIRE(res);
        CHECK(res->status == 400);
        CHECK_FALSE(error_of(res).empty());
    }
    auto not_gzip = post_signed(live, kiosk, "/v1/batches", "{\"protocol\": 1}");
    REQUIRE(not_gzip);
    CHECK(not_gzip->status == 400);
}

TEST_CASE("http: Content-Encoding and other content types are refused before the body is used") {
    LiveServer live;
    const Kiosk kiosk = enrol_kiosk(live);
    const std::string body = wire::gzip(wire::batch_json(tillit::new_uuid_v4(), {contract::response_item(3)}));
    const std::string signature = wire::sign(kiosk.keys, "/v1/batches", body);
    auto encoded = live.client().Post("/v1/batches",
                                      {{wire::kDeviceHeader, kiosk.device_id},
                                       {wire::kSignatureHeader, signature},
                                       {"Content-Encoding", "gzip"}},
                                      body, wire::kContentType);
    REQUIRE(encoded);
    CHECK(encoded->status == 415);
    auto json_type = live.client().Post(
        "/v1/batches", {{wire::kDeviceHeader, kiosk.device_id}, {wire::kSignatureHeader, signature}}, body,
        "application/json");
    REQUIRE(json_type);
    CHECK(json_type->status == 415);
}

TEST_CASE("http: a device over its rate limit gets 429 with Retry-After") {
    HttpOptions options;
    options.rate_limit_per_minute = 3;
    LiveServer live(options);
    const Kiosk kiosk = enrol_kiosk(live);
    const Kiosk other = enrol_kiosk(live);
    for (int i = 0; i < 3; ++i) {
        auto res = post_signed(live, kiosk, "/v1/heartbeat", heartbeat_body(i));
        REQUIRE(res);
        CHECK(res->status == 200);
    }
    auto limited = post_signed(live, kiosk, "/v1/heartbeat", heartbeat_body(4));
    REQUIRE(limited);
    CHECK(limited->status == 429);
    REQUIRE(limited->has_header("Retry-After"));
    const int retry_after = std::stoi(limited->get_header_value("Retry-After"));
    CHECK(retry_after >= 1);
    CHECK(retry_after <= 20);  // one token comes back every 60/3 = 20 s
    CHECK_FALSE(error_of(limited).empty());
    // Another kiosk has its own bucket.
    auto unaffected = post_signed(live, other, "/v1/heartbeat", heartbeat_body(0));
    REQUIRE(unaffected);
    CHECK(unaffected->status == 200);
}

TEST_CASE("http: the heartbeat is stored and config_version follows surveys and settings") {
    LiveServer live;
    const Kiosk kiosk = enrol_kiosk(live);
    auto first = post_signed(live, kiosk, "/v1/heartbeat", heartbeat_body(12));
    REQUIRE(first);
    REQUIRE_MESSAGE(first->status == 200, first->body);
    const std::string v1 = Json::parse(first->body).at("config_version").get<std::string>();
    CHECK(v1.size() == 64);
    auto device = live.store->find_device(kiosk.device_id);
    REQUIRE(device);
    const Json stored = Json::parse(device.value()->last_heartbeat_json);
    CHECK(stored["pending"] == 12);
    CHECK(stored["storage_health"] == "ok");
    CHECK_FALSE(device.value()->last_seen_at.empty());

    auto same = post_signed(live, kiosk, "/v1/heartbeat", heartbeat_body(11));
    REQUIRE(same);
    CHECK(Json::parse(same->body).at("config_version") == v1);

    const std::string survey_text = "id = \"tillit\"\nversion = 2\n# the whole TOML text travels\n";
    REQUIRE(live.store->put_survey("tillit", survey_text));
    auto second = post_signed(live, kiosk, "/v1/heartbeat", heartbeat_body(10));
    REQUIRE(second);
    const std::string v2 = Json::parse(second->body).at("config_version").get<std::string>();
    CHECK(v2 != v1);

    auto config = post_signed(live, kiosk, "/v1/config", wire::gzip("{}"));
    REQUIRE(config);
    REQUIRE_MESSAGE(config->status == 200, config->body);
    const Json doc = Json::parse(config->body);
    CHECK(doc.at("config_version") == v2);
    CHECK(doc.at("surveys").at("tillit") == survey_text);
    CHECK(doc.at("settings") == Json::object());

    REQUIRE(live.store->put_setting("idle_timeout_seconds", "90"));
    auto third = post_signed(live, kiosk, "/v1/heartbeat", heartbeat_body(9));
    REQUIRE(third);
    const std::string v3 = Json::parse(third->body).at("config_version").get<std::string>();
    CHECK(v3 != v2);
    auto config3 = post_signed(live, kiosk, "/v1/config", wire::gzip("{}"));
    REQUIRE(config3);
    CHECK(Json::parse(config3->body).at("settings").at("idle_timeout_seconds") == 90);
    CHECK(Json::parse(config3->body).at("config_version") == v3);

    SUBCASE("a heartbeat that is not a JSON object is 400") {
        auto bad = post_signed(live, kiosk, "/v1/heartbeat", wire::gzip("[12]"));
        REQUIRE(bad);
        CHECK(bad->status == 400);
    }
}

TEST_CASE("http: stop() before serve() makes serve() return at once") {
    TempDir dir;
    auto store = tillit::server::open_sqlite_server_store(dir.file("server.db"));
    REQUIRE(store);
    std::ostringstream log;
    HttpOptions options;
    options.port = 0;
    auto server = HttpServer::bind(*store.value(), options, log);
    REQUIRE(server);
    server.value()->stop();
    server.value()->serve();
    CHECK(server.value()->port() > 0);
}

TEST_CASE("http: plain HTTP is refused off loopback, and TLS needs both files") {
    TempDir dir;
    auto store = tillit::server::open_sqlite_server_store(dir.file("server.db"));
    REQUIRE(store);
    std::ostringstream log;
    HttpOptions options;
    options.host = "0.0.0.0";
    options.port = 0;
    auto plain = HttpServer::bind(*store.value(), options, log);
    REQUIRE_FALSE(plain);
    CHECK(plain.error().find("--tls-cert") != std::string::npos);
    options.tls_cert_path = dir.file("missing.pem");
    auto half = HttpServer::bind(*store.value(), options, log);
    REQUIRE_FALSE(half);
    CHECK(half.error().find("both") != std::string::npos);
    options.tls_key_path = dir.file("missing.key");
    auto missing = HttpServer::bind(*store.value(), options, log);
    REQUIRE_FALSE(missing);
    CHECK(missing.error().find("missing.pem") != std::string::npos);

    CHECK(tillit::server::is_loopback_host("127.0.0.1"));
    CHECK(tillit::server::is_loopback_host("127.1.2.3"));
    CHECK(tillit::server::is_loopback_host("::1"));
    CHECK(tillit::server::is_loopback_host("localhost"));
    CHECK_FALSE(tillit::server::is_loopback_host("0.0.0.0"));
    CHECK_FALSE(tillit::server::is_loopback_host("10.0.0.1"));
    CHECK_FALSE(tillit::server::is_loopback_host("::"));
}

TEST_CASE("http: --listen parsing") {
    using tillit::server::parse_listen_address;
    auto v4 = parse_listen_address("127.0.0.1:8443");
    REQUIRE(v4);
    CHECK(v4.value().host == "127.0.0.1");
    CHECK(v4.value().port == 8443);
    auto v6 = parse_listen_address("[::1]:0");
    REQUIRE(v6);
    CHECK(v6.value().host == "::1");
    CHECK(v6.value().port == 0);
    CHECK_FALSE(parse_listen_address("127.0.0.1"));
    CHECK_FALSE(parse_listen_address("127.0.0.1:"));
    CHECK_FALSE(parse_listen_address(":8443"));
    CHECK_FALSE(parse_listen_address("127.0.0.1:65536"));
    CHECK_FALSE(parse_listen_address("127.0.0.1:80a"));
    CHECK_FALSE(parse_listen_address("::1:8443"));
}

// ----------------------------------------------------------------------------- TLS

namespace {

struct PkeyFree {
    void operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }
};
struct X509Free {
    void operator()(X509* cert) const { X509_free(cert); }
};
struct CtxFree {
    void operator()(SSL_CTX* ctx) const { SSL_CTX_free(ctx); }
};
struct BioFree {
    void operator()(BIO* bio) const { BIO_free_all(bio); }
};
struct FileClose {
    void operator()(std::FILE* f) const { std::fclose(f); }
};

// A self-signed P-256 certificate for 127.0.0.1, written as PEM files in `dir`.
void write_self_signed(const TempDir& dir) {
    std::unique_ptr<EVP_PKEY, PkeyFree> key(EVP_EC_gen("P-256"));
    REQUIRE(key);
    std::unique_ptr<X509, X509Free> cert(X509_new());
    REQUIRE(cert);
    X509_set_version(cert.get(), 2);
    ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), 1);
    X509_gmtime_adj(X509_getm_notBefore(cert.get()), -60);
    X509_gmtime_adj(X509_getm_notAfter(cert.get()), 3600);
    X509_set_pubkey(cert.get(), key.get());
    X509_NAME* name = X509_get_subject_name(cert.get());
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>("127.0.0.1"), -1, -1,
                               0);
    X509_set_issuer_name(cert.get(), name);
    X509V3_CTX ctx;
    X509V3_set_ctx_nodb(&ctx);
    X509V3_set_ctx(&ctx, cert.get(), cert.get(), nullptr, nullptr, 0);
    X509_EXTENSION* san = X509V3_EXT_conf_nid(nullptr, &ctx, NID_subject_alt_name, "IP:127.0.0.1");
    REQUIRE(san);
    X509_add_ext(cert.get(), san, -1);
    X509_EXTENSION_free(san);
    REQUIRE(X509_sign(cert.get(), key.get(), EVP_sha256()) > 0);
    std::unique_ptr<std::FILE, FileClose> key_file(std::fopen(dir.file("server.key").c_str(), "wb"));
    std::unique_ptr<std::FILE, FileClose> cert_file(std::fopen(dir.file("server.pem").c_str(), "wb"));
    REQUIRE(key_file);
    REQUIRE(cert_file);
    REQUIRE(PEM_write_PrivateKey(key_file.get(), key.get(), nullptr, nullptr, 0, nullptr, nullptr) == 1);
    REQUIRE(PEM_write_X509(cert_file.get(), cert.get()) == 1);
}

// Whether a handshake succeeds when the client offers at most `max_version`.
bool handshake_with_max(int port, int max_version) {
    std::unique_ptr<SSL_CTX, CtxFree> ctx(SSL_CTX_new(TLS_client_method()));
    SSL_CTX_set_min_proto_version(ctx.get(), TLS1_VERSION);
    SSL_CTX_set_max_proto_version(ctx.get(), max_version);
    // Security level 0, so the client itself is willing to speak old versions and
    // a refusal can only come from the server.
    SSL_CTX_set_cipher_list(ctx.get(), "DEFAULT@SECLEVEL=0");
    SSL_CTX_set_verify(ctx.get(), SSL_VERIFY_NONE, nullptr);
    std::unique_ptr<BIO, BioFree> bio(BIO_new_ssl_connect(ctx.get()));
    BIO_set_conn_hostname(bio.get(), ("127.0.0.1:" + std::to_string(port)).c_str());
    return BIO_do_handshake(bio.get()) == 1;
}

}  // namespace

TEST_CASE("http: TLS serves the endpoints and refuses anything older than TLS 1.2") {
    TempDir tls_dir;
    write_self_signed(tls_dir);
    HttpOptions options;
    options.tls_cert_path = tls_dir.file("server.pem");
    options.tls_key_path = tls_dir.file("server.key");

    TempDir dir;
    auto store = tillit::server::open_sqlite_server_store(dir.file("server.db"));
    REQUIRE(store);
    std::ostringstream log;
    options.port = 0;
    auto bound = HttpServer::bind(*store.value(), options, log);
    REQUIRE_MESSAGE(bound, (bound.ok() ? "" : bound.error()));
    HttpServer& server = *bound.value();
    CHECK(server.tls());
    std::thread thread([&] { server.serve(); });

    httplib::SSLClient client("127.0.0.1", server.port());
    client.set_ca_cert_path(tls_dir.file("server.pem").c_str());
    client.enable_server_certificate_verification(true);
    client.set_connection_timeout(5);
    auto res = client.Get("/v1/health");
    CHECK(res);
    if (res) CHECK(res->status == 200);

    CHECK(handshake_with_max(server.port(), TLS1_2_VERSION));
    CHECK_FALSE(handshake_with_max(server.port(), TLS1_1_VERSION));

    server.stop();
    thread.join();
}

TEST_CASE("http: a TLS key that does not match the certificate is refused at start") {
    TempDir first;
    TempDir second;
    write_self_signed(first);
    write_self_signed(second);
    TempDir dir;
    auto store = tillit::server::open_sqlite_server_store(dir.file("server.db"));
    REQUIRE(store);
    std::ostringstream log;
    HttpOptions options;
    options.port = 0;
    options.tls_cert_path = first.file("server.pem");
    options.tls_key_path = second.file("server.key");
    auto bound = HttpServer::bind(*store.value(), options, log);
    REQUIRE_FALSE(bound);
    CHECK(bound.error().find("does not match") != std::string::npos);
}
