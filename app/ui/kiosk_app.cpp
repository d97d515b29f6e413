// Routing and timers of the resident flow. Every way out of a session ends in
// end_session(), which drops the Session and every screen's state, so the next
// person starts from nothing.
#include "ui/kiosk_app.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <ctime>

#include "core/privacy.h"
#include "core/workshop_export.h"
#include "ui/widgets.h"

namespace tillit::ui {
namespace {

constexpr double kMaxNoteSeconds = 4.0;
// Staff screens redraw this often for the sync progress, the clock and the PIN pause.
constexpr double kStaffRefreshSeconds = 0.5;
constexpr double kStatusRefreshSeconds = 2.0;
// The corner ring appears only after this much holding, so a resident's tap shows nothing.
constexpr double kCornerRingAfterSeconds = 0.6;
// The idle warning's chime plays first; its spoken prompt starts after it.
constexpr double kPromptAfterChimeSeconds = 0.9;

long long wall_now() { return static_cast<long long>(std::time(nullptr)); }

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
        case Screen::Pin: return "pin";
        case Screen::Staff: return "staff";
        case Screen::Export: return "export";
        case Screen::Settings: return "settings";
        case Screen::WorkshopSetup: return "workshop_setup";
        case Screen::WorkshopData: return "workshop_data";
        case Screen::WorkshopGather: return "workshop_gather";
        case Screen::WorkshopVote: return "workshop_vote";
        case Screen::WorkshopSummary: return "workshop_summary";
    }
    return "unknown";
}

KioskApp::KioskApp(const KioskConfig& config, const std::vector<Survey>& surveys, Translations& translations,
                   Recorder& recorder, double now, StaffDesk* desk, ReadAloud* voice)
    : config_(config), surveys_(surveys), translations_(translations), recorder_(recorder), now_(now),
      last_input_(now), screen_since_(now), desk_(desk), voice_(voice) {
    translations_.set_language(config_.default_language);
    reload_feedback();
    resume_recent_workshop();
}

std::string KioskApp::screen_key() const {
    std::string key = idle_warning() ? "idle" : to_string(screen_);
    if (!idle_warning() && screen_ == Screen::Start && feedback_) key += "_feedback";
    if (!idle_warning() && session_ && (screen_ == Screen::Question || screen_ == Screen::FreeText)) {
        key += "_" + session_->current().id;
    }
    if (!idle_warning() && screen_ == Screen::SaveFailed && save_failed_.failed_attempts > 1) {
        key += "_retry" + std::to_string(save_failed_.failed_attempts);
    }
    if (screen_ == Screen::Pin) {
        static const char* const states[] = {"", "_checking", "_wrong", "_paused", "_nopin", "_failed"};
        key += states[static_cast<int>(pin_view_.state)];
    }
    if (screen_ == Screen::Staff) {
        if (role_) key += std::string("_") + to_string(*role_);
        if (staff_.confirm_quit) key += "_quit";
        if (staff_.sync_requested && status_sync_state_) key += std::string("_") + sync::to_string(*status_sync_state_);
    }
    if (screen_ == Screen::Export && (desk_ != nullptr && desk_->exporting())) key += "_writing";
    if (screen_ == Screen::Export && !export_.message.empty()) key += export_.failed ? "_failed" : "_done";
    if (screen_ == Screen::Settings && !settings_.message.empty()) key += settings_.failed ? "_failed" : "_saved";
    if (screen_ == Screen::WorkshopData) {
        key += std::string("_") + to_string(workshop_data_.page);
        if (report_wanted_) key += "_counting";
    }
    if (screen_ == Screen::WorkshopGather) key += std::string("_") + to_string(workshop_gather_.mode);
    if (screen_ == Screen::WorkshopVote) {
        key += workshop_vote_.mode == TurnKind::Dots ? "_dots" : "_stances";
        if (workshop_ && workshop_->turn) key += "_turn";
    }
    if (screen_ == Screen::WorkshopSetup && workshop_setup_.editing != WorkshopSetupScreen::Field::None) key += "_typing";
    if (screen_ == Screen::WorkshopSetup && workshop_ && !workshop_->setup.theme_id.empty()) key += "_theme";
    if (screen_ == Screen::WorkshopSummary) {
        if (workshop_summary_.confirm_finish) key += "_confirm";
        if (!workshop_summary_.message.empty()) key += workshop_summary_.failed ? "_failed" : "_saved";
    }
    if (access_.large_text) key += "_large";
    if (access_.high_contrast) key += "_contrast";
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
    confirmed_ = saved.value();
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
    confirmed_ = saved.value();
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
    confirmed_.clear();
    questions_started_ = false;
    question_.reset();
    freetext_.reset();
    translations_.set_language(config_.default_language);
    // The next person starts with no access modes, silence and the default volume.
    stop_reading();
    access_ = {};
    if (voice_ != nullptr) voice_->reset_volume();
    go(Screen::Start);
}

