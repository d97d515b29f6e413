// tillit-seed: fills a kiosk's data folder with made-up answers to the `tillit` survey
// (and abandoned sessions), through the kiosk's own Store, for demos, the workshop GUI
// test and the data screen's aggregate timing. Not installed and not part of the kiosk:
// its rows are fake and must never reach a municipality's server, so it refuses a
// database that is enrolled with one.
//   tillit-seed --db DATA_DIR/responses.db --venue ID --count N [--abandoned M] [--seed S] [--time]
// --time then counts the data screen's figures for the venue and for all venues and
// prints the milliseconds (median of 5).
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/report.h"
#include "core/store.h"
#include "made_up.h"

namespace {

using tillit::bench::made_up;
using tillit::bench::Random;

int usage() {
    std::fprintf(stderr, "usage: tillit-seed --db FILE --venue ID --count N [--abandoned M] [--seed S] [--time]\n");
    return 2;
}

}  // namespace

int main(int argc, char** argv) {
    std::string db;
    std::string venue = "demo-venue";
    long long count = 0;
    long long abandoned = -1;
    unsigned long long seed = 1;
    bool time = false;
    for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i];
        const bool value = i + 1 < argc;
        if (arg == "--db" && value) db = argv[++i];
        else if (arg == "--venue" && value) venue = argv[++i];
        else if (arg == "--count" && value) count = std::atoll(argv[++i]);
        else if (arg == "--abandoned" && value) abandoned = std::atoll(argv[++i]);
        else if (arg == "--seed" && value) seed = std::strtoull(argv[++i], nullptr, 10);
        else if (arg == "--time") time = true;
        else return usage();
    }
    if (db.empty() || count < 0) return usage();
    if (abandoned < 0) abandoned = count / 4;
    auto opened = tillit::Store::open(db);
    if (!opened) {
        std::fprintf(stderr, "tillit-seed: %s\n", opened.error().c_str());
        return 1;
    }
    tillit::Store& store = *opened.value();
    if (auto identity = store.identity(); !identity || identity.value()) {
        std::fprintf(stderr, "tillit-seed: %s is enrolled with a server; made-up answers must not be synced\n", db.c_str());
        return 1;
    }
    Random random{seed};
    const long long chunk = 20000;
    for (long long done = 0; done < count; done += chunk) {
        std::vector<tillit::NewResponse> rows;
        for (long long i = done; i < std::min(count, done + chunk); ++i) {
            rows.push_back({"tillit", 1, "sv", venue, "2026-11-23T14", made_up(random).dump(), false});
        }
        if (auto saved = store.save_responses(rows); !saved) {
            std::fprintf(stderr, "tillit-seed: %s\n", saved.error().c_str());
            return 1;
        }
    }
    for (long long i = 0; i < abandoned; ++i) {
        const int step = tillit::bench::made_up_stop(random);
        if (auto saved = store.save_abandonment({"tillit", 1, "sv", venue, "2026-11-23T14", step, 15}); !saved) {
            std::fprintf(stderr, "tillit-seed: %s\n", saved.error().c_str());
            return 1;
        }
    }
    std::printf("seeded %lld answers and %lld abandoned sessions at %s\n", count, abandoned, venue.c_str());
    if (time) {
        tillit::report::Spec spec;
        spec.scale_questions = {"inst_trust", "benevolence", "competence", "treated_respect",
                                "social_trust", "local_trust", "trust_social_services"};
        spec.age_options = {"under_18", "18_29", "30_49", "50_64", "65_plus", "prefer_not"};
        spec.total_steps = 15;
        for (const bool one_venue : {true, false}) {
            std::vector<double> ms;
            for (int run = 0; run < 5; ++run) {
                const auto start = std::chrono::steady_clock::now();
                tillit::report::Filter filter;
                if (one_venue) filter.venue_id = venue;
                auto report = tillit::report::compute(store.connection(), spec, filter);
                if (!report) {
                    std::fprintf(stderr, "tillit-seed: %s\n", report.error().c_str());
                    return 1;
                }
                ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count());
            }
            std::sort(ms.begin(), ms.end());
            std::printf("data screen aggregates (%s): median %.1f ms, min %.1f, max %.1f\n",
                        one_venue ? "this venue" : "all venues", ms[2], ms[0], ms[4]);
        }
    }
    return 0;
}
