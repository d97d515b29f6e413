// Tests for the kiosk.toml loader (core/config.cpp): the shipped config loads, relative
// paths become absolute against the config's folder, and every rule reports the right
// line and what to fix. Bad configs are written to a fresh temp folder per test.
// Loading the surveys a config names is tested in test_survey.cpp.

#include <doctest/doctest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <utility>
#include <vector>

#include "core/config.h"

namespace fs = std::filesystem;
using namespace tillit;

namespace {

// A fresh folder per test holding surveys/tillit.toml and surveys/besok.toml (the
// config loader only checks that they exist), removed afterwards.
class ConfigDir {
public:
    ConfigDir() {
        std::string pattern = (fs::temp_directory_path() / "tillit-config-test-XXXXXX").string();
        const char* made = mkdtemp(pattern.data());
        REQUIRE(made != nullptr);
        path_ = fs::weakly_canonical(made);
        fs::create_directories(path_ / "surveys");
        std::ofstream(path_ / "surveys" / "tillit.toml") << "id = \"tillit\"\n";
        std::ofstream(path_ / "surveys" / "besok.toml") << "id = \"besok\"\n";
    }
    ~ConfigDir() {
        std::error_code ec;
        fs::remove_all(path_, ec);
    }
    ConfigDir(const ConfigDir&) = delete;
    ConfigDir& operator=(const ConfigDir&) = delete;

    std::string write(const std::string& content, const std::string& name = "kiosk.toml") const {
        const auto file = (path_ / name).string();
        std::ofstream(file, std::ios::binary) << content;
        return file;
    }
    const fs::path& path() const { return path_; }

private:
    fs::path path_;
};

// A valid config. Tests edit single lines so the numbers below stay put; blanking a
// line removes a key without shifting the others.
const std::vector<std::string> base_config{
    /* 1 */ "[venue]",
    /* 2 */ "id = \"test-venue\"",
    /* 3 */ "name = \"Testplatsen\"",
    /* 4 */ "",
    /* 5 */ "[kiosk]",
    /* 6 */ "languages = [\"sv\", \"en\"]",
    /* 7 */ "default_language = \"sv\"",
    /* 8 */ "surveys = [\"tillit\"]",
    /* 9 */ "data_dir = \"data\"",
    /* 10 */ "",
    /* 11 */ "[screen]",
    /* 12 */ "width_mm = 527",
    /* 13 */ "height_mm = 296",
    /* 14 */ "",
};

std::string edited(const std::vector<std::pair<int, std::string>>& edits) {
    auto lines = base_config;
    for (const auto& [line, text] : edits) lines.at(static_cast<std::size_t>(line - 1)) = text;
    std::string text;
    for (const auto& line : lines) text += line + "\n";
    return text;
}

struct Failure {
    int line = 0;
    std::string message;  // what follows "path:line: "
};

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

// Loads `content` and splits the error into line and message; fails the test if it loads.
Failure config_failure(const std::string& content) {
    const ConfigDir dir;
    const auto path = dir.write(content);
    const auto result = load_config(path);
    REQUIRE_FALSE(result.ok());
    const std::string& error = result.error();
    REQUIRE(error.rfind(path + ":", 0) == 0);
    REQUIRE(error.find('\n') == std::string::npos);
    const auto rest = error.substr(path.size() + 1);
    const auto colon = rest.find(": ");
    REQUIRE(colon != std::string::npos);
    return Failure{std::stoi(rest.substr(0, colon)), rest.substr(colon + 2)};
}

KioskConfig config_ok(const ConfigDir& dir, const std::string& content) {
    auto result = load_config(dir.write(content));
    INFO((result.ok() ? std::string() : result.error()));
    REQUIRE(result.ok());
    return std::move(result).value();
}

}  // namespace

