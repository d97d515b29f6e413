// Workshop storage: each public WorkshopStore call is one transaction (BEGIN IMMEDIATE
// .. COMMIT, WAL + synchronous=FULL like every write of the kiosk), and load() rebuilds
// the whole Workshop from the tables, so the UI's copy is never ahead of the disk.
#include "core/workshop.h"

#include <algorithm>
#include <ctime>

#include "core/privacy.h"
#include "core/sql.h"
#include "core/store.h"

namespace tillit {
namespace {

using namespace sql;

long long system_now() { return static_cast<long long>(std::time(nullptr)); }

template <class Enum, std::size_t N>
std::optional<Enum> parse_from(const std::string& text, const Enum (&all)[N]) {
    for (Enum value : all) {
        if (text == to_string(value)) return value;
    }
    return std::nullopt;
}

constexpr WorkshopGoal kGoals[] = {WorkshopGoal::Learn, WorkshopGoal::SharedPicture, WorkshopGoal::Ideas};
constexpr QuestionKind kKinds[] = {QuestionKind::Promoting, QuestionKind::Preventive, QuestionKind::Own};
constexpr WorkshopStep kSteps[] = {WorkshopStep::Setup, WorkshopStep::Data, WorkshopStep::Gather,
                                   WorkshopStep::Vote, WorkshopStep::Summary};
constexpr Stance kStances[] = {Stance::Agree, Stance::Disagree, Stance::Pass};

// What people type: identifiers scrubbed, trimmed, at most `max_chars`.
std::string clean_text(const std::string& text, std::size_t max_chars) {
    std::string scrubbed = scrub_identifiers(text);
    const auto first = scrubbed.find_first_not_of(" \n\t");
    if (first == std::string::npos) return {};
    scrubbed = scrubbed.substr(first, scrubbed.find_last_not_of(" \n\t") - first + 1);
    return utf8_truncate(scrubbed, max_chars);
}

nlohmann::json turn_json(const Turn& turn) {
    nlohmann::json stances = nlohmann::json::object();
    for (const auto& [id, stance] : turn.stances) stances[id] = to_string(stance);
    return {{"kind", turn.kind == TurnKind::Dots ? "dots" : "stances"}, {"dots", turn.dots}, {"stances", stances}};
}

std::optional<Turn> parse_turn(const std::string& text) {
    if (text.empty()) return std::nullopt;
    const nlohmann::json doc = nlohmann::json::parse(text, nullptr, false);
    if (!doc.is_object()) return std::nullopt;
    Turn turn;
    turn.kind = doc.value("kind", "dots") == "stances" ? TurnKind::Stances : TurnKind::Dots;
    if (doc.contains("dots") && doc["dots"].is_object()) {
        for (const auto& [id, n] : doc["dots"].items()) {
            if (n.is_number_integer()) turn.dots[id] = n.get<int>();
        }
    }
    if (doc.contains("stances") && doc["stances"].is_object()) {
        for (const auto& [id, value] : doc["stances"].items()) {
            if (!value.is_string()) continue;
            if (const auto stance = parse_from(value.get<std::string>(), kStances)) turn.stances[id] = *stance;
        }
    }
    return turn;
}

}  // namespace

const char* to_string(WorkshopGoal goal) {
    switch (goal) {
        case WorkshopGoal::Learn: return "learn";
        case WorkshopGoal::SharedPicture: return "shared_picture";
        case WorkshopGoal::Ideas: return "ideas";
    }
    return "learn";
}
const char* to_string(QuestionKind kind) {
    switch (kind) {
        case QuestionKind::Promoting: return "promoting";
        case QuestionKind::Preventive: return "preventive";
        case QuestionKind::Own: return "own";
    }
    return "own";
}
const char* to_string(DataScope scope) { return scope == DataScope::Venue ? "venue" : "all"; }
const char* to_string(WorkshopStep step) {
    switch (step) {
        case WorkshopStep::Setup: return "setup";
        case WorkshopStep::Data: return "data";
        case WorkshopStep::Gather: return "gather";
        case WorkshopStep::Vote: return "vote";
        case WorkshopStep::Summary: return "summary";
    }
    return "setup";
}
const char* to_string(WorksheetStep step) {
    switch (step) {
        case WorksheetStep::Partners: return "partners";
        case WorksheetStep::WantedInfo: return "wanted_info";
        case WorksheetStep::AvailableInfo: return "available_info";
        case WorksheetStep::NextSteps: return "next_steps";
    }
    return "partners";
}
const char* to_string(Stance stance) {
    switch (stance) {
        case Stance::Agree: return "agree";
        case Stance::Disagree: return "disagree";
        case Stance::Pass: return "pass";
    }
    return "pass";
}
std::optional<WorkshopGoal> parse_goal(const std::string& text) { return parse_from(text, kGoals); }
std::optional<QuestionKind> parse_question_kind(const std::string& text) { return parse_from(text, kKinds); }
std::optional<WorkshopStep> parse_workshop_step(const std::string& text) { return parse_from(text, kSteps); }
std::optional<WorksheetStep> parse_worksheet_step(const std::string& text) { return parse_from(text, kWorksheetSteps); }

int Turn::dots_placed() const {
    int placed = 0;
    for (const auto& [id, n] : dots) placed += n;
    return placed;
}

const Contribution* Workshop::find(const std::string& contribution_id) const {
    for (const Contribution& c : contributions) {
        if (c.id == contribution_id) return &c;
    }
    return nullptr;
}

std::vector<const Contribution*> Workshop::visible(WorksheetStep worksheet_step) const {
    std::vector<const Contribution*> out;
    for (const Contribution& c : contributions) {
        if (c.visible() && c.step == worksheet_step) out.push_back(&c);
    }
    return out;
}

std::vector<const Contribution*> Workshop::visible() const {
    std::vector<const Contribution*> out;
    for (WorksheetStep s : kWorksheetSteps) {
        for (const Contribution* c : visible(s)) out.push_back(c);
    }
    return out;
}

std::vector<const Contribution*> Workshop::by_dots() const {
    std::vector<const Contribution*> out = visible();
    std::stable_sort(out.begin(), out.end(), [](const Contribution* a, const Contribution* b) { return a->dots > b->dots; });
    return out;
}

StanceResult stance_result(const Contribution& c) {
    StanceResult result;
    result.n = c.agree + c.disagree + c.pass;
    result.shown = result.n >= kMinStanceVoters;
    const long long sides = c.agree + c.disagree;
    result.agree_share = sides > 0 ? static_cast<double>(c.agree) / static_cast<double>(sides) : 0.0;
    if (sides == 0) {
        result.verdict = StanceResult::Verdict::Divided;
    } else if (3 * c.agree >= 2 * sides) {
        result.verdict = StanceResult::Verdict::Agrees;
    } else if (3 * c.agree <= sides) {
        result.verdict = StanceResult::Verdict::Disagrees;
    } else {
        result.verdict = StanceResult::Verdict::Divided;
    }
    return result;
}

WorkshopStore::WorkshopStore(Store& store, Clock clock) : store_(store), clock_(clock != nullptr ? clock : system_now) {}

namespace {

// Inside a transaction: the workshop must exist and be open.
Status require_open(sqlite3* c, const std::string& id) {
    auto stmt = prepare(c, "SELECT finished FROM workshops WHERE id = ?1");
    if (!stmt) return make_error(stmt.error());
    if (bind_all(stmt.value().get(), id) != SQLITE_OK) return make_error(errmsg(c));
    const int rc = sqlite3_step(stmt.value().get());
    if (rc == SQLITE_DONE) return make_error("no workshop " + id);
    if (rc != SQLITE_ROW) return make_error(errmsg(c));
    if (sqlite3_column_int(stmt.value().get(), 0) != 0) return make_error("the workshop is finished");
    return Ok{};
}

Status touch(sqlite3* c, const std::string& id, long long now) {
    return run(c, "UPDATE workshops SET updated_unix = ?2 WHERE id = ?1", id, now);
}

Result<std::optional<Turn>> read_turn(sqlite3* c, const std::string& id) {
    auto stmt = prepare(c, "SELECT coalesce(turn, '') FROM workshops WHERE id = ?1");
    if (!stmt) return make_error(stmt.error());
    if (bind_all(stmt.value().get(), id) != SQLITE_OK) return make_error(errmsg(c));
    if (sqlite3_step(stmt.value().get()) != SQLITE_ROW) return make_error(errmsg(c));
    return parse_turn(column_text(stmt.value().get(), 0));
}

Status write_turn(sqlite3* c, const std::string& id, const std::optional<Turn>& turn) {
    if (!turn) return run(c, "UPDATE workshops SET turn = NULL WHERE id = ?1", id);
    return run(c, "UPDATE workshops SET turn = ?2 WHERE id = ?1", id, turn_json(*turn).dump());
}

Result<Contribution> read_contribution(sqlite3* c, const std::string& workshop_id, const std::string& contribution_id) {
    auto stmt = prepare(c,
                        "SELECT step, text, hidden, coalesce(merged_into, '') FROM workshop_contributions "
                        "WHERE workshop_id = ?1 AND id = ?2");
    if (!stmt) return make_error(stmt.error());
    if (bind_all(stmt.value().get(), workshop_id, contribution_id) != SQLITE_OK) return make_error(errmsg(c));
    const int rc = sqlite3_step(stmt.value().get());
    if (rc == SQLITE_DONE) return make_error("no contribution " + contribution_id + " in this workshop");
    if (rc != SQLITE_ROW) return make_error(errmsg(c));
    Contribution contribution;
    contribution.id = contribution_id;
    contribution.step = parse_worksheet_step(column_text(stmt.value().get(), 0)).value_or(WorksheetStep::Partners);
    contribution.text = column_text(stmt.value().get(), 1);
    contribution.hidden = sqlite3_column_int(stmt.value().get(), 2) != 0;
    contribution.merged_into = column_text(stmt.value().get(), 3);
    return contribution;
}

Status log_action(sqlite3* c, const std::string& id, const ModerationEntry& entry) {
    auto next = prepare(c, "SELECT coalesce(max(seq), 0) + 1 FROM workshop_moderation WHERE workshop_id = ?1");
    if (!next) return make_error(next.error());
    if (bind_all(next.value().get(), id) != SQLITE_OK) return make_error(errmsg(c));
    if (sqlite3_step(next.value().get()) != SQLITE_ROW) return make_error(errmsg(c));
    const long long seq = sqlite3_column_int64(next.value().get(), 0);
    return run(c,
               "INSERT INTO workshop_moderation (workshop_id, seq, action, contribution_id, other_id, before, after) "
               "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
               id, seq, entry.action, entry.contribution_id, entry.other_id, entry.before, entry.after);
}

}  // namespace

Result<std::optional<Workshop>> WorkshopStore::open_workshop() {
    auto id = query_text(store_.connection(), "SELECT coalesce((SELECT id FROM workshops WHERE finished = 0), '')");
    if (!id) return make_error("could not read the workshops: " + id.error());
    if (id.value().empty()) return std::optional<Workshop>();
    auto workshop = load(id.value());
    if (!workshop) return make_error(workshop.error());
    return std::optional<Workshop>(std::move(workshop).value());
}

Result<Workshop> WorkshopStore::load(const std::string& id) {
    sqlite3* c = store_.connection();
    auto fail = [&](const std::string& why) { return make_error("could not read the workshop: " + why); };
    Workshop w;
    {
        auto stmt = prepare(c,
                            "SELECT title, venue_id, day, goal, theme_id, question_kind, question, data_scope, step, "
                            "dots_per_person, dot_turns, stance_turns, coalesce(turn, ''), updated_unix, finished "
                            "FROM workshops WHERE id = ?1");
        if (!stmt) return fail(stmt.error());
        sqlite3_stmt* s = stmt.value().get();
        if (bind_all(s, id) != SQLITE_OK) return fail(errmsg(c));
        const int rc = sqlite3_step(s);
        if (rc == SQLITE_DONE) return fail("no workshop " + id);
        if (rc != SQLITE_ROW) return fail(errmsg(c));
        w.id = id;
        w.setup.title = column_text(s, 0);
        w.setup.venue_id = column_text(s, 1);
        w.day = column_text(s, 2);
        w.setup.goal = parse_goal(column_text(s, 3)).value_or(WorkshopGoal::Learn);
        w.setup.theme_id = column_text(s, 4);
        w.setup.question_kind = parse_question_kind(column_text(s, 5)).value_or(QuestionKind::Own);
        w.setup.question = column_text(s, 6);
        w.setup.scope = column_text(s, 7) == "all" ? DataScope::AllVenues : DataScope::Venue;
        w.step = parse_workshop_step(column_text(s, 8)).value_or(WorkshopStep::Setup);
        w.setup.dots_per_person = sqlite3_column_int(s, 9);
        w.dot_turns = sqlite3_column_int64(s, 10);
        w.stance_turns = sqlite3_column_int64(s, 11);
        w.turn = parse_turn(column_text(s, 12));
        w.updated_unix = sqlite3_column_int64(s, 13);
        w.finished = sqlite3_column_int(s, 14) != 0;
    }
    {
        auto stmt = prepare(c,
                            "SELECT id, step, text, hidden, coalesce(merged_into, ''), dots, agree, disagree, pass "
                            "FROM workshop_contributions WHERE workshop_id = ?1 ORDER BY position");
        if (!stmt) return fail(stmt.error());
        sqlite3_stmt* s = stmt.value().get();
        if (bind_all(s, id) != SQLITE_OK) return fail(errmsg(c));
        int rc = SQLITE_ROW;
        while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
            Contribution contribution;
            contribution.id = column_text(s, 0);
            contribution.step = parse_worksheet_step(column_text(s, 1)).value_or(WorksheetStep::Partners);
            contribution.text = column_text(s, 2);
            contribution.hidden = sqlite3_column_int(s, 3) != 0;
            contribution.merged_into = column_text(s, 4);
            contribution.dots = sqlite3_column_int64(s, 5);
            contribution.agree = sqlite3_column_int64(s, 6);
            contribution.disagree = sqlite3_column_int64(s, 7);
            contribution.pass = sqlite3_column_int64(s, 8);
            w.contributions.push_back(std::move(contribution));
        }
        if (rc != SQLITE_DONE) return fail(errmsg(c));
    }
    {
        auto stmt = prepare(c,
                            "SELECT seq, action, contribution_id, other_id, before, after FROM workshop_moderation "
                            "WHERE workshop_id = ?1 ORDER BY seq");
        if (!stmt) return fail(stmt.error());
        sqlite3_stmt* s = stmt.value().get();
        if (bind_all(s, id) != SQLITE_OK) return fail(errmsg(c));
        int rc = SQLITE_ROW;
        while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
            w.log.push_back({sqlite3_column_int(s, 0), column_text(s, 1), column_text(s, 2), column_text(s, 3),
                             column_text(s, 4), column_text(s, 5)});
        }
        if (rc != SQLITE_DONE) return fail(errmsg(c));
    }
    return w;
}

