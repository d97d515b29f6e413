// The database's health, checked off the UI thread. PRAGMA quick_check reads every page
// (4 s at 1 000 000 stored responses), so the kiosk does not wait for it at start: it
// opens the store with the cheap checks (store_recovery.h), shows its first screen, and
// runs the full check here, on a read-only connection of its own. A damage found this way
// is marked (mark_damaged) and the kiosk restarts between residents, which moves the file
// aside exactly as a damage found at open would be. Staff see the latest result.
#pragma once

#include <atomic>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

namespace tillit {

class StoreHealth {
public:
    explicit StoreHealth(std::string db_path);
    ~StoreHealth();  // stops a running check at its next page and joins
    StoreHealth(const StoreHealth&) = delete;
    StoreHealth& operator=(const StoreHealth&) = delete;

    // Starts a check unless one is running.
    void start();
    bool running() const;

    struct Finding {
        std::string result;    // "ok", the first problem quick_check names, or why it could not check
        bool damaged = false;  // the file is damaged (not merely unreadable just now)
    };
    // The last finished check; nullopt before the first one has finished.
    std::optional<Finding> latest() const;

private:
    void run();

    const std::string db_path_;
    mutable std::mutex mutex_;
    std::optional<Finding> latest_;
    bool running_ = false;
    std::atomic<bool> stop_{false};
    std::thread thread_;
};

// Runs PRAGMA quick_check(1) on a read-only connection of its own; `stop` (may be null)
// interrupts it. Used by StoreHealth; blocking.
StoreHealth::Finding check_store_file(const std::string& db_path, const std::atomic<bool>* stop);

}  // namespace tillit