TEST_CASE("config: the shipped kiosk.toml loads and offers both surveys") {
    const fs::path source(TILLIT_SOURCE_DIR);
    const auto result = load_config((source / "kiosk-config" / "kiosk.toml").string());
    INFO((result.ok() ? std::string() : result.error()));
    REQUIRE(result.ok());
    const KioskConfig& config = result.value();
    const auto folder = fs::weakly_canonical(source / "kiosk-config");
    CHECK(config.config_path == (folder / "kiosk.toml").string());
    CHECK(config.venue_id == "exempel-medborgarkontor");
    CHECK(config.venue_name == "Exempelkommun medborgarkontor");
    CHECK(config.languages ==
          std::vector<std::string>{"sv", "sv-easy", "en", "ar", "fa", "so", "ti", "fi", "uk"});
    CHECK(config.default_language == "sv");
    CHECK(config.surveys == std::vector<std::string>{"tillit", "besok"});
    CHECK(config.idle_timeout_seconds == 60);
    CHECK(config.idle_countdown_seconds == 20);
    CHECK(config.thanks_seconds == 8);
    CHECK(config.time_bucket == TimeBucket::Hour);
    CHECK(config.data_dir == (folder / "data").string());
    CHECK(config.surveys_dir == (folder / "surveys").string());
    CHECK(config.translations_dir == fs::weakly_canonical(source / "translations").string());
    CHECK(config.screen_width_mm == doctest::Approx(527.0));
    CHECK(config.screen_height_mm == doctest::Approx(296.0));
}

TEST_CASE("config: defaults, and relative paths resolved against the config's folder") {
    const ConfigDir dir;
    const KioskConfig config = config_ok(dir, edited({}));
    CHECK(config.idle_timeout_seconds == 60);
    CHECK(config.idle_countdown_seconds == 20);
    CHECK(config.thanks_seconds == 8);
    CHECK(config.time_bucket == TimeBucket::Hour);
    CHECK(config.data_dir == (dir.path() / "data").string());
    CHECK(config.surveys_dir == (dir.path() / "surveys").string());
    CHECK(config.translations_dir == fs::weakly_canonical(dir.path() / ".." / "translations").string());
    CHECK(fs::path(config.data_dir).is_absolute());

    // Loading through a relative path from another working folder gives the same paths.
    const auto previous = fs::current_path();
    fs::current_path(dir.path().parent_path());
    const auto relative = load_config((dir.path().filename() / "kiosk.toml").string());
    fs::current_path(previous);
    REQUIRE(relative.ok());
    CHECK(relative.value().data_dir == (dir.path() / "data").string());
    CHECK(relative.value().config_path == (dir.path() / "kiosk.toml").string());

    const KioskConfig absolute = config_ok(dir, edited({{9, "data_dir = \"/var/lib/tillit/../tillit\""}}));
    CHECK(absolute.data_dir == "/var/lib/tillit");

    const KioskConfig tuned = config_ok(dir, edited({{10, "idle_timeout_seconds = 120\nidle_countdown_seconds = 45\n"
                                                          "thanks_seconds = 5\ntime_bucket = \"day\""}}));
    CHECK(tuned.idle_timeout_seconds == 120);
    CHECK(tuned.idle_countdown_seconds == 45);
    CHECK(tuned.thanks_seconds == 5);
    CHECK(tuned.time_bucket == TimeBucket::Day);

    const KioskConfig decimals = config_ok(dir, edited({{12, "width_mm = 527.5"}, {13, "height_mm = 50"}}));
    CHECK(decimals.screen_width_mm == doctest::Approx(527.5));
    CHECK(decimals.screen_height_mm == doctest::Approx(50.0));
}

TEST_CASE("config: [paths] moves the surveys and translations folders") {
    const ConfigDir dir;
    fs::create_directories(dir.path() / "elsewhere");
    std::ofstream(dir.path() / "elsewhere" / "egen.toml") << "id = \"egen\"\n";
    const KioskConfig config =
        config_ok(dir, edited({{8, "surveys = [\"egen\"]"},
                               {14, "[paths]\nsurveys_dir = \"elsewhere\"\ntranslations_dir = \"/opt/po\""}}));
    CHECK(config.surveys_dir == (dir.path() / "elsewhere").string());
    CHECK(config.translations_dir == "/opt/po");
    CHECK(config.surveys == std::vector<std::string>{"egen"});

    auto failure = config_failure(edited({{14, "[paths]\nsurveys_dir = \"elsewhere\""}}));
    CHECK(failure.line == 8);
    CHECK(contains(failure.message, "survey \"tillit\" not found"));
    CHECK(contains(failure.message, "elsewhere/tillit.toml"));

    failure = config_failure(edited({{14, "[paths]\nsurvey_dir = \"x\""}}));
    CHECK(failure.line == 15);
    CHECK(contains(failure.message, "unknown key \"survey_dir\" in [paths]; allowed keys: surveys_dir, "
                                    "translations_dir"));

    failure = config_failure(edited({{14, "[paths]\ntranslations_dir = 3"}}));
    CHECK(failure.line == 15);
    CHECK(contains(failure.message, "translations_dir in [paths] must be a text in quotes, not an integer"));
}

