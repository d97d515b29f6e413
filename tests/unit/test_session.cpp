// Tests for core/session: answering, navigation, reached step and the answers JSON.
// The survey is built in code from parts of the default tillit survey, so these tests
// do not depend on the survey loader or on any file.
#include <doctest/doctest.h>

#include <string>

#include <nlohmann/json.hpp>

#include "core/session.h"

using tillit::Answer;
using tillit::Question;
using tillit::QuestionType;
using tillit::Session;
using tillit::Survey;
using tillit::ToggleResult;
using nlohmann::json;

namespace {

tillit::LocalText texts(const char* sv, const char* en) { return {{"sv", sv}, {"en", en}}; }

tillit::Option option(const char* id, const char* sv, const char* en, bool exclusive = false) {
    tillit::Option result;
    result.id = id;
    result.label = texts(sv, en);
    result.exclusive = exclusive;
    return result;
}

Question question(const char* id, QuestionType type) {
    Question result;
    result.id = id;
    result.type = type;
    result.label = texts(id, id);
    return result;
}

// Index: 0 inst_trust, 1 expect_help, 2 treated_respect, 3 trust_builders, 4 met_where, 5 more_trust.
Survey tillit_survey() {
    Survey survey;
    survey.id = "tillit";
    survey.version = 1;

    Question inst = question("inst_trust", QuestionType::Scale5);
    inst.dont_know = true;
    inst.low_label = texts("Inte alls", "Not at all");
    inst.high_label = texts("Helt och hållet", "Completely");
    survey.questions.push_back(inst);

    Question help = question("expect_help", QuestionType::Single);
    help.options = {option("help", "De skulle hjälpa mig", "They would help me"),
                    option("unknown", "Jag vet inte vad de skulle göra", "I don't know what they would do"),
                    option("harder", "De skulle göra det svårare för mig", "They would make things harder for me"),
                    option("no_answer", "Vill inte svara", "Prefer not to say")};
    survey.questions.push_back(help);

    Question respect = question("treated_respect", QuestionType::Scale5);
    respect.dont_know = true;
    respect.options = {option("not_met", "Jag har inte mött någon", "I have not met anyone")};
    survey.questions.push_back(respect);

    Question builders = question("trust_builders", QuestionType::Multi);
    builders.max_choices = 3;
    builders.options = {option("seen", "Att bli sedd och lyssnad på", "Being seen and listened to"),
                        option("same_person", "Att få träffa samma person", "Meeting the same person"),
                        option("influence", "Att kunna påverka min situation", "Being able to influence my situation"),
                        option("contact", "Att det är lätt att få kontakt", "Easy to get in touch"),
                        option("fair", "Att alla behandlas rättvist", "Everyone treated fairly"),
                        option("info", "Tydlig information", "Clear information"),
                        option("competent", "Att personalen kan sitt jobb", "Staff who know their job"),
                        option("no_discrimination", "Att ingen blir diskriminerad", "Nobody is discriminated against")};
    survey.questions.push_back(builders);

    Question met = question("met_where", QuestionType::Multi);
    met.options = {option("school", "I skolan", "At school"),
                   option("youth", "På en fritidsgård eller fritidsaktivitet", "At a youth centre or leisure activity"),
                   option("library", "På biblioteket eller medborgarkontoret", "At the library or citizen office"),
                   option("association", "I en förening, kyrka eller moské", "In an association, church or mosque"),
                   option("preschool", "På öppna förskolan", "At the open preschool"),
                   option("elsewhere", "Någon annanstans", "Somewhere else"),
                   option("no", "Nej", "No", true)};
    met.max_choices = static_cast<int>(met.options.size());
    survey.questions.push_back(met);

    Question text = question("more_trust", QuestionType::Text);
    text.max_length = 280;
    text.note = texts("Skriv inga namn", "Do not write names");
    survey.questions.push_back(text);
    return survey;
}

void go_to(Session& session, std::size_t index) {
    while (session.index() < index) REQUIRE(session.next());
}

std::string repeat(const std::string& piece, int times) {
    std::string out;
    for (int i = 0; i < times; ++i) out += piece;
    return out;
}

}  // namespace

TEST_CASE("a new session starts on the first question with nothing recorded") {
    const Survey survey = tillit_survey();
    Session session(survey, "sv");
    CHECK(session.index() == 0);
    CHECK(session.count() == 6);
    CHECK(session.current().id == "inst_trust");
    CHECK(session.reached_step() == 1);
    CHECK_FALSE(session.has_answer());
    CHECK(session.current_answer() == nullptr);
    CHECK(session.answers_json() == json::object());
}

