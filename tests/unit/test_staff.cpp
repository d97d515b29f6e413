// Tests for core/staff: PIN hashing and verification, the role permissions, the pause
// schedule, and the count of wrong PINs surviving a restart of the store (it is
// committed before the check, so a kill in the middle counts as a failure).
#include <doctest/doctest.h>

#include <filesystem>
#include <string>

#include "core/privacy.h"
#include "../server/temp_dir.h"
#include "core/staff.h"
#include "core/store.h"

namespace {

using namespace tillit;

using TempDir = tillit::test::TempDir;

std::unique_ptr<Store> open_store(const std::string& path) {
    auto store = Store::open(path);
    REQUIRE_MESSAGE(store.ok(), store.error());
    return std::move(store).value();
}

PinGate::Answer finish(PinGate& gate, long long now) {
    gate.wait();
    auto answer = gate.poll(now);
    REQUIRE(answer.has_value());
    return *answer;
}

}  // namespace

TEST_CASE("staff: a PIN hash is argon2id, salted, and verifies only the same PIN") {
    auto first = hash_pin("2468");
    auto second = hash_pin("2468");
    REQUIRE(first.ok());
    REQUIRE(second.ok());
    CHECK(first.value().starts_with("$argon2id$v=19$"));
    CHECK(is_pin_hash(first.value()));
    CHECK(first.value() != second.value());  // a fresh salt each time
    CHECK(first.value().find("2468") == std::string::npos);
    CHECK(verify_pin(first.value(), "2468"));
    CHECK(verify_pin(second.value(), "2468"));
    CHECK_FALSE(verify_pin(first.value(), "2469"));
    CHECK_FALSE(verify_pin(first.value(), "24680"));
    CHECK_FALSE(verify_pin(first.value(), ""));
    CHECK_FALSE(verify_pin("$2y$10$not-argon", "2468"));
    CHECK_FALSE(verify_pin("", "2468"));
}

TEST_CASE("staff: PINs are 4 to 12 digits and anything else is refused with a reason") {
    CHECK(check_pin_format("1234").ok());
    CHECK(check_pin_format("123456789012").ok());
    CHECK(check_pin_format("123").error() == "a PIN has 4 to 12 digits, not 3");
    CHECK(check_pin_format("1234567890123").error() == "a PIN has 4 to 12 digits, not 13");
    CHECK(check_pin_format("12a4").error() == "a PIN is digits only (0-9)");
    CHECK(check_pin_format(" 1234").error() == "a PIN is digits only (0-9)");
    CHECK_FALSE(hash_pin("12").ok());
}

TEST_CASE("staff: admins may do everything, facilitators only workshops, results and the status") {
    for (StaffAction action : {StaffAction::ViewStatus, StaffAction::ShowResults, StaffAction::RunWorkshop,
                               StaffAction::SyncNow, StaffAction::Export, StaffAction::ChangeSettings,
                               StaffAction::QuitToDesktop}) {
        CHECK(allowed(Role::Admin, action));
    }
    CHECK(allowed(Role::Facilitator, StaffAction::ViewStatus));
    CHECK(allowed(Role::Facilitator, StaffAction::ShowResults));
    CHECK(allowed(Role::Facilitator, StaffAction::RunWorkshop));
    CHECK_FALSE(allowed(Role::Facilitator, StaffAction::SyncNow));
    CHECK_FALSE(allowed(Role::Facilitator, StaffAction::Export));
    CHECK_FALSE(allowed(Role::Facilitator, StaffAction::ChangeSettings));
    CHECK_FALSE(allowed(Role::Facilitator, StaffAction::QuitToDesktop));
    CHECK(parse_role("admin") == Role::Admin);
    CHECK(parse_role("facilitator") == Role::Facilitator);
    CHECK_FALSE(parse_role("root").has_value());
}

TEST_CASE("staff: five free tries, then a pause that doubles from 30 s up to 15 minutes") {
    for (int failures = 0; failures < kFreePinAttempts; ++failures) CHECK(pin_pause(failures).count() == 0);
    CHECK(pin_pause(5).count() == 30);
    CHECK(pin_pause(6).count() == 60);
    CHECK(pin_pause(7).count() == 120);
    CHECK(pin_pause(9).count() == 480);
    CHECK(pin_pause(10).count() == 900);
    CHECK(pin_pause(1000).count() == 900);

    const PinAttempts five{5, 1'000'000};
    CHECK(pin_wait_seconds(five, 1'000'000) == 30);
    CHECK(pin_wait_seconds(five, 1'000'012) == 18);
    CHECK(pin_wait_seconds(five, 1'000'030) == 0);
    CHECK(pin_wait_seconds(five, 2'000'000) == 0);
    // A clock set back an hour does not make staff wait an hour.
    CHECK(pin_wait_seconds(five, 1'000'000 - 3600) == 30);
    CHECK(pin_wait_seconds(PinAttempts{4, 1'000'000}, 1'000'000) == 0);
}

