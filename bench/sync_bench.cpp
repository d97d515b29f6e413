// Benchmark: sync N responses (default 100 000) from one kiosk store to the real
// tillit-server on loopback (embedded SQLite on both sides, both on disk, durable
// commits) and print responses per second, bytes on the wire per response and the
// peak memory of both processes (the "kiosk" is this process: its store, sync client
// and the counting proxy). Not part of the test run: `build/sync_bench [N] [runs]`.
// Bytes are counted by a pass-through proxy (whole HTTP messages, both directions).
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/store.h"
#include "core/sync/http_client.h"
#include "core/sync/sync_client.h"
#include "../tests/sync/fault_proxy.h"
#include "../tests/sync/server_process.h"

namespace {

using Clock = std::chrono::steady_clock;

// A plausible tillit answer set: scales, choices, some skips; no free text.
std::string random_answers(std::mt19937& rng) {
    std::uniform_int_distribution<int> scale(1, 5), coin(0, 9);
    nlohmann::json a;
    for (const char* q : {"inst_trust", "benevolence", "competence", "social_trust", "local_trust",
                          "trust_social_services"}) {
        const int r = coin(rng);
        a[q] = r == 0 ? nlohmann::json(nullptr) : r == 1 ? nlohmann::json("dont_know") : nlohmann::json(scale(rng));
    }
    a["expect_help"] = coin(rng) < 6 ? "would_help" : "dont_know_what";
    a["avoided_contact"] = coin(rng) < 8 ? "no" : "yes";
    a["trust_builders"] = nlohmann::json::array({"seen_heard", "same_person"});
    a["knows_support"] = "fairly_well";
    a["met_where"] = nlohmann::json::array({"no"});
    a["earlier_contact"] = "no";
    a["age_band"] = "30_49";
    return a.dump();
}

long self_peak_rss_kib() {
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    return usage.ru_maxrss;
}

struct RunResult {
    double seconds = 0;
    double bytes_per_response = 0;
    long kiosk_rss_kib = 0;
    long server_rss_kib = 0;
};

RunResult run_once(int n, const std::filesystem::path& dir) {
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    auto store = tillit::Store::open((dir / "kiosk.db").string());
    if (!store) throw std::runtime_error(store.error());
    std::mt19937 rng(42);
    std::vector<tillit::NewResponse> chunk;
    for (int i = 0; i < n; ++i) {
        tillit::NewResponse response;
        response.survey_id = "tillit";
        response.survey_version = 1;
        response.language = i % 7 == 0 ? "en" : "sv";
        response.venue_id = "bench-venue";
        response.time_bucket = "2026-11-23T14";
        response.answers_json = random_answers(rng);
        chunk.push_back(std::move(response));
        if (chunk.size() == 10000 || i + 1 == n) {
            auto saved = store.value()->save_responses(chunk);
            if (!saved) throw std::runtime_error(saved.error());
            chunk.clear();
        }
    }

    tillit::test::ServerProcess server(TILLIT_SERVER_BIN, (dir / "server.db").string(),
                                       {"--rate-limit-per-minute", "1000000"}, (dir / "server.log").string());
    tillit::test::FaultProxy proxy(server.port());
    tillit::SyncConfig config;
    config.server_url = "http://127.0.0.1:" + std::to_string(proxy.port());
    config.allow_http_loopback = true;
    auto http = tillit::sync::HttpClient::create(config);
    if (!http) throw std::runtime_error(http.error());
    auto identity = tillit::sync::enrol(*store.value(), http.value(), config.server_url,
                                        server.enrol_code("bench-venue"), {});
    if (!identity) throw std::runtime_error(identity.error());

    tillit::sync::SyncContext context;
    context.data_dir = dir.string();
    context.languages = {"sv", "en"};
    context.survey_versions = {{"tillit", 1}};
    context.batch_size = 500;
    tillit::sync::SyncClient client(*store.value(), http.value(), identity.value(), context);

    const auto start = Clock::now();
    const long long before = proxy.bytes_from_clients() + proxy.bytes_to_clients();
    double frozen_at = -1;
    auto progress = [&](const tillit::sync::Progress&) {
        if (frozen_at < 0) frozen_at = std::chrono::duration<double>(Clock::now() - start).count();
    };
    for (int pass = 0; pass < 10; ++pass) {
        const auto result = client.run_pass(progress);
        if (result.outcome == tillit::sync::PassOutcome::Done) break;
        std::fprintf(stderr, "pass %d: %s\n", pass, result.message.c_str());
    }
    const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
    std::fprintf(stderr, "heartbeat (with the store's quick_check) took %.2f s of it\n", frozen_at);
    const long long bytes = proxy.bytes_from_clients() + proxy.bytes_to_clients() - before;
    const long kiosk_rss_kib = self_peak_rss_kib();  // before the export is read below
    const auto stored = server.admin("export", {"--format", "csv", "--out", (dir / "export.csv").string()});
    RunResult r;
    r.seconds = seconds;
    r.bytes_per_response = static_cast<double>(bytes) / n;
    r.kiosk_rss_kib = kiosk_rss_kib;
    r.server_rss_kib = server.peak_rss_kib();
    // Rows of the CSV (a header, then one item per row; quoted fields may hold newlines).
    std::ifstream exported(dir / "export.csv", std::ios::binary);
    std::size_t lines = 0;
    bool quoted = false;
    for (char c; exported.get(c);) {
        if (c == '"') quoted = !quoted;
        if (c == '\n' && !quoted) ++lines;
    }
    const std::size_t count = lines > 0 ? lines - 1 : 0;
    if (stored.exit_code != 0 || count != static_cast<std::size_t>(n)) {
        throw std::runtime_error("the server holds " + std::to_string(count) + " items, expected " + std::to_string(n));
    }
    server.stop();
    return r;
}

}  // namespace

