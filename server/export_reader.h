// The structure of a kiosk's offline export file (docs/sync-protocol.md, "Offline
// export files"), read from its bytes: split out of `tillit-server import` so the
// fuzzers (tests/fuzz/) reach it without a file. It checks the envelope only; each
// batch body and signature is checked later by ingest_batch, exactly as if POSTed.
#pragma once

#include <string>
#include <vector>

#include "core/result.h"

namespace tillit::server {

// One entry of an export file.
struct ExportEntry {
    std::string batch_id;
    std::string body_base64;  // the gzipped batch body, as it would be POSTed
    std::string signature;    // base64, as the X-Tillit-Signature header
};

struct ExportFile {
    std::string device_id;
    std::vector<ExportEntry> batches;
};

// The whole file's text, checked whole before anything is stored: a file that is not
// an export file (or one this server cannot read) is an Error saying what is wrong in
// words, without quoting the file.
Result<ExportFile> parse_export_file(std::string text);

}  // namespace tillit::server
