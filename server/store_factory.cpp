// Chooses the ServerStore backend from the --store argument: a PostgreSQL connection
// string (URI or key=value form) goes to libpq, anything else is a SQLite file path.
// Opening and migrating is each backend's own business.
#include <cctype>
#include <string_view>

#include "server_store.h"

namespace tillit::server {
namespace {

// libpq's key=value form ("host=db dbname=tillit") starts with a keyword and '=';
// a file path practically never does, and "./x=y.db" still reads as a path.
bool is_conninfo(std::string_view text) {
    std::size_t i = 0;
    auto space = [&] { while (i < text.size() && std::isspace(static_cast<unsigned char>(text[i]))) ++i; };
    space();
    const std::size_t start = i;
    while (i < text.size() && (std::isalpha(static_cast<unsigned char>(text[i])) || text[i] == '_')) ++i;
    if (i == start) return false;
    space();
    return i < text.size() && text[i] == '=';
}

}  // namespace

Result<std::unique_ptr<ServerStore>> open_server_store(const std::string& location) {
    if (location.empty()) return make_error("--store is empty: give a file path or a postgresql:// URI");
    if (location.starts_with("postgresql://") || location.starts_with("postgres://") || is_conninfo(location)) {
        return open_postgres_server_store(location);
    }
    return open_sqlite_server_store(location);
}

}  // namespace tillit::server
