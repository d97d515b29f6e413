// The anonymity promise, before the first question: in plain words, that answers are
// anonymous, that nobody at the desk can see them, and what the municipality does.
#pragma once

#include <optional>

#include "ui/context.h"

namespace tillit::ui {

struct PromiseScreen {};

enum class PromiseIntent { Begin, Back, ChangeLanguage };

std::optional<PromiseIntent> draw(PromiseScreen& screen, UiContext& ctx);

}  // namespace tillit::ui
