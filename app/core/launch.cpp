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

#include <termios.h>
#include <unistd.h>

#include "core/config_edit.h"
#include "core/local_settings.h"
#include "core/store_recovery.h"
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
           "       tillit-kiosk [--config kiosk.toml] --set-pin admin|facilitator\n"
           "  --config FILE         the kiosk config (default kiosk-config/kiosk.toml)\n"
           "  --data-dir DIR        where responses are stored (overrides data_dir)\n"
           "  --windowed WxH        a window instead of full screen (development)\n"
           "  --widgets-json FILE   test hook: write every tappable widget of the frame\n"
           "  --screenshot-dir DIR  test hook: write a PNG of every new screen\n"
           "  --enrol CODE          enrol with [sync] server_url using the one-time code from\n"
           "                        'tillit-server enrol', print the device id and exit\n"
           "  --set-pin ROLE        ask for a new admin or facilitator PIN (4-12 digits, twice,\n"
           "                        not shown) and store its argon2id hash in kiosk.toml\n"
           "Staff mode: hold the top-left corner of the start screen for 3 seconds, then\n"
           "enter a PIN. In full screen the kiosk quits only from the admin screens.\n";
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
                   arg == "--widgets-json" || arg == "--screenshot-dir" || arg == "--enrol" ||
                   arg == "--set-pin") {
            const auto v = value(arg);
            if (!v || v->empty()) {
                return make_error("tillit-kiosk: " + std::string(arg) + " needs a value; see --help");
            }
            if (arg == "--config") options.config_path = *v;
            if (arg == "--data-dir") options.data_dir = *v;
            if (arg == "--widgets-json") options.widgets_json = *v;
            if (arg == "--screenshot-dir") options.screenshot_dir = *v;
            if (arg == "--enrol") options.enrol_code = *v;
            if (arg == "--set-pin") {
                options.set_pin_role = parse_role(*v);
                if (!options.set_pin_role) {
                    return make_error("tillit-kiosk: --set-pin wants admin or facilitator, got '" + *v + "'");
                }
            }
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

Result<KioskSetup> load_kiosk(const LaunchOptions& options, StartCheck check) {
    auto config = load_config(options.config_path);
    if (!config) return make_error(config.error());
    KioskSetup setup;
    setup.config = std::move(config).value();
    if (options.data_dir) {
        setup.config.data_dir = std::filesystem::absolute(*options.data_dir).lexically_normal().string();
    }

    for (const auto& survey_id : setup.config.available_surveys) {
        const auto path = (std::filesystem::path(setup.config.surveys_dir) / (survey_id + ".toml")).string();
        auto survey = load_survey(path, setup.config.languages);
        if (!survey) return make_error(survey.error());
        if (survey.value().id != survey_id) {
            return make_error(path + ":" + std::to_string(id_line(path)) + ": the survey's id is '" +
                              survey.value().id + "' but kiosk.toml asks for '" + survey_id +
                              "'; make them the same");
        }
        setup.file_surveys.push_back(std::move(survey).value());
    }
    setup.file_config = setup.config;
    for (const auto& note : refresh_config(setup)) std::fprintf(stderr, "tillit-kiosk: %s\n", note.c_str());

    auto translations = Translations::load(setup.config.translations_dir, setup.config.languages);
    if (!translations) return make_error(translations.error());
    setup.translations = std::move(translations).value();
    setup.translations.set_language(setup.config.default_language);

    // A damaged database is moved aside with an alarm and a fresh one opened, so the
    // kiosk keeps taking answers; a newer schema or an I/O error still stops it.
    auto store = open_store_or_recover(database_path(setup.config), check);
    if (!store) return make_error(store.error());
    if (!store.value().note.empty()) std::fprintf(stderr, "tillit-kiosk: %s\n", store.value().note.c_str());
    setup.store = std::move(store.value().store);
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

std::vector<std::string> refresh_config(KioskSetup& setup) {
    setup.config = setup.file_config;
    setup.available = setup.file_surveys;
    std::vector<std::string> notes = apply_server_config(setup.config, setup.available);
    if (auto local = load_local_settings(setup.config.data_dir); !local) {
        notes.push_back(local.error());
    } else {
        for (auto& note : apply_local_settings(setup.config, local.value())) notes.push_back(std::move(note));
    }
    setup.surveys.clear();
    for (const std::string& id : setup.config.surveys) {
        for (const Survey& survey : setup.available) {
            if (survey.id == id) setup.surveys.push_back(survey);
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
    for (const Survey& survey : setup.available) {
        for (const Question& question : survey.questions) {
            if (question.type == QuestionType::Text) text_questions[survey.id].insert(question.id);
        }
    }
    auto identity = sync::enrol(*setup.store, http.value(), setup.config.sync->server_url, code, text_questions);
    if (!identity) return make_error(identity.error());
    return identity.value().device_id;
}

namespace {

// One line from `in`, with echo switched off while it is typed when `in` is a terminal.
std::optional<std::string> read_hidden_line(std::FILE* in, std::FILE* out, const char* prompt) {
    const int fd = fileno(in);
    const bool tty = isatty(fd) != 0;
    termios saved{};
    if (tty) {
        std::fputs(prompt, out);
        std::fflush(out);
        tcgetattr(fd, &saved);
        termios quiet = saved;
        quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
        tcsetattr(fd, TCSAFLUSH, &quiet);
    }
    std::string line;
    int c = 0;
    bool any = false;
    while ((c = std::fgetc(in)) != EOF) {
        any = true;
        if (c == '\n') break;
        if (c != '\r') line.push_back(static_cast<char>(c));
        if (line.size() > 64) break;  // no PIN is this long; do not keep reading a stray file
    }
    if (tty) {
        tcsetattr(fd, TCSAFLUSH, &saved);
        std::fputs("\n", out);
    }
    if (!any) return std::nullopt;
    return line;
}

}  // namespace

Result<std::string> read_new_pin(std::FILE* in, std::FILE* out) {
    const auto first = read_hidden_line(in, out, "New PIN (4-12 digits): ");
    if (!first) return make_error("no PIN given");
    if (const Status format = check_pin_format(*first); !format) return make_error(format.error());
    const auto second = read_hidden_line(in, out, "The same PIN again: ");
    if (!second) return make_error("the PIN was not given a second time");
    if (*second != *first) return make_error("the two PINs differ; nothing was changed");
    return *first;
}

Status set_pin(const std::string& config_path, Role role, const std::string& pin) {
    auto hash = hash_pin(pin);
    if (!hash) return make_error(hash.error());
    const std::string key = std::string(to_string(role)) + "_pin_hash";
    if (const Status written = set_toml_string(config_path, "staff", key, hash.value(),
                                               std::string("set with tillit-kiosk --set-pin ") + to_string(role));
        !written) {
        return written;
    }
    // Read it back the way the kiosk will.
    auto config = load_config(config_path);
    if (!config) return make_error("the config no longer loads after writing the PIN: " + config.error());
    const StaffConfig& staff = config.value().staff;
    const std::string& stored = role == Role::Admin ? staff.admin_pin_hash : staff.facilitator_pin_hash;
    if (!verify_pin(stored, pin)) return make_error(config_path + ": the PIN hash did not read back; check the file");
    return Ok{};
}

}  // namespace tillit
