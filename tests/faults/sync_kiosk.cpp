// sync_kiosk: a headless kiosk process for the network soak and the clock test. It runs
// the product's own code (Store, Session and Recorder answering the real `tillit` survey,
// enrol(), the SyncWorker sharing a TrustedClock with the Recorder as kiosk_loop does)
// and prints one line per fact the test checks: "saved <id>" after COMMIT, "abandoned",
// "idle ..." when a pass ended. Not the UI: no screens, timers or staff; answers are
// random but never printed (only ids).
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <memory>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "core/config.h"
#include "core/recorder.h"
#include "core/session.h"
#include "core/store.h"
#include "core/survey.h"
#include "core/sync/http_client.h"
#include "core/sync/sync_client.h"
#include "core/sync/sync_worker.h"
#include "core/trusted_clock.h"

namespace fs = std::filesystem;
using namespace tillit;

namespace {

constexpr const char* kUsage =
    "usage: sync_kiosk --data-dir DIR --server-url URL --survey FILE [--enrol CODE] [--enrol-only]\n"
    "                  [--every-ms N] [--drain] [--seed N] [--timeout-ms N] [--low-speed-s N]\n"
    "                  [--sync-now-ms N]\n"
    "  Stores a response of the survey about every N ms and syncs it with the real\n"
    "  sync worker until SIGTERM; --drain stores nothing and exits 0 once nothing is pending.\n";

std::atomic<bool> g_stop{false};

void on_term(int) {
    g_stop = true;
}

struct Options {
    std::string data_dir;
    std::string server_url;
    std::string survey;
    std::string code;
    bool enrol_only = false;
    bool drain = false;
    int every_ms = 100;
    unsigned long long seed = 1;
    int timeout_ms = 3000;
    int low_speed_s = 3;
    int sync_now_ms = 0;  // also ask for a pass this often (0: only the 1 s interval)
};

// One line, written whole with one write(2) so a kill never leaves half of it.
void say(const std::string& line) {
    const std::string whole = line + "\n";
    std::size_t done = 0;
    while (done < whole.size()) {
        const ssize_t n = ::write(1, whole.data() + done, whole.size() - done);
        if (n <= 0) return;
        done += static_cast<std::size_t>(n);
    }
}

// A resident who answers, skips, says "don't know" or types, at random.
Session random_session(const Survey& survey, const std::vector<std::string>& languages, std::mt19937_64& rng) {
    auto pick = [&](std::size_t n) { return static_cast<std::size_t>(rng() % n); };
    Session session(survey, languages[pick(languages.size())]);
    for (;;) {
        const Question& q = session.current();
        const std::size_t roll = pick(10);
        if (roll == 0) {
            if (!session.skip()) break;
            continue;
        }
        switch (q.type) {
            case QuestionType::Scale5:
            case QuestionType::Scale4:
                if (q.dont_know && roll == 1) {
                    session.choose_dont_know();
                } else {
                    session.choose_scale(1 + static_cast<int>(pick(static_cast<std::size_t>(q.scale_steps()))));
                }
                break;
            case QuestionType::Single:
                session.choose_option(q.options[pick(q.options.size())].id);
                break;
            case QuestionType::Multi:
                for (std::size_t i = 0, n = 1 + pick(3); i < n; ++i) {
                    session.toggle_option(q.options[pick(q.options.size())].id);
                }
                break;
            case QuestionType::Text:
                session.set_text(roll % 2 ? "Fler öppna möten på kvällstid" : "Svara snabbare på mejl");
                break;
        }
        if (!session.next()) break;
    }
    session.finish();
    return session;
}

int run(const Options& o) {
    const std::vector<std::string> languages = {"sv", "en", "ar", "fa"};
    fs::create_directories(o.data_dir);
    const std::string db_path = (fs::path(o.data_dir) / "responses.db").string();
    auto opened = Store::open(db_path);
    if (!opened) {
        std::fprintf(stderr, "sync_kiosk: %s\n", opened.error().c_str());
        return 3;
    }
    Store& store = *opened.value();

    SyncConfig sync;
    sync.server_url = o.server_url;
    sync.allow_http_loopback = true;
    sync.interval_seconds = 1;
    sync.batch_size = 100;
    sync.timeouts.connect = std::chrono::milliseconds(o.timeout_ms);
    sync.timeouts.total = std::chrono::milliseconds(o.timeout_ms);
    sync.timeouts.low_speed_time = std::chrono::seconds(o.low_speed_s);

    const auto identity = store.identity();
    if (!identity) return 3;
    if (!identity.value()) {
        if (o.code.empty()) {
            std::fprintf(stderr, "sync_kiosk: not enrolled and no --enrol CODE\n");
            return 2;
        }
        auto http = sync::HttpClient::create(sync);
        if (!http) return 3;
        auto enrolled = sync::enrol(store, http.value(), sync.server_url, o.code, {});
        if (!enrolled) {
            std::fprintf(stderr, "sync_kiosk: %s\n", enrolled.error().c_str());
            return 4;
        }
        say("enrolled " + enrolled.value().device_id);
    }
    if (o.enrol_only) return 0;

    auto survey = load_survey(o.survey, languages);
    if (!survey) {
        std::fprintf(stderr, "sync_kiosk: %s\n", survey.error().c_str());
        return 2;
    }
    KioskConfig config;
    config.venue_id = "soak-venue";
    config.languages = languages;
    config.time_bucket = TimeBucket::Hour;
    config.data_dir = o.data_dir;

    // As kiosk_loop wires it: the Recorder stamps with the clock the worker keeps in step.
    const auto clock = std::make_shared<TrustedClock>();
    Recorder recorder(store, config, [clock] { return clock->now(); });
    sync::SyncWorkerOptions options;
    options.database_path = db_path;
    options.sync = sync;
    options.context.data_dir = o.data_dir;
    options.context.languages = languages;
    options.context.survey_versions = {{survey.value().id, survey.value().version}};
    options.context.batch_size = sync.batch_size;
    options.context.clock = clock;
    // Short, so the soak retries often; the floor still keeps the worker from spinning.
    options.backoff.base = std::chrono::milliseconds(100);
    options.backoff.cap = std::chrono::milliseconds(2000);
    options.backoff.floor = std::chrono::milliseconds(50);
    std::atomic<bool> drained{false};
    options.on_change = [&](const sync::SyncStatus& s) {
        std::fprintf(stderr, "sync_kiosk: %s\n", sync::describe(s).c_str());
        if (s.state != sync::SyncState::Idle) return;
        say("idle pending=" + std::to_string(s.pending) + " set_aside=" + std::to_string(s.set_aside) +
            " wait_ms=" + std::to_string(s.wait.count()) + " error=" + s.last_error);
        if (s.pending == 0) drained = true;
    };
    sync::SyncWorker worker(std::move(options));

    std::mt19937_64 rng(o.seed);
    auto last_nudge = std::chrono::steady_clock::now();
    while (!g_stop) {
        // The soak asks for passes more often than the interval, as an impatient admin
        // pressing "sync now" would: more requests meet the proxy's faults.
        if (o.sync_now_ms > 0 &&
            std::chrono::steady_clock::now() - last_nudge >= std::chrono::milliseconds(o.sync_now_ms)) {
            worker.sync_now();
            last_nudge = std::chrono::steady_clock::now();
        }
        if (o.drain) {
            if (drained) break;
            std::this_thread::sleep_for(std::chrono::milliseconds(50));
            continue;
        }
        const Session session = random_session(survey.value(), languages, rng);
        if (rng() % 8 == 0) {
            // Walked away: only "reached step k of n" is stored.
            if (recorder.abandon(session, 1 + rng() % session.count())) say("abandoned");
        } else {
            auto saved = recorder.submit(session);
            if (saved) {
                say("saved " + saved.value());
            } else {
                std::fprintf(stderr, "sync_kiosk: %s\n", saved.error().c_str());
            }
        }
        std::this_thread::sleep_for(
            std::chrono::milliseconds(o.every_ms / 2 + static_cast<int>(rng() % (o.every_ms + 1))));
    }
    worker.stop();
    if (o.drain) say("drained");
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    Options o;
    for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i];
        auto value = [&]() -> std::string {
            if (i + 1 >= argc) {
                std::fputs(kUsage, stderr);
                std::exit(2);
            }
            return argv[++i];
        };
        if (arg == "--enrol-only") {
            o.enrol_only = true;
        } else if (arg == "--drain") {
            o.drain = true;
        } else if (arg == "--data-dir") {
            o.data_dir = value();
        } else if (arg == "--server-url") {
            o.server_url = value();
        } else if (arg == "--survey") {
            o.survey = value();
        } else if (arg == "--enrol") {
            o.code = value();
        } else if (arg == "--every-ms") {
            o.every_ms = std::stoi(value());
        } else if (arg == "--seed") {
            o.seed = std::stoull(value());
        } else if (arg == "--timeout-ms") {
            o.timeout_ms = std::stoi(value());
        } else if (arg == "--low-speed-s") {
            o.low_speed_s = std::stoi(value());
        } else if (arg == "--sync-now-ms") {
            o.sync_now_ms = std::stoi(value());
        } else {
            std::fputs(kUsage, stderr);
            return 2;
        }
    }
    if (o.data_dir.empty() || o.server_url.empty() || (o.survey.empty() && !o.enrol_only)) {
        std::fputs(kUsage, stderr);
        return 2;
    }
    struct sigaction term {};
    term.sa_handler = on_term;
    ::sigaction(SIGTERM, &term, nullptr);
    ::sigaction(SIGINT, &term, nullptr);
    return run(o);
}
