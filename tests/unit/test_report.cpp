// Tests for core/report: the trust / weak trust / distrust rule (in C++ and in SQL, which
// must agree), counts from real rows in a Store, the venue filter, non-response, and
// suppression: n < 5 (n < 10 in the cross-tab) never shown, and an attacker who
// subtracts shown cells from shown totals never gets a hidden cell back.
#include <doctest/doctest.h>
#include <sqlite3.h>

#include <map>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "core/report.h"
#include "core/store.h"
#include "core/survey.h"

namespace report = tillit::report;
using nlohmann::json;
using report::Cell;
using report::Figure;
using report::TrustClass;

namespace {

tillit::NewResponse response(const json& answers, const std::string& venue = "husby") {
    return {"tillit", 1, "sv", venue, "2026-11-23T14", answers.dump(), false};
}

report::Spec spec() {
    report::Spec s;
    s.scale_questions = {"inst_trust", "benevolence"};
    s.age_options = {"under_18", "18_29", "30_49", "50_64", "65_plus", "prefer_not"};
    s.total_steps = 15;
    return s;
}

const Cell& cell(const Figure& figure, const std::string& key) {
    for (const Cell& c : figure.cells) {
        if (c.key == key) return c;
    }
    FAIL("no cell " << key << " in " << figure.id);
    return figure.cells.front();
}

// What an attacker can learn from one line: if exactly one cell is hidden, it is the
// total minus the shown cells. Complementary suppression must make that impossible.
void expect_not_recoverable(const std::vector<Cell>& line, const std::string& what) {
    int hidden = 0;
    for (const Cell& c : line) hidden += c.suppressed ? 1 : 0;
    CHECK_MESSAGE(hidden != 1, what << ": a single hidden cell is total minus the shown ones");
}

}  // namespace

TEST_CASE("report: classification follows DEFAULT_SURVEY.md") {
    CHECK(report::classify({{"expect_help", "harder"}, {"inst_trust", 5}}) == TrustClass::Distrust);
    CHECK(report::classify({{"avoided_contact", "yes"}, {"expect_help", "would_help"}, {"inst_trust", 5}}) ==
          TrustClass::Distrust);
    CHECK(report::classify({{"expect_help", "dont_know_what"}, {"inst_trust", 5}}) == TrustClass::WeakTrust);
    CHECK(report::classify({{"expect_help", "would_help"}, {"inst_trust", 3}}) == TrustClass::WeakTrust);
    CHECK(report::classify({{"inst_trust", 2}}) == TrustClass::WeakTrust);
    CHECK(report::classify({{"expect_help", "would_help"}, {"inst_trust", 4}}) == TrustClass::Trust);
    CHECK(report::classify({{"expect_help", "would_help"}, {"inst_trust", "dont_know"}}) == TrustClass::Unclassified);
    CHECK(report::classify({{"expect_help", nullptr}, {"inst_trust", nullptr}}) == TrustClass::Unclassified);
    CHECK(report::classify({{"expect_help", "prefer_not"}, {"inst_trust", 5}}) == TrustClass::Unclassified);
    CHECK(report::classify(json::object()) == TrustClass::Unclassified);
}

TEST_CASE("report: the SQL classification agrees with classify() on every combination") {
    auto store = std::move(tillit::Store::open_in_memory()).value();
    std::map<TrustClass, long long> expected;
    std::vector<tillit::NewResponse> rows;
    const std::vector<json> expects = {"would_help", "dont_know_what", "harder", "prefer_not", nullptr};
    const std::vector<json> avoided = {"yes", "no", "prefer_not", nullptr};
    const std::vector<json> trusts = {1, 2, 3, 4, 5, "dont_know", nullptr};
    for (const json& e : expects) {
        for (const json& a : avoided) {
            for (const json& t : trusts) {
                const json answers = {{"expect_help", e}, {"avoided_contact", a}, {"inst_trust", t}};
                ++expected[report::classify(answers)];
                rows.push_back(response(answers));
            }
        }
    }
    REQUIRE(store->save_responses(rows).ok());
    auto computed = report::compute(store->connection(), spec(), {});
    REQUIRE_MESSAGE(computed.ok(), (computed.ok() ? "" : computed.error()));
    const Figure& trust = computed.value().trust;
    CHECK(trust.total == static_cast<long long>(rows.size()));
    CHECK(cell(trust, "trust").n == expected[TrustClass::Trust]);
    CHECK(cell(trust, "weak_trust").n == expected[TrustClass::WeakTrust]);
    CHECK(cell(trust, "distrust").n == expected[TrustClass::Distrust]);
    CHECK(cell(trust, "unclassified").n == expected[TrustClass::Unclassified]);
}

