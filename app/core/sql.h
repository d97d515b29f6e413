// Internal to tillit_core: the small SQLite helpers every table group of the kiosk's
// database shares (store.cpp, workshop.cpp, report.cpp): owned handles, prepare + bind
// (bound parameters only), one-row queries, and one transaction that rolls back on any
// failure. Header-only; nothing here knows a table.
#pragma once

#include <sqlite3.h>

#include <memory>
#include <string>
#include <utility>

#include "core/result.h"

namespace tillit::sql {

struct ConnectionCloser {
    void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
};
struct StatementFinalizer {
    void operator()(sqlite3_stmt* stmt) const { sqlite3_finalize(stmt); }
};
using Connection = std::unique_ptr<sqlite3, ConnectionCloser>;
using Statement = std::unique_ptr<sqlite3_stmt, StatementFinalizer>;

inline std::string errmsg(sqlite3* db) { return sqlite3_errmsg(db); }

// For fixed SQL only; anything that carries a value goes through prepare + bind.
inline int exec(sqlite3* db, const char* sql) { return sqlite3_exec(db, sql, nullptr, nullptr, nullptr); }

inline Result<Statement> prepare(sqlite3* db, const char* sql) {
    sqlite3_stmt* raw = nullptr;
    const int rc = sqlite3_prepare_v2(db, sql, -1, &raw, nullptr);
    Statement stmt(raw);
    if (rc != SQLITE_OK) return make_error(errmsg(db));
    return Result<Statement>(std::move(stmt));
}

inline int bind_one(sqlite3_stmt* stmt, int index, const std::string& text) {
    return sqlite3_bind_text64(stmt, index, text.data(), text.size(), SQLITE_TRANSIENT, SQLITE_UTF8);
}
inline int bind_one(sqlite3_stmt* stmt, int index, int number) { return sqlite3_bind_int(stmt, index, number); }
inline int bind_one(sqlite3_stmt* stmt, int index, long long number) { return sqlite3_bind_int64(stmt, index, number); }
// Raw bytes (keys, gzipped bodies) go in as BLOBs, never as text.
struct Blob {
    const std::string& bytes;
};
inline int bind_one(sqlite3_stmt* stmt, int index, const Blob& blob) {
    return sqlite3_bind_blob64(stmt, index, blob.bytes.data(), blob.bytes.size(), SQLITE_TRANSIENT);
}

// Binds ?1, ?2, ... in order; returns the first failure.
template <class... Args>
int bind_all(sqlite3_stmt* stmt, const Args&... args) {
    int index = 0;
    int rc = SQLITE_OK;
    ((rc = rc == SQLITE_OK ? bind_one(stmt, ++index, args) : rc), ...);
    return rc;
}

inline std::string column_text(sqlite3_stmt* stmt, int column) {
    const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(stmt, column));
    return text == nullptr ? std::string() : std::string(text, static_cast<std::size_t>(sqlite3_column_bytes(stmt, column)));
}

inline std::string column_blob(sqlite3_stmt* stmt, int column) {
    const auto* bytes = static_cast<const char*>(sqlite3_column_blob(stmt, column));
    return bytes == nullptr ? std::string()
                            : std::string(bytes, static_cast<std::size_t>(sqlite3_column_bytes(stmt, column)));
}

// Runs a statement that returns one row and reads its first column.
inline Result<std::string> query_text(sqlite3* db, const char* sql) {
    auto stmt = prepare(db, sql);
    if (!stmt) return make_error(stmt.error());
    if (sqlite3_step(stmt.value().get()) != SQLITE_ROW) return make_error(errmsg(db));
    return column_text(stmt.value().get(), 0);
}

inline Result<long long> query_int(sqlite3* db, const char* sql) {
    auto stmt = prepare(db, sql);
    if (!stmt) return make_error(stmt.error());
    if (sqlite3_step(stmt.value().get()) != SQLITE_ROW) return make_error(errmsg(db));
    return static_cast<long long>(sqlite3_column_int64(stmt.value().get(), 0));
}

inline Status step_done(sqlite3* db, sqlite3_stmt* stmt) {
    if (sqlite3_step(stmt) != SQLITE_DONE) return make_error(errmsg(db));
    return Ok{};
}

// Prepares, binds and runs a statement that returns no rows.
template <class... Args>
Status run(sqlite3* db, const char* sql, const Args&... args) {
    auto stmt = prepare(db, sql);
    if (!stmt) return make_error(stmt.error());
    if constexpr (sizeof...(Args) > 0) {
        if (bind_all(stmt.value().get(), args...) != SQLITE_OK) return make_error(errmsg(db));
    }
    return step_done(db, stmt.value().get());
}

// Runs a statement prepared once (for loops over many rows): resets it, binds `args`
// and steps it to the end.
template <class... Args>
Status rerun(sqlite3* db, sqlite3_stmt* stmt, const Args&... args) {
    sqlite3_reset(stmt);
    if (bind_all(stmt, args...) != SQLITE_OK) return make_error(errmsg(db));
    return step_done(db, stmt);
}

// Runs `body` between BEGIN IMMEDIATE and COMMIT. Any failure, a failed COMMIT included,
// rolls back, so a row is either fully stored or not at all. IMMEDIATE takes the write
// lock up front, so a busy database fails here and not half-way through. On failure,
// `error_code` (when given) gets SQLite's extended code from before the rollback.
template <class Body>
Status in_transaction(sqlite3* db, const std::string& what, Body&& body, int* error_code = nullptr) {
    auto fail = [&](const std::string& reason) -> Status {
        if (error_code != nullptr) *error_code = sqlite3_extended_errcode(db);
        // After some errors (SQLITE_FULL, SQLITE_IOERR, SQLITE_NOMEM) SQLite has already
        // rolled back the whole transaction; a second ROLLBACK would only fail.
        if (sqlite3_get_autocommit(db) == 0) exec(db, "ROLLBACK");
        return make_error("could not " + what + ": " + reason);
    };
    if (exec(db, "BEGIN IMMEDIATE") != SQLITE_OK) return fail(errmsg(db));
    const Status done = body();
    if (!done) return fail(done.error());
    if (exec(db, "COMMIT") != SQLITE_OK) return fail(errmsg(db));
    return Ok{};
}

}  // namespace tillit::sql
