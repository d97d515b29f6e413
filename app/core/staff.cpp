// Roles, PIN hashes and the pause after wrong PINs (see staff.h).
#include "core/staff.h"

#include <sodium.h>

#include <algorithm>
#include <cctype>
#include <stdexcept>

#include "core/store.h"

namespace tillit {

const char* to_string(Role role) { return role == Role::Admin ? "admin" : "facilitator"; }

std::optional<Role> parse_role(std::string_view text) {
    if (text == "admin") return Role::Admin;
    if (text == "facilitator") return Role::Facilitator;
    return std::nullopt;
}

bool allowed(Role role, StaffAction action) {
    if (role == Role::Admin) return true;
    switch (action) {
        case StaffAction::ViewStatus:
        case StaffAction::ShowResults:
        case StaffAction::RunWorkshop:
            return true;
        case StaffAction::SyncNow:
        case StaffAction::Export:
        case StaffAction::ChangeSettings:
        case StaffAction::QuitToDesktop:
            return false;
    }
    return false;
}

Status check_pin_format(std::string_view pin) {
    if (!std::all_of(pin.begin(), pin.end(), [](unsigned char c) { return std::isdigit(c) != 0; })) {
        return make_error("a PIN is digits only (0-9)");
    }
    if (pin.size() < kMinPinDigits || pin.size() > kMaxPinDigits) {
        return make_error("a PIN has " + std::to_string(kMinPinDigits) + " to " + std::to_string(kMaxPinDigits) +
                          " digits, not " + std::to_string(pin.size()));
    }
    return Ok{};
}

Result<std::string> hash_pin(std::string_view pin) {
    if (const Status format = check_pin_format(pin); !format) return make_error(format.error());
    if (sodium_init() < 0) return make_error("libsodium could not start");
    char hash[crypto_pwhash_STRBYTES];
    if (crypto_pwhash_str_alg(hash, pin.data(), pin.size(), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                              crypto_pwhash_MEMLIMIT_INTERACTIVE, crypto_pwhash_ALG_ARGON2ID13) != 0) {
        return make_error("not enough memory to hash the PIN (argon2id needs 64 MiB)");
    }
    return std::string(hash);
}

bool is_pin_hash(std::string_view text) {
    return text.starts_with("$argon2id$") && text.size() < crypto_pwhash_STRBYTES;
}

bool verify_pin(std::string_view hash, std::string_view pin) {
    if (!is_pin_hash(hash) || !check_pin_format(pin)) return false;
    if (sodium_init() < 0) return false;
    const std::string terminated(hash);  // crypto_pwhash_str_verify wants a C string
    return crypto_pwhash_str_verify(terminated.c_str(), pin.data(), pin.size()) == 0;
}

std::chrono::seconds pin_pause(int failures) {
    if (failures < kFreePinAttempts) return std::chrono::seconds(0);
    constexpr long long first = 30;
    constexpr long long cap = 15 * 60;
    const int doublings = std::min(failures - kFreePinAttempts, 10);
    return std::chrono::seconds(std::min(cap, first << doublings));
}

long long pin_wait_seconds(const PinAttempts& attempts, long long now_unix) {
    const long long pause = pin_pause(attempts.failures).count();
    if (pause == 0) return 0;
    const long long elapsed = now_unix - attempts.last_failure_unix;
    if (elapsed < 0) return pause;  // the clock went back: wait the pause, no longer
    return std::max(0LL, pause - elapsed);
}

namespace {

PinGate::Answer answer_of(PinGate::Outcome outcome) {
    PinGate::Answer answer;
    answer.outcome = outcome;
    return answer;
}

PinGate::Answer store_failed(const std::string& error) {
    PinGate::Answer answer = answer_of(PinGate::Outcome::StoreFailed);
    answer.error = error;
    return answer;
}

PinGate::Answer paused(long long wait_seconds) {
    PinGate::Answer answer = answer_of(PinGate::Outcome::Paused);
    answer.wait_seconds = wait_seconds;
    return answer;
}

}  // namespace

PinGate::PinGate(Store& store, Hashes hashes) : store_(store), hashes_(std::move(hashes)) {}

PinGate::~PinGate() { wait(); }

void PinGate::wait() const {
    if (pending_.valid()) pending_.wait();
}

Result<PinAttempts> PinGate::attempts(long long now_unix) {
    auto stored = store_.pin_attempts();
    if (!stored || stored.value().last_failure_unix <= now_unix) return stored;
    // Without this the pause would show its full length on every look until the clock
    // reached the stored second again: after a jump back of years, a pad locked for years.
    if (const Status restarted = store_.restart_pin_pause(now_unix); !restarted) return make_error(restarted.error());
    return store_.pin_attempts();
}

PinGate::Answer PinGate::state(long long now_unix) {
    if (hashes_.admin.empty() && hashes_.facilitator.empty()) return answer_of(Outcome::NoPinSet);
    auto attempts = this->attempts(now_unix);
    if (!attempts) return store_failed(attempts.error());
    Answer answer;
    answer.outcome = Outcome::Checking;
    answer.wait_seconds = pin_wait_seconds(attempts.value(), now_unix);
    if (answer.wait_seconds > 0) answer.outcome = Outcome::Paused;
    answer.tries_left = std::max(0, kFreePinAttempts - attempts.value().failures);
    return answer;
}

PinGate::Answer PinGate::submit(const std::string& pin, long long now_unix) {
    if (pending_.valid()) return answer_of(Outcome::Checking);
    if (hashes_.admin.empty() && hashes_.facilitator.empty()) return answer_of(Outcome::NoPinSet);
    auto attempts = this->attempts(now_unix);
    if (!attempts) return store_failed(attempts.error());
    if (const long long wait = pin_wait_seconds(attempts.value(), now_unix); wait > 0) {
        return paused(wait);
    }
    // Counted first: a check that never finishes is a failed one.
    auto counted = store_.count_pin_attempt(now_unix);
    if (!counted) return store_failed(counted.error());
    pending_ = std::async(std::launch::async, [hashes = hashes_, pin]() -> std::optional<Role> {
        // Both hashes are always checked, so the time taken does not tell which role a PIN belongs to.
        const bool admin = !hashes.admin.empty() && verify_pin(hashes.admin, pin);
        const bool facilitator = !hashes.facilitator.empty() && verify_pin(hashes.facilitator, pin);
        if (admin) return Role::Admin;
        if (facilitator) return Role::Facilitator;
        return std::nullopt;
    });
    return answer_of(Outcome::Checking);
}

std::optional<PinGate::Answer> PinGate::poll(long long now_unix) {
    if (!pending_.valid()) return std::nullopt;
    if (pending_.wait_for(std::chrono::seconds(0)) != std::future_status::ready) return std::nullopt;
    const std::optional<Role> role = pending_.get();
    if (role) {
        if (const Status cleared = store_.clear_pin_attempts(); !cleared) {
            return store_failed(cleared.error());
        }
        Answer granted = answer_of(Outcome::Granted);
        granted.role = role;
        return granted;
    }
    auto attempts = this->attempts(now_unix);
    if (!attempts) return store_failed(attempts.error());
    Answer answer;
    answer.outcome = Outcome::Wrong;
    answer.wait_seconds = pin_wait_seconds(attempts.value(), now_unix);
    answer.tries_left = std::max(0, kFreePinAttempts - attempts.value().failures);
    return answer;
}

}  // namespace tillit
