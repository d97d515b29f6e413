// Tests for the survey loader (core/survey.cpp): the two shipped surveys load with the
// content DEFAULT_SURVEY.md gives, and every validation rule reports the right line and
// a message that says what to fix. Bad files are written to a fresh temp folder.
// Answer handling is tested in test_session.cpp, not here.

#include <doctest/doctest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <utility>
#include <vector>

#include "core/survey.h"

namespace fs = std::filesystem;
using namespace tillit;

namespace {

const std::vector<std::string> sv_en{"sv", "en"};

std::string shipped_survey(const std::string& id) {
    return std::string(TILLIT_SOURCE_DIR) + "/kiosk-config/surveys/" + id + ".toml";
}

// A fresh folder per test, removed afterwards, so tests never see each other's files.
class TempDir {
public:
    TempDir() {
        std::string pattern = (fs::temp_directory_path() / "tillit-survey-test-XXXXXX").string();
        const char* made = mkdtemp(pattern.data());
        REQUIRE(made != nullptr);
        path_ = made;
    }
    ~TempDir() {
        std::error_code ec;
        fs::remove_all(path_, ec);
    }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;

    std::string write(const std::string& name, const std::string& content) const {
        const auto file = (path_ / name).string();
        std::ofstream(file, std::ios::binary) << content;
        return file;
    }
    const fs::path& path() const { return path_; }

private:
    fs::path path_;
};

// A valid survey with one question of each kind. Tests edit single lines, so the
// line numbers below stay put: blanking a line removes a key without shifting others.
const std::vector<std::string> base_survey{
    /* 1 */ "id = \"t\"",
    /* 2 */ "version = 1",
    /* 3 */ "\"title::sv\" = \"Titel\"",
    /* 4 */ "\"title::en\" = \"Title\"",
    /* 5 */ "\"summary::sv\" = \"Kort\"",
    /* 6 */ "\"summary::en\" = \"Short\"",
    /* 7 */ "",
    /* 8 */ "[[questions]]",
    /* 9 */ "id = \"scale\"",
    /* 10 */ "type = \"scale5\"",
    /* 11 */ "\"label::sv\" = \"Skala\"",
    /* 12 */ "\"label::en\" = \"Scale\"",
    /* 13 */ "\"low::sv\" = \"Lågt\"",
    /* 14 */ "\"low::en\" = \"Low\"",
    /* 15 */ "\"high::sv\" = \"Högt\"",
    /* 16 */ "\"high::en\" = \"High\"",
    /* 17 */ "dont_know = true",
    /* 18 */ "",
    /* 19 */ "[[questions]]",
    /* 20 */ "id = \"pick\"",
    /* 21 */ "type = \"single\"",
    /* 22 */ "\"label::sv\" = \"Välj\"",
    /* 23 */ "\"label::en\" = \"Pick\"",
    /* 24 */ "",
    /* 25 */ "[[questions.options]]",
    /* 26 */ "id = \"a\"",
    /* 27 */ "\"label::sv\" = \"A\"",
    /* 28 */ "\"label::en\" = \"A\"",
    /* 29 */ "",
    /* 30 */ "[[questions.options]]",
    /* 31 */ "id = \"b\"",
    /* 32 */ "\"label::sv\" = \"B\"",
    /* 33 */ "\"label::en\" = \"B\"",
    /* 34 */ "",
    /* 35 */ "[[questions]]",
    /* 36 */ "id = \"many\"",
    /* 37 */ "type = \"multi\"",
    /* 38 */ "\"label::sv\" = \"Flera\"",
    /* 39 */ "\"label::en\" = \"Several\"",
    /* 40 */ "max = 2",
    /* 41 */ "",
    /* 42 */ "[[questions.options]]",
    /* 43 */ "id = \"x\"",
    /* 44 */ "\"label::sv\" = \"X\"",
    /* 45 */ "\"label::en\" = \"X\"",
    /* 46 */ "",
    /* 47 */ "[[questions.options]]",
    /* 48 */ "id = \"y\"",
    /* 49 */ "\"label::sv\" = \"Y\"",
    /* 50 */ "\"label::en\" = \"Y\"",
    /* 51 */ "",
    /* 52 */ "[[questions.options]]",
    /* 53 */ "id = \"none\"",
    /* 54 */ "\"label::sv\" = \"Inget\"",
    /* 55 */ "\"label::en\" = \"None\"",
    /* 56 */ "exclusive = true",
    /* 57 */ "",
    /* 58 */ "[[questions]]",
    /* 59 */ "id = \"words\"",
    /* 60 */ "type = \"text\"",
    /* 61 */ "\"label::sv\" = \"Ord\"",
    /* 62 */ "\"label::en\" = \"Words\"",
    /* 63 */ "max_length = 100",
};

// The base survey with some lines replaced (1-based line numbers).
std::string edited(const std::vector<std::pair<int, std::string>>& edits) {
    auto lines = base_survey;
    for (const auto& [line, text] : edits) lines.at(static_cast<std::size_t>(line - 1)) = text;
    std::string text;
    for (const auto& line : lines) text += line + "\n";
    return text;
}

struct Failure {
    int line = 0;  // 0: the message has no line
    std::string message;  // what follows "path:line: "
};

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

// Loads `content` and splits the error into line and message; fails the test if it loads.
Failure survey_failure(const std::string& content, const std::vector<std::string>& languages = sv_en) {
    const TempDir dir;
    const auto path = dir.write("survey.toml", content);
    const auto result = load_survey(path, languages);
    REQUIRE_FALSE(result.ok());
    const std::string& error = result.error();
    REQUIRE(error.rfind(path + ":", 0) == 0);
    const auto rest = error.substr(path.size() + 1);
    const auto colon = rest.find(": ");
    REQUIRE(colon != std::string::npos);
    REQUIRE(error.find('\n') == std::string::npos);
    return Failure{std::stoi(rest.substr(0, colon)), rest.substr(colon + 2)};
}

Survey survey_ok(const std::string& content, const std::vector<std::string>& languages = sv_en) {
    const TempDir dir;
    auto result = load_survey(dir.write("survey.toml", content), languages);
    INFO((result.ok() ? std::string() : result.error()));
    REQUIRE(result.ok());
    return std::move(result).value();
}

}  // namespace

