// The report page through real sockets (in-process server on 127.0.0.1, port 0): the
// admin password as argon2id, login and session cookie, the HTML with SVG and caveats,
// CSV/JSON, free-text review with CSRF, and the set-admin-password command.
#include <doctest/doctest.h>
#include <httplib.h>

#include <memory>
#include <regex>
#include <sstream>
#include <string>
#include <thread>

#include "admin_cli.h"
#include "core/privacy.h"
#include "core/wire.h"
#include "http_server.h"
#include "report_web.h"
#include "server_store.h"
#include "store_contract.h"
#include "temp_dir.h"

namespace {

using Json = nlohmann::json;
using tillit::server::HttpServer;
using tillit::server::ServerStore;
using tillit::test::TempDir;
namespace wire = tillit::wire;
namespace contract = tillit::test::contract;

constexpr const char* kPassword = "a long enough test password";

struct ReportServer {
    TempDir dir;
    std::unique_ptr<ServerStore> store;
    std::ostringstream log;
    std::unique_ptr<HttpServer> server;
    std::thread thread;

    // `texts` trust-survey responses at venue "a", each with a sealed free text.
    explicit ReportServer(int texts) {
        auto opened = tillit::server::open_sqlite_server_store(dir.file("server.db"));
        REQUIRE(opened);
        store = std::move(opened).value();
        const auto device = contract::enrolled_device(*store, "a");
        const auto keys = store->sealing_keys().value();
        std::vector<wire::Item> items;
        for (int i = 0; i < texts; ++i) {
            Json answers = {{"expect_help", "would_help"},
                            {"inst_trust", 5},
                            {"knows_support", "fairly_well"},
                            {"more_trust", {{"sealed", wire::seal(keys.public_key, "Mer tid för samtal " + std::to_string(i))}}}};
            items.push_back(wire::make_item(tillit::new_uuid_v4(), wire::ItemKind::Response,
                                            {{"survey_id", "tillit"},
                                             {"survey_version", 1},
                                             {"language", "sv"},
                                             {"venue_id", "a"},
                                             {"time_bucket", "2026-11-23T14"},
                                             {"answers", answers}}));
        }
        REQUIRE(store->put_batch(device.device_id, contract::batch_of(items)));
        REQUIRE(tillit::server::set_admin_password(*store, kPassword));
        tillit::server::HttpOptions options;
        options.port = 0;
        auto bound = HttpServer::bind(*store, options, log);
        REQUIRE(bound);
        server = std::move(bound).value();
        thread = std::thread([this] { server->serve(); });
    }
    ~ReportServer() {
        server->stop();
        thread.join();
    }
    httplib::Client client() const {
        httplib::Client c("127.0.0.1", server->port());
        c.set_connection_timeout(5);
        c.set_read_timeout(20);
        return c;
    }
    // The session cookie after a login.
    std::string login() const {
        auto c = client();
        auto res = c.Post("/login", httplib::Params{{"password", kPassword}});
        REQUIRE(res);
        REQUIRE(res->status == 303);
        const std::string cookie = res->get_header_value("Set-Cookie");
        return cookie.substr(0, cookie.find(';'));
    }
};

std::string csrf_of(const std::string& html) {
    std::smatch match;
    REQUIRE(std::regex_search(html, match, std::regex("name=\"csrf\" value=\"([0-9a-f]{64})\"")));
    return match[1];
}

std::string first_key(const std::string& html) {
    std::smatch match;
    REQUIRE(std::regex_search(html, match, std::regex("name=\"key\" value=\"([0-9a-f-]{36}/more_trust)\"")));
    return match[1];
}

}  // namespace

TEST_CASE("report web: the admin password is an argon2id hash; short ones are refused") {
    TempDir dir;
    auto store = tillit::server::open_sqlite_server_store(dir.file("server.db")).value();
    CHECK_FALSE(tillit::server::check_admin_password(*store, "anything at all"));  // none set
    CHECK_FALSE(tillit::server::set_admin_password(*store, "short"));
    REQUIRE(tillit::server::set_admin_password(*store, kPassword));
    const auto stored = store->admin_value("admin_password").value();
    REQUIRE(stored.has_value());
    CHECK(stored->find("$argon2id$") != std::string::npos);
    CHECK(stored->find(kPassword) == std::string::npos);
    CHECK(tillit::server::check_admin_password(*store, kPassword));
    CHECK_FALSE(tillit::server::check_admin_password(*store, "a long enough test passworD"));
    // Settings (sent to kiosks) never carry it.
    const auto settings = store->settings();
    REQUIRE(settings);
    for (const auto& [key, value] : settings.value()) CHECK(key != "admin_password");
}

