// The admin commands run in-process through run_admin_cli with captured output, on a
// SQLite store in a temp folder: exit codes, what is printed, what ends up stored.
// `serve` is left to tests/sync/, which start the real binary and send it signals.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "admin_cli.h"
#include "core/privacy.h"
#include "core/wire.h"
#include "server_store.h"
#include "store_contract.h"
#include "temp_dir.h"

namespace {

using Json = nlohmann::json;
using tillit::test::TempDir;
namespace wire = tillit::wire;
namespace contract = tillit::test::contract;

struct Run {
    int code = -1;
    std::string out;
    std::string err;
};

Run cli(const std::vector<std::string>& args) {
    std::ostringstream out;
    std::ostringstream err;
    const int code = tillit::server::run_admin_cli(args, out, err);
    return {.code = code, .out = out.str(), .err = err.str()};
}

std::unique_ptr<tillit::server::ServerStore> open_store(const std::string& path) {
    auto store = tillit::server::open_sqlite_server_store(path);
    REQUIRE_MESSAGE(store, (store.ok() ? "" : store.error()));
    return std::move(store).value();
}

std::string read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

void write_file(const std::string& path, const std::string& text) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << text;
}

std::string source_file(const std::string& relative) { return std::string(TILLIT_SOURCE_DIR) + "/" + relative; }

}  // namespace

TEST_CASE("cli: --help prints the usage and exits 0") {
    const Run run = cli({"--help"});
    CHECK(run.code == 0);
    CHECK(run.out.find("usage: tillit-server <command> --store") != std::string::npos);
    for (const char* command : {"serve", "enrol", "revoke", "devices", "export", "put-survey", "put-setting"}) {
        CHECK(run.out.find(command) != std::string::npos);
    }
}

TEST_CASE("cli: bad usage is one line on stderr and exit 2, and creates no store") {
    TempDir dir;
    const std::string store = dir.file("server.db");
    const std::vector<std::vector<std::string>> cases = {
        {},
        {"frobnicate", "--store", store},
        {"devices"},
        {"devices", "--store", store, "--colour", "red"},
        {"devices", "--store"},
        {"devices", "--store", store, "extra"},
        {"enrol", "--store", store},
        {"enrol", "--store", store, "--venue", "Bad Venue"},
        {"enrol", "--store", store, "--venue", "bibl", "--valid-hours", "0"},
        {"enrol", "--store", store, "--venue", "bibl", "--valid-hours", "many"},
        {"revoke", "--store", store},
        {"export", "--store", store},
        {"export", "--store", store, "--format", "xml"},
        {"put-setting", "--store", store, "idle_timeout_seconds"},
        {"put-setting", "--store", store, "Bad-Key", "1"},
        {"put-setting", "--store", store, "idle_timeout_seconds", "sixty"},
        {"serve", "--store", store, "--listen", "nowhere"},
        {"serve", "--store", store, "--rate-limit-per-minute", "0"},
        {"serve", "--store", store, "--max-body-bytes", "12"},
    };
    for (const auto& args : cases) {
        std::string joined;
        for (const auto& a : args) joined += a + " ";
        CAPTURE(joined);
        const Run run = cli(args);
        CHECK(run.code == 2);
        CHECK(run.out.empty());
        CHECK_FALSE(run.err.empty());
        CHECK(run.err.find('\n') == run.err.size() - 1);  // exactly one line
    }
    CHECK_FALSE(std::filesystem::exists(store));
}

TEST_CASE("cli: enrol prints a working one-time code and its QR code") {
    TempDir dir;
    const std::string store_path = dir.file("server.db");
    const Run run = cli({"enrol", "--store", store_path, "--venue", "biblioteket-centrum", "--valid-hours", "2"});
    REQUIRE_MESSAGE(run.code == 0, run.err);
    REQUIRE(run.out.starts_with("enrol code: "));
    const std::string code = run.out.substr(12, 10);
    REQUIRE(run.out.substr(22, 1) == "\n");
    CHECK(code.find_first_not_of("0123456789ABCDEFGHJKMNPQRSTVWXYZ") == std::string::npos);
    CHECK(run.out.find("venue: biblioteket-centrum") != std::string::npos);
    CHECK(run.out.find("\xE2\x96\x88") != std::string::npos);  // the QR code's blocks
    CHECK(run.out.find("--enrol " + code) != std::string::npos);  // the kiosk command

    auto store = open_store(store_path);
    auto device = store->enrol(code, wire::generate_device_keys().public_key);
    REQUIRE_MESSAGE(device, (device.ok() ? "" : device.error()));
    CHECK(device.value().venue_id == "biblioteket-centrum");
}

