// What every workshop screen shares: the top bar (leave, the five steps as tabs the
// facilitator can tap in any order, the current one marked), the text box that shows
// what is being typed, and the words for the worksheet steps and goals. Drawing only.
#pragma once

#include <optional>
#include <string>

#include "core/workshop.h"
#include "ui/context.h"

namespace tillit::ui {

struct WorkshopNav {
    enum class Kind { Leave, Step };
    Kind kind = Kind::Leave;
    WorkshopStep step = WorkshopStep::Setup;
};

// Draws the bar; returns the tap. `busy` disables the tabs (a participant's turn is open).
std::optional<WorkshopNav> draw_workshop_bar(UiContext& ctx, WorkshopStep current, bool busy);
// Where content may start below the bar (screen y, px).
float workshop_content_top(const UiContext& ctx);

// A framed box with `text` and a caret, its last lines in view; `hint` when empty.
void draw_text_box(UiContext& ctx, ImVec2 min, ImVec2 max, const std::string& text, const std::string& hint);

std::string worksheet_title(const UiContext& ctx, WorksheetStep step);  // "Who else could we work with?"
std::string goal_title(const UiContext& ctx, WorkshopGoal goal);
std::string step_title(const UiContext& ctx, WorkshopStep step);        // "Set up", "Data", ...

}  // namespace tillit::ui
