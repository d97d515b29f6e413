// The server's report (server/indicators.*): every indicator from a fixed set of
// responses, compared with values worked out by hand here; then an "attacker" that
// tries to recover each suppressed cell by subtraction from the totals it can see.
#include <doctest/doctest.h>

#include <random>
#include <string>
#include <vector>

#include "indicators.h"

namespace {
using Json = nlohmann::json;
namespace ind = tillit::server::indicators;
using tillit::report::CrossTab;
using tillit::report::Figure;

ind::Row response(const std::string& survey, const std::string& venue, const std::string& bucket,
                  const std::string& language, Json answers) {
    ind::Row row;
    row.completed = true;
    row.survey_id = survey;
    row.venue_id = venue;
    row.time_bucket = bucket;
    row.language = language;
    row.answers = std::move(answers);
    return row;
}

ind::Row abandonment(const std::string& venue, const std::string& bucket, const std::string& language, int reached) {
    ind::Row row;
    row.completed = false;
    row.survey_id = "tillit";
    row.venue_id = venue;
    row.time_bucket = bucket;
    row.language = language;
    row.reached_step = reached;
    return row;
}

// The fixed set. Venue "a", November 2026, 20 trust-survey responses:
//   8 trust      (would_help, inst_trust 5; know very/fairly well 4+4; confidence 5;
//                 met at the library 4, library + school 4; earlier contact yes)
//   6 weak trust (dont_know_what, 3; know a little; confidence 3; met nowhere; no earlier contact)
//   3 distrust   (harder, 1; not at all; confidence don't know; met nowhere; no earlier contact)
//   3 unclassified (prefer_not, inst_trust skipped; a little; don't know; met_where skipped; prefer_not)
// 10 of them on Monday 23rd 14:00-15:00, 10 on Tuesday 24th 10:00; 14 in Swedish, 6 in Arabic.
// 7 abandonments (6 at question 2 in Swedish, 1 at question 5 in Arabic).
// 11 visit-survey responses (6 x 4, 5 x 3) with a day-only bucket.
// Venue "b", October 2026: 10 trust responses, all trust.
std::vector<ind::Row> fixed_rows() {
    std::vector<ind::Row> rows;
    std::vector<Json> answers;
    for (int i = 0; i < 8; ++i) {
        answers.push_back({{"expect_help", "would_help"},
                           {"inst_trust", 5},
                           {"avoided_contact", "no"},
                           {"knows_support", i < 4 ? "very_well" : "fairly_well"},
                           {"trust_social_services", 5},
                           {"met_where", i < 4 ? Json::array({"library"}) : Json::array({"library", "school"})},
                           {"earlier_contact", "yes"}});
    }
    for (int i = 0; i < 6; ++i) {
        answers.push_back({{"expect_help", "dont_know_what"},
                           {"inst_trust", 3},
                           {"knows_support", "a_little"},
                           {"trust_social_services", 3},
                           {"met_where", Json::array({"no"})},
                           {"earlier_contact", "no"}});
    }
    for (int i = 0; i < 3; ++i) {
        answers.push_back({{"expect_help", "harder"},
                           {"inst_trust", 1},
                           {"knows_support", "not_at_all"},
                           {"trust_social_services", "dont_know"},
                           {"met_where", Json::array({"no"})},
                           {"earlier_contact", "no"}});
    }
    for (int i = 0; i < 3; ++i) {
        answers.push_back({{"expect_help", "prefer_not"},
                           {"inst_trust", nullptr},
                           {"knows_support", "a_little"},
                           {"trust_social_services", "dont_know"},
                           {"met_where", nullptr},
                           {"earlier_contact", "prefer_not"}});
    }
    for (std::size_t i = 0; i < answers.size(); ++i) {
        rows.push_back(response("tillit", "a", i % 2 == 0 ? "2026-11-23T14" : "2026-11-24T10", i < 14 ? "sv" : "ar",
                                answers[i]));
    }
    for (int i = 0; i < 6; ++i) rows.push_back(abandonment("a", "2026-11-23", "sv", 2));
    rows.push_back(abandonment("a", "2026-11-24", "ar", 5));
    for (int i = 0; i < 11; ++i) {
        rows.push_back(response("besok", "a", "2026-11-25", "sv", {{"visit_today", i < 6 ? 4 : 3}}));
    }
    for (int i = 0; i < 10; ++i) {
        rows.push_back(response("tillit", "b", "2026-10-05T09", "sv",
                                {{"expect_help", "would_help"}, {"inst_trust", 4}, {"avoided_contact", "no"}}));
    }
    return rows;
}

// "n" for a shown cell, -1 for a suppressed one.
long long cell(const Figure& figure, const std::string& key) {
    for (const auto& c : figure.cells) {
        if (c.key == key) return c.suppressed ? -1 : c.n;
    }
    FAIL("no cell " << key << " in " << figure.id);
    return -2;
}

long long cell(const CrossTab& table, const std::string& row, const std::string& col) {
    for (std::size_t r = 0; r < table.rows.size(); ++r) {
        if (table.rows[r] != row) continue;
        for (const auto& c : table.cells[r]) {
            if (c.key == col) return c.suppressed ? -1 : c.n;
        }
    }
    FAIL("no cell " << row << "/" << col << " in " << table.id);
    return -2;
}

const ind::Indicator& indicator(const ind::Report& report, const std::string& id) {
    for (const auto& i : report.indicators) {
        if (i.id == id) return i;
    }
    FAIL("no indicator " << id);
    return report.indicators.front();
}

const Figure& question(const ind::Report& report, const std::string& id) {
    for (const auto& f : report.questions) {
        if (f.id == id) return f;
    }
    FAIL("no question " << id);
    return report.questions.front();
}

// The attacker: knows every shown cell and every line's total (a figure's total is
// shown; a cross-tab's row and column totals are assumed known too, the worst case).
// A line with exactly one hidden cell gives that cell away. Returns the recovered cells.
// (A line of one cell is its own total: nothing to subtract; a one-row table repeats a
// figure that has its own suppression.)
int recoverable(const std::vector<const tillit::report::Cell*>& line) {
    if (line.size() < 2) return 0;
    int hidden = 0;
    for (const auto* c : line) hidden += c->suppressed ? 1 : 0;
    return hidden == 1 ? 1 : 0;
}

int recoverable(const Figure& figure) {
    if (figure.too_few) return 0;
    std::vector<const tillit::report::Cell*> line;
    for (const auto& c : figure.cells) line.push_back(&c);
    return recoverable(line);
}

int recoverable(const CrossTab& table) {
    if (table.too_few) return 0;
    int found = 0;
    for (const auto& row : table.cells) {
        std::vector<const tillit::report::Cell*> line;
        for (const auto& c : row) line.push_back(&c);
        found += recoverable(line);
    }
    const std::size_t cols = table.cells.empty() ? 0 : table.cells.front().size();
    for (std::size_t c = 0; c < cols; ++c) {
        std::vector<const tillit::report::Cell*> line;
        for (const auto& row : table.cells) line.push_back(&row[c]);
        found += recoverable(line);
    }
    return found;
}

// Every single-choice figure of the report (multi-choice cells need not add up to the
// total, but they are attacked the same way, which is stricter).
int recoverable(const ind::Report& report, int& hidden_cells) {
    std::vector<const Figure*> figures = {&report.trust, &report.completion, &report.stopped_at};
    for (const auto& [month, f] : report.trust_trend) figures.push_back(&f);
    for (const auto& i : report.indicators) figures.push_back(&i.figure);
    for (const auto& f : report.questions) figures.push_back(&f);
    int found = 0;
    for (const Figure* f : figures) {
        found += recoverable(*f);
        for (const auto& c : f->cells) hidden_cells += c.suppressed && !f->too_few ? 1 : 0;
    }
    for (const CrossTab* t : {&report.trust_by_venue, &report.completion_by_language, &report.completion_by_venue,
                              &report.heat.table}) {
        found += recoverable(*t);
        for (const auto& row : t->cells) {
            for (const auto& c : row) hidden_cells += c.suppressed && !t->too_few ? 1 : 0;
        }
    }
    return found;
}

}  // namespace

