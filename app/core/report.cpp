// The survey's aggregates: a handful of GROUP BY queries (each one pass over the
// survey's rows via responses_by_survey_venue; json_each parses each answer once), then
// suppression. Only counts ever leave SQLite.
#include "core/report.h"

#include <algorithm>
#include <map>
#include <set>
#include <utility>

#include "core/sql.h"
#include "core/survey.h"

namespace tillit::report {
namespace {

using namespace sql;

// The DEFAULT_SURVEY.md rule in SQL, over the row's `answers`; must agree with classify().
// DEFAULT_SURVEY.md's classification in SQL, of the answers in `answers` (a column).
std::string class_sql(const std::string& answers) {
    const std::string expect = "json_extract(" + answers + ", '$.expect_help')";
    const std::string avoided = "json_extract(" + answers + ", '$.avoided_contact')";
    const std::string inst = "json_extract(" + answers + ", '$.inst_trust')";
    return "CASE WHEN " + expect + " = 'harder' OR " + avoided + " = 'yes' THEN 'distrust' WHEN " + expect +
           " = 'dont_know_what' OR " + inst + " IN (1, 2, 3) THEN 'weak_trust' WHEN " + expect + " = 'would_help' AND " +
           inst + " IN (4, 5) THEN 'trust' ELSE 'unclassified' END";
}

// One row (survey_id, venue_id, figure, k1, k2) per count a response adds, for every
// response of `source`: a subquery with the columns survey_id, venue_id and answers
// (a trigger's NEW or OLD row, or the responses table).
std::string response_rows_sql(const std::string& source) {
    auto keys = [](const char* role) {
        return std::string("(SELECT key FROM report_keys WHERE survey_id = R.survey_id AND role = '") + role + "')";
    };
    return "SELECT R.survey_id, R.venue_id, 'responses', '', '' FROM " + source +
           " R UNION ALL SELECT R.survey_id, R.venue_id, 'scale', j.key, "
           "CASE j.type WHEN 'null' THEN 'skipped' ELSE CAST(j.atom AS TEXT) END FROM " + source +
           " R, json_each(R.answers) j WHERE j.type IN ('integer', 'text', 'null') AND j.key IN " + keys("scale") +
           " UNION ALL SELECT R.survey_id, R.venue_id, 'choice', j.key, e.value FROM " + source +
           " R, json_each(R.answers) j, json_each(j.value) e WHERE j.type = 'array' AND e.type = 'text' AND j.key IN " +
           keys("choices") + " UNION ALL SELECT R.survey_id, R.venue_id, 'choice_total', j.key, '' FROM " + source +
           " R, json_each(R.answers) j WHERE j.type = 'array' AND j.key IN " + keys("choices") +
           " UNION ALL SELECT R.survey_id, R.venue_id, 'class_age', " + class_sql("R.answers") +
           ", coalesce((SELECT json_extract(R.answers, '$.' || k.key) FROM report_keys k WHERE k.survey_id = "
           "R.survey_id AND k.role = 'age' AND json_type(R.answers, '$.' || k.key) = 'text'), 'skipped') FROM " +
           source + " R";
}

std::string abandonment_rows_sql(const std::string& source) {
    return "SELECT R.survey_id, R.venue_id, 'stopped', CAST(R.reached_step AS TEXT), '' FROM " + source + " R";
}

// Adds `weight` (1 or -1) per row of `rows` to report_counts.
std::string add_counts_sql(const std::string& rows, const char* weight) {
    return std::string("INSERT INTO report_counts (survey_id, venue_id, figure, k1, k2, n) SELECT *, ") + weight +
           " FROM (" + rows + ") WHERE true ON CONFLICT (survey_id, venue_id, figure, k1, k2) DO UPDATE SET n = n + "
           "excluded.n;";
}

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

namespace {

// Makes report_keys say what `spec` counts; when it said something else, counts every
// stored response and abandonment of the survey again (one transaction).
Status ensure_counted(sqlite3* db, const Spec& spec) {
    std::set<std::pair<std::string, std::string>> wanted;
    for (const std::string& id : spec.scale_questions) wanted.insert({id, "scale"});
    if (!spec.builders_question.empty()) wanted.insert({spec.builders_question, "choices"});
    if (!spec.age_question.empty()) wanted.insert({spec.age_question, "age"});
    std::set<std::pair<std::string, std::string>> counted;
    auto stmt = prepare(db, "SELECT key, role FROM report_keys WHERE survey_id = ?1");
    if (!stmt) return make_error(stmt.error());
    if (bind_all(stmt.value().get(), spec.survey_id) != SQLITE_OK) return make_error(errmsg(db));
    const Status read = each_row(db, stmt.value().get(), [&](sqlite3_stmt* s) {
        counted.insert({column_text(s, 0), column_text(s, 1)});
    });
    if (!read) return read;
    if (counted == wanted) return Ok{};
    return in_transaction(db, "count the stored answers", [&]() -> Status {
        if (const Status cleared = run(db, "DELETE FROM report_keys WHERE survey_id = ?1", spec.survey_id); !cleared) {
            return cleared;
        }
        for (const auto& [key, role] : wanted) {
            if (const Status added = run(db, "INSERT INTO report_keys (survey_id, key, role) VALUES (?1, ?2, ?3)",
                                         spec.survey_id, key, role);
                !added) {
                return added;
            }
        }
        if (const Status cleared = run(db, "DELETE FROM report_counts WHERE survey_id = ?1", spec.survey_id); !cleared) {
            return cleared;
        }
        const std::string responses = "(SELECT survey_id, venue_id, answers FROM responses WHERE survey_id = ?1)";
        const std::string abandonments =
            "(SELECT survey_id, venue_id, reached_step FROM abandonments WHERE survey_id = ?1)";
        for (const std::string& rows : {response_rows_sql(responses), abandonment_rows_sql(abandonments)}) {
            const std::string sql = "INSERT INTO report_counts (survey_id, venue_id, figure, k1, k2, n) "
                                    "SELECT *, count(*) FROM (" + rows + ") GROUP BY 1, 2, 3, 4, 5";
            if (const Status counted_rows = run(db, sql.c_str(), spec.survey_id); !counted_rows) return counted_rows;
        }
        return Ok{};
    });
}

}  // namespace

std::string counts_schema_sql() {
    const std::string responses_new = add_counts_sql(
        response_rows_sql("(SELECT NEW.survey_id AS survey_id, NEW.venue_id AS venue_id, NEW.answers AS answers)"), "1");
    const std::string responses_old = add_counts_sql(
        response_rows_sql("(SELECT OLD.survey_id AS survey_id, OLD.venue_id AS venue_id, OLD.answers AS answers)"), "-1");
    const std::string abandonments_new = add_counts_sql(
        abandonment_rows_sql("(SELECT NEW.survey_id AS survey_id, NEW.venue_id AS venue_id, NEW.reached_step AS "
                             "reached_step)"),
        "1");
    const std::string abandonments_old = add_counts_sql(
        abandonment_rows_sql("(SELECT OLD.survey_id AS survey_id, OLD.venue_id AS venue_id, OLD.reached_step AS "
                             "reached_step)"),
        "-1");
    return R"sql(
CREATE TABLE report_keys (
    survey_id TEXT NOT NULL,
    key       TEXT NOT NULL,
    role      TEXT NOT NULL CHECK (role IN ('scale', 'choices', 'age')),
    PRIMARY KEY (survey_id, key, role)
) STRICT, WITHOUT ROWID;
CREATE TABLE report_counts (
    survey_id TEXT NOT NULL,
    venue_id  TEXT NOT NULL,
    figure    TEXT NOT NULL,
    k1        TEXT NOT NULL,
    k2        TEXT NOT NULL,
    n         INTEGER NOT NULL,
    PRIMARY KEY (survey_id, venue_id, figure, k1, k2)
) STRICT, WITHOUT ROWID;
CREATE TRIGGER report_counts_response_added AFTER INSERT ON responses BEGIN
)sql" + responses_new + R"sql(
END;
CREATE TRIGGER report_counts_response_removed AFTER DELETE ON responses BEGIN
)sql" + responses_old + R"sql(
END;
CREATE TRIGGER report_counts_response_changed AFTER UPDATE OF answers ON responses BEGIN
)sql" + responses_old + "\n" + responses_new + R"sql(
END;
CREATE TRIGGER report_counts_abandonment_added AFTER INSERT ON abandonments BEGIN
)sql" + abandonments_new + R"sql(
END;
CREATE TRIGGER report_counts_abandonment_removed AFTER DELETE ON abandonments BEGIN
)sql" + abandonments_old + R"sql(
END;
)sql";
}

Result<Report> compute(sqlite3* db, const Spec& spec, const Filter& filter) {
    Report report;
    auto fail = [](const std::string& what) { return make_error("could not count the answers: " + what); };
    if (const Status counted = ensure_counted(db, spec); !counted) return fail(counted.error());

    // Every count of the survey (and venue), summed over venues: a few hundred rows.
    std::map<std::string, std::map<std::string, std::map<std::string, long long>>> counts;  // figure, k1, k2
    {
        auto stmt = prepare_scoped(db,
                                   "SELECT figure, k1, k2, sum(n) FROM report_counts" + scope_sql(filter) +
                                       " GROUP BY 1, 2, 3 HAVING sum(n) <> 0",
                                   spec, filter);
        if (!stmt) return fail(stmt.error());
        const Status read = each_row(db, stmt.value().get(), [&](sqlite3_stmt* s) {
            counts[column_text(s, 0)][column_text(s, 1)][column_text(s, 2)] = sqlite3_column_int64(s, 3);
        });
        if (!read) return fail(read.error());
    }
    auto count_of = [&](const std::string& figure, const std::string& k1, const std::string& k2) -> long long {
        const auto f = counts.find(figure);
        if (f == counts.end()) return 0;
        const auto a = f->second.find(k1);
        if (a == f->second.end()) return 0;
        const auto b = a->second.find(k2);
        return b == a->second.end() ? 0 : b->second;
    };

    // Completed and abandoned sessions.
    report.responses = count_of("responses", "", "");
    std::map<std::string, long long> stopped;
    long long abandoned = 0;
    for (const auto& [step, by] : counts["stopped"]) {
        stopped[step] += by.at("");
        abandoned += by.at("");
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

    // Each scale question's distribution.
    for (const std::string& id : spec.scale_questions) {
        const std::map<std::string, long long>& answers = counts["scale"][id];
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

    // "What builds trust": each chosen option, most chosen first.
    {
        std::vector<Cell> cells;
        for (const auto& [option, n] : counts["choice"][spec.builders_question]) cells.push_back({option, n, false});
        std::stable_sort(cells.begin(), cells.end(), [](const Cell& a, const Cell& b) {
            return a.n != b.n ? a.n > b.n : a.key < b.key;
        });
        report.builders = Figure{spec.builders_question, count_of("choice_total", spec.builders_question, ""), false,
                                 cells};
        suppress(report.builders, kMinCell);
    }

    // Trust class by age band: the split (its row sums) and the cross-tab.
    {
        std::map<std::string, long long> by_class;
        for (const auto& [cls, ages] : counts["class_age"]) {
            for (const auto& [age, n] : ages) by_class[cls] += n;
        }
        report.trust = make_figure("trust", kClasses, by_class, report.responses);
        suppress(report.trust, kMinCell);

        CrossTab& table = report.trust_by_age;
        table.id = "trust_by_age";
        table.rows = kClasses;
        table.cols = spec.age_options;
        for (const auto& [cls, ages] : counts["class_age"]) {
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
                const long long n = count_of("class_age", cls, age);
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