TEST_CASE("report: distributions, top choices and non-response from real rows, per venue or all") {
    auto store = std::move(tillit::Store::open_in_memory()).value();
    std::vector<tillit::NewResponse> rows;
    // Husby: 20 answers. inst_trust 4 x8, 2 x6, 5 x3 (too few), skipped x3 (too few).
    for (int i = 0; i < 8; ++i) rows.push_back(response({{"inst_trust", 4}, {"expect_help", "would_help"},
                                                         {"trust_builders", {"seen_heard", "same_person"}}}));
    for (int i = 0; i < 6; ++i) rows.push_back(response({{"inst_trust", 2}, {"trust_builders", {"seen_heard"}}}));
    for (int i = 0; i < 3; ++i) rows.push_back(response({{"inst_trust", 5}, {"trust_builders", {"influence"}}}));
    for (int i = 0; i < 3; ++i) rows.push_back(response({{"inst_trust", nullptr}, {"more_trust", "fri text"}}));
    // Another venue: 7 answers.
    for (int i = 0; i < 7; ++i) rows.push_back(response({{"inst_trust", 1}}, "rinkeby"));
    REQUIRE(store->save_responses(rows).ok());
    const tillit::Abandonment left{"tillit", 1, "sv", "husby", "2026-11-23T14", 3, 15};
    for (int i = 0; i < 6; ++i) REQUIRE(store->save_abandonment(left).ok());
    const tillit::Abandonment early{"tillit", 1, "sv", "husby", "2026-11-23T14", 0, 15};
    for (int i = 0; i < 2; ++i) REQUIRE(store->save_abandonment(early).ok());

    auto husby = report::compute(store->connection(), spec(), {std::string("husby")});
    REQUIRE_MESSAGE(husby.ok(), (husby.ok() ? "" : husby.error()));
    const report::Report& r = husby.value();
    CHECK(r.responses == 20);
    CHECK(r.started == 28);
    CHECK_FALSE(r.completion.too_few);

    REQUIRE(r.scales.size() == 2);
    const Figure& inst = r.scales[0];
    CHECK(inst.id == "inst_trust");
    CHECK(inst.total == 20);
    CHECK(cell(inst, "4").n == 8);
    CHECK_FALSE(cell(inst, "4").suppressed);
    CHECK(cell(inst, "2").n == 6);
    CHECK(cell(inst, "5").suppressed);
    CHECK(cell(inst, "skipped").suppressed);
    expect_not_recoverable(inst.cells, "inst_trust");
    CHECK(r.scales[1].too_few);  // nobody was asked benevolence here

    // Most chosen first; influence (3) is below 5 and hidden, and so must be one more.
    const Figure& builders = r.builders;
    CHECK(builders.total == 17);
    REQUIRE(builders.cells.size() >= 2);
    CHECK(builders.cells[0].key == "seen_heard");
    CHECK(builders.cells[0].n == 14);
    CHECK(cell(builders, "influence").suppressed);

    // Stopped: 6 at question 3, 2 before question 1 (hidden), so one more is hidden.
    CHECK(r.stopped_at.total == 8);
    CHECK(cell(r.stopped_at, "0").suppressed);
    expect_not_recoverable(r.stopped_at.cells, "stopped_at");

    // All venues.
    auto all = report::compute(store->connection(), spec(), {});
    REQUIRE(all.ok());
    CHECK(all.value().responses == 27);
    CHECK(cell(all.value().scales[0], "1").n == 7);

    // Free text is never among the counted values.
    CHECK(to_json(r).dump().find("fri text") == std::string::npos);
}

TEST_CASE("report: fewer than five answers show nothing at all") {
    auto store = std::move(tillit::Store::open_in_memory()).value();
    for (int i = 0; i < 4; ++i) REQUIRE(store->save_response(response({{"inst_trust", 4}})).ok());
    auto computed = report::compute(store->connection(), spec(), {});
    REQUIRE(computed.ok());
    const report::Report& r = computed.value();
    CHECK(r.trust.too_few);
    CHECK(r.scales[0].too_few);
    const json shown = report::to_json(r);
    CHECK(shown["responses"] == "too_few");
    CHECK(shown["trust"]["too_few"] == true);
    CHECK_FALSE(shown["trust"].contains("n"));
    // The start count would give away how many stopped (4 - 4 = 0 is shown only if >= 5).
    CHECK_FALSE(shown.contains("started"));
}