TEST_CASE("indicators: the trust split, its trend and the venue cross-tab, worked out by hand") {
    const auto rows = fixed_rows();
    const ind::Report report = ind::build(rows, {"2026-11", std::string("a")});
    CHECK(report.responses == 20);
    // 8 / 6 / 3 / 3: the two 3s are under 5 and hidden; together 6 >= 5, so nothing more.
    CHECK(cell(report.trust, "trust") == 8);
    CHECK(cell(report.trust, "weak_trust") == 6);
    CHECK(cell(report.trust, "distrust") == -1);
    CHECK(cell(report.trust, "unclassified") == -1);
    // Venue "a" has November only.
    REQUIRE(report.trust_trend.size() == 1);
    CHECK(report.trust_trend[0].first == "2026-11");

    const ind::Report all = ind::build(rows, {"", std::nullopt});
    CHECK(all.responses == 30);
    REQUIRE(all.trust_trend.size() == 2);
    CHECK(all.trust_trend[0].first == "2026-10");
    CHECK(cell(all.trust_trend[0].second, "trust") == 10);
    CHECK(cell(all.trust_trend[0].second, "weak_trust") == 0);
    CHECK(cell(all.trust_trend[1].second, "trust") == 8);
    CHECK(cell(all.trust_trend[1].second, "distrust") == -1);
    CHECK(all.venues == std::vector<std::string>{"a", "b"});
    // Venue x class at 10: every "a" cell is under 10 and hidden; "b" trust (10) would be
    // the only other cell in its column, so it goes too, and with it b's empty cells.
    CHECK(cell(all.trust_by_venue, "a", "trust") == -1);
    CHECK(cell(all.trust_by_venue, "b", "trust") == -1);
    CHECK(!all.trust_by_venue.too_few);
}

