// End to end over real TLS (a CA the test makes with openssl) and against the
// PostgreSQL backend (a real PostgreSQL the test starts): the same exactly-once
// checks as test_sync_exactly_once.cpp, plus the refusals a kiosk must make.
#include <doctest/doctest.h>

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <set>

#include <nlohmann/json.hpp>

#include "../server/pg_fixture.h"
#include "core/store.h"
#include "core/sync/http_client.h"
#include "core/sync/sync_client.h"
#include "fault_proxy.h"
#include "server_process.h"

namespace fs = std::filesystem;
using tillit::sync::PassOutcome;

namespace {

tillit::test::PgCluster g_postgres;

std::string fresh_dir(const std::string& name) {
    const fs::path dir = fs::temp_directory_path() / ("tillit-sync-" + name + "-" + std::to_string(::getpid()));
    fs::remove_all(dir);
    fs::create_directories(dir);
    return dir.string();
}

void make_tls(const std::string& dir, const std::string& names = "") {
    std::vector<std::string> args = {std::string(TILLIT_SOURCE_DIR) + "/scripts/make-dev-tls.sh", dir};
    if (!names.empty()) args.push_back(names);
    const auto made = tillit::test::run_command("/bin/bash", args);
    REQUIRE_MESSAGE(made.exit_code == 0, made.err);
}

tillit::Result<tillit::sync::HttpClient> client_for(const std::string& url, const std::string& ca_file,
                                                    const std::string& pin = "") {
    tillit::SyncConfig config;
    config.server_url = url;
    config.ca_file = ca_file;
    config.pinned_public_key = pin;
    config.allow_http_loopback = url.rfind("http://", 0) == 0;
    return tillit::sync::HttpClient::create(config);
}

std::unique_ptr<tillit::Store> open_store(const std::string& dir, const std::string& name) {
    auto store = tillit::Store::open((fs::path(dir) / name).string());
    REQUIRE_MESSAGE(store.ok(), (store.ok() ? "" : store.error()));
    return std::move(store).value();
}

void add_responses(tillit::Store& store, int n) {
    std::vector<tillit::NewResponse> rows;
    for (int i = 0; i < n; ++i) {
        tillit::NewResponse r;
        r.survey_id = "tillit";
        r.survey_version = 1;
        r.language = "sv";
        r.venue_id = "test-venue";
        r.time_bucket = "2026-11-23T14";
        r.answers_json = nlohmann::json{{"inst_trust", 1 + i % 5}}.dump();
        rows.push_back(std::move(r));
    }
    REQUIRE(store.save_responses(rows).ok());
}

tillit::sync::PassResult pass(tillit::Store& store, tillit::sync::HttpClient& http, const tillit::DeviceIdentity& id,
                              const std::string& dir) {
    tillit::sync::SyncContext context;
    context.data_dir = dir;
    context.languages = {"sv", "en"};
    context.batch_size = 250;
    tillit::sync::SyncClient client(store, http, id, context);
    return client.run_pass();
}

void check_exactly_once(tillit::Store& store, const tillit::test::ServerProcess& server, const std::string& dir) {
    const std::string out = (fs::path(dir) / "export.json").string();
    const auto exported = server.admin("export", {"--format", "json", "--out", out});
    REQUIRE_MESSAGE(exported.exit_code == 0, exported.err);
    std::ifstream in(out);
    std::map<std::string, int> on_server;
    for (const auto& row : nlohmann::json::parse(in)) ++on_server[row["id"].get<std::string>()];
    const auto responses = store.responses();
    REQUIRE(responses.ok());
    std::set<std::string> on_kiosk;
    for (const auto& r : responses.value()) on_kiosk.insert(r.id);
    std::set<std::string> server_set;
    for (const auto& [id, count] : on_server) {
        CHECK_MESSAGE(count == 1, "duplicated on the server: " << id);
        server_set.insert(id);
    }
    CHECK(server_set == on_kiosk);
    CHECK(store.outbox_counts().value().pending == 0);
}

}  // namespace