TEST_CASE("config: a file that cannot be read or parsed") {
    const ConfigDir dir;
    const auto missing = (dir.path() / "nope.toml").string();
    const auto result = load_config(missing);
    REQUIRE_FALSE(result.ok());
    CHECK(result.error() == missing + ": cannot read the config file (No such file or directory)");

    const auto folder = load_config(dir.path().string());
    REQUIRE_FALSE(folder.ok());
    CHECK(folder.error() == dir.path().string() + ": cannot read the config file (it is a folder)");

    const auto failure = config_failure(edited({{7, "default_language = sv"}}));
    CHECK(failure.line == 7);
    CHECK(contains(failure.message, "not valid TOML"));
}

TEST_CASE("config: unknown tables and keys are errors that list what is allowed") {
    auto failure = config_failure(edited({{14, "[screne]"}}));
    CHECK(failure.line == 14);
    CHECK(contains(failure.message, "unknown key or table \"screne\" at the top level; allowed tables: [venue], "
                                    "[kiosk], [screen], [paths]"));

    failure = config_failure("debug = true\n" + edited({}));
    CHECK(failure.line == 1);
    CHECK(contains(failure.message, "unknown key or table \"debug\""));

    failure = config_failure(edited({{10, "idle_timout_seconds = 30"}}));
    CHECK(failure.line == 10);
    CHECK(contains(failure.message, "unknown key \"idle_timout_seconds\" in [kiosk]; allowed keys: languages, "
                                    "default_language, surveys, available_surveys, idle_timeout_seconds, "
                                    "idle_countdown_seconds, thanks_seconds, time_bucket, data_dir"));

    failure = config_failure(edited({{4, "city = \"Stockholm\""}}));
    CHECK(failure.line == 4);
    CHECK(contains(failure.message, "unknown key \"city\" in [venue]; allowed keys: id, name, choices"));

    failure = config_failure(edited({{14, "depth_mm = 40"}}));
    CHECK(failure.line == 14);
    CHECK(contains(failure.message, "unknown key \"depth_mm\" in [screen]; allowed keys: width_mm, height_mm"));

    failure = config_failure("venue = \"x\"\n" + edited({{1, ""}, {2, ""}, {3, ""}}));
    CHECK(failure.line == 1);
    CHECK(contains(failure.message, "venue must be a table: write [venue]"));
}

