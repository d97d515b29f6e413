// The sync worker: one std::thread with its own Store connection (WAL lets it share
// the file with the UI's connection) that runs a sync pass at start, every
// interval_seconds, and on sync_now(); backs off with full jitter (and at least
// Retry-After) after failures; and stops on 401/403 until an admin asks again. The UI
// only ever reads status(), a copy taken under a mutex, so a frame never waits for
// the network. Not handled here: drawing the status (staff screens).
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "core/config.h"
#include "core/sync/backoff.h"
#include "core/sync/sync_client.h"

namespace tillit::sync {

enum class SyncState {
    Idle,     // the last pass finished; the next one comes after interval_seconds or sync_now()
    Syncing,  // a pass is running
    Waiting,  // a pass failed; backing off before the next try
    Stopped,  // refused by the server (401/403), not enrolled, or stop() was called
};
const char* to_string(SyncState state);

struct SyncStatus {
    SyncState state = SyncState::Idle;
    long long pending = 0;  // not yet answered by the server
    long long set_aside = 0;
    std::map<std::string, long long> set_aside_reasons;
    long long sent = 0;
    std::string last_success;           // UTC "2026-11-23T14:05:00Z"; "" = never
    std::string last_error;             // plain words; "" = none
    Progress progress;                  // of the running (or the last) pass
    std::chrono::milliseconds wait{0};  // Idle/Waiting: how long this wait lasts in all
    long long config_generation = 0;    // +1 each time new surveys/settings were adopted
};

// One line for the log: state, counts, and the error if any. Never an answer.
std::string describe(const SyncStatus& status);

struct SyncWorkerOptions {
    std::string database_path;  // the same file the UI's Store has open
    SyncConfig sync;
    SyncContext context;
    BackoffPolicy backoff;  // tests shorten it
    UniformRandom random = secure_random;
    // Called on the worker thread after each change of state or of last_error.
    std::function<void(const SyncStatus&)> on_change;
};

class SyncWorker {
public:
    // Starts the thread; the first pass begins at once.
    explicit SyncWorker(SyncWorkerOptions options);
    ~SyncWorker();  // stop()
    SyncWorker(const SyncWorker&) = delete;
    SyncWorker& operator=(const SyncWorker&) = delete;

    // Runs a pass now: ends an idle wait or a backoff, and resumes after a 401/403.
    // A server's Retry-After is still honoured.
    void sync_now();
    // Wakes the thread (mid-wait, or aborting a transfer within about a second) and joins it.
    void stop();
    SyncStatus status() const;

private:
    void run();
    void run_passes(Store& store, SyncClient& client);
    void refresh_counts(Store& store);
    void update(const std::function<void(SyncStatus&)>& change);
    // Waits until `deadline` (nullopt: until asked), sync_now() or stop(). A sync_now()
    // does not cut short a wait for `not_before` (the server's Retry-After).
    void wait(std::optional<std::chrono::steady_clock::time_point> deadline,
              std::chrono::steady_clock::time_point not_before);

    SyncWorkerOptions options_;
    mutable std::mutex mutex_;
    std::condition_variable wake_;
    bool sync_requested_ = false;  // guarded by mutex_
    std::atomic<bool> stopping_{false};
    SyncStatus status_;   // guarded by mutex_
    std::thread thread_;  // last: starts after every member above exists
};

}  // namespace tillit::sync