Result<std::string> WorkshopStore::create(const WorkshopSetup& setup, const std::string& day) {
    sqlite3* c = store_.connection();
    if (setup.venue_id.empty()) return make_error("a workshop needs a venue");
    if (setup.dots_per_person < 1 || setup.dots_per_person > kMaxDotsPerPerson) {
        return make_error("dots per person must be 1 to " + std::to_string(kMaxDotsPerPerson));
    }
    std::string id;
    try {
        id = new_uuid_v4();
    } catch (const std::exception& e) {
        return make_error(std::string("could not start the workshop: ") + e.what());
    }
    const Status made = in_transaction(c, "start the workshop", [&]() -> Status {
        auto open = query_int(c, "SELECT count(*) FROM workshops WHERE finished = 0");
        if (!open) return make_error(open.error());
        if (open.value() > 0) return make_error("another workshop is still open; finish it first");
        return run(c,
                   "INSERT INTO workshops (id, title, venue_id, day, goal, theme_id, question_kind, question, "
                   "data_scope, step, dots_per_person, updated_unix) "
                   "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, 'setup', ?10, ?11)",
                   id, clean_text(setup.title, kMaxTitleChars), setup.venue_id, day, std::string(to_string(setup.goal)),
                   setup.theme_id, std::string(to_string(setup.question_kind)),
                   clean_text(setup.question, kMaxQuestionChars), std::string(to_string(setup.scope)),
                   setup.dots_per_person, clock_());
    });
    if (!made) return make_error(made.error());
    return id;
}

