// Command line and start-up: everything the kiosk must have before it shows a pixel.
// Any problem here means the kiosk cannot run; it is reported as one line and the
// process exits with code 2 (main does that). A damaged database is not such a problem:
// it is moved aside and a fresh one opened (store_recovery.h). No window or GL here.
#pragma once

#include <cstdio>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/config.h"
#include "core/i18n.h"
#include "core/result.h"
#include "core/staff.h"
#include "core/store.h"
#include "core/store_recovery.h"
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
    std::optional<Role> set_pin_role;          // --set-pin ROLE: write a PIN hash into kiosk.toml, then exit
    bool show_help = false;
};

// Parses argv. Errors read "tillit-kiosk: <what>; see --help".
Result<LaunchOptions> parse_launch_options(int argc, const char* const* argv);
const char* launch_usage();

struct KioskSetup {
    KioskConfig config;            // in effect: kiosk.toml + the server's settings + the admin's choices
    std::vector<Survey> surveys;   // active, in the order config.surveys lists them
    std::vector<Survey> available; // every survey an admin may activate (config.available_surveys)
    Translations translations;
    std::unique_ptr<Store> store;
    // As kiosk.toml and surveys_dir say, before anything is applied over them.
    KioskConfig file_config;
    std::vector<Survey> file_surveys;
};

// Loads kiosk.toml, every survey it names, the UI catalogs, and opens the store
// (data_dir/responses.db; a damaged one is moved aside with an alarm, see
// store_recovery.h). One-tap responses held for a follow-up that never came
// (the kiosk stopped in between) are released to sync here.
// `check`: whether the whole database file is read for damage before this returns, or
// later by the caller (StoreHealth) so the first screen does not wait for it.
Result<KioskSetup> load_kiosk(const LaunchOptions& options, StartCheck check = StartCheck::Now);

// Recomputes config, available and surveys from the files: kiosk.toml, then what the
// server pushed (apply_server_config), then the admin's choices (local-settings.json).
// Returns notes for the log. Call only when no resident is mid-survey.
std::vector<std::string> refresh_config(KioskSetup& setup);

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

// --set-pin ROLE: reads a new PIN twice from the terminal without echo (or two lines
// from a pipe), then stores its argon2id hash as [staff] <role>_pin_hash in kiosk.toml.
// The PIN itself is never printed, logged or stored.
Result<std::string> read_new_pin(std::FILE* in, std::FILE* out);
Status set_pin(const std::string& config_path, Role role, const std::string& pin);

}  // namespace tillit