TEST_CASE("report web: set-admin-password reads stdin and never prints the password") {
    TempDir dir;
    const std::string db = dir.file("server.db");
    std::istringstream too_short("short\n");
    std::ostringstream out;
    std::ostringstream err;
    CHECK(tillit::server::run_admin_cli({"set-admin-password", "--store", db}, too_short, out, err) ==
          tillit::server::kExitBadUsage);
    std::istringstream good(std::string(kPassword) + "\n");
    CHECK(tillit::server::run_admin_cli({"set-admin-password", "--store", db}, good, out, err) == tillit::server::kExitOk);
    CHECK(out.str().find(kPassword) == std::string::npos);
    CHECK(err.str().find(kPassword) == std::string::npos);
    auto store = tillit::server::open_sqlite_server_store(db).value();
    CHECK(tillit::server::check_admin_password(*store, kPassword));
}

TEST_CASE("report web: nothing without a login; a wrong password is refused") {
    ReportServer live(3);
    auto c = live.client();
    auto page = c.Get("/report");
    REQUIRE(page);
    CHECK(page->status == 303);
    CHECK(page->get_header_value("Location") == "/login");
    for (const char* path : {"/report.json", "/report.csv"}) {
        auto res = c.Get(path);
        REQUIRE(res);
        CHECK(res->status == 401);
        CHECK(res->body.find("trust") == std::string::npos);
    }
    auto wrong = c.Post("/login", httplib::Params{{"password", "not the password at all"}});
    REQUIRE(wrong);
    CHECK(wrong->status == 401);
    CHECK(!wrong->has_header("Set-Cookie"));
    auto review = c.Post("/report/review", httplib::Params{{"key", "x"}, {"action", "approve"}, {"csrf", "x"}});
    REQUIRE(review);
    CHECK(review->status == 403);
    auto forged = c.Get("/report", httplib::Headers{{"Cookie", "tillit_admin=0123"}});
    REQUIRE(forged);
    CHECK(forged->status == 303);
    // Guessing is slowed per address: 10 attempts a minute (one used above), then 429.
    int refused = 0;
    for (int i = 0; i < 10; ++i) {
        auto attempt = c.Post("/login", httplib::Params{{"password", "guess number " + std::to_string(i)}});
        REQUIRE(attempt);
        refused += attempt->status == 429 ? 1 : 0;
    }
    CHECK(refused == 1);
}

TEST_CASE("report web: after login the page has SVG charts and caveats; CSV and JSON follow the filter") {
    ReportServer live(3);
    auto c = live.client();
    auto login = c.Post("/login", httplib::Params{{"password", kPassword}});
    REQUIRE(login);
    const std::string set_cookie = login->get_header_value("Set-Cookie");
    CHECK(set_cookie.find("HttpOnly") != std::string::npos);
    CHECK(set_cookie.find("SameSite=Strict") != std::string::npos);
    CHECK(set_cookie.find("Secure") == std::string::npos);  // plain HTTP on loopback
    const std::string cookie = set_cookie.substr(0, set_cookie.find(';'));
    CHECK(cookie.size() == std::string("tillit_admin=").size() + 64);
    const httplib::Headers headers = {{"Cookie", cookie}};
    auto page = c.Get("/report?period=2026-11&venue=a", headers);
    REQUIRE(page);
    CHECK(page->status == 200);
    CHECK(page->get_header_value("Content-Security-Policy").find("default-src 'none'") != std::string::npos);
    CHECK(page->body.find("<svg") != std::string::npos);
    CHECK(page->body.find("Risk för feltolkning: Att känna till") != std::string::npos);
    CHECK(page->body.find("I.2.3.a") != std::string::npos);
    // Three free texts: fewer than 10, so none is opened onto the page.
    CHECK(page->body.find("Mer tid för samtal") == std::string::npos);
    CHECK(page->body.find("Färre än 10 fritextsvar") != std::string::npos);
    CHECK(page->body.find("http://") == std::string::npos);  // no external assets
    CHECK(page->body.find("https://") == std::string::npos);

    auto json = c.Get("/report.json?period=2026-11&venue=a", headers);
    REQUIRE(json);
    const Json doc = Json::parse(json->body);
    CHECK(doc["venue"] == "a");
    CHECK(doc["trust"]["too_few"] == true);  // 3 responses
    CHECK(doc["responses"] == "too_few");
    auto csv = c.Get("/report.csv", headers);
    REQUIRE(csv);
    CHECK(csv->body.rfind("figure,row,key,n\n", 0) == 0);
    auto bad = c.Get("/report.json?period=2026-13", headers);
    REQUIRE(bad);
    CHECK(bad->status == 400);
}

