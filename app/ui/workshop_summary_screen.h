// Workshop step 5, summary: one screen with the question, the data shown, the
// contributions by step and the priorities (dots, and where the room agrees or is
// divided); save it as PDF + CSV to a USB stick or the kiosk's folder, and finish the
// workshop, which puts its record in the sync outbox next to the answers.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/export_file.h"
#include "core/report.h"
#include "core/workshop.h"
#include "core/workshop_export.h"
#include "ui/workshop_common.h"

namespace tillit::ui {

struct WorkshopSummaryScreen {
    std::string message;  // the outcome of the last export
    bool failed = false;
    bool confirm_finish = false;
    void reset() { *this = {}; }
};

struct WorkshopSummaryView {
    const Workshop& workshop;
    const report::Report* report = nullptr;  // the data shown, if any
    const std::vector<ExportTarget>& targets;
    const std::string& venue_name;
};

struct WorkshopSummaryIntent {
    enum class Kind { Export, Rescan, Finish, Nav };
    Kind kind = Kind::Nav;
    std::string folder;  // Export
    WorkshopNav nav;
};

std::optional<WorkshopSummaryIntent> draw(WorkshopSummaryScreen& screen, UiContext& ctx, const WorkshopSummaryView& view);

// The export's words in the current language (every catalog string stays in app/ui).
ExportWords workshop_export_words(const UiContext& ctx);

}  // namespace tillit::ui
