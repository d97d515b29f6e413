// End to end over real TLS (CAs and certificates made per test by
// scripts/make-dev-tls.sh with openssl) and against the PostgreSQL backend (a real
// PostgreSQL the test starts, tests/server/pg_fixture.h). TLS: the right CA and pin
// work; a wrong CA, host name or pin, and plain http, are refused with nothing marked.
#include <doctest/doctest.h>

#include <filesystem>

#include "../server/pg_fixture.h"
#include "e2e_harness.h"

namespace fs = std::filesystem;
using namespace tillit::test;
using tillit::sync::PassOutcome;

namespace {

// One per process; started by the first PostgreSQL test that runs, stopped at exit.
PgCluster g_postgres;

// A CA and a server certificate in `dir`; `names` replaces the default
// "IP:127.0.0.1,IP:::1,DNS:localhost" subjectAltName.
void make_tls(const std::string& dir, const std::string& names = "") {
    std::vector<std::string> args = {std::string(TILLIT_SOURCE_DIR) + "/scripts/make-dev-tls.sh", dir};
    if (!names.empty()) args.push_back(names);
    const auto made = run_command("/bin/bash", args);
    REQUIRE_MESSAGE(made.exit_code == 0, made.err);
}

// curl's pin form of a certificate's public key: "sha256//<base64 of SHA-256(SPKI DER)>".
std::string pin_of(const std::string& cert) {
    const auto made = run_command("/bin/bash", {"-c", "openssl x509 -in '" + cert +
                                                          "' -pubkey -noout | openssl pkey -pubin -outform der | "
                                                          "openssl dgst -sha256 -binary | openssl enc -base64"});
    REQUIRE_MESSAGE(made.exit_code == 0, made.err);
    std::string hash = made.out;
    while (!hash.empty() && (hash.back() == '\n' || hash.back() == '\r')) hash.pop_back();
    REQUIRE(hash.size() == 44);
    return "sha256//" + hash;
}

// A server certificate for the same key and names as `dir`'s, signed by the same CA,
// that expired on 2020-01-02 (openssl ca: openssl x509 cannot back-date before 3.4).
std::string make_expired_cert(const std::string& dir) {
    const std::string script = "set -e; cd '" + dir + "'\n"
        "printf '[ca]\\ndefault_ca = test\\n[test]\\ndatabase = index.txt\\nnew_certs_dir = .\\nserial = serial\\n"
        "default_md = sha256\\npolicy = any\\n[any]\\ncommonName = supplied\\n[server]\\n"
        "subjectAltName = IP:127.0.0.1,IP:::1,DNS:localhost\\nextendedKeyUsage = serverAuth\\nbasicConstraints = CA:FALSE\\n'"
        " > expired.cnf\n"
        "touch index.txt; echo 01 > serial\n"
        "openssl req -new -key server.key -subj /CN=127.0.0.1 -out expired.csr\n"
        "openssl ca -batch -config expired.cnf -cert ca.pem -keyfile ca.key -startdate 20200101000000Z "
        "-enddate 20200102000000Z -extensions server -in expired.csr -out expired.pem 2>/dev/null\n";
    const auto made = run_command("/bin/bash", {"-c", script});
    REQUIRE_MESSAGE(made.exit_code == 0, made.err);
    return dir + "/expired.pem";
}

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

}  // namespace

TEST_CASE("e2e TLS: the test CA and pin work, another CA, a wrong pin and plain http are refused with nothing marked") {
    const auto dir = fresh_dir("tls");
    const std::string good = dir + "/good", other = dir + "/other";
    make_tls(good);
    make_tls(other);
    auto server = start_server(dir + "/server.db", dir,
                               {"--tls-cert", good + "/server.pem", "--tls-key", good + "/server.key"});
    const std::string url = "https://127.0.0.1:" + std::to_string(server->port());

    Kiosk kiosk(dir, url, server->enrol_code("test-venue"), good + "/ca.pem");
    kiosk.add(600, 10);
    const auto synced = kiosk.pass();
    CHECK_MESSAGE(synced.outcome == PassOutcome::Done, synced.message);
    check_exactly_once(kiosk, *server);

    kiosk.add(50);
    // A kiosk that trusts another CA does not talk to this server: a network error.
    kiosk.connect(url, other + "/ca.pem");
    const auto wrong_ca = kiosk.pass();
    CHECK(wrong_ca.outcome == PassOutcome::Retry);
    CHECK(contains(wrong_ca.message, "certificate"));
    // The right CA, but a pinned key that is not the server's.
    kiosk.connect(url, good + "/ca.pem", "sha256//AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=");
    const auto wrong_pin = kiosk.pass();
    CHECK(wrong_pin.outcome == PassOutcome::Retry);
    CHECK(contains(wrong_pin.message, "pinned"));
    // Plain http:// is refused before any connection: no client can even be made ...
    tillit::SyncConfig plain;
    plain.server_url = "http://127.0.0.1:" + std::to_string(server->port());
    const auto refused = tillit::sync::HttpClient::create(plain);
    REQUIRE_FALSE(refused.ok());
    CHECK(contains(refused.error(), "http"));
    // ... and allow_http_loopback opens it for loopback only.
    plain.allow_http_loopback = true;
    plain.server_url = "http://192.0.2.10:8080";
    CHECK_FALSE(tillit::sync::HttpClient::create(plain).ok());
    // None of the refusals marked anything or reached the server.
    CHECK(kiosk.counts().pending == 50);
    CHECK(kiosk.counts().sent == 610);
    CHECK(server_ids(*server, dir).size() == 610);

    // The right CA and the server's real pin: the rest goes through.
    kiosk.connect(url, good + "/ca.pem", pin_of(good + "/server.pem"));
    const auto pinned = kiosk.pass();
    CHECK_MESSAGE(pinned.outcome == PassOutcome::Done, pinned.message);
    check_exactly_once(kiosk, *server);
}

