// Command line and start-up: everything the kiosk must have before it shows a pixel.
// Any problem here means the kiosk cannot run; it is reported as one line and the
// process exits with code 2 (main does that). No window or GL here.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/config.h"
#include "core/i18n.h"
#include "core/result.h"
#include "core/store.h"
#include "core/survey.h"

namespace tillit {

struct LaunchOptions {
    std::string config_path = "kiosk-config/kiosk.toml";
    std::optional<std::string> data_dir;       // overrides kiosk.toml's data_dir
    bool windowed = false;                     // --windowed WxH (development, tests)
    int window_width = 1280;
    int window_height = 800;
    std::optional<std::string> widgets_json;   // test hook: tappable widgets of the current frame
    std::optional<std::string> screenshot_dir; // test hook: a PNG of every new screen
    std::optional<std::string> enrol_code;     // --enrol CODE: register with [sync] server_url, then exit
    bool show_help = false;
};

// Parses argv. Errors read "tillit-kiosk: <what>; see --help".
Result<LaunchOptions> parse_launch_options(int argc, const char* const* argv);
const char* launch_usage();

struct KioskSetup {
    KioskConfig config;
    std::vector<Survey> surveys;   // in the order kiosk.toml lists them
    Translations translations;
    std::unique_ptr<Store> store;
};

// Loads kiosk.toml, every survey it names, the UI catalogs, and opens the store
// (data_dir/responses.db). One-tap responses held for a follow-up that never came
// (the kiosk stopped in between) are released to sync here.
Result<KioskSetup> load_kiosk(const LaunchOptions& options);

// data_dir/responses.db: the file the store and the sync worker open.
std::string database_path(const KioskConfig& config);

// Applies what the municipality's server pushed (see sync_client.h): each survey that
// kiosk.toml names is taken from data_dir/server-surveys/<id>.toml when that file
// exists and is valid, else from surveys_dir; the venue settings in
// data_dir/server-settings.json override kiosk.toml's. Returns a note per source used
// or refused (for the log). Called at start and, by the loop, when the kiosk is idle.
std::vector<std::string> apply_server_config(KioskConfig& config, std::vector<Survey>& surveys);

// --enrol CODE: enrols the kiosk with [sync] server_url (see core/sync/sync_client.h)
// and seals the free text already stored. Returns the new device id.
Result<std::string> enrol_kiosk(KioskSetup& setup, const std::string& code);

}  // namespace tillit