TEST_CASE("config: required tables and keys are reported at their table's line") {
    auto failure = config_failure(edited({{1, ""}, {2, ""}, {3, ""}}));
    CHECK(failure.line == 1);
    CHECK(contains(failure.message, "the config has no [venue] table"));

    failure = config_failure(edited({{5, ""}, {6, ""}, {7, ""}, {8, ""}, {9, ""}}));
    CHECK(failure.line == 1);
    CHECK(contains(failure.message, "the config has no [kiosk] table"));

    failure = config_failure(edited({{11, ""}, {12, ""}, {13, ""}}));
    CHECK(failure.line == 1);
    CHECK(contains(failure.message, "the config has no [screen] table"));

    failure = config_failure(edited({{2, ""}}));
    CHECK(failure.line == 1);
    CHECK(contains(failure.message, "[venue] has no \"id\""));

    failure = config_failure(edited({{3, ""}}));
    CHECK(failure.line == 1);
    CHECK(contains(failure.message, "[venue] has no \"name\""));

    failure = config_failure(edited({{6, ""}}));
    CHECK(failure.line == 5);
    CHECK(contains(failure.message, "[kiosk] has no \"languages\"; add languages = [\"sv\", \"en\"]"));

    failure = config_failure(edited({{7, ""}}));
    CHECK(failure.line == 5);
    CHECK(contains(failure.message, "[kiosk] has no \"default_language\""));

    failure = config_failure(edited({{8, ""}}));
    CHECK(failure.line == 5);
    CHECK(contains(failure.message, "[kiosk] has no \"surveys\""));

    failure = config_failure(edited({{9, ""}}));
    CHECK(failure.line == 5);
    CHECK(contains(failure.message, "[kiosk] has no \"data_dir\""));

    failure = config_failure(edited({{12, ""}}));
    CHECK(failure.line == 11);
    CHECK(contains(failure.message, "[screen] has no \"width_mm\""));

    failure = config_failure(edited({{13, ""}}));
    CHECK(failure.line == 11);
    CHECK(contains(failure.message, "[screen] has no \"height_mm\""));
}

TEST_CASE("config: venue id and name") {
    auto failure = config_failure(edited({{2, "id = \"Rinkeby medborgarkontor\""}}));
    CHECK(failure.line == 2);
    CHECK(contains(failure.message, "venue id \"Rinkeby medborgarkontor\" must be lowercase letters a-z, digits "
                                    "and -"));

    failure = config_failure(edited({{2, "id = \"rinkeby_kontor\""}}));
    CHECK(failure.line == 2);
    CHECK(contains(failure.message, "venue id \"rinkeby_kontor\""));

    failure = config_failure(edited({{2, "id = \"\""}}));
    CHECK(failure.line == 2);
    CHECK(contains(failure.message, "id in [venue] is empty"));

    failure = config_failure(edited({{3, "name = 42"}}));
    CHECK(failure.line == 3);
    CHECK(contains(failure.message, "name in [venue] must be a text in quotes, not an integer"));
}

TEST_CASE("config: languages are a non-empty list of known codes without repeats") {
    auto failure = config_failure(edited({{6, "languages = []"}}));
    CHECK(failure.line == 6);
    CHECK(contains(failure.message, "languages in [kiosk] is empty"));

    failure = config_failure(edited({{6, "languages = \"sv\""}}));
    CHECK(failure.line == 6);
    CHECK(contains(failure.message, "languages in [kiosk] must be a list"));

    failure = config_failure(edited({{6, "languages = [\"sv\", 1]"}}));
    CHECK(failure.line == 6);
    CHECK(contains(failure.message, "languages in [kiosk] must hold texts in quotes, not an integer"));

    // A list over several lines: the line of the bad element, not of the key.
    failure = config_failure(edited({{5, "[kiosk]\nlanguages = [\"sv\","}, {6, "  \"se\"]"}}));
    CHECK(failure.line == 7);
    CHECK(contains(failure.message, "unknown language \"se\" in languages; known languages: sv, sv-easy, en, ar, "
                                    "fa, so, ti, fi, uk"));

    failure = config_failure(edited({{6, "languages = [\"sv\", \"en\", \"sv\"]"}}));
    CHECK(failure.line == 6);
    CHECK(contains(failure.message, "\"sv\" is listed twice in languages"));

    failure = config_failure(edited({{7, "default_language = \"ar\""}}));
    CHECK(failure.line == 7);
    CHECK(contains(failure.message, "default_language \"ar\" is not in languages"));

    const ConfigDir dir;
    const KioskConfig all = config_ok(dir, edited({{6, "languages = [\"sv\", \"sv-easy\", \"en\", \"ar\", \"fa\", "
                                                       "\"so\", \"ti\", \"fi\", \"uk\"]"},
                                                   {7, "default_language = \"ar\""}}));
    CHECK(all.languages.size() == 9);
    CHECK(all.default_language == "ar");
}

