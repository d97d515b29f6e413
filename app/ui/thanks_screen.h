// "Tack!" and the same promise as before the survey, then back to the start by
// itself after a few seconds (the router owns that timer) or at once with "Done".
#pragma once

#include <optional>

#include "ui/context.h"

namespace tillit::ui {

struct ThanksScreen {};

enum class ThanksIntent { Done };

std::optional<ThanksIntent> draw(ThanksScreen& screen, UiContext& ctx);

}  // namespace tillit::ui