Status WorkshopStore::update_setup(const std::string& id, const WorkshopSetup& setup) {
    sqlite3* c = store_.connection();
    if (setup.dots_per_person < 1 || setup.dots_per_person > kMaxDotsPerPerson) {
        return make_error("dots per person must be 1 to " + std::to_string(kMaxDotsPerPerson));
    }
    return in_transaction(c, "save the workshop", [&]() -> Status {
        if (const Status open = require_open(c, id); !open) return open;
        return run(c,
                   "UPDATE workshops SET title = ?2, goal = ?3, theme_id = ?4, question_kind = ?5, question = ?6, "
                   "data_scope = ?7, dots_per_person = ?8, updated_unix = ?9 WHERE id = ?1",
                   id, clean_text(setup.title, kMaxTitleChars), std::string(to_string(setup.goal)), setup.theme_id,
                   std::string(to_string(setup.question_kind)), clean_text(setup.question, kMaxQuestionChars),
                   std::string(to_string(setup.scope)), setup.dots_per_person, clock_());
    });
}

Status WorkshopStore::set_step(const std::string& id, WorkshopStep step) {
    sqlite3* c = store_.connection();
    return in_transaction(c, "save the workshop step", [&]() -> Status {
        if (const Status open = require_open(c, id); !open) return open;
        return run(c, "UPDATE workshops SET step = ?2, updated_unix = ?3 WHERE id = ?1", id,
                   std::string(to_string(step)), clock_());
    });
}