TEST_CASE("survey: the shipped tillit survey has the 15 questions of DEFAULT_SURVEY.md") {
    const auto result = load_survey(shipped_survey("tillit"), sv_en);
    INFO((result.ok() ? std::string() : result.error()));
    REQUIRE(result.ok());
    const Survey& survey = result.value();
    CHECK(survey.id == "tillit");
    CHECK(survey.version == 1);
    CHECK(survey.flow == SurveyFlow::Sequential);
    CHECK(survey.source_path == shipped_survey("tillit"));
    CHECK(text_in(survey.title, "sv") == "Hur ser du på kommunen?");
    CHECK(text_in(survey.title, "en") == "What do you think of the municipality?");
    CHECK(text_in(survey.summary, "sv") == "15 korta frågor, cirka 2 minuter. Du är anonym.");
    CHECK(text_in(survey.summary, "en") == "15 short questions, about 2 minutes. You are anonymous.");

    const std::vector<std::pair<std::string, QuestionType>> expected{
        {"inst_trust", QuestionType::Scale5},      {"expect_help", QuestionType::Single},
        {"avoided_contact", QuestionType::Single}, {"benevolence", QuestionType::Scale5},
        {"competence", QuestionType::Scale5},      {"treated_respect", QuestionType::Scale5},
        {"social_trust", QuestionType::Scale5},    {"local_trust", QuestionType::Scale5},
        {"trust_builders", QuestionType::Multi},   {"knows_support", QuestionType::Single},
        {"met_where", QuestionType::Multi},        {"trust_social_services", QuestionType::Scale5},
        {"earlier_contact", QuestionType::Single}, {"more_trust", QuestionType::Text},
        {"age_band", QuestionType::Single},
    };
    REQUIRE(survey.questions.size() == 15);
    for (std::size_t i = 0; i < expected.size(); ++i) {
        const Question& question = survey.questions[i];
        CAPTURE(question.id);
        CHECK(question.id == expected[i].first);
        CHECK(question.type == expected[i].second);
        CHECK(question.skippable);
        CHECK(!text_in(question.label, "sv").empty());
        CHECK(!text_in(question.label, "en").empty());
        if (question.type == QuestionType::Scale5) {
            CHECK(question.dont_know);
            CHECK(question.scale_steps() == 5);
            CHECK(question.low_label.at("sv") == "Inte alls");
            CHECK(question.low_label.at("en") == "Not at all");
            CHECK(question.high_label.at("sv") == "Helt och hållet");
            CHECK(question.high_label.at("en") == "Completely");
        }
    }

    const Question* inst_trust = survey.find_question("inst_trust");
    REQUIRE(inst_trust != nullptr);
    CHECK(inst_trust->label.at("sv") == "Hur mycket litar du på kommunen?");
    CHECK(inst_trust->label.at("en") == "How much do you trust the municipality?");
    CHECK(inst_trust->options.empty());

    const Question* expect_help = survey.find_question("expect_help");
    REQUIRE(expect_help != nullptr);
    REQUIRE(expect_help->options.size() == 4);
    CHECK(expect_help->options[0].id == "would_help");
    CHECK(expect_help->options[1].id == "dont_know_what");
    CHECK(expect_help->options[2].id == "harder");
    CHECK(expect_help->options[3].id == "prefer_not");
    CHECK(expect_help->options[2].label.at("sv") == "De skulle göra det svårare för mig");
    CHECK(expect_help->options[1].label.at("en") == "I don't know what they would do");

    const Question* avoided = survey.find_question("avoided_contact");
    REQUIRE(avoided != nullptr);
    REQUIRE(avoided->options.size() == 3);
    CHECK(avoided->options[0].id == "yes");
    CHECK(avoided->options[1].id == "no");
    CHECK(avoided->options[2].id == "prefer_not");

    const Question* respect = survey.find_question("treated_respect");
    REQUIRE(respect != nullptr);
    REQUIRE(respect->options.size() == 1);
    CHECK(respect->options[0].id == "not_met");
    CHECK(respect->options[0].label.at("sv") == "Jag har inte mött någon");
    CHECK(respect->options[0].label.at("en") == "I have not met anyone");

    const Question* builders = survey.find_question("trust_builders");
    REQUIRE(builders != nullptr);
    CHECK(builders->max_choices == 3);
    CHECK(builders->options.size() == 8);
    CHECK(builders->label.at("en") == "What matters most for you to trust the municipality? Choose up to three.");

    const Question* knows = survey.find_question("knows_support");
    REQUIRE(knows != nullptr);
    CHECK(knows->options.size() == 4);

    const Question* met_where = survey.find_question("met_where");
    REQUIRE(met_where != nullptr);
    REQUIRE(met_where->options.size() == 7);
    CHECK(met_where->max_choices == 7);  // no max in the file: all options
    const Option* no = met_where->find_option("no");
    REQUIRE(no != nullptr);
    CHECK(no->exclusive);
    CHECK(no->label.at("sv") == "Nej");
    for (const auto& option : met_where->options) {
        if (option.id != "no") CHECK_FALSE(option.exclusive);
    }

    const Question* more_trust = survey.find_question("more_trust");
    REQUIRE(more_trust != nullptr);
    CHECK(more_trust->max_length == 280);
    CHECK(more_trust->options.empty());
    CHECK(more_trust->note.at("sv") == "Skriv inga namn.");
    CHECK(more_trust->note.at("en") == "Do not write names.");

    const Question* age = survey.find_question("age_band");
    REQUIRE(age != nullptr);
    REQUIRE(age->options.size() == 6);
    const std::vector<std::string> age_ids{"under_18", "18_29", "30_49", "50_64", "65_plus", "prefer_not"};
    for (std::size_t i = 0; i < age_ids.size(); ++i) CHECK(age->options[i].id == age_ids[i]);
    CHECK(age->find_option("18_29")->label.at("sv") == "18–29");  // en dash, Swedish typography
    CHECK(age->find_option("65_plus")->label.at("en") == "65 or older");
}

