// Internal to tillit_core: the TOML checking helpers that the survey loader
// (survey.cpp) and the kiosk.toml loader (config.cpp) share, so both speak in the same
// "path:line: what is wrong and how to fix it" lines. Rules about which keys a table
// may hold and how values are read stay with each loader; nothing here knows about them.
#pragma once

#include <toml++/toml.h>

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/result.h"

namespace tillit::detail {

using Check = std::optional<Error>;

// Formats "path:line: what". toml++ counts lines from 1; 0 means "no position", shown as 1.
class FileErrors {
public:
    explicit FileErrors(std::string path) : path_(std::move(path)) {}

    Error at(const toml::source_region& where, const std::string& what) const;
    Error at(const toml::node& node, const std::string& what) const { return at(node.source(), what); }
    Error at(const toml::key& key, const std::string& what) const { return at(key.source(), what); }

private:
    std::string path_;
};

// One table being read and what to call it in messages ("[kiosk]", "question \"inst_trust\"").
struct Place {
    const FileErrors& errors;
    const toml::table& table;
    std::string name;
};

// "a text", "an integer", ... for "must be X, not Y" messages.
const char* type_name(const toml::node& node);

std::string in_quotes(std::string_view text);

// Lowercase letters a-z, digits and `separator`; not empty.
bool is_id(std::string_view id, char separator);

// The table's entries in the order they appear in the file: toml++ keeps keys sorted,
// but a person fixing a file expects the first problem to be the one nearest the top.
std::vector<std::pair<const toml::key*, const toml::node*>> in_file_order(const toml::table& table);

// "<place> has no "<key>"; <hint>", pointing at the table.
Error missing(const Place& place, std::string_view key, const std::string& hint);

// Reads and parses `path`. A missing or unreadable file gets its own message
// ("path: cannot read the <kind> (...)"); bad TOML is "path:line: not valid TOML: ...".
Result<toml::table> parse_toml_file(const std::string& path, std::string_view kind, const FileErrors& errors);

}  // namespace tillit::detail
