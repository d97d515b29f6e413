// The survey model and its loader. A survey file (TOML) carries every text per
// language inline ("label::sv", "label::en"), so a municipality edits one file.
// Loading validates everything up front; any problem is one "path:line: what" line.
// This file does not know about answers (session.h) or storage (store.h).
#pragma once

#include <map>
#include <string>
#include <vector>

#include "core/result.h"

namespace tillit {

// Language code -> text.
using LocalText = std::map<std::string, std::string>;

// Text in `language`, falling back to Swedish, then to any language present.
const std::string& text_in(const LocalText& text, const std::string& language);

enum class QuestionType {
    Scale5,  // five faces, ends labelled, optional "don't know" and extra options
    Scale4,  // four faces, no neutral middle
    Single,  // one option
    Multi,   // up to max_choices options; an exclusive option clears the others
    Text,    // free text, at most max_length characters
};

const char* to_string(QuestionType type);

struct Option {
    std::string id;
    LocalText label;
    bool exclusive = false;  // Multi only: choosing it clears every other choice
};

struct Question {
    std::string id;
    QuestionType type = QuestionType::Single;
    LocalText label;
    LocalText low_label;   // Scale: label under the first face
    LocalText high_label;  // Scale: label under the last face
    LocalText note;        // shown under the question (e.g. "Do not write names")
    bool dont_know = false;   // Scale: offer "don't know"
    bool skippable = true;    // every default question can be skipped
    std::vector<Option> options;  // Single/Multi choices; Scale extra options
    int max_choices = 0;  // Multi: 1..options.size()
    int max_length = 0;   // Text: characters (code points), 1..2000

    int scale_steps() const { return type == QuestionType::Scale5 ? 5 : type == QuestionType::Scale4 ? 4 : 0; }
    const Option* find_option(const std::string& option_id) const;
};

enum class SurveyFlow {
    Sequential,  // one question per screen, send at the end
    OneTap,      // the first answer alone is a complete response; the rest are an optional follow-up
};

struct Survey {
    std::string id;       // stable, [a-z0-9_]+
    int version = 0;      // bump when questions change; stored with every response
    SurveyFlow flow = SurveyFlow::Sequential;
    int followup_timeout_seconds = 10;  // OneTap: the follow-up goes away after this
    LocalText title;      // shown on the start screen
    LocalText summary;    // one line under the title ("About 2 minutes")
    std::vector<Question> questions;
    std::string source_path;

    const Question* find_question(const std::string& question_id) const;
};

// Loads and validates one survey file. Every text must exist in every language of
// `languages`. Errors read "path:line: what is wrong".
Result<Survey> load_survey(const std::string& path, const std::vector<std::string>& languages);

}  // namespace tillit
