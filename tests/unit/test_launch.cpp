// Tests for core/launch: the command line (every flag, --windowed sizes, one-line errors)
// and load_kiosk with the shipped kiosk-config, plus a config whose survey file has
// another id than kiosk.toml asks for, and --enrol against a scripted server on
// 127.0.0.1. Data folders are fresh temp folders.
#include <doctest/doctest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/launch.h"
#include "core/wire.h"
#include "scripted_http_server.h"

namespace fs = std::filesystem;
using tillit::LaunchOptions;
using tillit::parse_launch_options;

namespace {

tillit::Result<LaunchOptions> parse(std::vector<const char*> args) {
    args.insert(args.begin(), "tillit-kiosk");
    return parse_launch_options(static_cast<int>(args.size()), args.data());
}

std::string error_of(const std::vector<const char*>& args) {
    const auto result = parse(args);
    REQUIRE_FALSE(result.ok());
    CHECK(result.error().find('\n') == std::string::npos);  // one line for the journal
    return result.error();
}

// A fresh folder per test, removed afterwards.
class TempDir {
public:
    TempDir() {
        std::string pattern = (fs::temp_directory_path() / "tillit-launch-test-XXXXXX").string();
        const char* made = mkdtemp(pattern.data());
        REQUIRE(made != nullptr);
        path_ = fs::weakly_canonical(made);
    }
    ~TempDir() {
        std::error_code ec;
        fs::remove_all(path_, ec);
    }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    const fs::path& path() const { return path_; }

private:
    fs::path path_;
};

const std::string source_dir = TILLIT_SOURCE_DIR;

}  // namespace

TEST_CASE("launch options: no arguments give the defaults") {
    const auto options = parse({});
    REQUIRE(options.ok());
    CHECK(options.value().config_path == "kiosk-config/kiosk.toml");
    CHECK_FALSE(options.value().data_dir.has_value());
    CHECK_FALSE(options.value().windowed);
    CHECK(options.value().window_width == 1280);
    CHECK(options.value().window_height == 800);
    CHECK_FALSE(options.value().widgets_json.has_value());
    CHECK_FALSE(options.value().screenshot_dir.has_value());
    CHECK_FALSE(options.value().show_help);
}

TEST_CASE("launch options: every flag") {
    const auto options = parse({"--config", "/etc/tillit/kiosk.toml", "--data-dir", "/var/lib/tillit", "--windowed",
                                "1024x768", "--widgets-json", "/tmp/widgets.json", "--screenshot-dir", "/tmp/shots"});
    REQUIRE_MESSAGE(options.ok(), (options.ok() ? "" : options.error()));
    const LaunchOptions& o = options.value();
    CHECK(o.config_path == "/etc/tillit/kiosk.toml");
    CHECK(o.data_dir == "/var/lib/tillit");
    CHECK(o.windowed);
    CHECK(o.window_width == 1024);
    CHECK(o.window_height == 768);
    CHECK(o.widgets_json == "/tmp/widgets.json");
    CHECK(o.screenshot_dir == "/tmp/shots");
    CHECK_FALSE(o.show_help);

    // The last of a repeated flag wins.
    const auto twice = parse({"--config", "a.toml", "--config", "b.toml"});
    REQUIRE(twice.ok());
    CHECK(twice.value().config_path == "b.toml");
}

TEST_CASE("launch options: --enrol CODE") {
    const auto options = parse({"--config", "k.toml", "--enrol", "ABCDE12345"});
    REQUIRE(options.ok());
    CHECK(options.value().enrol_code == "ABCDE12345");
    CHECK_FALSE(parse({}).value().enrol_code.has_value());
}

TEST_CASE("launch options: --help and -h") {
    for (const char* flag : {"--help", "-h"}) {
        CAPTURE(flag);
        const auto options = parse({flag});
        REQUIRE(options.ok());
        CHECK(options.value().show_help);
    }
    const std::string usage = tillit::launch_usage();
    for (const char* flag : {"--config", "--data-dir", "--windowed", "--widgets-json", "--screenshot-dir", "--enrol"}) {
        CHECK_MESSAGE(usage.find(flag) != std::string::npos, flag);
    }
}

