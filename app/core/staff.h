// Staff access: the two roles and what each may do, PINs as argon2id hashes
// (libsodium crypto_pwhash_str), and the growing pause after wrong PINs. The count of
// wrong PINs lives in the Store and is raised *before* a PIN is checked, so pulling
// the plug (or kill -9) in the middle of a check costs an attempt instead of giving
// one back. No UI here: ui/pin_screen draws the pad, PinGate decides.
#pragma once

#include <chrono>
#include <future>
#include <optional>
#include <string>
#include <string_view>

#include "core/result.h"

namespace tillit {

class Store;

enum class Role { Facilitator, Admin };
const char* to_string(Role role);  // "facilitator", "admin"
std::optional<Role> parse_role(std::string_view text);

enum class StaffAction {
    ViewStatus,      // the status board (counts only; never an answer)
    ShowResults,     // results on screen (workshops)
    RunWorkshop,
    SyncNow,
    Export,          // write an export file to a USB stick or folder
    ChangeSettings,  // active survey, venue, idle timeout
    QuitToDesktop,
};
// Admins may do everything; facilitators run workshops, show results and see the status.
bool allowed(Role role, StaffAction action);

// PINs are 4 to 12 digits: enough for a pad, short enough to type in front of people.
constexpr std::size_t kMinPinDigits = 4;
constexpr std::size_t kMaxPinDigits = 12;
Status check_pin_format(std::string_view pin);

// "$argon2id$v=19$m=...": libsodium's interactive limits (64 MiB, 2 passes).
Result<std::string> hash_pin(std::string_view pin);
bool is_pin_hash(std::string_view text);
bool verify_pin(std::string_view hash, std::string_view pin);

// Wrong PINs as stored (see Store::pin_attempts).
struct PinAttempts {
    int failures = 0;                 // wrong (or unfinished) checks since the last right PIN
    long long last_failure_unix = 0;  // wall clock, seconds: it must survive a restart
};

// Five tries are free; then 30 s, doubling with each further failure, at most 15 min.
constexpr int kFreePinAttempts = 5;
std::chrono::seconds pin_pause(int failures);
// Seconds left before the next try is allowed; 0 = now. A clock set back never makes
// the wait longer than the pause itself; PinGate then restarts the pause from the new
// time (Store::restart_pin_pause), or it would never count down.
long long pin_wait_seconds(const PinAttempts& attempts, long long now_unix);

// One sign-in at a time: submit() counts the attempt in the store, then checks the PIN
// against both roles' hashes on a background thread (argon2id takes a noticeable
// fraction of a second), and poll() hands over the outcome on the UI thread.
class PinGate {
public:
    struct Hashes {
        std::string admin;        // "" = no admin PIN set
        std::string facilitator;  // "" = none
    };
    enum class Outcome { Checking, Granted, Wrong, Paused, NoPinSet, StoreFailed };
    struct Answer {
        Outcome outcome = Outcome::Checking;
        std::optional<Role> role;     // Granted
        long long wait_seconds = 0;   // Paused, and Wrong once the free tries are used up
        int tries_left = 0;           // Wrong: before a pause starts (0 when paused)
        std::string error;            // StoreFailed
    };

    PinGate(Store& store, Hashes hashes);
    ~PinGate();

    // Before the pad is used: is a pause running (e.g. after a restart)?
    Answer state(long long now_unix);
    // Starts a check; Checking, or at once Paused / NoPinSet / StoreFailed.
    Answer submit(const std::string& pin, long long now_unix);
    // The result of the running check, once it is there (then the gate is idle again).
    std::optional<Answer> poll(long long now_unix);
    bool checking() const { return pending_.valid(); }
    // Tests: wait for the running check to end.
    void wait() const;
    void set_hashes(Hashes hashes) { hashes_ = std::move(hashes); }

private:
    // The stored attempts, with a last failure "in the future" (the clock went back)
    // moved to now first.
    Result<PinAttempts> attempts(long long now_unix);
    Store& store_;
    Hashes hashes_;
    std::future<std::optional<Role>> pending_;
};

}  // namespace tillit
