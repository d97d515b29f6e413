// Tests for ui/kiosk_app: the resident flow in headless ImGui frames. Real surveys,
// real catalogs, an in-memory store; taps go through io.MousePos/io.MouseDown like the
// kiosk loop's, one frame down and one up. Time is passed explicitly (on_input, tick),
// so idle and thank-you timers are exact and nothing sleeps. Every frame also checks
// that every tappable widget on screen is at least 20 x 20 mm and that none overlap.
// The real window, fonts from the platform layer and X input are tested in tests/gui.
// The fixture (HeadlessImGui, Kiosk) is in kiosk_fixture.h, shared with tests/faults.
#ifdef TILLIT_HAVE_UI

#include <doctest/doctest.h>
#include <imgui.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <ctime>
#include <filesystem>
#include <memory>
#include <set>
#include <string>
#include <utility>
#include <vector>
#include <thread>

#include <nlohmann/json.hpp>

#include "core/config.h"
#include "core/i18n.h"
#include "core/recorder.h"
#include "core/launch.h"
#include "core/session.h"
#include "core/staff.h"
#include "core/staff_desk.h"
#include "core/store.h"
#include "core/survey.h"
#include "platform/text_engine.h"
#include "platform/text_shaper.h"
#include "ui/kiosk_app.h"
#include "ui/widgets.h"
#include "../server/temp_dir.h"
#include "kiosk_fixture.h"

using nlohmann::json;
using tillit::test::Kiosk;
using tillit::test::kFullHd;
using tillit::test::kFullHdWidthMm;
using tillit::test::kMinTargetMm;
using tillit::test::load_survey_file;
using tillit::test::open_store;
using tillit::test::test_config;
using tillit::ui::Screen;

namespace {

std::vector<json> answers_of(const std::vector<tillit::StoredResponse>& rows) {
    std::vector<json> out;
    for (const auto& row : rows) out.push_back(json::parse(row.answers_json));
    return out;
}

}  // namespace

TEST_CASE("kiosk app: start, language and promise lead to question 1 in the chosen language") {
    Kiosk kiosk;
    CHECK(kiosk.app.screen() == Screen::Start);
    CHECK(kiosk.app.session() == nullptr);
    CHECK(kiosk.translations.language() == "sv");
    CHECK(kiosk.label("start") == "Tryck här för att börja");
    CHECK(kiosk.label("language") == "Svenska");

    kiosk.tap("start");
    REQUIRE(kiosk.app.screen() == Screen::Language);
    REQUIRE(kiosk.app.session() != nullptr);
    CHECK(kiosk.label("lang_sv") == "Svenska");
    CHECK(kiosk.label("lang_en") == "English");
    CHECK(kiosk.selected("lang_sv"));
    CHECK_FALSE(kiosk.selected("lang_en"));

    kiosk.tap("lang_en");
    REQUIRE(kiosk.app.screen() == Screen::Promise);
    CHECK(kiosk.translations.language() == "en");
    CHECK(kiosk.app.session()->language() == "en");
    CHECK(kiosk.label("begin").find("I understand") != std::string::npos);
    CHECK(kiosk.label("back").find("Back") != std::string::npos);
    CHECK(kiosk.label("language") == "English");

    kiosk.tap("begin");
    REQUIRE(kiosk.app.screen() == Screen::Question);
    CHECK(kiosk.app.screen_key() == "question_inst_trust_en");
    CHECK(kiosk.question() == "inst_trust");
    CHECK(kiosk.label("scale_1") == "Not at all");
    CHECK(kiosk.label("scale_5") == "Completely");
    CHECK(kiosk.label("dont_know") == "Don't know");
    CHECK(kiosk.label("next").find("Next") != std::string::npos);
    CHECK(kiosk.selected_ids().empty());

    SUBCASE("an answer is still selected after next and back") {
        kiosk.tap("scale_4");
        CHECK(kiosk.selected_ids() == std::vector<std::string>{"scale_4"});
        kiosk.tap("next");
        REQUIRE(kiosk.question() == "expect_help");
        CHECK(kiosk.selected_ids().empty());
        kiosk.tap("back");
        REQUIRE(kiosk.question() == "inst_trust");
        CHECK(kiosk.selected("scale_4"));
        CHECK(kiosk.selected_ids() == std::vector<std::string>{"scale_4"});
        CHECK(kiosk.app.session()->answer("inst_trust")->scale == 4);
    }
    SUBCASE("changing language mid-survey keeps the answers and the question") {
        kiosk.tap("scale_2");
        kiosk.tap("language");
        REQUIRE(kiosk.app.screen() == Screen::Language);
        kiosk.tap("lang_sv");
        REQUIRE(kiosk.app.screen() == Screen::Question);
        CHECK(kiosk.app.screen_key() == "question_inst_trust_sv");
        CHECK(kiosk.label("dont_know") == "Vet inte");
        CHECK(kiosk.selected("scale_2"));
        CHECK(kiosk.app.session()->language() == "sv");
    }
}

