// Test only (never linked into the app): a SQLite VFS over "unix" that keeps every write
// not yet made durable by xSync in memory, so a test can pull the plug at the Nth
// write/sync/truncate (each unsynced write then dropped, written whole or torn, as SQLite's
// own test6.c does, and the process _exit()s), or make the Nth write/sync/truncate fail.
// Not handled: -shm (passed through; SQLite rebuilds it), deletes (immediate), temp files.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace tillit::test::crash_vfs {

// The exit code of a process that crashed at its crash point.
constexpr int kCrashExitCode = 86;

enum class Op { Write, Sync, Truncate, Open };
enum class Persistence { Once, UntilCleared };

// What the crash did to the writes that were not yet synced.
struct Fates {
    long long dropped = 0;
    long long whole = 0;
    long long torn_old = 0;      // some sectors written, the rest left as they were
    long long torn_garbage = 0;  // some sectors written, the rest random bytes
    long long truncates_applied = 0;
    long long truncates_dropped = 0;
};

// Registers the VFS as SQLite's default with a clean state. Only the main database, its
// WAL and rollback journal are tracked; everything else goes straight to "unix".
void install();
// "unix" is the default again. Every connection opened through this VFS must be closed.
void uninstall();

// Writes, syncs and truncates of tracked files since install().
long long operations();
// Main database files opened since install() (a Store that reopens shows up here).
long long database_opens();

// At the `operation`th operation from install() (1-based), the machine loses power:
// every unsynced write meets its fate (random, from `seed`), `on_crash` is told how
// many met which, and the process ends with kCrashExitCode. 0 = never.
void crash_at(long long operation, std::uint64_t seed, std::function<void(const Fates&)> on_crash);

// crash_at without the end: at each of `operations` (1-based), the disk a power cut at
// that moment would leave (the files as synced, every unsynced write meeting its fate,
// from `seed` and the index) is written to copies in `folder`/<index>/, and `on_image`
// is told; then the process carries on as if nothing happened. Many crash points from
// one run: on a machine where fork() and its page faults are slow, the difference is
// minutes.
void image_at(std::vector<long long> operations, std::uint64_t seed, const std::string& folder,
              std::function<void(std::size_t, const Fates&)> on_image);

// The power goes, but the process stays: every unsynced write is lost, and nothing the
// process writes, truncates or deletes afterwards reaches the disk. Close the connections,
// uninstall(), and open the files as a restarted kiosk would.
void power_off();

// The `nth` operation of this kind from now fails with `code` (SQLITE_IOERR_WRITE,
// SQLITE_IOERR_FSYNC, SQLITE_FULL, SQLITE_CANTOPEN...); UntilCleared: and every one after
// it. A failed write changes nothing; a failed sync loses the file's unsynced writes for
// good while reads still see them (Linux after a failed fsync: "fsyncgate"); a failed
// open opens nothing. Faults on other kinds are kept.
void fail(Op op, long long nth, int code, Persistence persistence);
void clear_faults();

}  // namespace tillit::test::crash_vfs