TEST_CASE("launch options: --windowed sizes") {
    struct Size {
        const char* text;
        int width;
        int height;
    };
    for (const Size& size : {Size{"1280x800", 1280, 800}, Size{"320x240", 320, 240}, Size{"16384x16384", 16384, 16384},
                             Size{"1920x1080", 1920, 1080}}) {
        CAPTURE(size.text);
        const auto options = parse({"--windowed", size.text});
        REQUIRE(options.ok());
        CHECK(options.value().windowed);
        CHECK(options.value().window_width == size.width);
        CHECK(options.value().window_height == size.height);
    }
    for (const char* bad : {"1280", "1280x", "x800", "1280X800", "1280x800x2", "319x240", "320x239", "16385x800",
                            "1280x16385", "-1280x800", "abcxdef", "1280 x 800", " 1280x800", "1280x800px",
                            "99999999999x800", "1e3x800"}) {
        CAPTURE(bad);
        CHECK(error_of({"--windowed", bad}) ==
              std::string("tillit-kiosk: --windowed wants WIDTHxHEIGHT such as 1280x800, got '") + bad + "'");
    }
}

TEST_CASE("launch options: a flag without its value, and unknown arguments") {
    for (const char* flag : {"--config", "--data-dir", "--windowed", "--widgets-json", "--screenshot-dir", "--enrol"}) {
        CAPTURE(flag);
        const std::string expected = std::string("tillit-kiosk: ") + flag + " needs a value; see --help";
        CHECK(error_of({flag}) == expected);
        CHECK(error_of({flag, ""}) == expected);
    }
    CHECK(error_of({"--fullscreen"}) == "tillit-kiosk: unknown option '--fullscreen'; see --help");
    CHECK(error_of({"kiosk.toml"}) == "tillit-kiosk: unknown option 'kiosk.toml'; see --help");
    CHECK(error_of({"--config=kiosk.toml"}) == "tillit-kiosk: unknown option '--config=kiosk.toml'; see --help");
    // The first problem is the one reported.
    CHECK(error_of({"--windowed", "big", "--nope"}) ==
          "tillit-kiosk: --windowed wants WIDTHxHEIGHT such as 1280x800, got 'big'");
}

TEST_CASE("load_kiosk: the shipped kiosk-config loads, with the data folder overridden") {
    TempDir data;
    LaunchOptions options;
    options.config_path = source_dir + "/kiosk-config/kiosk.toml";
    options.data_dir = (data.path() / "kiosk-data").string();

    auto setup = tillit::load_kiosk(options);
    REQUIRE_MESSAGE(setup.ok(), (setup.ok() ? "" : setup.error()));
    const tillit::KioskSetup& s = setup.value();
    CHECK(s.config.venue_id == "exempel-medborgarkontor");
    CHECK(s.config.data_dir == (data.path() / "kiosk-data").string());
    REQUIRE(s.surveys.size() == 2);
    CHECK(s.surveys[0].id == "tillit");  // in kiosk.toml's order
    CHECK(s.surveys[1].id == "besok");
    CHECK(s.surveys[0].questions.size() == 15);
    CHECK(s.surveys[1].flow == tillit::SurveyFlow::OneTap);
    CHECK(s.translations.language() == "sv");
    CHECK(s.translations.catalog("sv") != nullptr);
    REQUIRE(s.store != nullptr);
    CHECK(fs::is_regular_file(data.path() / "kiosk-data" / "responses.db"));
    const auto count = s.store->count_responses();
    REQUIRE(count.ok());
    CHECK(count.value() == 0);
}

TEST_CASE("load_kiosk: a survey file whose id differs from kiosk.toml's is refused at the id's line") {
    TempDir dir;
    fs::create_directories(dir.path() / "surveys");
    // besok.toml saved as tillit.toml: kiosk.toml asks for "tillit", the file says "besok".
    fs::copy_file(source_dir + "/kiosk-config/surveys/besok.toml", dir.path() / "surveys" / "tillit.toml");
    std::ofstream(dir.path() / "kiosk.toml") << "[venue]\n"
                                                "id = \"test-venue\"\n"
                                                "name = \"Testplatsen\"\n"
                                                "[kiosk]\n"
                                                "languages = [\"sv\", \"en\"]\n"
                                                "default_language = \"sv\"\n"
                                                "surveys = [\"tillit\"]\n"
                                                "data_dir = \"data\"\n"
                                                "[screen]\n"
                                                "width_mm = 527\n"
                                                "height_mm = 296\n"
                                                "[paths]\n"
                                                "surveys_dir = \"surveys\"\n"
                                                "translations_dir = \""
                                             << source_dir << "/translations\"\n";
    // The line of `id = "besok"` in the shipped file, counted here so the test follows edits of its comments.
    int id_line = 0;
    {
        std::ifstream in(source_dir + "/kiosk-config/surveys/besok.toml");
        std::string line;
        for (int number = 1; std::getline(in, line); ++number) {
            if (line.rfind("id = ", 0) == 0) {
                id_line = number;
                break;
            }
        }
    }
    REQUIRE(id_line > 1);

    LaunchOptions options;
    options.config_path = (dir.path() / "kiosk.toml").string();
    const auto setup = tillit::load_kiosk(options);
    REQUIRE_FALSE(setup.ok());
    CHECK(setup.error() == (dir.path() / "surveys" / "tillit.toml").string() + ":" + std::to_string(id_line) +
                               ": the survey's id is 'besok' but kiosk.toml asks for 'tillit'; make them the same");
    CHECK_FALSE(fs::exists(dir.path() / "data"));  // nothing was created before the config was known good
}