TEST_CASE("next without an answer records a skip, back keeps answers and stops at the first") {
    const Survey survey = tillit_survey();
    Session session(survey, "sv");
    CHECK_FALSE(session.back());
    CHECK(session.index() == 0);

    CHECK(session.next());
    CHECK(session.index() == 1);
    REQUIRE(session.answer("inst_trust") != nullptr);
    CHECK(session.answer("inst_trust")->kind == Answer::Kind::Skipped);

    session.choose_option("harder");
    CHECK(session.next());
    CHECK(session.back());
    CHECK(session.index() == 1);
    REQUIRE(session.current_answer() != nullptr);
    CHECK(session.current_answer()->choices == std::vector<std::string>{"harder"});
    CHECK(session.has_answer());

    CHECK(session.back());
    CHECK_FALSE(session.back());
    CHECK(session.index() == 0);
}

TEST_CASE("scale answers, don't know, and replacing an answer after going back") {
    const Survey survey = tillit_survey();
    Session session(survey, "sv");

    session.choose_scale(4);
    REQUIRE(session.current_answer() != nullptr);
    CHECK(session.current_answer()->kind == Answer::Kind::Scale);
    CHECK(session.current_answer()->scale == 4);

    session.choose_dont_know();
    CHECK(session.current_answer()->kind == Answer::Kind::DontKnow);
    CHECK(session.has_answer());

    session.choose_scale(2);
    CHECK(session.next());
    CHECK(session.back());
    session.choose_scale(5);  // the resident changes their mind: the answer is replaced
    CHECK(session.current_answer()->kind == Answer::Kind::Scale);
    CHECK(session.current_answer()->scale == 5);
    CHECK(session.answers_json()["inst_trust"] == 5);
}

TEST_CASE("invalid input is ignored, never fatal") {
    const Survey survey = tillit_survey();
    Session session(survey, "sv");

    SUBCASE("scale steps outside 1..5") {
        session.choose_scale(3);
        for (const int bad : {0, 6, -1, 100}) session.choose_scale(bad);
        CHECK(session.current_answer()->scale == 3);
    }
    SUBCASE("scale-only input on a single-choice question") {
        go_to(session, 1);
        session.choose_scale(3);
        session.choose_dont_know();  // expect_help has no "don't know"
        CHECK(session.current_answer() == nullptr);
        CHECK(session.toggle_option("help") == ToggleResult::Deselected);  // not a multi question
        CHECK(session.current_answer() == nullptr);
        session.set_text("hej");
        CHECK(session.current_answer() == nullptr);
    }
    SUBCASE("unknown option ids") {
        go_to(session, 1);
        session.choose_option("help");
        session.choose_option("nonexistent");
        CHECK(session.current_answer()->choices == std::vector<std::string>{"help"});
        session.next();
        session.choose_option("help");  // an option of another question
        CHECK(session.current_answer() == nullptr);
        session.next();
        CHECK(session.toggle_option("nonexistent") == ToggleResult::Deselected);
        CHECK(session.current_answer() == nullptr);
    }
    SUBCASE("choice input on scale and text questions") {
        session.choose_option("help");  // inst_trust has no extra options
        CHECK(session.current_answer() == nullptr);
        go_to(session, 3);
        session.choose_option("seen");  // multi questions are toggled, not chosen
        CHECK(session.current_answer() == nullptr);
        go_to(session, 5);
        session.choose_option("seen");
        session.choose_scale(1);
        CHECK(session.current_answer() == nullptr);
    }
    SUBCASE("a survey without questions") {
        const Survey empty;
        Session nothing(empty, "sv");
        CHECK_FALSE(nothing.next());
        CHECK_FALSE(nothing.skip());
        CHECK_FALSE(nothing.back());
        nothing.finish();
        nothing.choose_scale(1);
        nothing.choose_dont_know();
        nothing.choose_option("x");
        CHECK(nothing.toggle_option("x") == ToggleResult::Deselected);
        nothing.set_text("x");
        CHECK_FALSE(nothing.has_answer());
        CHECK(nothing.answers_json() == json::object());
    }
}