TEST_CASE("survey: the shipped besok survey is a one-tap survey with a follow-up") {
    const auto result = load_survey(shipped_survey("besok"), sv_en);
    INFO((result.ok() ? std::string() : result.error()));
    REQUIRE(result.ok());
    const Survey& survey = result.value();
    CHECK(survey.id == "besok");
    CHECK(survey.version == 1);
    CHECK(survey.flow == SurveyFlow::OneTap);
    CHECK(survey.followup_timeout_seconds == 10);
    CHECK(survey.title.at("sv") == "Hur blev du bemött idag?");
    CHECK(survey.title.at("en") == "How were you treated today?");
    CHECK(survey.summary.at("sv") == "Ett tryck räcker.");
    CHECK(survey.summary.at("en") == "One tap is enough.");
    REQUIRE(survey.questions.size() == 2);

    const Question& today = survey.questions[0];
    CHECK(today.id == "visit_today");
    CHECK(today.type == QuestionType::Scale4);
    CHECK(today.scale_steps() == 4);
    CHECK_FALSE(today.dont_know);
    CHECK(today.low_label.at("sv") == "Mycket dåligt");
    CHECK(today.low_label.at("en") == "Very badly");
    CHECK(today.high_label.at("sv") == "Mycket bra");
    CHECK(today.high_label.at("en") == "Very well");

    const Question& why = survey.questions[1];
    CHECK(why.id == "visit_why");
    CHECK(why.type == QuestionType::Single);
    CHECK(why.skippable);
    REQUIRE(why.options.size() == 5);
    CHECK(why.options[3].label.at("en") == "I didn't understand the information");
}