TEST_CASE("indicators: I.2.1.a, I.2.2.d, I.2.3.a, 2.2.2 and the visit score, worked out by hand") {
    const ind::Report report = ind::build(fixed_rows(), {"2026-11", std::nullopt});
    // I.2.1.a: very or fairly well 4 + 4 = 8; a little or not at all 6 + 3 + 3 = 12 -> 8 / 20.
    const auto& know = indicator(report, "I.2.1.a");
    CHECK(cell(know.figure, "fairly_or_very_well") == 8);
    CHECK(cell(know.figure, "little_or_not") == 12);
    CHECK(cell(know.figure, "skipped") == 0);
    CHECK(know.share.shown);
    CHECK(know.share.numerator == 8);
    CHECK(know.share.denominator == 20);
    CHECK(know.caveat.find("Att känna till kan inte enskilt tolkas") == 0);
    // I.2.2.d: 4-5: 8; 1-3: 6 (the weak 3s) + 0; don't know 3 + 3 = 6 -> 8 / 20.
    const auto& confidence = indicator(report, "I.2.2.d");
    CHECK(cell(confidence.figure, "4_5") == 8);
    CHECK(cell(confidence.figure, "1_3") == 6);
    CHECK(cell(confidence.figure, "dont_know") == 6);
    CHECK(confidence.share.numerator == 8);
    CHECK(confidence.share.denominator == 20);
    CHECK(confidence.caveat.find("Bortfallsanalys behövs") == 0);
    // I.2.3.a by place: library 8, school 4 (hidden), no 9, skipped 3 (hidden; 4 + 3 >= 5).
    const auto& met = indicator(report, "I.2.3.a");
    CHECK(met.figure.total == 20);
    CHECK(cell(met.figure, "library") == 8);
    CHECK(cell(met.figure, "school") == -1);
    CHECK(cell(met.figure, "no") == 9);
    CHECK(cell(met.figure, "skipped") == -1);
    CHECK(cell(met.figure, "youth_centre") == 0);
    CHECK(met.caveat.find("Det är mycket möjligt") == 0);
    // 2.2.2: no 6 + 3 = 9; yes 8; prefer_not 3 (hidden) -> the smallest shown, yes, goes
    // too (else 20 - 9 - 0 would give it away); the share is then not shown.
    const auto& first = indicator(report, "2.2.2");
    CHECK(cell(first.figure, "no") == 9);
    CHECK(cell(first.figure, "yes") == -1);
    CHECK(cell(first.figure, "prefer_not") == -1);
    CHECK(cell(first.figure, "skipped") == 0);
    CHECK(!first.share.shown);
    // Visit score: 6 x 4 and 5 x 3 -> 11 of 11 good; mean (24 + 15) / 11.
    const auto& visit = indicator(report, "besok");
    CHECK(cell(visit.figure, "4") == 6);
    CHECK(cell(visit.figure, "3") == 5);
    CHECK(visit.share.numerator == 11);
    CHECK(visit.share.denominator == 11);
    REQUIRE(report.visit_mean.has_value());
    CHECK(*report.visit_mean == doctest::Approx(39.0 / 11.0));
    CHECK(visit.caveat == "Fokus på nöjdhet kan maskera kvalitetsbrister.");
}