Status WorkshopStore::set_dots_per_person(const std::string& id, int dots) {
    sqlite3* c = store_.connection();
    if (dots < 1 || dots > kMaxDotsPerPerson) {
        return make_error("dots per person must be 1 to " + std::to_string(kMaxDotsPerPerson));
    }
    return in_transaction(c, "save the dots per person", [&]() -> Status {
        if (const Status open = require_open(c, id); !open) return open;
        auto turn = read_turn(c, id);
        if (!turn) return make_error(turn.error());
        if (turn.value()) return make_error("a participant is voting; change it between turns");
        return run(c, "UPDATE workshops SET dots_per_person = ?2, updated_unix = ?3 WHERE id = ?1", id, dots, clock_());
    });
}

Result<std::string> WorkshopStore::add_contribution(const std::string& id, WorksheetStep step, const std::string& text) {
    sqlite3* c = store_.connection();
    const std::string cleaned = clean_text(text, kMaxContributionChars);
    if (cleaned.empty()) return make_error("the contribution is empty");
    std::string contribution_id;
    try {
        contribution_id = new_uuid_v4();
    } catch (const std::exception& e) {
        return make_error(std::string("could not add the contribution: ") + e.what());
    }
    const Status added = in_transaction(c, "add the contribution", [&]() -> Status {
        if (const Status open = require_open(c, id); !open) return open;
        auto stmt = prepare(c, "SELECT coalesce(max(position), 0) + 1 FROM workshop_contributions WHERE workshop_id = ?1");
        if (!stmt) return make_error(stmt.error());
        if (bind_all(stmt.value().get(), id) != SQLITE_OK) return make_error(errmsg(c));
        if (sqlite3_step(stmt.value().get()) != SQLITE_ROW) return make_error(errmsg(c));
        const long long position = sqlite3_column_int64(stmt.value().get(), 0);
        if (const Status inserted = run(c,
                                        "INSERT INTO workshop_contributions (id, workshop_id, position, step, text) "
                                        "VALUES (?1, ?2, ?3, ?4, ?5)",
                                        contribution_id, id, position, std::string(to_string(step)), cleaned);
            !inserted) {
            return inserted;
        }
        return touch(c, id, clock_());
    });
    if (!added) return make_error(added.error());
    return contribution_id;
}