TEST_CASE("survey: the shipped surveys carry every language the kiosk knows") {
    const std::vector<std::string> all{"sv", "sv-easy", "en", "ar", "fa", "so", "ti", "fi", "uk"};
    for (const std::string id : {"tillit", "besok"}) {
        const auto result = load_survey(shipped_survey(id), all);
        INFO((result.ok() ? std::string() : result.error()));
        REQUIRE(result.ok());
        CHECK(result.value().title.size() == all.size());
    }
}

TEST_CASE("survey: the base test survey loads with every default") {
    const Survey survey = survey_ok(edited({}));
    REQUIRE(survey.questions.size() == 4);
    CHECK(survey.flow == SurveyFlow::Sequential);
    CHECK(survey.followup_timeout_seconds == 10);
    CHECK(survey.questions[0].dont_know);
    CHECK(survey.questions[0].skippable);
    CHECK(survey.questions[2].max_choices == 2);
    CHECK(survey.questions[2].options[2].exclusive);
    CHECK(survey.questions[3].max_length == 100);
    CHECK(survey_ok(edited({{40, ""}})).questions[2].max_choices == 3);
    CHECK_FALSE(survey_ok(edited({{17, ""}})).questions[0].dont_know);
    CHECK_FALSE(survey_ok(edited({{24, "optional = false"}})).questions[1].skippable);
    CHECK(survey_ok(edited({{24, "optional = true"}})).questions[1].skippable);
    // A survey may carry more languages than the kiosk shows.
    CHECK(survey_ok(edited({{7, "\"title::fi\" = \"Otsikko\""}})).title.at("fi") == "Otsikko");
    const Survey more = survey_ok(edited({{7, "\"title::sv-easy\" = \"Lätt titel\""}}), {"sv"});
    CHECK(more.title.at("sv-easy") == "Lätt titel");
}

TEST_CASE("survey: a file that cannot be read is one line without a line number") {
    const TempDir dir;
    const auto missing = (dir.path() / "nope.toml").string();
    const auto result = load_survey(missing, sv_en);
    REQUIRE_FALSE(result.ok());
    CHECK(result.error() == missing + ": cannot read the survey file (No such file or directory)");

    const auto folder = load_survey(dir.path().string(), sv_en);
    REQUIRE_FALSE(folder.ok());
    CHECK(folder.error() == dir.path().string() + ": cannot read the survey file (it is a folder)");
}

TEST_CASE("survey: TOML syntax errors give the line") {
    const auto failure = survey_failure(edited({{12, "\"label::en\" = \"Scale"}}));
    INFO(failure.message);
    CHECK(failure.line == 12);
    CHECK(contains(failure.message, "not valid TOML"));

    const auto duplicate = survey_failure(edited({{17, "id = \"again\""}}));
    INFO(duplicate.message);
    CHECK(duplicate.line == 17);
    CHECK(contains(duplicate.message, "not valid TOML"));
}

TEST_CASE("survey: the survey id is required and must be lowercase a-z, 0-9 and _") {
    auto failure = survey_failure(edited({{1, ""}}));
    CHECK(failure.line == 1);
    CHECK(contains(failure.message, "the survey has no \"id\""));

    failure = survey_failure(edited({{1, "id = \"\""}}));
    CHECK(failure.line == 1);
    CHECK(contains(failure.message, "id \"\" in the survey must be lowercase letters a-z, digits and _"));

    failure = survey_failure(edited({{1, "id = \"Tillit-2\""}}));
    CHECK(failure.line == 1);
    CHECK(contains(failure.message, "id \"Tillit-2\""));

    failure = survey_failure(edited({{1, "id = 7"}}));
    CHECK(failure.line == 1);
    CHECK(contains(failure.message, "id must be a text in quotes, not an integer"));
}

