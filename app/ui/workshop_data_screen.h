// Workshop step 2, start from data: the kiosk's own answers as large charts drawn with
// ImDrawList, one page at a time: trust / weak trust / distrust (and by age group),
// every scale question as a distribution, what builds trust, and who started, finished
// or stopped where. Anything below its threshold says "too few answers to show" and is
// drawn as one grey block: the report (core/report.h) has already suppressed it.
#pragma once

#include <optional>
#include <string>

#include "core/report.h"
#include "core/survey.h"
#include "core/workshop.h"
#include "ui/workshop_common.h"

namespace tillit::ui {

struct WorkshopDataScreen {
    enum class Page { Trust, Questions, Builders, NonResponse };
    Page page = Page::Trust;
    void reset() { *this = {}; }
};
const char* to_string(WorkshopDataScreen::Page page);

struct WorkshopDataView {
    const Workshop& workshop;
    const report::Report* report = nullptr;  // null while counting or when it failed
    bool counting = false;
    const std::string& error;
    const Survey* survey = nullptr;          // labels; null: ids are shown
    const std::string& venue_name;
};

struct WorkshopDataIntent {
    enum class Kind { Nav, Scope };
    Kind kind = Kind::Nav;
    WorkshopNav nav;
    DataScope scope = DataScope::Venue;
};

std::optional<WorkshopDataIntent> draw(WorkshopDataScreen& screen, UiContext& ctx, const WorkshopDataView& view);

// Trust split as one stacked bar with a legend; shared with the summary screen.
// Returns the height used.
float draw_trust_split(UiContext& ctx, const report::Figure& trust, ImVec2 pos, float width, float bar_h, bool legend);

}  // namespace tillit::ui
