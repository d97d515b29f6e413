// The staff screens' one door to the rest of the kiosk: the status board, "sync now",
// export, the admin's settings, and quitting. The UI calls it on the UI thread; anything
// slow (PIN checks, export) runs on its own thread and is polled, so a frame never waits.
// Never returns an answer: counts, versions and words only.
#pragma once

#include <atomic>
#include <chrono>
#include <future>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/export_file.h"
#include "core/launch.h"
#include "core/local_settings.h"
#include "core/staff.h"
#include "core/store_health.h"
#include "core/report.h"
#include "core/sync/sync_worker.h"
#include "core/workshop.h"
#include "core/workshop_themes.h"

namespace tillit {

struct KioskStatus {
    std::string venue_id;
    std::string venue_name;
    std::string device_id;  // "" = not enrolled
    std::string app_version;
    std::vector<std::pair<std::string, int>> survey_versions;  // active surveys
    long long responses = 0;
    long long pending = 0;
    long long set_aside = 0;
    std::map<std::string, long long> set_aside_reasons;
    std::string last_success;        // UTC "2026-11-23T14:05:00Z"; "" = never
    long long free_disk_bytes = -1;  // in data_dir's file system
    std::string database_health;     // PRAGMA quick_check: "ok" or its first problem; "" while checking
    std::string clock;               // local "2026-11-23 14:05"
    bool sync_configured = false;
    std::string error;               // the store could not be read: why
    // data_dir/alarms.json: each database moved aside at start, as "<file> (<what>)".
    std::vector<std::string> alarms;
};

class StaffDesk {
public:
    // `worker` may be null (no [sync], or not enrolled). `health` (may be null) checks the
    // database off the UI thread; without it the board runs quick_check itself.
    StaffDesk(KioskSetup& setup, sync::SyncWorker* worker, StoreHealth* health = nullptr);

    // Counts are read each call. The quick_check result is the latest of `health`, or at
    // most a minute old (see forget_health() to have a new check started).
    KioskStatus status();
    void forget_health();
    std::optional<sync::SyncStatus> sync_status() const;
    bool can_sync() const { return worker_ != nullptr; }
    void sync_now();

    PinGate& pins() { return pins_; }

    std::vector<ExportTarget> export_targets() const;
    void start_export(const std::string& folder);
    bool exporting() const { return export_.valid(); }
    std::optional<Result<ExportSummary>> poll_export();

    const KioskConfig& config() const { return setup_.config; }
    const std::vector<Survey>& available_surveys() const { return setup_.available; }
    LocalSettings local_settings() const;
    // Saves and applies at once (staff are on screen, so no resident is mid-survey).
    Status save_settings(const LocalSettings& settings);
    long long settings_generation() const { return settings_generation_; }

    // --- workshops (facilitators and admins; core/workshop.h) ---
    WorkshopStore& workshops() { return workshops_; }
    // kiosk-config/workshop-themes.toml; empty with themes_error() set when it could not be read.
    const std::vector<WorkshopTheme>& workshop_themes() const { return themes_; }
    const std::string& themes_error() const { return themes_error_; }
    // The survey the data screen counts ("tillit"), or null when the kiosk has none.
    const Survey* report_survey() const;
    // Counts on its own connection and thread (a million answers must not stop a frame).
    void start_report(DataScope scope);
    bool reporting() const { return report_.valid(); }
    std::optional<Result<report::Report>> poll_report();

    void request_quit() { quit_ = true; }
    bool quit_requested() const { return quit_; }

private:
    KioskSetup& setup_;
    sync::SyncWorker* worker_;
    StoreHealth* health_check_;
    PinGate pins_;
    std::future<Result<ExportSummary>> export_;
    long long settings_generation_ = 0;
    static constexpr std::chrono::seconds kHealthInterval{60};
    std::string health_;
    std::optional<std::chrono::steady_clock::time_point> health_at_;
    std::atomic<bool> quit_{false};
    WorkshopStore workshops_;
    std::vector<WorkshopTheme> themes_;
    std::string themes_error_;
    std::future<Result<report::Report>> report_;
};

}  // namespace tillit
