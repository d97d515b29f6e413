// Tests for core/recorder: what a finished, one-tap or abandoned Session becomes in the
// store. The time bucket comes from the injected clock (never finer than the configured
// hour or day), the venue from the config, and free text is scrubbed (and sealed to the
// server's key once enrolled) before it is stored; a one-tap response waits for its
// follow-up before sync may take it. The surveys are the shipped ones; the store is in memory.
#include <doctest/doctest.h>

#include <chrono>
#include <ctime>
#include <memory>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/config.h"
#include "core/recorder.h"
#include "core/session.h"
#include "core/store.h"
#include "core/survey.h"
#include "core/wire.h"

using nlohmann::json;
using tillit::Recorder;
using tillit::Session;

namespace {

// Local time, as time_bucket() reads it, so the expected buckets hold in any time zone.
std::chrono::system_clock::time_point local_time(int year, int month, int day, int hour, int minute, int second) {
    std::tm local{};
    local.tm_year = year - 1900;
    local.tm_mon = month - 1;
    local.tm_mday = day;
    local.tm_hour = hour;
    local.tm_min = minute;
    local.tm_sec = second;
    local.tm_isdst = -1;
    return std::chrono::system_clock::from_time_t(std::mktime(&local));
}

tillit::Survey shipped_survey(const std::string& id) {
    auto survey = tillit::load_survey(std::string(TILLIT_SOURCE_DIR) + "/kiosk-config/surveys/" + id + ".toml",
                                      {"sv", "en"});
    REQUIRE_MESSAGE(survey.ok(), (survey.ok() ? "" : survey.error()));
    return std::move(survey).value();
}

tillit::KioskConfig config_for(const std::string& venue, tillit::TimeBucket bucket) {
    tillit::KioskConfig config;
    config.venue_id = venue;
    config.venue_name = "Testplatsen";
    config.languages = {"sv", "en"};
    config.time_bucket = bucket;
    return config;
}

// A store, a config and a clock the test can move.
struct Fixture {
    std::unique_ptr<tillit::Store> store = [] {
        auto opened = tillit::Store::open_in_memory();
        REQUIRE_MESSAGE(opened.ok(), (opened.ok() ? "" : opened.error()));
        return std::move(opened).value();
    }();
    tillit::KioskConfig config = config_for("rinkeby-medborgarkontor", tillit::TimeBucket::Hour);
    std::chrono::system_clock::time_point clock_now = local_time(2026, 11, 23, 14, 37, 12);
    Recorder recorder{*store, config, [this] { return clock_now; }};
    tillit::Survey tillit_survey = shipped_survey("tillit");
    tillit::Survey besok = shipped_survey("besok");

    std::vector<tillit::StoredResponse> responses() {
        auto rows = store->responses();
        REQUIRE_MESSAGE(rows.ok(), (rows.ok() ? "" : rows.error()));
        return rows.value();
    }
    std::vector<tillit::StoredAbandonment> abandonments() {
        auto rows = store->abandonments();
        REQUIRE_MESSAGE(rows.ok(), (rows.ok() ? "" : rows.error()));
        return rows.value();
    }
    tillit::StoredResponse only_response() {
        auto rows = responses();
        REQUIRE(rows.size() == 1);
        return rows.front();
    }
};

// Moves `session` forward (recording skips) to the question with `id`.
void go_to(Session& session, const std::string& id) {
    while (session.current().id != id) REQUIRE(session.skip());
}

}  // namespace

TEST_CASE("recorder: a submitted response carries the survey, language, venue, hour and answers") {
    Fixture f;
    Session session(f.tillit_survey, "en");
    session.choose_scale(4);
    REQUIRE(session.next());
    session.choose_option("would_help");
    session.finish();

    auto saved = f.recorder.submit(session);
    REQUIRE_MESSAGE(saved.ok(), (saved.ok() ? "" : saved.error()));
    const auto row = f.only_response();
    CHECK(row.id == saved.value());
    CHECK(row.survey_id == "tillit");
    CHECK(row.survey_version == 1);
    CHECK(row.language == "en");
    CHECK(row.venue_id == "rinkeby-medborgarkontor");
    CHECK(row.time_bucket == "2026-11-23T14");
    CHECK(row.answers_json == R"({"expect_help":"would_help","inst_trust":4})");
    CHECK(f.abandonments().empty());
}

