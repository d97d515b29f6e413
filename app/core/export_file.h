// Offline export: when a kiosk has no network at all, an admin writes its outbox to a
// USB stick or any folder as one file that `tillit-server import` reads with the same
// exactly-once guarantee as a sync (docs/sync-protocol.md, "Offline export files").
// The file holds the frozen batches themselves, byte-identical and signed with the
// device key, so the server checks and stores them exactly as if they had been POSTed.
// Nothing is marked sent here: the kiosk cannot know the file reached the server, so
// its next sync sends the same batches again and the server answers `duplicate`.
#pragma once

#include <string>
#include <vector>

#include "core/result.h"
#include "core/store.h"

namespace tillit {

struct ExportSummary {
    std::string file;     // the full path written
    long long items = 0;  // responses and abandonments in it
    int batches = 0;
};

// Freezes every pending item (batch_size items per batch) and writes every frozen batch
// to a new file in `folder`, atomically (it appears whole or not at all). Refused
// before enrolment: the server accepts only batches signed by an enrolled device.
Result<ExportSummary> write_export(Store& store, const std::string& folder, const std::string& venue_id,
                                   int batch_size);

// A folder offered for export: USB sticks found below the configured folders, and the
// kiosk's own data_dir/exports.
struct ExportTarget {
    std::string path;
    std::string label;   // the folder's name ("KINGSTON"), or "" for the kiosk's own folder
    bool removable = false;
};
std::vector<ExportTarget> find_export_targets(const std::vector<std::string>& roots, const std::string& data_dir);

}  // namespace tillit
