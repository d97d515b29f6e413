// Aggregates of the trust survey for people to look at: the split into trust / weak
// trust / distrust (DEFAULT_SURVEY.md), each scale question as a distribution, the most
// chosen "what builds trust" options, and the non-response picture (started vs
// completed, where people stopped). Read from counts that triggers keep as answers are
// stored (report_counts; no response is ever loaded into memory), then suppressed: a figure or cell with n < 5 (n < 10 in a cross-tab) is never shown, and
// complementary suppression hides enough further cells that none can be worked out
// by subtraction from totals. The classification and suppression are pure functions
// with no kiosk types, so the server's reports (issue 7) can reuse them. No UI here.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/result.h"

struct sqlite3;

namespace tillit {
struct Survey;
}

namespace tillit::report {

constexpr long long kMinCell = 5;       // any shown count
constexpr long long kMinCrossCell = 10; // a cell of a cross-tabulation

enum class TrustClass { Trust, WeakTrust, Distrust, Unclassified };
const char* to_string(TrustClass trust);  // "trust", "weak_trust", "distrust", "unclassified"
// DEFAULT_SURVEY.md: distrust = expect_help "harder" or avoided_contact "yes"; weak trust =
// not distrust and (expect_help "dont_know_what" or inst_trust 1-3); trust = not distrust,
// expect_help "would_help" and inst_trust 4-5; otherwise unclassified.
TrustClass classify(const nlohmann::json& answers);

// One count of a figure. `suppressed` cells must be drawn as "too few", never their n.
struct Cell {
    std::string key;  // option id, scale step "1".."5", "dont_know", "skipped", a class, a step number
    long long n = 0;
    bool suppressed = false;
};

// A one-dimensional count (a distribution). `too_few`: the whole figure is below the
// threshold and shows nothing but that.
struct Figure {
    std::string id;
    long long total = 0;  // the people the figure is about (a multi choice's cells can add up to more)
    bool too_few = false;
    std::vector<Cell> cells;
};

// Marks too_few when total < threshold; every cell with 0 < n < threshold is suppressed,
// and while a figure has exactly one suppressed cell, or suppressed cells that add up to
// less than the threshold, the smallest shown cell is suppressed too (complementary
// suppression), so no hidden cell is total minus the shown ones.
void suppress(Figure& figure, long long threshold);

// rows x cols counts with row and column totals; the same rules in both directions.
struct CrossTab {
    std::string id;
    std::vector<std::string> rows;
    std::vector<std::string> cols;
    std::vector<std::vector<Cell>> cells;  // [row][col]
    long long total = 0;
    bool too_few = false;
};
void suppress(CrossTab& table, long long threshold);

// Which survey's questions feed which figure (taken from the survey file).
struct Spec {
    std::string survey_id = "tillit";
    std::vector<std::string> scale_questions;  // each drawn as a distribution
    std::string builders_question = "trust_builders";
    std::string age_question = "age_band";
    std::vector<std::string> age_options;      // the cross-tab's columns (plus "skipped")
    int total_steps = 0;                       // questions in the survey
};
Spec spec_from(const Survey& survey);

struct Filter {
    std::optional<std::string> venue_id;  // nullopt: every venue the database holds
};

struct Report {
    long long responses = 0;  // completed (sent) answers to the survey
    long long started = 0;    // responses + abandoned sessions
    Figure completion;        // cells "completed", "stopped"
    Figure trust;             // cells trust, weak_trust, distrust, unclassified
    std::vector<Figure> scales;
    Figure builders;          // every option, most chosen first
    Figure stopped_at;        // abandonments by the question reached ("0" = before question 1)
    CrossTab trust_by_age;    // trust class x age band, threshold kMinCrossCell
};

// Reads the counts and suppresses. `db` is an open connection holding the kiosk schema
// (Store::connection()); runs on the caller's thread. The counts are kept up to date by
// triggers as responses are saved (report_counts, below), so this reads a few hundred
// rows whatever the number of responses; only when the survey's report questions
// differ from the ones counted so far (a first call, a new survey version) does it
// count every stored response once, in one transaction.
Result<Report> compute(sqlite3* db, const Spec& spec, const Filter& filter);

// The tables and triggers that keep the report's counts (schema 5 of the kiosk store):
// report_keys names, per survey, the questions counted (role 'scale', 'choices' or
// 'age': never a free-text question, so no text a resident typed is copied there), and
// report_counts holds, per survey and venue, how many responses gave each answer
// (figure, k1, k2, n): 'responses', 'scale' (question, value), 'choice' (question,
// option), 'choice_total' (question), 'class_age' (trust class, age band) and
// 'stopped' (reached step). Triggers on responses (insert, delete, answers changed) and
// abandonments (insert, delete) add and subtract.
std::string counts_schema_sql();

// What may leave the screen (a summary, an export, the sync record): suppressed cells
// carry "suppressed": true and no n.
nlohmann::json to_json(const Report& report);

}  // namespace tillit::report
