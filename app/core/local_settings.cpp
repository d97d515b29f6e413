// data_dir/local-settings.json: read, checked against kiosk.toml's choices, written atomically.
#include "core/local_settings.h"

#include <algorithm>
#include <filesystem>
#include <fstream>

#include <nlohmann/json.hpp>

#include "core/config_edit.h"

namespace tillit {
namespace {

using nlohmann::json;

Status check(const KioskConfig& config, const LocalSettings& settings) {
    if (settings.surveys) {
        const auto& ids = *settings.surveys;
        if (ids.empty() || ids.size() > 2) return make_error("choose one or two surveys");
        for (const std::string& id : ids) {
            if (std::find(config.available_surveys.begin(), config.available_surveys.end(), id) ==
                config.available_surveys.end()) {
                return make_error("survey '" + id + "' is not in available_surveys");
            }
        }
        if (ids.size() == 2 && ids[0] == ids[1]) return make_error("the same survey is chosen twice");
    }
    if (settings.venue_id) {
        const bool known = std::any_of(config.venue_choices.begin(), config.venue_choices.end(),
                                       [&](const VenueChoice& v) { return v.id == *settings.venue_id; });
        if (!known) return make_error("venue '" + *settings.venue_id + "' is not one of [venue] choices");
    }
    if (settings.idle_timeout_seconds &&
        (*settings.idle_timeout_seconds < 10 || *settings.idle_timeout_seconds > 600)) {
        return make_error("the idle timeout must be 10 to 600 seconds");
    }
    return Ok{};
}

}  // namespace

std::string local_settings_path(const std::string& data_dir) {
    return (std::filesystem::path(data_dir) / "local-settings.json").string();
}

Result<LocalSettings> load_local_settings(const std::string& data_dir) {
    const std::string path = local_settings_path(data_dir);
    std::ifstream in(path);
    if (!in) return LocalSettings{};
    const json root = json::parse(in, nullptr, false);
    if (!root.is_object()) return make_error(path + ": not a JSON object; the kiosk's own choices are ignored");
    LocalSettings settings;
    try {
        if (root.contains("surveys")) settings.surveys = root.at("surveys").get<std::vector<std::string>>();
        if (root.contains("venue_id")) settings.venue_id = root.at("venue_id").get<std::string>();
        if (root.contains("idle_timeout_seconds")) settings.idle_timeout_seconds = root.at("idle_timeout_seconds").get<int>();
    } catch (const json::exception&) {
        return make_error(path + ": a value has the wrong type; the kiosk's own choices are ignored");
    }
    return settings;
}

Status save_local_settings(const KioskConfig& config, const LocalSettings& settings) {
    if (const Status ok = check(config, settings); !ok) return ok;
    json root = json::object();
    if (settings.surveys) root["surveys"] = *settings.surveys;
    if (settings.venue_id) root["venue_id"] = *settings.venue_id;
    if (settings.idle_timeout_seconds) root["idle_timeout_seconds"] = *settings.idle_timeout_seconds;
    std::error_code ec;
    std::filesystem::create_directories(config.data_dir, ec);
    return write_file_atomically(local_settings_path(config.data_dir), root.dump(2) + "\n");
}

std::vector<std::string> apply_local_settings(KioskConfig& config, const LocalSettings& settings) {
    if (const Status ok = check(config, settings); !ok) {
        return {"not using " + local_settings_path(config.data_dir) + ": " + ok.error()};
    }
    if (settings.surveys) config.surveys = *settings.surveys;
    if (settings.venue_id) {
        for (const VenueChoice& venue : config.venue_choices) {
            if (venue.id == *settings.venue_id) {
                config.venue_id = venue.id;
                config.venue_name = venue.name;
            }
        }
    }
    if (settings.idle_timeout_seconds) config.idle_timeout_seconds = *settings.idle_timeout_seconds;
    return {};
}

}  // namespace tillit
