// Loads kiosk.toml and checks every table, key, type and range, so a wrong setting is
// one "path:line: what is wrong and how to fix it" line at start, never a surprise later.
// Relative paths become absolute against the config's folder. It checks that each
// survey file exists but does not load it (survey.cpp does), nor the catalogs (i18n.cpp),
// and that [sync] names a server it is allowed to talk to, without contacting it.

#include "core/config.h"

#include <curl/curl.h>
#include <toml++/toml.h>

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <sstream>
#include <utility>

#include "core/staff.h"
#include "core/toml_checks.h"
#include "core/wire.h"

namespace tillit {

namespace fs = std::filesystem;

namespace {

using detail::Check;
using detail::FileErrors;
using detail::in_file_order;
using detail::in_quotes;
using detail::is_id;
using detail::missing;
using detail::Place;
using detail::type_name;

// The start screen has room for two survey buttons; more would need scrolling.
constexpr std::size_t max_offered_surveys = 2;

std::string join(const std::vector<std::string_view>& items, std::string_view decoration_left = "",
                 std::string_view decoration_right = "") {
    std::string list;
    for (auto item : items) {
        list += (list.empty() ? "" : ", ") + std::string(decoration_left) + std::string(item) +
                std::string(decoration_right);
    }
    return list;
}

// Unknown keys are errors: a typo such as "idle_timout_seconds" would otherwise be
// ignored and the kiosk would quietly run with the default.
Check check_keys(const Place& place, const std::vector<std::string_view>& allowed) {
    for (const auto& [key, node] : in_file_order(place.table)) {
        if (std::find(allowed.begin(), allowed.end(), key->str()) != allowed.end()) continue;
        return place.errors.at(*key, "unknown key " + in_quotes(key->str()) + " in " + place.name +
                                         "; allowed keys: " + join(allowed));
    }
    return std::nullopt;
}

// A non-empty string; `out` stays empty when the key is absent.
Check read_string(const Place& place, std::string_view key, std::optional<std::string>& out) {
    const toml::node* node = place.table.get(key);
    if (node == nullptr) return std::nullopt;
    const auto* value = node->as_string();
    if (value == nullptr) {
        return place.errors.at(*node, std::string(key) + " in " + place.name + " must be a text in quotes, not " +
                                          type_name(*node));
    }
    if (value->get().empty()) {
        return place.errors.at(*node, std::string(key) + " in " + place.name + " is empty; write a value");
    }
    out = value->get();
    return std::nullopt;
}

// A text that must be one of `choices`; the first choice when the key is absent.
template <typename T>
Check read_choice(const Place& place, std::string_view key, const std::vector<std::pair<std::string_view, T>>& choices,
                  T& out) {
    std::optional<std::string> value;
    if (auto error = read_string(place, key, value)) return error;
    if (!value) {
        out = choices.front().second;
        return std::nullopt;
    }
    std::string names;  // "a", "b" or "c"
    for (std::size_t i = 0; i < choices.size(); ++i) {
        if (*value == choices[i].first) {
            out = choices[i].second;
            return std::nullopt;
        }
        names += (i == 0 ? "" : i + 1 == choices.size() ? " or " : ", ") + in_quotes(choices[i].first);
    }
    return place.errors.at(*place.table.get(key), std::string(key) + " must be " + names + ", not " + in_quotes(*value));
}

Check read_required_string(const Place& place, std::string_view key, const std::string& hint, std::string& out) {
    std::optional<std::string> value;
    if (auto error = read_string(place, key, value)) return error;
    if (!value) return missing(place, key, hint);
    out = std::move(*value);
    return std::nullopt;
}

// An integer in lo..hi; `out` keeps its default when the key is absent.
Check read_integer(const Place& place, std::string_view key, std::int64_t lo, std::int64_t hi, int& out) {
    const toml::node* node = place.table.get(key);
    if (node == nullptr) return std::nullopt;
    const auto* value = node->as_integer();
    if (value == nullptr) {
        return place.errors.at(*node, std::string(key) + " in " + place.name + " must be an integer, not " +
                                          type_name(*node));
    }
    const std::int64_t number = value->get();
    if (number < lo || number > hi) {
        return place.errors.at(*node, std::string(key) + " = " + std::to_string(number) + " is out of range in " +
                                          place.name + "; use a whole number from " + std::to_string(lo) +
                                          " to " + std::to_string(hi));
    }
    out = static_cast<int>(number);
    return std::nullopt;
}

// A required size in millimetres; a tape measure gives decimals, so floats are fine too.
Check read_millimetres(const Place& place, std::string_view key, double& out) {
    const toml::node* node = place.table.get(key);
    if (node == nullptr) return missing(place, key, "add " + std::string(key) + " = the visible screen size in mm");
    if (!node->is_number()) {
        return place.errors.at(*node, std::string(key) + " in " + place.name +
                                          " must be a number of millimetres, not " + type_name(*node));
    }
    const double millimetres = node->value<double>().value_or(0.0);
    constexpr double lo = 50.0;
    constexpr double hi = 3000.0;
    if (!(millimetres >= lo && millimetres <= hi)) {
        std::ostringstream shown;
        shown << millimetres;
        return place.errors.at(*node, std::string(key) + " = " + shown.str() + " is out of range in " +
                                          place.name + "; measure the visible screen and use 50 to 3000 mm");
    }
    out = millimetres;
    return std::nullopt;
}

// A non-empty list of non-empty strings without repeats, each kept with its node so
// a later check can point at the exact line.
using ListItems = std::vector<std::pair<std::string, const toml::node*>>;

Check read_string_list(const Place& place, std::string_view key, const std::string& hint, ListItems& out) {
    const toml::node* node = place.table.get(key);
    if (node == nullptr) return missing(place, key, hint);
    const auto* array = node->as_array();
    if (array == nullptr) {
        return place.errors.at(*node, std::string(key) + " in " + place.name +
                                          " must be a list like [\"a\", \"b\"], not " + type_name(*node));
    }
    if (array->empty()) return place.errors.at(*node, std::string(key) + " in " + place.name + " is empty; " + hint);
    for (const auto& element : *array) {
        const auto* value = element.as_string();
        if (value == nullptr) {
            return place.errors.at(element, std::string(key) + " in " + place.name +
                                                " must hold texts in quotes, not " + type_name(element));
        }
        for (const auto& [earlier, earlier_node] : out) {
            if (earlier == value->get()) {
                return place.errors.at(element, in_quotes(earlier) + " is listed twice in " + std::string(key) +
                                                    "; remove one");
            }
        }
        out.emplace_back(value->get(), &element);
    }
    return std::nullopt;
}

// Relative paths are relative to the folder holding kiosk.toml, not to wherever the
// kiosk happened to be started from (systemd starts it in /).
std::string resolve(const fs::path& config_dir, const std::string& value) {
    fs::path path(value);
    if (path.is_relative()) path = config_dir / path;
    std::error_code ec;
    auto canonical = fs::weakly_canonical(path, ec);
    return (ec ? path.lexically_normal() : canonical).string();
}

struct UrlDeleter {
    void operator()(CURLU* url) const { curl_url_cleanup(url); }
};
struct CurlStringDeleter {
    void operator()(char* text) const { curl_free(text); }
};

// One part of a parsed URL; "" when the URL has no such part.
std::string url_part(CURLU* url, CURLUPart part) {
    char* raw = nullptr;
    if (curl_url_get(url, part, &raw, 0) != CURLUE_OK) return {};
    const std::unique_ptr<char, CurlStringDeleter> text(raw);
    return text ? std::string(text.get()) : std::string();
}

std::string lowercase(std::string text) {
    std::transform(text.begin(), text.end(), text.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return text;
}

// A boolean; `out` keeps its default when the key is absent.
Check read_bool(const Place& place, std::string_view key, bool& out) {
    const toml::node* node = place.table.get(key);
    if (node == nullptr) return std::nullopt;
    const auto* value = node->as_boolean();
    if (value == nullptr) {
        return place.errors.at(*node, std::string(key) + " in " + place.name + " must be true or false, not " +
                                          type_name(*node));
    }
    out = value->get();
    return std::nullopt;
}

// curl's pin syntax: one or more "sha256//<base64 of 32 bytes>" joined by ';'.
bool is_pin_list(std::string_view pins) {
    constexpr std::string_view prefix = "sha256//";
    while (!pins.empty()) {
        const auto end = pins.find(';');
        const std::string_view pin = pins.substr(0, end);
        if (pin.substr(0, prefix.size()) != prefix) return false;
        const auto digest = wire::base64_decode(pin.substr(prefix.size()));
        if (!digest || digest.value().size() != 32) return false;
        if (end == std::string_view::npos) break;
        pins.remove_prefix(end + 1);
    }
    return true;
}

Check read_sync(const Place& place, const fs::path& config_dir, KioskConfig& config) {
    if (auto error = check_keys(place, {"server_url", "ca_file", "pinned_public_key", "allow_http_loopback",
                                        "interval_seconds", "batch_size"})) {
        return error;
    }
    SyncConfig sync;
    if (auto error = read_required_string(place, "server_url",
                                          "add server_url = \"https://...\" (the municipality's tillit server)",
                                          sync.server_url)) {
        return error;
    }
    if (auto error = read_bool(place, "allow_http_loopback", sync.allow_http_loopback)) return error;
    if (const Status allowed = check_server_url(sync.server_url, sync.allow_http_loopback); !allowed) {
        return place.errors.at(*place.table.get("server_url"), "server_url in " + place.name + ": " + allowed.error());
    }

    std::optional<std::string> ca_file;
    if (auto error = read_string(place, "ca_file", ca_file)) return error;
    if (ca_file) {
        sync.ca_file = resolve(config_dir, *ca_file);
        std::error_code ec;
        if (!fs::is_regular_file(sync.ca_file, ec)) {
            return place.errors.at(*place.table.get("ca_file"),
                                   "ca_file " + in_quotes(*ca_file) + " not found: there is no " + sync.ca_file +
                                       " (a PEM file with the municipality's CA certificates)");
        }
    }

    std::optional<std::string> pin;
    if (auto error = read_string(place, "pinned_public_key", pin)) return error;
    if (pin) {
        if (!is_pin_list(*pin)) {
            return place.errors.at(*place.table.get("pinned_public_key"),
                                   "pinned_public_key must look like \"sha256//<base64 of the key's SHA-256>\" "
                                   "(several joined by ;), not " + in_quotes(*pin));
        }
        sync.pinned_public_key = *pin;
    }

    if (auto error = read_integer(place, "interval_seconds", 30, 86400, sync.interval_seconds)) return error;
    if (auto error = read_integer(place, "batch_size", 1, 5000, sync.batch_size)) return error;
    config.sync = std::move(sync);
    return std::nullopt;
}

// [venue] choices = [{ id = "...", name = "..." }, ...]: venues an admin may move the kiosk to.
Check read_venue_choices(const Place& place, KioskConfig& config) {
    config.venue_choices = {VenueChoice{config.venue_id, config.venue_name}};
    const toml::node* node = place.table.get("choices");
    if (node == nullptr) return std::nullopt;
    const auto* array = node->as_array();
    if (array == nullptr) {
        return place.errors.at(*node, std::string("choices in [venue] must be a list like [{ id = \"...\", name = \"...\" }], not ") +
                                          type_name(*node));
    }
    for (const auto& element : *array) {
        const auto* table = element.as_table();
        if (table == nullptr) {
            return place.errors.at(element, std::string("each of choices in [venue] must be { id = \"...\", name = \"...\" }, not ") +
                                                type_name(element));
        }
        const Place choice{place.errors, *table, "a venue in choices"};
        if (auto error = check_keys(choice, {"id", "name"})) return error;
        VenueChoice venue;
        if (auto error = read_required_string(choice, "id", "add id = \"...\"", venue.id)) return error;
        if (!is_id(venue.id, '-')) {
            return place.errors.at(*table->get("id"), "venue id " + in_quotes(venue.id) +
                                                          " must be lowercase letters a-z, digits and -");
        }
        if (auto error = read_required_string(choice, "name", "add name = \"...\"", venue.name)) return error;
        for (const VenueChoice& earlier : config.venue_choices) {
            if (earlier.id == venue.id) {
                return place.errors.at(*table->get("id"), "venue " + in_quotes(venue.id) +
                                                              " is listed twice; remove one");
            }
        }
        config.venue_choices.push_back(std::move(venue));
    }
    return std::nullopt;
}

Check read_venue(const Place& place, KioskConfig& config) {
    if (auto error = check_keys(place, {"id", "name", "choices"})) return error;
    if (auto error = read_required_string(place, "id", "add id = \"your-venue\" (lowercase letters, digits and -)",
                                          config.venue_id)) {
        return error;
    }
    if (!is_id(config.venue_id, '-')) {
        return place.errors.at(*place.table.get("id"),
                               "venue id " + in_quotes(config.venue_id) +
                                   " must be lowercase letters a-z, digits and - (like \"rinkeby-medborgarkontor\")");
    }
    if (auto error = read_required_string(place, "name", "add name = \"...\" (shown on the start screen)",
                                          config.venue_name)) {
        return error;
    }
    return read_venue_choices(place, config);
}

Check read_paths(const Place& place, const fs::path& config_dir, KioskConfig& config) {
    if (auto error = check_keys(place, {"surveys_dir", "translations_dir"})) return error;
    std::optional<std::string> surveys_dir;
    std::optional<std::string> translations_dir;
    if (auto error = read_string(place, "surveys_dir", surveys_dir)) return error;
    if (auto error = read_string(place, "translations_dir", translations_dir)) return error;
    config.surveys_dir = resolve(config_dir, surveys_dir.value_or("surveys"));
    config.translations_dir = resolve(config_dir, translations_dir.value_or("../translations"));
    return std::nullopt;
}

Check read_languages(const Place& place, KioskConfig& config) {
    ListItems languages;
    if (auto error = read_string_list(place, "languages", "add languages = [\"sv\", \"en\"]", languages)) return error;
    for (const auto& [code, node] : languages) {
        if (!is_known_language(code)) {
            return place.errors.at(*node, "unknown language " + in_quotes(code) + " in languages; known languages: " +
                                              known_language_list());
        }
        config.languages.push_back(code);
    }
    if (auto error = read_required_string(place, "default_language", "add default_language = \"sv\"",
                                          config.default_language)) {
        return error;
    }
    if (std::find(config.languages.begin(), config.languages.end(), config.default_language) ==
        config.languages.end()) {
        return place.errors.at(*place.table.get("default_language"),
                               "default_language " + in_quotes(config.default_language) +
                                   " is not in languages; add it to languages or pick one of them");
    }
    return std::nullopt;
}

Check check_survey_id(const Place& place, const KioskConfig& config, const std::string& id, const toml::node& node) {
    if (!is_id(id, '_')) {
        return place.errors.at(node, "survey id " + in_quotes(id) +
                                         " must be lowercase letters a-z, digits and _ (like \"tillit\")");
    }
    const fs::path file = fs::path(config.surveys_dir) / (id + ".toml");
    std::error_code ec;
    if (!fs::is_regular_file(file, ec)) {
        return place.errors.at(node, "survey " + in_quotes(id) + " not found: there is no " + file.string() +
                                         " (surveys are looked up in [paths] surveys_dir)");
    }
    return std::nullopt;
}

Check read_surveys(const Place& place, KioskConfig& config) {
    ListItems surveys;
    if (auto error = read_string_list(place, "surveys", "add surveys = [\"tillit\"]", surveys)) return error;
    if (surveys.size() > max_offered_surveys) {
        return place.errors.at(*place.table.get("surveys"),
                               "surveys lists " + std::to_string(surveys.size()) +
                                   " surveys; the start screen offers at most 2, so remove the rest");
    }
    for (const auto& [id, node] : surveys) {
        if (auto error = check_survey_id(place, config, id, *node)) return error;
        config.surveys.push_back(id);
    }
    config.available_surveys = config.surveys;
    if (place.table.get("available_surveys") == nullptr) return std::nullopt;
    ListItems available;
    if (auto error = read_string_list(place, "available_surveys", "list the surveys an admin may switch to",
                                      available)) {
        return error;
    }
    for (const auto& [id, node] : available) {
        if (auto error = check_survey_id(place, config, id, *node)) return error;
        if (std::find(config.available_surveys.begin(), config.available_surveys.end(), id) ==
            config.available_surveys.end()) {
            config.available_surveys.push_back(id);
        }
    }
    return std::nullopt;
}

Check read_kiosk(const Place& place, const fs::path& config_dir, KioskConfig& config) {
    if (auto error = check_keys(place, {"languages", "default_language", "surveys", "available_surveys",
                                        "idle_timeout_seconds",
                                        "idle_countdown_seconds", "thanks_seconds", "time_bucket", "data_dir"})) {
        return error;
    }
    if (auto error = read_languages(place, config)) return error;
    if (auto error = read_surveys(place, config)) return error;
    if (auto error = read_integer(place, "idle_timeout_seconds", 10, 600, config.idle_timeout_seconds)) return error;
    // People who read or move slowly need time to notice the countdown and answer it.
    if (auto error = read_integer(place, "idle_countdown_seconds", 20, 120, config.idle_countdown_seconds)) {
        return error;
    }
    if (auto error = read_integer(place, "thanks_seconds", 3, 60, config.thanks_seconds)) return error;

    if (auto error = read_choice<TimeBucket>(place, "time_bucket", {{"hour", TimeBucket::Hour}, {"day", TimeBucket::Day}},
                                             config.time_bucket)) {
        return error;
    }

    std::string data_dir;
    if (auto error = read_required_string(place, "data_dir", "add data_dir = \"data\" (relative to this file)",
                                          data_dir)) {
        return error;
    }
    config.data_dir = resolve(config_dir, data_dir);
    return std::nullopt;
}

Check read_pin_hash(const Place& place, std::string_view key, std::string& out) {
    std::optional<std::string> hash;
    if (auto error = read_string(place, key, hash)) return error;
    if (!hash) return std::nullopt;
    if (!is_pin_hash(*hash)) {
        return place.errors.at(*place.table.get(key),
                               std::string(key) + " is not an argon2id PIN hash; set it with tillit-kiosk --set-pin " +
                                   (key == "admin_pin_hash" ? "admin" : "facilitator") + " instead of by hand");
    }
    out = std::move(*hash);
    return std::nullopt;
}

Check read_staff(const Place& place, KioskConfig& config) {
    if (auto error = check_keys(place, {"admin_pin_hash", "facilitator_pin_hash", "hold_seconds", "lock_after_seconds",
                                        "export_dirs", "hide_cursor"})) {
        return error;
    }
    StaffConfig& staff = config.staff;
    if (auto error = read_pin_hash(place, "admin_pin_hash", staff.admin_pin_hash)) return error;
    if (auto error = read_pin_hash(place, "facilitator_pin_hash", staff.facilitator_pin_hash)) return error;
    if (auto error = read_integer(place, "hold_seconds", 2, 10, staff.hold_seconds)) return error;
    if (auto error = read_integer(place, "lock_after_seconds", 30, 600, staff.lock_after_seconds)) return error;
    if (auto error = read_bool(place, "hide_cursor", staff.hide_cursor)) return error;
    if (place.table.get("export_dirs") != nullptr) {
        ListItems dirs;
        if (auto error = read_string_list(place, "export_dirs", "list folders where USB sticks appear", dirs)) {
            return error;
        }
        staff.export_dirs.clear();
        for (const auto& [dir, node] : dirs) {
            if (!fs::path(dir).is_absolute()) {
                return place.errors.at(*node, "export_dirs holds " + in_quotes(dir) +
                                                  "; write absolute folders such as \"/media\"");
            }
            staff.export_dirs.push_back(dir);
        }
    }
    return std::nullopt;
}

Check read_screen(const Place& place, KioskConfig& config) {
    if (auto error = check_keys(place, {"width_mm", "height_mm", "renderer"})) return error;
    if (auto error = read_millimetres(place, "width_mm", config.screen_width_mm)) return error;
    if (auto error = read_millimetres(place, "height_mm", config.screen_height_mm)) return error;
    return read_choice<ScreenRenderer>(
        place, "renderer",
        {{"auto", ScreenRenderer::Auto}, {"opengl", ScreenRenderer::OpenGL}, {"software", ScreenRenderer::Software}},
        config.screen_renderer);
}

// The named top-level table; `required` tables must exist, optional ones may be absent.
Check find_table(const Place& root, std::string_view name, bool required, const std::string& hint,
                 const toml::table*& out) {
    const toml::node* node = root.table.get(name);
    out = nullptr;
    if (node == nullptr) {
        if (!required) return std::nullopt;
        return root.errors.at(root.table, "the config has no [" + std::string(name) + "] table; " + hint);
    }
    out = node->as_table();
    if (out == nullptr) {
        return root.errors.at(*node, std::string(name) + " must be a table: write [" + std::string(name) +
                                         "] on its own line and the keys below it");
    }
    return std::nullopt;
}

Check read_config(const Place& root, const fs::path& config_dir, KioskConfig& config) {
    const std::vector<std::string_view> tables{"venue", "kiosk", "screen", "paths", "sync", "staff"};
    for (const auto& [key, node] : in_file_order(root.table)) {
        if (std::find(tables.begin(), tables.end(), key->str()) != tables.end()) continue;
        return root.errors.at(*key, "unknown key or table " + in_quotes(key->str()) +
                                        " at the top level; allowed tables: " + join(tables, "[", "]"));
    }
    const toml::table* venue = nullptr;
    const toml::table* kiosk = nullptr;
    const toml::table* screen = nullptr;
    const toml::table* paths = nullptr;
    const toml::table* sync = nullptr;
    const toml::table* staff = nullptr;
    if (auto error = find_table(root, "venue", true, "add [venue] with id = \"...\" and name = \"...\"", venue)) {
        return error;
    }
    if (auto error = find_table(root, "kiosk", true, "add [kiosk] with languages, default_language, surveys "
                                                     "and data_dir", kiosk)) {
        return error;
    }
    if (auto error = find_table(root, "screen", true, "add [screen] with width_mm and height_mm", screen)) {
        return error;
    }
    if (auto error = find_table(root, "paths", false, "", paths)) return error;
    if (auto error = find_table(root, "sync", false, "", sync)) return error;
    if (auto error = find_table(root, "staff", false, "", staff)) return error;

    if (auto error = read_venue(Place{root.errors, *venue, "[venue]"}, config)) return error;
    // [paths] first: [kiosk] looks the surveys up in surveys_dir.
    const toml::table no_paths;
    if (auto error = read_paths(Place{root.errors, paths ? *paths : no_paths, "[paths]"}, config_dir, config)) {
        return error;
    }
    if (auto error = read_kiosk(Place{root.errors, *kiosk, "[kiosk]"}, config_dir, config)) return error;
    if (auto error = read_screen(Place{root.errors, *screen, "[screen]"}, config)) return error;
    if (staff != nullptr) {
        if (auto error = read_staff(Place{root.errors, *staff, "[staff]"}, config)) return error;
    }
    if (sync != nullptr) return read_sync(Place{root.errors, *sync, "[sync]"}, config_dir, config);
    return std::nullopt;
}

}  // namespace

bool is_known_language(std::string_view code) {
    return std::any_of(known_languages.begin(), known_languages.end(),
                       [code](const KnownLanguage& language) { return language.code == code; });
}

std::string_view english_language_name(std::string_view code) {
    for (const auto& language : known_languages) {
        if (language.code == code) return language.english_name;
    }
    return code;
}

std::string known_language_list() {
    std::string list;
    for (const auto& language : known_languages) list += (list.empty() ? "" : ", ") + std::string(language.code);
    return list;
}

Status check_server_url(const std::string& url, bool allow_http_loopback) {
    const std::unique_ptr<CURLU, UrlDeleter> parsed(curl_url());
    if (!parsed) return make_error("out of memory while reading the URL");
    if (curl_url_set(parsed.get(), CURLUPART_URL, url.c_str(), 0) != CURLUE_OK) {
        return make_error(in_quotes(url) + " is not a full URL; write it like \"https://tillit.example.se\"");
    }
    const std::string scheme = lowercase(url_part(parsed.get(), CURLUPART_SCHEME));
    const std::string host = lowercase(url_part(parsed.get(), CURLUPART_HOST));
    if (!url_part(parsed.get(), CURLUPART_USER).empty()) {
        return make_error("the URL must not hold a user name or password");
    }
    if (!url_part(parsed.get(), CURLUPART_QUERY).empty() || !url_part(parsed.get(), CURLUPART_FRAGMENT).empty()) {
        return make_error("the URL must not hold ?query or #fragment parts; give only the server's address");
    }
    if (scheme == "https") return Ok{};
    if (scheme != "http") return make_error("only https:// is allowed, not " + scheme + "://");
    const bool loopback = host == "127.0.0.1" || host == "[::1]" || host == "localhost";
    if (!loopback) {
        return make_error("plain http:// is refused (answers would travel unencrypted); use https://");
    }
    if (!allow_http_loopback) {
        return make_error("plain http:// is refused; for a local test server on " + host +
                          " add allow_http_loopback = true");
    }
    return Ok{};
}

Result<KioskConfig> load_config(const std::string& path) {
    const FileErrors errors(path);
    auto root = detail::parse_toml_file(path, "config file", errors);
    if (!root) return make_error(root.error());

    KioskConfig config;
    // The folder as named, not a symlink's target: admins think of the file where they put it.
    std::error_code ec;
    const fs::path absolute_path = fs::absolute(path, ec);
    const fs::path config_dir = resolve(fs::current_path(ec), absolute_path.parent_path().string());
    config.config_path = (config_dir / absolute_path.filename()).string();
    if (auto error = read_config(Place{errors, root.value(), "the config"}, config_dir, config)) return *error;
    return config;
}

}  // namespace tillit
