// Workshop step 4, prioritise, on the shared screen, one participant at a time: each
// taps "My turn", then either places their N dots on the statements (several on one is
// fine) or answers agree / disagree / pass on each, and passes on with "Done". Nobody is
// named; a turn counts only when it ends. Between turns the screen shows the dots so far
// and, for agree/disagree, which statements the room agrees on and which divide it,
// with n, and no chart below 5 participants.
#pragma once

#include <optional>
#include <string>

#include "core/workshop.h"
#include "ui/workshop_common.h"

namespace tillit::ui {

struct WorkshopVoteScreen {
    TurnKind mode = TurnKind::Dots;  // which kind of voting is on screen
    void reset() { *this = {}; }
};

struct WorkshopVoteIntent {
    enum class Kind { StartTurn, PlaceDot, RemoveDot, SetStance, EndTurn, CancelTurn, Nav };
    Kind kind = Kind::Nav;
    TurnKind turn = TurnKind::Dots;  // StartTurn
    std::string id;                  // PlaceDot, RemoveDot, SetStance
    Stance stance = Stance::Pass;    // SetStance
    WorkshopNav nav;
};

std::optional<WorkshopVoteIntent> draw(WorkshopVoteScreen& screen, UiContext& ctx, const Workshop& workshop);

}  // namespace tillit::ui