TEST_CASE("load_kiosk: a missing config names the file") {
    TempDir dir;
    LaunchOptions options;
    options.config_path = (dir.path() / "nope.toml").string();
    const auto setup = tillit::load_kiosk(options);
    REQUIRE_FALSE(setup.ok());
    CHECK(setup.error() == options.config_path + ": cannot read the config file (No such file or directory)");
}

TEST_CASE("enrol_kiosk: without [sync] there is nothing to enrol with") {
    TempDir data;
    LaunchOptions options;
    options.config_path = source_dir + "/kiosk-config/kiosk.toml";
    options.data_dir = data.path().string();
    auto setup = tillit::load_kiosk(options);
    REQUIRE(setup.ok());
    const auto enrolled = tillit::enrol_kiosk(setup.value(), "ABCDE12345");
    REQUIRE_FALSE(enrolled.ok());
    CHECK(enrolled.error() == setup.value().config.config_path +
                                  ": there is no [sync] table; add [sync] with server_url = \"https://...\" to enrol");
}

TEST_CASE("enrol_kiosk: enrols with [sync] server_url and seals the free text of the kiosk's surveys") {
    const tillit::wire::SealingKeys server_keys = tillit::wire::generate_sealing_keys();
    tillit::test::ScriptedHttpServer server([&](const tillit::test::HttpRequest& request) {
        tillit::test::HttpReply reply;
        reply.body = nlohmann::json{{"device_id", "dev-1"},
                                    {"venue_id", "test-venue"},
                                    {"sealing_public_key", tillit::wire::base64_encode(server_keys.public_key)}}
                         .dump();
        if (request.path != "/v1/enrol") reply.status = 404;
        return reply;
    });
    TempDir dir;
    std::ofstream(dir.path() / "kiosk.toml") << "[venue]\nid = \"test-venue\"\nname = \"Testplatsen\"\n"
                                                "[kiosk]\nlanguages = [\"sv\", \"en\"]\ndefault_language = \"sv\"\n"
                                                "surveys = [\"tillit\"]\ndata_dir = \"data\"\n"
                                                "[screen]\nwidth_mm = 527\nheight_mm = 296\n"
                                                "[paths]\nsurveys_dir = \""
                                             << source_dir << "/kiosk-config/surveys\"\ntranslations_dir = \""
                                             << source_dir << "/translations\"\n"
                                             << "[sync]\nserver_url = \"" << server.url()
                                             << "\"\nallow_http_loopback = true\n";
    LaunchOptions options;
    options.config_path = (dir.path() / "kiosk.toml").string();
    auto setup = tillit::load_kiosk(options);
    REQUIRE_MESSAGE(setup.ok(), (setup.ok() ? "" : setup.error()));
    tillit::NewResponse response;
    response.survey_id = "tillit";
    response.survey_version = 1;
    response.language = "sv";
    response.venue_id = "test-venue";
    response.time_bucket = "2026-11-23T14";
    response.answers_json = R"({"inst_trust":4,"more_trust":"Längre öppettider"})";
    REQUIRE(setup.value().store->save_response(response).ok());

    const auto enrolled = tillit::enrol_kiosk(setup.value(), "ABCDE12345");
    REQUIRE_MESSAGE(enrolled.ok(), (enrolled.ok() ? "" : enrolled.error()));
    CHECK(enrolled.value() == "dev-1");
    const auto rows = setup.value().store->responses();
    REQUIRE(rows.ok());
    const auto answers = nlohmann::json::parse(rows.value().at(0).answers_json);
    CHECK(answers["inst_trust"] == 4);
    CHECK(tillit::wire::unseal(server_keys, answers["more_trust"]["sealed"].get<std::string>()).value() ==
          "Längre öppettider");
}
