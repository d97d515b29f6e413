// Workshop step 1, set up: a title, one goal, one question (a theme from the themes
// table with its promoting or preventive question, or the facilitator's own), where the
// data comes from (this venue or every venue on the kiosk) and dots per participant.
// Every choice is saved as it is made; typing happens on the on-screen keyboard and is
// saved with "Done".
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/workshop.h"
#include "core/workshop_themes.h"
#include "ui/keyboard.h"
#include "ui/workshop_common.h"

namespace tillit::ui {

struct WorkshopSetupScreen {
    enum class Field { None, Title, OwnQuestion };
    Field editing = Field::None;
    std::string draft;
    Keyboard keyboard;
    void reset() { *this = {}; }
};

struct WorkshopSetupView {
    const Workshop& workshop;
    const std::vector<WorkshopTheme>& themes;
    const std::string& themes_error;  // shown when the table could not be read
};

struct WorkshopSetupIntent {
    enum class Kind { Save, Nav };
    Kind kind = Kind::Save;
    WorkshopSetup setup;  // Save
    WorkshopNav nav;      // Nav
};

std::optional<WorkshopSetupIntent> draw(WorkshopSetupScreen& screen, UiContext& ctx, const WorkshopSetupView& view);

}  // namespace tillit::ui