TEST_CASE("recorder: the time bucket is read from the clock at each save, at hour or day granularity") {
    Fixture f;
    Session session(f.besok, "sv");
    session.choose_scale(2);

    SUBCASE("hour: minutes and seconds are dropped") {
        f.clock_now = local_time(2026, 11, 23, 9, 0, 0);
        REQUIRE(f.recorder.submit(session).ok());
        f.clock_now = local_time(2026, 11, 23, 9, 59, 59);
        REQUIRE(f.recorder.submit(session).ok());
        f.clock_now = local_time(2026, 11, 23, 10, 0, 0);
        REQUIRE(f.recorder.submit(session).ok());
        std::multiset<std::string> buckets;
        for (const auto& row : f.responses()) buckets.insert(row.time_bucket);
        CHECK(buckets == std::multiset<std::string>{"2026-11-23T09", "2026-11-23T09", "2026-11-23T10"});
    }
    SUBCASE("day: the hour is dropped too") {
        f.config.time_bucket = tillit::TimeBucket::Day;
        f.clock_now = local_time(2026, 12, 31, 0, 0, 1);
        REQUIRE(f.recorder.submit(session).ok());
        f.clock_now = local_time(2026, 12, 31, 23, 59, 59);
        REQUIRE(f.recorder.abandon(session, 1).ok());
        CHECK(f.only_response().time_bucket == "2026-12-31");
        REQUIRE(f.abandonments().size() == 1);
        CHECK(f.abandonments().front().time_bucket == "2026-12-31");
    }
}

TEST_CASE("recorder: the venue comes from the config") {
    Fixture f;
    f.config.venue_id = "husby-bibliotek";
    Session session(f.besok, "sv");
    session.choose_scale(4);
    REQUIRE(f.recorder.submit(session).ok());
    CHECK(f.only_response().venue_id == "husby-bibliotek");
}

TEST_CASE("recorder: free text is scrubbed before it is stored; other answers are not touched") {
    Fixture f;
    Session session(f.tillit_survey, "sv");
    go_to(session, "more_trust");
    session.set_text("Ring mig på 070-123 45 67 eller skriv till anna.svensson@example.se, tack");
    REQUIRE(session.next());
    session.choose_option("18_29");
    session.finish();
    REQUIRE(f.recorder.submit(session).ok());

    const json answers = json::parse(f.only_response().answers_json);
    CHECK(answers["more_trust"] == "Ring mig på […] eller skriv till […], tack");
    CHECK(answers["age_band"] == "18_29");
    CHECK(answers["inst_trust"].is_null());
    // The session itself is not changed: scrubbing is only for what is stored.
    CHECK(session.answer("more_trust")->text ==
          "Ring mig på 070-123 45 67 eller skriv till anna.svensson@example.se, tack");
    CHECK(f.only_response().answers_json.find("070") == std::string::npos);
}

TEST_CASE("recorder: amending a one-tap response replaces its answers, scrubbed the same way") {
    Fixture f;
    Session session(f.besok, "sv");
    session.choose_scale(3);
    auto saved = f.recorder.submit(session);
    REQUIRE(saved.ok());
    CHECK(f.only_response().answers_json == R"({"visit_today":3})");

    REQUIRE(session.next());
    session.choose_option("got_help");
    session.finish();
    REQUIRE(f.recorder.amend(saved.value(), session).ok());
    const auto row = f.only_response();
    CHECK(row.id == saved.value());
    CHECK(row.answers_json == R"({"visit_today":3,"visit_why":"got_help"})");

    const auto unknown = f.recorder.amend("00000000-0000-4000-8000-000000000000", session);
    REQUIRE_FALSE(unknown.ok());
    CHECK(f.responses().size() == 1);
}