TEST_CASE("survey: version is a positive integer") {
    auto failure = survey_failure(edited({{2, "version = \"1\""}}));
    CHECK(failure.line == 2);
    CHECK(contains(failure.message, "version must be an integer, not a text"));

    failure = survey_failure(edited({{2, "version = 0"}}));
    CHECK(failure.line == 2);
    CHECK(contains(failure.message, "version = 0 is out of range"));
    CHECK(contains(failure.message, "1 or more"));

    failure = survey_failure(edited({{2, "version = 1.5"}}));
    CHECK(failure.line == 2);
    CHECK(contains(failure.message, "version must be an integer, not a decimal number"));

    failure = survey_failure(edited({{2, ""}}));
    CHECK(failure.line == 1);
    CHECK(contains(failure.message, "the survey has no \"version\""));
}

TEST_CASE("survey: flow and followup_timeout_seconds") {
    CHECK(survey_ok(edited({{7, "flow = \"sequential\""}})).flow == SurveyFlow::Sequential);
    CHECK(survey_ok(edited({{7, "flow = \"one_tap\""}})).flow == SurveyFlow::OneTap);

    auto failure = survey_failure(edited({{7, "flow = \"onetap\""}}));
    CHECK(failure.line == 7);
    CHECK(contains(failure.message, "flow must be \"sequential\" or \"one_tap\", not \"onetap\""));

    CHECK(survey_ok(edited({{7, "followup_timeout_seconds = 3"}})).followup_timeout_seconds == 3);
    CHECK(survey_ok(edited({{7, "followup_timeout_seconds = 120"}})).followup_timeout_seconds == 120);
    failure = survey_failure(edited({{7, "followup_timeout_seconds = 2"}}));
    CHECK(failure.line == 7);
    CHECK(contains(failure.message, "followup_timeout_seconds = 2 is out of range in the survey; use a whole "
                                    "number from 3 to 120"));
    failure = survey_failure(edited({{7, "followup_timeout_seconds = 121"}}));
    CHECK(failure.line == 7);
    CHECK(contains(failure.message, "from 3 to 120"));
}

TEST_CASE("survey: a one_tap survey must start with a question one tap can answer") {
    // Turn the first question into a multi question with two options.
    auto failure = survey_failure(edited({{7, "flow = \"one_tap\""},
                                          {10, "type = \"multi\""},
                                          {13, "[[questions.options]]"}, {14, "id = \"o1\""},
                                          {15, "\"label::sv\" = \"O\""}, {16, "\"label::en\" = \"O\""},
                                          {17, "[[questions.options]]\nid = \"o2\"\n\"label::sv\" = \"P\"\n"
                                               "\"label::en\" = \"P\""}}));
    CHECK(failure.line == 8);
    CHECK(contains(failure.message, "a one_tap survey must start with a scale5, scale4 or single question, but "
                                    "question \"scale\" is multi"));
}

TEST_CASE("survey: title and summary are required in every language") {
    auto failure = survey_failure(edited({{4, ""}}));
    CHECK(failure.line == 1);
    CHECK(contains(failure.message, "the survey has no \"title::en\" (English)"));

    failure = survey_failure(edited({{5, ""}}));
    CHECK(failure.line == 1);
    CHECK(contains(failure.message, "the survey has no \"summary::sv\" (Swedish)"));

    failure = survey_failure(edited({}), {"sv", "en", "fa"});
    CHECK(failure.line == 1);
    CHECK(contains(failure.message, "the survey has no \"title::fa\" (Persian)"));

    failure = survey_failure(edited({{3, "\"title::sv\" = \"\""}}));
    CHECK(failure.line == 3);
    CHECK(contains(failure.message, "\"title::sv\" in the survey is empty"));

    failure = survey_failure(edited({{3, "\"title::sv\" = 3"}}));
    CHECK(failure.line == 3);
    CHECK(contains(failure.message, "\"title::sv\" must be a text in quotes, not an integer"));
}

TEST_CASE("survey: a survey needs at least one question") {
    std::string header;
    for (int i = 0; i < 6; ++i) header += base_survey[static_cast<std::size_t>(i)] + "\n";

    auto failure = survey_failure(header);
    CHECK(failure.line == 1);
    CHECK(contains(failure.message, "the survey has no \"questions\"; add at least one [[questions]] table"));

    failure = survey_failure(header + "questions = []\n");
    CHECK(failure.line == 7);
    CHECK(contains(failure.message, "the survey has no questions"));

    failure = survey_failure(header + "\n[questions]\nid = \"a\"\n");
    CHECK(failure.line == 8);
    CHECK(contains(failure.message, "questions must be a list of [[questions]] tables"));
}