TEST_CASE("kiosk app: the whole tillit survey answered by taps is stored once, exactly") {
    Kiosk kiosk;
    kiosk.begin_survey("en");

    kiosk.tap("scale_4");  // inst_trust
    kiosk.tap("next");
    REQUIRE(kiosk.question() == "expect_help");
    kiosk.tap("option_would_help");
    CHECK(kiosk.selected_ids() == std::vector<std::string>{"option_would_help"});
    kiosk.tap("option_harder");  // a single choice replaces the earlier one
    CHECK(kiosk.selected_ids() == std::vector<std::string>{"option_harder"});
    kiosk.tap("next");
    REQUIRE(kiosk.question() == "avoided_contact");
    kiosk.tap("option_no");
    kiosk.tap("next");
    REQUIRE(kiosk.question() == "benevolence");
    kiosk.tap("dont_know");
    CHECK(kiosk.selected_ids() == std::vector<std::string>{"dont_know"});
    kiosk.tap("next");
    REQUIRE(kiosk.question() == "competence");
    kiosk.tap("scale_2");
    kiosk.tap("next");
    REQUIRE(kiosk.question() == "treated_respect");
    CHECK(kiosk.label("option_not_met") == "I have not met anyone");
    kiosk.tap("scale_3");
    kiosk.tap("option_not_met");  // the extra option replaces the face
    CHECK(kiosk.selected_ids() == std::vector<std::string>{"option_not_met"});
    kiosk.tap("next");
    REQUIRE(kiosk.question() == "social_trust");
    kiosk.tap("scale_1");
    kiosk.tap("skip");  // skip drops the answer
    REQUIRE(kiosk.question() == "local_trust");
    kiosk.tap("scale_5");
    kiosk.tap("next");

    // Multi with a maximum of three: the fourth tap is refused and the note pushes the list down.
    REQUIRE(kiosk.question() == "trust_builders");
    const float list_top = kiosk.find("option_seen_heard")->min.y;
    kiosk.tap_all({"option_influence", "option_seen_heard", "option_same_person"});
    CHECK(kiosk.selected_ids() ==
          std::vector<std::string>{"option_seen_heard", "option_same_person", "option_influence"});
    CHECK(kiosk.find("option_seen_heard")->min.y == doctest::Approx(list_top));
    kiosk.tap("option_easy_contact");
    CHECK_FALSE(kiosk.selected("option_easy_contact"));
    CHECK(kiosk.selected_ids() ==
          std::vector<std::string>{"option_seen_heard", "option_same_person", "option_influence"});
    const tillit::ui::Theme& theme = kiosk.imgui.theme;
    const std::string note = tillit::ui::format(
        kiosk.translations.tr("You can choose at most %d. Tap a choice again to remove it."), 3, 0);
    CHECK(note == "You can choose at most 3. Tap a choice again to remove it.");
    const float note_height =
        theme.px(2.0f) + tillit::ui::wrapped_text_height(kiosk.imgui.fonts.small, note,
                                                         kFullHd.x - 2 * theme.px(tillit::ui::Theme::kMarginMm));
    CHECK(kiosk.find("option_seen_heard")->min.y - list_top == doctest::Approx(note_height).epsilon(0.01));
    // The note goes away by itself after a few seconds.
    CHECK(kiosk.app.next_deadline() == doctest::Approx(kiosk.now + 4.0));
    CHECK(kiosk.wait_until(kiosk.now + 4.0));
    CHECK(kiosk.find("option_seen_heard")->min.y == doctest::Approx(list_top));
    kiosk.tap("option_same_person");  // tapping a chosen one again removes it
    CHECK(kiosk.selected_ids() == std::vector<std::string>{"option_seen_heard", "option_influence"});
    kiosk.tap("option_clear_information");
    kiosk.tap("next");

    REQUIRE(kiosk.question() == "knows_support");
    kiosk.tap("option_a_little");
    kiosk.tap("next");
    // "No" is exclusive: it clears the places.
    REQUIRE(kiosk.question() == "met_where");
    kiosk.tap("option_school");
    kiosk.tap("option_library");
    CHECK(kiosk.selected_ids() == std::vector<std::string>{"option_school", "option_library"});
    kiosk.tap("option_no");
    CHECK(kiosk.selected_ids() == std::vector<std::string>{"option_no"});
    kiosk.tap("next");
    REQUIRE(kiosk.question() == "trust_social_services");
    kiosk.tap("scale_1");
    kiosk.tap("next");
    REQUIRE(kiosk.question() == "earlier_contact");
    kiosk.tap("next");  // next without an answer records a skip

    // Free text on the on-screen keyboard.
    REQUIRE(kiosk.app.screen() == Screen::FreeText);
    REQUIRE(kiosk.question() == "more_trust");
    CHECK(kiosk.label("key_68") == "h");
    kiosk.tap("key_shift");
    CHECK(kiosk.label("key_68") == "H");
    kiosk.tap_all({"key_68", "key_65", "key_6a"});
    CHECK(kiosk.label("key_68") == "h");  // shift is for one letter
    kiosk.tap_all({"key_space", "key_64", "key_75", "key_78", "key_backspace", "key_21"});
    CHECK(kiosk.app.session()->current_answer()->text == "Hej du!");
    kiosk.tap("next");

    REQUIRE(kiosk.question() == "age_band");
    CHECK_FALSE(kiosk.has("next"));
    CHECK(kiosk.label("send") == "Send");
    kiosk.tap("option_30_49");
    CHECK(kiosk.responses().empty());  // nothing is stored before Send
    const double sent_at = kiosk.now;
    kiosk.tap("send");

    REQUIRE(kiosk.app.screen() == Screen::Thanks);
    CHECK(kiosk.app.session() == nullptr);
    const auto rows = kiosk.responses();
    REQUIRE(rows.size() == 1);
    const auto& row = rows.front();
    CHECK(row.survey_id == "tillit");
    CHECK(row.survey_version == 1);
    CHECK(row.language == "en");
    CHECK(row.venue_id == "test-venue");
    CHECK(row.time_bucket == "2026-11-23T14");
    const json expected = {
        {"inst_trust", 4},
        {"expect_help", "harder"},
        {"avoided_contact", "no"},
        {"benevolence", "dont_know"},
        {"competence", 2},
        {"treated_respect", "not_met"},
        {"social_trust", nullptr},
        {"local_trust", 5},
        {"trust_builders", {"seen_heard", "influence", "clear_information"}},
        {"knows_support", "a_little"},
        {"met_where", {"no"}},
        {"trust_social_services", 1},
        {"earlier_contact", nullptr},
        {"more_trust", "Hej du!"},
        {"age_band", "30_49"},
    };
    CHECK(row.answers_json == expected.dump());
    CHECK(kiosk.abandonments().empty());

    // The thank-you screen goes back to the start by itself, in the default language.
    CHECK(kiosk.app.next_deadline() == doctest::Approx(sent_at + 8.0));
    CHECK_FALSE(kiosk.wait_until(sent_at + 7.9));
    CHECK(kiosk.app.screen() == Screen::Thanks);
    CHECK(kiosk.wait_until(sent_at + 8.0));
    CHECK(kiosk.app.screen() == Screen::Start);
    CHECK(kiosk.app.session() == nullptr);
    CHECK(kiosk.translations.language() == "sv");
    CHECK(kiosk.label("language") == "Svenska");

    // The next person starts from nothing.
    kiosk.begin_survey("en");
    CHECK(kiosk.selected_ids().empty());
    for (const char* id : {"inst_trust", "trust_builders", "more_trust"}) {
        CHECK(kiosk.app.session()->answer(id) == nullptr);
    }
    CHECK(kiosk.responses().size() == 1);
}

TEST_CASE("kiosk app: Done on the thank-you screen returns to the start at once") {
    Kiosk kiosk({"tillit"});
    kiosk.begin_survey("sv");
    kiosk.tap("scale_5");
    kiosk.tap("next");
    for (int i = 0; i < 13; ++i) kiosk.tap("skip");
    REQUIRE(kiosk.question() == "age_band");
    kiosk.tap("send");
    REQUIRE(kiosk.app.screen() == Screen::Thanks);
    CHECK(kiosk.label("done") == "Klar");
    kiosk.tap("done");
    CHECK(kiosk.app.screen() == Screen::Start);
    const auto answers = answers_of(kiosk.responses());
    REQUIRE(answers.size() == 1);
    CHECK(answers.front()["inst_trust"] == 5);
    CHECK(answers.front()["age_band"].is_null());
    CHECK(answers.front().size() == 15);
}