TEST_CASE("recorder: an abandoned session stores only the step reached, never an answer") {
    Fixture f;
    Session session(f.tillit_survey, "en");
    session.choose_scale(1);
    REQUIRE(session.next());
    session.choose_option("harder");
    REQUIRE(session.next());
    REQUIRE(session.next());
    REQUIRE(session.back());
    REQUIRE(session.reached_step() == 4);

    REQUIRE(f.recorder.abandon(session, session.reached_step()).ok());
    CHECK(f.responses().empty());
    auto rows = f.abandonments();
    REQUIRE(rows.size() == 1);
    const auto& row = rows.front();
    CHECK(row.survey_id == "tillit");
    CHECK(row.survey_version == 1);
    CHECK(row.language == "en");
    CHECK(row.venue_id == "rinkeby-medborgarkontor");
    CHECK(row.time_bucket == "2026-11-23T14");
    CHECK(row.reached_step == 4);
    CHECK(row.total_steps == 15);

    SUBCASE("step 0: tapped start, left before question 1") {
        Session early(f.tillit_survey, "sv");
        REQUIRE(f.recorder.abandon(early, 0).ok());
        rows = f.abandonments();
        REQUIRE(rows.size() == 2);
        CHECK((rows[0].reached_step == 0 || rows[1].reached_step == 0));
    }
}

TEST_CASE("recorder: a store error comes back as an Error and nothing is stored") {
    Fixture f;
    Session session(f.tillit_survey, "sv");
    go_to(session, "more_trust");
    std::string text;
    for (int i = 0; i < 280; ++i) text += "\xF0\x9F\x98\x80";  // 1120 bytes: needs an overflow page
    session.set_text(text);
    session.finish();
    // Capped at its current size, the store has no page for a row this large.
    REQUIRE(f.store->limit_size_for_tests(1).ok());
    const auto saved = f.recorder.submit(session);
    REQUIRE_FALSE(saved.ok());
    CHECK(saved.error() == "could not save the response: database or disk is full");
    CHECK(f.responses().empty());
    REQUIRE(f.store->limit_size_for_tests(0).ok());
    CHECK(f.recorder.submit(session).ok());
    CHECK(f.responses().size() == 1);
}

TEST_CASE("recorder: once enrolled, free text is stored sealed to the server's key, scrubbed first") {
    Fixture f;
    const tillit::wire::SealingKeys server = tillit::wire::generate_sealing_keys();
    const tillit::wire::DeviceKeys device = tillit::wire::generate_device_keys();
    REQUIRE(f.store
                ->save_enrolment({"device-1", "rinkeby-medborgarkontor", device.public_key, device.secret_key,
                                  server.public_key, "https://tillit.example.se"},
                                 {})
                .ok());
    Session session(f.tillit_survey, "sv");
    go_to(session, "more_trust");
    session.set_text("Mejla anna.svensson@example.se om bättre öppettider");
    REQUIRE(session.next());
    session.choose_option("18_29");
    session.finish();
    REQUIRE(f.recorder.submit(session).ok());

    const std::string stored = f.only_response().answers_json;
    CHECK(stored.find("öppettider") == std::string::npos);  // the kiosk cannot read it back
    const json answers = json::parse(stored);
    REQUIRE(answers["more_trust"].is_object());
    CHECK(answers["more_trust"].size() == 1);
    const auto opened = tillit::wire::unseal(server, answers["more_trust"]["sealed"].get<std::string>());
    REQUIRE(opened.ok());
    CHECK(opened.value() == "Mejla […] om bättre öppettider");
    CHECK(answers["age_band"] == "18_29");  // only free text is sealed
}

TEST_CASE("recorder: a one-tap response with a follow-up is held back from sync until it is amended") {
    Fixture f;
    Session session(f.besok, "sv");
    session.choose_scale(5);
    auto saved = f.recorder.submit(session);
    REQUIRE(saved.ok());
    CHECK(f.store->outbox_counts().value().pending == 1);
    auto none = f.store->freeze_batch(10);
    REQUIRE(none.ok());
    CHECK_FALSE(none.value().has_value());

    REQUIRE(session.next());
    session.finish();  // the follow-up timed out: recorded as skipped
    REQUIRE(f.recorder.amend(saved.value(), session).ok());
    auto batch = f.store->freeze_batch(10);
    REQUIRE(batch.ok());
    REQUIRE(batch.value().has_value());
    CHECK(batch.value()->item_ids == std::vector<std::string>{saved.value()});

    // A sequential survey is never held.
    Session whole(f.tillit_survey, "sv");
    whole.choose_scale(3);
    whole.finish();
    REQUIRE(f.recorder.submit(whole).ok());
    auto sequential = f.store->freeze_batch(10);
    REQUIRE(sequential.ok());
    CHECK(sequential.value().has_value());
}
