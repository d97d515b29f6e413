// Export for kiosks without any network: pick a USB stick (or the kiosk's own folder),
// the outbox is written there as one signed file, and the outcome is said in plain
// words with the command that imports it on the server.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/export_file.h"
#include "ui/context.h"

namespace tillit::ui {

struct ExportScreen {
    std::string message;  // the outcome of the last export, or ""
    bool failed = false;
    void reset() { *this = {}; }
};

struct ExportView {
    const std::vector<ExportTarget>& targets;
    bool busy = false;  // an export is being written
};

struct ExportIntent {
    enum class Kind { Write, Rescan, Back };
    Kind kind = Kind::Back;
    std::string folder;  // Write
};

std::optional<ExportIntent> draw(ExportScreen& screen, UiContext& ctx, const ExportView& view);

}  // namespace tillit::ui
