// An admin's choices made on the kiosk itself (staff screens): which survey is active,
// which venue the kiosk stands at, the idle timeout. Kept in data_dir/local-settings.json
// (the kiosk may not write /etc) and applied over kiosk.toml and the server's venue
// settings: the person standing at the kiosk knows what happens there today.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/config.h"
#include "core/result.h"

namespace tillit {

struct LocalSettings {
    std::optional<std::vector<std::string>> surveys;  // 1 or 2 of config.available_surveys
    std::optional<std::string> venue_id;              // one of config.venue_choices
    std::optional<int> idle_timeout_seconds;          // 10..600
    bool empty() const { return !surveys && !venue_id && !idle_timeout_seconds; }
};

std::string local_settings_path(const std::string& data_dir);

// A missing file is no settings; a damaged one is reported and ignored (never fatal).
Result<LocalSettings> load_local_settings(const std::string& data_dir);
// Refuses values the config does not allow (with the reason) before writing anything.
Status save_local_settings(const KioskConfig& config, const LocalSettings& settings);
// Applies what is allowed; a note for each value it could not use (for the log).
std::vector<std::string> apply_local_settings(KioskConfig& config, const LocalSettings& settings);

}  // namespace tillit
