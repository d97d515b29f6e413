// Start-up: parse the command line, then load config, surveys, catalogs and store,
// stopping at the first problem with one clear line. Also --enrol, which needs all of
// that (the surveys say which answers are free text to seal) and then exits.
#include "core/launch.h"

#include <toml++/toml.h>

#include <algorithm>
#include <charconv>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <cstdio>
#include <fstream>
#include <string_view>

#include "core/sync/http_client.h"
#include "core/sync/sync_client.h"

namespace tillit {
namespace {

bool parse_size(std::string_view text, int& width, int& height) {
    const auto x = text.find('x');
    if (x == std::string_view::npos) return false;
    const auto w = text.substr(0, x);
    const auto h = text.substr(x + 1);
    const auto rw = std::from_chars(w.data(), w.data() + w.size(), width);
    const auto rh = std::from_chars(h.data(), h.data() + h.size(), height);
    return rw.ec == std::errc{} && rw.ptr == w.data() + w.size() && rh.ec == std::errc{} &&
           rh.ptr == h.data() + h.size() && width >= 320 && height >= 240 && width <= 16384 &&
           height <= 16384;
}

// The line of the top-level id in a survey file load_survey has already accepted, so the
// message points at the id itself rather than the comments above it.
long id_line(const std::string& path) {
    try {
        const toml::table root = toml::parse_file(path);
        if (const toml::node* id = root.get("id")) return std::max<long>(id->source().begin.line, 1);
    } catch (const toml::parse_error&) {
        // Changed since it was loaded: the file is still the place to look.
    }
    return 1;
}

}  // namespace

const char* launch_usage() {
    return "usage: tillit-kiosk [--config kiosk.toml] [--data-dir DIR] [--windowed WxH]\n"
           "                    [--widgets-json FILE] [--screenshot-dir DIR]\n"
           "       tillit-kiosk [--config kiosk.toml] [--data-dir DIR] --enrol CODE\n"
           "  --config FILE         the kiosk config (default kiosk-config/kiosk.toml)\n"
           "  --data-dir DIR        where responses are stored (overrides data_dir)\n"
           "  --windowed WxH        a window instead of full screen (development)\n"
           "  --widgets-json FILE   test hook: write every tappable widget of the frame\n"
           "  --screenshot-dir DIR  test hook: write a PNG of every new screen\n"
           "  --enrol CODE          enrol with [sync] server_url using the one-time code from\n"
           "                        'tillit-server enrol', print the device id and exit\n"
           "In full screen the kiosk quits only with Ctrl+Alt+Shift+Q held together.\n";
}

Result<LaunchOptions> parse_launch_options(int argc, const char* const* argv) {
    LaunchOptions options;
    for (int i = 1; i < argc; ++i) {
        const std::string_view arg = argv[i];
        auto value = [&](std::string_view name) -> std::optional<std::string> {
            if (i + 1 >= argc) return std::nullopt;
            (void)name;
            return std::string(argv[++i]);
        };
        if (arg == "--help" || arg == "-h") {
            options.show_help = true;
        } else if (arg == "--config" || arg == "--data-dir" || arg == "--windowed" ||
                   arg == "--widgets-json" || arg == "--screenshot-dir" || arg == "--enrol") {
            const auto v = value(arg);
            if (!v || v->empty()) {
                return make_error("tillit-kiosk: " + std::string(arg) + " needs a value; see --help");
            }
            if (arg == "--config") options.config_path = *v;
            if (arg == "--data-dir") options.data_dir = *v;
            if (arg == "--widgets-json") options.widgets_json = *v;
            if (arg == "--screenshot-dir") options.screenshot_dir = *v;
            if (arg == "--enrol") options.enrol_code = *v;
            if (arg == "--windowed") {
                options.windowed = true;
                if (!parse_size(*v, options.window_width, options.window_height)) {
                    return make_error("tillit-kiosk: --windowed wants WIDTHxHEIGHT such as 1280x800, got '" +
                                      *v + "'");
                }
            }
        } else {
            return make_error("tillit-kiosk: unknown option '" + std::string(arg) + "'; see --help");
        }
    }
    return options;
}

Result<KioskSetup> load_kiosk(const LaunchOptions& options) {
    auto config = load_config(options.config_path);
    if (!config) return make_error(config.error());
    KioskSetup setup;
    setup.config = std::move(config).value();
    if (options.data_dir) {
        setup.config.data_dir = std::filesystem::absolute(*options.data_dir).lexically_normal().string();
    }

    for (const auto& survey_id : setup.config.surveys) {
        const auto path = (std::filesystem::path(setup.config.surveys_dir) / (survey_id + ".toml")).string();
        auto survey = load_survey(path, setup.config.languages);
        if (!survey) return make_error(survey.error());
        if (survey.value().id != survey_id) {
            return make_error(path + ":" + std::to_string(id_line(path)) + ": the survey's id is '" +
                              survey.value().id + "' but kiosk.toml asks for '" + survey_id +
                              "'; make them the same");
        }
        setup.surveys.push_back(std::move(survey).value());
    }

    for (const auto& note : apply_server_config(setup.config, setup.surveys)) {
        std::fprintf(stderr, "tillit-kiosk: %s\n", note.c_str());
    }

    auto translations = Translations::load(setup.config.translations_dir, setup.config.languages);
    if (!translations) return make_error(translations.error());
    setup.translations = std::move(translations).value();
    setup.translations.set_language(setup.config.default_language);

    auto store = Store::open(database_path(setup.config));
    if (!store) return make_error(store.error());
    setup.store = std::move(store).value();
    if (const Status released = setup.store->release_held(); !released) return make_error(released.error());
    return setup;
}

std::vector<std::string> apply_server_config(KioskConfig& config, std::vector<Survey>& surveys) {
    std::vector<std::string> notes;
    const std::filesystem::path dir = sync::server_surveys_dir(config.data_dir);
    for (Survey& survey : surveys) {
        const auto path = dir / (survey.id + ".toml");
        std::error_code ec;
        if (!std::filesystem::exists(path, ec)) continue;
        auto central = load_survey(path.string(), config.languages);
        if (!central || central.value().id != survey.id) {
            // Checked when it arrived; refusing here too keeps a damaged file from taking the kiosk down.
            notes.push_back("not using the server's survey " + path.string() + ": " +
                            (central ? "its id differs" : central.error()));
            continue;
        }
        if (central.value().version != survey.version || central.value().source_path != survey.source_path) {
            notes.push_back("survey " + survey.id + " version " + std::to_string(central.value().version) +
                            " from the server");
        }
        survey = std::move(central).value();
    }
    std::ifstream in(sync::server_settings_path(config.data_dir));
    if (in) {
        const auto settings = nlohmann::json::parse(in, nullptr, false);
        if (settings.is_object()) {
            // Ranges were checked on arrival (sync_client.cpp); only known keys are there.
            config.idle_timeout_seconds = settings.value("idle_timeout_seconds", config.idle_timeout_seconds);
            config.idle_countdown_seconds = settings.value("idle_countdown_seconds", config.idle_countdown_seconds);
            config.thanks_seconds = settings.value("thanks_seconds", config.thanks_seconds);
        } else {
            notes.push_back("not using " + sync::server_settings_path(config.data_dir) + ": not a JSON object");
        }
    }
    return notes;
}

std::string database_path(const KioskConfig& config) {
    return (std::filesystem::path(config.data_dir) / "responses.db").string();
}

Result<std::string> enrol_kiosk(KioskSetup& setup, const std::string& code) {
    if (!setup.config.sync) {
        return make_error(setup.config.config_path +
                          ": there is no [sync] table; add [sync] with server_url = \"https://...\" to enrol");
    }
    auto http = sync::HttpClient::create(*setup.config.sync);
    if (!http) return make_error(http.error());
    TextQuestions text_questions;
    for (const Survey& survey : setup.surveys) {
        for (const Question& question : survey.questions) {
            if (question.type == QuestionType::Text) text_questions[survey.id].insert(question.id);
        }
    }
    auto identity = sync::enrol(*setup.store, http.value(), setup.config.sync->server_url, code, text_questions);
    if (!identity) return make_error(identity.error());
    return identity.value().device_id;
}

}  // namespace tillit
