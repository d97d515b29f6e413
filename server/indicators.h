// The municipal report over the server's stored items (issue 7): the trust / weak trust /
// distrust split (DEFAULT_SURVEY.md) with its month-by-month trend and a venue cross-tab,
// the indicators the kiosk measures (I.2.1.a, I.2.2.d, I.2.3.a by place, 2.2.2 and the
// `besok` visit score), every question's distribution with "don't know" and skipped
// apart, the non-response picture (started vs completed, where people stop, per
// language and venue) and a weekday x time-of-day heat map in coarse buckets.
// Classification and suppression come from core/report.h (the kiosk's own functions):
// every figure cell with n < 5 and every cross-tab cell with n < 10 is hidden, with
// complementary suppression. Pure: it takes item contents, no store, no kiosk Store.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/report.h"

namespace tillit::server::indicators {

// One response or abandonment as the server holds it (the item's content fields).
struct Row {
    bool completed = true;  // a response; false: an abandonment
    std::string survey_id;
    std::string language;
    std::string venue_id;
    std::string time_bucket;  // YYYY-MM-DD or YYYY-MM-DDTHH
    nlohmann::json answers;   // responses only
    int reached_step = 0;     // abandonments only
};

// Parses an item's canonical content; nullopt for workshops and anything malformed.
std::optional<Row> row_from(bool is_response, const std::string& content_json);

struct Query {
    std::string period;                   // "YYYY-MM", or "" for all time
    std::optional<std::string> venue_id;  // nullopt: all venues
};
bool valid_period(const std::string& period);

// A share derived from a figure: shown only when the figure and both parts of the
// share (numerator and the rest of the denominator) are shown.
struct Share {
    bool shown = false;
    long long numerator = 0;
    long long denominator = 0;
};

struct Indicator {
    std::string id;       // "I.2.1.a", ...
    std::string title;    // Swedish, as the follow-up model names it
    std::string caveat;   // "risk för feltolkning" from seed 004
    report::Figure figure;
    Share share;          // the headline share (not for I.2.3.a, which is per place)
};

struct HeatMap {
    report::CrossTab table;  // rows weekday "mon".."sun", cols time-of-day buckets
    long long without_hour = 0;  // responses with a day-only time bucket (not in the table)
};

struct Report {
    Query query;
    std::vector<std::string> venues;  // every venue in the data (for the page's filter)
    long long responses = 0;          // tillit responses in scope (shown only if >= 5)
    report::Figure trust;             // tillit survey, in scope
    std::vector<std::pair<std::string, report::Figure>> trust_trend;  // month -> split (venue filter applies)
    report::CrossTab trust_by_venue;  // venue x class (period filter applies)
    std::vector<Indicator> indicators;
    std::optional<double> visit_mean;  // besok visit_today 1..4, only when no cell is suppressed
    std::vector<report::Figure> questions;  // id "survey/question"
    report::Figure completion;        // tillit: completed / stopped
    report::Figure stopped_at;        // tillit abandonments by question reached
    report::CrossTab completion_by_language;
    report::CrossTab completion_by_venue;
    HeatMap heat;
};

Report build(const std::vector<Row>& rows, const Query& query);

// Suppressed cells carry "suppressed": true and never their n.
nlohmann::json to_json(const Report& report);
// One line per shown or suppressed cell: figure,row,key,n (n is "suppressed" or "too_few").
std::string to_csv(const Report& report);

// Time-of-day buckets of the heat map and the hour they start at.
const std::vector<std::string>& time_buckets();
std::string time_bucket_of_hour(int hour);
// "mon".."sun" of a YYYY-MM-DD date; "" when not a date.
std::string weekday_of(const std::string& date);

}  // namespace tillit::server::indicators
