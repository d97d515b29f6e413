// Chooses the ServerStore backend from the --store argument: a PostgreSQL connection
// string (URI or key=value form) goes to libpq, anything else is a SQLite file path.
// Opening and migrating is each backend's own business.
#include <regex>

#include "server_store.h"

namespace tillit::server {

Result<std::unique_ptr<ServerStore>> open_server_store(const std::string& location) {
    if (location.empty()) return make_error("--store is empty: give a file path or a postgresql:// URI");
    // libpq's key=value form ("host=db dbname=tillit") starts with a keyword and '=';
    // a file path practically never does, and "./x=y.db" still reads as a path.
    const std::regex conninfo_keyword(R"(^\s*[A-Za-z_]+\s*=)");
    if (location.starts_with("postgresql://") || location.starts_with("postgres://") ||
        std::regex_search(location, conninfo_keyword)) {
        return open_postgres_server_store(location);
    }
    return open_sqlite_server_store(location);
}

}  // namespace tillit::server