TEST_CASE("kiosk app: a resident who walks away leaves only the step reached") {
    Kiosk kiosk;
    kiosk.begin_survey("sv");
    kiosk.tap("scale_3");
    kiosk.tap("next");
    kiosk.tap("option_harder");
    kiosk.tap("next");
    kiosk.tap("option_yes");
    kiosk.tap("next");
    REQUIRE(kiosk.question() == "benevolence");
    kiosk.tap("back");  // reached question 4, now on question 3
    REQUIRE(kiosk.question() == "avoided_contact");

    const double last_touch = kiosk.now;
    CHECK(kiosk.app.next_deadline() == doctest::Approx(last_touch + 60.0));
    CHECK_FALSE(kiosk.wait_until(last_touch + 59.9));
    CHECK_FALSE(kiosk.app.idle_warning());
    CHECK(kiosk.wait_until(last_touch + 60.0));
    REQUIRE(kiosk.app.idle_warning());
    CHECK(kiosk.app.screen_key() == "idle_sv");
    CHECK(kiosk.label("continue") == "Jag är kvar");
    CHECK_FALSE(kiosk.has("option_yes"));  // the answers are hidden during the countdown

    SUBCASE("Continue during the countdown keeps every answer") {
        kiosk.wait_until(last_touch + 70.0);
        kiosk.tap("continue");
        CHECK_FALSE(kiosk.app.idle_warning());
        REQUIRE(kiosk.app.screen() == Screen::Question);
        CHECK(kiosk.question() == "avoided_contact");
        CHECK(kiosk.selected_ids() == std::vector<std::string>{"option_yes"});
        CHECK(kiosk.app.session()->answer("inst_trust")->scale == 3);
        // The countdown would have ended at +80; the resident is still there.
        CHECK_FALSE(kiosk.wait_until(last_touch + 80.0));
        CHECK(kiosk.app.screen() == Screen::Question);
        CHECK(kiosk.abandonments().empty());
        // A new idle period starts from the Continue tap.
        CHECK(kiosk.app.next_deadline() == doctest::Approx(last_touch + 130.0));
    }
    SUBCASE("the countdown running out discards the answers") {
        CHECK(kiosk.wait_until(last_touch + 79.0));
        CHECK(kiosk.app.idle_warning());
        CHECK(kiosk.wait_until(last_touch + 80.0));
        CHECK_FALSE(kiosk.app.idle_warning());
        CHECK(kiosk.app.screen() == Screen::Start);
        CHECK(kiosk.app.session() == nullptr);
        CHECK(kiosk.responses().empty());
        const auto left = kiosk.abandonments();
        REQUIRE(left.size() == 1);
        CHECK(left.front().survey_id == "tillit");
        CHECK(left.front().survey_version == 1);
        CHECK(left.front().language == "sv");
        CHECK(left.front().venue_id == "test-venue");
        CHECK(left.front().time_bucket == "2026-11-23T14");
        CHECK(left.front().reached_step == 4);
        CHECK(left.front().total_steps == 15);
        // The next person starts from nothing.
        kiosk.begin_survey("sv");
        CHECK(kiosk.selected_ids().empty());
    }
}

TEST_CASE("kiosk app: leaving before question 1 stores reached step 0") {
    Kiosk kiosk;
    SUBCASE("back on the promise screen") {
        kiosk.tap("start");
        kiosk.tap("lang_en");
        REQUIRE(kiosk.app.screen() == Screen::Promise);
        kiosk.tap("back");
    }
    SUBCASE("back on the first language choice") {
        kiosk.tap("start");
        REQUIRE(kiosk.app.screen() == Screen::Language);
        kiosk.tap("back");
    }
    SUBCASE("idle on the promise screen: no countdown, nothing to protect") {
        kiosk.tap("start");
        kiosk.tap("lang_en");
        REQUIRE(kiosk.app.screen() == Screen::Promise);
        CHECK(kiosk.wait_until(kiosk.now + 60.0));
        CHECK_FALSE(kiosk.app.idle_warning());
    }
    CHECK(kiosk.app.screen() == Screen::Start);
    CHECK(kiosk.app.session() == nullptr);
    CHECK(kiosk.translations.language() == "sv");
    CHECK(kiosk.responses().empty());
    const auto left = kiosk.abandonments();
    REQUIRE(left.size() == 1);
    CHECK(left.front().survey_id == "tillit");
    CHECK(left.front().reached_step == 0);
    CHECK(left.front().total_steps == 15);
}

TEST_CASE("kiosk app: back from the language screen opened on the promise returns to the promise") {
    Kiosk kiosk;
    kiosk.tap("start");
    kiosk.tap("lang_en");
    REQUIRE(kiosk.app.screen() == Screen::Promise);
    kiosk.tap("language");
    REQUIRE(kiosk.app.screen() == Screen::Language);
    kiosk.tap("back");
    CHECK(kiosk.app.screen() == Screen::Promise);
    CHECK(kiosk.app.session() != nullptr);
    CHECK(kiosk.translations.language() == "en");
    CHECK(kiosk.abandonments().empty());
    kiosk.tap("begin");
    CHECK(kiosk.app.screen() == Screen::Question);
}

TEST_CASE("kiosk app: the start screen language is reset after a minute without touch") {
    Kiosk kiosk;
    kiosk.tap("language");
    REQUIRE(kiosk.app.screen() == Screen::Language);
    kiosk.tap("lang_en");
    REQUIRE(kiosk.app.screen() == Screen::Start);
    CHECK(kiosk.label("start") == "Tap here to start");
    CHECK(kiosk.app.session() == nullptr);
    CHECK(kiosk.wait_until(kiosk.now + 60.0));
    CHECK(kiosk.translations.language() == "sv");
    CHECK(kiosk.label("start") == "Tryck här för att börja");
    CHECK(kiosk.abandonments().empty());
    CHECK(kiosk.app.next_deadline() == tillit::ui::KioskApp::kNever);
}

