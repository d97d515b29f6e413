// "Are you still there?": shown after the idle timeout over the resident's survey,
// with a countdown (at least 20 s) and one big "Continue". When it runs out the
// router discards the answers and stores only where the resident stopped.
#pragma once

#include <optional>

#include "ui/context.h"

namespace tillit::ui {

struct IdleScreen {};

enum class IdleIntent { Continue };

std::optional<IdleIntent> draw(IdleScreen& screen, UiContext& ctx, int seconds_left);

}  // namespace tillit::ui