TEST_CASE("config: one or two surveys, each with a file") {
    const ConfigDir dir;
    CHECK(config_ok(dir, edited({{8, "surveys = [\"besok\", \"tillit\"]"}})).surveys ==
          std::vector<std::string>{"besok", "tillit"});

    auto failure = config_failure(edited({{8, "surveys = []"}}));
    CHECK(failure.line == 8);
    CHECK(contains(failure.message, "surveys in [kiosk] is empty"));

    failure = config_failure(edited({{8, "surveys = [\"tillit\", \"besok\", \"tillit2\"]"}}));
    CHECK(failure.line == 8);
    CHECK(contains(failure.message, "surveys lists 3 surveys; the start screen offers at most 2"));

    failure = config_failure(edited({{8, "surveys = [\"tillit\", \"tillit\"]"}}));
    CHECK(failure.line == 8);
    CHECK(contains(failure.message, "\"tillit\" is listed twice in surveys"));

    failure = config_failure(edited({{8, "surveys = [\"tillit\","}, {9, "  \"besk\"]"}, {10, "data_dir = \"data\""}}));
    CHECK(failure.line == 9);
    CHECK(contains(failure.message, "survey \"besk\" not found: there is no "));
    CHECK(contains(failure.message, "surveys/besk.toml"));

    failure = config_failure(edited({{8, "surveys = [\"Tillit\"]"}}));
    CHECK(failure.line == 8);
    CHECK(contains(failure.message, "survey id \"Tillit\" must be lowercase letters a-z, digits and _"));
}

TEST_CASE("config: timeouts are whole seconds in their ranges") {
    struct Case {
        std::string line;
        std::string expected;
    };
    const std::vector<Case> cases{
        {"idle_timeout_seconds = 9", "idle_timeout_seconds = 9 is out of range in [kiosk]; use a whole number from "
                                     "10 to 600"},
        {"idle_timeout_seconds = 601", "from 10 to 600"},
        {"idle_timeout_seconds = \"60\"", "idle_timeout_seconds in [kiosk] must be an integer, not a text"},
        {"idle_countdown_seconds = 19", "idle_countdown_seconds = 19 is out of range in [kiosk]; use a whole number "
                                        "from 20 to 120"},
        {"idle_countdown_seconds = 121", "from 20 to 120"},
        {"thanks_seconds = 2", "thanks_seconds = 2 is out of range in [kiosk]; use a whole number from 3 to 60"},
        {"thanks_seconds = 61", "from 3 to 60"},
        {"thanks_seconds = 8.5", "thanks_seconds in [kiosk] must be an integer, not a decimal number"},
    };
    for (const auto& c : cases) {
        CAPTURE(c.line);
        const auto failure = config_failure(edited({{10, c.line}}));
        CHECK(failure.line == 10);
        CHECK(contains(failure.message, c.expected));
    }
    const ConfigDir dir;
    const KioskConfig edges = config_ok(dir, edited({{10, "idle_timeout_seconds = 10\nidle_countdown_seconds = 120\n"
                                                          "thanks_seconds = 60"}}));
    CHECK(edges.idle_timeout_seconds == 10);
    CHECK(edges.idle_countdown_seconds == 120);
    CHECK(edges.thanks_seconds == 60);
}

TEST_CASE("config: time_bucket is hour or day") {
    auto failure = config_failure(edited({{10, "time_bucket = \"week\""}}));
    CHECK(failure.line == 10);
    CHECK(contains(failure.message, "time_bucket must be \"hour\" or \"day\", not \"week\""));

    failure = config_failure(edited({{10, "time_bucket = 1"}}));
    CHECK(failure.line == 10);
    CHECK(contains(failure.message, "time_bucket in [kiosk] must be a text in quotes, not an integer"));
}

TEST_CASE("config: the screen size is 50..3000 mm, integer or decimal") {
    auto failure = config_failure(edited({{12, "width_mm = 49"}}));
    CHECK(failure.line == 12);
    CHECK(contains(failure.message, "width_mm = 49 is out of range in [screen]"));
    CHECK(contains(failure.message, "50 to 3000 mm"));

    failure = config_failure(edited({{13, "height_mm = 3000.5"}}));
    CHECK(failure.line == 13);
    CHECK(contains(failure.message, "height_mm = 3000.5 is out of range in [screen]"));

    failure = config_failure(edited({{13, "height_mm = \"296\""}}));
    CHECK(failure.line == 13);
    CHECK(contains(failure.message, "height_mm in [screen] must be a number of millimetres, not a text"));

    failure = config_failure(edited({{12, "width_mm = nan"}}));
    CHECK(failure.line == 12);
    CHECK(contains(failure.message, "is out of range in [screen]"));
}