TEST_CASE("kiosk app: one tap on a face is a stored response; the follow-up amends it") {
    Kiosk kiosk;
    REQUIRE(kiosk.has("onetap_1"));
    REQUIRE(kiosk.has("onetap_4"));
    CHECK_FALSE(kiosk.has("onetap_5"));
    CHECK(kiosk.label("onetap_1") == "Mycket dåligt");
    CHECK(kiosk.label("onetap_4") == "Mycket bra");

    kiosk.tap("onetap_3");
    auto rows = kiosk.responses();
    REQUIRE(rows.size() == 1);
    CHECK(rows.front().survey_id == "besok");
    CHECK(rows.front().language == "sv");
    CHECK(rows.front().venue_id == "test-venue");
    CHECK(rows.front().answers_json == R"({"visit_today":3})");

    // The optional follow-up: one tap is enough here too.
    REQUIRE(kiosk.app.screen() == Screen::Question);
    CHECK(kiosk.app.screen_key() == "question_visit_why_sv");
    CHECK(kiosk.has("done"));
    CHECK_FALSE(kiosk.has("back"));
    CHECK_FALSE(kiosk.has("next"));
    kiosk.tap("option_listened_to");
    CHECK(kiosk.app.screen() == Screen::Thanks);
    CHECK(kiosk.app.session() == nullptr);
    rows = kiosk.responses();
    REQUIRE(rows.size() == 1);
    CHECK(rows.front().answers_json == R"({"visit_today":3,"visit_why":"listened_to"})");
    CHECK(kiosk.wait_until(kiosk.now + 8.0));
    REQUIRE(kiosk.app.screen() == Screen::Start);

    // A second resident ignores the follow-up: it goes away and is stored as skipped.
    kiosk.tap("onetap_1");
    REQUIRE(kiosk.app.screen() == Screen::Question);
    const double shown_at = kiosk.now;
    CHECK(kiosk.app.next_deadline() == doctest::Approx(shown_at + 10.0));
    CHECK_FALSE(kiosk.wait_until(shown_at + 9.9));
    CHECK(kiosk.app.screen() == Screen::Question);
    CHECK(kiosk.wait_until(shown_at + 10.0));
    CHECK(kiosk.app.screen() == Screen::Start);
    CHECK(kiosk.app.session() == nullptr);
    const auto answers = answers_of(kiosk.responses());
    REQUIRE(answers.size() == 2);
    const json first = {{"visit_today", 3}, {"visit_why", "listened_to"}};
    const json second = {{"visit_today", 1}, {"visit_why", nullptr}};
    CHECK(((answers[0] == first && answers[1] == second) || (answers[0] == second && answers[1] == first)));
    CHECK(kiosk.abandonments().empty());
}

TEST_CASE("kiosk app: a one-tap survey alone on the start screen, follow-up closed with Done") {
    Kiosk kiosk({"besok"});
    CHECK_FALSE(kiosk.has("start"));
    kiosk.tap("language");
    kiosk.tap("lang_en");
    REQUIRE(kiosk.app.screen() == Screen::Start);
    CHECK(kiosk.label("onetap_4") == "Very well");
    kiosk.tap("onetap_4");
    REQUIRE(kiosk.app.screen() == Screen::Question);
    CHECK(kiosk.label("option_got_help") == "I got help");
    kiosk.tap("done");
    CHECK(kiosk.app.screen() == Screen::Start);
    const auto rows = kiosk.responses();
    REQUIRE(rows.size() == 1);
    CHECK(rows.front().language == "en");
    CHECK(rows.front().answers_json == R"({"visit_today":4,"visit_why":null})");
}

TEST_CASE("kiosk app: a sequential survey alone on the start screen starts with a tap anywhere") {
    Kiosk kiosk({"tillit"});
    CHECK_FALSE(kiosk.has("onetap_1"));
    kiosk.press_and_release({ImVec2(100.0f, 900.0f)});
    CHECK(kiosk.app.screen() == Screen::Language);
    CHECK(kiosk.app.session() != nullptr);
}

TEST_CASE("kiosk app: a failed save shows the save-failed screen; retry stores exactly once") {
    Kiosk kiosk;
    kiosk.begin_survey("en");
    kiosk.tap("scale_5");
    kiosk.tap("next");
    kiosk.tap("option_would_help");
    while (kiosk.has("next")) kiosk.tap("next");
    REQUIRE(kiosk.question() == "age_band");

    // Cap the database at its current size, then fill its free space with small rows,
    // so the resident's larger row cannot fit anywhere.
    tillit::NewResponse filler;
    filler.survey_id = "filler";
    filler.survey_version = 1;
    filler.language = "sv";
    filler.venue_id = "x";
    filler.time_bucket = "2026-11-23";
    filler.answers_json = "{}";
    REQUIRE(kiosk.store->limit_size_for_tests(1).ok());
    std::size_t fillers = 0;
    while (kiosk.store->save_response(filler).ok()) {
        ++fillers;
        REQUIRE(fillers < 10000);
    }
    REQUIRE(kiosk.responses().size() == fillers);

    kiosk.tap("send");
    REQUIRE(kiosk.app.screen() == Screen::SaveFailed);
    CHECK(kiosk.responses().size() == fillers);
    CHECK(kiosk.abandonments().empty());
    CHECK(kiosk.label("retry") == "Try again");
    CHECK(kiosk.label("leave") == "To the start");
    CHECK(kiosk.app.session() != nullptr);  // the answers wait in memory for the retry

    SUBCASE("retry after the disk has room again") {
        REQUIRE(kiosk.store->limit_size_for_tests(0).ok());
        kiosk.tap("retry");
        REQUIRE(kiosk.app.screen() == Screen::Thanks);
        const auto rows = kiosk.responses();
        REQUIRE(rows.size() == fillers + 1);
        std::size_t ours = 0;
        for (const auto& row : rows) {
            if (row.survey_id != "tillit") continue;
            ++ours;
            const json answers = json::parse(row.answers_json);
            CHECK(answers["inst_trust"] == 5);
            CHECK(answers["expect_help"] == "would_help");
            CHECK(answers.size() == 15);
            CHECK(row.language == "en");
        }
        CHECK(ours == 1);
    }
    SUBCASE("retry while the disk is still full stays on the screen") {
        kiosk.tap("retry");
        CHECK(kiosk.app.screen() == Screen::SaveFailed);
        CHECK(kiosk.responses().size() == fillers);
        kiosk.tap("leave");
        CHECK(kiosk.app.screen() == Screen::Start);
        CHECK(kiosk.app.session() == nullptr);
        CHECK(kiosk.responses().size() == fillers);
    }
}