TEST_CASE("survey: unknown keys are errors that list the allowed keys") {
    auto failure = survey_failure(edited({{7, "titel = \"x\""}}));
    CHECK(failure.line == 7);
    CHECK(contains(failure.message, "unknown key \"titel\" in the survey; allowed keys: id, version, flow, "
                                    "followup_timeout_seconds, questions, title::<lang>, summary::<lang>"));

    failure = survey_failure(edited({{12, "\"lable::en\" = \"Scale\""}}));
    CHECK(failure.line == 12);
    CHECK(contains(failure.message, "unknown key \"lable::en\" in question \"scale\"; allowed keys: id, type, "
                                    "optional, dont_know, max, max_length, options, label::<lang>, low::<lang>, "
                                    "high::<lang>, note::<lang>"));

    failure = survey_failure(edited({{29, "colour = \"red\""}}));
    CHECK(failure.line == 29);
    CHECK(contains(failure.message, "unknown key \"colour\" in option \"a\" of question \"pick\"; allowed keys: id, "
                                    "exclusive, label::<lang>"));

    failure = survey_failure(edited({{18, "[extra]"}}));
    CHECK(failure.line == 18);
    CHECK(contains(failure.message, "unknown key \"extra\""));
}

TEST_CASE("survey: text keys need a known language") {
    auto failure = survey_failure(edited({{12, "\"label::sw\" = \"Scale\""}}));
    CHECK(failure.line == 12);
    CHECK(contains(failure.message, "unknown language \"sw\" in \"label::sw\" in question \"scale\"; known "
                                    "languages: sv, sv-easy, en, ar, fa, so, ti, fi, uk"));

    failure = survey_failure(edited({{12, "label = \"Scale\""}}));
    CHECK(failure.line == 12);
    CHECK(contains(failure.message, "\"label\" needs a language: write \"label::sv\""));
}

TEST_CASE("survey: question ids are required, well-formed and unique") {
    auto failure = survey_failure(edited({{20, ""}}));
    CHECK(failure.line == 19);
    CHECK(contains(failure.message, "question 2 has no \"id\""));

    failure = survey_failure(edited({{20, "id = \"Pick me\""}}));
    CHECK(failure.line == 20);
    CHECK(contains(failure.message, "id \"Pick me\" in question 2 must be lowercase letters a-z, digits and _"));

    failure = survey_failure(edited({{36, "id = \"scale\""}}));
    CHECK(failure.line == 36);
    CHECK(contains(failure.message, "duplicate question id \"scale\" (question 1 has it too)"));
}

TEST_CASE("survey: question type is required and must be known") {
    auto failure = survey_failure(edited({{21, ""}}));
    CHECK(failure.line == 19);
    CHECK(contains(failure.message, "question \"pick\" has no \"type\""));

    failure = survey_failure(edited({{21, "type = \"scale7\""}}));
    CHECK(failure.line == 21);
    CHECK(contains(failure.message, "unknown question type \"scale7\" in question \"pick\"; use \"scale5\", "
                                    "\"scale4\", \"single\", \"multi\" or \"text\""));

    failure = survey_failure(edited({{21, "type = 1"}}));
    CHECK(failure.line == 21);
    CHECK(contains(failure.message, "type must be a text in quotes, not an integer"));
}

TEST_CASE("survey: a question label is required in every language, naming the language") {
    auto failure = survey_failure(edited({{23, ""}}));
    CHECK(failure.line == 19);
    CHECK(contains(failure.message, "question \"pick\" has no \"label::en\" (English); add \"label::en\" = \"...\""));

    failure = survey_failure(edited({}), {"sv", "ti"});
    CHECK(failure.line == 1);  // the survey's title is checked before its questions
    CHECK(contains(failure.message, "(Tigrinya)"));

    failure = survey_failure(edited({{22, "\"label::sv\" = \"\""}}));
    CHECK(failure.line == 22);
    CHECK(contains(failure.message, "\"label::sv\" in question \"pick\" is empty"));
}

