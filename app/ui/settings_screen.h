// The admin's settings on the kiosk: which survey is shown (one or two), which venue
// the kiosk stands at, and the idle timeout. Saved to data_dir/local-settings.json.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/config.h"
#include "core/local_settings.h"
#include "core/survey.h"
#include "ui/context.h"

namespace tillit::ui {

struct SettingsScreen {
    bool loaded = false;  // the choices below were filled from the config in effect
    std::vector<std::string> surveys;
    std::string venue_id;
    int idle_timeout_seconds = 60;
    std::string message;
    bool failed = false;
    void reset() { *this = {}; }
};

struct SettingsView {
    const KioskConfig& config;               // in effect now
    const std::vector<Survey>& available;    // what may be chosen
};

struct SettingsIntent {
    enum class Kind { Save, Back };
    Kind kind = Kind::Back;
    LocalSettings settings;  // Save
};

std::optional<SettingsIntent> draw(SettingsScreen& screen, UiContext& ctx, const SettingsView& view);

}  // namespace tillit::ui