TEST_CASE("sync over TLS: a kiosk trusting the test CA enrols and syncs; wrong CA, host name and pin are refused") {
    const auto dir = fresh_dir("tls");
    const std::string good = dir + "/good", other_ca = dir + "/other", wrong_name = dir + "/wrongname";
    make_tls(good);
    make_tls(other_ca);
    make_tls(wrong_name, "DNS:other.example");

    tillit::test::ServerProcess server(TILLIT_SERVER_BIN, dir + "/server.db",
                                       {"--tls-cert", good + "/server.pem", "--tls-key", good + "/server.key"},
                                       dir + "/server.log");
    const std::string url = "https://127.0.0.1:" + std::to_string(server.port());

    auto store = open_store(dir, "kiosk.db");
    auto http = client_for(url, good + "/ca.pem");
    REQUIRE(http.ok());
    auto identity = tillit::sync::enrol(*store, http.value(), url, server.enrol_code("test-venue"), {});
    REQUIRE_MESSAGE(identity.ok(), (identity.ok() ? "" : identity.error()));
    add_responses(*store, 600);
    CHECK(pass(*store, http.value(), identity.value(), dir).outcome == PassOutcome::Done);
    check_exactly_once(*store, server, dir);

    // A kiosk that trusts another CA never talks to this server.
    auto stranger = open_store(dir, "stranger.db");
    auto wrong_ca = client_for(url, other_ca + "/ca.pem");
    REQUIRE(wrong_ca.ok());
    const auto refused = tillit::sync::enrol(*stranger, wrong_ca.value(), url, server.enrol_code("test-venue"), {});
    CHECK_FALSE(refused.ok());

    // A pin that does not match the server's key is refused, even with the right CA.
    auto pinned = client_for(url, good + "/ca.pem", "sha256//AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=");
    REQUIRE(pinned.ok());
    CHECK_FALSE(tillit::sync::enrol(*stranger, pinned.value(), url, server.enrol_code("test-venue"), {}).ok());

    // Plain http:// to this server is refused before any connection (no allow_http_loopback).
    tillit::SyncConfig plain;
    plain.server_url = "http://127.0.0.1:" + std::to_string(server.port());
    CHECK_FALSE(tillit::sync::HttpClient::create(plain).ok());
    server.stop();

    // A certificate from the right CA but for another name is refused.
    tillit::test::ServerProcess misnamed(TILLIT_SERVER_BIN, dir + "/server2.db",
                                         {"--tls-cert", wrong_name + "/server.pem", "--tls-key",
                                          wrong_name + "/server.key"},
                                         dir + "/server2.log");
    const std::string url2 = "https://127.0.0.1:" + std::to_string(misnamed.port());
    auto trusting = client_for(url2, wrong_name + "/ca.pem");
    REQUIRE(trusting.ok());
    auto another = open_store(dir, "another.db");
    const auto mismatch = tillit::sync::enrol(*another, trusting.value(), url2, misnamed.enrol_code("test-venue"), {});
    CHECK_FALSE(mismatch.ok());
    // Nothing the refused kiosks did reached the server.
    const auto devices = misnamed.admin("devices");
    CHECK(devices.out.find("test-venue") == std::string::npos);
}

TEST_CASE("sync with the PostgreSQL backend: happy path and a reset after commit, exactly once") {
    REQUIRE_MESSAGE(g_postgres.start().ok(), "PostgreSQL did not start");
    auto database = g_postgres.create_database();
    REQUIRE(database.ok());
    const auto dir = fresh_dir("pg");
    tillit::test::ServerProcess server(TILLIT_SERVER_BIN, g_postgres.uri(database.value()),
                                       {"--rate-limit-per-minute", "100000"}, dir + "/server.log");
    tillit::test::FaultProxy proxy(server.port());
    const std::string url = "http://127.0.0.1:" + std::to_string(proxy.port());
    auto store = open_store(dir, "kiosk.db");
    auto http = client_for(url, "");
    REQUIRE(http.ok());
    auto identity = tillit::sync::enrol(*store, http.value(), url, server.enrol_code("test-venue"), {});
    REQUIRE_MESSAGE(identity.ok(), (identity.ok() ? "" : identity.error()));

    add_responses(*store, 1000);
    CHECK(pass(*store, http.value(), identity.value(), dir).outcome == PassOutcome::Done);
    CHECK(proxy.forwarded("/v1/batches") == 4);

    add_responses(*store, 300);
    proxy.push({tillit::test::FaultAction::Kind::ResetAfterForward, 0, {}, {}, "/v1/batches"});
    for (int i = 0; i < 4 && store->outbox_counts().value().pending > 0; ++i) {
        pass(*store, http.value(), identity.value(), dir);
    }
    CHECK(proxy.forwarded("/v1/batches") == 4 + 2 + 1);  // 300 = 2 batches of 250/50, the first one twice
    check_exactly_once(*store, server, dir);
}