TEST_CASE("config: [screen] renderer is auto, opengl or software") {
    const ConfigDir dir;
    CHECK(config_ok(dir, edited({})).screen_renderer == ScreenRenderer::Auto);
    CHECK(config_ok(dir, edited({{13, "height_mm = 296\nrenderer = \"software\""}})).screen_renderer ==
          ScreenRenderer::Software);
    CHECK(config_ok(dir, edited({{13, "height_mm = 296\nrenderer = \"opengl\""}})).screen_renderer ==
          ScreenRenderer::OpenGL);

    auto failure = config_failure(edited({{13, "height_mm = 296\nrenderer = \"vulkan\""}}));
    CHECK(failure.line == 14);
    CHECK(contains(failure.message, "renderer must be \"auto\", \"opengl\" or \"software\", not \"vulkan\""));
}

TEST_CASE("config: known languages") {
    CHECK(is_known_language("sv"));
    CHECK(is_known_language("sv-easy"));
    CHECK(is_known_language("uk"));
    CHECK_FALSE(is_known_language("se"));
    CHECK_FALSE(is_known_language(""));
    CHECK(english_language_name("fa") == "Persian");
    CHECK(english_language_name("xx") == "xx");
    CHECK(known_language_list() == "sv, sv-easy, en, ar, fa, so, ti, fi, uk");
}

// [sync] replaces the base config's last (blank) line: line 14 is "[sync]", its keys follow from line 15.
std::string with_sync(const std::vector<std::string>& lines) {
    std::string text = edited({{14, "[sync]"}});
    for (const auto& line : lines) text += line + "\n";
    return text;
}

TEST_CASE("config: without [sync] the kiosk never syncs; the shipped config has it commented out") {
    const ConfigDir dir;
    CHECK_FALSE(config_ok(dir, edited({})).sync.has_value());
    const auto shipped = load_config((fs::path(TILLIT_SOURCE_DIR) / "kiosk-config" / "kiosk.toml").string());
    REQUIRE(shipped.ok());
    CHECK_FALSE(shipped.value().sync.has_value());
}

TEST_CASE("config: [sync] values, defaults, and the CA file relative to the config's folder") {
    const ConfigDir dir;
    const KioskConfig minimal = config_ok(dir, with_sync({"server_url = \"https://tillit.example.se\""}));
    REQUIRE(minimal.sync.has_value());
    CHECK(minimal.sync->server_url == "https://tillit.example.se");
    CHECK(minimal.sync->ca_file.empty());
    CHECK(minimal.sync->pinned_public_key.empty());
    CHECK_FALSE(minimal.sync->allow_http_loopback);
    CHECK(minimal.sync->interval_seconds == 300);
    CHECK(minimal.sync->batch_size == 500);

    std::ofstream(dir.path() / "municipal-ca.pem") << "-----BEGIN CERTIFICATE-----\n";
    const std::string pin = "sha256//" + std::string(43, 'A') + "=";
    const KioskConfig full = config_ok(dir, with_sync({"server_url = \"https://tillit.example.se:8443/kiosk\"",
                                                       "ca_file = \"municipal-ca.pem\"",
                                                       "pinned_public_key = \"" + pin + ";" + pin + "\"",
                                                       "interval_seconds = 30", "batch_size = 5000"}));
    REQUIRE(full.sync.has_value());
    CHECK(full.sync->server_url == "https://tillit.example.se:8443/kiosk");
    CHECK(full.sync->ca_file == (dir.path() / "municipal-ca.pem").string());
    CHECK(full.sync->pinned_public_key == pin + ";" + pin);
    CHECK(full.sync->interval_seconds == 30);
    CHECK(full.sync->batch_size == 5000);

    for (const char* url : {"http://127.0.0.1:8080", "http://localhost:8080", "http://[::1]:8080/"}) {
        const KioskConfig loopback = config_ok(
            dir, with_sync({"server_url = \"" + std::string(url) + "\"", "allow_http_loopback = true"}));
        CHECK(loopback.sync->allow_http_loopback);
    }
}

