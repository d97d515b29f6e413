// The survey's aggregates: a handful of GROUP BY queries (each one pass over the
// survey's rows via responses_by_survey_venue; json_each parses each answer once), then
// suppression. Only counts ever leave SQLite.
#include "core/report.h"

#include <algorithm>
#include <map>

#include "core/sql.h"
#include "core/survey.h"

namespace tillit::report {
namespace {

using namespace sql;

// The DEFAULT_SURVEY.md rule in SQL, over the row's `answers`; must agree with classify().
constexpr const char* kClassSql =
    "CASE WHEN json_extract(answers, '$.expect_help') = 'harder' OR json_extract(answers, '$.avoided_contact') = 'yes' "
    "THEN 'distrust' "
    "WHEN json_extract(answers, '$.expect_help') = 'dont_know_what' OR json_extract(answers, '$.inst_trust') IN (1, 2, 3) "
    "THEN 'weak_trust' "
    "WHEN json_extract(answers, '$.expect_help') = 'would_help' AND json_extract(answers, '$.inst_trust') IN (4, 5) "
    "THEN 'trust' ELSE 'unclassified' END";

const std::vector<std::string> kClasses = {"trust", "weak_trust", "distrust", "unclassified"};

// The smallest shown cell among `line` (pointers into a figure or a table), preferring
// one with answers (hiding an empty cell adds nothing to the hidden sum).
Cell* smallest_shown(const std::vector<Cell*>& line) {
    Cell* best = nullptr;
    for (Cell* cell : line) {
        if (cell->suppressed) continue;
        if (best == nullptr || (best->n == 0 && cell->n > 0) || (cell->n > 0 && cell->n < best->n)) best = cell;
    }
    return best;
}

// One line (a figure, a row, a column): returns true when it suppressed another cell.
bool complement(const std::vector<Cell*>& line, long long threshold) {
    long long hidden = 0;
    long long hidden_sum = 0;
    for (const Cell* cell : line) {
        if (cell->suppressed) {
            ++hidden;
            hidden_sum += cell->n;
        }
    }
    if (hidden == 0 || (hidden >= 2 && hidden_sum >= threshold)) return false;
    Cell* next = smallest_shown(line);
    if (next == nullptr) return false;
    next->suppressed = true;
    return true;
}

std::string scope_sql(const Filter& filter) {
    return filter.venue_id ? " WHERE survey_id = ?1 AND venue_id = ?2" : " WHERE survey_id = ?1";
}

// Prepares `sql` and binds the survey (and venue).
Result<Statement> prepare_scoped(sqlite3* db, const std::string& sql, const Spec& spec, const Filter& filter) {
    auto stmt = prepare(db, sql.c_str());
    if (!stmt) return make_error(stmt.error());
    const int rc = filter.venue_id ? bind_all(stmt.value().get(), spec.survey_id, *filter.venue_id)
                                   : bind_all(stmt.value().get(), spec.survey_id);
    if (rc != SQLITE_OK) return make_error(errmsg(db));
    return stmt;
}

// Runs a query whose rows are (key, count) or (key1, key2, count).
template <class Row>
Status each_row(sqlite3* db, sqlite3_stmt* stmt, Row&& row) {
    int rc = SQLITE_ROW;
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) row(stmt);
    if (rc != SQLITE_DONE) return make_error(errmsg(db));
    return Ok{};
}

Figure make_figure(std::string id, const std::vector<std::string>& keys, const std::map<std::string, long long>& counts,
                   long long total) {
    Figure figure{std::move(id), total, false, {}};
    for (const std::string& key : keys) {
        const auto found = counts.find(key);
        figure.cells.push_back({key, found == counts.end() ? 0 : found->second, false});
    }
    return figure;
}

}  // namespace

const char* to_string(TrustClass trust) {
    switch (trust) {
        case TrustClass::Trust: return "trust";
        case TrustClass::WeakTrust: return "weak_trust";
        case TrustClass::Distrust: return "distrust";
        case TrustClass::Unclassified: return "unclassified";
    }
    return "unclassified";
}