double KioskApp::idle_timeout() const {
    return config_.idle_timeout_seconds * (access_.any() ? 2.0 : 1.0);
}

bool KioskApp::resident_screen(Screen screen) {
    // Everything a staff member signs in for is staff; the rest is the residents'.
    return !(screen == Screen::Pin || screen == Screen::Staff || screen == Screen::Export ||
             screen == Screen::Settings || screen == Screen::WorkshopSetup || screen == Screen::WorkshopData ||
             screen == Screen::WorkshopGather || screen == Screen::WorkshopVote || screen == Screen::WorkshopSummary);
}

void KioskApp::stop_reading() {
    if (voice_ != nullptr && voice_->speaking()) voice_->stop();
    spoken_key_.clear();
    idle_prompt_at_.reset();
}

// What the speaker button reads: the words on the screen, in reading order.
std::string KioskApp::spoken_text(const UiContext& ctx) const {
    const std::string& lang = ctx.language();
    std::string text;
    auto add = [&](const std::string& part) {
        if (part.empty()) return;
        if (!text.empty()) text += "\n";
        text += part;
    };
    if (idle_since_) {
        add(ctx.tr("Are you still there?"));
        add(ctx.tr("Continue"));
        return text;
    }
    switch (screen_) {
        case Screen::Start:
            for (const Survey& survey : surveys_) {
                if (survey.flow == SurveyFlow::OneTap) {
                    const Question& q = survey.questions.front();
                    add(text_in(q.label, lang));
                    add(text_in(q.low_label, lang));
                    add(text_in(q.high_label, lang));
                } else {
                    add(text_in(survey.title, lang));
                    add(text_in(survey.summary, lang));
                    add(ctx.tr("Tap here to start"));
                }
            }
            break;
        case Screen::Language: add(ctx.tr("Choose language")); break;
        case Screen::Promise:
            add(ctx.tr("Your answers are anonymous"));
            add(ctx.tr("We do not ask for your name, and nothing you answer can be traced back to you."));
            add(ctx.tr("Nobody at the desk can see what you answer."));
            add(ctx.tr("The municipality only sees answers from many people together, and uses them to do better."));
            add(ctx.tr("I understand, start"));
            break;
        case Screen::Question:
        case Screen::FreeText: {
            if (!session_) break;
            const Question& q = session_->current();
            add(text_in(q.label, lang));
            add(text_in(q.note, lang));
            if (q.type == QuestionType::Scale5 || q.type == QuestionType::Scale4) {
                add(text_in(q.low_label, lang));
                add(text_in(q.high_label, lang));
                if (q.dont_know) add(ctx.tr("Don't know"));
            }
            for (const Option& option : q.options) add(text_in(option.label, lang));
            break;
        }
        case Screen::Thanks:
            add(ctx.tr("Thank you!"));
            add(ctx.tr("Your answers are saved. They are anonymous: nobody can see who gave them."));
            break;
        case Screen::SaveFailed:
            add(ctx.tr("Your answers could not be saved"));
            add(ctx.tr("You did nothing wrong. Please tell the staff so that they can fix the kiosk."));
            break;
        default: break;
    }
    return text;
}

