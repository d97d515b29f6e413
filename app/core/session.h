// One resident's answering session: the answers live here, in memory only, until the
// resident sends. Nothing here touches storage; an abandoned session leaves nothing but
// reached_step() behind. A new resident always gets a new Session.
#pragma once

#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "core/survey.h"

namespace tillit {

struct Answer {
    enum class Kind { Scale, DontKnow, Choice, Text, Skipped };
    Kind kind = Kind::Skipped;
    int scale = 0;                       // Kind::Scale: 1..steps
    std::vector<std::string> choices;    // Kind::Choice: option ids (one for Single/extra scale option)
    std::string text;                    // Kind::Text: UTF-8, scrubbed when stored

    bool operator==(const Answer&) const = default;
};

enum class ToggleResult { Selected, Deselected, AtMaximum };

class Session {
public:
    Session(const Survey& survey, std::string language);

    const Survey& survey() const { return *survey_; }
    const std::string& language() const { return language_; }
    void set_language(std::string language) { language_ = std::move(language); }  // keeps answers

    std::size_t index() const { return index_; }   // 0-based current question
    std::size_t count() const { return survey_->questions.size(); }
    const Question& current() const { return survey_->questions[index_]; }
    bool is_last() const { return index_ + 1 == count(); }
    // 1-based furthest question the resident has seen; stored when a session is abandoned.
    std::size_t reached_step() const { return reached_ + 1; }

    // Answer the current question. Choosing replaces an earlier answer to it.
    void choose_scale(int step);                   // 1..scale_steps()
    void choose_dont_know();
    void choose_option(const std::string& option_id);  // Single, or a Scale's extra option
    ToggleResult toggle_option(const std::string& option_id);  // Multi
    void set_text(std::string text);               // Text; truncated to max_length code points

    const Answer* answer(const std::string& question_id) const;
    const Answer* current_answer() const { return answer(current().id); }
    bool has_answer() const;   // the current question has a non-skip answer

    // Navigation. next() keeps the answer (or records a skip if there is none);
    // skip() drops any answer; back() keeps everything. Both return false at the end.
    bool next();
    bool skip();
    bool back();               // false on the first question
    // Called when the resident presses Send: records a skip for the current question if
    // it has no answer, so the last question is never missing from answers_json().
    void finish();

    // Every question ends up as an answer or a skip; questions never reached are absent.
    // Shape: {"question_id": 4 | "dont_know" | "option_id" | ["a","b"] | "text" | null(skipped)}
    nlohmann::json answers_json() const;

private:
    Answer& slot();
    const Survey* survey_;
    std::string language_;
    std::size_t index_ = 0;
    std::size_t reached_ = 0;
    std::map<std::string, Answer> answers_;
};

}  // namespace tillit