TEST_CASE("survey: a note, once written, is needed in every language") {
    const Survey survey = survey_ok(edited({{24, "\"note::sv\" = \"Not\"\n\"note::en\" = \"Note\""}}));
    CHECK(survey.questions[1].note.at("en") == "Note");
    CHECK(survey.questions[0].note.empty());

    const auto failure = survey_failure(edited({{24, "\"note::sv\" = \"Not\""}}));
    CHECK(failure.line == 19);
    CHECK(contains(failure.message, "question \"pick\" has no \"note::en\" (English)"));
}

TEST_CASE("survey: optional is true or false") {
    const auto failure = survey_failure(edited({{24, "optional = \"no\""}}));
    CHECK(failure.line == 24);
    CHECK(contains(failure.message, "optional must be true or false, not a text"));
}

TEST_CASE("survey: scales need low and high texts; dont_know, low and high only on scales") {
    auto failure = survey_failure(edited({{14, ""}}));
    CHECK(failure.line == 8);
    CHECK(contains(failure.message, "question \"scale\" has no \"low::en\" (English)"));

    failure = survey_failure(edited({{15, ""}}));
    CHECK(failure.line == 8);
    CHECK(contains(failure.message, "question \"scale\" has no \"high::sv\" (Swedish)"));

    failure = survey_failure(edited({{17, "dont_know = 1"}}));
    CHECK(failure.line == 17);
    CHECK(contains(failure.message, "dont_know must be true or false, not an integer"));

    failure = survey_failure(edited({{24, "dont_know = true"}}));
    CHECK(failure.line == 24);
    CHECK(contains(failure.message, "dont_know is only for scale questions (scale5, scale4); remove it from "
                                    "question \"pick\""));

    failure = survey_failure(edited({{24, "\"low::sv\" = \"Lågt\""}}));
    CHECK(failure.line == 24);
    CHECK(contains(failure.message, "\"low::sv\" is only for scale questions"));

    // A scale may carry extra options beside its faces.
    const Survey survey = survey_ok(edited({{18, "[[questions.options]]\nid = \"not_met\"\n"
                                                 "\"label::sv\" = \"Har inte mött\"\n\"label::en\" = \"Not met\""}}));
    REQUIRE(survey.questions[0].options.size() == 1);
    CHECK(survey.questions[0].find_option("not_met") != nullptr);
    CHECK(survey.questions[0].find_option("other") == nullptr);

    const Survey scale4 = survey_ok(edited({{10, "type = \"scale4\""}}));
    CHECK(scale4.questions[0].type == QuestionType::Scale4);
}

TEST_CASE("survey: options have unique ids and a label in every language") {
    auto failure = survey_failure(edited({{31, "id = \"a\""}}));
    CHECK(failure.line == 31);
    CHECK(contains(failure.message, "duplicate option id \"a\" in question \"pick\""));

    failure = survey_failure(edited({{31, ""}}));
    CHECK(failure.line == 30);
    CHECK(contains(failure.message, "option 2 of question \"pick\" has no \"id\""));

    failure = survey_failure(edited({{31, "id = \"B\""}}));
    CHECK(failure.line == 31);
    CHECK(contains(failure.message, "id \"B\" in option 2 of question \"pick\" must be lowercase"));

    failure = survey_failure(edited({{33, ""}}));
    CHECK(failure.line == 30);
    CHECK(contains(failure.message, "option \"b\" of question \"pick\" has no \"label::en\" (English)"));

    // The same option id in another question is fine.
    CHECK(survey_ok(edited({{43, "id = \"a\""}})).questions[2].options[0].id == "a");

    failure = survey_failure(edited({{24, "options = [\"a\", \"b\"]"}, {25, ""}, {26, ""}, {27, ""}, {28, ""},
                                     {30, ""}, {31, ""}, {32, ""}, {33, ""}}));
    CHECK(failure.line == 24);
    CHECK(contains(failure.message, "options in question \"pick\" must be a list of [[questions.options]] tables"));
}

TEST_CASE("survey: single and multi need at least two options") {
    auto failure = survey_failure(edited({{30, ""}, {31, ""}, {32, ""}, {33, ""}}));
    CHECK(failure.line == 19);
    CHECK(contains(failure.message, "single question \"pick\" needs at least 2 options (it has 1)"));

    std::string single_without_options;
    for (int i = 0; i < 23; ++i) single_without_options += base_survey[static_cast<std::size_t>(i)] + "\n";
    failure = survey_failure(single_without_options);
    CHECK(failure.line == 19);
    CHECK(contains(failure.message, "(it has 0)"));

    failure = survey_failure(edited({{40, ""}, {47, ""}, {48, ""}, {49, ""}, {50, ""},
                                     {52, ""}, {53, ""}, {54, ""}, {55, ""}, {56, ""}}));
    CHECK(failure.line == 35);
    CHECK(contains(failure.message, "multi question \"many\" needs at least 2 options (it has 1)"));
}