TEST_CASE("kiosk app: a failed one-tap save can be retried") {
    Kiosk kiosk;
    tillit::NewResponse filler;
    filler.survey_id = "f";
    filler.survey_version = 1;
    filler.language = "sv";
    filler.venue_id = "x";
    filler.time_bucket = "2026-11-23";
    filler.answers_json = "1";
    REQUIRE(kiosk.store->limit_size_for_tests(1).ok());
    std::size_t fillers = 0;
    while (kiosk.store->save_response(filler).ok()) ++fillers;

    kiosk.tap("onetap_2");
    REQUIRE(kiosk.app.screen() == Screen::SaveFailed);
    CHECK(kiosk.responses().size() == fillers);
    REQUIRE(kiosk.store->limit_size_for_tests(0).ok());
    kiosk.tap("retry");
    REQUIRE(kiosk.app.screen() == Screen::Question);  // the follow-up, as after a first-time save
    CHECK(kiosk.responses().size() == fillers + 1);
    kiosk.tap("option_got_help");
    CHECK(kiosk.app.screen() == Screen::Thanks);
    std::size_t ours = 0;
    for (const auto& row : kiosk.responses()) {
        if (row.survey_id != "besok") continue;
        ++ours;
        CHECK(row.answers_json == R"({"visit_today":2,"visit_why":"got_help"})");
    }
    CHECK(ours == 1);
}

TEST_CASE("kiosk app: every screen's touch targets are at least 20 mm") {
    Kiosk kiosk;
    kiosk.tap("language");  // language screen from the start
    kiosk.tap("lang_sv");
    kiosk.tap("onetap_4");  // one-tap follow-up
    kiosk.tap("done");
    kiosk.begin_survey("en");
    // Every question type, in both languages (Swedish labels are longer).
    while (kiosk.has("next") || kiosk.has("send")) {
        if (kiosk.question() == "trust_builders") {
            kiosk.tap_all({"option_seen_heard", "option_same_person", "option_influence", "option_easy_contact"});
            kiosk.tap("language");
            kiosk.tap("lang_sv");
        }
        if (kiosk.has("send")) break;
        kiosk.tap("next");
    }
    REQUIRE(kiosk.question() == "age_band");
    kiosk.wait_until(kiosk.now + 60.0);  // the idle countdown
    REQUIRE(kiosk.app.idle_warning());
    kiosk.tap("continue");
    REQUIRE(kiosk.store->limit_size_for_tests(1).ok());
    tillit::NewResponse filler;
    filler.survey_id = "f";
    filler.survey_version = 1;
    filler.language = "sv";
    filler.venue_id = "x";
    filler.time_bucket = "2026-11-23";
    filler.answers_json = "1";
    while (kiosk.store->save_response(filler).ok()) {
    }
    kiosk.tap("send");
    REQUIRE(kiosk.app.screen() == Screen::SaveFailed);
    REQUIRE(kiosk.store->limit_size_for_tests(0).ok());
    kiosk.tap("retry");
    REQUIRE(kiosk.app.screen() == Screen::Thanks);

    const std::set<std::string> all = {"start",     "language", "promise", "question",
                                       "freetext",  "thanks",   "idle",    "save_failed"};
    CHECK(kiosk.screens_seen == all);
    CHECK(kiosk.targets_checked > 500);
}

TEST_CASE("kiosk app: on a small screen long answer lists scroll; cut tiles are reported as clipped") {
    // A 13.6-inch 1280x800 panel (300 x 188 mm): lists with eight tiles no longer fit.
    Kiosk kiosk({"tillit"}, ImVec2(1280.0f, 800.0f), 300.0f);
    kiosk.begin_survey("sv");
    while (kiosk.question() != "met_where") kiosk.tap("skip");
    REQUIRE(kiosk.app.screen() == Screen::Question);

    const auto* school = kiosk.find("option_school");
    REQUIRE(school != nullptr);
    CHECK_FALSE(school->clipped);
    const float school_top = school->min.y;
    const float school_bottom = school->max.y;
    const float x = (school->min.x + school->max.x) * 0.5f;
    CHECK_FALSE(kiosk.has("option_no"));  // below the visible part of the list

    // A tap in the list right after a tap elsewhere (here: skip, in the footer) selects
    // the tile under the finger and does not scroll the list.
    kiosk.tap("option_school");
    CHECK(kiosk.selected("option_school"));
    CHECK(kiosk.find("option_school")->min.y == doctest::Approx(school_top));

    // A finger dragged up 40 px scrolls the list 40 px and selects nothing; the first
    // row is now cut by the top of the list and says so.
    std::vector<ImVec2> path;
    for (int step = 0; step <= 8; ++step) path.emplace_back(x, school_bottom - 5.0f - 5.0f * static_cast<float>(step));
    kiosk.press_and_release(path);
    const auto* cut = kiosk.find("option_school");
    REQUIRE(cut != nullptr);
    CHECK(cut->clipped);
    CHECK(cut->selected);
    CHECK(cut->max.y == doctest::Approx(school_bottom - 40.0f));
    CHECK(cut->min.y > school_top - 40.0f);  // only the visible part is reported
    CHECK(cut->max.y - cut->min.y < kiosk.imgui.theme.px(kMinTargetMm));
    CHECK(kiosk.app.session()->answer("met_where")->choices == std::vector<std::string>{"school"});

    // Dragging further reveals the last option, which is then tappable.
    float lowest = 0.0f;
    for (const auto& widget : kiosk.log.widgets) {
        if (widget.id.rfind("option_", 0) == 0) lowest = std::max(lowest, widget.max.y);
    }
    path.clear();
    for (int step = 0; step <= 10; ++step) path.emplace_back(x, lowest - 5.0f - 20.0f * static_cast<float>(step));
    kiosk.press_and_release(path);
    REQUIRE(kiosk.has("option_no"));
    kiosk.tap("option_no");
    CHECK(kiosk.selected("option_no"));
    CHECK(kiosk.app.session()->answer("met_where")->choices == std::vector<std::string>{"no"});
}

TEST_CASE("kiosk app: the next question starts with its answers scrolled to the top") {
    Kiosk kiosk({"tillit"}, ImVec2(1280.0f, 800.0f), 300.0f);
    kiosk.begin_survey("sv");
    while (kiosk.question() != "trust_builders") kiosk.tap("skip");
    const auto* first = kiosk.find("option_seen_heard");
    REQUIRE(first != nullptr);
    const float x = (first->min.x + first->max.x) * 0.5f;
    std::vector<ImVec2> path;
    for (int step = 0; step <= 10; ++step) {
        path.emplace_back(x, first->max.y + 150.0f - 20.0f * static_cast<float>(step));
    }
    kiosk.press_and_release(path);
    REQUIRE_FALSE(kiosk.has("option_seen_heard"));  // scrolled out of sight

    kiosk.tap("next");
    REQUIRE(kiosk.question() == "knows_support");
    const auto* very_well = kiosk.find("option_very_well");
    REQUIRE(very_well != nullptr);
    CHECK_FALSE(very_well->clipped);
    kiosk.tap("back");
    REQUIRE(kiosk.question() == "trust_builders");
    REQUIRE(kiosk.has("option_seen_heard"));
    CHECK_FALSE(kiosk.find("option_seen_heard")->clipped);
}

