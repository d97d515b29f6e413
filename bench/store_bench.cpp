// Benchmark: the kiosk's own store on disk (issue 8, points 4 and 5b). Not part of the
// test run: `build/store_bench [runs] [--commits N] [--responses N] [--calls N] [--dir DIR]`.
//  a. Durable commit of one response: the real Store (WAL, synchronous=FULL, a file in a
//     temp folder) saving --commits responses (default 10 000) one at a time through
//     Store::save_response, the call Recorder::submit makes when a resident finishes;
//     p50 and p99 per commit. Each run starts from an empty database.
//  b. The workshop data screen's aggregates over --responses stored answers (default
//     1 000 000, plus a quarter as many abandoned sessions, as tillit-seed makes them):
//     --calls (default 20) times what StaffDesk::start_report runs on its worker thread,
//     Store::open on the database and report::compute with the Spec of the shipped
//     tillit survey, for "this venue" and "all venues", after the one full count that a
//     store makes when the report's questions are new to it (timed on its own). Open and compute are timed
//     separately; the target (<= 200 ms) is for compute. The seeded database is kept in
//     DIR (default $TMPDIR/tillit-store-bench) and reused by later runs and invocations.
// Each figure: the median over runs, with the spread (min..max). Besides the text lines,
// one `RESULT {json}` line per figure for a driver script.
#include <sqlite3.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/report.h"
#include "core/store.h"
#include "core/survey.h"
#include "made_up.h"

