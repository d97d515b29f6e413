// Routing and timers of the resident flow. Every way out of a session ends in
// end_session(), which drops the Session and every screen's state, so the next
// person starts from nothing.
#include "ui/kiosk_app.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace tillit::ui {
namespace {

constexpr double kMaxNoteSeconds = 4.0;

}  // namespace

const char* to_string(Screen screen) {
    switch (screen) {
        case Screen::Start: return "start";
        case Screen::Language: return "language";
        case Screen::Promise: return "promise";
        case Screen::Question: return "question";
        case Screen::FreeText: return "freetext";
        case Screen::Thanks: return "thanks";
        case Screen::SaveFailed: return "save_failed";
    }
    return "unknown";
}

KioskApp::KioskApp(const KioskConfig& config, const std::vector<Survey>& surveys, Translations& translations,
                   Recorder& recorder, double now)
    : config_(config), surveys_(surveys), translations_(translations), recorder_(recorder), now_(now),
      last_input_(now), screen_since_(now) {
    translations_.set_language(config_.default_language);
}

std::string KioskApp::screen_key() const {
    std::string key = idle_warning() ? "idle" : to_string(screen_);
    if (!idle_warning() && session_ && (screen_ == Screen::Question || screen_ == Screen::FreeText)) {
        key += "_" + session_->current().id;
    }
    if (!idle_warning() && screen_ == Screen::SaveFailed && save_failed_.failed_attempts > 1) {
        key += "_retry" + std::to_string(save_failed_.failed_attempts);
    }
    return key + "_" + translations_.language();
}

void KioskApp::go(Screen screen) {
    screen_ = screen;
    screen_since_ = now_;
    idle_since_.reset();
}

void KioskApp::open_language(Screen back_to, bool back_ends_session) {
    language_return_ = back_to;
    language_back_ends_session_ = back_ends_session;
    go(Screen::Language);
}

void KioskApp::begin_survey(std::size_t survey_index) {
    session_.emplace(surveys_[survey_index], translations_.language());
    questions_started_ = false;
    if (config_.languages.size() > 1) {
        open_language(Screen::Promise, true);
    } else {
        go(Screen::Promise);
    }
}

void KioskApp::one_tap(std::size_t survey_index, int step) {
    session_.emplace(surveys_[survey_index], translations_.language());
    questions_started_ = true;
    session_->choose_scale(step);
    store_one_tap();
}

void KioskApp::store_one_tap() {
    auto saved = recorder_.submit(*session_);
    if (!saved) {
        std::fprintf(stderr, "tillit-kiosk: %s\n", saved.error().c_str());
        save_failed_.failed_attempts = screen_ == Screen::SaveFailed ? save_failed_.failed_attempts + 1 : 1;
        go(Screen::SaveFailed);
        return;
    }
    one_tap_response_ = saved.value();
    if (session_->next()) {
        show_question();  // the optional follow-up
    } else {
        go(Screen::Thanks);
    }
}

void KioskApp::show_question() {
    questions_started_ = true;
    question_.reset();
    freetext_.reset();
    go(session_->current().type == QuestionType::Text ? Screen::FreeText : Screen::Question);
}

void KioskApp::send() {
    session_->finish();
    auto saved = recorder_.submit(*session_);
    if (!saved) {
        // The reason goes to the admin's log; the resident sees calm words. No answers logged.
        std::fprintf(stderr, "tillit-kiosk: %s\n", saved.error().c_str());
        save_failed_.failed_attempts = screen_ == Screen::SaveFailed ? save_failed_.failed_attempts + 1 : 1;
        go(Screen::SaveFailed);
        return;
    }
    session_.reset();
    go(Screen::Thanks);
}

void KioskApp::end_session(bool record_abandonment) {
    if (session_ && record_abandonment && !one_tap_response_) {
        const auto status = recorder_.abandon(*session_, questions_started_ ? session_->reached_step() : 0);
        if (!status) std::fprintf(stderr, "tillit-kiosk: %s\n", status.error().c_str());
    }
    if (session_ && one_tap_response_) {
        // The follow-up was shown and not answered: record it as skipped.
        session_->finish();
        const auto status = recorder_.amend(*one_tap_response_, *session_);
        if (!status) std::fprintf(stderr, "tillit-kiosk: %s\n", status.error().c_str());
    }
    session_.reset();
    one_tap_response_.reset();
    questions_started_ = false;
    question_.reset();
    freetext_.reset();
    translations_.set_language(config_.default_language);
    go(Screen::Start);
}

void KioskApp::apply(const QuestionIntent& intent) {
    Session& s = *session_;
    const bool followup = one_tap_response_.has_value();
    switch (intent.kind) {
        case QuestionIntent::Kind::Scale: s.choose_scale(intent.step); break;
        case QuestionIntent::Kind::DontKnow: s.choose_dont_know(); break;
        case QuestionIntent::Kind::Option:
            s.choose_option(intent.option);
            if (followup) {
                // One tap is enough for the follow-up too: store it and say thank you.
                s.finish();
                const auto status = recorder_.amend(*one_tap_response_, s);
                if (!status) std::fprintf(stderr, "tillit-kiosk: %s\n", status.error().c_str());
                session_.reset();
                one_tap_response_.reset();
                go(Screen::Thanks);
            }
            break;
        case QuestionIntent::Kind::Toggle:
            if (s.toggle_option(intent.option) == ToggleResult::AtMaximum) {
                question_.max_note_until = now_ + kMaxNoteSeconds;
            }
            break;
        case QuestionIntent::Kind::Next:
            if (s.next()) show_question();
            break;
        case QuestionIntent::Kind::Skip:
            if (s.skip()) show_question();
            break;
        case QuestionIntent::Kind::Back:
            if (s.back()) {
                show_question();
            } else {
                go(Screen::Promise);
            }
            break;
        case QuestionIntent::Kind::Send: send(); break;
        case QuestionIntent::Kind::Done: end_session(false); break;
        case QuestionIntent::Kind::ChangeLanguage: open_language(screen_); break;
    }
}

