// Counting in C++ over the items' contents (the server holds them as canonical JSON in
// either backend), then core/report.h's suppression on every figure and cross-tab.
#include "indicators.h"

#include <algorithm>
#include <chrono>
#include <map>
#include <set>
#include <sstream>

namespace tillit::server::indicators {
namespace {

using report::Cell;
using report::CrossTab;
using report::Figure;
using Json = nlohmann::json;

constexpr const char* kTrustSurvey = "tillit";
constexpr const char* kVisitSurvey = "besok";

const std::vector<std::string> kClasses = {"trust", "weak_trust", "distrust", "unclassified"};
const std::vector<std::string> kWeekdays = {"mon", "tue", "wed", "thu", "fri", "sat", "sun"};

// Seed 004, column "Risk för feltolkning" (2.2.2 has none there; the count caveat of the
// same model is used, and the example row's caveat for the visit score).
constexpr const char* kCaveatKnow =
    "Att känna till kan inte enskilt tolkas som att det är positivt. En kan känna till något mycket väl och ha "
    "dåliga erfarenheter som gör att vi blir helt otillgängliga i stället. Behöver därför sättas i relation till "
    "förtroende och andra svar i enkäten.";
constexpr const char* kCaveatConfidence =
    "Bortfallsanalys behövs på enkäten för att förstå ev systematiska bias som kan göra resultaten mindre "
    "tillförlitliga.";
constexpr const char* kCaveatMet =
    "Det är mycket möjligt att man stött på socialtjänst utan att veta om att det är socialtjänst. Men då är "
    "resonemanget att socialtjänsten ändå misslyckats i informationsarbetet och kunskapsspridningen om vad "
    "socialtjänsten faktiskt är.";
constexpr const char* kCaveatFirstContact =
    "Kvantitet säger inget om kvalitet eller effekt. Kan därför ej tolkas enskilt.";
constexpr const char* kCaveatVisit = "Fokus på nöjdhet kan maskera kvalitetsbrister.";

bool in_scope(const Row& row, const Query& query, bool use_venue = true, bool use_period = true) {
    if (use_period && !query.period.empty() && row.time_bucket.rfind(query.period, 0) != 0) return false;
    if (use_venue && query.venue_id && row.venue_id != *query.venue_id) return false;
    return true;
}

// "dont_know", "skipped", an option id, a scale step, "text" for sealed free text.
std::vector<std::string> answer_keys(const Json& value) {
    if (value.is_null()) return {"skipped"};
    if (value.is_number_integer()) return {std::to_string(value.get<long long>())};
    if (value.is_string()) return {value.get<std::string>()};
    if (value.is_object()) return {"text"};
    if (value.is_array()) {
        std::vector<std::string> keys;
        for (const Json& element : value) {
            if (element.is_string()) keys.push_back(element.get<std::string>());
        }
        if (keys.empty()) keys.push_back("none");
        return keys;
    }
    return {"other"};
}

// Scale steps first (numerically), then option ids, then "dont_know" and "skipped" last.
bool key_before(const std::string& a, const std::string& b) {
    auto rank = [](const std::string& key) {
        if (key == "skipped") return 3;
        if (key == "dont_know") return 2;
        return !key.empty() && std::all_of(key.begin(), key.end(), [](char c) { return c >= '0' && c <= '9'; }) ? 0 : 1;
    };
    const int ra = rank(a);
    const int rb = rank(b);
    if (ra != rb) return ra < rb;
    if (ra == 0) return std::stoll(a) < std::stoll(b);
    return a < b;
}

Figure figure_of(std::string id, const std::vector<std::string>& keys, const std::map<std::string, long long>& counts,
                 long long total, long long threshold = report::kMinCell) {
    Figure figure{std::move(id), total, false, {}};
    for (const std::string& key : keys) {
        const auto found = counts.find(key);
        figure.cells.push_back({key, found == counts.end() ? 0 : found->second, false});
    }
    report::suppress(figure, threshold);
    return figure;
}

const Cell* cell_of(const Figure& figure, const std::string& key) {
    for (const Cell& cell : figure.cells) {
        if (cell.key == key) return &cell;
    }
    return nullptr;
}

// Shown only when every cell it is made of is shown.
Share share_of(const Figure& figure, const std::vector<std::string>& numerator, const std::vector<std::string>& denominator) {
    Share share;
    if (figure.too_few) return share;
    for (const std::string& key : denominator) {
        const Cell* cell = cell_of(figure, key);
        if (cell == nullptr || cell->suppressed) return share;
        share.denominator += cell->n;
        if (std::find(numerator.begin(), numerator.end(), key) != numerator.end()) share.numerator += cell->n;
    }
    share.shown = share.denominator > 0;
    return share;
}

// A single-choice or scale question of one survey, its answers grouped into `groups`
// (answer key -> group key; unlisted answers keep their key).
Figure grouped(const std::vector<const Row*>& rows, const std::string& id, const std::string& question,
               const std::vector<std::string>& order, const std::map<std::string, std::string>& groups) {
    std::map<std::string, long long> counts;
    long long total = 0;
    for (const Row* row : rows) {
        if (!row->answers.is_object() || !row->answers.contains(question)) continue;
        ++total;
        for (const std::string& key : answer_keys(row->answers[question])) {
            const auto group = groups.find(key);
            ++counts[group == groups.end() ? key : group->second];
        }
    }
    return figure_of(id, order, counts, total);
}

CrossTab cross_tab(std::string id, std::vector<std::string> rows, std::vector<std::string> cols,
                   const std::map<std::string, std::map<std::string, long long>>& counts) {
    CrossTab table;
    table.id = std::move(id);
    table.rows = std::move(rows);
    table.cols = std::move(cols);
    for (const std::string& r : table.rows) {
        std::vector<Cell> line;
        for (const std::string& c : table.cols) {
            long long n = 0;
            if (const auto row = counts.find(r); row != counts.end()) {
                if (const auto cell = row->second.find(c); cell != row->second.end()) n = cell->second;
            }
            line.push_back({c, n, false});
            table.total += n;
        }
        table.cells.push_back(std::move(line));
    }
    report::suppress(table, report::kMinCrossCell);
    return table;
}

Json cells_json(const std::vector<Cell>& cells) {
    Json out = Json::array();
    for (const Cell& cell : cells) {
        if (cell.suppressed) {
            out.push_back({{"key", cell.key}, {"suppressed", true}});
        } else {
            out.push_back({{"key", cell.key}, {"n", cell.n}});
        }
    }
    return out;
}

Json figure_json(const Figure& figure) {
    if (figure.too_few) return {{"id", figure.id}, {"too_few", true}};
    return {{"id", figure.id}, {"n", figure.total}, {"cells", cells_json(figure.cells)}};
}

Json table_json(const CrossTab& table) {
    if (table.too_few) return {{"id", table.id}, {"too_few", true}};
    Json rows = Json::array();
    for (std::size_t r = 0; r < table.rows.size(); ++r) {
        rows.push_back({{"key", table.rows[r]}, {"cells", cells_json(table.cells[r])}});
    }
    return {{"id", table.id}, {"rows", rows}};
}

Json share_json(const Share& share) {
    if (!share.shown) return {{"suppressed", true}};
    return {{"numerator", share.numerator}, {"denominator", share.denominator}};
}

std::string csv_field(const std::string& text) {
    if (text.find_first_of(",\"\n") == std::string::npos) return text;
    std::string out = "\"";
    for (char c : text) {
        if (c == '"') out += '"';
        out += c;
    }
    return out + "\"";
}

void csv_figure(std::ostringstream& out, const Figure& figure, const std::string& row = "") {
    if (figure.too_few) {
        out << csv_field(figure.id) << ',' << csv_field(row) << ",,too_few\n";
        return;
    }
    out << csv_field(figure.id) << ',' << csv_field(row) << ",total," << figure.total << '\n';
    for (const Cell& cell : figure.cells) {
        out << csv_field(figure.id) << ',' << csv_field(row) << ',' << csv_field(cell.key) << ',';
        if (cell.suppressed) {
            out << "suppressed\n";
        } else {
            out << cell.n << '\n';
        }
    }
}

void csv_table(std::ostringstream& out, const CrossTab& table) {
    if (table.too_few) {
        out << csv_field(table.id) << ",,,too_few\n";
        return;
    }
    for (std::size_t r = 0; r < table.rows.size(); ++r) {
        for (const Cell& cell : table.cells[r]) {
            out << csv_field(table.id) << ',' << csv_field(table.rows[r]) << ',' << csv_field(cell.key) << ',';
            if (cell.suppressed) {
                out << "suppressed\n";
            } else {
                out << cell.n << '\n';
            }
        }
    }
}

}  // namespace

std::optional<Row> row_from(bool is_response, const std::string& content_json) {
    const Json content = Json::parse(content_json, nullptr, false);
    if (!content.is_object()) return std::nullopt;
    auto text = [&](const char* key) {
        return content.contains(key) && content[key].is_string() ? content[key].get<std::string>() : std::string();
    };
    Row row;
    row.completed = is_response;
    row.survey_id = text("survey_id");
    row.language = text("language");
    row.venue_id = text("venue_id");
    row.time_bucket = text("time_bucket");
    if (row.survey_id.empty() || row.time_bucket.size() < 10) return std::nullopt;
    if (is_response) {
        if (!content.contains("answers") || !content["answers"].is_object()) return std::nullopt;
        row.answers = content["answers"];
    } else {
        if (!content.contains("reached_step") || !content["reached_step"].is_number_integer()) return std::nullopt;
        row.reached_step = content["reached_step"].get<int>();
    }
    return row;
}

bool valid_period(const std::string& period) {
    if (period.empty()) return true;
    if (period.size() != 7 || period[4] != '-') return false;
    for (std::size_t i = 0; i < period.size(); ++i) {
        if (i != 4 && (period[i] < '0' || period[i] > '9')) return false;
    }
    const int month = std::stoi(period.substr(5));
    return month >= 1 && month <= 12;
}

const std::vector<std::string>& time_buckets() {
    static const std::vector<std::string> buckets = {"00-09", "09-12", "12-15", "15-18", "18-24"};
    return buckets;
}

std::string time_bucket_of_hour(int hour) {
    if (hour < 9) return "00-09";
    if (hour < 12) return "09-12";
    if (hour < 15) return "12-15";
    if (hour < 18) return "15-18";
    return "18-24";
}

std::string weekday_of(const std::string& date) {
    if (date.size() < 10 || date[4] != '-' || date[7] != '-') return "";
    try {
        const std::chrono::year_month_day day{std::chrono::year{std::stoi(date.substr(0, 4))},
                                              std::chrono::month{static_cast<unsigned>(std::stoi(date.substr(5, 2)))},
                                              std::chrono::day{static_cast<unsigned>(std::stoi(date.substr(8, 2)))}};
        if (!day.ok()) return "";
        const unsigned iso = std::chrono::weekday{std::chrono::sys_days{day}}.iso_encoding();  // 1 = Monday
        return kWeekdays[iso - 1];
    } catch (const std::exception&) {
        return "";
    }
}

Report build(const std::vector<Row>& rows, const Query& query) {
    Report out;
    out.query = query;
    std::set<std::string> venues;
    std::vector<const Row*> trust_rows;   // tillit responses in scope
    std::vector<const Row*> visit_rows;   // besok responses in scope
    std::vector<const Row*> scoped;       // every row in scope
    for (const Row& row : rows) {
        venues.insert(row.venue_id);
        if (!in_scope(row, query)) continue;
        scoped.push_back(&row);
        if (!row.completed) continue;
        if (row.survey_id == kTrustSurvey) trust_rows.push_back(&row);
        if (row.survey_id == kVisitSurvey) visit_rows.push_back(&row);
    }
    out.venues.assign(venues.begin(), venues.end());
    out.responses = static_cast<long long>(trust_rows.size());

    // Trust split, in scope.
    {
        std::map<std::string, long long> counts;
        for (const Row* row : trust_rows) ++counts[report::to_string(report::classify(row->answers))];
        out.trust = figure_of("trust", kClasses, counts, out.responses);
    }
    // Trend: each month (the venue filter applies, not the period).
    {
        std::map<std::string, std::map<std::string, long long>> by_month;
        std::map<std::string, long long> totals;
        for (const Row& row : rows) {
            if (!row.completed || row.survey_id != kTrustSurvey || !in_scope(row, query, true, false)) continue;
            const std::string month = row.time_bucket.substr(0, 7);
            ++by_month[month][report::to_string(report::classify(row.answers))];
            ++totals[month];
        }
        for (const auto& [month, counts] : by_month) {
            out.trust_trend.emplace_back(month, figure_of("trust_" + month, kClasses, counts, totals[month]));
        }
    }
    // Venue x class (the period applies, not the venue).
    {
        std::map<std::string, std::map<std::string, long long>> counts;
        std::set<std::string> with_answers;
        for (const Row& row : rows) {
            if (!row.completed || row.survey_id != kTrustSurvey || !in_scope(row, query, false, true)) continue;
            ++counts[row.venue_id][report::to_string(report::classify(row.answers))];
            with_answers.insert(row.venue_id);
        }
        out.trust_by_venue = cross_tab("trust_by_venue", {with_answers.begin(), with_answers.end()}, kClasses, counts);
    }

    // The indicators.
    {
        Indicator know{"I.2.1.a", "Andel som känner till socialtjänstens olika typer av stöd och hjälp (ganska eller mycket väl)",
                       kCaveatKnow,
                       grouped(trust_rows, "I.2.1.a", "knows_support", {"fairly_or_very_well", "little_or_not", "skipped"},
                               {{"very_well", "fairly_or_very_well"},
                                {"fairly_well", "fairly_or_very_well"},
                                {"a_little", "little_or_not"},
                                {"not_at_all", "little_or_not"}}),
                       {}};
        know.share = share_of(know.figure, {"fairly_or_very_well"}, {"fairly_or_very_well", "little_or_not"});
        out.indicators.push_back(std::move(know));

        Indicator confidence{"I.2.2.d", "Andel som uppger att de har förtroende för socialtjänsten (4–5 av 5)",
                             kCaveatConfidence,
                             grouped(trust_rows, "I.2.2.d", "trust_social_services", {"4_5", "1_3", "dont_know", "skipped"},
                                     {{"1", "1_3"}, {"2", "1_3"}, {"3", "1_3"}, {"4", "4_5"}, {"5", "4_5"}}),
                             {}};
        confidence.share = share_of(confidence.figure, {"4_5"}, {"4_5", "1_3", "dont_know"});
        out.indicators.push_back(std::move(confidence));

        std::vector<std::string> places = {"school", "youth_centre", "library", "association", "open_preschool", "elsewhere"};
        for (const Row* row : trust_rows) {
            if (!row->answers.is_object() || !row->answers.contains("met_where")) continue;
            for (const std::string& key : answer_keys(row->answers["met_where"])) {
                if (key != "no" && key != "skipped" &&
                    std::find(places.begin(), places.end(), key) == places.end()) {
                    places.push_back(key);
                }
            }
        }
        places.push_back("no");
        places.push_back("skipped");
        Indicator met{"I.2.3.a", "Andel som har stött på socialtjänsten på olika platser i lokalsamhället", kCaveatMet,
                      grouped(trust_rows, "I.2.3.a", "met_where", places, {}), {}};
        out.indicators.push_back(std::move(met));

        Indicator first{"2.2.2", "Antal som inte tidigare haft kontakt med socialtjänsten", kCaveatFirstContact,
                        grouped(trust_rows, "2.2.2", "earlier_contact", {"no", "yes", "prefer_not", "skipped"}, {}), {}};
        first.share = share_of(first.figure, {"no"}, {"no", "yes", "prefer_not"});
        out.indicators.push_back(std::move(first));

        Indicator visit{"besok", "Besöket idag: hur blev du bemött (1–4)", kCaveatVisit,
                        grouped(visit_rows, "besok", "visit_today", {"1", "2", "3", "4", "skipped"}, {}), {}};
        visit.share = share_of(visit.figure, {"3", "4"}, {"1", "2", "3", "4"});
        // A mean would let hidden cells be solved for, so only when nothing is hidden.
        const bool any_hidden = std::any_of(visit.figure.cells.begin(), visit.figure.cells.end(),
                                            [](const Cell& cell) { return cell.suppressed; });
        if (!visit.figure.too_few && !any_hidden && visit.share.denominator > 0) {
            double sum = 0;
            for (const Cell& cell : visit.figure.cells) {
                if (cell.key != "skipped") sum += static_cast<double>(std::stoll(cell.key) * cell.n);
            }
            out.visit_mean = sum / static_cast<double>(visit.share.denominator);
        }
        out.indicators.push_back(std::move(visit));
    }

    // Every question's distribution, per survey.
    {
        std::map<std::string, std::map<std::string, long long>> counts;
        std::map<std::string, long long> totals;
        for (const Row* row : scoped) {
            if (!row->completed || !row->answers.is_object()) continue;
            for (const auto& [question, value] : row->answers.items()) {
                const std::string id = row->survey_id + "/" + question;
                ++totals[id];
                for (const std::string& key : answer_keys(value)) ++counts[id][key];
            }
        }
        for (const auto& [id, answers] : counts) {
            std::vector<std::string> keys;
            for (const auto& [key, n] : answers) keys.push_back(key);
            for (const char* always : {"dont_know", "skipped"}) {
                if (!answers.contains(always)) keys.push_back(always);
            }
            std::sort(keys.begin(), keys.end(), key_before);
            out.questions.push_back(figure_of(id, keys, answers, totals[id]));
        }
    }

    // Non-response (the trust survey; the visit survey is one tap).
    {
        long long completed = 0;
        long long stopped = 0;
        std::map<std::string, long long> reached;
        int max_step = 0;
        std::map<std::string, std::map<std::string, long long>> by_language;
        std::map<std::string, std::map<std::string, long long>> by_venue;
        for (const Row& row : rows) {
            if (row.survey_id != kTrustSurvey) continue;
            const char* outcome = row.completed ? "completed" : "stopped";
            if (in_scope(row, query, false, true)) ++by_venue[row.venue_id][outcome];
            if (!in_scope(row, query)) continue;
            ++by_language[row.language][outcome];
            if (row.completed) {
                ++completed;
            } else {
                ++stopped;
                ++reached[std::to_string(row.reached_step)];
                max_step = std::max(max_step, row.reached_step);
            }
        }
        out.completion = figure_of("completion", {"completed", "stopped"}, {{"completed", completed}, {"stopped", stopped}},
                                   completed + stopped);
        // The number of responses is public (every figure's total), so a hidden "stopped"
        // would be started minus it: then the start count goes too.
        if (out.completion.cells[1].suppressed) out.completion.too_few = true;
        std::vector<std::string> steps;
        for (int step = 0; step <= max_step; ++step) steps.push_back(std::to_string(step));
        out.stopped_at = figure_of("stopped_at", steps, reached, stopped);
        std::vector<std::string> languages;
        for (const auto& [language, n] : by_language) languages.push_back(language);
        out.completion_by_language = cross_tab("completion_by_language", languages, {"completed", "stopped"}, by_language);
        std::vector<std::string> venue_rows;
        for (const auto& [venue, n] : by_venue) venue_rows.push_back(venue);
        out.completion_by_venue = cross_tab("completion_by_venue", venue_rows, {"completed", "stopped"}, by_venue);
    }

    // Weekday x time of day, every completed response in scope.
    {
        std::map<std::string, std::map<std::string, long long>> counts;
        for (const Row* row : scoped) {
            if (!row->completed) continue;
            const std::string day = weekday_of(row->time_bucket);
            if (day.empty()) continue;
            if (row->time_bucket.size() < 13 || row->time_bucket[10] != 'T') {
                ++out.heat.without_hour;
                continue;
            }
            int hour = 0;
            try {
                hour = std::stoi(row->time_bucket.substr(11, 2));
            } catch (const std::exception&) {
                continue;
            }
            ++counts[day][time_bucket_of_hour(hour)];
        }
        out.heat.table = cross_tab("heat_map", kWeekdays, time_buckets(), counts);
    }
    return out;
}

Json to_json(const Report& report) {
    Json trend = Json::array();
    for (const auto& [month, figure] : report.trust_trend) trend.push_back({{"month", month}, {"split", figure_json(figure)}});
    Json indicators = Json::array();
    for (const Indicator& indicator : report.indicators) {
        indicators.push_back({{"id", indicator.id},
                              {"title", indicator.title},
                              {"caveat", indicator.caveat},
                              {"figure", figure_json(indicator.figure)},
                              {"share", share_json(indicator.share)}});
    }
    Json questions = Json::array();
    for (const Figure& figure : report.questions) questions.push_back(figure_json(figure));
    Json out = {{"period", report.query.period.empty() ? Json(nullptr) : Json(report.query.period)},
                {"venue", report.query.venue_id ? Json(*report.query.venue_id) : Json(nullptr)},
                {"responses", report.responses >= report::kMinCell ? Json(report.responses) : Json("too_few")},
                {"trust", figure_json(report.trust)},
                {"trust_trend", trend},
                {"trust_by_venue", table_json(report.trust_by_venue)},
                {"indicators", indicators},
                {"questions", questions},
                {"completion", figure_json(report.completion)},
                {"stopped_at", figure_json(report.stopped_at)},
                {"completion_by_language", table_json(report.completion_by_language)},
                {"completion_by_venue", table_json(report.completion_by_venue)},
                {"heat_map", table_json(report.heat.table)}};
    if (report.visit_mean) out["visit_mean"] = *report.visit_mean;
    return out;
}

std::string to_csv(const Report& report) {
    std::ostringstream out;
    out << "figure,row,key,n\n";
    csv_figure(out, report.trust);
    for (const auto& [month, figure] : report.trust_trend) csv_figure(out, figure, month);
    csv_table(out, report.trust_by_venue);
    for (const Indicator& indicator : report.indicators) csv_figure(out, indicator.figure);
    for (const Figure& figure : report.questions) csv_figure(out, figure);
    csv_figure(out, report.completion);
    csv_figure(out, report.stopped_at);
    csv_table(out, report.completion_by_language);
    csv_table(out, report.completion_by_venue);
    csv_table(out, report.heat.table);
    return out.str();
}

}  // namespace tillit::server::indicators
