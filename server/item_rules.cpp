// The content rules for received items. Each rule names the field in its reason, so a
// kiosk developer sees at once which field to fix; reasons never quote values (they
// go to the logs' neighbourhood and could carry answers).
#include "item_rules.h"

#include <algorithm>
#include <array>
#include <string_view>

namespace tillit::server {
namespace {

bool all_of_chars(std::string_view text, std::string_view allowed_extra) {
    return std::all_of(text.begin(), text.end(), [&](char c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || allowed_extra.find(c) != std::string_view::npos;
    });
}

bool digits(std::string_view text, std::size_t from, std::size_t count) {
    return std::all_of(text.begin() + static_cast<std::ptrdiff_t>(from),
                       text.begin() + static_cast<std::ptrdiff_t>(from + count),
                       [](char c) { return c >= '0' && c <= '9'; });
}

// "2026-11-23" (day) or "2026-11-23T14" (hour): never finer than an hour.
bool is_time_bucket(std::string_view t) {
    const bool day = t.size() >= 10 && digits(t, 0, 4) && t[4] == '-' && digits(t, 5, 2) && t[7] == '-' &&
                     digits(t, 8, 2);
    if (!day) return false;
    if (t.size() == 10) return true;
    return t.size() == 13 && t[10] == 'T' && digits(t, 11, 2);
}

bool is_whole_number(const nlohmann::json& value) {
    return value.is_number_unsigned() || (value.is_number_integer() && value.get<long long>() >= 0);
}

std::string check_string(const nlohmann::json& content, const char* key, std::string_view allowed_extra) {
    const auto& value = content[key];
    if (!value.is_string()) return std::string(key) + " must be a string";
    const auto& text = value.get_ref<const std::string&>();
    if (text.empty() || text.size() > 64 || !all_of_chars(text, allowed_extra)) {
        return std::string(key) + " must be 1 to 64 characters of a-z, 0-9 and " + std::string(allowed_extra);
    }
    return {};
}

// A finished workshop (core/workshop.h record_json): where and which day, and the record.
std::string workshop_problem(const nlohmann::json& content) {
    for (const auto& [key, value] : content.items()) {
        if (key != "venue_id" && key != "time_bucket" && key != "workshop") {
            return "content has a field the protocol does not allow: " + key.substr(0, 64);
        }
    }
    for (const char* key : {"venue_id", "time_bucket", "workshop"}) {
        if (!content.contains(key)) return std::string("content lacks ") + key;
    }
    if (auto problem = check_string(content, "venue_id", "-_"); !problem.empty()) return problem;
    const auto& day = content["time_bucket"];
    if (!day.is_string() || day.get<std::string>().size() != 10 || !is_time_bucket(day.get<std::string>())) {
        return "a workshop's time_bucket must be a day, YYYY-MM-DD";
    }
    const auto& w = content["workshop"];
    if (!w.is_object()) return "workshop must be an object";
    for (const char* key : {"title", "goal", "question", "question_kind", "data_scope"}) {
        if (!w.contains(key) || !w[key].is_string()) return std::string("workshop.") + key + " must be a string";
    }
    const std::string goal = w["goal"].get<std::string>();
    if (goal != "learn" && goal != "shared_picture" && goal != "ideas") {
        return "workshop.goal must be learn, shared_picture or ideas";
    }
    for (const char* key : {"dot_participants", "stance_participants", "dots_per_person", "hidden", "merged"}) {
        if (!w.contains(key) || !is_whole_number(w[key])) return std::string("workshop.") + key + " must be a whole number";
    }
    if (!w.contains("contributions") || !w["contributions"].is_object()) return "workshop.contributions must be an object";
    for (const char* step : {"partners", "wanted_info", "available_info", "next_steps"}) {
        const auto& list = w["contributions"].value(step, nlohmann::json());
        if (!list.is_array()) return std::string("workshop.contributions.") + step + " must be an array";
        for (const auto& c : list) {
            if (!c.is_object() || !c.contains("text") || !c["text"].is_string() || !c.contains("dots") ||
                !is_whole_number(c["dots"])) {
                return std::string("each of workshop.contributions.") + step + " needs a text and whole dots";
            }
        }
    }
    if (!w.contains("moderation") || !w["moderation"].is_array()) return "workshop.moderation must be an array";
    return {};
}

}  // namespace

std::string item_content_problem(const wire::Item& item) {
    const nlohmann::json& content = item.content;
    if (!content.is_object()) return "content must be an object";
    if (item.kind == wire::ItemKind::Workshop) return workshop_problem(content);
    constexpr std::array<const char*, 5> kCommon = {"survey_id", "survey_version", "language", "venue_id",
                                                    "time_bucket"};
    constexpr std::array<const char*, 1> kResponse = {"answers"};
    constexpr std::array<const char*, 2> kAbandonment = {"reached_step", "total_steps"};
    const bool response = item.kind == wire::ItemKind::Response;

    auto listed = [&](const std::string& key) {
        auto in = [&](const auto& keys) { return std::find(keys.begin(), keys.end(), key) != keys.end(); };
        return in(kCommon) || (response ? in(kResponse) : in(kAbandonment));
    };
    for (const auto& [key, value] : content.items()) {
        if (!listed(key)) return "content has a field the protocol does not allow: " + key.substr(0, 64);
    }
    auto missing = [&](const auto& keys) -> std::string {
        for (const char* key : keys) {
            if (!content.contains(key)) return std::string("content lacks ") + key;
        }
        return {};
    };
    if (auto problem = missing(kCommon); !problem.empty()) return problem;
    if (auto problem = response ? missing(kResponse) : missing(kAbandonment); !problem.empty()) return problem;

    if (auto problem = check_string(content, "survey_id", "_"); !problem.empty()) return problem;
    if (auto problem = check_string(content, "language", "-"); !problem.empty()) return problem;
    if (auto problem = check_string(content, "venue_id", "-_"); !problem.empty()) return problem;
    if (!is_whole_number(content["survey_version"])) return "survey_version must be a whole number";
    if (!content["time_bucket"].is_string() || !is_time_bucket(content["time_bucket"].get<std::string>())) {
        return "time_bucket must be YYYY-MM-DD or YYYY-MM-DDTHH (never finer than an hour)";
    }
    if (response) {
        if (!content["answers"].is_object()) return "answers must be an object";
        return {};
    }
    const auto& reached = content["reached_step"];
    const auto& total = content["total_steps"];
    if (!is_whole_number(reached) || !is_whole_number(total)) {
        return "reached_step and total_steps must be whole numbers";
    }
    if (reached.get<long long>() > total.get<long long>()) return "reached_step is greater than total_steps";
    return {};
}

}  // namespace tillit::server