TrustClass classify(const nlohmann::json& answers) {
    auto text = [&](const char* key) -> std::string {
        if (!answers.is_object() || !answers.contains(key) || !answers[key].is_string()) return {};
        return answers[key].get<std::string>();
    };
    int trust = 0;
    if (answers.is_object() && answers.contains("inst_trust") && answers["inst_trust"].is_number_integer()) {
        trust = answers["inst_trust"].get<int>();
    }
    const std::string expect = text("expect_help");
    if (expect == "harder" || text("avoided_contact") == "yes") return TrustClass::Distrust;
    if (expect == "dont_know_what" || (trust >= 1 && trust <= 3)) return TrustClass::WeakTrust;
    if (expect == "would_help" && (trust == 4 || trust == 5)) return TrustClass::Trust;
    return TrustClass::Unclassified;
}

void suppress(Figure& figure, long long threshold) {
    if (figure.total < threshold) {
        figure.too_few = true;
        for (Cell& cell : figure.cells) cell.suppressed = true;
        return;
    }
    std::vector<Cell*> line;
    for (Cell& cell : figure.cells) {
        if (cell.n > 0 && cell.n < threshold) cell.suppressed = true;
        line.push_back(&cell);
    }
    while (complement(line, threshold)) {
    }
}

void suppress(CrossTab& table, long long threshold) {
    if (table.total < threshold) {
        table.too_few = true;
        for (auto& row : table.cells) {
            for (Cell& cell : row) cell.suppressed = true;
        }
        return;
    }
    for (auto& row : table.cells) {
        for (Cell& cell : row) {
            if (cell.n > 0 && cell.n < threshold) cell.suppressed = true;
        }
    }
    // Rows and columns until neither needs another hidden cell (each pass hides at least
    // one more cell or stops, so this ends).
    bool changed = true;
    while (changed) {
        changed = false;
        for (auto& row : table.cells) {
            std::vector<Cell*> line;
            for (Cell& cell : row) line.push_back(&cell);
            changed = complement(line, threshold) || changed;
        }
        const std::size_t cols = table.cells.empty() ? 0 : table.cells.front().size();
        for (std::size_t c = 0; c < cols; ++c) {
            std::vector<Cell*> line;
            for (auto& row : table.cells) line.push_back(&row[c]);
            changed = complement(line, threshold) || changed;
        }
    }
}

Spec spec_from(const Survey& survey) {
    Spec spec;
    spec.survey_id = survey.id;
    spec.total_steps = static_cast<int>(survey.questions.size());
    for (const Question& question : survey.questions) {
        if (question.scale_steps() > 0) spec.scale_questions.push_back(question.id);
        if (question.id == spec.age_question) {
            for (const Option& option : question.options) spec.age_options.push_back(option.id);
        }
    }
    return spec;
}

