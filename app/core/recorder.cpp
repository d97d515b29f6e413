// Recorder: Session -> stored rows. Free text is scrubbed of obvious identifiers
// before it reaches the disk; sealing it to the server key is the sync layer's job.
#include "core/recorder.h"

#include <nlohmann/json.hpp>

#include "core/privacy.h"

namespace tillit {

Recorder::Recorder(Store& store, const KioskConfig& config, Clock clock)
    : store_(store), config_(config), clock_(std::move(clock)) {}

std::string Recorder::answers_for_storage(const Session& session) const {
    nlohmann::json answers = session.answers_json();
    for (auto& [question_id, value] : answers.items()) {
        const Question* question = session.survey().find_question(question_id);
        if (question != nullptr && question->type == QuestionType::Text && value.is_string()) {
            value = scrub_identifiers(value.get<std::string>());
        }
    }
    return answers.dump();
}

Result<std::string> Recorder::submit(const Session& session) {
    NewResponse row;
    row.survey_id = session.survey().id;
    row.survey_version = session.survey().version;
    row.language = session.language();
    row.venue_id = config_.venue_id;
    row.time_bucket = time_bucket(config_.time_bucket, clock_());
    row.answers_json = answers_for_storage(session);
    return store_.save_response(row);
}

Status Recorder::amend(const std::string& response_id, const Session& session) {
    return store_.amend_response(response_id, answers_for_storage(session));
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
