// apply_server_config: surveys and venue settings pushed by the municipality's server
// replace the kiosk's own, but only when valid; a damaged file never takes the kiosk down.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include <unistd.h>

#include "core/launch.h"
#include "core/sync/sync_client.h"

namespace fs = std::filesystem;

namespace {

std::string read(const fs::path& path) {
    std::ifstream in(path);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
}

void write(const fs::path& path, const std::string& text) {
    fs::create_directories(path.parent_path());
    std::ofstream(path) << text;
}

struct Kiosk {
    fs::path dir = fs::temp_directory_path() / ("tillit-server-config-" + std::to_string(::getpid()));
    tillit::KioskSetup setup;
    Kiosk() {
        fs::remove_all(dir);
        tillit::LaunchOptions options;
        options.config_path = std::string(TILLIT_SOURCE_DIR) + "/kiosk-config/kiosk.toml";
        options.data_dir = dir.string();
        auto loaded = tillit::load_kiosk(options);
        REQUIRE_MESSAGE(loaded.ok(), (loaded.ok() ? "" : loaded.error()));
        setup = std::move(loaded).value();
    }
    ~Kiosk() { fs::remove_all(dir); }
};

std::string shipped_tillit() { return read(fs::path(TILLIT_SOURCE_DIR) / "kiosk-config/surveys/tillit.toml"); }

}  // namespace

TEST_CASE("server config: a valid central survey replaces the kiosk's own, settings override kiosk.toml") {
    Kiosk k;
    std::string central = shipped_tillit();
    const auto at = central.find("version = 1");
    REQUIRE(at != std::string::npos);
    central.replace(at, 11, "version = 2");
    const auto title = central.find("Hur ser du på kommunen?");
    REQUIRE(title != std::string::npos);
    central.replace(title, std::string("Hur ser du på kommunen?").size(), "Vad tycker du om kommunen?");
    write(fs::path(tillit::sync::server_surveys_dir(k.setup.config.data_dir)) / "tillit.toml", central);
    write(tillit::sync::server_settings_path(k.setup.config.data_dir), R"({"idle_timeout_seconds":90,"thanks_seconds":5})");

    const auto notes = tillit::apply_server_config(k.setup.config, k.setup.surveys);
    REQUIRE(k.setup.surveys.size() == 2);
    CHECK(k.setup.surveys[0].id == "tillit");
    CHECK(k.setup.surveys[0].version == 2);
    CHECK(tillit::text_in(k.setup.surveys[0].title, "sv") == "Vad tycker du om kommunen?");
    CHECK(k.setup.surveys[1].version == 1);  // besok: nothing central, the kiosk's own
    CHECK(k.setup.config.idle_timeout_seconds == 90);
    CHECK(k.setup.config.thanks_seconds == 5);
    CHECK(k.setup.config.idle_countdown_seconds == 20);  // not in the settings: unchanged
    REQUIRE(notes.size() == 1);
    CHECK(notes[0].find("version 2 from the server") != std::string::npos);
}

TEST_CASE("server config: a damaged central survey is refused with a note and the kiosk's own stays") {
    Kiosk k;
    write(fs::path(tillit::sync::server_surveys_dir(k.setup.config.data_dir)) / "tillit.toml", "id = \"tillit\"\nversion = ");
    write(tillit::sync::server_settings_path(k.setup.config.data_dir), "not json");
    const auto notes = tillit::apply_server_config(k.setup.config, k.setup.surveys);
    CHECK(k.setup.surveys[0].version == 1);
    CHECK(k.setup.surveys[0].questions.size() == 15);
    CHECK(k.setup.config.idle_timeout_seconds == 60);
    REQUIRE(notes.size() == 2);
    CHECK(notes[0].find("not using the server's survey") != std::string::npos);
    CHECK(notes[0].find("tillit.toml") != std::string::npos);
    CHECK(notes[1].find("server-settings.json") != std::string::npos);
}
