// One question per screen: large question text, answers as large tiles (faces for
// scales), progress, back, skip and next/send. Free-text questions have their own
// screen (freetext_screen.h). The screen only reports taps; the router changes the
// Session, so what is on screen always comes from the Session.
#pragma once

#include <optional>
#include <string>

#include "core/session.h"
#include "ui/context.h"

namespace tillit::ui {

struct QuestionScreen {
    double max_note_until = 0.0;  // show "you can choose at most N" until this time
    void reset() { *this = {}; }
};

struct QuestionView {
    const Session& session;
    bool followup = false;  // the optional follow-up of a one-tap survey: only "done"
};

struct QuestionIntent {
    enum class Kind { Scale, DontKnow, Option, Toggle, Next, Back, Skip, Send, Done, ChangeLanguage };
    Kind kind = Kind::Next;
    int step = 0;         // Scale
    std::string option;   // Option, Toggle
};

std::optional<QuestionIntent> draw(QuestionScreen& screen, UiContext& ctx, const QuestionView& view);

// Shared by the question and free-text screens: progress line and language button.
std::optional<QuestionIntent> draw_question_header(UiContext& ctx, const Session& session, bool show_progress);
// Back / skip / next-or-send. Returns the intent of the tapped button.
std::optional<QuestionIntent> draw_question_footer(UiContext& ctx, const Session& session, bool followup);
float question_footer_top(const UiContext& ctx);

}  // namespace tillit::ui
