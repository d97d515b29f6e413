// What the fault tests share: the shipped surveys, a kiosk config, a fixed clock and a
// resident who answers a Session at random (seeded). Answers are made up and never logged.
// Not a fixture for the screens: tests/unit/kiosk_fixture.h is.
#pragma once

#include <doctest/doctest.h>

#include <chrono>
#include <cstdint>
#include <random>
#include <string>
#include <utility>

#include "core/config.h"
#include "core/session.h"
#include "core/survey.h"

namespace tillit::test {

inline tillit::Survey shipped_survey(const std::string& id) {
    auto survey =
        tillit::load_survey(std::string(TILLIT_SOURCE_DIR) + "/kiosk-config/surveys/" + id + ".toml", {"sv", "en"});
    REQUIRE_MESSAGE(survey.ok(), (survey.ok() ? "" : survey.error()));
    return std::move(survey).value();
}

inline tillit::KioskConfig fault_config() {
    tillit::KioskConfig config;
    config.venue_id = "exempel-medborgarkontor";
    config.venue_name = "Exempel";
    config.languages = {"sv", "en"};
    config.surveys = {"tillit"};
    return config;
}

// 2026-11-23, a fixed moment: the bucket never changes during a test.
inline std::chrono::system_clock::time_point fixed_clock() {
    return std::chrono::system_clock::time_point(std::chrono::seconds(1795440000));
}

// Answers the current question as a resident might.
inline void answer_current(tillit::Session& session, std::mt19937_64& random) {
    const tillit::Question& question = session.current();
    switch (question.type) {
        case tillit::QuestionType::Scale5:
        case tillit::QuestionType::Scale4:
            if (question.dont_know && random() % 6 == 0) {
                session.choose_dont_know();
            } else {
                session.choose_scale(1 + static_cast<int>(random() % static_cast<unsigned>(question.scale_steps())));
            }
            break;
        case tillit::QuestionType::Single:
            session.choose_option(question.options[random() % question.options.size()].id);
            break;
        case tillit::QuestionType::Multi:
            session.toggle_option(question.options[random() % question.options.size()].id);
            break;
        case tillit::QuestionType::Text:
            session.set_text("Bra bemötande, tack " + std::to_string(random() % 1000));
            break;
    }
}

// Every question answered (now and then skipped), then "send".
inline void answer_all(tillit::Session& session, std::mt19937_64& random) {
    do {
        if (random() % 8 != 0) answer_current(session, random);
    } while (session.next());
    session.finish();
}

}  // namespace tillit::test
