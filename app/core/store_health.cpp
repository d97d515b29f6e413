// PRAGMA quick_check on a thread of its own (see store_health.h). The connection is
// read-only and WAL lets it read a snapshot while the kiosk keeps writing.
#include "core/store_health.h"

#include <sqlite3.h>

#include <algorithm>
#include <utility>

#include "core/sql.h"

namespace tillit {

StoreHealth::Finding check_store_file(const std::string& db_path, const std::atomic<bool>* stop) {
    sqlite3* raw = nullptr;
    const int open_rc = sqlite3_open_v2(db_path.c_str(), &raw, SQLITE_OPEN_READONLY, nullptr);
    sql::Connection db(raw);
    auto damaged = [](int rc) {
        const int primary = rc & 0xff;
        return primary == SQLITE_CORRUPT || primary == SQLITE_NOTADB;
    };
    if (open_rc != SQLITE_OK) {
        return {"could not check the database: " + (raw != nullptr ? sql::errmsg(raw) : sqlite3_errstr(open_rc)),
                damaged(open_rc)};
    }
    sqlite3_busy_timeout(db.get(), 5000);
    if (stop != nullptr) {
        // Asked every 1000 virtual machine steps: a stop takes effect within microseconds.
        sqlite3_progress_handler(
            db.get(), 1000, [](void* flag) { return static_cast<const std::atomic<bool>*>(flag)->load() ? 1 : 0; },
            const_cast<std::atomic<bool>*>(stop));
    }
    auto health = sql::query_text(db.get(), "PRAGMA quick_check(1)");
    if (!health) {
        return {"could not check the database: " + health.error(), damaged(sqlite3_extended_errcode(db.get()))};
    }
    std::string first = health.value();  // several lines; the board and the log want one
    std::replace(first.begin(), first.end(), '\n', ' ');
    return {first, first != "ok"};
}

StoreHealth::StoreHealth(std::string db_path) : db_path_(std::move(db_path)) {}

StoreHealth::~StoreHealth() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
}

void StoreHealth::start() {
    std::lock_guard lock(mutex_);
    if (running_) return;
    if (thread_.joinable()) thread_.join();  // the last check has finished: running_ is false
    running_ = true;
    thread_ = std::thread([this] { run(); });
}

bool StoreHealth::running() const {
    std::lock_guard lock(mutex_);
    return running_;
}

std::optional<StoreHealth::Finding> StoreHealth::latest() const {
    std::lock_guard lock(mutex_);
    return latest_;
}

void StoreHealth::run() {
    Finding finding = check_store_file(db_path_, &stop_);
    std::lock_guard lock(mutex_);
    if (!stop_) latest_ = std::move(finding);
    running_ = false;
}

}  // namespace tillit
