// Loads a survey file (TOML) into the Survey model and checks every key, type, range
// and per-language text up front, so a municipality's typo becomes one clear
// "path:line: what is wrong and how to fix it" at start instead of a broken screen.
// It does not check the UI catalogs (i18n.cpp) nor anything about answers (session.cpp).

#include "core/survey.h"

#include <toml++/toml.h>

#include <algorithm>
#include <cstdint>
#include <limits>
#include <optional>
#include <string_view>
#include <utility>

#include "core/config.h"
#include "core/toml_checks.h"

namespace tillit {

namespace {

// What text_in hands back when a text has no language at all; a reference must outlive the call.
const std::string no_text;

constexpr std::string_view text_separator = "::";
constexpr std::int64_t max_text_length_limit = 2000;

using detail::Check;
using detail::FileErrors;
using detail::in_file_order;
using detail::in_quotes;
using detail::missing;
using detail::Place;
using detail::type_name;

bool is_survey_id(std::string_view id) { return detail::is_id(id, '_'); }

// Keys one kind of table may hold: plain ones, and texts written "base::<lang>".
struct KeyRules {
    std::vector<std::string_view> plain;
    std::vector<std::string_view> texts;
};

std::string allowed_keys(const KeyRules& rules) {
    std::string list;
    for (auto key : rules.plain) list += (list.empty() ? "" : ", ") + std::string(key);
    for (auto base : rules.texts) list += (list.empty() ? "" : ", ") + std::string(base) + "::<lang>";
    return list;
}

// Rejects unknown keys (typos like "lable::sv" would otherwise vanish silently) and
// text keys in a language the kiosk cannot show.
Check check_keys(const Place& place, const KeyRules& rules) {
    for (const auto& [key, node] : in_file_order(place.table)) {
        const std::string_view name = key->str();
        if (std::find(rules.plain.begin(), rules.plain.end(), name) != rules.plain.end()) continue;
        const auto separator = name.find(text_separator);
        const auto base = name.substr(0, separator);
        const bool is_text_base = std::find(rules.texts.begin(), rules.texts.end(), base) != rules.texts.end();
        if (is_text_base && separator == std::string_view::npos) {
            return place.errors.at(*key, in_quotes(name) + " needs a language: write \"" + std::string(name) +
                                             "::sv\" = \"...\", \"" + std::string(name) + "::en\" = \"...\"");
        }
        if (is_text_base) {
            const auto language = name.substr(separator + text_separator.size());
            if (is_known_language(language)) continue;
            return place.errors.at(*key, "unknown language " + in_quotes(language) + " in " + in_quotes(name) +
                                             " in " + place.name + "; known languages: " + known_language_list());
        }
        return place.errors.at(*key, "unknown key " + in_quotes(name) + " in " + place.name +
                                         "; allowed keys: " + allowed_keys(rules));
    }
    return std::nullopt;
}

Check read_string(const Place& place, std::string_view key, std::optional<std::string>& out) {
    const toml::node* node = place.table.get(key);
    if (node == nullptr) return std::nullopt;
    const auto* value = node->as_string();
    if (value == nullptr) {
        return place.errors.at(*node, std::string(key) + " must be a text in quotes, not " + type_name(*node));
    }
    out = value->get();
    return std::nullopt;
}

Check read_bool(const Place& place, std::string_view key, bool& out) {
    const toml::node* node = place.table.get(key);
    if (node == nullptr) return std::nullopt;
    const auto* value = node->as_boolean();
    if (value == nullptr) {
        return place.errors.at(*node, std::string(key) + " must be true or false, not " + type_name(*node));
    }
    out = value->get();
    return std::nullopt;
}

// An integer in lo..hi; `out` stays empty when the key is absent.
Check read_integer(const Place& place, std::string_view key, std::int64_t lo, std::int64_t hi,
                   std::optional<int>& out) {
    const toml::node* node = place.table.get(key);
    if (node == nullptr) return std::nullopt;
    const auto* value = node->as_integer();
    if (value == nullptr) {
        return place.errors.at(*node, std::string(key) + " must be an integer, not " + type_name(*node));
    }
    const std::int64_t number = value->get();
    if (number < lo || number > hi) {
        const std::string range = hi == std::numeric_limits<int>::max()
                                      ? std::to_string(lo) + " or more"
                                      : "from " + std::to_string(lo) + " to " + std::to_string(hi);
        return place.errors.at(*node, std::string(key) + " = " + std::to_string(number) + " is out of range in " +
                                          place.name + "; use a whole number " + range);
    }
    out = static_cast<int>(number);
    return std::nullopt;
}

Check read_id(const Place& place, std::string& out, const std::string& hint) {
    std::optional<std::string> id;
    if (auto error = read_string(place, "id", id)) return error;
    if (!id) return missing(place, "id", hint);
    if (!is_survey_id(*id)) {
        return place.errors.at(*place.table.get("id"),
                               "id " + in_quotes(*id) + " in " + place.name +
                                   " must be lowercase letters a-z, digits and _ (like \"inst_trust\"), not empty");
    }
    out = std::move(*id);
    return std::nullopt;
}

// Collects every "base::<lang>" text (check_keys has already vetted the languages).
Check read_texts(const Place& place, std::string_view base, LocalText& out) {
    const std::string prefix = std::string(base) + std::string(text_separator);
    for (const auto& [key, node] : in_file_order(place.table)) {
        const std::string_view name = key->str();
        if (name.substr(0, prefix.size()) != prefix) continue;
        const auto* value = node->as_string();
        if (value == nullptr) {
            return place.errors.at(*key, in_quotes(name) + " must be a text in quotes, not " + type_name(*node));
        }
        if (value->get().empty()) {
            return place.errors.at(*key, in_quotes(name) + " in " + place.name +
                                             " is empty; write the text or remove the key");
        }
        out[std::string(name.substr(prefix.size()))] = value->get();
    }
    return std::nullopt;
}

// Every language the kiosk shows must have the text, or a resident would meet a blank.
Check require_languages(const Place& place, std::string_view base, const LocalText& text,
                        const std::vector<std::string>& languages) {
    for (const auto& language : languages) {
        if (text.count(language) != 0) continue;
        const std::string key = std::string(base) + std::string(text_separator) + language;
        return place.errors.at(place.table, place.name + " has no " + in_quotes(key) + " (" +
                                                std::string(english_language_name(language)) +
                                                "); add " + in_quotes(key) + " = \"...\"");
    }
    return std::nullopt;
}

Check read_required_texts(const Place& place, std::string_view base, const std::vector<std::string>& languages,
                          LocalText& out) {
    if (auto error = read_texts(place, base, out)) return error;
    return require_languages(place, base, out, languages);
}

bool is_scale(QuestionType type) { return type == QuestionType::Scale5 || type == QuestionType::Scale4; }

std::optional<QuestionType> parse_question_type(std::string_view name) {
    for (auto type : {QuestionType::Scale5, QuestionType::Scale4, QuestionType::Single, QuestionType::Multi,
                      QuestionType::Text}) {
        if (name == to_string(type)) return type;
    }
    return std::nullopt;
}

// A key that only some question types may carry; found on another type it is an error.
Check reject_key(const Place& place, std::string_view key, const std::string& why) {
    const toml::node* node = place.table.get(key);
    if (node == nullptr) return std::nullopt;
    return place.errors.at(*node, std::string(key) + " " + why + "; remove it from " + place.name);
}

Check reject_texts(const Place& place, std::string_view base, const std::string& why) {
    const std::string prefix = std::string(base) + std::string(text_separator);
    for (const auto& [key, node] : in_file_order(place.table)) {
        if (key->str().substr(0, prefix.size()) != prefix) continue;
        return place.errors.at(*key, in_quotes(key->str()) + " " + why + "; remove it from " + place.name);
    }
    return std::nullopt;
}

// What to call a question or option in messages: its id when it has a usable one, else
// its position ("question 3"), since the id itself may be what is wrong.
std::string display_name(const toml::table& table, std::size_t position) {
    const auto* id = table.get_as<std::string>("id");
    if (id != nullptr && is_survey_id(id->get())) return in_quotes(id->get());
    return std::to_string(position);
}

const KeyRules option_keys{{"id", "exclusive"}, {"label"}};

Check read_option(const Place& place, const Question& question, const std::vector<std::string>& languages,
                  std::vector<Option>& options) {
    if (auto error = check_keys(place, option_keys)) return error;
    Option option;
    if (auto error = read_id(place, option.id, "add id = \"...\" (lowercase letters, digits and _)")) return error;
    for (const auto& other : options) {
        if (other.id == option.id) {
            return place.errors.at(*place.table.get("id"), "duplicate option id " + in_quotes(option.id) +
                                                               " in question " + in_quotes(question.id) +
                                                               "; option ids must be unique within a question");
        }
    }
    if (auto error = read_required_texts(place, "label", languages, option.label)) return error;
    if (question.type != QuestionType::Multi) {
        if (auto error = reject_key(place, "exclusive", "is only for options of multi questions")) return error;
    }
    if (auto error = read_bool(place, "exclusive", option.exclusive)) return error;
    options.push_back(std::move(option));
    return std::nullopt;
}

Check read_options(const Place& place, const std::vector<std::string>& languages, Question& question) {
    const toml::node* node = place.table.get("options");
    if (node == nullptr) return std::nullopt;
    if (question.type == QuestionType::Text) {
        return place.errors.at(*node, "text question " + in_quotes(question.id) +
                                          " cannot have options; remove its [[questions.options]]");
    }
    const auto* array = node->as_array();
    // An empty list is not "of tables" to toml++, but it is simply "no options" here.
    if (array == nullptr || (!array->empty() && !array->is_array_of_tables())) {
        return place.errors.at(*node, "options in " + place.name +
                                          " must be a list of [[questions.options]] tables");
    }
    for (const auto& element : *array) {
        const auto& table = *element.as_table();
        const Place option_place{place.errors, table,
                                 "option " + display_name(table, question.options.size() + 1) + " of question " +
                                     in_quotes(question.id)};
        if (auto error = read_option(option_place, question, languages, question.options)) return error;
    }
    return std::nullopt;
}

const KeyRules question_keys{{"id", "type", "optional", "dont_know", "max", "max_length", "options"},
                             {"label", "low", "high", "note"}};

Check read_question(const Place& place, const std::vector<std::string>& languages,
                    const std::vector<Question>& earlier, Question& question) {
    if (auto error = check_keys(place, question_keys)) return error;
    if (auto error = read_id(place, question.id, "add id = \"...\" (lowercase letters, digits and _)")) return error;
    for (std::size_t i = 0; i < earlier.size(); ++i) {
        if (earlier[i].id != question.id) continue;
        return place.errors.at(*place.table.get("id"), "duplicate question id " + in_quotes(question.id) +
                                                           " (question " + std::to_string(i + 1) +
                                                           " has it too); question ids must be unique");
    }

    std::optional<std::string> type_name_text;
    if (auto error = read_string(place, "type", type_name_text)) return error;
    if (!type_name_text) {
        return missing(place, "type", "add type = \"scale5\", \"scale4\", \"single\", \"multi\" or \"text\"");
    }
    const auto type = parse_question_type(*type_name_text);
    if (!type) {
        return place.errors.at(*place.table.get("type"),
                               "unknown question type " + in_quotes(*type_name_text) + " in " + place.name +
                                   "; use \"scale5\", \"scale4\", \"single\", \"multi\" or \"text\"");
    }
    question.type = *type;

    if (auto error = read_required_texts(place, "label", languages, question.label)) return error;
    // A note is optional, but once written it must reach every language.
    if (auto error = read_texts(place, "note", question.note)) return error;
    if (!question.note.empty()) {
        if (auto error = require_languages(place, "note", question.note, languages)) return error;
    }
    if (auto error = read_bool(place, "optional", question.skippable)) return error;

    if (is_scale(question.type)) {
        if (auto error = read_required_texts(place, "low", languages, question.low_label)) return error;
        if (auto error = read_required_texts(place, "high", languages, question.high_label)) return error;
        if (auto error = read_bool(place, "dont_know", question.dont_know)) return error;
    } else {
        const std::string why = "is only for scale questions (scale5, scale4)";
        if (auto error = reject_texts(place, "low", why)) return error;
        if (auto error = reject_texts(place, "high", why)) return error;
        if (auto error = reject_key(place, "dont_know", why)) return error;
    }
    if (question.type != QuestionType::Multi) {
        if (auto error = reject_key(place, "max", "is only for multi questions")) return error;
    }
    if (question.type != QuestionType::Text) {
        if (auto error = reject_key(place, "max_length", "is only for text questions")) return error;
    }

    if (auto error = read_options(place, languages, question)) return error;
    const auto option_count = static_cast<std::int64_t>(question.options.size());
    switch (question.type) {
        case QuestionType::Scale5:
        case QuestionType::Scale4:
            break;  // extra options ("I have not met anyone") are allowed, none are needed
        case QuestionType::Single:
        case QuestionType::Multi:
            if (option_count < 2) {
                return place.errors.at(place.table, std::string(to_string(question.type)) + " question " +
                                                        in_quotes(question.id) + " needs at least 2 options (it has " +
                                                        std::to_string(option_count) +
                                                        "); add [[questions.options]] tables");
            }
            break;
        case QuestionType::Text: {
            std::optional<int> max_length;
            if (auto error = read_integer(place, "max_length", 1, max_text_length_limit, max_length)) return error;
            if (!max_length) return missing(place, "max_length", "add max_length = 280 (characters, at most 2000)");
            question.max_length = *max_length;
            break;
        }
    }
    if (question.type == QuestionType::Multi) {
        std::optional<int> max_choices;
        if (auto error = read_integer(place, "max", 1, option_count, max_choices)) return error;
        question.max_choices = max_choices.value_or(static_cast<int>(option_count));
    }
    return std::nullopt;
}

Check read_questions(const Place& place, const std::vector<std::string>& languages, std::vector<Question>& out) {
    const toml::node* node = place.table.get("questions");
    if (node == nullptr) return missing(place, "questions", "add at least one [[questions]] table");
    const auto* array = node->as_array();
    if (array != nullptr && array->empty()) {
        return place.errors.at(*node, "the survey has no questions; add at least one [[questions]] table");
    }
    if (array == nullptr || !array->is_array_of_tables()) {
        return place.errors.at(*node, "questions must be a list of [[questions]] tables");
    }
    for (const auto& element : *array) {
        const auto& table = *element.as_table();
        const Place question_place{place.errors, table, "question " + display_name(table, out.size() + 1)};
        Question question;
        if (auto error = read_question(question_place, languages, out, question)) return error;
        out.push_back(std::move(question));
    }
    return std::nullopt;
}

Check read_flow(const Place& place, Survey& survey) {
    std::optional<std::string> flow;
    if (auto error = read_string(place, "flow", flow)) return error;
    if (!flow || *flow == "sequential") {
        survey.flow = SurveyFlow::Sequential;
    } else if (*flow == "one_tap") {
        survey.flow = SurveyFlow::OneTap;
    } else {
        return place.errors.at(*place.table.get("flow"),
                               "flow must be \"sequential\" or \"one_tap\", not " + in_quotes(*flow));
    }
    std::optional<int> timeout;
    if (auto error = read_integer(place, "followup_timeout_seconds", 3, 120, timeout)) return error;
    if (timeout) survey.followup_timeout_seconds = *timeout;
    return std::nullopt;
}

const KeyRules survey_keys{{"id", "version", "flow", "followup_timeout_seconds", "questions"}, {"title", "summary"}};

Check read_survey(const Place& place, const std::vector<std::string>& languages, Survey& survey) {
    if (auto error = check_keys(place, survey_keys)) return error;
    const std::string id_hint = "add id = \"...\" (lowercase letters, digits and _, like the file name)";
    if (auto error = read_id(place, survey.id, id_hint)) return error;
    std::optional<int> version;
    if (auto error = read_integer(place, "version", 1, std::numeric_limits<int>::max(), version)) return error;
    if (!version) return missing(place, "version", "add version = 1 and bump it when the questions change");
    survey.version = *version;
    if (auto error = read_flow(place, survey)) return error;
    if (auto error = read_required_texts(place, "title", languages, survey.title)) return error;
    if (auto error = read_required_texts(place, "summary", languages, survey.summary)) return error;
    if (auto error = read_questions(place, languages, survey.questions)) return error;

    // One tap must be able to complete a response, so the first question has to be tappable.
    const Question& first = survey.questions.front();
    if (survey.flow == SurveyFlow::OneTap && !is_scale(first.type) && first.type != QuestionType::Single) {
        const auto& first_table = *place.table.get("questions")->as_array()->front().as_table();
        return place.errors.at(first_table, "a one_tap survey must start with a scale5, scale4 or single question, "
                                            "but question " + in_quotes(first.id) + " is " + to_string(first.type) +
                                            "; move a tappable question first or use flow = \"sequential\"");
    }
    return std::nullopt;
}

}  // namespace

const std::string& text_in(const LocalText& text, const std::string& language) {
    if (auto found = text.find(language); found != text.end()) return found->second;
    if (auto swedish = text.find("sv"); swedish != text.end()) return swedish->second;
    if (!text.empty()) return text.begin()->second;
    return no_text;
}

const char* to_string(QuestionType type) {
    switch (type) {
        case QuestionType::Scale5: return "scale5";
        case QuestionType::Scale4: return "scale4";
        case QuestionType::Single: return "single";
        case QuestionType::Multi: return "multi";
        case QuestionType::Text: return "text";
    }
    return "unknown";
}

const Option* Question::find_option(const std::string& option_id) const {
    for (const auto& option : options) {
        if (option.id == option_id) return &option;
    }
    return nullptr;
}

const Question* Survey::find_question(const std::string& question_id) const {
    for (const auto& question : questions) {
        if (question.id == question_id) return &question;
    }
    return nullptr;
}

Result<Survey> load_survey(const std::string& path, const std::vector<std::string>& languages) {
    const FileErrors errors(path);
    auto root = detail::parse_toml_file(path, "survey file", errors);
    if (!root) return make_error(root.error());

    Survey survey;
    survey.source_path = path;
    if (auto error = read_survey(Place{errors, root.value(), "the survey"}, languages, survey)) return *error;
    return survey;
}

}  // namespace tillit