TEST_CASE("survey: multi max is 1..number of options and only on multi") {
    CHECK(survey_ok(edited({{40, "max = 1"}})).questions[2].max_choices == 1);
    CHECK(survey_ok(edited({{40, "max = 3"}})).questions[2].max_choices == 3);

    auto failure = survey_failure(edited({{40, "max = 4"}}));
    CHECK(failure.line == 40);
    CHECK(contains(failure.message, "max = 4 is out of range in question \"many\"; use a whole number from 1 to 3"));

    failure = survey_failure(edited({{40, "max = 0"}}));
    CHECK(failure.line == 40);
    CHECK(contains(failure.message, "max = 0 is out of range"));

    failure = survey_failure(edited({{40, "max = \"3\""}}));
    CHECK(failure.line == 40);
    CHECK(contains(failure.message, "max must be an integer, not a text"));

    failure = survey_failure(edited({{24, "max = 1"}}));
    CHECK(failure.line == 24);
    CHECK(contains(failure.message, "max is only for multi questions; remove it from question \"pick\""));
}

TEST_CASE("survey: exclusive only on options of multi questions") {
    auto failure = survey_failure(edited({{29, "exclusive = true"}}));
    CHECK(failure.line == 29);
    CHECK(contains(failure.message, "exclusive is only for options of multi questions; remove it from option "
                                    "\"a\" of question \"pick\""));

    failure = survey_failure(edited({{56, "exclusive = \"yes\""}}));
    CHECK(failure.line == 56);
    CHECK(contains(failure.message, "exclusive must be true or false, not a text"));
}

TEST_CASE("survey: text questions need max_length 1..2000 and no options") {
    CHECK(survey_ok(edited({{63, "max_length = 1"}})).questions[3].max_length == 1);
    CHECK(survey_ok(edited({{63, "max_length = 2000"}})).questions[3].max_length == 2000);

    auto failure = survey_failure(edited({{63, ""}}));
    CHECK(failure.line == 58);
    CHECK(contains(failure.message, "question \"words\" has no \"max_length\""));

    failure = survey_failure(edited({{63, "max_length = 2001"}}));
    CHECK(failure.line == 63);
    CHECK(contains(failure.message, "max_length = 2001 is out of range in question \"words\"; use a whole number "
                                    "from 1 to 2000"));

    failure = survey_failure(edited({{63, "max_length = 0"}}));
    CHECK(failure.line == 63);
    CHECK(contains(failure.message, "from 1 to 2000"));

    failure = survey_failure(edited({{63, "max_length = 280\n[[questions.options]]\nid = \"o\"\n"
                                          "\"label::sv\" = \"O\"\n\"label::en\" = \"O\""}}));
    CHECK(failure.line == 64);
    CHECK(contains(failure.message, "text question \"words\" cannot have options"));

    failure = survey_failure(edited({{17, "max_length = 10"}}));
    CHECK(failure.line == 17);
    CHECK(contains(failure.message, "max_length is only for text questions"));
}

TEST_CASE("survey: text_in falls back to Swedish, then to any language") {
    const LocalText both{{"sv", "Hej"}, {"en", "Hello"}};
    CHECK(text_in(both, "en") == "Hello");
    CHECK(text_in(both, "ar") == "Hej");
    const LocalText english_only{{"en", "Hello"}};
    CHECK(text_in(english_only, "sv") == "Hello");
    CHECK(text_in(LocalText{}, "sv").empty());
}

TEST_CASE("survey: question types print as their file names") {
    CHECK(std::string(to_string(QuestionType::Scale5)) == "scale5");
    CHECK(std::string(to_string(QuestionType::Scale4)) == "scale4");
    CHECK(std::string(to_string(QuestionType::Single)) == "single");
    CHECK(std::string(to_string(QuestionType::Multi)) == "multi");
    CHECK(std::string(to_string(QuestionType::Text)) == "text");

    const Survey survey = survey_ok(edited({}));
    CHECK(survey.find_question("words") == &survey.questions[3]);
    CHECK(survey.find_question("nope") == nullptr);
}