TEST_CASE("report: suppression of one small cell always hides a second one") {
    Figure figure{"f", 30, false, {{"a", 20, false}, {"b", 7, false}, {"c", 3, false}}};
    report::suppress(figure, 5);
    CHECK(figure.cells[2].suppressed);
    CHECK(figure.cells[1].suppressed);  // else c = 30 - 20 - 7
    CHECK_FALSE(figure.cells[0].suppressed);

    // Two small cells that add up to less than the threshold are still a narrow range.
    Figure tiny{"g", 40, false, {{"a", 30, false}, {"b", 6, false}, {"c", 2, false}, {"d", 2, false}}};
    report::suppress(tiny, 5);
    CHECK(tiny.cells[1].suppressed);
    CHECK(tiny.cells[2].suppressed);
    CHECK(tiny.cells[3].suppressed);

    // Nothing small: nothing hidden.
    Figure fine{"h", 30, false, {{"a", 20, false}, {"b", 10, false}, {"c", 0, false}}};
    report::suppress(fine, 5);
    for (const Cell& c : fine.cells) CHECK_FALSE(c.suppressed);
}

TEST_CASE("report: a cross-tab cell cannot be recovered by subtraction from row or column totals") {
    // Rows are classes (their totals are the trust split, shown elsewhere); columns are
    // age bands. One cell is 3; with threshold 10 it and its partners must go.
    report::CrossTab table;
    table.rows = {"trust", "weak_trust", "distrust"};
    table.cols = {"18_29", "30_49", "skipped"};
    const long long counts[3][3] = {{25, 30, 12}, {18, 3, 22}, {14, 40, 11}};
    for (const auto& row : counts) {
        std::vector<Cell> cells;
        for (long long n : row) {
            cells.push_back({"", n, false});
            table.total += n;
        }
        table.cells.push_back(cells);
    }
    report::suppress(table, report::kMinCrossCell);
    CHECK(table.cells[1][1].suppressed);

    // The attack: every row total and column total is known (the one-way figures); for
    // each line with exactly one hidden cell, the cell would be total minus the rest.
    for (std::size_t r = 0; r < 3; ++r) {
        expect_not_recoverable(table.cells[r], "row " + table.rows[r]);
    }
    for (std::size_t c = 0; c < 3; ++c) {
        std::vector<Cell> column;
        for (std::size_t r = 0; r < 3; ++r) column.push_back(table.cells[r][c]);
        expect_not_recoverable(column, "column " + table.cols[c]);
    }
    // And concretely: the subtraction gives a sum of two hidden cells, never the 3.
    long long row_total = 0;
    long long shown = 0;
    for (const Cell& c : table.cells[1]) {
        row_total += c.n;
        if (!c.suppressed) shown += c.n;
    }
    CHECK(row_total - shown != 3);
}

TEST_CASE("report: the cross-tab from real rows hides small cells in both directions") {
    auto store = std::move(tillit::Store::open_in_memory()).value();
    std::vector<tillit::NewResponse> rows;
    for (int i = 0; i < 30; ++i) rows.push_back(response({{"expect_help", "would_help"}, {"inst_trust", 5}, {"age_band", "18_29"}}));
    for (int i = 0; i < 25; ++i) rows.push_back(response({{"expect_help", "would_help"}, {"inst_trust", 5}, {"age_band", "30_49"}}));
    for (int i = 0; i < 20; ++i) rows.push_back(response({{"inst_trust", 2}, {"age_band", "18_29"}}));
    for (int i = 0; i < 4; ++i) rows.push_back(response({{"inst_trust", 2}, {"age_band", "65_plus"}}));
    REQUIRE(store->save_responses(rows).ok());
    auto computed = report::compute(store->connection(), spec(), {});
    REQUIRE(computed.ok());
    const report::CrossTab& t = computed.value().trust_by_age;
    CHECK_FALSE(t.too_few);
    for (std::size_t r = 0; r < t.rows.size(); ++r) {
        for (const Cell& c : t.cells[r]) {
            if (c.n > 0 && c.n < report::kMinCrossCell) CHECK(c.suppressed);
        }
        expect_not_recoverable(t.cells[r], "row " + t.rows[r]);
    }
    for (std::size_t c = 0; c < t.cols.size(); ++c) {
        std::vector<Cell> column;
        for (const auto& row : t.cells) column.push_back(row[c]);
        expect_not_recoverable(column, "column " + t.cols[c]);
    }
    const json shown = report::to_json(computed.value());
    CHECK(shown.dump().find("\"n\":4") == std::string::npos);
}