Result<Report> compute(sqlite3* db, const Spec& spec, const Filter& filter) {
    Report report;
    const std::string scope = scope_sql(filter);
    auto fail = [](const std::string& what) { return make_error("could not count the answers: " + what); };

    // Completed and abandoned sessions.
    {
        auto stmt = prepare_scoped(db, "SELECT count(*) FROM responses" + scope, spec, filter);
        if (!stmt) return fail(stmt.error());
        if (sqlite3_step(stmt.value().get()) != SQLITE_ROW) return fail(errmsg(db));
        report.responses = sqlite3_column_int64(stmt.value().get(), 0);
    }
    std::map<std::string, long long> stopped;
    long long abandoned = 0;
    {
        auto stmt = prepare_scoped(db, "SELECT reached_step, count(*) FROM abandonments" + scope + " GROUP BY 1", spec,
                                   filter);
        if (!stmt) return fail(stmt.error());
        const Status read = each_row(db, stmt.value().get(), [&](sqlite3_stmt* s) {
            stopped[std::to_string(sqlite3_column_int(s, 0))] += sqlite3_column_int64(s, 1);
            abandoned += sqlite3_column_int64(s, 1);
        });
        if (!read) return fail(read.error());
    }
    report.started = report.responses + abandoned;
    std::vector<std::string> steps;
    for (int step = 0; step <= spec.total_steps; ++step) steps.push_back(std::to_string(step));
    for (const auto& [step, n] : stopped) {
        if (std::find(steps.begin(), steps.end(), step) == steps.end()) steps.push_back(step);  // an older version's
    }
    report.stopped_at = make_figure("stopped_at", steps, stopped, abandoned);
    suppress(report.stopped_at, kMinCell);
    report.completion = make_figure("completion", {"completed", "stopped"},
                                    {{"completed", report.responses}, {"stopped", abandoned}}, report.started);
    suppress(report.completion, kMinCell);
    // The number of responses is every other figure's total, so it is public: a hidden
    // "stopped" would be started minus it. Then the start count goes too.
    if (report.completion.cells[1].suppressed) report.completion.too_few = true;

    // Every scale answer in one pass: json_each parses each row's answers once.
    {
        nlohmann::json keys = spec.scale_questions;
        const std::string sql =
            "SELECT j.key, CASE j.type WHEN 'null' THEN 'skipped' ELSE CAST(j.atom AS TEXT) END, count(*) "
            "FROM responses r, json_each(r.answers) j" +
            std::string(filter.venue_id ? " WHERE r.survey_id = ?1 AND r.venue_id = ?2" : " WHERE r.survey_id = ?1") +
            " AND j.type IN ('integer', 'text', 'null') AND j.key IN (SELECT value FROM json_each(?" +
            (filter.venue_id ? "3" : "2") + ")) GROUP BY 1, 2";
        auto stmt = prepare_scoped(db, sql, spec, filter);
        if (!stmt) return fail(stmt.error());
        if (bind_one(stmt.value().get(), filter.venue_id ? 3 : 2, keys.dump()) != SQLITE_OK) return fail(errmsg(db));
        std::map<std::string, std::map<std::string, long long>> counts;
        const Status read = each_row(db, stmt.value().get(), [&](sqlite3_stmt* s) {
            counts[column_text(s, 0)][column_text(s, 1)] += sqlite3_column_int64(s, 2);
        });
        if (!read) return fail(read.error());
        for (const std::string& id : spec.scale_questions) {
            const auto& answers = counts[id];
            std::vector<std::string> order = {"1", "2", "3", "4", "5"};
            for (const auto& [value, n] : answers) {
                if (std::find(order.begin(), order.end(), value) == order.end() && value != "skipped") order.push_back(value);
            }
            order.push_back("skipped");
            long long total = 0;
            for (const auto& [value, n] : answers) total += n;
            report.scales.push_back(make_figure(id, order, answers, total));
            suppress(report.scales.back(), kMinCell);
        }
    }

    // "What builds trust": each chosen option, most chosen first.
    {
        auto stmt = prepare_scoped(db,
                                   "SELECT b.value, count(*) FROM responses r, json_each(r.answers, '$." +
                                       spec.builders_question + "') b" +
                                       (filter.venue_id ? " WHERE r.survey_id = ?1 AND r.venue_id = ?2"
                                                        : " WHERE r.survey_id = ?1") +
                                       " AND b.type = 'text' GROUP BY 1",
                                   spec, filter);
        if (!stmt) return fail(stmt.error());
        std::vector<Cell> cells;
        const Status read = each_row(db, stmt.value().get(), [&](sqlite3_stmt* s) {
            cells.push_back({column_text(s, 0), sqlite3_column_int64(s, 1), false});
        });
        if (!read) return fail(read.error());
        auto total = prepare_scoped(db,
                                    "SELECT count(*) FROM responses" + scope + " AND json_type(answers, '$." +
                                        spec.builders_question + "') = 'array'",
                                    spec, filter);
        if (!total) return fail(total.error());
        if (sqlite3_step(total.value().get()) != SQLITE_ROW) return fail(errmsg(db));
        std::stable_sort(cells.begin(), cells.end(), [](const Cell& a, const Cell& b) {
            return a.n != b.n ? a.n > b.n : a.key < b.key;
        });
        report.builders = Figure{spec.builders_question, sqlite3_column_int64(total.value().get(), 0), false, cells};
        suppress(report.builders, kMinCell);
    }

    // Trust class by age band: the split (its row sums) and the cross-tab in one pass.
    {
        auto stmt = prepare_scoped(db,
                                   std::string("SELECT cls, age, count(*) FROM (SELECT ") + kClassSql +
                                       " AS cls, coalesce(json_extract(answers, '$." + spec.age_question +
                                       "'), 'skipped') AS age FROM responses" + scope + ") GROUP BY 1, 2",
                                   spec, filter);
        if (!stmt) return fail(stmt.error());
        std::map<std::string, std::map<std::string, long long>> counts;
        std::map<std::string, long long> by_class;
        const Status read = each_row(db, stmt.value().get(), [&](sqlite3_stmt* s) {
            const std::string cls = column_text(s, 0);
            std::string age = column_text(s, 1);
            if (sqlite3_column_type(s, 1) != SQLITE_TEXT) age = "skipped";
            counts[cls][age] += sqlite3_column_int64(s, 2);
            by_class[cls] += sqlite3_column_int64(s, 2);
        });
        if (!read) return fail(read.error());
        report.trust = make_figure("trust", kClasses, by_class, report.responses);
        suppress(report.trust, kMinCell);

        CrossTab& table = report.trust_by_age;
        table.id = "trust_by_age";
        table.rows = kClasses;
        table.cols = spec.age_options;
        for (const auto& [cls, ages] : counts) {
            for (const auto& [age, n] : ages) {
                if (std::find(table.cols.begin(), table.cols.end(), age) == table.cols.end() && age != "skipped") {
                    table.cols.push_back(age);
                }
            }
        }
        table.cols.push_back("skipped");
        for (const std::string& cls : table.rows) {
            std::vector<Cell> row;
            for (const std::string& age : table.cols) {
                const long long n = counts[cls][age];
                row.push_back({age, n, false});
                table.total += n;
            }
            table.cells.push_back(std::move(row));
        }
        suppress(table, kMinCrossCell);
    }
    return report;
}