Status WorkshopStore::edit_contribution(const std::string& id, const std::string& contribution_id,
                                        const std::string& text) {
    sqlite3* c = store_.connection();
    const std::string cleaned = clean_text(text, kMaxContributionChars);
    if (cleaned.empty()) return make_error("the contribution is empty; hide it instead");
    return in_transaction(c, "edit the contribution", [&]() -> Status {
        if (const Status open = require_open(c, id); !open) return open;
        auto before = read_contribution(c, id, contribution_id);
        if (!before) return make_error(before.error());
        if (before.value().text == cleaned) return Ok{};
        if (const Status logged = log_action(c, id, {0, "edit", contribution_id, "", before.value().text, cleaned});
            !logged) {
            return logged;
        }
        if (const Status updated = run(c, "UPDATE workshop_contributions SET text = ?3 WHERE workshop_id = ?1 AND id = ?2",
                                       id, contribution_id, cleaned);
            !updated) {
            return updated;
        }
        return touch(c, id, clock_());
    });
}

Status WorkshopStore::set_hidden(const std::string& id, const std::string& contribution_id, bool hidden) {
    sqlite3* c = store_.connection();
    return in_transaction(c, hidden ? "hide the contribution" : "show the contribution", [&]() -> Status {
        if (const Status open = require_open(c, id); !open) return open;
        auto before = read_contribution(c, id, contribution_id);
        if (!before) return make_error(before.error());
        if (before.value().hidden == hidden) return Ok{};
        if (const Status logged =
                log_action(c, id, {0, hidden ? "hide" : "show", contribution_id, "", before.value().text, ""});
            !logged) {
            return logged;
        }
        if (const Status updated = run(c,
                                       "UPDATE workshop_contributions SET hidden = ?3 WHERE workshop_id = ?1 AND id = ?2",
                                       id, contribution_id, hidden ? 1 : 0);
            !updated) {
            return updated;
        }
        return touch(c, id, clock_());
    });
}

