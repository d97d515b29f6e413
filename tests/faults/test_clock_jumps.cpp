// Clock jumps (issue 9): a kiosk process (sync_kiosk: the product's Recorder and
// SyncWorker sharing a TrustedClock) runs under Debian's libfaketime while its wall clock
// jumps 20 years forward, 20 back, 3 forward and 35 back, storing and syncing all along.
// CLOCK_MONOTONIC stays real (DONT_FAKE_MONOTONIC=1), as in a real clock jump. Checked:
// nothing lost or doubled, every time bucket on the server well-formed and the real hour,
// syncing goes on after each jump (no wait of years, no busy loop), and the kiosk says
// its clock is off. Not covered: a jump before the first heartbeat of a run (the wall
// clock is all the kiosk knows then; docs/sync-protocol.md).
#include <doctest/doctest.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "../sync/e2e_harness.h"
#include "../sync/fault_proxy.h"
#include "child_process.h"
#include "core/privacy.h"
#include "core/store.h"

namespace fs = std::filesystem;
using namespace tillit::test;
using namespace std::chrono_literals;

namespace {

void write_file(const std::string& path, const std::string& text) {
    // Renamed into place: libfaketime re-reads the file on every clock call.
    const std::string staged = path + ".new";
    std::ofstream(staged) << text << "\n";
    fs::rename(staged, path);
}

bool is_idle(const std::string& line) {
    return line.rfind("idle ", 0) == 0;
}

long long field(const std::string& line, const std::string& name) {
    const auto at = line.find(" " + name + "=");
    return at == std::string::npos ? -1 : std::stoll(line.substr(at + name.size() + 2));
}

}  // namespace

