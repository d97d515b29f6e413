// A facilitated, data-driven dialogue (BRIEF.md "Data-driven dialogue workshops"): set
// up -> start from data -> gather contributions under the four worksheet steps ->
// prioritise (dot voting, agree/disagree/pass) -> summary. The model and its storage:
// WorkshopStore works on the kiosk Store's connection and commits every change in its own
// transaction before it returns, so a crash or power cut at any moment resumes the
// workshop exactly where it was. Anonymous: no participant is ever named or counted by
// identity; contributions are scrubbed like survey free text; a participant's turn is
// held apart only until it ends, then only totals remain. Every facilitator edit, merge,
// hide and show is kept in a moderation log. No UI here.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/result.h"

namespace tillit {

class Store;

enum class WorkshopGoal { Learn, SharedPicture, Ideas };
enum class QuestionKind { Promoting, Preventive, Own };
enum class DataScope { Venue, AllVenues };
enum class WorkshopStep { Setup, Data, Gather, Vote, Summary };
// The worksheet's steps, in order.
enum class WorksheetStep { Partners, WantedInfo, AvailableInfo, NextSteps };
enum class Stance { Agree, Disagree, Pass };
enum class TurnKind { Dots, Stances };

const char* to_string(WorkshopGoal goal);        // "learn", "shared_picture", "ideas"
const char* to_string(QuestionKind kind);        // "promoting", "preventive", "own"
const char* to_string(DataScope scope);          // "venue", "all"
const char* to_string(WorkshopStep step);        // "setup", "data", "gather", "vote", "summary"
const char* to_string(WorksheetStep step);       // "partners", "wanted_info", "available_info", "next_steps"
const char* to_string(Stance stance);            // "agree", "disagree", "pass"
std::optional<WorkshopGoal> parse_goal(const std::string& text);
std::optional<QuestionKind> parse_question_kind(const std::string& text);
std::optional<WorkshopStep> parse_workshop_step(const std::string& text);
std::optional<WorksheetStep> parse_worksheet_step(const std::string& text);
constexpr WorksheetStep kWorksheetSteps[] = {WorksheetStep::Partners, WorksheetStep::WantedInfo,
                                             WorksheetStep::AvailableInfo, WorksheetStep::NextSteps};

constexpr std::size_t kMaxContributionChars = 200;
constexpr std::size_t kMaxTitleChars = 80;
constexpr std::size_t kMaxQuestionChars = 200;
constexpr int kMaxDotsPerPerson = 10;
// Agree/disagree results are drawn only from this many participants (like any figure).
constexpr long long kMinStanceVoters = 5;

struct WorkshopSetup {
    std::string title;
    std::string venue_id;
    WorkshopGoal goal = WorkshopGoal::Learn;
    std::string theme_id;  // "" with QuestionKind::Own
    QuestionKind question_kind = QuestionKind::Own;
    std::string question;  // the theme's question in the facilitator's language, or their own
    DataScope scope = DataScope::Venue;
    int dots_per_person = 3;
};

struct Contribution {
    std::string id;
    WorksheetStep step = WorksheetStep::Partners;
    std::string text;
    bool hidden = false;
    std::string merged_into;  // "" unless merged into another contribution
    long long dots = 0;       // totals of ended turns
    long long agree = 0;
    long long disagree = 0;
    long long pass = 0;
    bool visible() const { return !hidden && merged_into.empty(); }
};

struct ModerationEntry {
    int seq = 0;
    std::string action;  // "edit", "merge", "hide", "show"
    std::string contribution_id;
    std::string other_id;  // merge: the contribution it went into
    std::string before;
    std::string after;
};

// The anonymous participant whose turn it is: what they chose so far. Held only until
// the turn ends (then added to the totals) or is cancelled.
struct Turn {
    TurnKind kind = TurnKind::Dots;
    std::map<std::string, int> dots;        // contribution id -> dots placed this turn
    std::map<std::string, Stance> stances;  // contribution id -> this participant's stance
    int dots_placed() const;
};

struct Workshop {
    std::string id;
    std::string day;  // YYYY-MM-DD, local
    WorkshopSetup setup;
    WorkshopStep step = WorkshopStep::Setup;
    long long dot_turns = 0;     // participants who finished dot voting
    long long stance_turns = 0;  // participants who finished agree/disagree
    std::optional<Turn> turn;
    long long updated_unix = 0;
    bool finished = false;
    std::vector<Contribution> contributions;  // in the order they were added
    std::vector<ModerationEntry> log;

    const Contribution* find(const std::string& contribution_id) const;
    std::vector<const Contribution*> visible(WorksheetStep step) const;
    std::vector<const Contribution*> visible() const;
    // Visible contributions by dots (most first; ties in the order added).
    std::vector<const Contribution*> by_dots() const;
};

// How the room stands on one statement. `shown` is false below kMinStanceVoters.
struct StanceResult {
    long long n = 0;  // everyone who voted on it, passes included
    bool shown = false;
    enum class Verdict { Agrees, Disagrees, Divided } verdict = Verdict::Divided;
    double agree_share = 0.0;  // of agree + disagree
};
// Agrees: at least two thirds of those who took a side agree; disagrees: at most one third.
StanceResult stance_result(const Contribution& contribution);

class WorkshopStore {
public:
    using Clock = long long (*)();  // wall-clock seconds (the resume window survives restarts)
    explicit WorkshopStore(Store& store, Clock clock = nullptr);

    // The one workshop not yet finished, if any.
    Result<std::optional<Workshop>> open_workshop();
    Result<Workshop> load(const std::string& id);

    // New workshop at the setup step; the title and question are scrubbed. Refused while
    // another workshop is open (one dialogue at a time).
    Result<std::string> create(const WorkshopSetup& setup, const std::string& day);
    Status update_setup(const std::string& id, const WorkshopSetup& setup);
    Status set_step(const std::string& id, WorkshopStep step);
    Status set_dots_per_person(const std::string& id, int dots);

    // Scrubbed of identifiers and cut to kMaxContributionChars; refused when empty.
    Result<std::string> add_contribution(const std::string& id, WorksheetStep step, const std::string& text);
    // Facilitator moderation, each logged with what it was before.
    Status edit_contribution(const std::string& id, const std::string& contribution_id, const std::string& text);
    Status set_hidden(const std::string& id, const std::string& contribution_id, bool hidden);
    // `from` goes into `into`: into's text becomes "into / from", from is no longer shown.
    Status merge(const std::string& id, const std::string& from, const std::string& into);

    // Turns: one anonymous participant at a time.
    Status start_turn(const std::string& id, TurnKind kind);
    // Dots: at most dots_per_person in a turn; several may go on one contribution.
    Status place_dot(const std::string& id, const std::string& contribution_id);
    Status remove_dot(const std::string& id, const std::string& contribution_id);
    Status set_stance(const std::string& id, const std::string& contribution_id, Stance stance);
    // Adds the turn to the totals and counts one more participant.
    Status end_turn(const std::string& id);
    Status cancel_turn(const std::string& id);

    // Writes the record (see record_json) and its outbox row and closes the workshop, in
    // one transaction: from then on it only goes to the server.
    Status finish(const std::string& id, const nlohmann::json& data_shown);

private:
    Store& store_;
    Clock clock_;
};

// The record that is exported and synced: the setup, the data shown (already
// suppressed), the visible contributions by step with their dots and stances, counts of
// participants, and the moderation log without texts (a hidden text stays on the kiosk).
nlohmann::json record_json(const Workshop& workshop, const nlohmann::json& data_shown);

}  // namespace tillit