TEST_CASE("config: [sync] refuses plain http except for loopback with allow_http_loopback") {
    auto failure = config_failure(with_sync({"server_url = \"http://tillit.example.se\""}));
    CHECK(failure.line == 15);
    CHECK(failure.message == "server_url in [sync]: plain http:// is refused (answers would travel unencrypted); "
                             "use https://");

    failure = config_failure(with_sync({"server_url = \"http://tillit.example.se\"", "allow_http_loopback = true"}));
    CHECK(failure.line == 15);
    CHECK(contains(failure.message, "plain http:// is refused (answers would travel unencrypted)"));

    failure = config_failure(with_sync({"server_url = \"http://127.0.0.1:8080\""}));
    CHECK(failure.line == 15);
    CHECK(failure.message == "server_url in [sync]: plain http:// is refused; for a local test server on "
                             "127.0.0.1 add allow_http_loopback = true");

    failure = config_failure(with_sync({"server_url = \"ftp://tillit.example.se\""}));
    CHECK(contains(failure.message, "only https:// is allowed, not ftp://"));
    failure = config_failure(with_sync({"server_url = \"tillit.example.se\""}));
    CHECK(contains(failure.message, "is not a full URL; write it like \"https://tillit.example.se\""));
    failure = config_failure(with_sync({"server_url = \"https://tillit.example.se/?x=1\""}));
    CHECK(contains(failure.message, "must not hold ?query or #fragment parts"));
}

TEST_CASE("config: every [sync] key is checked where it is written") {
    auto failure = config_failure(with_sync({"interval_seconds = 60"}));
    CHECK(failure.line == 14);
    CHECK(contains(failure.message, "[sync] has no \"server_url\""));

    failure = config_failure(with_sync({"server_url = \"https://t.example.se\"", "ca_file = \"missing.pem\""}));
    CHECK(failure.line == 16);
    CHECK(contains(failure.message, "ca_file \"missing.pem\" not found: there is no "));

    failure = config_failure(with_sync({"server_url = \"https://t.example.se\"", "pinned_public_key = \"abc\""}));
    CHECK(failure.line == 16);
    CHECK(contains(failure.message, "pinned_public_key must look like \"sha256//<base64 of the key's SHA-256>\""));
    failure = config_failure(
        with_sync({"server_url = \"https://t.example.se\"", "pinned_public_key = \"sha256//c2hvcnQ=\""}));
    CHECK(contains(failure.message, "pinned_public_key must look like"));

    failure = config_failure(with_sync({"server_url = \"https://t.example.se\"", "allow_http_loopback = \"yes\""}));
    CHECK(failure.line == 16);
    CHECK(contains(failure.message, "allow_http_loopback in [sync] must be true or false, not a text"));

    failure = config_failure(with_sync({"server_url = \"https://t.example.se\"", "interval_seconds = 29"}));
    CHECK(failure.line == 16);
    CHECK(contains(failure.message, "interval_seconds = 29 is out of range in [sync]; use a whole number from 30 to "
                                    "86400"));
    failure = config_failure(with_sync({"server_url = \"https://t.example.se\"", "batch_size = 0"}));
    CHECK(contains(failure.message, "batch_size = 0 is out of range in [sync]; use a whole number from 1 to 5000"));
    failure = config_failure(with_sync({"server_url = \"https://t.example.se\"", "batch_size = 5001"}));
    CHECK(contains(failure.message, "batch_size = 5001 is out of range"));

    failure = config_failure(with_sync({"server_url = \"https://t.example.se\"", "intervall_seconds = 60"}));
    CHECK(failure.line == 16);
    CHECK(contains(failure.message, "unknown key \"intervall_seconds\" in [sync]; allowed keys: server_url, ca_file, "
                                    "pinned_public_key, allow_http_loopback, interval_seconds, batch_size"));

    failure = config_failure("sync = true\n" + edited({}));
    CHECK(failure.line == 1);
    CHECK(contains(failure.message, "sync must be a table"));
}

