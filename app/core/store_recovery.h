// A kiosk stands alone in a public place: a damaged database must not stop it taking
// answers. At start the store file is checked; a damaged one (flipped bytes, a broken
// write-ahead log, an empty file, another program's database) is moved aside, never
// deleted, into data_dir/corrupt/, an alarm for the admin goes into data_dir/alarms.json
// (the staff status board shows it) and a fresh database is opened. A database from a
// newer tillit-kiosk and errors that are not damage (permissions, I/O) still refuse.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"
#include "core/store.h"

namespace tillit {

// One entry of data_dir/alarms.json: {"what": ..., "file": ..., "when": "YYYY-MM-DD"}.
// The day only (UTC), nothing finer.
struct Alarm {
    std::string what;  // why the file was moved aside
    std::string file;  // where it is now, relative to data_dir ("corrupt/...-responses.db")
    std::string when;  // "2026-11-23"
};

std::string alarms_path(const std::string& data_dir);
// Every alarm, oldest first; no file means none.
Result<std::vector<Alarm>> load_alarms(const std::string& data_dir);
// Appends one alarm, writing the file atomically.
Status add_alarm(const std::string& data_dir, const Alarm& alarm);

// Checks a write-ahead log that an unclean stop left behind, the way SQLite reads it
// (header, salts, cumulative checksums). SQLite itself silently stops at the first bad
// frame, dropping every commit after it; this says so instead. "" = usable (or absent).
// What a power cut leaves is normal: a torn, uncommitted tail after the last good frame,
// one last commit whose frame reached the disk before an earlier frame of it, and an
// unreadable header over frames the database already holds (a restarted log).
std::string wal_problem(const std::string& wal_path);

struct OpenedStore {
    std::unique_ptr<Store> store;
    std::optional<Alarm> moved_aside;  // set when the old database was damaged
    std::string note;                  // one line for stderr when something was moved aside
};

// When the whole file is read for damage (PRAGMA quick_check, 0.3 s per 100 000 responses).
enum class StartCheck {
    Now,    // before the store is returned
    Later,  // by the caller, off the start path (StoreHealth, store_health.h); the header, owner,
            // schema and write-ahead log are still checked here
};

// Opens `db_path` (data_dir/responses.db), recovering from a damaged file as described
// above; a file marked damaged by mark_damaged() is moved aside with the marked reason.
Result<OpenedStore> open_store_or_recover(const std::string& db_path, StartCheck check = StartCheck::Now);

// A check after start found `db_path` damaged: the reason is written beside it
// (db_path + ".damaged"), and the next open_store_or_recover() moves the file aside.
Status mark_damaged(const std::string& db_path, const std::string& why);

}  // namespace tillit