TEST_CASE("report web: free texts are shown for review from 10 on; review needs the session and its CSRF token") {
    ReportServer live(12);
    auto c = live.client();
    const std::string cookie = live.login();
    const httplib::Headers headers = {{"Cookie", cookie}};
    auto page = c.Get("/report", headers);
    REQUIRE(page);
    REQUIRE(page->status == 200);
    CHECK(page->body.find("Att granska") != std::string::npos);
    const std::string csrf = csrf_of(page->body);
    const std::string key = first_key(page->body);
    // Not yet approved: no "Dölj" form for it under "Godkända".
    const auto approved_at = page->body.find("<h3>Godkända</h3><ul></ul>");
    CHECK(approved_at != std::string::npos);

    auto no_session = c.Post("/report/review", httplib::Params{{"key", key}, {"action", "approve"}, {"csrf", csrf}});
    REQUIRE(no_session);
    CHECK(no_session->status == 403);
    auto no_token = c.Post("/report/review", headers, httplib::Params{{"key", key}, {"action", "approve"}});
    REQUIRE(no_token);
    CHECK(no_token->status == 403);
    auto wrong_token =
        c.Post("/report/review", headers, httplib::Params{{"key", key}, {"action", "approve"}, {"csrf", std::string(64, 'a')}});
    REQUIRE(wrong_token);
    CHECK(wrong_token->status == 403);
    auto approved = c.Post("/report/review", headers, httplib::Params{{"key", key}, {"action", "approve"}, {"csrf", csrf}});
    REQUIRE(approved);
    CHECK(approved->status == 303);
    auto after = c.Get("/report", headers);
    REQUIRE(after);
    CHECK(after->body.find("<h3>Godkända</h3><ul></ul>") == std::string::npos);
    // A logout ends the session: the old cookie opens nothing.
    auto logout = c.Post("/logout", headers, httplib::Params{{"csrf", csrf}});
    REQUIRE(logout);
    CHECK(logout->status == 303);
    auto gone = c.Get("/report.json", headers);
    REQUIRE(gone);
    CHECK(gone->status == 401);
}

TEST_CASE("report web: a 'Ni sa – vi gjorde' message is CSRF-checked and reaches the venue's /v1/config") {
    ReportServer live(12);
    auto c = live.client();
    const std::string before_a = tillit::server::config_version(tillit::server::config_document(*live.store, "a").value());
    const std::string before_b = tillit::server::config_version(tillit::server::config_document(*live.store, "b").value());
    CHECK(before_a == before_b);  // no message yet: the same document as before messages existed
    CHECK(!tillit::server::config_document(*live.store, "a").value().contains("feedback"));

    const std::string cookie = live.login();
    const httplib::Headers headers = {{"Cookie", cookie}};
    auto page = c.Get("/report", headers);
    REQUIRE(page);
    const std::string csrf = csrf_of(page->body);
    const std::string text = "Ni sa att det var svårt att nå oss. Nu har vi öppet hus varje tisdag.";
    auto refused = c.Post("/report/message", headers, httplib::Params{{"venue", "a"}, {"message", text}});
    REQUIRE(refused);
    CHECK(refused->status == 403);
    auto anonymous = c.Post("/report/message", httplib::Params{{"venue", "a"}, {"message", text}, {"csrf", csrf}});
    REQUIRE(anonymous);
    CHECK(anonymous->status == 403);
    auto empty = c.Post("/report/message", headers, httplib::Params{{"venue", "a"}, {"message", ""}, {"csrf", csrf}});
    REQUIRE(empty);
    CHECK(empty->status == 400);
    auto written = c.Post("/report/message", headers, httplib::Params{{"venue", "a"}, {"message", text}, {"csrf", csrf}});
    REQUIRE(written);
    CHECK(written->status == 303);

    const Json config = tillit::server::config_document(*live.store, "a").value();
    REQUIRE(config.contains("feedback"));
    CHECK(config["feedback"]["message"] == text);
    CHECK(config["feedback"]["written"].get<std::string>().size() == 10);
    // 12 responses at "a", all trust: 12 shown, the other classes 0.
    CHECK(config["feedback"]["summary"]["responses"] == 12);
    CHECK(config["feedback"]["summary"]["trust"]["cells"][0]["key"] == "trust");
    CHECK(config["feedback"]["summary"]["trust"]["cells"][0]["n"] == 12);
    CHECK(tillit::server::config_version(config) != before_a);
    // Another venue's kiosks see nothing new.
    CHECK(!tillit::server::config_document(*live.store, "b").value().contains("feedback"));
    CHECK(tillit::server::config_version(tillit::server::config_document(*live.store, "b").value()) == before_b);
    auto after = c.Get("/report", headers);
    REQUIRE(after);
    CHECK(after->body.find("Nu har vi öppet hus varje tisdag.") != std::string::npos);
}

TEST_CASE("report web: a message's summary of a small venue is suppressed") {
    ReportServer live(3);
    REQUIRE(tillit::server::write_feedback(*live.store, "a", "Tack för era svar."));
    const Json config = tillit::server::config_document(*live.store, "a").value();
    CHECK(config["feedback"]["summary"]["responses"] == "too_few");
    CHECK(config["feedback"]["summary"]["trust"]["too_few"] == true);
    CHECK(config["feedback"]["summary"]["trust"].dump().find("\"n\"") == std::string::npos);
    CHECK_FALSE(tillit::server::write_feedback(*live.store, "A B", "x"));
    CHECK_FALSE(tillit::server::write_feedback(*live.store, "a", std::string(281, 'x')));
}