TEST_CASE("cli: devices lists each device with its latest heartbeat; revoke marks one") {
    TempDir dir;
    const std::string store_path = dir.file("server.db");
    std::string device_id;
    {
        auto store = open_store(store_path);
        device_id = contract::enrolled_device(*store).device_id;
        REQUIRE(store->record_heartbeat(device_id, R"({"app_version":"0.1.0","pending":12,"set_aside":2})"));
    }
    const Run list = cli({"devices", "--store", store_path});
    REQUIRE_MESSAGE(list.code == 0, list.err);
    CHECK(list.out.find("device") == 0);
    CHECK(list.out.find("last seen") != std::string::npos);
    const auto row = list.out.find(device_id);
    REQUIRE(row != std::string::npos);
    const std::string line = list.out.substr(row, list.out.find('\n', row) - row);
    CHECK(line.find("biblioteket-centrum") != std::string::npos);
    CHECK(line.find(" no ") != std::string::npos);
    CHECK(line.find(" 12 ") != std::string::npos);
    CHECK(line.find(" 2 ") != std::string::npos);
    CHECK(line.find("0.1.0") != std::string::npos);

    const Run revoke = cli({"revoke", "--store", store_path, device_id});
    CHECK(revoke.code == 0);
    CHECK(revoke.out.find(device_id) != std::string::npos);
    const Run after = cli({"devices", "--store", store_path});
    const auto revoked_row = after.out.find(device_id);
    REQUIRE(revoked_row != std::string::npos);
    CHECK(after.out.substr(revoked_row, after.out.find('\n', revoked_row) - revoked_row).find(" yes ") !=
          std::string::npos);

    const Run unknown = cli({"revoke", "--store", store_path, tillit::new_uuid_v4()});
    CHECK(unknown.code == 1);
    CHECK_FALSE(unknown.err.empty());
}

TEST_CASE("cli: export writes every item as JSON and CSV with free text unsealed") {
    TempDir dir;
    const std::string store_path = dir.file("server.db");
    const std::string free_text = "Bra bemötande, \"tack\"\nMvh";
    wire::Item response;
    wire::Item abandonment = contract::abandonment_item();
    {
        auto store = open_store(store_path);
        const auto device = contract::enrolled_device(*store);
        auto keys = store->sealing_keys();
        REQUIRE(keys);
        Json content = contract::response_content(4);
        content["answers"]["comment"] = {{"sealed", wire::seal(keys.value().public_key, free_text)}};
        content["answers"]["skipped"] = nullptr;
        response = wire::make_item(tillit::new_uuid_v4(), wire::ItemKind::Response, content);
        REQUIRE(store->put_batch(device.device_id, contract::batch_of({response, abandonment})));
    }

    const Run json_run = cli({"export", "--store", store_path, "--format", "json"});
    REQUIRE_MESSAGE(json_run.code == 0, json_run.err);
    const Json rows = Json::parse(json_run.out);
    REQUIRE(rows.is_array());
    REQUIRE(rows.size() == 2);
    for (const Json& row : rows) {
        CHECK(row.contains("survey_version"));
        CHECK(row.contains("language"));
        CHECK(row.contains("venue_id"));
        CHECK(row.contains("time_bucket"));
        CHECK_FALSE(row.contains("device_id"));
        if (row["id"] == response.id) {
            CHECK(row["kind"] == "response");
            CHECK(row["answers"]["comment"] == free_text);
            CHECK(row["answers"]["trust_general"] == 4);
            CHECK(row["answers"]["skipped"].is_null());
        } else {
            CHECK(row["id"] == abandonment.id);
            CHECK(row["kind"] == "abandonment");
            CHECK(row["reached_step"] == 4);
            CHECK(row["total_steps"] == 15);
        }
    }

    const std::string csv_path = dir.file("export.csv");
    const Run csv_run = cli({"export", "--store", store_path, "--format", "csv", "--out", csv_path});
    REQUIRE_MESSAGE(csv_run.code == 0, csv_run.err);
    CHECK(csv_run.out.empty());
    const std::string csv = read_file(csv_path);
    CHECK(csv.starts_with(
        "id,kind,survey_id,survey_version,language,venue_id,time_bucket,answers,reached_step,total_steps,workshop\r\n"));
    CHECK(csv.find(abandonment.id + ",abandonment,tillit,1,en,biblioteket-centrum,2026-11-23,,4,15,\r\n") !=
          std::string::npos);
    // The answers cell is quoted JSON: its quotes doubled, the newline kept inside.
    CHECK(csv.find(response.id + ",response,tillit,1,sv,biblioteket-centrum,2026-11-23T14,\"{\"\"comment\"\":") !=
          std::string::npos);
    CHECK(csv.find("Bra bemötande") != std::string::npos);
    CHECK(csv.find("sealed") == std::string::npos);
}

