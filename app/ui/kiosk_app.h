// The resident flow: one enum class Screen and one switch that routes what each
// screen reports. Owns the Session (answers in memory only) and every timer that
// changes the screen by itself: idle warning and reset, thank-you, one-tap follow-up.
// It never touches GLFW or GL (app/platform does) and stores only through Recorder.
#pragma once

#include <cstddef>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include "core/config.h"
#include "core/i18n.h"
#include "core/recorder.h"
#include "core/session.h"
#include "core/staff.h"
#include "core/staff_desk.h"
#include "core/survey.h"
#include "core/sync/sync_client.h"
#include "ui/access_bar.h"
#include "ui/context.h"
#include "ui/export_screen.h"
#include "ui/freetext_screen.h"
#include "ui/idle_screen.h"
#include "ui/language_screen.h"
#include "ui/pin_screen.h"
#include "ui/promise_screen.h"
#include "ui/read_aloud.h"
#include "ui/question_screen.h"
#include "ui/save_failed_screen.h"
#include "ui/settings_screen.h"
#include "ui/staff_screen.h"
#include "ui/start_screen.h"
#include "ui/thanks_screen.h"
#include "ui/workshop_data_screen.h"
#include "ui/workshop_gather_screen.h"
#include "ui/workshop_setup_screen.h"
#include "ui/workshop_summary_screen.h"
#include "ui/workshop_vote_screen.h"

namespace tillit::ui {

enum class Screen {
    Start, Language, Promise, Question, FreeText, Thanks, SaveFailed, Pin, Staff, Export, Settings,
    WorkshopSetup, WorkshopData, WorkshopGather, WorkshopVote, WorkshopSummary
};
const char* to_string(Screen screen);

class KioskApp {
public:
    static constexpr double kNever = std::numeric_limits<double>::infinity();

    // `desk` (may be null: no staff mode) is how staff screens reach the store, the sync
    // worker and the settings; the hidden entry is a hold on the start screen's top-left corner.
    // `voice` (may be null: no read-aloud) speaks the resident screens.
    KioskApp(const KioskConfig& config, const std::vector<Survey>& surveys, Translations& translations,
             Recorder& recorder, double now, StaffDesk* desk = nullptr, ReadAloud* voice = nullptr);

    // The square in the top-left corner of the start screen that staff hold, in mm.
    static constexpr float kStaffCornerMm = 25.0f;
    // A workshop has long talks between taps: its screens lock only after this, and a
    // kiosk restarted (crash, power cut) within this long of the workshop's last change
    // opens it again where it was, for a facilitator, without the PIN.
    static constexpr double kWorkshopLockSeconds = 30 * 60;

    // Draws the current screen and acts on what the person tapped. Call between
    // ImGui::NewFrame() and ImGui::Render().
    void frame(UiContext& ctx);
    // Any touch or key: the person is still there.
    void on_input(double now);
    // Timers: returns true when the screen changed by itself.
    bool tick(double now);
    // When tick() next has something to do (monotonic seconds), or kNever.
    double next_deadline() const;

    Screen screen() const { return screen_; }
    bool idle_warning() const { return idle_since_.has_value(); }
    const Session* session() const { return session_ ? &*session_ : nullptr; }
    std::optional<Role> staff_role() const { return role_; }
    bool staff_mode() const;
    // What a staff screen says right now about the PIN, the sync, export or settings.
    const std::string& staff_note() const;
    // PIN pad: how many digits are typed (never which).
    long pin_length() const { return screen_ == Screen::Pin ? static_cast<long>(pin_.digits.size()) : -1; }
    // Workshop typing (title, own question, a contribution): code points typed; -1 elsewhere.
    long workshop_typed_length() const;
    // "question_inst_trust_sv": changes whenever what a person sees changes in kind.
    std::string screen_key() const;
    // The current resident's access choices (read aloud, large text, high contrast).
    const AccessState& access() const { return access_; }
    // The id of the response the screen is thanking for (thank-you, or a one-tap survey's
    // follow-up after the tap was stored); "" otherwise. For the test hooks only: crash
    // tests compare what a resident was told was saved with what is stored.
    const std::string& confirmed_response() const { return confirmed_; }
    // The colour the last frame() was laid out on: what the window is cleared to (screens
    // draw no background of their own; high contrast changes it).
    ImU32 background() const { return background_; }
    // The idle timeout in force: doubled while an access mode is on.
    double idle_timeout() const;
    // Reads the venue's "you said - we did" message again (the loop calls it when the
    // sync worker adopted new server config); true when what the start screen shows changed.
    bool reload_feedback();

private:
    void begin_survey(std::size_t survey_index);
    void one_tap(std::size_t survey_index, int step);
    void store_one_tap();                 // commit the first answer, then the follow-up
    void show_question();                 // Question or FreeText for session_->current()
    void send();
    void end_session(bool record_abandonment);  // back to the start for the next person
    void go(Screen screen);
    void apply(const QuestionIntent& intent);
    // back_ends_session: the first language choice of a survey, where "back" means not starting after all.
    void open_language(Screen back_to, bool back_ends_session = false);