Status WorkshopStore::merge(const std::string& id, const std::string& from, const std::string& into) {
    sqlite3* c = store_.connection();
    if (from == into) return make_error("a contribution cannot be merged into itself");
    return in_transaction(c, "merge the contributions", [&]() -> Status {
        if (const Status open = require_open(c, id); !open) return open;
        auto source = read_contribution(c, id, from);
        if (!source) return make_error(source.error());
        auto target = read_contribution(c, id, into);
        if (!target) return make_error(target.error());
        if (!source.value().visible() || !target.value().visible()) {
            return make_error("only shown contributions can be merged");
        }
        const std::string merged =
            utf8_truncate(target.value().text + " / " + source.value().text, 2 * kMaxContributionChars + 3);
        if (const Status logged = log_action(c, id, {0, "merge", from, into, target.value().text, merged}); !logged) {
            return logged;
        }
        // Votes already given follow the statement into what it became.
        if (const Status moved = run(c,
                                     "UPDATE workshop_contributions SET text = ?3, "
                                     "dots = dots + (SELECT dots FROM workshop_contributions WHERE id = ?4), "
                                     "agree = agree + (SELECT agree FROM workshop_contributions WHERE id = ?4), "
                                     "disagree = disagree + (SELECT disagree FROM workshop_contributions WHERE id = ?4), "
                                     "pass = pass + (SELECT pass FROM workshop_contributions WHERE id = ?4) "
                                     "WHERE workshop_id = ?1 AND id = ?2",
                                     id, into, merged, from);
            !moved) {
            return moved;
        }
        if (const Status gone = run(c,
                                    "UPDATE workshop_contributions SET merged_into = ?3, dots = 0, agree = 0, "
                                    "disagree = 0, pass = 0 WHERE workshop_id = ?1 AND id = ?2",
                                    id, from, into);
            !gone) {
            return gone;
        }
        return touch(c, id, clock_());
    });
}

Status WorkshopStore::start_turn(const std::string& id, TurnKind kind) {
    sqlite3* c = store_.connection();
    return in_transaction(c, "start the turn", [&]() -> Status {
        if (const Status open = require_open(c, id); !open) return open;
        auto turn = read_turn(c, id);
        if (!turn) return make_error(turn.error());
        if (turn.value()) return make_error("a participant's turn has not ended");
        Turn fresh;
        fresh.kind = kind;
        if (const Status written = write_turn(c, id, fresh); !written) return written;
        return touch(c, id, clock_());
    });
}