TEST_CASE("report: the counts the triggers keep equal a full count after saves, changed answers and removals") {
    auto store = std::move(tillit::Store::open_in_memory()).value();
    sqlite3* db = store->connection();
    std::mt19937 random(7);
    auto made_up = [&](int i) {
        const std::vector<json> expects = {"would_help", "dont_know_what", "harder", nullptr};
        const std::vector<json> ages = {"18_29", "30_49", "65_plus", nullptr, 3};
        json answers = {{"inst_trust", static_cast<int>(random() % 5) + 1},
                        {"benevolence", i % 7 == 0 ? json("dont_know") : json(static_cast<int>(random() % 5) + 1)},
                        {"expect_help", expects[random() % expects.size()]},
                        {"avoided_contact", i % 5 == 0 ? "yes" : "no"},
                        {"age_band", ages[random() % ages.size()]},
                        {"more_trust", "hemlig text " + std::to_string(i)}};
        if (i % 3 != 0) answers["trust_builders"] = json::array({"seen_heard", i % 2 == 0 ? "same_person" : "kept_promise"});
        return answers;
    };
    auto abandon = [&](const std::string& venue, int step) {
        tillit::Abandonment left;
        left.survey_id = "tillit";
        left.survey_version = 1;
        left.language = "sv";
        left.venue_id = venue;
        left.time_bucket = "2026-11-23";
        left.reached_step = step;
        left.total_steps = 15;
        REQUIRE(store->save_abandonment(left).ok());
    };
    std::vector<tillit::NewResponse> first;
    for (int i = 0; i < 60; ++i) first.push_back(response(made_up(i), i % 2 == 0 ? "husby" : "rinkeby"));
    REQUIRE(store->save_responses(first).ok());
    for (int i = 0; i < 12; ++i) abandon(i % 2 == 0 ? "husby" : "rinkeby", i % 4);
    REQUIRE(report::compute(db, spec(), {}).ok());  // the first call counts what is stored

    // From here on only the triggers count.
    std::vector<tillit::NewResponse> more;
    for (int i = 60; i < 100; ++i) more.push_back(response(made_up(i), i % 3 == 0 ? "husby" : "rinkeby"));
    REQUIRE(store->save_responses(more).ok());
    for (int i = 0; i < 7; ++i) abandon("husby", 5 + i % 3);
    REQUIRE(sqlite3_exec(db, "UPDATE responses SET answers = json_set(answers, '$.inst_trust', 1) "
                             "WHERE id IN (SELECT id FROM responses ORDER BY id LIMIT 15)",
                         nullptr, nullptr, nullptr) == SQLITE_OK);
    REQUIRE(sqlite3_exec(db, "DELETE FROM outbox WHERE item_id IN (SELECT id FROM responses ORDER BY id DESC LIMIT 4); "
                             "DELETE FROM responses WHERE id IN (SELECT id FROM responses ORDER BY id DESC LIMIT 4)",
                         nullptr, nullptr, nullptr) == SQLITE_OK);
    std::vector<json> kept;
    for (const std::optional<std::string>& venue : {std::optional<std::string>(), std::optional<std::string>("husby")}) {
        auto incremental = report::compute(db, spec(), {venue});
        REQUIRE_MESSAGE(incremental.ok(), (incremental.ok() ? "" : incremental.error()));
        kept.push_back(report::to_json(incremental.value()));
    }
    CHECK(kept[0]["responses"] == 96);

    // Forget what was counted: the next call counts every stored row again.
    REQUIRE(sqlite3_exec(db, "DELETE FROM report_keys", nullptr, nullptr, nullptr) == SQLITE_OK);
    std::vector<json> full;
    for (const std::optional<std::string>& venue : {std::optional<std::string>(), std::optional<std::string>("husby")}) {
        auto recounted = report::compute(db, spec(), {venue});
        REQUIRE(recounted.ok());
        full.push_back(report::to_json(recounted.value()));
    }
    CHECK(kept[0] == full[0]);
    CHECK(kept[1] == full[1]);

    // Free text never reaches the counts.
    sqlite3_stmt* raw = nullptr;
    REQUIRE(sqlite3_prepare_v2(db, "SELECT count(*) FROM report_counts WHERE k1 LIKE '%hemlig%' OR k2 LIKE '%hemlig%'",
                               -1, &raw, nullptr) == SQLITE_OK);
    REQUIRE(sqlite3_step(raw) == SQLITE_ROW);
    CHECK(sqlite3_column_int(raw, 0) == 0);
    sqlite3_finalize(raw);
}