TEST_CASE("kiosk app: a long option label makes a taller tile that does not cover the next one") {
    auto text = [](const std::string& value) { return tillit::LocalText{{"sv", value}, {"en", value}}; };
    const std::string long_label =
        "Ett mycket långt svarsalternativ som en kommun kan skriva när den vill vara noggrann, "
        "med flera bisatser, exempel och förklaringar, så att texten behöver många rader i rutan";
    tillit::Survey survey;
    survey.id = "lang";
    survey.version = 1;
    survey.title = text("Lång");
    survey.summary = text("En fråga");
    for (const auto type : {tillit::QuestionType::Single, tillit::QuestionType::Multi}) {
        tillit::Question question;
        question.id = type == tillit::QuestionType::Single ? "single" : "multi";
        question.type = type;
        question.label = text("Fråga");
        const std::size_t count = type == tillit::QuestionType::Single ? 3 : 6;
        for (std::size_t i = 0; i < count; ++i) {
            tillit::Option option;
            option.id = "o" + std::to_string(i);
            option.label = text(i == 0 ? long_label : "Kort");
            question.options.push_back(option);
        }
        question.max_choices = static_cast<int>(count);
        survey.questions.push_back(question);
    }
    std::vector<tillit::Survey> surveys;
    surveys.push_back(survey);
    Kiosk kiosk(std::move(surveys), kFullHd, kFullHdWidthMm);
    kiosk.begin_survey("sv");

    for (const char* id : {"single", "multi"}) {
        REQUIRE(kiosk.question() == id);
        const auto* tall = kiosk.find("option_o0");
        REQUIRE(tall != nullptr);
        CHECK(tall->max.y - tall->min.y > kiosk.imgui.theme.px(30.0f));
        // Every tile gets its own tap (the overlap check runs on every frame).
        kiosk.tap("option_o2");
        CHECK(kiosk.selected("option_o2"));
        CHECK(kiosk.app.session()->current_answer()->choices == std::vector<std::string>{"o2"});
        kiosk.tap(kiosk.has("next") ? "next" : "send");
    }
}

#endif  // TILLIT_HAVE_UI

TEST_CASE("kiosk app: holding the corner opens the PIN pad, the admin PIN the status, and staff mode locks itself") {
    tillit::KioskSetup setup;
    setup.config = test_config({"tillit"});
    setup.config.staff.admin_pin_hash = tillit::hash_pin("4711").value();
    setup.store = open_store();
    tillit::StaffDesk desk(setup, nullptr);
    Kiosk kiosk({load_survey_file("tillit")}, kFullHd, kFullHdWidthMm, &desk);
    REQUIRE(kiosk.has("staff_corner"));
    const tillit::ui::WidgetRecord corner = *kiosk.find("staff_corner");
    CHECK((corner.max.x - corner.min.x) / kiosk.imgui.theme.px_per_mm == doctest::Approx(25.0));
    const ImVec2 inside(corner.max.x * 0.4f, corner.max.y * 0.4f);

    // A press shorter than hold_seconds is an ordinary tap (here: it starts the survey).
    kiosk.press_and_release({inside});
    CHECK(kiosk.app.screen() == Screen::Language);
    kiosk.tap("back");
    REQUIRE(kiosk.app.screen() == Screen::Start);

    // Held: nothing until 3 s have passed, then the PIN pad.
    ImGuiIO& io = ImGui::GetIO();
    io.MousePos = inside;
    io.MouseDown[0] = true;
    kiosk.app.on_input(kiosk.now);
    kiosk.frame();
    CHECK(kiosk.app.next_deadline() <= kiosk.now + 3.0);
    kiosk.wait_until(kiosk.now + 2.9);
    CHECK(kiosk.app.screen() == Screen::Start);
    kiosk.wait_until(kiosk.now + 0.2);
    CHECK(kiosk.app.screen() == Screen::Pin);
    io.MouseDown[0] = false;
    kiosk.frame();
    CHECK(kiosk.app.screen() == Screen::Pin);  // letting go on the pad taps nothing

    // OK only once four digits are typed; the right PIN opens the admin's status board.
    CHECK_FALSE(kiosk.find("pin_ok")->enabled);
    kiosk.tap_all({"pin_4", "pin_7", "pin_1", "pin_1"});
    CHECK(kiosk.app.pin_length() == 4);
    CHECK(kiosk.find("pin_ok")->enabled);
    kiosk.tap("pin_ok");
    desk.pins().wait();
    kiosk.frame();
    kiosk.frame();
    REQUIRE(kiosk.app.screen() == Screen::Staff);
    CHECK(kiosk.app.staff_role() == tillit::Role::Admin);
    CHECK(kiosk.has("export"));
    CHECK(kiosk.has("settings"));
    CHECK(kiosk.has("quit"));
    CHECK_FALSE(kiosk.find("sync_now")->enabled);  // no sync worker in this kiosk

    // Untouched for lock_after_seconds (120): back to the residents' start screen.
    const double touched = kiosk.now;
    kiosk.wait_until(touched + 119.0);
    CHECK(kiosk.app.screen() == Screen::Staff);
    kiosk.wait_until(touched + 120.5);
    CHECK(kiosk.app.screen() == Screen::Start);
    CHECK_FALSE(kiosk.app.staff_role().has_value());
    CHECK(kiosk.app.session() == nullptr);
}

namespace {

// Speech as the app sees it: what was said in which language, chimes, stops, volume.
class RecordingVoice : public tillit::ui::ReadAloud {
public:
    static constexpr int kDefaultVolume = 80;
    bool has_voice(const std::string& language) const override { return language != "so" && language != "ti"; }
    void speak(const std::string& text, const std::string& language) override {
        said.emplace_back(language, text);
        playing = true;
    }
    void stop() override {
        playing = false;
        ++stops;
    }
    bool speaking() const override { return playing; }
    void chime() override { ++chimes; }
    int volume() const override { return level; }
    void set_volume(int percent) override { level = percent; }
    void reset_volume() override { level = kDefaultVolume; }

    std::vector<std::pair<std::string, std::string>> said;
    bool playing = false;
    int stops = 0;
    int chimes = 0;
    int level = kDefaultVolume;
};

}  // namespace

