// Workshop step 3, gather: four columns, one per worksheet step (who else could we
// work with, what information would help, what information is there and where, next
// steps). Anyone adds a short contribution on the on-screen keyboard; the facilitator
// taps a contribution to edit it, hide it (or show it again) or merge it into another.
// Every change is saved at once (core/workshop.h logs the moderation).
#pragma once

#include <optional>
#include <string>

#include "core/workshop.h"
#include "ui/keyboard.h"
#include "ui/workshop_common.h"

namespace tillit::ui {

struct WorkshopGatherScreen {
    enum class Mode { Browse, Compose, Edit, Selected, MergePick };
    Mode mode = Mode::Browse;
    WorksheetStep compose_step = WorksheetStep::Partners;
    std::string selected;  // contribution id (Edit, Selected, MergePick)
    std::string draft;
    Keyboard keyboard;
    void reset() { *this = {}; }
};
const char* to_string(WorkshopGatherScreen::Mode mode);

struct WorkshopGatherIntent {
    enum class Kind { Add, Edit, Hide, Show, Merge, Nav };
    Kind kind = Kind::Nav;
    WorksheetStep step = WorksheetStep::Partners;  // Add
    std::string id;                                // Edit, Hide, Show, Merge: the contribution
    std::string into;                              // Merge
    std::string text;                              // Add, Edit
    WorkshopNav nav;
};

std::optional<WorkshopGatherIntent> draw(WorkshopGatherScreen& screen, UiContext& ctx, const Workshop& workshop);

}  // namespace tillit::ui
