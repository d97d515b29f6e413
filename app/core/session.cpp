// The answering session: applies a resident's taps to the in-memory answers and moves
// between questions. Invalid taps (wrong question type, unknown option, out-of-range
// step) are ignored, never fatal: a stale UI frame must not crash the kiosk.
// Storage, scrubbing of free text and sealing happen elsewhere (store.h, privacy.h);
// nothing here logs, because every value here is an answer.
#include "core/session.h"

#include <algorithm>
#include <utility>

#include <nlohmann/json.hpp>

namespace tillit {

namespace {

// Length of the valid UTF-8 sequence starting at text[i], or 1 for an invalid byte,
// so invalid input still counts one per byte and a valid character is never split.
// File-local rather than privacy.h's utf8_truncate so core files link independently.
std::size_t utf8_sequence_length(const std::string& text, std::size_t i) {
    const auto lead = static_cast<unsigned char>(text[i]);
    std::size_t length = 1;
    if (lead >= 0xF0 && lead <= 0xF4) {
        length = 4;
    } else if (lead >= 0xE0) {
        length = lead <= 0xEF ? 3 : 1;
    } else if (lead >= 0xC2) {
        length = 2;
    }
    if (length == 1 || i + length > text.size()) return 1;
    for (std::size_t k = 1; k < length; ++k) {
        if ((static_cast<unsigned char>(text[i + k]) & 0xC0) != 0x80) return 1;
    }
    return length;
}

std::string truncate_code_points(std::string text, std::size_t max_chars) {
    std::size_t pos = 0;
    for (std::size_t chars = 0; pos < text.size() && chars < max_chars; ++chars) {
        pos += utf8_sequence_length(text, pos);
    }
    text.resize(pos);
    return text;
}

// Positional rather than designated initializers: -Wextra flags every member left out.
Answer make_answer(Answer::Kind kind, int scale = 0, std::vector<std::string> choices = {}, std::string text = {}) {
    Answer answer;
    answer.kind = kind;
    answer.scale = scale;
    answer.choices = std::move(choices);
    answer.text = std::move(text);
    return answer;
}

bool is_scale(QuestionType type) { return type == QuestionType::Scale5 || type == QuestionType::Scale4; }

// Index of the option in the question, or options.size() when it is not there.
// Iterates by hand instead of Question::find_option so this file does not depend on
// survey.cpp for anything but the model.
std::size_t option_index(const Question& question, const std::string& option_id) {
    const auto& options = question.options;
    const auto it = std::find_if(options.begin(), options.end(),
                                 [&](const Option& option) { return option.id == option_id; });
    return static_cast<std::size_t>(it - options.begin());
}

bool has_option(const Question& question, const std::string& option_id) {
    return option_index(question, option_id) < question.options.size();
}

bool is_exclusive(const Question& question, const std::string& option_id) {
    const std::size_t index = option_index(question, option_id);
    return index < question.options.size() && question.options[index].exclusive;
}

}  // namespace

Session::Session(const Survey& survey, std::string language)
    : survey_(&survey), language_(std::move(language)) {}

Answer& Session::slot() { return answers_[current().id]; }

const Answer* Session::answer(const std::string& question_id) const {
    const auto it = answers_.find(question_id);
    return it == answers_.end() ? nullptr : &it->second;
}

bool Session::has_answer() const {
    if (count() == 0) return false;
    const Answer* existing = current_answer();
    return existing != nullptr && existing->kind != Answer::Kind::Skipped;
}

void Session::choose_scale(int step) {
    if (count() == 0) return;
    const Question& question = current();
    if (!is_scale(question.type) || step < 1 || step > question.scale_steps()) return;
    slot() = make_answer(Answer::Kind::Scale, step);
}

void Session::choose_dont_know() {
    if (count() == 0 || !current().dont_know) return;
    slot() = make_answer(Answer::Kind::DontKnow);
}

void Session::choose_option(const std::string& option_id) {
    if (count() == 0) return;
    const Question& question = current();
    const bool single_or_scale = question.type == QuestionType::Single || is_scale(question.type);
    if (!single_or_scale || !has_option(question, option_id)) return;
    slot() = make_answer(Answer::Kind::Choice, 0, {option_id});
}

// Invalid taps report Deselected: the option is, after all, not selected.
ToggleResult Session::toggle_option(const std::string& option_id) {
    if (count() == 0) return ToggleResult::Deselected;
    const Question& question = current();
    if (question.type != QuestionType::Multi || !has_option(question, option_id)) {
        return ToggleResult::Deselected;
    }

    std::vector<std::string> chosen;
    if (const Answer* existing = current_answer(); existing && existing->kind == Answer::Kind::Choice) {
        chosen = existing->choices;
    }

    if (const auto it = std::find(chosen.begin(), chosen.end(), option_id); it != chosen.end()) {
        chosen.erase(it);
        // An empty multi selection is no answer at all, so next() will record a skip.
        if (chosen.empty()) {
            answers_.erase(question.id);
        } else {
            slot().choices = std::move(chosen);
        }
        return ToggleResult::Deselected;
    }

    if (is_exclusive(question, option_id)) {
        chosen = {option_id};
    } else {
        std::erase_if(chosen, [&](const std::string& id) { return is_exclusive(question, id); });
        // max_choices 0 would be rejected by the loader; treat it as "no limit" anyway.
        const auto limit = question.max_choices > 0 ? static_cast<std::size_t>(question.max_choices)
                                                    : question.options.size();
        if (chosen.size() >= limit) return ToggleResult::AtMaximum;
        chosen.push_back(option_id);
    }
    // Survey order, so the stored answer does not depend on the order of the taps.
    std::sort(chosen.begin(), chosen.end(), [&](const std::string& a, const std::string& b) {
        return option_index(question, a) < option_index(question, b);
    });
    slot() = make_answer(Answer::Kind::Choice, 0, std::move(chosen));
    return ToggleResult::Selected;
}

void Session::set_text(std::string text) {
    if (count() == 0) return;
    const Question& question = current();
    if (question.type != QuestionType::Text) return;
    if (question.max_length > 0) {
        text = truncate_code_points(std::move(text), static_cast<std::size_t>(question.max_length));
    }
    if (text.empty()) {
        answers_.erase(question.id);
        return;
    }
    slot() = make_answer(Answer::Kind::Text, 0, {}, std::move(text));
}

bool Session::next() {
    if (count() == 0) return false;
    finish();
    if (is_last()) return false;
    ++index_;
    reached_ = std::max(reached_, index_);
    return true;
}

bool Session::skip() {
    if (count() == 0) return false;
    slot() = make_answer(Answer::Kind::Skipped);
    if (is_last()) return false;
    ++index_;
    reached_ = std::max(reached_, index_);
    return true;
}

bool Session::back() {
    if (index_ == 0) return false;
    --index_;
    return true;
}

void Session::finish() {
    if (count() == 0) return;
    if (!has_answer()) slot() = make_answer(Answer::Kind::Skipped);
}

nlohmann::json Session::answers_json() const {
    auto out = nlohmann::json::object();
    for (const Question& question : survey_->questions) {
        const Answer* entry = answer(question.id);
        if (entry == nullptr) continue;
        nlohmann::json& value = out[question.id];
        switch (entry->kind) {
            case Answer::Kind::Scale: value = entry->scale; break;
            case Answer::Kind::DontKnow: value = "dont_know"; break;
            case Answer::Kind::Text: value = entry->text; break;
            case Answer::Kind::Skipped: value = nullptr; break;
            case Answer::Kind::Choice:
                if (question.type == QuestionType::Multi) {
                    value = entry->choices;
                } else {
                    value = entry->choices.empty() ? nlohmann::json(nullptr) : nlohmann::json(entry->choices.front());
                }
                break;
        }
    }
    return out;
}

}  // namespace tillit