TEST_CASE("cli: a sealed text that does not open stays sealed and is reported") {
    TempDir dir;
    const std::string store_path = dir.file("server.db");
    {
        auto store = open_store(store_path);
        const auto device = contract::enrolled_device(*store);
        Json content = contract::response_content(2);
        const auto stranger = wire::generate_sealing_keys();
        content["answers"]["comment"] = {{"sealed", wire::seal(stranger.public_key, "not for this server")}};
        REQUIRE(store->put_batch(device.device_id, contract::batch_of({wire::make_item(
                                                       tillit::new_uuid_v4(), wire::ItemKind::Response, content)})));
    }
    const Run run = cli({"export", "--store", store_path, "--format", "json"});
    CHECK(run.code == 0);
    CHECK(Json::parse(run.out)[0]["answers"]["comment"].contains("sealed"));
    CHECK(run.err.find("1 free-text answers did not open") != std::string::npos);
}

TEST_CASE("cli: put-survey stores a valid survey and refuses an invalid or silently changed one") {
    TempDir dir;
    const std::string store_path = dir.file("server.db");
    const std::string tillit_path = source_file("kiosk-config/surveys/tillit.toml");

    const Run ok = cli({"put-survey", "--store", store_path, tillit_path});
    REQUIRE_MESSAGE(ok.code == 0, ok.err);
    CHECK(ok.out.find("stored survey tillit version") != std::string::npos);
    {
        auto store = open_store(store_path);
        auto surveys = store->surveys();
        REQUIRE(surveys);
        REQUIRE(surveys.value().size() == 1);
        CHECK(surveys.value()[0].first == "tillit");
        CHECK(surveys.value()[0].second == read_file(tillit_path));
    }

    const std::string broken = dir.file("broken.toml");
    write_file(broken, "id = \"broken\"\nversion = 1\nflow = \"sideways\"\n");
    const Run bad = cli({"put-survey", "--store", store_path, broken});
    CHECK(bad.code == 1);
    CHECK(bad.err.find(broken + ":") == 0);  // the loader's "path:line: what" message

    // Same version, one question fewer: the kiosks would mix answers to two forms.
    std::string text = read_file(tillit_path);
    const auto last = text.rfind("[[questions]]");
    REQUIRE(last != std::string::npos);
    const std::string shortened = dir.file("tillit.toml");
    write_file(shortened, text.substr(0, last));
    const Run changed = cli({"put-survey", "--store", store_path, shortened});
    CHECK(changed.code == 1);
    CHECK(changed.err.find("raise `version`") != std::string::npos);

    const Run missing = cli({"put-survey", "--store", store_path, dir.file("nope.toml")});
    CHECK(missing.code == 1);
}

TEST_CASE("cli: put-setting stores canonical JSON") {
    TempDir dir;
    const std::string store_path = dir.file("server.db");
    const Run run = cli({"put-setting", "--store", store_path, "idle_timeout_seconds", " 90 "});
    REQUIRE_MESSAGE(run.code == 0, run.err);
    CHECK(cli({"put-setting", "--store=" + store_path, "greeting", "{\"sv\": \"Hej\"}"}).code == 0);
    auto store = open_store(store_path);
    auto settings = store->settings();
    REQUIRE(settings);
    REQUIRE(settings.value().size() == 2);
    CHECK(settings.value()[0] == std::pair<std::string, std::string>{"greeting", "{\"sv\":\"Hej\"}"});
    CHECK(settings.value()[1] == std::pair<std::string, std::string>{"idle_timeout_seconds", "90"});
}

TEST_CASE("cli: a store that cannot be opened is exit 1 with the reason") {
    TempDir dir;
    const std::string path = dir.file("not-a-db.db");
    write_file(path, std::string(4096, 'x'));
    const Run run = cli({"devices", "--store", path});
    CHECK(run.code == 1);
    CHECK(run.err.find(path) != std::string::npos);
}