TEST_CASE("indicators: distributions keep don't know and skipped apart; non-response; heat map") {
    const ind::Report report = ind::build(fixed_rows(), {"2026-11", std::string("a")});
    // inst_trust: 1 x 3 (hidden), 3 x 6, 5 x 8, skipped 3 (hidden), don't know 0.
    const Figure& inst = question(report, "tillit/inst_trust");
    REQUIRE(inst.cells.size() == 5);
    CHECK(inst.cells[0].key == "1");
    CHECK(inst.cells[3].key == "dont_know");
    CHECK(inst.cells[4].key == "skipped");
    CHECK(cell(inst, "1") == -1);
    CHECK(cell(inst, "3") == 6);
    CHECK(cell(inst, "5") == 8);
    CHECK(cell(inst, "dont_know") == 0);
    CHECK(cell(inst, "skipped") == -1);
    const Figure& confidence = question(report, "tillit/trust_social_services");
    CHECK(cell(confidence, "dont_know") == 6);
    CHECK(cell(confidence, "skipped") == 0);

    // 20 completed, 7 stopped: started 27.
    CHECK(cell(report.completion, "completed") == 20);
    CHECK(cell(report.completion, "stopped") == 7);
    // Stopped at question 2: 6, at 5: 1 (hidden) -> 6 goes too.
    CHECK(cell(report.stopped_at, "2") == -1);
    CHECK(cell(report.stopped_at, "5") == -1);
    CHECK(cell(report.stopped_at, "0") == 0);
    // Per language at 10: sv 14 / 6, ar 6 / 1: every cell ends up hidden.
    CHECK(cell(report.completion_by_language, "sv", "completed") == -1);
    CHECK(cell(report.completion_by_language, "ar", "stopped") == -1);
    CHECK(cell(report.completion_by_venue, "a", "stopped") == -1);

    // Monday 12-15: 10, Tuesday 09-12: 10; the 11 visit responses have only a day.
    CHECK(cell(report.heat.table, "mon", "12-15") == 10);
    CHECK(cell(report.heat.table, "tue", "09-12") == 10);
    CHECK(cell(report.heat.table, "sun", "18-24") == 0);
    CHECK(report.heat.without_hour == 11);
    CHECK(ind::weekday_of("2026-11-23") == "mon");
    CHECK(ind::weekday_of("2026-02-30").empty());
    CHECK(ind::time_bucket_of_hour(8) == "00-09");
    CHECK(ind::time_bucket_of_hour(18) == "18-24");
}