TEST_CASE("kiosk app: read aloud reads every new screen in its language until tapped again; no voice, no button") {
    RecordingVoice voice;
    Kiosk k({load_survey_file("tillit")}, kFullHd, kFullHdWidthMm, nullptr, &voice);
    k.config.languages = {"sv", "en", "so"};
    k.frame();
    k.begin_survey("en");
    REQUIRE(k.has("read_aloud"));
    CHECK(voice.said.empty());  // nothing is read until asked
    k.tap("read_aloud");
    REQUIRE(voice.said.size() == 1);
    CHECK(voice.said[0].first == "en");
    CHECK(voice.said[0].second.find("How much do you trust the municipality?") != std::string::npos);
    CHECK(voice.said[0].second.find("Not at all") != std::string::npos);  // the scale's ends are read too
    CHECK(k.label("read_aloud") == "Stop reading");
    k.tap("scale_4");
    CHECK(voice.said.size() == 1);  // a tap on the same screen reads nothing again
    k.tap("next");
    REQUIRE(voice.said.size() == 2);
    CHECK(voice.said[1].second.find("If you needed help from the social services") != std::string::npos);
    CHECK(voice.said[1].second.find("They would help me") != std::string::npos);

    // Another language: the language screen is read, then the question again, in Swedish.
    k.tap("language");
    CHECK(voice.said.back().second.find("Choose language") != std::string::npos);
    k.tap("lang_sv");
    CHECK(voice.said.back().first == "sv");
    CHECK(voice.said.back().second.find("Om du behövde hjälp av socialtjänsten") != std::string::npos);

    // Somali has no voice: no speaker button, and nothing is read, not even the language screen.
    const std::size_t before_somali = voice.said.size() + 1;  // + the language screen, still in Swedish
    k.tap("language");
    k.tap("lang_so");
    CHECK_FALSE(k.has("read_aloud"));
    CHECK_FALSE(voice.playing);
    k.tap("language");
    CHECK(voice.said.size() == before_somali);
    k.tap("lang_en");
    REQUIRE(voice.said.size() == before_somali + 1);  // back in a language with a voice, reading goes on
    CHECK(voice.said.back().first == "en");

    // A second tap stops it and ends reading aloud.
    k.tap("read_aloud");
    CHECK_FALSE(voice.playing);
    CHECK_FALSE(k.app.access().read_aloud);
    const std::size_t stopped_at = voice.said.size();
    k.tap("next");
    CHECK(voice.said.size() == stopped_at);
}

TEST_CASE("kiosk app: large text and high contrast change the screen; the next resident starts without them") {
    RecordingVoice voice;
    Kiosk k({load_survey_file("tillit")}, kFullHd, kFullHdWidthMm, nullptr, &voice);
    k.begin_survey("sv");
    k.tap("next");
    REQUIRE(k.question() == "expect_help");
    k.imgui.uploaded_sizes.clear();
    k.tap("large_text");
    CHECK(k.app.access().large_text);
    CHECK(k.selected("large_text"));
    CHECK(k.app.screen_key().find("_large") != std::string::npos);
    // The screen's texts were laid out again, none smaller than the large mode's smallest size.
    REQUIRE_FALSE(k.imgui.uploaded_sizes.empty());
    const float smallest_large = k.imgui.theme.px(tillit::ui::Theme::kLargeSmallMm);
    for (float size : k.imgui.uploaded_sizes) CHECK(size >= smallest_large * 0.99f);
    k.tap("high_contrast");
    CHECK(k.app.access().high_contrast);
    k.tap("read_aloud");
    k.tap("volume");
    CHECK(voice.level == 100);
    k.tap("volume");
    CHECK(voice.level == 40);

    // Walk away: after the countdown the next person gets the defaults.
    const double start = k.now;
    k.wait_until(start + 2 * k.config.idle_timeout_seconds + 1);
    REQUIRE(k.app.idle_warning());
    k.wait_until(start + 2 * k.config.idle_timeout_seconds + 1 + k.config.idle_countdown_seconds + 1);
    REQUIRE(k.app.screen() == Screen::Start);
    CHECK_FALSE(k.app.access().any());
    CHECK(voice.level == RecordingVoice::kDefaultVolume);
    CHECK_FALSE(voice.playing);
    CHECK(k.app.screen_key().find("_large") == std::string::npos);
}

TEST_CASE("kiosk app: the idle warning chimes, then speaks when reading aloud; access modes double the timeout") {
    RecordingVoice voice;
    Kiosk k({load_survey_file("tillit")}, kFullHd, kFullHdWidthMm, nullptr, &voice);
    const double timeout = k.config.idle_timeout_seconds;

    SUBCASE("no access mode: warning after the configured timeout, a chime, no speech") {
        k.begin_survey("sv");
        const double start = k.now;
        k.wait_until(start + timeout + 0.5);
        CHECK(k.app.idle_warning());
        CHECK(voice.chimes == 1);
        k.wait_until(start + timeout + 3.0);
        CHECK(voice.said.empty());
    }
    SUBCASE("reading aloud: twice the timeout, a chime, then the warning is spoken") {
        k.begin_survey("en");
        k.tap("read_aloud");
        REQUIRE(voice.said.size() == 1);
        const double start = k.now;
        k.wait_until(start + timeout + 0.5);
        CHECK_FALSE(k.app.idle_warning());  // doubled in an access mode
        CHECK(k.app.idle_timeout() == doctest::Approx(2 * timeout));
        k.wait_until(start + 2 * timeout + 0.5);
        REQUIRE(k.app.idle_warning());
        CHECK(voice.chimes == 1);
        CHECK(voice.said.size() == 1);  // the chime plays first
        k.wait_until(start + 2 * timeout + 2.0);
        REQUIRE(voice.said.size() == 2);
        CHECK(voice.said[1].second.find("Are you still there?") != std::string::npos);
        // The warning lasts at least 20 s.
        k.wait_until(start + 2 * timeout + 0.5 + 19.0);
        CHECK(k.app.idle_warning());
        k.tap("continue");
        CHECK_FALSE(k.app.idle_warning());
        CHECK(k.app.screen() == Screen::Question);
    }
}

namespace {

// Holds the start screen's corner for hold_seconds and types `pin` on the pad.
void sign_in(Kiosk& kiosk, tillit::StaffDesk& desk, const std::string& pin) {
    const tillit::ui::WidgetRecord corner = *kiosk.find("staff_corner");
    ImGuiIO& io = ImGui::GetIO();
    io.MousePos = ImVec2(corner.max.x * 0.4f, corner.max.y * 0.4f);
    io.MouseDown[0] = true;
    kiosk.app.on_input(kiosk.now);
    kiosk.frame();
    kiosk.wait_until(kiosk.now + 3.1);
    io.MouseDown[0] = false;
    kiosk.frame();
    REQUIRE(kiosk.app.screen() == Screen::Pin);
    for (char digit : pin) kiosk.tap(std::string("pin_") + digit);
    kiosk.tap("pin_ok");
    desk.pins().wait();
    kiosk.frame();
    kiosk.frame();
}

// Frames until the desk's thread has counted the answers (a few ms here).
void wait_for_count(Kiosk& kiosk) {
    for (int i = 0; i < 500 && kiosk.app.screen_key().find("_counting") != std::string::npos; ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
        kiosk.frame();
    }
    REQUIRE(kiosk.app.screen_key().find("_counting") == std::string::npos);
}

}  // namespace

