// The staff home: the status board at a glance (venue, device, versions, counts,
// last sync, disk, database health, clock) and what this role may do: sync now with a
// progress bar and the outcome in plain words, export, settings, quit to the desktop.
// Counts and words only: no answer is ever shown here.
#pragma once

#include <optional>

#include "core/staff.h"
#include "core/staff_desk.h"
#include "core/sync/sync_worker.h"
#include "ui/context.h"

namespace tillit::ui {

struct StaffScreen {
    bool confirm_quit = false;
    bool sync_requested = false;  // "sync now" was tapped while this screen was open
    std::string words;            // what the sync line said in the last frame
    void reset() { *this = {}; }
};

struct StaffView {
    Role role = Role::Facilitator;
    const KioskStatus& status;
    const std::optional<sync::SyncStatus>& sync;  // nullopt: no sync worker runs
    const std::string* open_workshop = nullptr;   // the title of a workshop not yet finished
};

enum class StaffIntent { Lock, SyncNow, Export, Settings, Quit, Workshop };

std::optional<StaffIntent> draw(StaffScreen& screen, UiContext& ctx, const StaffView& view);

}  // namespace tillit::ui