Status WorkshopStore::place_dot(const std::string& id, const std::string& contribution_id) {
    sqlite3* c = store_.connection();
    return in_transaction(c, "place the dot", [&]() -> Status {
        if (const Status open = require_open(c, id); !open) return open;
        auto turn = read_turn(c, id);
        if (!turn) return make_error(turn.error());
        if (!turn.value() || turn.value()->kind != TurnKind::Dots) return make_error("nobody is placing dots");
        auto target = read_contribution(c, id, contribution_id);
        if (!target) return make_error(target.error());
        if (!target.value().visible()) return make_error("that contribution is not shown");
        auto limit = prepare(c, "SELECT dots_per_person FROM workshops WHERE id = ?1");
        if (!limit) return make_error(limit.error());
        if (bind_all(limit.value().get(), id) != SQLITE_OK || sqlite3_step(limit.value().get()) != SQLITE_ROW) {
            return make_error(errmsg(c));
        }
        if (turn.value()->dots_placed() >= sqlite3_column_int(limit.value().get(), 0)) {
            return make_error("all dots of this turn are placed");
        }
        ++turn.value()->dots[contribution_id];
        if (const Status written = write_turn(c, id, turn.value()); !written) return written;
        return touch(c, id, clock_());
    });
}

Status WorkshopStore::remove_dot(const std::string& id, const std::string& contribution_id) {
    sqlite3* c = store_.connection();
    return in_transaction(c, "take the dot back", [&]() -> Status {
        if (const Status open = require_open(c, id); !open) return open;
        auto turn = read_turn(c, id);
        if (!turn) return make_error(turn.error());
        if (!turn.value() || turn.value()->kind != TurnKind::Dots) return make_error("nobody is placing dots");
        auto found = turn.value()->dots.find(contribution_id);
        if (found == turn.value()->dots.end()) return make_error("no dot of this turn is there");
        if (--found->second == 0) turn.value()->dots.erase(found);
        if (const Status written = write_turn(c, id, turn.value()); !written) return written;
        return touch(c, id, clock_());
    });
}

Status WorkshopStore::set_stance(const std::string& id, const std::string& contribution_id, Stance stance) {
    sqlite3* c = store_.connection();
    return in_transaction(c, "save the answer", [&]() -> Status {
        if (const Status open = require_open(c, id); !open) return open;
        auto turn = read_turn(c, id);
        if (!turn) return make_error(turn.error());
        if (!turn.value() || turn.value()->kind != TurnKind::Stances) return make_error("nobody is answering");
        auto target = read_contribution(c, id, contribution_id);
        if (!target) return make_error(target.error());
        if (!target.value().visible()) return make_error("that contribution is not shown");
        turn.value()->stances[contribution_id] = stance;
        if (const Status written = write_turn(c, id, turn.value()); !written) return written;
        return touch(c, id, clock_());
    });
}

Status WorkshopStore::end_turn(const std::string& id) {
    sqlite3* c = store_.connection();
    return in_transaction(c, "end the turn", [&]() -> Status {
        if (const Status open = require_open(c, id); !open) return open;
        auto turn = read_turn(c, id);
        if (!turn) return make_error(turn.error());
        if (!turn.value()) return make_error("no turn to end");
        const Turn& t = *turn.value();
        if (t.kind == TurnKind::Dots) {
            for (const auto& [contribution_id, n] : t.dots) {
                if (const Status added = run(c,
                                             "UPDATE workshop_contributions SET dots = dots + ?3 "
                                             "WHERE workshop_id = ?1 AND id = ?2",
                                             id, contribution_id, n);
                    !added) {
                    return added;
                }
            }
            if (const Status counted = run(c, "UPDATE workshops SET dot_turns = dot_turns + 1 WHERE id = ?1", id);
                !counted) {
                return counted;
            }
        } else {
            for (const auto& [contribution_id, stance] : t.stances) {
                const char* sql = stance == Stance::Agree ? "UPDATE workshop_contributions SET agree = agree + 1 "
                                                            "WHERE workshop_id = ?1 AND id = ?2"
                                  : stance == Stance::Disagree
                                      ? "UPDATE workshop_contributions SET disagree = disagree + 1 "
                                        "WHERE workshop_id = ?1 AND id = ?2"
                                      : "UPDATE workshop_contributions SET pass = pass + 1 "
                                        "WHERE workshop_id = ?1 AND id = ?2";
                if (const Status added = run(c, sql, id, contribution_id); !added) return added;
            }
            if (const Status counted = run(c, "UPDATE workshops SET stance_turns = stance_turns + 1 WHERE id = ?1", id);
                !counted) {
                return counted;
            }
        }
        if (const Status cleared = write_turn(c, id, std::nullopt); !cleared) return cleared;
        return touch(c, id, clock_());
    });
}