TEST_CASE("single choice and a scale's extra option") {
    const Survey survey = tillit_survey();
    Session session(survey, "sv");
    go_to(session, 1);
    session.choose_option("unknown");
    session.choose_option("no_answer");  // replaces, never adds
    CHECK(session.current_answer()->choices == std::vector<std::string>{"no_answer"});

    session.next();
    session.choose_scale(2);
    session.choose_option("not_met");
    CHECK(session.current_answer()->kind == Answer::Kind::Choice);
    CHECK(session.current_answer()->choices == std::vector<std::string>{"not_met"});
    CHECK(session.answers_json()["treated_respect"] == "not_met");
    session.choose_dont_know();
    CHECK(session.answers_json()["treated_respect"] == "dont_know");
}

TEST_CASE("multi choice stops at max_choices and keeps survey order") {
    const Survey survey = tillit_survey();
    Session session(survey, "sv");
    go_to(session, 3);

    CHECK(session.toggle_option("info") == ToggleResult::Selected);
    CHECK(session.toggle_option("seen") == ToggleResult::Selected);
    CHECK(session.toggle_option("fair") == ToggleResult::Selected);
    const std::vector<std::string> three{"seen", "fair", "info"};
    CHECK(session.current_answer()->choices == three);

    CHECK(session.toggle_option("contact") == ToggleResult::AtMaximum);
    CHECK(session.current_answer()->choices == three);

    CHECK(session.toggle_option("seen") == ToggleResult::Deselected);
    CHECK(session.toggle_option("contact") == ToggleResult::Selected);
    CHECK(session.current_answer()->choices == std::vector<std::string>{"contact", "fair", "info"});
}

TEST_CASE("an exclusive option clears the others and is cleared by them") {
    const Survey survey = tillit_survey();
    Session session(survey, "sv");
    go_to(session, 4);

    CHECK(session.toggle_option("school") == ToggleResult::Selected);
    CHECK(session.toggle_option("library") == ToggleResult::Selected);
    CHECK(session.toggle_option("no") == ToggleResult::Selected);
    CHECK(session.current_answer()->choices == std::vector<std::string>{"no"});

    CHECK(session.toggle_option("youth") == ToggleResult::Selected);
    CHECK(session.current_answer()->choices == std::vector<std::string>{"youth"});

    SUBCASE("deselecting everything leaves no answer, and next records a skip") {
        CHECK(session.toggle_option("youth") == ToggleResult::Deselected);
        CHECK_FALSE(session.has_answer());
        CHECK(session.current_answer() == nullptr);
        CHECK(session.next());
        CHECK(session.answers_json()["met_where"] == nullptr);
    }
    SUBCASE("the exclusive option can be deselected too") {
        CHECK(session.toggle_option("no") == ToggleResult::Selected);
        CHECK(session.toggle_option("no") == ToggleResult::Deselected);
        CHECK_FALSE(session.has_answer());
    }
}

TEST_CASE("free text is cut at max_length code points, not bytes") {
    Survey survey = tillit_survey();
    Session session(survey, "sv");
    go_to(session, 5);

    SUBCASE("å, ä and ö count as one character each") {
        session.set_text(repeat("åäö", 100));  // 300 characters, 600 bytes
        REQUIRE(session.current_answer() != nullptr);
        CHECK(session.current_answer()->kind == Answer::Kind::Text);
        CHECK(session.current_answer()->text == repeat("åäö", 93) + "å");  // 280 characters
        CHECK(session.current_answer()->text.size() == 560);
    }
    SUBCASE("text within the limit is kept as written") {
        const std::string text = "Att de lyssnar på mig och att jag får träffa samma person. Ärligt.";
        session.set_text(text);
        CHECK(session.current_answer()->text == text);
    }
    SUBCASE("a short limit never splits a character") {
        survey.questions.back().max_length = 5;
        session.set_text("åäöÅÄÖ");
        CHECK(session.current_answer()->text == "åäöÅÄ");
        session.set_text("ab🙂cd🙂");  // four-byte characters count as one too
        CHECK(session.current_answer()->text == "ab🙂cd");
        session.set_text("\xff\xfe" "abc");  // an invalid byte counts as one character
        CHECK(session.current_answer()->text == "\xff\xfe" "abc");
        session.set_text("a\xc3");  // a truncated sequence at the end
        CHECK(session.current_answer()->text == "a\xc3");
    }
    SUBCASE("empty text is no answer") {
        session.set_text("hej");
        CHECK(session.has_answer());
        session.set_text("");
        CHECK_FALSE(session.has_answer());
        CHECK(session.current_answer() == nullptr);
    }
}

