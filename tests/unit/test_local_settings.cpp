// Tests for the kiosk's own settings (core/local_settings) and for writing one value
// into kiosk.toml without disturbing the rest (core/config_edit, used by --set-pin).
#include <doctest/doctest.h>

#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "core/config.h"
#include "core/config_edit.h"
#include "core/launch.h"
#include "core/local_settings.h"
#include "core/privacy.h"
#include "../server/temp_dir.h"
#include "core/staff.h"

namespace fs = std::filesystem;
using namespace tillit;

namespace {

using TempDir = tillit::test::TempDir;

std::string read(const fs::path& path) {
    std::ifstream in(path);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
}

KioskConfig sample(const TempDir& dir) {
    KioskConfig config;
    config.data_dir = (dir.path / "data").string();
    config.venue_id = "a";
    config.venue_name = "A";
    config.venue_choices = {{"a", "A"}, {"b", "B"}};
    config.surveys = {"tillit"};
    config.available_surveys = {"tillit", "besok"};
    return config;
}

}  // namespace

TEST_CASE("local settings: saved, read back and applied over the config") {
    TempDir dir;
    KioskConfig config = sample(dir);
    CHECK(load_local_settings(config.data_dir).value().empty());

    LocalSettings settings;
    settings.surveys = std::vector<std::string>{"besok", "tillit"};
    settings.venue_id = "b";
    settings.idle_timeout_seconds = 90;
    REQUIRE(save_local_settings(config, settings).ok());
    const LocalSettings back = load_local_settings(config.data_dir).value();
    CHECK(back.surveys == settings.surveys);
    CHECK(back.venue_id == "b");
    CHECK(back.idle_timeout_seconds == 90);

    CHECK(apply_local_settings(config, back).empty());
    CHECK(config.surveys == std::vector<std::string>{"besok", "tillit"});
    CHECK(config.venue_id == "b");
    CHECK(config.venue_name == "B");
    CHECK(config.idle_timeout_seconds == 90);
}

TEST_CASE("local settings: values the config does not allow are refused, and a damaged file is ignored") {
    TempDir dir;
    KioskConfig config = sample(dir);
    LocalSettings bad;
    bad.venue_id = "elsewhere";
    CHECK(save_local_settings(config, bad).error() == "venue 'elsewhere' is not one of [venue] choices");
    bad = {};
    bad.surveys = std::vector<std::string>{"okand"};
    CHECK(save_local_settings(config, bad).error() == "survey 'okand' is not in available_surveys");
    bad = {};
    bad.idle_timeout_seconds = 5;
    CHECK(save_local_settings(config, bad).error() == "the idle timeout must be 10 to 600 seconds");
    CHECK_FALSE(fs::exists(local_settings_path(config.data_dir)));

    fs::create_directories(config.data_dir);
    std::ofstream(local_settings_path(config.data_dir)) << "{\"venue_id\": 7}";
    CHECK_FALSE(load_local_settings(config.data_dir).ok());
    std::ofstream(local_settings_path(config.data_dir)) << "{\"venue_id\": \"elsewhere\"}";
    const auto notes = apply_local_settings(config, load_local_settings(config.data_dir).value());
    REQUIRE(notes.size() == 1);
    CHECK(config.venue_id == "a");
}

TEST_CASE("config edit: a key is replaced, added under its table, or the table appended; the rest stays") {
    TempDir dir;
    const fs::path file = dir.path / "kiosk.toml";
    std::ofstream(file) << "# top comment\n[venue]\nid = \"x\"  # keep me\n\n[staff]\nhold_seconds = 3\n";
    ::chmod(file.c_str(), 0640);
    REQUIRE(set_toml_string(file.string(), "staff", "admin_pin_hash", "$argon2id$one", "note").ok());
    CHECK(read(file) == "# top comment\n[venue]\nid = \"x\"  # keep me\n\n[staff]\nadmin_pin_hash = \"$argon2id$one\""
                        "  # note\nhold_seconds = 3\n");
    REQUIRE(set_toml_string(file.string(), "staff", "admin_pin_hash", "$argon2id$two", "").ok());
    CHECK(read(file) == "# top comment\n[venue]\nid = \"x\"  # keep me\n\n[staff]\nadmin_pin_hash = \"$argon2id$two\"\n"
                        "hold_seconds = 3\n");
    REQUIRE(set_toml_string(file.string(), "other", "k", "v", "").ok());
    CHECK(read(file).ends_with("hold_seconds = 3\n\n[other]\nk = \"v\"\n"));
    struct stat info {};
    REQUIRE(::stat(file.c_str(), &info) == 0);
    CHECK((info.st_mode & 0777) == 0640);
    // No temp files are left behind.
    int files = 0;
    for ([[maybe_unused]] const auto& entry : fs::directory_iterator(dir.path)) ++files;
    CHECK(files == 1);

    CHECK_FALSE(set_toml_string(file.string(), "staff", "k", "a\"b", "").ok());
    std::ofstream(file) << "[staff\n";
    CHECK(set_toml_string(file.string(), "staff", "k", "v", "").error().find("not valid TOML") != std::string::npos);
}

TEST_CASE("set-pin: the hash lands in kiosk.toml, verifies, and the PIN itself is nowhere in the file") {
    TempDir dir;
    fs::create_directories(dir.path / "surveys");
    std::ofstream(dir.path / "surveys" / "tillit.toml") << "id = \"tillit\"\n";
    const fs::path file = dir.path / "kiosk.toml";
    std::ofstream(file) << "[venue]\nid = \"v\"\nname = \"V\"\n[kiosk]\nlanguages = [\"sv\"]\ndefault_language = \"sv\"\n"
                           "surveys = [\"tillit\"]\ndata_dir = \"data\"\n[screen]\nwidth_mm = 500\nheight_mm = 300\n";
    REQUIRE(set_pin(file.string(), Role::Admin, "7391").ok());
    REQUIRE(set_pin(file.string(), Role::Facilitator, "4826").ok());
    const auto config = load_config(file.string());
    REQUIRE(config.ok());
    CHECK(verify_pin(config.value().staff.admin_pin_hash, "7391"));
    CHECK(verify_pin(config.value().staff.facilitator_pin_hash, "4826"));
    CHECK_FALSE(verify_pin(config.value().staff.admin_pin_hash, "4826"));
    const std::string text = read(file);
    CHECK(text.find("7391") == std::string::npos);
    CHECK(text.find("4826") == std::string::npos);
    CHECK_FALSE(set_pin(file.string(), Role::Admin, "12").ok());
}

TEST_CASE("set-pin: the PIN is read twice and must match") {
    auto from = [](const std::string& input) {
        std::FILE* in = fmemopen(const_cast<char*>(input.data()), input.size(), "r");
        std::FILE* out = std::tmpfile();
        auto pin = read_new_pin(in, out);
        std::fseek(out, 0, SEEK_END);
        const long printed = std::ftell(out);
        std::fclose(in);
        std::fclose(out);
        CHECK(printed == 0);  // not a terminal: no prompt, and never an echo
        return pin;
    };
    CHECK(from("2580\n2580\n").value() == "2580");
    CHECK(from("2580\r\n2580\r\n").value() == "2580");
    CHECK(from("2580\n2581\n").error() == "the two PINs differ; nothing was changed");
    CHECK(from("25\n25\n").error() == "a PIN has 4 to 12 digits, not 2");
    CHECK(from("2580\n").error() == "the PIN was not given a second time");
    CHECK(from("").error() == "no PIN given");
}