TEST_CASE("config: [staff] defaults, values, and every key checked where it is written") {
    const ConfigDir dir;
    const KioskConfig plain = config_ok(dir, edited({}));
    CHECK(plain.staff.admin_pin_hash.empty());
    CHECK(plain.staff.facilitator_pin_hash.empty());
    CHECK(plain.staff.hold_seconds == 3);
    CHECK(plain.staff.lock_after_seconds == 120);
    CHECK(plain.staff.export_dirs == std::vector<std::string>{"/media", "/run/media", "/mnt"});
    CHECK_FALSE(plain.staff.hide_cursor);

    const std::string hash = "$argon2id$v=19$m=65536,t=2,p=1$c2FsdHNhbHRzYWx0$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaA";
    const KioskConfig set = config_ok(dir, edited({}) + "[staff]\nadmin_pin_hash = \"" + hash +
                                                "\"\nhold_seconds = 5\nlock_after_seconds = 60\n"
                                                "export_dirs = [\"/srv/usb\"]\nhide_cursor = true\n");
    CHECK(set.staff.admin_pin_hash == hash);
    CHECK(set.staff.hold_seconds == 5);
    CHECK(set.staff.lock_after_seconds == 60);
    CHECK(set.staff.export_dirs == std::vector<std::string>{"/srv/usb"});
    CHECK(set.staff.hide_cursor);

    Failure failure = config_failure(edited({}) + "[staff]\nadmin_pin_hash = \"1234\"\n");
    CHECK(failure.line == 16);
    CHECK(failure.message == "admin_pin_hash is not an argon2id PIN hash; set it with tillit-kiosk --set-pin admin "
                             "instead of by hand");
    failure = config_failure(edited({}) + "[staff]\nhold_seconds = 1\n");
    CHECK(failure.line == 16);
    CHECK(contains(failure.message, "hold_seconds = 1 is out of range in [staff]; use a whole number from 2 to 10"));
    failure = config_failure(edited({}) + "[staff]\nexport_dirs = [\"usb\"]\n");
    CHECK(contains(failure.message, "export_dirs holds \"usb\"; write absolute folders"));
    failure = config_failure(edited({}) + "[staff]\npin = \"1234\"\n");
    CHECK(contains(failure.message, "unknown key \"pin\" in [staff]"));
}

TEST_CASE("config: venue choices and available surveys an admin may switch to") {
    const ConfigDir dir;
    const KioskConfig plain = config_ok(dir, edited({}));
    REQUIRE(plain.venue_choices.size() == 1);
    CHECK(plain.venue_choices[0].id == "test-venue");
    CHECK(plain.available_surveys == std::vector<std::string>{"tillit"});

    const KioskConfig more = config_ok(
        dir, edited({{4, "choices = [{ id = \"bibliotek\", name = \"Biblioteket\" }, { id = \"fritid\", name = \"Fritidsgården\" }]"},
                     {10, "available_surveys = [\"besok\", \"tillit\"]"}}));
    REQUIRE(more.venue_choices.size() == 3);
    CHECK(more.venue_choices[1].id == "bibliotek");
    CHECK(more.venue_choices[2].name == "Fritidsgården");
    CHECK(more.available_surveys == std::vector<std::string>{"tillit", "besok"});

    Failure failure = config_failure(edited({{4, "choices = [{ id = \"test-venue\", name = \"Igen\" }]"}}));
    CHECK(failure.line == 4);
    CHECK(failure.message == "venue \"test-venue\" is listed twice; remove one");
    failure = config_failure(edited({{4, "choices = [{ id = \"Bad Id\", name = \"X\" }]"}}));
    CHECK(contains(failure.message, "venue id \"Bad Id\" must be lowercase"));
    failure = config_failure(edited({{10, "available_surveys = [\"okand\"]"}}));
    CHECK(failure.line == 10);
    CHECK(contains(failure.message, "survey \"okand\" not found"));
}
