// Made-up answers to the `tillit` survey, shared by tillit-seed (seed_responses.cpp) and
// store_bench.cpp: a fixed-seed generator, so the same seed gives the same rows. Fake
// data for demos and benchmarks only; nothing here may reach a municipality's server.
#pragma once

#include <algorithm>

#include <nlohmann/json.hpp>

namespace tillit::bench {

struct Random {
    unsigned long long state;
    unsigned next(unsigned bound) {
        state = state * 6364136223846793005ULL + 1442695040888963407ULL;
        return static_cast<unsigned>((state >> 33) % bound);
    }
};

// A plausible resident: inclined to trust or not, and answers that lean the same way.
inline nlohmann::json made_up(Random& r) {
    const int lean = static_cast<int>(r.next(5));  // 0 distrustful .. 4 trusting
    auto scale = [&]() -> nlohmann::json {
        const unsigned roll = r.next(100);
        if (roll < 6) return nullptr;          // skipped
        if (roll < 12) return "dont_know";
        return std::clamp(lean + 1 + static_cast<int>(r.next(3)) - 1, 1, 5);
    };
    const char* expect[] = {"harder", "dont_know_what", "dont_know_what", "would_help", "would_help"};
    const char* builders[] = {"seen_heard", "same_person", "influence", "easy_contact",
                              "treated_fairly", "clear_information", "competent_staff", "no_discrimination"};
    const char* ages[] = {"under_18", "18_29", "30_49", "30_49", "50_64", "65_plus", "prefer_not"};
    nlohmann::json chosen = nlohmann::json::array();
    for (int i = 0, n = 1 + static_cast<int>(r.next(3)); i < n; ++i) {
        // Being seen and heard, and fair treatment, come up most (as in Halland's findings).
        const unsigned pick = r.next(100) < 45 ? (r.next(2) == 0 ? 0u : 4u) : r.next(8);
        if (std::find(chosen.begin(), chosen.end(), builders[pick]) == chosen.end()) chosen.push_back(builders[pick]);
    }
    return {{"inst_trust", scale()},
            {"expect_help", r.next(100) < 8 ? nlohmann::json(nullptr) : nlohmann::json(expect[lean])},
            {"avoided_contact", lean == 0 && r.next(2) == 0 ? "yes" : "no"},
            {"benevolence", scale()},
            {"competence", scale()},
            {"treated_respect", r.next(10) == 0 ? nlohmann::json("not_met") : scale()},
            {"social_trust", scale()},
            {"local_trust", scale()},
            {"trust_builders", chosen},
            {"knows_support", r.next(4) == 0 ? "not_at_all" : "fairly_well"},
            {"trust_social_services", scale()},
            {"earlier_contact", r.next(2) == 0 ? "yes" : "no"},
            {"age_band", r.next(10) == 0 ? nlohmann::json(nullptr) : nlohmann::json(ages[r.next(7)])}};
}

// Where an abandoned session stopped: most early, a few near the end (of 15 steps).
inline int made_up_stop(Random& r) {
    return r.next(3) == 0 ? 0 : 1 + static_cast<int>(r.next(r.next(2) == 0 ? 4 : 15));
}

}  // namespace tillit::bench