TEST_CASE("indicators: no suppressed cell can be recovered by subtraction, and none leaves in JSON or CSV") {
    // The fixed set, then many random sets with small venues and languages.
    std::vector<std::vector<ind::Row>> sets = {fixed_rows()};
    std::mt19937 random(7);
    const std::vector<std::string> expects = {"would_help", "dont_know_what", "harder", "prefer_not"};
    const std::vector<std::string> venues = {"a", "b", "c", "d"};
    const std::vector<std::string> languages = {"sv", "ar", "so"};
    for (int set = 0; set < 40; ++set) {
        std::vector<ind::Row> rows;
        const int count = 5 + static_cast<int>(random() % 60);
        for (int i = 0; i < count; ++i) {
            const std::string venue = venues[random() % venues.size()];
            const std::string bucket = "2026-11-" + std::to_string(10 + random() % 7) + "T" + std::to_string(8 + random() % 12);
            const std::string language = languages[random() % languages.size()];
            if (random() % 4 == 0) {
                rows.push_back(abandonment(venue, bucket.substr(0, 10), language, static_cast<int>(random() % 8)));
                continue;
            }
            Json answers = {{"expect_help", expects[random() % expects.size()]},
                            {"inst_trust", random() % 6 == 0 ? Json(nullptr) : Json(1 + random() % 5)},
                            {"knows_support", random() % 2 == 0 ? "a_little" : "very_well"},
                            {"trust_social_services", random() % 5 == 0 ? Json("dont_know") : Json(1 + random() % 5)},
                            {"earlier_contact", random() % 3 == 0 ? "no" : "yes"}};
            rows.push_back(response("tillit", venue, bucket, language, answers));
        }
        sets.push_back(std::move(rows));
    }
    int hidden_total = 0;
    for (const auto& rows : sets) {
        for (const ind::Query& query : {ind::Query{"", std::nullopt}, ind::Query{"2026-11", std::string("a")}}) {
            const ind::Report report = ind::build(rows, query);
            int hidden = 0;
            CHECK(recoverable(report, hidden) == 0);
            hidden_total += hidden;
            // A suppressed cell leaves without its count.
            const std::string json = ind::to_json(report).dump();
            CHECK(json.find("\"suppressed\":true,\"n\"") == std::string::npos);
            const Json parsed = Json::parse(json);
            for (const auto& c : parsed["trust"].value("cells", Json::array())) {
                CHECK((!c.contains("suppressed") || !c.contains("n")));
            }
        }
    }
    CHECK(hidden_total > 100);  // the attack had something to attack
    const ind::Report fixed = ind::build(fixed_rows(), {"2026-11", std::string("a")});
    const std::string csv = ind::to_csv(fixed);
    CHECK(csv.find("trust,,distrust,suppressed\n") != std::string::npos);
    CHECK(csv.find("trust,,trust,8\n") != std::string::npos);
}

TEST_CASE("indicators: a row is read from an item's content; periods are checked") {
    const auto response_row = ind::row_from(
        true, R"({"answers":{"inst_trust":4},"language":"sv","survey_id":"tillit","survey_version":1,"time_bucket":"2026-11-23T14","venue_id":"a"})");
    REQUIRE(response_row.has_value());
    CHECK(response_row->answers["inst_trust"] == 4);
    const auto stop = ind::row_from(
        false, R"({"language":"sv","reached_step":3,"survey_id":"tillit","survey_version":1,"time_bucket":"2026-11-23","total_steps":15,"venue_id":"a"})");
    REQUIRE(stop.has_value());
    CHECK(stop->reached_step == 3);
    CHECK(!ind::row_from(true, R"({"venue_id":"a","time_bucket":"2026-11-23","workshop":{}})").has_value());
    CHECK(ind::valid_period("2026-11"));
    CHECK(ind::valid_period(""));
    CHECK(!ind::valid_period("2026-13"));
    CHECK(!ind::valid_period("2026-1x"));
}
