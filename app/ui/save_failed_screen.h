// Shown when a response could not be committed (disk full, I/O error): calm words,
// "please tell the staff", and a retry. The answers stay in memory until the resident
// retries or leaves; they are never shown.
#pragma once

#include <optional>

#include "ui/context.h"

namespace tillit::ui {

struct SaveFailedScreen {
    int failed_attempts = 0;  // 1 when first shown; a failed retry says so
};

enum class SaveFailedIntent { Retry, Leave };

std::optional<SaveFailedIntent> draw(SaveFailedScreen& screen, UiContext& ctx);

}  // namespace tillit::ui