namespace {

nlohmann::json cells_json(const std::vector<Cell>& cells) {
    nlohmann::json out = nlohmann::json::array();
    for (const Cell& cell : cells) {
        if (cell.suppressed) {
            out.push_back({{"key", cell.key}, {"suppressed", true}});
        } else {
            out.push_back({{"key", cell.key}, {"n", cell.n}});
        }
    }
    return out;
}

nlohmann::json figure_json(const Figure& figure) {
    if (figure.too_few) return {{"id", figure.id}, {"too_few", true}};
    return {{"id", figure.id}, {"n", figure.total}, {"cells", cells_json(figure.cells)}};
}

}  // namespace

nlohmann::json to_json(const Report& report) {
    nlohmann::json scales = nlohmann::json::array();
    for (const Figure& figure : report.scales) scales.push_back(figure_json(figure));
    nlohmann::json cross;
    if (report.trust_by_age.too_few) {
        cross = {{"id", report.trust_by_age.id}, {"too_few", true}};
    } else {
        nlohmann::json rows = nlohmann::json::array();
        for (std::size_t r = 0; r < report.trust_by_age.rows.size(); ++r) {
            rows.push_back({{"key", report.trust_by_age.rows[r]}, {"cells", cells_json(report.trust_by_age.cells[r])}});
        }
        cross = {{"id", report.trust_by_age.id}, {"rows", rows}};
    }
    nlohmann::json out = {{"responses", report.responses >= kMinCell ? nlohmann::json(report.responses) : nlohmann::json("too_few")},
                          {"completion", figure_json(report.completion)},
                          {"trust", figure_json(report.trust)},
                          {"scales", scales},
                          {"builders", figure_json(report.builders)},
                          {"stopped_at", figure_json(report.stopped_at)},
                          {"trust_by_age", cross}};
    if (!report.completion.too_few) out["started"] = report.started;
    return out;
}

}  // namespace tillit::report