Status WorkshopStore::cancel_turn(const std::string& id) {
    sqlite3* c = store_.connection();
    return in_transaction(c, "cancel the turn", [&]() -> Status {
        if (const Status open = require_open(c, id); !open) return open;
        if (const Status cleared = write_turn(c, id, std::nullopt); !cleared) return cleared;
        return touch(c, id, clock_());
    });
}

Status WorkshopStore::finish(const std::string& id, const nlohmann::json& data_shown) {
    auto workshop = load(id);
    if (!workshop) return make_error(workshop.error());
    if (workshop.value().finished) return make_error("the workshop is already finished");
    if (workshop.value().turn) return make_error("a participant's turn has not ended");
    const std::string content = record_json(workshop.value(), data_shown).dump();
    sqlite3* c = store_.connection();
    return in_transaction(c, "finish the workshop", [&]() -> Status {
        if (const Status open = require_open(c, id); !open) return open;
        if (const Status stored = run(c, "INSERT INTO workshop_records (id, content) VALUES (?1, ?2)", id, content);
            !stored) {
            return stored;
        }
        if (const Status queued = run(c, "INSERT INTO outbox (item_id, kind, state) VALUES (?1, 'workshop', 'pending')", id);
            !queued) {
            return queued;
        }
        return run(c, "UPDATE workshops SET finished = 1, step = 'summary', updated_unix = ?2 WHERE id = ?1", id,
                   clock_());
    });
}

nlohmann::json record_json(const Workshop& w, const nlohmann::json& data_shown) {
    nlohmann::json steps = nlohmann::json::object();
    for (WorksheetStep step : kWorksheetSteps) {
        nlohmann::json list = nlohmann::json::array();
        for (const Contribution* c : w.visible(step)) {
            nlohmann::json item = {{"id", c->id}, {"text", c->text}, {"dots", c->dots}};
            const StanceResult stance = stance_result(*c);
            item["stances"] = {{"n", stance.n}};
            if (stance.shown) {
                item["stances"]["agree"] = c->agree;
                item["stances"]["disagree"] = c->disagree;
                item["stances"]["pass"] = c->pass;
            }
            list.push_back(std::move(item));
        }
        steps[to_string(step)] = std::move(list);
    }
    long long hidden = 0;
    long long merged = 0;
    for (const Contribution& c : w.contributions) {
        if (c.hidden) ++hidden;
        if (!c.merged_into.empty()) ++merged;
    }
    nlohmann::json log = nlohmann::json::array();
    for (const ModerationEntry& entry : w.log) {
        nlohmann::json line = {{"seq", entry.seq}, {"action", entry.action}, {"contribution", entry.contribution_id}};
        if (!entry.other_id.empty()) line["into"] = entry.other_id;
        log.push_back(std::move(line));
    }
    return {{"venue_id", w.setup.venue_id},
            {"time_bucket", w.day},
            {"workshop",
             {{"title", w.setup.title},
              {"goal", to_string(w.setup.goal)},
              {"theme_id", w.setup.theme_id},
              {"question_kind", to_string(w.setup.question_kind)},
              {"question", w.setup.question},
              {"data_scope", to_string(w.setup.scope)},
              {"data_shown", data_shown},
              {"dots_per_person", w.setup.dots_per_person},
              {"dot_participants", w.dot_turns},
              {"stance_participants", w.stance_turns},
              {"contributions", steps},
              {"hidden", hidden},
              {"merged", merged},
              {"moderation", log}}}};
}

}  // namespace tillit