namespace {

using Clock = std::chrono::steady_clock;

constexpr const char* kVenue = "bench-venue";

double ms_since(Clock::time_point start) {
    return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

// Nearest-rank percentile of unsorted samples.
double percentile(std::vector<double> samples, double p) {
    if (samples.empty()) return 0;
    std::sort(samples.begin(), samples.end());
    const auto rank = static_cast<std::size_t>(p / 100.0 * static_cast<double>(samples.size()) + 0.999999);
    return samples[std::clamp<std::size_t>(rank, 1, samples.size()) - 1];
}

// One figure over the runs: each run contributes one value.
struct Figure {
    std::string name;
    std::string unit;
    std::vector<double> values;
};

void print_figure(const Figure& figure, const nlohmann::json& extra = nlohmann::json::object()) {
    std::vector<double> v = figure.values;
    std::sort(v.begin(), v.end());
    const double median = v[v.size() / 2];
    std::printf("%-44s median %9.3f %s  (spread %.3f..%.3f over %zu runs)\n", figure.name.c_str(), median,
                figure.unit.c_str(), v.front(), v.back(), v.size());
    nlohmann::json result = {{"bench", "store_bench"}, {"figure", figure.name}, {"unit", figure.unit},
                             {"median", median}, {"min", v.front()}, {"max", v.back()}, {"runs", figure.values}};
    result.update(extra);
    std::printf("RESULT %s\n", result.dump().c_str());
}

std::vector<tillit::NewResponse> made_up_rows(tillit::bench::Random& random, long long count) {
    std::vector<tillit::NewResponse> rows;
    rows.reserve(static_cast<std::size_t>(count));
    for (long long i = 0; i < count; ++i) {
        rows.push_back({"tillit", 1, "sv", kVenue, "2026-11-23T14", tillit::bench::made_up(random).dump(), false});
    }
    return rows;
}

template <class T>
T checked(tillit::Result<T> result, const char* what) {
    if (!result) throw std::runtime_error(std::string(what) + ": " + result.error());
    return std::move(result).value();
}

// --- a. durable commit of one response ---

struct CommitRun {
    double p50_ms = 0;
    double p99_ms = 0;
    double max_ms = 0;
    double per_second = 0;
};

CommitRun run_commits(const std::filesystem::path& dir, int commits, unsigned long long seed) {
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    auto store = checked(tillit::Store::open((dir / "responses.db").string()), "open");
    const auto settings = checked(store->settings(), "settings");
    if (settings.journal_mode != "wal" || settings.synchronous != 2) {
        throw std::runtime_error("the store runs with journal_mode=" + settings.journal_mode +
                                 ", synchronous=" + std::to_string(settings.synchronous) + ", not WAL + FULL");
    }
    // Answers are made up before the clock runs: only the commits are timed.
    tillit::bench::Random random{seed};
    const auto rows = made_up_rows(random, commits);
    std::vector<double> ms;
    ms.reserve(rows.size());
    const auto all = Clock::now();
    for (const auto& row : rows) {
        const auto start = Clock::now();
        checked(store->save_response(row), "save_response");
        ms.push_back(ms_since(start));
    }
    const double seconds = ms_since(all) / 1000.0;
    if (checked(store->count_responses(), "count") != commits) throw std::runtime_error("responses missing after the commits");
    store.reset();
    std::filesystem::remove_all(dir);
    return {percentile(ms, 50), percentile(ms, 99), percentile(ms, 100), commits / seconds};
}

// --- b. the workshop data screen's aggregates ---

// Seeds `responses` answers and a quarter as many abandoned sessions into `db`, unless
// a complete earlier seeding with the same counts is there (the marker file is written
// last). The answers go in through Store::save_responses, 20 000 per transaction, as
// tillit-seed does. Abandonments have no bulk call: save_abandonment commits each one,
// so for their count the connection runs with synchronous=OFF and goes back to FULL
// after (set-up only; what is measured later opens its own connection).
void seed(const std::filesystem::path& db, long long responses) {
    const auto marker = db.parent_path() / "seeded.json";
    const long long abandoned = responses / 4;
    const nlohmann::json wanted = {{"responses", responses}, {"abandoned", abandoned}, {"seed", 1}, {"schema", tillit::Store::kSchemaVersion}};
    {
        std::ifstream in(marker);
        if (in && nlohmann::json::parse(in, nullptr, false) == wanted && std::filesystem::exists(db)) {
            std::printf("reusing the seeded database %s (%lld answers, %lld abandoned sessions)\n", db.c_str(),
                        responses, abandoned);
            return;
        }
    }
    std::filesystem::remove_all(db.parent_path());
    std::filesystem::create_directories(db.parent_path());
    const auto start = Clock::now();
    auto store = checked(tillit::Store::open(db.string()), "open");
    tillit::bench::Random random{1};
    constexpr long long kChunk = 20000;
    for (long long done = 0; done < responses; done += kChunk) {
        checked(store->save_responses(made_up_rows(random, std::min(kChunk, responses - done))), "save_responses");
    }
    if (sqlite3_exec(store->connection(), "PRAGMA synchronous = OFF", nullptr, nullptr, nullptr) != SQLITE_OK) {
        throw std::runtime_error("PRAGMA synchronous = OFF failed");
    }
    for (long long i = 0; i < abandoned; ++i) {
        const int step = tillit::bench::made_up_stop(random);
        if (const auto saved = store->save_abandonment({"tillit", 1, "sv", kVenue, "2026-11-23T14", step, 15}); !saved) {
            throw std::runtime_error("save_abandonment: " + saved.error());
        }
    }
    if (sqlite3_exec(store->connection(), "PRAGMA synchronous = FULL; PRAGMA wal_checkpoint(TRUNCATE)", nullptr,
                     nullptr, nullptr) != SQLITE_OK) {
        throw std::runtime_error("PRAGMA synchronous = FULL / wal_checkpoint failed");
    }
    store.reset();
    std::ofstream(marker) << wanted.dump() << '\n';
    std::printf("seeded %lld answers and %lld abandoned sessions in %.1f s (%.0f MiB)\n", responses, abandoned,
                ms_since(start) / 1000.0, static_cast<double>(std::filesystem::file_size(db)) / (1024.0 * 1024.0));
}

struct ReportRun {
    double compute_p50_ms = 0;
    double compute_p99_ms = 0;
    double open_p50_ms = 0;
    double open_p99_ms = 0;
};

// `calls` times what the data screen's worker runs: a new connection, then the aggregates.
ReportRun run_report(const std::filesystem::path& db, const tillit::report::Spec& spec, bool one_venue, int calls,
                     long long expected) {
    tillit::report::Filter filter;
    if (one_venue) filter.venue_id = kVenue;
    std::vector<double> open_ms, compute_ms;
    for (int call = 0; call < calls; ++call) {
        const auto start = Clock::now();
        auto store = checked(tillit::Store::open(db.string()), "open");
        open_ms.push_back(ms_since(start));
        const auto counted = Clock::now();
        const auto report = checked(tillit::report::compute(store->connection(), spec, filter), "report::compute");
        compute_ms.push_back(ms_since(counted));
        if (report.responses != expected) {
            throw std::runtime_error("report::compute counted " + std::to_string(report.responses) + " answers, expected " +
                                     std::to_string(expected));
        }
    }
    return {percentile(compute_ms, 50), percentile(compute_ms, 99), percentile(open_ms, 50), percentile(open_ms, 99)};
}

int usage() {
    std::fprintf(stderr, "usage: store_bench [runs] [--commits N] [--responses N] [--calls N] [--dir DIR]\n");
    return 2;
}

}  // namespace

int main(int argc, char** argv) {
    int runs = 3;
    int commits = 10000;
    long long responses = 1000000;
    int calls = 20;
    std::filesystem::path dir = std::filesystem::temp_directory_path() / "tillit-store-bench";
    for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i];
        const bool value = i + 1 < argc;
        if (arg == "--commits" && value) commits = std::atoi(argv[++i]);
        else if (arg == "--responses" && value) responses = std::atoll(argv[++i]);
        else if (arg == "--calls" && value) calls = std::atoi(argv[++i]);
        else if (arg == "--dir" && value) dir = argv[++i];
        else if (!arg.empty() && arg[0] != '-') runs = std::atoi(arg.c_str());
        else return usage();
    }
    if (runs < 1 || commits < 1 || responses < 1 || calls < 1) return usage();
    try {
        // a.
        Figure commit_p50{"commit one response p50", "ms", {}}, commit_p99{"commit one response p99", "ms", {}},
            commit_max{"commit one response max", "ms", {}}, commit_rate{"commits per second", "1/s", {}};
        for (int run = 0; run < runs; ++run) {
            const CommitRun r = run_commits(dir / "commit", commits, 100 + static_cast<unsigned long long>(run));
            std::printf("run %d: %d durable commits: p50 %.3f ms, p99 %.3f ms, max %.3f ms, %.0f commits/s\n", run + 1,
                        commits, r.p50_ms, r.p99_ms, r.max_ms, r.per_second);
            std::fflush(stdout);
            commit_p50.values.push_back(r.p50_ms);
            commit_p99.values.push_back(r.p99_ms);
            commit_max.values.push_back(r.max_ms);
            commit_rate.values.push_back(r.per_second);
        }
        const nlohmann::json commit_extra = {{"commits", commits}, {"journal_mode", "wal"}, {"synchronous", "FULL"}};
        for (const Figure* figure : {&commit_p50, &commit_p99, &commit_max, &commit_rate}) print_figure(*figure, commit_extra);

        // b.
        const auto db = dir / ("seeded-" + std::to_string(responses)) / "responses.db";
        seed(db, responses);
        const auto survey = checked(tillit::load_survey(TILLIT_SOURCE_DIR "/kiosk-config/surveys/tillit.toml", {"sv"}),
                                    "load_survey");
        const tillit::report::Spec spec = tillit::report::spec_from(survey);
        std::fflush(stdout);
        // The one full count: when the survey's report questions are new to the store (the
        // first data screen after the update to schema 5, or a new survey version), compute
        // counts every stored answer once; after that the triggers keep the counts.
        Figure recount{"data screen first count (new questions)", "ms", {}};
        for (int run = 0; run < runs; ++run) {
            auto store = checked(tillit::Store::open(db.string()), "open");
            if (sqlite3_exec(store->connection(), "DELETE FROM report_keys", nullptr, nullptr, nullptr) != SQLITE_OK) {
                throw std::runtime_error("cannot reset report_keys");
            }
            const auto start = Clock::now();
            checked(tillit::report::compute(store->connection(), spec, {}), "report::compute");
            recount.values.push_back(ms_since(start));
            std::printf("run %d: first count over %lld answers: %.0f ms\n", run + 1, responses, recount.values.back());
            std::fflush(stdout);
        }
        print_figure(recount, {{"responses", responses}});
        for (const bool one_venue : {true, false}) {
            const std::string scope = one_venue ? "this venue" : "all venues";
            Figure compute_p50{"data screen aggregates (" + scope + ") p50", "ms", {}},
                compute_p99{"data screen aggregates (" + scope + ") p99", "ms", {}},
                open_p50{"data screen store open (" + scope + ") p50", "ms", {}},
                open_p99{"data screen store open (" + scope + ") p99", "ms", {}};
            for (int run = 0; run < runs; ++run) {
                const ReportRun r = run_report(db, spec, one_venue, calls, responses);
                std::printf("run %d: %s, %d calls over %lld answers: report::compute p50 %.1f ms, p99 %.1f ms; "
                            "Store::open p50 %.1f ms, p99 %.1f ms\n",
                            run + 1, scope.c_str(), calls, responses, r.compute_p50_ms, r.compute_p99_ms, r.open_p50_ms,
                            r.open_p99_ms);
                std::fflush(stdout);
                compute_p50.values.push_back(r.compute_p50_ms);
                compute_p99.values.push_back(r.compute_p99_ms);
                open_p50.values.push_back(r.open_p50_ms);
                open_p99.values.push_back(r.open_p99_ms);
            }
            const nlohmann::json extra = {{"responses", responses}, {"abandoned", responses / 4}, {"calls", calls},
                                          {"scope", one_venue ? "venue" : "all"}};
            for (const Figure* figure : {&compute_p50, &compute_p99, &open_p50, &open_p99}) print_figure(*figure, extra);
            std::vector<double> p99 = compute_p99.values;
            std::sort(p99.begin(), p99.end());
            std::printf("target: aggregates <= 200 ms (%s): %s (median p99 %.1f ms)\n", scope.c_str(),
                        p99[p99.size() / 2] <= 200.0 ? "met" : "NOT met", p99[p99.size() / 2]);
        }
    } catch (const std::exception& error) {
        std::fprintf(stderr, "store_bench: %s\n", error.what());
        return 1;
    }
    return 0;
}
