// The sync worker's thread: pass, then wait on a condition variable (steady_clock
// deadlines) for the interval, a backoff, sync_now() or stop(). Failures never end the
// thread: it keeps waiting and retrying until stop(). Counts shown to the UI come from
// the worker's own Store connection after each pass.
#include "core/sync/sync_worker.h"

#include <algorithm>
#include <utility>

namespace tillit::sync {

using Clock = std::chrono::steady_clock;

const char* to_string(SyncState state) {
    switch (state) {
        case SyncState::Idle:
            return "idle";
        case SyncState::Syncing:
            return "syncing";
        case SyncState::Waiting:
            return "waiting";
        case SyncState::Stopped:
            return "stopped";
    }
    return "stopped";
}

std::string describe(const SyncStatus& status) {
    std::string line = to_string(status.state);
    if (status.state == SyncState::Waiting || status.state == SyncState::Idle) {
        const auto seconds = std::chrono::duration_cast<std::chrono::seconds>(status.wait).count();
        if (seconds > 0) line += " " + std::to_string(seconds) + " s";
    }
    line += "; pending " + std::to_string(status.pending) + ", set aside " + std::to_string(status.set_aside) +
            ", sent " + std::to_string(status.sent);
    line += "; last success " + (status.last_success.empty() ? std::string("never") : status.last_success);
    if (!status.last_error.empty()) line += "; " + status.last_error;
    return line;
}

SyncWorker::SyncWorker(SyncWorkerOptions options) : options_(std::move(options)), thread_([this] { run(); }) {}

SyncWorker::~SyncWorker() {
    stop();
}

void SyncWorker::sync_now() {
    {
        const std::lock_guard<std::mutex> lock(mutex_);
        sync_requested_ = true;
    }
    wake_.notify_all();
}

void SyncWorker::stop() {
    {
        // Under the lock, so the thread cannot miss the wake between its check and its wait.
        const std::lock_guard<std::mutex> lock(mutex_);
        stopping_ = true;
    }
    wake_.notify_all();
    if (thread_.joinable()) thread_.join();
}

SyncStatus SyncWorker::status() const {
    const std::lock_guard<std::mutex> lock(mutex_);
    return status_;
}

void SyncWorker::update(const std::function<void(SyncStatus&)>& change) {
    SyncStatus after;
    bool announce = false;
    {
        const std::lock_guard<std::mutex> lock(mutex_);
        const SyncState state = status_.state;
        const std::string error = status_.last_error;
        change(status_);
        announce = status_.state != state || status_.last_error != error;
        after = status_;
    }
    // Outside the lock: the callback may take its time (or read status()).
    if (announce && options_.on_change) options_.on_change(after);
}

void SyncWorker::refresh_counts(Store& store) {
    const auto counts = store.outbox_counts();
    const auto meta = store.sync_meta();
    update([&](SyncStatus& s) {
        if (counts) {
            s.pending = counts.value().pending;
            s.set_aside = counts.value().set_aside;
            s.set_aside_reasons = counts.value().set_aside_reasons;
            s.sent = counts.value().sent;
        }
        if (meta) s.last_success = meta.value().last_success;
    });
}

void SyncWorker::wait(std::optional<Clock::time_point> deadline, Clock::time_point not_before) {
    std::unique_lock<std::mutex> lock(mutex_);
    auto woken = [this] { return stopping_.load() || sync_requested_; };
    if (deadline) {
        wake_.wait_until(lock, *deadline, woken);
    } else {
        wake_.wait(lock, woken);
    }
    if (stopping_) return;
    sync_requested_ = false;
    // Asked to sync now, but the server asked for a pause: it gets its pause.
    wake_.wait_until(lock, not_before, [this] { return stopping_.load(); });
}

void SyncWorker::run() {
    auto stop_with = [this](const std::string& why) {
        update([&](SyncStatus& s) {
            s.state = SyncState::Stopped;
            s.last_error = why;
        });
    };
    auto opened = Store::open(options_.database_path);
    if (!opened) return stop_with(opened.error());
    Store& store = *opened.value();
    refresh_counts(store);

    const auto identity = store.identity();
    if (!identity) return stop_with(identity.error());
    if (!identity.value()) {
        return stop_with("this kiosk is not enrolled; run tillit-kiosk --enrol CODE");
    }
    if (identity.value()->server_url != options_.sync.server_url) {
        return stop_with("enrolled with " + identity.value()->server_url + " but [sync] server_url is " +
                         options_.sync.server_url + "; enrol again with a code from the new server");
    }
    auto http = HttpClient::create(options_.sync);
    if (!http) return stop_with(http.error());
    http.value().set_cancel_flag(&stopping_);
    SyncClient client(store, http.value(), *identity.value(), options_.context);
    run_passes(store, client);
    update([](SyncStatus& s) { s.state = SyncState::Stopped; });
}

void SyncWorker::run_passes(Store& store, SyncClient& client) {
    int failures = 0;
    while (!stopping_) {
        update([](SyncStatus& s) {
            s.state = SyncState::Syncing;
            s.progress = {};
            s.wait = {};
        });
        const PassResult result = client.run_pass(
            [this](const Progress& progress) { update([&](SyncStatus& s) { s.progress = progress; }); }, &stopping_);
        if (client.take_config_adopted()) update([](SyncStatus& s) { ++s.config_generation; });
        refresh_counts(store);
        if (stopping_) return;

        const Clock::time_point now = Clock::now();
        switch (result.outcome) {
            case PassOutcome::Done: {
                failures = 0;
                const std::chrono::milliseconds interval = std::chrono::seconds(options_.sync.interval_seconds);
                update([&](SyncStatus& s) {
                    s.state = SyncState::Idle;
                    s.last_error = result.message;
                    s.wait = interval;
                });
                wait(now + interval, now);
                break;
            }
            case PassOutcome::Retry: {
                ++failures;
                std::chrono::milliseconds delay = backoff_delay(failures, options_.backoff, options_.random);
                Clock::time_point not_before = now;
                if (result.retry_after) {
                    delay = std::max<std::chrono::milliseconds>(delay, *result.retry_after);
                    not_before = now + *result.retry_after;
                }
                update([&](SyncStatus& s) {
                    s.state = SyncState::Waiting;
                    s.last_error = result.message;
                    s.wait = delay;
                });
                wait(now + delay, not_before);
                break;
            }
            case PassOutcome::Stopped:
                failures = 0;
                update([&](SyncStatus& s) {
                    s.state = SyncState::Stopped;
                    s.last_error = result.message;
                    s.wait = {};
                });
                wait(std::nullopt, now);
                break;
        }
    }
}

}  // namespace tillit::sync