TEST_CASE(
    "clock: the wall clock jumps years forward and back while a kiosk stores and syncs: nothing lost, buckets sane") {
    REQUIRE_MESSAGE(fs::exists(TILLIT_FAKETIME_LIB), TILLIT_FAKETIME_LIB " is missing: run scripts/install-deps.sh");
    const auto dir = fresh_dir("clock");
    const std::string log = (fs::path(dir) / "kiosk.log").string();
    const std::string survey = std::string(TILLIT_SOURCE_DIR) + "/kiosk-config/surveys/tillit.toml";
    const std::string data = (fs::path(dir) / "kiosk").string();
    const auto real_start = std::chrono::system_clock::now();
    const auto started = std::chrono::steady_clock::now();

    auto server = start_server((fs::path(dir) / "server.db").string(), dir);
    FaultProxy proxy(server->port());  // passes everything; counts the kiosk's requests
    const std::string url = http_url(proxy.port());
    {
        ChildProcess enrol({TILLIT_SYNC_KIOSK_BIN, "--data-dir", data, "--server-url", url, "--enrol",
                            server->enrol_code("soak-venue"), "--enrol-only"},
                           {}, log);
        REQUIRE_MESSAGE(enrol.wait_exit(30s) == 0, "the kiosk did not enrol; see " << log);
    }

    const std::string spec = (fs::path(dir) / "faketime.rc").string();
    write_file(spec, "+0");
    std::vector<std::pair<std::string, std::string>> faketime = {{"LD_PRELOAD", TILLIT_FAKETIME_LIB},
                                                                 {"FAKETIME_TIMESTAMP_FILE", spec},
                                                                 {"FAKETIME_NO_CACHE", "1"},
                                                                 {"DONT_FAKE_MONOTONIC", "1"}};
#ifdef TILLIT_SANITIZED
    // libfaketime is preloaded before the ASan runtime; it only wraps clock calls.
    const char* asan = std::getenv("ASAN_OPTIONS");
    faketime.emplace_back("ASAN_OPTIONS", std::string(asan != nullptr ? asan : "") +
                                              (asan != nullptr && *asan ? ":" : "") + "verify_asan_link_order=0");
#endif
    ChildProcess kiosk({TILLIT_SYNC_KIOSK_BIN, "--data-dir", data, "--server-url", url, "--survey", survey,
                        "--every-ms", "40", "--seed", "7"},
                       faketime, log);
    // The first pass ends before any jump: the kiosk has seen the server's time.
    std::size_t at = 0;
    REQUIRE_MESSAGE(kiosk.wait_for_line(is_idle, 30s, 0, &at).has_value(), "no first sync; see " << log);

    for (const char* jump : {"+20y", "-20y", "+3y", "-35y", "+0"}) {
        CAPTURE(jump);
        write_file(spec, jump);
        const std::size_t jumped_at = kiosk.lines().size();
        // Two passes that end after the jump: the second began after it. A wait of years
        // or a stuck worker ends here (the bound is a hang check, not a timing claim).
        std::size_t first = 0;
        REQUIRE_MESSAGE(kiosk.wait_for_line(is_idle, 30s, jumped_at, &first).has_value(),
                        "no sync after the jump; see " << log);
        REQUIRE_MESSAGE(kiosk.wait_for_line(is_idle, 30s, first + 1).has_value(),
                        "syncing stopped after the jump; see " << log);
        std::this_thread::sleep_for(1500ms);  // answers stored under the jumped clock
    }
    CHECK(kiosk.terminate() == 0);
    {
        ChildProcess drain(
            {TILLIT_SYNC_KIOSK_BIN, "--data-dir", data, "--server-url", url, "--survey", survey, "--drain"}, {}, log);
        REQUIRE_MESSAGE(drain.wait_exit(60s) == 0, "the kiosk did not drain; see " << log);
    }
    const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    const auto real_end = std::chrono::system_clock::now();

    // Each idle wait is the 1 s interval, never years; passes come about once a second,
    // not in a busy loop.
    std::set<std::string> saved;
    long long idles = 0;
    for (const std::string& line : kiosk.lines()) {
        if (line.rfind("saved ", 0) == 0) saved.insert(line.substr(6));
        if (!is_idle(line)) continue;
        ++idles;
        CHECK(field(line, "wait_ms") == 1000);
        CHECK(field(line, "set_aside") == 0);
    }
    const int heartbeats = proxy.hits("/v1/heartbeat");
    MESSAGE("clock: " << saved.size() << " responses saved, " << idles << " passes, " << heartbeats << " heartbeats in "
                      << elapsed << " s");
    CHECK(saved.size() > 50);
    CHECK(heartbeats <= 3 * static_cast<int>(elapsed) + 10);

    // Nothing lost or doubled: the store's rows and the server's are the same, once each.
    auto opened = tillit::Store::open((fs::path(data) / "responses.db").string());
    REQUIRE(opened.ok());
    const auto responses = opened.value()->responses();
    const auto abandonments = opened.value()->abandonments();
    REQUIRE((responses.ok() && abandonments.ok()));
    std::map<std::string, int> on_kiosk;
    for (const auto& r : responses.value()) ++on_kiosk[r.id];
    for (const auto& a : abandonments.value()) ++on_kiosk[a.id];
    for (const std::string& id : saved) CHECK(on_kiosk.count(id) == 1);
    const auto counts = opened.value()->outbox_counts();
    REQUIRE(counts.ok());
    CHECK(counts.value().pending == 0);
    CHECK(counts.value().set_aside == 0);

    // Every bucket well-formed and within the real hours of the run, whatever the kiosk's clock said.
    const std::string earliest = tillit::time_bucket(tillit::TimeBucket::Hour, real_start - 1h);
    const std::string latest = tillit::time_bucket(tillit::TimeBucket::Hour, real_end + 1h);
    const std::regex hour(R"(\d{4}-\d{2}-\d{2}T\d{2})");
    std::map<std::string, int> on_server;
    long long off = 0;
    std::string an_off_bucket;
    for (const auto& row : export_rows(*server, dir)) {
        ++on_server[row.at("id").get<std::string>()];
        const std::string bucket = row.at("time_bucket").get<std::string>();
        CHECK(std::regex_match(bucket, hour));
        if (bucket < earliest || bucket > latest) {
            ++off;
            an_off_bucket = bucket;
        }
    }
    CHECK_MESSAGE(off == 0, off << " items carry a bucket outside " << earliest << " .. " << latest << ", e.g. "
                                << an_off_bucket);
    CHECK(on_server == on_kiosk);
    for (const auto& [id, count] : on_server) CHECK(count == 1);

    // The admin is told why the answers' time differs from the kiosk's clock.
    std::ifstream in(log);
    std::stringstream text;
    text << in.rdbuf();
    CHECK(text.str().find("ahead of the server's") != std::string::npos);
    CHECK(text.str().find("behind the server's") != std::string::npos);
}