void KioskApp::frame(UiContext& ctx) {
    ctx.now = now_;
    if (idle_since_) {
        const int left = static_cast<int>(std::ceil(config_.idle_countdown_seconds - (now_ - *idle_since_)));
        if (draw(idle_, ctx, left)) {
            idle_since_.reset();
            last_input_ = now_;
        }
        return;
    }
    switch (screen_) {
        case Screen::Start: {
            const StartView view{config_.venue_name, surveys_, config_.languages.size() > 1};
            if (const auto intent = draw(start_, ctx, view)) {
                switch (intent->kind) {
                    case StartIntent::Kind::BeginSurvey: begin_survey(intent->survey_index); break;
                    case StartIntent::Kind::OneTapAnswer: one_tap(intent->survey_index, intent->step); break;
                    case StartIntent::Kind::ChangeLanguage: open_language(Screen::Start); break;
                }
            }
            break;
        }
        case Screen::Language:
            if (const auto intent = draw(language_, ctx, config_.languages)) {
                if (intent->kind == LanguageIntent::Kind::Choose) {
                    translations_.set_language(intent->language);
                    if (session_) session_->set_language(intent->language);
                    go(language_return_);
                } else if (language_back_ends_session_) {
                    end_session(true);  // "back" from the first language choice: not started after all
                } else {
                    go(language_return_);
                }
            }
            break;
        case Screen::Promise:
            if (const auto intent = draw(promise_, ctx)) {
                switch (*intent) {
                    case PromiseIntent::Begin: show_question(); break;
                    case PromiseIntent::Back: end_session(true); break;
                    case PromiseIntent::ChangeLanguage: open_language(Screen::Promise); break;
                }
            }
            break;
        case Screen::Question:
            if (const auto intent = draw(question_, ctx, QuestionView{*session_, one_tap_response_.has_value()})) {
                apply(*intent);
            }
            break;
        case Screen::FreeText:
            if (const auto intent = draw(freetext_, ctx, *session_)) {
                if (intent->kind == FreeTextIntent::Kind::Navigate) {
                    apply(intent->navigate);
                } else {
                    const Answer* answer = session_->current_answer();
                    const std::string text = answer != nullptr && answer->kind == Answer::Kind::Text ? answer->text : "";
                    session_->set_text(apply_typing(text, *intent, session_->current().max_length));
                }
            }
            break;
        case Screen::Thanks:
            if (draw(thanks_, ctx)) end_session(false);
            break;
        case Screen::SaveFailed:
            if (const auto intent = draw(save_failed_, ctx)) {
                if (*intent == SaveFailedIntent::Retry && session_) {
                    if (session_->survey().flow == SurveyFlow::OneTap) {
                        store_one_tap();
                    } else {
                        send();
                    }
                } else {
                    end_session(false);
                }
            }
            break;
    }
}

void KioskApp::on_input(double now) {
    now_ = now;
    last_input_ = now;
}

double KioskApp::next_deadline() const {
    if (idle_since_) {
        // Redraw once a second for the countdown, and end it on time.
        const double elapsed = now_ - *idle_since_;
        return std::min(*idle_since_ + std::floor(elapsed) + 1.0, *idle_since_ + config_.idle_countdown_seconds);
    }
    double deadline = kNever;
    const double idle_at = last_input_ + config_.idle_timeout_seconds;
    switch (screen_) {
        case Screen::Start:
            if (translations_.language() != config_.default_language) deadline = idle_at;
            break;
        case Screen::Thanks: deadline = screen_since_ + config_.thanks_seconds; break;
        case Screen::Question:
        case Screen::FreeText:
            if (one_tap_response_) {
                deadline = std::max(last_input_, screen_since_) + session_->survey().followup_timeout_seconds;
            } else {
                deadline = idle_at;
            }
            // Until tick() has cleared it, so the note's own deadline is not lost once reached.
            if (question_.max_note_until > 0.0) deadline = std::min(deadline, question_.max_note_until);
            break;
        case Screen::Language:
        case Screen::Promise:
        case Screen::SaveFailed: deadline = idle_at; break;
    }
    return deadline;
}

bool KioskApp::tick(double now) {
    now_ = now;
    if (idle_since_) {
        if (now_ - *idle_since_ >= config_.idle_countdown_seconds) {
            end_session(true);  // walked away: keep only where they stopped
        }
        return true;  // the countdown number changed
    }
    if (now_ < next_deadline()) return false;
    switch (screen_) {
        case Screen::Start:
            translations_.set_language(config_.default_language);
            return true;
        case Screen::Thanks:
            end_session(false);
            return true;
        case Screen::Question:
        case Screen::FreeText:
            if (one_tap_response_) {
                end_session(false);
                return true;
            }
            if (question_.max_note_until > 0.0 && question_.max_note_until <= now_) {
                question_.max_note_until = 0.0;
                if (now_ < last_input_ + config_.idle_timeout_seconds) return true;
            }
            break;
        case Screen::Language:
        case Screen::Promise:
        case Screen::SaveFailed: break;
    }
    if (now_ >= last_input_ + config_.idle_timeout_seconds) {
        if (session_ && questions_started_) {
            idle_since_ = now_;
        } else {
            end_session(true);
        }
        return true;
    }
    return false;
}

}  // namespace tillit::ui
