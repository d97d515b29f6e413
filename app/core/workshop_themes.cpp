// Reads workshop-themes.toml with the same checks and messages as the survey files.
#include "core/workshop_themes.h"

#include <filesystem>
#include <set>

#include "core/toml_checks.h"

namespace tillit {
namespace {

const std::string kNoText;
constexpr const char* kRequired[] = {"sv", "en"};

}  // namespace

std::string workshop_themes_path(const std::string& surveys_dir) {
    return (std::filesystem::path(surveys_dir).parent_path() / "workshop-themes.toml").string();
}

const std::string& theme_text(const LocalText& text, const std::string& language) {
    for (const std::string& wanted : {language, std::string("en"), std::string("sv")}) {
        if (auto found = text.find(wanted); found != text.end()) return found->second;
    }
    return kNoText;
}

Result<std::vector<WorkshopTheme>> load_workshop_themes(const std::string& path) {
    const detail::FileErrors errors(path);
    auto parsed = detail::parse_toml_file(path, "workshop themes", errors);
    if (!parsed) return make_error(parsed.error());
    const toml::table& root = parsed.value();
    const toml::array* list = root["themes"].as_array();
    if (list == nullptr || list->empty()) {
        return errors.at(root.source(), "no [[themes]]; each theme needs id, name::sv, name::en, promoting::<lang> and "
                                        "preventive::<lang>");
    }
    std::vector<WorkshopTheme> themes;
    std::set<std::string> ids;
    for (const toml::node& node : *list) {
        const toml::table* table = node.as_table();
        if (table == nullptr) return errors.at(node, "each [[themes]] entry must be a table");
        WorkshopTheme theme;
        for (const auto& [key, value] : *table) {
            const std::string name(key.str());
            if (name == "id") {
                if (!value.is_string() || !detail::is_id(*value.value<std::string>(), '_')) {
                    return errors.at(value, "id must be lower-case letters, digits and _");
                }
                theme.id = *value.value<std::string>();
                continue;
            }
            const auto separator = name.find("::");
            const std::string base = name.substr(0, separator);
            if (separator == std::string::npos || (base != "name" && base != "promoting" && base != "preventive")) {
                return errors.at(key, "unknown key " + detail::in_quotes(name) +
                                          "; a theme has id, name::<lang>, promoting::<lang>, preventive::<lang>");
            }
            if (!value.is_string() || value.value<std::string>()->empty()) {
                return errors.at(value, name + " must be a text that is not empty");
            }
            LocalText& target = base == "name" ? theme.name : base == "promoting" ? theme.promoting : theme.preventive;
            target[name.substr(separator + 2)] = *value.value<std::string>();
        }
        if (theme.id.empty()) return errors.at(*table, "a theme has no id");
        if (!ids.insert(theme.id).second) return errors.at(*table, "the theme id " + theme.id + " is used twice");
        for (const char* language : kRequired) {
            const std::pair<const LocalText*, const char*> texts[] = {
                {&theme.name, "name"}, {&theme.promoting, "promoting"}, {&theme.preventive, "preventive"}};
            for (const auto& [text, base] : texts) {
                if (text->count(language) == 0) {
                    return errors.at(*table, "theme " + theme.id + " has no " + base + "::" + language);
                }
            }
        }
        themes.push_back(std::move(theme));
    }
    return themes;
}

}  // namespace tillit