TEST_CASE("e2e TLS: a certificate for localhost only is refused at https://127.0.0.1, accepted at localhost") {
    const auto dir = fresh_dir("tls-name");
    const std::string tls = dir + "/localhost-only";
    make_tls(tls, "DNS:localhost");
    auto server = start_server(dir + "/server.db", dir,
                               {"--tls-cert", tls + "/server.pem", "--tls-key", tls + "/server.key"});
    const std::string by_ip = "https://127.0.0.1:" + std::to_string(server->port());
    const std::string by_name = "https://localhost:" + std::to_string(server->port());

    // Enrolled by the name the certificate carries (so the certificate itself is fine) ...
    Kiosk kiosk(dir, by_name, server->enrol_code("test-venue"), tls + "/ca.pem");
    kiosk.add(100, 3);
    // ... but the same server reached by its address is not the host the certificate names.
    kiosk.connect(by_ip, tls + "/ca.pem");
    const auto refused = kiosk.pass();
    CHECK(refused.outcome == PassOutcome::Retry);
    CHECK(contains(refused.message, "host name"));
    CHECK(kiosk.counts().pending == 103);
    CHECK(server_ids(*server, dir).empty());

    kiosk.connect(by_name, tls + "/ca.pem");
    const auto synced = kiosk.pass();
    CHECK_MESSAGE(synced.outcome == PassOutcome::Done, synced.message);
    check_exactly_once(kiosk, *server);
}

TEST_CASE("e2e TLS: an expired server certificate from the trusted CA is refused with nothing marked") {
    const auto dir = fresh_dir("tls-expired");
    const std::string tls = dir + "/tls";
    make_tls(tls);
    const std::string expired = make_expired_cert(tls);
    std::unique_ptr<ServerProcess> server;
    server = start_server(dir + "/server.db", dir, {"--tls-cert", tls + "/server.pem", "--tls-key", tls + "/server.key"});
    Kiosk kiosk(dir, "https://127.0.0.1:" + std::to_string(server->port()), server->enrol_code("test-venue"),
                tls + "/ca.pem");
    kiosk.add(40, 2);
    server.reset();
    // The same store, key and CA; only the certificate has expired.
    server = start_server(dir + "/server.db", dir, {"--tls-cert", expired, "--tls-key", tls + "/server.key"});
    const std::string url = "https://127.0.0.1:" + std::to_string(server->port());
    kiosk.connect(url, tls + "/ca.pem");
    const auto refused = kiosk.pass();
    CHECK(refused.outcome == PassOutcome::Retry);
    CHECK_MESSAGE(contains(refused.message, "expired"), refused.message);
    CHECK(kiosk.counts().pending == 42);
    CHECK(server_ids(*server, dir).empty());
}

TEST_CASE("e2e PostgreSQL: happy path, 1 200 responses and 37 abandonments, exactly once") {
    const auto started = g_postgres.start();
    REQUIRE_MESSAGE(started.ok(), (started.ok() ? "" : started.error()));
    const auto database = g_postgres.create_database();
    REQUIRE(database.ok());
    happy_path_scenario(g_postgres.uri(database.value()), fresh_dir("pg-happy"));
}

TEST_CASE("e2e PostgreSQL: reset after commit, the resent batch is answered duplicate") {
    const auto started = g_postgres.start();
    REQUIRE_MESSAGE(started.ok(), (started.ok() ? "" : started.error()));
    const auto database = g_postgres.create_database();
    REQUIRE(database.ok());
    reset_after_commit_scenario(g_postgres.uri(database.value()), fresh_dir("pg-reset"));
}
