// A workshop's summary leaves the kiosk as two files in a folder or on a USB stick: a
// PDF to print or send (cairo; text shaped with HarfBuzz from Debian's Noto fonts and
// drawn with cairo_show_glyphs, as hb-view does) and a CSV of the contributions for a
// spreadsheet. Both hold only what the summary screen shows: suppressed figures say
// "too few answers to show", hidden contributions are not there. Files appear whole or
// not at all (written beside, then renamed). The words come translated from the UI
// (ExportWords), so every catalog string stays in app/ui for xgettext.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "core/report.h"
#include "core/result.h"
#include "core/survey.h"
#include "core/workshop.h"
#include "core/workshop_themes.h"

namespace tillit {

// Translated words by key ("title", "trust", "too_few", ...); a missing key prints the key.
struct ExportWords {
    std::map<std::string, std::string> words;
    const std::string& operator[](const std::string& key) const;
};

struct WorkshopExportInput {
    const Workshop& workshop;
    const report::Report* report = nullptr;  // the data shown; null: none was shown
    const Survey* survey = nullptr;          // labels of the questions and options in the data
    std::string venue_name;
    std::string language;                    // the language of the words and survey labels
    const ExportWords& words;
};

struct WorkshopExportFiles {
    std::string pdf;
    std::string csv;
};

// One row per shown contribution: step, text, dots, agree, disagree, pass, voters (the
// stance columns empty below kMinStanceVoters). RFC 4180 quoting; a cell that a
// spreadsheet would run as a formula (=, +, -, @) starts with an apostrophe.
std::string workshop_csv(const WorkshopExportInput& input);

// The PDF's bytes (A4 pages).
Result<std::string> workshop_pdf(const WorkshopExportInput& input);

// Writes workshop-<day>-<first 8 of the id>.pdf and .csv into `folder`.
Result<WorkshopExportFiles> write_workshop_export(const WorkshopExportInput& input, const std::string& folder);

}  // namespace tillit