TEST_CASE("skip drops an answer and still records the skip on the last question") {
    const Survey survey = tillit_survey();
    Session session(survey, "sv");
    session.choose_scale(1);
    CHECK(session.skip());
    CHECK(session.index() == 1);
    REQUIRE(session.answer("inst_trust") != nullptr);
    CHECK(session.answer("inst_trust")->kind == Answer::Kind::Skipped);

    go_to(session, 5);
    session.set_text("något");
    CHECK(session.is_last());
    CHECK_FALSE(session.skip());
    CHECK(session.index() == 5);
    CHECK(session.answer("more_trust")->kind == Answer::Kind::Skipped);
}

TEST_CASE("next on the last question stays there") {
    const Survey survey = tillit_survey();
    Session session(survey, "sv");
    go_to(session, 5);
    CHECK_FALSE(session.next());
    CHECK(session.index() == 5);
    CHECK(session.answer("more_trust")->kind == Answer::Kind::Skipped);
    session.set_text("mer tid");
    CHECK_FALSE(session.next());
    CHECK(session.answer("more_trust")->text == "mer tid");
}

TEST_CASE("reached step is the furthest question seen, for an idle abandon") {
    const Survey survey = tillit_survey();
    Session session(survey, "sv");
    go_to(session, 3);  // the resident sees question 4 ...
    CHECK(session.reached_step() == 4);
    CHECK(session.back());
    CHECK(session.back());  // ... goes back to question 2 and walks away
    CHECK(session.index() == 1);
    CHECK(session.reached_step() == 4);
    CHECK(session.next());
    CHECK(session.reached_step() == 4);
    CHECK(session.skip());
    CHECK(session.skip());
    CHECK(session.reached_step() == 5);
}

TEST_CASE("finish records the last question so it is never missing") {
    const Survey survey = tillit_survey();
    Session session(survey, "sv");
    go_to(session, 5);
    CHECK(session.answers_json().contains("met_where"));
    CHECK_FALSE(session.answers_json().contains("more_trust"));

    SUBCASE("unanswered") {
        session.finish();
        CHECK(session.answers_json()["more_trust"] == nullptr);
        CHECK(session.answers_json().contains("more_trust"));
    }
    SUBCASE("answered") {
        session.set_text("Att de svarar i telefon");
        session.finish();
        CHECK(session.answers_json()["more_trust"] == "Att de svarar i telefon");
    }
    CHECK(session.index() == 5);
}

TEST_CASE("switching language keeps every answer") {
    const Survey survey = tillit_survey();
    Session session(survey, "sv");
    session.choose_scale(3);
    session.next();
    session.choose_option("help");
    const json before = session.answers_json();

    session.set_language("ar");
    CHECK(session.language() == "ar");
    CHECK(session.index() == 1);
    CHECK(session.answers_json() == before);
    CHECK(session.current_answer()->choices == std::vector<std::string>{"help"});
}

TEST_CASE("answers_json has the documented shape") {
    const Survey survey = tillit_survey();
    Session session(survey, "en");

    SUBCASE("a full walk through the survey") {
        session.choose_scale(4);
        session.next();
        session.choose_option("help");
        session.next();
        session.choose_option("not_met");
        session.next();
        session.toggle_option("fair");  // tapped out of survey order
        session.toggle_option("seen");
        session.next();
        session.skip();
        session.set_text("Svara på mejl, tack");
        session.finish();

        const json expected = json::parse(R"({
            "inst_trust": 4,
            "expect_help": "help",
            "treated_respect": "not_met",
            "trust_builders": ["seen", "fair"],
            "met_where": null,
            "more_trust": "Svara på mejl, tack"
        })");
        CHECK(session.answers_json() == expected);
        CHECK(session.answers_json().dump() == expected.dump());
    }
    SUBCASE("questions never reached are absent") {
        session.choose_dont_know();
        session.next();
        session.next();
        session.toggle_option("no");
        const json expected = json::parse(R"({
            "inst_trust": "dont_know",
            "expect_help": null
        })");
        CHECK(session.answers_json() == expected);
    }
    SUBCASE("a multi answer with one option is still an array") {
        go_to(session, 4);
        session.toggle_option("no");
        session.finish();
        CHECK(session.answers_json()["met_where"] == json::array({"no"}));
    }
}
