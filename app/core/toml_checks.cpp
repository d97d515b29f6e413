// The shared TOML checking helpers of survey.cpp and config.cpp (see toml_checks.h).
#include "core/toml_checks.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace tillit::detail {

Error FileErrors::at(const toml::source_region& where, const std::string& what) const {
    const auto line = std::max<toml::source_index>(where.begin.line, 1);
    return make_error(path_ + ":" + std::to_string(line) + ": " + what);
}

const char* type_name(const toml::node& node) {
    switch (node.type()) {
        case toml::node_type::string: return "a text";
        case toml::node_type::integer: return "an integer";
        case toml::node_type::floating_point: return "a decimal number";
        case toml::node_type::boolean: return "true/false";
        case toml::node_type::table: return "a table";
        case toml::node_type::array: return "a list";
        case toml::node_type::date: return "a date";
        case toml::node_type::time: return "a time";
        case toml::node_type::date_time: return "a date-time";
        case toml::node_type::none: break;
    }
    return "nothing";
}

std::string in_quotes(std::string_view text) { return "\"" + std::string(text) + "\""; }

bool is_id(std::string_view id, char separator) {
    return !id.empty() && std::all_of(id.begin(), id.end(), [separator](char c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == separator;
    });
}

std::vector<std::pair<const toml::key*, const toml::node*>> in_file_order(const toml::table& table) {
    std::vector<std::pair<const toml::key*, const toml::node*>> entries;
    for (auto&& [key, node] : table) entries.emplace_back(&key, &node);
    std::stable_sort(entries.begin(), entries.end(), [](const auto& a, const auto& b) {
        const auto& pa = a.first->source().begin;
        const auto& pb = b.first->source().begin;
        return pa.line != pb.line ? pa.line < pb.line : pa.column < pb.column;
    });
    return entries;
}

Error missing(const Place& place, std::string_view key, const std::string& hint) {
    return place.errors.at(place.table, place.name + " has no " + in_quotes(key) + "; " + hint);
}

Result<toml::table> parse_toml_file(const std::string& path, std::string_view kind, const FileErrors& errors) {
    // Read the whole file ourselves so a missing or unreadable file gets its own message.
    const std::string cannot_read = path + ": cannot read the " + std::string(kind);
    std::error_code ec;
    if (std::filesystem::is_directory(path, ec)) return make_error(cannot_read + " (it is a folder)");
    std::ifstream in(path, std::ios::binary);
    if (!in) return make_error(cannot_read + " (" + std::strerror(errno) + ")");
    std::ostringstream content;
    content << in.rdbuf();
    if (in.bad()) return make_error(cannot_read + " (" + std::strerror(errno) + ")");

    try {
        return toml::parse(content.str(), path);
    } catch (const toml::parse_error& error) {
        return errors.at(error.source(), "not valid TOML: " + std::string(error.description()));
    }
}

}  // namespace tillit::detail