TEST_CASE("staff: the count of wrong PINs is stored before the check and survives a restart") {
    TempDir dir;
    const std::string path = dir.file("kiosk.db");
    const long long now = 1'800'000'000;
    {
        auto store = open_store(path);
        CHECK(store->pin_attempts().value().failures == 0);
        for (int i = 1; i <= 4; ++i) CHECK(store->count_pin_attempt(now + i).value().failures == i);
    }
    {
        // A new process: four failures are still there; one more starts the pause.
        auto store = open_store(path);
        const PinAttempts attempts = store->pin_attempts().value();
        CHECK(attempts.failures == 4);
        CHECK(attempts.last_failure_unix == now + 4);
        CHECK(store->count_pin_attempt(now + 10).value().failures == 5);
    }
    {
        auto store = open_store(path);
        CHECK(pin_wait_seconds(store->pin_attempts().value(), now + 10) == 30);
        CHECK(pin_wait_seconds(store->pin_attempts().value(), now + 25) == 15);
        CHECK(store->clear_pin_attempts().ok());
    }
    auto store = open_store(path);
    CHECK(store->pin_attempts().value().failures == 0);
}

TEST_CASE("staff: the gate grants the right role, counts a wrong PIN before checking it, and pauses") {
    TempDir dir;
    const std::string path = dir.file("kiosk.db");
    auto store = open_store(path);
    const std::string admin = hash_pin("1111").value();
    const std::string facilitator = hash_pin("2222").value();
    PinGate gate(*store, {admin, facilitator});
    const long long now = 1'800'000'000;

    CHECK(gate.submit("2222", now).outcome == PinGate::Outcome::Checking);
    PinGate::Answer answer = finish(gate, now);
    CHECK(answer.outcome == PinGate::Outcome::Granted);
    CHECK(answer.role == Role::Facilitator);

    CHECK(gate.submit("9999", now).outcome == PinGate::Outcome::Checking);
    // Already stored while the check runs: another connection (or the next process) sees it.
    CHECK(open_store(path)->pin_attempts().value().failures == 1);
    answer = finish(gate, now);
    CHECK(answer.outcome == PinGate::Outcome::Wrong);
    CHECK(answer.tries_left == 4);
    CHECK(answer.wait_seconds == 0);

    // Three more failures recorded as a previous run would have left them, then the fifth.
    for (int i = 0; i < 3; ++i) REQUIRE(store->count_pin_attempt(now).ok());
    CHECK(gate.submit("0000", now + 1).outcome == PinGate::Outcome::Checking);
    answer = finish(gate, now + 1);
    CHECK(answer.outcome == PinGate::Outcome::Wrong);
    CHECK(answer.tries_left == 0);
    CHECK(answer.wait_seconds == 30);

    // During the pause even the right PIN is not checked, and nothing more is counted.
    answer = gate.submit("1111", now + 11);
    CHECK(answer.outcome == PinGate::Outcome::Paused);
    CHECK(answer.wait_seconds == 20);
    CHECK(store->pin_attempts().value().failures == 5);
    CHECK(gate.state(now + 11).outcome == PinGate::Outcome::Paused);

    // After it the right admin PIN opens, and the count starts again.
    CHECK(gate.submit("1111", now + 31).outcome == PinGate::Outcome::Checking);
    answer = finish(gate, now + 31);
    CHECK(answer.outcome == PinGate::Outcome::Granted);
    CHECK(answer.role == Role::Admin);
    CHECK(store->pin_attempts().value().failures == 0);
}

TEST_CASE("staff: a clock set back years restarts the pause once: it ends one pause later, not years later") {
    TempDir dir;
    auto store = open_store(dir.file("kiosk.db"));
    PinGate gate(*store, {hash_pin("1111").value(), ""});
    const long long now = 1'800'000'000;
    for (int i = 0; i < 10; ++i) REQUIRE(store->count_pin_attempt(now).ok());  // the 15-minute pause
    CHECK(gate.state(now + 60).wait_seconds == 840);

    // The clock jumps 20 years back (a dead RTC battery, a technician's typo).
    const long long back = now - 20LL * 365 * 86400;
    PinGate::Answer seen = gate.state(back);
    CHECK(seen.outcome == PinGate::Outcome::Paused);
    CHECK(seen.wait_seconds == 900);  // no longer than the pause itself ...
    CHECK(gate.state(back + 600).wait_seconds == 300);  // ... and it counts down
    CHECK(gate.submit("1111", back + 899).outcome == PinGate::Outcome::Paused);
    CHECK(gate.state(back + 900).outcome != PinGate::Outcome::Paused);
    CHECK(gate.submit("1111", back + 900).outcome == PinGate::Outcome::Checking);
    CHECK(finish(gate, back + 900).outcome == PinGate::Outcome::Granted);

    // Forward again (the clock corrected by NTP): nothing waits.
    CHECK(gate.state(now + 3600).outcome != PinGate::Outcome::Paused);
}

TEST_CASE("staff: a kiosk without PINs says so instead of checking anything") {
    auto store = Store::open_in_memory();
    REQUIRE(store.ok());
    PinGate gate(*store.value(), {});
    CHECK(gate.state(0).outcome == PinGate::Outcome::NoPinSet);
    CHECK(gate.submit("1234", 0).outcome == PinGate::Outcome::NoPinSet);
    CHECK(store.value()->pin_attempts().value().failures == 0);
}
