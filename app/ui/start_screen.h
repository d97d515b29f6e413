// The attract screen: calm, no animation, one obvious thing to tap. Offers the
// sequential survey as a big "start" tile and a one-tap survey as faces right here, and
// the venue's "you said – we did" message from the municipality, when there is one.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "core/survey.h"
#include "core/sync/sync_client.h"
#include "ui/context.h"

namespace tillit::ui {

struct StartScreen {};  // nothing to remember between frames

struct StartView {
    const std::string& venue_name;
    const std::vector<Survey>& surveys;
    bool offer_language = true;
    // The venue's newest "Ni sa – vi gjorde" message from the server, shown at the
    // bottom with the server's suppressed summary; nullptr: none.
    const sync::Feedback* feedback = nullptr;
};

struct StartIntent {
    enum class Kind { BeginSurvey, OneTapAnswer, ChangeLanguage };
    Kind kind = Kind::BeginSurvey;
    std::size_t survey_index = 0;
    int step = 0;  // OneTapAnswer: the face tapped
};

std::optional<StartIntent> draw(StartScreen& screen, UiContext& ctx, const StartView& view);

}  // namespace tillit::ui