    // Access: the bar on resident screens, and reading the screen aloud.
    static bool resident_screen(Screen screen);
    // `drawn`: the screen this frame drew (a tap may already have changed screen_).
    void access_frame(UiContext& ctx, Screen drawn, bool idle_drawn);
    std::string spoken_text(const UiContext& ctx) const;
    void stop_reading();

    // Staff mode.
    void corner_hold(UiContext& ctx);
    void open_pin();
    void apply_pin(const PinGate::Answer& answer);
    void lock();
    void staff_frame(UiContext& ctx);
    void refresh_status();

    // Workshops (facilitator mode).
    void resume_recent_workshop();
    void open_workshop();
    void show_workshop_step(WorkshopStep step);
    bool workshop_changed(const Status& status);  // reloads; false (and logged) on failure
    void start_report();
    void workshop_frame(UiContext& ctx);
    bool workshop_screen() const;

    const KioskConfig& config_;
    const std::vector<Survey>& surveys_;
    Translations& translations_;
    Recorder& recorder_;

    Screen screen_ = Screen::Start;
    Screen language_return_ = Screen::Start;
    bool language_back_ends_session_ = false;
    std::optional<Session> session_;
    bool questions_started_ = false;       // the resident has seen question 1
    std::optional<std::string> one_tap_response_;  // id of the stored one-tap answer
    std::string confirmed_;                        // see confirmed_response()
    ImU32 background_ = 0;                         // see background()
    double now_ = 0.0;
    // The venue's "you said – we did" message (sync writes it; read at start and
    // whenever the sync worker adopted new server config: reload_feedback()).
    std::optional<sync::Feedback> feedback_;
    double last_input_ = 0.0;
    double screen_since_ = 0.0;
    std::optional<double> idle_since_;     // the "are you still there?" countdown started

    StartScreen start_;
    LanguageScreen language_;
    PromiseScreen promise_;
    QuestionScreen question_;
    FreeTextScreen freetext_;
    ThanksScreen thanks_;
    IdleScreen idle_;
    SaveFailedScreen save_failed_;


    StaffDesk* desk_ = nullptr;
    std::optional<Role> role_;             // signed in: staff screens may be shown
    std::optional<double> corner_since_;   // the corner is being held since
    double refresh_at_ = 0.0;              // staff screens and the corner ring redraw by then
    PinScreen pin_;
    PinView pin_view_;
    long long pause_until_ = 0;            // wall clock: the PIN pause ends
    StaffScreen staff_;
    ExportScreen export_;
    SettingsScreen settings_;
    KioskStatus status_;
    double status_at_ = -1e9;
    std::optional<sync::SyncState> status_sync_state_;
    std::string status_sync_facts_;
    std::vector<ExportTarget> targets_;

    std::optional<Workshop> workshop_;
    WorkshopSetupScreen workshop_setup_;
    WorkshopDataScreen workshop_data_;
    WorkshopGatherScreen workshop_gather_;
    WorkshopVoteScreen workshop_vote_;
    WorkshopSummaryScreen workshop_summary_;
    std::optional<report::Report> report_;  // the data shown in this workshop
    bool report_wanted_ = false;            // counting on the desk's thread
    std::string report_error_;
    std::string workshop_note_;             // the last thing that went wrong, for the log and tests
    std::string vote_note_;                 // the turn in words ("dots 2 of 3"), for tests
    std::optional<std::string> open_workshop_title_;  // the board's "continue" tile, read with the status

    ReadAloud* voice_ = nullptr;
    AccessState access_;
    std::string spoken_key_;               // the screen last read aloud
    std::optional<double> idle_prompt_at_; // the idle warning's spoken prompt follows its chime
};

}  // namespace tillit::ui
