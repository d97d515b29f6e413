// kiosk.toml: what one kiosk at one venue shows and where it keeps its data.
// Loading validates every value; any problem is one "path:line: what is wrong" line.
// Relative paths are resolved against the folder that holds kiosk.toml.
#pragma once

#include <array>
#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace tillit {

// Languages a kiosk may enable: each needs fonts, a UI catalog and every survey text.
struct KnownLanguage {
    std::string_view code;          // as used in kiosk.toml and in "label::<code>"
    std::string_view english_name;  // for error messages read by an admin
};
inline constexpr std::array<KnownLanguage, 9> known_languages{{
    {"sv", "Swedish"},
    {"sv-easy", "Easy Swedish"},
    {"en", "English"},
    {"ar", "Arabic"},
    {"fa", "Persian"},
    {"so", "Somali"},
    {"ti", "Tigrinya"},
    {"fi", "Finnish"},
    {"uk", "Ukrainian"},
}};

bool is_known_language(std::string_view code);
// "English" for "en"; the code itself for an unknown code.
std::string_view english_language_name(std::string_view code);
// "sv, sv-easy, en, ..." for error messages.
std::string known_language_list();

enum class TimeBucket { Hour, Day };

// [screen] renderer: how frames are drawn (platform/renderer.h). Auto: OpenGL where the
// machine has a GPU, the kiosk's own software renderer where it has none.
enum class ScreenRenderer { Auto, OpenGL, Software };

// How long the sync client waits on the network. Not read from kiosk.toml: the defaults
// suit the networks kiosks meet (a stalled mobile link is given up after 30 s under
// 1 000 B/s); tests shorten them so a fault that makes the client wait costs seconds.
struct HttpTimeouts {
    std::chrono::milliseconds connect{10'000};
    std::chrono::milliseconds total{120'000};
    long low_speed_bytes_per_second = 1000;   // slower than this ...
    std::chrono::seconds low_speed_time{30};  // ... for this long is a dead link
};

// [sync]: where and how this kiosk hands its responses to the municipality's server.
struct SyncConfig {
    std::string server_url;          // https://... (http:// only for loopback + allow_http_loopback)
    std::string ca_file;             // absolute PEM path after loading; "" = the system's CAs
    std::string pinned_public_key;   // curl's "sha256//<base64>[;sha256//...]"; "" = no pin
    bool allow_http_loopback = false;
    int interval_seconds = 300;      // between automatic syncs (30..86400)
    int batch_size = 500;            // items per batch (1..5000)
    HttpTimeouts timeouts;
};

// A venue this kiosk may be moved to by an admin (staff screens).
struct VenueChoice {
    std::string id;
    std::string name;
};

// [staff]: how staff get in and what their screens may do.
struct StaffConfig {
    std::string admin_pin_hash;        // argon2id, written by --set-pin admin; "" = not set
    std::string facilitator_pin_hash;  // "" = not set
    int hold_seconds = 3;              // hold the top-left corner of the start screen this long
    int lock_after_seconds = 120;      // staff screens lock themselves after this long untouched
    // Where USB sticks appear: each folder below these is offered as an export target.
    std::vector<std::string> export_dirs{"/media", "/run/media", "/mnt"};
    bool hide_cursor = false;          // touch-only kiosks: no mouse pointer on screen
};

struct KioskConfig {
    std::string config_path;
    std::string venue_id;     // [a-z0-9-]+, travels with every response
    std::string venue_name;   // shown on the start screen
    std::vector<VenueChoice> venue_choices;  // the venue above first, then [venue] choices
    std::vector<std::string> languages;  // enabled, in the order shown; first is not special
    std::string default_language = "sv";
    std::vector<std::string> surveys;    // survey ids; two ids = both offered on the start screen
    std::vector<std::string> available_surveys;  // what an admin may switch to (surveys first)
    int idle_timeout_seconds = 60;       // no touch for this long -> "Are you still there?"
    int idle_countdown_seconds = 20;     // at least 20
    int thanks_seconds = 8;              // thank-you screen, then back to start
    TimeBucket time_bucket = TimeBucket::Hour;
    std::string data_dir;                // absolute after loading
    std::string surveys_dir;             // absolute after loading
    std::string translations_dir;        // absolute after loading
    double screen_width_mm = 527.0;      // physical size of the display, for sizes in mm
    double screen_height_mm = 296.0;
    ScreenRenderer screen_renderer = ScreenRenderer::Auto;
    std::optional<SyncConfig> sync;      // absent [sync] table: this kiosk never syncs
    StaffConfig staff;
};

Result<KioskConfig> load_config(const std::string& path);

// The transport rule of docs/sync-protocol.md: https, or http only when
// allow_http_loopback is set and the host is 127.0.0.1, ::1 or localhost. The error
// says what is wrong in plain words (no file position; callers add it).
Status check_server_url(const std::string& url, bool allow_http_loopback);

}  // namespace tillit