TEST_CASE("kiosk app: a facilitator runs a workshop through all five screens; a new app resumes it") {
    tillit::test::TempDir dir;
    tillit::KioskSetup setup;
    setup.config = test_config({"tillit"});
    setup.config.data_dir = dir.path.string();
    setup.config.surveys_dir = std::string(TILLIT_SOURCE_DIR) + "/kiosk-config/surveys";
    setup.config.staff.facilitator_pin_hash = tillit::hash_pin("1357").value();
    setup.surveys.push_back(load_survey_file("tillit"));
    auto opened = tillit::Store::open(tillit::database_path(setup.config));
    REQUIRE(opened.ok());
    setup.store = std::move(opened).value();
    std::vector<tillit::NewResponse> rows;
    for (int i = 0; i < 30; ++i) {
        const json answers = {{"inst_trust", 1 + i % 5}, {"expect_help", i % 3 == 0 ? "harder" : "would_help"}};
        rows.push_back({"tillit", 1, "sv", "test-venue", "2026-11-23T14", answers.dump(), false});
    }
    REQUIRE(setup.store->save_responses(rows).ok());
    tillit::StaffDesk desk(setup, nullptr);
    CHECK(desk.themes_error().empty());
    CHECK(desk.workshop_themes().size() == 15);
    {
        Kiosk kiosk({load_survey_file("tillit")}, kFullHd, kFullHdWidthMm, &desk);
        sign_in(kiosk, desk, "1357");
        REQUIRE(kiosk.app.staff_role() == tillit::Role::Facilitator);
        CHECK(kiosk.find("workshop")->label == "Ny workshop");

        // 1. Set up: every choice is saved as it is made.
        kiosk.tap("workshop");
        REQUIRE(kiosk.app.screen() == Screen::WorkshopSetup);
        kiosk.tap_all({"goal_shared_picture", "theme_digital_access", "question_preventive", "dots_more", "scope_all"});
        auto open = desk.workshops().open_workshop();
        REQUIRE((open.ok() && open.value().has_value()));
        const tillit::Workshop& w = *open.value();
        CHECK(w.setup.goal == tillit::WorkshopGoal::SharedPicture);
        CHECK(w.setup.theme_id == "digital_access");
        CHECK(w.setup.question_kind == tillit::QuestionKind::Preventive);
        CHECK(w.setup.question == "Hur kan vi förebygga digitalt utanförskap?");
        CHECK(w.setup.dots_per_person == 4);
        CHECK(w.setup.scope == tillit::DataScope::AllVenues);
        kiosk.tap("title_field");
        kiosk.tap_all({"key_61", "key_62"});
        CHECK(kiosk.app.workshop_typed_length() == 2);
        kiosk.tap("keyboard_done");
        CHECK(desk.workshops().open_workshop().value()->setup.title == "ab");

        // 2. Data: counted on the desk's thread, every page drawn.
        kiosk.tap("setup_next");
        REQUIRE(kiosk.app.screen() == Screen::WorkshopData);
        wait_for_count(kiosk);
        kiosk.tap_all({"data_questions", "data_builders", "data_nonresponse", "data_trust"});
        CHECK(kiosk.app.screen_key().rfind("workshop_data_trust", 0) == 0);

        // 3. Gather: a contribution typed on the keyboard, then hidden by the facilitator.
        kiosk.tap("data_next");
        REQUIRE(kiosk.app.screen() == Screen::WorkshopGather);
        kiosk.tap("add_next_steps");
        kiosk.tap_all({"key_shift", "key_6d", "key_f6", "key_74", "key_65"});
        kiosk.tap("compose_save");
        kiosk.tap("add_partners");
        kiosk.tap_all({"key_6b", "key_79", "key_72", "key_6b", "key_61", "key_6e"});
        kiosk.tap("compose_save");
        CHECK(kiosk.find("card_next_steps_0")->label == "Möte");
        kiosk.tap("card_partners_0");
        kiosk.tap("mod_hide");
        CHECK(kiosk.find("card_partners_0")->label == "(dold) kyrkan");

        // 4. Prioritise: one participant's dots.
        kiosk.tap("wstep_vote");
        REQUIRE(kiosk.app.screen() == Screen::WorkshopVote);
        kiosk.tap("my_turn");
        kiosk.tap_all({"dot_0", "dot_0"});
        CHECK(kiosk.app.staff_note() == "dots 2 of 4");
        CHECK_FALSE(kiosk.find("workshop_leave")->enabled);  // nobody leaves mid-turn
        kiosk.tap("turn_done");
        CHECK(desk.workshops().open_workshop().value()->contributions[0].dots == 2);

        // Untouched for longer than a staff screen's lock: a workshop stays open.
        kiosk.wait_until(kiosk.now + 600.0);
        CHECK(kiosk.app.screen() == Screen::WorkshopVote);

        // 5. Summary, then finish: the record waits in the outbox.
        kiosk.tap("wstep_summary");
        REQUIRE(kiosk.app.screen() == Screen::WorkshopSummary);
        kiosk.tap("finish");
        kiosk.tap("finish_confirm");
        CHECK(kiosk.app.screen() == Screen::Staff);
        CHECK_FALSE(desk.workshops().open_workshop().value().has_value());
        CHECK(setup.store->outbox_counts().value().pending == 31);
        CHECK(kiosk.find("workshop")->label == "Ny workshop");

        // A second workshop is left open at the gather step...
        kiosk.tap("workshop");
        kiosk.tap("wstep_gather");
        REQUIRE(kiosk.app.screen() == Screen::WorkshopGather);
    }
    // ...and a kiosk that starts again (a crash, a power cut) opens it where it was, for a
    // facilitator only.
    Kiosk restarted({load_survey_file("tillit")}, kFullHd, kFullHdWidthMm, &desk);
    CHECK(restarted.app.screen() == Screen::WorkshopGather);
    CHECK(restarted.app.staff_role() == tillit::Role::Facilitator);
    restarted.tap("workshop_leave");
    CHECK(restarted.app.screen() == Screen::Staff);
    CHECK(restarted.find("workshop")->label.rfind("Fortsätt workshopen", 0) == 0);
}
