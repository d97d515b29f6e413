// Recorder: Session -> stored rows. Free text is scrubbed of obvious identifiers
// before it reaches the disk, and sealed ({"sealed": "<base64 crypto_box_seal>"}) once
// the store holds the server's sealing key, so the kiosk cannot read it back.
#include "core/recorder.h"

#include <exception>

#include <nlohmann/json.hpp>

#include "core/privacy.h"
#include "core/wire.h"

namespace tillit {

Recorder::Recorder(Store& store, const KioskConfig& config, Clock clock)
    : store_(store), config_(config), clock_(std::move(clock)) {}

Result<std::string> Recorder::answers_for_storage(const Session& session) const {
    // Asked at every save: enrolment may happen while the kiosk runs.
    const auto identity = store_.identity();
    if (!identity) return make_error(identity.error());
    const std::string sealing_key = identity.value() ? identity.value()->sealing_public_key : std::string();
    nlohmann::json answers = session.answers_json();
    try {
        for (auto& [question_id, value] : answers.items()) {
            const Question* question = session.survey().find_question(question_id);
            if (question == nullptr || question->type != QuestionType::Text || !value.is_string()) continue;
            const std::string scrubbed = scrub_identifiers(value.get<std::string>());
            if (sealing_key.empty()) {
                value = scrubbed;
            } else {
                value = nlohmann::json{{"sealed", wire::seal(sealing_key, scrubbed)}};
            }
        }
        return answers.dump();
    } catch (const std::exception& e) {
        return make_error(std::string("could not prepare the answers: ") + e.what());
    }
}

Result<std::string> Recorder::submit(const Session& session) {
    NewResponse row;
    row.survey_id = session.survey().id;
    row.survey_version = session.survey().version;
    row.language = session.language();
    row.venue_id = config_.venue_id;
    row.time_bucket = time_bucket(config_.time_bucket, clock_());
    row.hold_for_followup = session.survey().flow == SurveyFlow::OneTap && session.count() > 1;
    auto answers = answers_for_storage(session);
    if (!answers) return make_error("could not save the response: " + answers.error());
    row.answers_json = std::move(answers).value();
    return store_.save_response(row);
}

Status Recorder::amend(const std::string& response_id, const Session& session) {
    auto answers = answers_for_storage(session);
    if (!answers) return make_error("could not amend the response: " + answers.error());
    return store_.amend_response(response_id, answers.value());
}

Status Recorder::abandon(const Session& session, std::size_t reached_step) {
    Abandonment row;
    row.survey_id = session.survey().id;
    row.survey_version = session.survey().version;
    row.language = session.language();
    row.venue_id = config_.venue_id;
    row.time_bucket = time_bucket(config_.time_bucket, clock_());
    row.reached_step = static_cast<int>(reached_step);
    row.total_steps = static_cast<int>(session.count());
    return store_.save_abandonment(row);
}

}  // namespace tillit
