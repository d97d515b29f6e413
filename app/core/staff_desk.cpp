// What the staff screens can see and do (see staff_desk.h).
#include "core/staff_desk.h"

#include <cstdio>
#include <ctime>
#include <filesystem>

#include "core/privacy.h"
#include "core/store_recovery.h"
#include "core/sync/sync_client.h"

namespace tillit {

StaffDesk::StaffDesk(KioskSetup& setup, sync::SyncWorker* worker, StoreHealth* health)
    : setup_(setup),
      worker_(worker),
      health_check_(health),
      pins_(*setup.store, {setup.config.staff.admin_pin_hash, setup.config.staff.facilitator_pin_hash}),
      workshops_(*setup.store) {
    auto themes = load_workshop_themes(workshop_themes_path(setup.config.surveys_dir));
    if (themes) {
        themes_ = std::move(themes).value();
    } else {
        themes_error_ = themes.error();
        std::fprintf(stderr, "tillit-kiosk: workshop themes: %s\n", themes_error_.c_str());
    }
}

KioskStatus StaffDesk::status() {
    KioskStatus status;
    const KioskConfig& config = setup_.config;
    status.venue_id = config.venue_id;
    status.venue_name = config.venue_name;
    status.app_version = TILLIT_VERSION;
    for (const Survey& survey : setup_.surveys) status.survey_versions.emplace_back(survey.id, survey.version);
    status.free_disk_bytes = sync::free_disk_bytes(config.data_dir);
    status.clock = local_time_now("%Y-%m-%d %H:%M");
    status.sync_configured = config.sync.has_value();
    if (auto alarms = load_alarms(config.data_dir); !alarms) {
        status.alarms.push_back(alarms.error());
    } else {
        for (const Alarm& alarm : alarms.value()) status.alarms.push_back(alarm.file + " (" + alarm.what + ")");
    }
    Store& store = *setup_.store;
    auto fail = [&](const std::string& error) {
        status.error = error;
        return status;
    };
    auto identity = store.identity();
    if (!identity) return fail(identity.error());
    if (identity.value()) status.device_id = identity.value()->device_id;
    auto responses = store.count_responses();
    if (!responses) return fail(responses.error());
    status.responses = responses.value();
    auto counts = store.outbox_counts();
    if (!counts) return fail(counts.error());
    status.pending = counts.value().pending;
    status.set_aside = counts.value().set_aside;
    status.set_aside_reasons = counts.value().set_aside_reasons;
    auto meta = store.sync_meta();
    if (!meta) return fail(meta.error());
    status.last_success = meta.value().last_success;
    if (health_check_ != nullptr) {
        const auto finding = health_check_->latest();
        status.database_health = finding && !health_check_->running() ? finding->result : "";
        return status;
    }
    // Without a StoreHealth, quick_check (0.3 s per 100 000 answers) runs on this thread
    // when staff open the board and then at most once a minute.
    const auto now = std::chrono::steady_clock::now();
    if (!health_at_ || now - *health_at_ >= kHealthInterval) {
        auto health = store.storage_health();
        health_ = health ? health.value() : health.error();
        health_at_ = now;
    }
    status.database_health = health_;
    return status;
}

void StaffDesk::forget_health() {
    if (health_check_ != nullptr) {
        health_check_->start();
    } else {
        health_at_.reset();
    }
}

std::optional<sync::SyncStatus> StaffDesk::sync_status() const {
    if (worker_ == nullptr) return std::nullopt;
    return worker_->status();
}

void StaffDesk::sync_now() {
    if (worker_ != nullptr) worker_->sync_now();
}

std::vector<ExportTarget> StaffDesk::export_targets() const {
    return find_export_targets(setup_.config.staff.export_dirs, setup_.config.data_dir);
}

void StaffDesk::start_export(const std::string& folder) {
    if (export_.valid()) return;
    // Its own connection: freezing a large outbox must not hold up the frames.
    export_ = std::async(std::launch::async, [db = database_path(setup_.config), folder,
                                               venue = setup_.config.venue_id,
                                               batch = setup_.config.sync ? setup_.config.sync->batch_size : 500]()
                                                  -> Result<ExportSummary> {
        auto store = Store::open(db);
        if (!store) return make_error(store.error());
        return write_export(*store.value(), folder, venue, batch);
    });
}

std::optional<Result<ExportSummary>> StaffDesk::poll_export() {
    if (!export_.valid() || export_.wait_for(std::chrono::seconds(0)) != std::future_status::ready) return std::nullopt;
    return export_.get();
}

const Survey* StaffDesk::report_survey() const {
    for (const auto* list : {&setup_.surveys, &setup_.available}) {
        for (const Survey& survey : *list) {
            if (survey.id == "tillit") return &survey;
        }
    }
    return nullptr;
}

void StaffDesk::start_report(DataScope scope) {
    if (report_.valid()) return;
    const Survey* survey = report_survey();
    report::Spec spec = survey != nullptr ? report::spec_from(*survey) : report::Spec{};
    report::Filter filter;
    if (scope == DataScope::Venue) filter.venue_id = setup_.config.venue_id;
    report_ = std::async(std::launch::async, [db = database_path(setup_.config), spec, filter]() -> Result<report::Report> {
        auto store = Store::open(db);
        if (!store) return make_error(store.error());
        return report::compute(store.value()->connection(), spec, filter);
    });
}

std::optional<Result<report::Report>> StaffDesk::poll_report() {
    if (!report_.valid() || report_.wait_for(std::chrono::seconds(0)) != std::future_status::ready) return std::nullopt;
    return report_.get();
}

LocalSettings StaffDesk::local_settings() const {
    auto settings = load_local_settings(setup_.config.data_dir);
    return settings ? settings.value() : LocalSettings{};
}

Status StaffDesk::save_settings(const LocalSettings& settings) {
    if (const Status saved = save_local_settings(setup_.file_config, settings); !saved) return saved;
    refresh_config(setup_);
    ++settings_generation_;
    return Ok{};
}

}  // namespace tillit
