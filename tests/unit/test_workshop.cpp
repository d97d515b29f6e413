// Tests for core/workshop: steps, contributions (scrubbed), moderation (edit, hide,
// merge) and its log, dot voting and agree/disagree turns, resume after a reopen at
// every kind of change (each call commits), and the record that joins the outbox.
#include <doctest/doctest.h>

#include <memory>
#include <string>

#include "../server/temp_dir.h"
#include "core/store.h"
#include "core/workshop.h"

using tillit::Stance;
using tillit::Store;
using tillit::TurnKind;
using tillit::Workshop;
using tillit::WorkshopStep;
using tillit::WorkshopStore;
using tillit::WorksheetStep;
using tillit::test::TempDir;

namespace {

long long fixed_clock() { return 1'795'000'000; }

tillit::WorkshopSetup sample_setup() {
    tillit::WorkshopSetup setup;
    setup.title = "Trygghet i Husby";
    setup.venue_id = "husby-library";
    setup.goal = tillit::WorkshopGoal::Ideas;
    setup.theme_id = "meeting_places";
    setup.question_kind = tillit::QuestionKind::Promoting;
    setup.question = "Hur kan vi främja arenor för gemenskap och nätverk?";
    setup.dots_per_person = 3;
    return setup;
}

std::unique_ptr<Store> open_ok(const std::string& path) {
    auto store = Store::open(path);
    REQUIRE_MESSAGE(store.ok(), (store.ok() ? "" : store.error()));
    return std::move(store).value();
}

template <class T>
T ok(tillit::Result<T> result) {
    REQUIRE_MESSAGE(result.ok(), (result.ok() ? "" : result.error()));
    return std::move(result).value();
}

Workshop reload(const std::string& path) {
    auto store = open_ok(path);
    WorkshopStore workshops(*store, fixed_clock);
    auto open = ok(workshops.open_workshop());
    REQUIRE(open.has_value());
    return *open;
}

}  // namespace

TEST_CASE("workshop: set up, walk the steps, and find it again after a reopen") {
    TempDir dir;
    const std::string path = dir.file("kiosk.db");
    std::string id;
    {
        auto store = open_ok(path);
        WorkshopStore workshops(*store, fixed_clock);
        CHECK_FALSE(ok(workshops.open_workshop()).has_value());
        id = ok(workshops.create(sample_setup(), "2026-11-23"));
        // One dialogue at a time.
        CHECK_FALSE(workshops.create(sample_setup(), "2026-11-23").ok());
        ok(workshops.set_step(id, WorkshopStep::Data));
    }
    Workshop w = reload(path);
    CHECK(w.id == id);
    CHECK(w.day == "2026-11-23");
    CHECK(w.step == WorkshopStep::Data);
    CHECK(w.setup.title == "Trygghet i Husby");
    CHECK(w.setup.theme_id == "meeting_places");
    CHECK(w.setup.goal == tillit::WorkshopGoal::Ideas);
    CHECK(w.setup.question_kind == tillit::QuestionKind::Promoting);
    CHECK(w.setup.dots_per_person == 3);
    CHECK(w.updated_unix == fixed_clock());

    auto store = open_ok(path);
    WorkshopStore workshops(*store, fixed_clock);
    tillit::WorkshopSetup changed = sample_setup();
    changed.dots_per_person = 11;
    CHECK_FALSE(workshops.update_setup(id, changed).ok());
    changed.dots_per_person = 5;
    changed.scope = tillit::DataScope::AllVenues;
    ok(workshops.update_setup(id, changed));
    const Workshop again = ok(workshops.load(id));
    CHECK(again.setup.dots_per_person == 5);
    CHECK(again.setup.scope == tillit::DataScope::AllVenues);
}

TEST_CASE("workshop: contributions are scrubbed, trimmed, kept by step and in order") {
    auto store = ok(Store::open_in_memory());
    WorkshopStore workshops(*store, fixed_clock);
    const std::string id = ok(workshops.create(sample_setup(), "2026-11-23"));
    ok(workshops.add_contribution(id, WorksheetStep::Partners, "  Fritidsgården  "));
    ok(workshops.add_contribution(id, WorksheetStep::Partners, "Ring Anna på 070-123 45 67"));
    ok(workshops.add_contribution(id, WorksheetStep::NextSteps, "Boka ett möte med biblioteket"));
    CHECK_FALSE(workshops.add_contribution(id, WorksheetStep::NextSteps, "   ").ok());
    const std::string long_text(300, 'a');
    const std::string cut = ok(workshops.add_contribution(id, WorksheetStep::WantedInfo, long_text));

    const Workshop w = ok(workshops.load(id));
    const auto partners = w.visible(WorksheetStep::Partners);
    REQUIRE(partners.size() == 2);
    CHECK(partners[0]->text == "Fritidsgården");
    CHECK(partners[1]->text.find("070") == std::string::npos);  // the phone number is gone
    CHECK(w.visible(WorksheetStep::NextSteps).size() == 1);
    CHECK(w.find(cut)->text.size() == tillit::kMaxContributionChars);
    CHECK(w.visible().size() == 4);
}

TEST_CASE("workshop: edit, hide, show and merge are each logged with what was there before") {
    auto store = ok(Store::open_in_memory());
    WorkshopStore workshops(*store, fixed_clock);
    const std::string id = ok(workshops.create(sample_setup(), "2026-11-23"));
    const std::string a = ok(workshops.add_contribution(id, WorksheetStep::Partners, "Fritidsgården"));
    const std::string b = ok(workshops.add_contribution(id, WorksheetStep::Partners, "Ungdomsgården"));
    const std::string c = ok(workshops.add_contribution(id, WorksheetStep::Partners, "Något olämpligt"));

    ok(workshops.edit_contribution(id, a, "Fritidsgården i centrum"));
    ok(workshops.set_hidden(id, c, true));
    ok(workshops.set_hidden(id, c, true));  // already hidden: nothing more to log
    ok(workshops.merge(id, b, a));
    CHECK_FALSE(workshops.merge(id, a, a).ok());
    CHECK_FALSE(workshops.merge(id, c, a).ok());  // a hidden one cannot be merged
    CHECK_FALSE(workshops.edit_contribution(id, a, "  ").ok());

    Workshop w = ok(workshops.load(id));
    const auto shown = w.visible();
    REQUIRE(shown.size() == 1);
    CHECK(shown[0]->id == a);
    CHECK(shown[0]->text == "Fritidsgården i centrum / Ungdomsgården");
    CHECK(w.find(b)->merged_into == a);
    CHECK(w.find(c)->hidden);

    REQUIRE(w.log.size() == 3);
    CHECK(w.log[0].seq == 1);
    CHECK(w.log[0].action == "edit");
    CHECK(w.log[0].before == "Fritidsgården");
    CHECK(w.log[0].after == "Fritidsgården i centrum");
    CHECK(w.log[1].action == "hide");
    CHECK(w.log[1].contribution_id == c);
    CHECK(w.log[1].before == "Något olämpligt");
    CHECK(w.log[2].action == "merge");
    CHECK(w.log[2].contribution_id == b);
    CHECK(w.log[2].other_id == a);
    CHECK(w.log[2].after == "Fritidsgården i centrum / Ungdomsgården");

    ok(workshops.set_hidden(id, c, false));
    w = ok(workshops.load(id));
    CHECK(w.log.back().action == "show");
    CHECK(w.visible().size() == 2);
}

TEST_CASE("workshop: dot voting adds each finished turn to the totals, within N dots a turn") {
    auto store = ok(Store::open_in_memory());
    WorkshopStore workshops(*store, fixed_clock);
    const std::string id = ok(workshops.create(sample_setup(), "2026-11-23"));
    const std::string a = ok(workshops.add_contribution(id, WorksheetStep::NextSteps, "Boka ett möte"));
    const std::string b = ok(workshops.add_contribution(id, WorksheetStep::NextSteps, "Visualisera data"));
    const std::string hidden = ok(workshops.add_contribution(id, WorksheetStep::NextSteps, "Dold"));
    ok(workshops.set_hidden(id, hidden, true));

    CHECK_FALSE(workshops.place_dot(id, a).ok());  // nobody's turn yet
    // Participant 1: two dots on a, one on b; a fourth is refused.
    ok(workshops.start_turn(id, TurnKind::Dots));
    CHECK_FALSE(workshops.start_turn(id, TurnKind::Dots).ok());
    ok(workshops.place_dot(id, a));
    ok(workshops.place_dot(id, a));
    ok(workshops.place_dot(id, b));
    CHECK_FALSE(workshops.place_dot(id, b).ok());
    CHECK_FALSE(workshops.set_dots_per_person(id, 4).ok());  // not in the middle of a turn
    CHECK(ok(workshops.load(id)).contributions[0].dots == 0);  // nothing counts before the turn ends
    ok(workshops.end_turn(id));
    // Participant 2 changes their mind once.
    ok(workshops.start_turn(id, TurnKind::Dots));
    CHECK_FALSE(workshops.place_dot(id, hidden).ok());
    ok(workshops.place_dot(id, a));
    ok(workshops.remove_dot(id, a));
    CHECK_FALSE(workshops.remove_dot(id, a).ok());
    ok(workshops.place_dot(id, b));
    ok(workshops.end_turn(id));
    // Participant 3 walks away: the facilitator cancels, nothing is counted.
    ok(workshops.start_turn(id, TurnKind::Dots));
    ok(workshops.place_dot(id, b));
    ok(workshops.cancel_turn(id));

    const Workshop w = ok(workshops.load(id));
    CHECK(w.dot_turns == 2);
    CHECK_FALSE(w.turn.has_value());
    CHECK(w.find(a)->dots == 2);
    CHECK(w.find(b)->dots == 2);
    const auto ranked = w.by_dots();
    REQUIRE(ranked.size() == 2);
    CHECK(ranked[0]->id == a);  // a tie keeps the order added
}

TEST_CASE("workshop: agree / disagree / pass, and no verdict below five participants") {
    auto store = ok(Store::open_in_memory());
    WorkshopStore workshops(*store, fixed_clock);
    const std::string id = ok(workshops.create(sample_setup(), "2026-11-23"));
    const std::string a = ok(workshops.add_contribution(id, WorksheetStep::NextSteps, "Öppet på kvällar"));
    const std::string b = ok(workshops.add_contribution(id, WorksheetStep::NextSteps, "Bara digitala möten"));
    const std::string c = ok(workshops.add_contribution(id, WorksheetStep::NextSteps, "Fler mötesplatser"));
    const Stance votes[6][3] = {{Stance::Agree, Stance::Disagree, Stance::Agree},
                                {Stance::Agree, Stance::Disagree, Stance::Disagree},
                                {Stance::Agree, Stance::Disagree, Stance::Agree},
                                {Stance::Agree, Stance::Agree, Stance::Disagree},
                                {Stance::Pass, Stance::Disagree, Stance::Agree},
                                {Stance::Disagree, Stance::Pass, Stance::Disagree}};
    for (int person = 0; person < 6; ++person) {
        ok(workshops.start_turn(id, TurnKind::Stances));
        ok(workshops.set_stance(id, a, Stance::Disagree));  // changed below: the last tap counts
        ok(workshops.set_stance(id, a, votes[person][0]));
        ok(workshops.set_stance(id, b, votes[person][1]));
        ok(workshops.set_stance(id, c, votes[person][2]));
        ok(workshops.end_turn(id));
        if (person == 3) {
            const auto early = tillit::stance_result(*ok(workshops.load(id)).find(a));
            CHECK(early.n == 4);
            CHECK_FALSE(early.shown);
        }
    }
    const Workshop w = ok(workshops.load(id));
    CHECK(w.stance_turns == 6);
    const auto ra = tillit::stance_result(*w.find(a));
    CHECK(ra.n == 6);
    CHECK(ra.shown);
    CHECK(ra.verdict == tillit::StanceResult::Verdict::Agrees);  // 4 of 5 who took a side
    CHECK(tillit::stance_result(*w.find(b)).verdict == tillit::StanceResult::Verdict::Disagrees);
    CHECK(tillit::stance_result(*w.find(c)).verdict == tillit::StanceResult::Verdict::Divided);
    CHECK(w.find(a)->agree == 4);
    CHECK(w.find(a)->disagree == 1);
    CHECK(w.find(a)->pass == 1);
}

TEST_CASE("workshop: every change is on disk when the call returns; a reopen resumes mid-turn") {
    TempDir dir;
    const std::string path = dir.file("kiosk.db");
    std::string id;
    std::string a;
    std::string b;
    {
        auto store = open_ok(path);
        WorkshopStore workshops(*store, fixed_clock);
        id = ok(workshops.create(sample_setup(), "2026-11-23"));
        a = ok(workshops.add_contribution(id, WorksheetStep::Partners, "Biblioteket"));
        b = ok(workshops.add_contribution(id, WorksheetStep::Partners, "Föreningen"));
        ok(workshops.set_step(id, WorkshopStep::Vote));
        ok(workshops.start_turn(id, TurnKind::Dots));
        ok(workshops.end_turn(id));
        ok(workshops.start_turn(id, TurnKind::Dots));
        ok(workshops.place_dot(id, b));
        ok(workshops.place_dot(id, b));
        // The kiosk dies here: no close, no goodbye.
    }
    Workshop w = reload(path);
    CHECK(w.step == WorkshopStep::Vote);
    CHECK(w.dot_turns == 1);
    REQUIRE(w.turn.has_value());
    CHECK(w.turn->kind == TurnKind::Dots);
    CHECK(w.turn->dots_placed() == 2);
    CHECK(w.turn->dots.at(b) == 2);
    {
        auto store = open_ok(path);
        WorkshopStore workshops(*store, fixed_clock);
        ok(workshops.place_dot(id, a));  // the same participant goes on
        ok(workshops.end_turn(id));
    }
    w = reload(path);
    CHECK(w.dot_turns == 2);
    CHECK(w.find(a)->dots == 1);
    CHECK(w.find(b)->dots == 2);
}

TEST_CASE("workshop: finishing writes the record and queues it for sync in one step; then it is closed") {
    auto store = ok(Store::open_in_memory());
    WorkshopStore workshops(*store, fixed_clock);
    const std::string id = ok(workshops.create(sample_setup(), "2026-11-23"));
    const std::string a = ok(workshops.add_contribution(id, WorksheetStep::Partners, "Biblioteket"));
    const std::string hidden = ok(workshops.add_contribution(id, WorksheetStep::Partners, "Kalle Anka sa något"));
    ok(workshops.set_hidden(id, hidden, true));
    ok(workshops.start_turn(id, TurnKind::Dots));
    CHECK_FALSE(workshops.finish(id, nlohmann::json::object()).ok());  // a turn is open
    ok(workshops.place_dot(id, a));
    ok(workshops.end_turn(id));
    const nlohmann::json data = {{"responses", 42}};
    ok(workshops.finish(id, data));

    CHECK_FALSE(ok(workshops.open_workshop()).has_value());
    CHECK_FALSE(workshops.add_contribution(id, WorksheetStep::Partners, "sent").ok());
    CHECK(store->outbox_counts().value().pending == 1);

    auto batch = ok(store->freeze_batch(10));
    REQUIRE(batch.has_value());
    REQUIRE(batch->item_ids == std::vector<std::string>{id});
    const auto body = nlohmann::json::parse(ok(tillit::wire::gunzip(batch->body)));
    const auto& item = body["items"][0];
    CHECK(item["kind"] == "workshop");
    const auto& record = item["content"];
    CHECK(record["venue_id"] == "husby-library");
    CHECK(record["time_bucket"] == "2026-11-23");
    CHECK(record["workshop"]["data_shown"] == data);
    CHECK(record["workshop"]["dot_participants"] == 1);
    CHECK(record["workshop"]["contributions"]["partners"].size() == 1);
    CHECK(record["workshop"]["contributions"]["partners"][0]["dots"] == 1);
    CHECK(record["workshop"]["hidden"] == 1);
    // The log goes along without texts: a hidden text never leaves the kiosk.
    CHECK(record["workshop"]["moderation"][0]["action"] == "hide");
    CHECK(record.dump().find("Kalle Anka") == std::string::npos);
    // A new workshop may start now.
    CHECK(workshops.create(sample_setup(), "2026-11-24").ok());
}