int main(int argc, char** argv) {
    const int n = argc > 1 ? std::atoi(argv[1]) : 100000;
    const int runs = argc > 2 ? std::atoi(argv[2]) : 3;
    const auto dir = std::filesystem::temp_directory_path() / "tillit-sync-bench";
    std::vector<RunResult> results;
    for (int i = 0; i < runs; ++i) {
        try {
            results.push_back(run_once(n, dir));
        } catch (const std::exception& error) {
            std::fprintf(stderr, "sync_bench: %s\n", error.what());
            return 1;
        }
        const auto& r = results.back();
        std::printf("run %d: %d responses in %.2f s = %.0f responses/s, %.1f B/response on the wire, "
                    "peak RSS kiosk %.1f MiB, server %.1f MiB\n",
                    i + 1, n, r.seconds, n / r.seconds, r.bytes_per_response, r.kiosk_rss_kib / 1024.0,
                    r.server_rss_kib / 1024.0);
    }
    std::sort(results.begin(), results.end(), [](const auto& a, const auto& b) { return a.seconds < b.seconds; });
    const auto& median = results[results.size() / 2];
    std::printf("median of %d: %.0f responses/s (spread %.0f..%.0f), %.1f B/response, peak RSS kiosk %.1f MiB, "
                "server %.1f MiB\n",
                runs, n / median.seconds, n / results.back().seconds, n / results.front().seconds,
                median.bytes_per_response, median.kiosk_rss_kib / 1024.0, median.server_rss_kib / 1024.0);
    // One line for bench/run.py.
    std::printf("RESULT {\"bench\":\"sync\",\"responses\":%d,\"runs\":%d,\"seconds_median\":%.2f,"
                "\"seconds_min\":%.2f,\"seconds_max\":%.2f,\"bytes_per_response\":%.1f,\"kiosk_rss_mib\":%.1f,"
                "\"server_rss_mib\":%.1f}\n",
                n, runs, median.seconds, results.front().seconds, results.back().seconds, median.bytes_per_response,
                median.kiosk_rss_kib / 1024.0, median.server_rss_kib / 1024.0);
    std::filesystem::remove_all(dir);
    return 0;
}