// The access bar over a resident screen, and reading aloud whatever is new on screen.
void KioskApp::access_frame(UiContext& ctx, Screen drawn, bool idle_drawn) {
    const Theme& t = ctx.theme;
    const float width = ImGui::GetMainViewport()->WorkSize.x;
    const float margin = t.px(Theme::kMarginMm);
    // Laid out beside what this frame drew, even when a tap has just changed the screen.
    const bool language_button = !idle_drawn && config_.languages.size() > 1 &&
                                 (drawn == Screen::Start || drawn == Screen::Promise || drawn == Screen::Question ||
                                  drawn == Screen::FreeText);
    const float right = width - margin - (language_button ? language_button_width(ctx) + t.px(Theme::kGapMm) : 0.0f);
    const std::string& language = translations_.language();
    AccessView view;
    view.has_voice = voice_ != nullptr && voice_->has_voice(language);
    view.speaking = view.has_voice && voice_->speaking();
    view.volume = voice_ != nullptr ? voice_->volume() : 100;
    if (const auto intent = draw_access_bar(ctx, access_, view, right, margin * 0.75f)) {
        switch (*intent) {
            case AccessIntent::ToggleReadAloud:
                if (view.speaking || access_.read_aloud) {
                    access_.read_aloud = false;
                    stop_reading();
                } else {
                    access_.read_aloud = true;
                    spoken_key_.clear();  // read this screen now
                }
                break;
            case AccessIntent::CycleVolume:
                if (voice_ != nullptr) voice_->set_volume(next_volume(voice_->volume()));
                break;
            case AccessIntent::ToggleLargeText: access_.large_text = !access_.large_text; break;
            case AccessIntent::ToggleContrast: access_.high_contrast = !access_.high_contrast; break;
        }
    }
    // Reading aloud follows the person: every new screen (or language) is read once.
    if (access_.read_aloud && view.has_voice && !idle_prompt_at_) {
        const std::string key = screen_key();
        if (key != spoken_key_) {
            spoken_key_ = key;
            voice_->speak(spoken_text(ctx), language);
        }
    } else if (access_.read_aloud && !view.has_voice && voice_ != nullptr && voice_->speaking()) {
        voice_->stop();  // the new language has no voice
    }
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

void KioskApp::frame(UiContext& outer) {
    // A resident's access modes change the theme and the text sizes of every screen.
    const Theme theme = access_.high_contrast ? outer.theme.with_high_contrast() : outer.theme;
    const Fonts fonts = access_.large_text ? Fonts::make(outer.fonts.body.engine, outer.theme, true) : outer.fonts;
    UiContext ctx{theme, fonts, outer.translations, outer.log, now_};
    background_ = theme.background;
    const Screen drawn = screen_;
    if (idle_since_) {
        const int left = static_cast<int>(std::ceil(config_.idle_countdown_seconds - (now_ - *idle_since_)));
        if (draw(idle_, ctx, left)) {
            idle_since_.reset();
            idle_prompt_at_.reset();
            last_input_ = now_;
        }
        access_frame(ctx, drawn, true);
        return;
    }
    switch (screen_) {
        case Screen::Start: {
            corner_hold(ctx);
            if (screen_ != Screen::Start) break;
            const StartView view{config_.venue_name, surveys_, config_.languages.size() > 1,
                                 feedback_ ? &*feedback_ : nullptr};
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
        case Screen::Pin:
        case Screen::Staff:
        case Screen::Export:
        case Screen::Settings:
        case Screen::WorkshopSetup:
        case Screen::WorkshopData:
        case Screen::WorkshopGather:
        case Screen::WorkshopVote:
        case Screen::WorkshopSummary: staff_frame(ctx); break;
    }
    if (resident_screen(drawn)) access_frame(ctx, drawn, false);
}

const std::string& KioskApp::staff_note() const {
    static const std::string none;
    switch (screen_) {
        case Screen::Pin: return pin_.message;
        case Screen::Staff: return staff_.words;
        case Screen::Export: return export_.message;
        case Screen::Settings: return settings_.message;
        case Screen::WorkshopSummary:
            return workshop_summary_.message.empty() ? workshop_note_ : workshop_summary_.message;
        case Screen::WorkshopVote: return workshop_note_.empty() ? vote_note_ : workshop_note_;
        case Screen::WorkshopSetup:
        case Screen::WorkshopData:
        case Screen::WorkshopGather: return workshop_note_;
        default: return none;
    }
}

bool KioskApp::staff_mode() const { return !resident_screen(screen_); }

long KioskApp::workshop_typed_length() const {
    if (screen_ == Screen::WorkshopSetup && workshop_setup_.editing != WorkshopSetupScreen::Field::None) {
        return static_cast<long>(utf8_length(workshop_setup_.draft));
    }
    if (screen_ == Screen::WorkshopGather && (workshop_gather_.mode == WorkshopGatherScreen::Mode::Compose ||
                                              workshop_gather_.mode == WorkshopGatherScreen::Mode::Edit)) {
        return static_cast<long>(utf8_length(workshop_gather_.draft));
    }
    return -1;
}

bool KioskApp::workshop_screen() const {
    return screen_ == Screen::WorkshopSetup || screen_ == Screen::WorkshopData || screen_ == Screen::WorkshopGather ||
           screen_ == Screen::WorkshopVote || screen_ == Screen::WorkshopSummary;
}

// Holding the top-left corner of the start screen for hold_seconds opens the PIN pad.
// A short tap there does what a tap there always did; after a moment a thin ring fills
// so staff can see the hold is counted.
void KioskApp::corner_hold(UiContext& ctx) {
    if (desk_ == nullptr) return;
    const ImGuiIO& io = ImGui::GetIO();
    const float corner = ctx.theme.px(kStaffCornerMm);
    ctx.log.widgets.push_back({"staff_corner", "", ImVec2(0, 0), ImVec2(corner, corner), false, true, false});
    const bool held = io.MouseDown[0] && io.MouseClickedPos[0].x <= corner && io.MouseClickedPos[0].y <= corner &&
                      io.MousePos.x <= corner * 1.5f && io.MousePos.y <= corner * 1.5f;
    if (!held) {
        corner_since_.reset();
        return;
    }
    if (!corner_since_) {
        corner_since_ = now_;
        refresh_at_ = now_ + kCornerRingAfterSeconds;
    }
    const double hold = config_.staff.hold_seconds;
    const double held_for = now_ - *corner_since_;
    if (held_for >= hold) {
        corner_since_.reset();
        open_pin();
        return;
    }
    if (held_for >= kCornerRingAfterSeconds) {
        const float fraction = static_cast<float>((held_for - kCornerRingAfterSeconds) / (hold - kCornerRingAfterSeconds));
        const ImVec2 centre(corner * 0.5f, corner * 0.5f);
        ImDrawList* draw = ImGui::GetForegroundDrawList();
        const float radius = corner * 0.3f;
        constexpr float pi = 3.14159265f;
        draw->PathArcTo(centre, radius, -pi * 0.5f, -pi * 0.5f + 2.0f * pi * fraction, 32);
        draw->PathStroke(ctx.theme.accent, 0, ctx.theme.px(1.5f));
    }
}

void KioskApp::open_pin() {
    pin_.reset();
    pin_view_ = {};
    const PinGate::Answer state = desk_->pins().state(wall_now());
    if (state.outcome == PinGate::Outcome::Paused) {
        pause_until_ = wall_now() + state.wait_seconds;
        pin_view_.state = PinView::State::Paused;
        pin_view_.wait_seconds = state.wait_seconds;
    } else if (state.outcome == PinGate::Outcome::NoPinSet) {
        pin_view_.state = PinView::State::NoPinSet;
    } else if (state.outcome == PinGate::Outcome::StoreFailed) {
        std::fprintf(stderr, "tillit-kiosk: staff sign-in: %s\n", state.error.c_str());
        pin_view_.state = PinView::State::Failed;
    }
    refresh_at_ = now_;
    go(Screen::Pin);
}

void KioskApp::apply_pin(const PinGate::Answer& answer) {
    switch (answer.outcome) {
        case PinGate::Outcome::Checking: pin_view_.state = PinView::State::Checking; break;
        case PinGate::Outcome::Granted:
            role_ = answer.role;
            staff_.reset();
            desk_->forget_health();  // staff just arrived: a fresh quick_check
            std::fprintf(stderr, "tillit-kiosk: staff signed in as %s\n", to_string(*role_));
            go(Screen::Staff);
            refresh_status();
            break;
        case PinGate::Outcome::Wrong:
            std::fprintf(stderr, "tillit-kiosk: staff sign-in: wrong PIN\n");
            if (answer.wait_seconds > 0) {
                pause_until_ = wall_now() + answer.wait_seconds;
                pin_view_.state = PinView::State::Paused;
                pin_view_.wait_seconds = answer.wait_seconds;
            } else {
                pin_view_.state = PinView::State::Wrong;
                pin_view_.tries_left = answer.tries_left;
            }
            break;
        case PinGate::Outcome::Paused:
            pause_until_ = wall_now() + answer.wait_seconds;
            pin_view_.state = PinView::State::Paused;
            pin_view_.wait_seconds = answer.wait_seconds;
            break;
        case PinGate::Outcome::NoPinSet: pin_view_.state = PinView::State::NoPinSet; break;
        case PinGate::Outcome::StoreFailed:
            std::fprintf(stderr, "tillit-kiosk: staff sign-in: %s\n", answer.error.c_str());
            pin_view_.state = PinView::State::Failed;
            break;
    }
}

void KioskApp::lock() {
    if (role_) std::fprintf(stderr, "tillit-kiosk: staff mode locked\n");
    role_.reset();
    pin_.reset();
    pin_view_ = {};
    staff_.reset();
    export_.reset();
    settings_.reset();
    targets_.clear();
    workshop_.reset();
    workshop_setup_.reset();
    workshop_data_.reset();
    workshop_gather_.reset();
    workshop_vote_.reset();
    workshop_summary_.reset();
    report_.reset();
    report_error_.clear();
    workshop_note_.clear();
    end_session(false);
}

void KioskApp::refresh_status() {
    status_ = desk_->status();
    open_workshop_title_.reset();
    if (auto open = desk_->workshops().open_workshop(); open && open.value()) {
        open_workshop_title_ = open.value()->setup.title;
    }
    status_at_ = now_;
}

void KioskApp::staff_frame(UiContext& ctx) {
    if (desk_ == nullptr) {
        lock();
        return;
    }
    if (screen_ != Screen::Pin && !role_) {  // never a staff screen without a sign-in
        lock();
        return;
    }
    switch (screen_) {
        case Screen::Pin: {
            if (const auto answer = desk_->pins().poll(wall_now())) apply_pin(*answer);
            if (pin_view_.state == PinView::State::Paused) {
                pin_view_.wait_seconds = std::max(0LL, pause_until_ - wall_now());
                if (pin_view_.wait_seconds == 0) pin_view_.state = PinView::State::Ready;
            }
            if (screen_ != Screen::Pin) break;
            if (const auto intent = draw(pin_, ctx, pin_view_)) {
                if (intent->kind == PinIntent::Kind::Cancel) {
                    lock();
                } else {
                    const PinGate::Answer answer = desk_->pins().submit(pin_.digits, wall_now());
                    pin_.reset();
                    apply_pin(answer);
                }
            }
            break;
        }
        case Screen::Staff: {
            const auto sync = desk_->sync_status();
            const std::optional<sync::SyncState> state = sync ? std::optional(sync->state) : std::nullopt;
            // A pass can start and end between two frames: any change in what it reports
            // means the board's counts are old.
            const std::string sync_facts = sync ? sync::describe(*sync) + sync->last_success : "";
            if (now_ - status_at_ >= kStatusRefreshSeconds || state != status_sync_state_ ||
                sync_facts != status_sync_facts_) {
                refresh_status();
            }
            status_sync_state_ = state;
            status_sync_facts_ = sync_facts;
            const StaffView view{*role_, status_, sync, open_workshop_title_ ? &*open_workshop_title_ : nullptr};
            if (const auto intent = draw(staff_, ctx, view)) {
                switch (*intent) {
                    case StaffIntent::Lock: lock(); break;
                    case StaffIntent::SyncNow:
                        if (allowed(*role_, StaffAction::SyncNow)) desk_->sync_now();
                        break;
                    case StaffIntent::Export:
                        if (allowed(*role_, StaffAction::Export)) {
                            targets_ = desk_->export_targets();
                            go(Screen::Export);
                        }
                        break;
                    case StaffIntent::Settings:
                        if (allowed(*role_, StaffAction::ChangeSettings)) {
                            settings_.reset();
                            go(Screen::Settings);
                        }
                        break;
                    case StaffIntent::Workshop:
                        if (allowed(*role_, StaffAction::RunWorkshop)) open_workshop();
                        break;
                    case StaffIntent::Quit:
                        if (allowed(*role_, StaffAction::QuitToDesktop)) {
                            std::fprintf(stderr, "tillit-kiosk: quit by an admin\n");
                            desk_->request_quit();
                        }
                        break;
                }
            }
            break;
        }
        case Screen::Export: {
            if (auto done = desk_->poll_export()) {
                if (done->ok()) {
                    const ExportSummary& summary = done->value();
                    char text[1024];
                    std::snprintf(text, sizeof text, ctx.tr("Saved %lld answers to %s."), summary.items,
                                  summary.file.c_str());
                    const std::string name = summary.file.substr(summary.file.find_last_of('/') + 1);
                    export_.message = std::string(text) + " " + ctx.tr("On the server, import it with:") +
                                      " tillit-server import " + name;
                    export_.failed = false;
                    std::fprintf(stderr, "tillit-kiosk: exported %lld items to %s\n", summary.items,
                                 summary.file.c_str());
                } else {
                    export_.message = std::string(ctx.tr("Could not export:")) + " " + done->error();
                    export_.failed = true;
                    std::fprintf(stderr, "tillit-kiosk: export failed: %s\n", done->error().c_str());
                }
            }
            const ExportView view{targets_, desk_->exporting()};
            if (const auto intent = draw(export_, ctx, view)) {
                switch (intent->kind) {
                    case ExportIntent::Kind::Write:
                        export_.message.clear();
                        desk_->start_export(intent->folder);
                        break;
                    case ExportIntent::Kind::Rescan: targets_ = desk_->export_targets(); break;
                    case ExportIntent::Kind::Back:
                        if (!desk_->exporting()) {
                            export_.reset();
                            go(Screen::Staff);
                        }
                        break;
                }
            }
            break;
        }
        case Screen::Settings: {
            const SettingsView view{desk_->config(), desk_->available_surveys()};
            if (const auto intent = draw(settings_, ctx, view)) {
                if (intent->kind == SettingsIntent::Kind::Back) {
                    settings_.reset();
                    go(Screen::Staff);
                    refresh_status();
                } else if (const Status saved = desk_->save_settings(intent->settings); saved) {
                    settings_.message = ctx.tr("Saved. The kiosk uses these settings from now on.");
                    settings_.failed = false;
                } else {
                    settings_.message = std::string(ctx.tr("Not saved:")) + " " + saved.error();
                    settings_.failed = true;
                }
            }
            break;
        }
        case Screen::WorkshopSetup:
        case Screen::WorkshopData:
        case Screen::WorkshopGather:
        case Screen::WorkshopVote:
        case Screen::WorkshopSummary: workshop_frame(ctx); break;
        default: break;
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
        double deadline = std::min(*idle_since_ + std::floor(elapsed) + 1.0, *idle_since_ + config_.idle_countdown_seconds);
        if (idle_prompt_at_) deadline = std::min(deadline, *idle_prompt_at_);
        return deadline;
    }
    double deadline = kNever;
    const double idle_at = last_input_ + idle_timeout();
    switch (screen_) {
        case Screen::Start:
            if (translations_.language() != config_.default_language) deadline = idle_at;
            if (corner_since_) deadline = std::min(deadline, refresh_at_);
            break;
        case Screen::Pin:
        case Screen::Staff:
        case Screen::Export:
        case Screen::Settings:
            deadline = std::min(last_input_ + config_.staff.lock_after_seconds, refresh_at_);
            break;
        case Screen::WorkshopSetup:
        case Screen::WorkshopData:
        case Screen::WorkshopGather:
        case Screen::WorkshopVote:
        case Screen::WorkshopSummary:
            deadline = last_input_ + std::max<double>(config_.staff.lock_after_seconds, kWorkshopLockSeconds);
            if (report_wanted_) deadline = std::min(deadline, refresh_at_);  // poll the count
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

bool KioskApp::reload_feedback() {
    auto fresh = sync::read_server_feedback(config_.data_dir);
    const bool changed = fresh.has_value() != feedback_.has_value() ||
                         (fresh && (fresh->message != feedback_->message || fresh->written != feedback_->written ||
                                    fresh->responses != feedback_->responses || fresh->trust != feedback_->trust));
    feedback_ = std::move(fresh);
    return changed;
}

bool KioskApp::tick(double now) {
    now_ = now;
    if (idle_since_) {
        if (now_ - *idle_since_ >= config_.idle_countdown_seconds) {
            end_session(true);  // walked away: keep only where they stopped
        } else if (idle_prompt_at_ && now_ >= *idle_prompt_at_) {
            idle_prompt_at_.reset();
            spoken_key_.clear();  // the next frame reads the warning
        }
        return true;  // the countdown number changed
    }
    if (now_ < next_deadline()) return false;
    switch (screen_) {
        case Screen::Start: {
            if (corner_since_ && now_ >= refresh_at_) {
                refresh_at_ = now_ + 1.0 / 30.0;  // the ring fills smoothly while held
                return true;
            }
            if (translations_.language() != config_.default_language && now_ >= last_input_ + idle_timeout()) {
                translations_.set_language(config_.default_language);
                return true;
            }
            return false;
        }
        case Screen::Pin:
        case Screen::Staff:
        case Screen::Export:
        case Screen::Settings:
            if (now_ >= last_input_ + config_.staff.lock_after_seconds) {
                lock();  // staff walked away: back to the residents' start screen
            } else {
                refresh_at_ = now_ + kStaffRefreshSeconds;
            }
            return true;
        case Screen::WorkshopSetup:
        case Screen::WorkshopData:
        case Screen::WorkshopGather:
        case Screen::WorkshopVote:
        case Screen::WorkshopSummary:
            if (now_ >= last_input_ + std::max<double>(config_.staff.lock_after_seconds, kWorkshopLockSeconds)) {
                lock();  // the workshop stays saved; the next sign-in continues it
            } else {
                refresh_at_ = now_ + kStaffRefreshSeconds;
            }
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
                if (now_ < last_input_ + idle_timeout()) return true;
            }
            break;
        case Screen::Language:
        case Screen::Promise:
        case Screen::SaveFailed: break;
    }
    if (now_ >= last_input_ + idle_timeout()) {
        if (session_ && questions_started_) {
            idle_since_ = now_;
            // Seen and heard: a chime now, and the question spoken after it when reading aloud.
            if (voice_ != nullptr) {
                voice_->stop();
                voice_->chime();
                if (access_.read_aloud && voice_->has_voice(translations_.language())) {
                    idle_prompt_at_ = now_ + kPromptAfterChimeSeconds;
                }
            }
        } else {
            end_session(true);
        }
        return true;
    }
    return false;
}

}  // namespace tillit::ui

namespace tillit::ui {

// --- workshops ---

void KioskApp::resume_recent_workshop() {
    if (desk_ == nullptr) return;
    auto open = desk_->workshops().open_workshop();
    if (!open) {
        std::fprintf(stderr, "tillit-kiosk: workshop: %s\n", open.error().c_str());
        return;
    }
    if (!open.value()) return;
    const long long age = wall_now() - open.value()->updated_unix;
    if (age < 0 || age > static_cast<long long>(kWorkshopLockSeconds)) return;
    // Restarted in the middle of a workshop: the room is still there. Facilitator rights
    // only, whoever had signed in.
    role_ = Role::Facilitator;
    workshop_ = std::move(open).value();
    std::fprintf(stderr, "tillit-kiosk: resumed the workshop at step %s\n", to_string(workshop_->step));
    show_workshop_step(workshop_->step);
}

void KioskApp::open_workshop() {
    auto open = desk_->workshops().open_workshop();
    if (!open) {
        workshop_note_ = open.error();
        std::fprintf(stderr, "tillit-kiosk: workshop: %s\n", open.error().c_str());
        return;
    }
    if (open.value()) {
        workshop_ = std::move(open).value();
    } else {
        WorkshopSetup setup;
        setup.venue_id = config_.venue_id;
        auto created = desk_->workshops().create(setup, local_time_now("%Y-%m-%d"));
        if (!created) {
            workshop_note_ = created.error();
            std::fprintf(stderr, "tillit-kiosk: workshop: %s\n", created.error().c_str());
            return;
        }
        auto loaded = desk_->workshops().load(created.value());
        if (!loaded) {
            workshop_note_ = loaded.error();
            return;
        }
        workshop_ = std::move(loaded).value();
        std::fprintf(stderr, "tillit-kiosk: workshop started\n");
    }
    show_workshop_step(workshop_->step);
}

void KioskApp::show_workshop_step(WorkshopStep step) {
    if (!workshop_) return;
    if (workshop_->step != step) {
        if (!workshop_changed(desk_->workshops().set_step(workshop_->id, step))) return;
    }
    workshop_setup_.reset();
    workshop_gather_.reset();
    workshop_summary_.reset();
    switch (step) {
        case WorkshopStep::Setup: go(Screen::WorkshopSetup); break;
        case WorkshopStep::Data:
            workshop_data_.reset();
            start_report();
            go(Screen::WorkshopData);
            break;
        case WorkshopStep::Gather: go(Screen::WorkshopGather); break;
        case WorkshopStep::Vote: go(Screen::WorkshopVote); break;
        case WorkshopStep::Summary:
            if (!report_ && !report_wanted_) start_report();
            targets_ = desk_->export_targets();
            go(Screen::WorkshopSummary);
            break;
    }
}

bool KioskApp::workshop_changed(const Status& status) {
    if (!status) {
        workshop_note_ = status.error();
        std::fprintf(stderr, "tillit-kiosk: workshop: %s\n", status.error().c_str());
    } else {
        workshop_note_.clear();
    }
    if (workshop_) {
        // Whatever happened, show what is on disk.
        if (auto loaded = desk_->workshops().load(workshop_->id); loaded) workshop_ = std::move(loaded).value();
    }
    return status.ok();
}

void KioskApp::start_report() {
    if (!workshop_ || report_wanted_) return;
    report_.reset();
    report_error_.clear();
    report_wanted_ = true;
    refresh_at_ = now_;
    desk_->start_report(workshop_->setup.scope);
}

void KioskApp::workshop_frame(UiContext& ctx) {
    if (!workshop_ || !allowed(*role_, StaffAction::RunWorkshop)) {
        go(Screen::Staff);
        return;
    }
    if (report_wanted_) {
        if (auto done = desk_->poll_report()) {
            report_wanted_ = false;
            if (done->ok()) {
                report_ = std::move(*done).value();
            } else {
                report_error_ = std::string(ctx.tr("Could not count the answers:")) + " " + done->error();
                std::fprintf(stderr, "tillit-kiosk: workshop data: %s\n", done->error().c_str());
            }
        }
    }
    WorkshopStore& store = desk_->workshops();
    const std::string id = workshop_->id;
    auto navigate = [&](const WorkshopNav& nav) {
        if (nav.kind == WorkshopNav::Kind::Leave) {
            go(Screen::Staff);
            refresh_status();
        } else {
            show_workshop_step(nav.step);
        }
    };
    switch (screen_) {
        case Screen::WorkshopSetup: {
            const WorkshopSetupView view{*workshop_, desk_->workshop_themes(), desk_->themes_error()};
            if (const auto intent = draw(workshop_setup_, ctx, view)) {
                if (intent->kind == WorkshopSetupIntent::Kind::Nav) {
                    navigate(intent->nav);
                } else {
                    const bool scope_changed = intent->setup.scope != workshop_->setup.scope;
                    workshop_changed(store.update_setup(id, intent->setup));
                    if (scope_changed) report_.reset();
                }
            }
            break;
        }
        case Screen::WorkshopData: {
            const WorkshopDataView view{*workshop_, report_ ? &*report_ : nullptr, report_wanted_, report_error_,
                                        desk_->report_survey(), config_.venue_name};
            if (const auto intent = draw(workshop_data_, ctx, view)) {
                if (intent->kind == WorkshopDataIntent::Kind::Nav) {
                    navigate(intent->nav);
                } else {
                    WorkshopSetup setup = workshop_->setup;
                    setup.scope = intent->scope;
                    if (workshop_changed(store.update_setup(id, setup))) start_report();
                }
            }
            break;
        }
        case Screen::WorkshopGather:
            if (const auto intent = draw(workshop_gather_, ctx, *workshop_)) {
                using Kind = WorkshopGatherIntent::Kind;
                switch (intent->kind) {
                    case Kind::Add: {
                        auto added = store.add_contribution(id, intent->step, intent->text);
                        workshop_changed(added ? Status(Ok{}) : Status(make_error(added.error())));
                        break;
                    }
                    case Kind::Edit: workshop_changed(store.edit_contribution(id, intent->id, intent->text)); break;
                    case Kind::Hide: workshop_changed(store.set_hidden(id, intent->id, true)); break;
                    case Kind::Show: workshop_changed(store.set_hidden(id, intent->id, false)); break;
                    case Kind::Merge: workshop_changed(store.merge(id, intent->id, intent->into)); break;
                    case Kind::Nav: navigate(intent->nav); break;
                }
            }
            break;
        case Screen::WorkshopVote:
            if (const auto intent = draw(workshop_vote_, ctx, *workshop_)) {
                using Kind = WorkshopVoteIntent::Kind;
                switch (intent->kind) {
                    case Kind::StartTurn: workshop_changed(store.start_turn(id, intent->turn)); break;
                    case Kind::PlaceDot: workshop_changed(store.place_dot(id, intent->id)); break;
                    case Kind::RemoveDot: workshop_changed(store.remove_dot(id, intent->id)); break;
                    case Kind::SetStance: workshop_changed(store.set_stance(id, intent->id, intent->stance)); break;
                    case Kind::EndTurn: workshop_changed(store.end_turn(id)); break;
                    case Kind::CancelTurn: workshop_changed(store.cancel_turn(id)); break;
                    case Kind::Nav: navigate(intent->nav); break;
                }
            }
            vote_note_.clear();
            if (workshop_ && workshop_->turn) {
                vote_note_ = workshop_->turn->kind == TurnKind::Dots
                                 ? "dots " + std::to_string(workshop_->turn->dots_placed()) + " of " +
                                       std::to_string(workshop_->setup.dots_per_person)
                                 : "answers " + std::to_string(workshop_->turn->stances.size());
            }
            break;
        case Screen::WorkshopSummary: {
            const WorkshopSummaryView view{*workshop_, report_ ? &*report_ : nullptr, targets_, config_.venue_name};
            if (const auto intent = draw(workshop_summary_, ctx, view)) {
                using Kind = WorkshopSummaryIntent::Kind;
                switch (intent->kind) {
                    case Kind::Export: {
                        const ExportWords words = workshop_export_words(ctx);
                        const WorkshopExportInput input{*workshop_, report_ ? &*report_ : nullptr, desk_->report_survey(),
                                                        config_.venue_name, ctx.language(), words};
                        auto files = write_workshop_export(input, intent->folder);
                        if (files) {
                            const std::string& pdf = files.value().pdf;
                            workshop_summary_.message = std::string(ctx.tr("Saved:")) + " " +
                                                        pdf.substr(pdf.find_last_of('/') + 1) + ", " +
                                                        files.value().csv.substr(files.value().csv.find_last_of('/') + 1);
                            workshop_summary_.failed = false;
                            std::fprintf(stderr, "tillit-kiosk: workshop saved to %s\n", pdf.c_str());
                        } else {
                            workshop_summary_.message = std::string(ctx.tr("Could not save:")) + " " + files.error();
                            workshop_summary_.failed = true;
                            std::fprintf(stderr, "tillit-kiosk: workshop export failed: %s\n", files.error().c_str());
                        }
                        break;
                    }
                    case Kind::Rescan: targets_ = desk_->export_targets(); break;
                    case Kind::Finish: {
                        const nlohmann::json shown = report_ ? report::to_json(*report_) : nlohmann::json(nullptr);
                        if (workshop_changed(store.finish(id, shown))) {
                            std::fprintf(stderr, "tillit-kiosk: workshop finished; its record waits for sync\n");
                            workshop_.reset();
                            report_.reset();
                            workshop_summary_.reset();
                            go(Screen::Staff);
                            refresh_status();
                        } else {
                            workshop_summary_.confirm_finish = false;
                        }
                        break;
                    }
                    case Kind::Nav: navigate(intent->nav); break;
                }
            }
            break;
        }
        default: break;
    }
}

}  // namespace tillit::ui
