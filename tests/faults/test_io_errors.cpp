// I/O errors on the kiosk's real store through crash_vfs: a failed pwrite, a failed fsync
// at COMMIT (after which, as on Linux, the lost pages still read back), a full disk, and a
// reopen that fails. A save that failed is an error, never an id; the store opens the file
// again before its next write; the retry is stored once and is still there, once, after a
// power cut. Also on the resident's screens. Not covered: errors while only reading.
#include <doctest/doctest.h>
#include <sqlite3.h>

#include <memory>
#include <random>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "../server/temp_dir.h"
#include "core/recorder.h"
#include "core/store.h"
#include "core/store_recovery.h"
#include "crash_vfs.h"
#include "fault_kiosk.h"
#ifdef TILLIT_HAVE_UI
#include "../unit/kiosk_fixture.h"
#endif

namespace {

namespace vfs = tillit::test::crash_vfs;
using tillit::test::TempDir;

// crash_vfs as SQLite's default for one scope; every connection through it must be closed first.
struct Installed {
    Installed() { vfs::install(); }
    ~Installed() { vfs::uninstall(); }
    Installed(const Installed&) = delete;
    Installed& operator=(const Installed&) = delete;
};

// The kiosk's store in a data folder, opened as at start, through crash_vfs.
struct FaultyKiosk {
    TempDir dir;
    std::string db = dir.file("data/responses.db");
    tillit::Survey survey = tillit::test::shipped_survey("tillit");
    tillit::KioskConfig config = tillit::test::fault_config();
    std::mt19937_64 random{11};
    std::unique_ptr<tillit::Store> store;
    std::unique_ptr<tillit::Recorder> recorder;

    FaultyKiosk() {
        vfs::install();
        auto opened = tillit::open_store_or_recover(db);
        REQUIRE_MESSAGE(opened.ok(), (opened.ok() ? "" : opened.error()));
        store = std::move(opened.value().store);
        recorder = std::make_unique<tillit::Recorder>(*store, config, tillit::test::fixed_clock);
    }
    ~FaultyKiosk() {
        recorder.reset();
        store.reset();
        vfs::uninstall();
    }
    FaultyKiosk(const FaultyKiosk&) = delete;
    FaultyKiosk& operator=(const FaultyKiosk&) = delete;

    // A resident who answered the whole survey and is about to press "send".
    tillit::Session resident() {
        tillit::Session session(survey, "sv");
        tillit::test::answer_all(session, random);
        return session;
    }

    std::string save(const tillit::Session& session) {
        auto saved = recorder->submit(session);
        REQUIRE_MESSAGE(saved.ok(), (saved.ok() ? "" : saved.error()));
        return saved.value();
    }

    long long count() {
        auto n = store->count_responses();
        REQUIRE(n.ok());
        return n.value();
    }

    // The power goes and the kiosk starts again: the store as the disk has it.
    std::unique_ptr<tillit::Store> restart() {
        vfs::power_off();
        recorder.reset();
        store.reset();
        vfs::uninstall();
        auto opened = tillit::open_store_or_recover(db);
        REQUIRE_MESSAGE(opened.ok(), (opened.ok() ? "" : opened.error()));
        CHECK_FALSE(opened.value().moved_aside);
        return std::move(opened.value().store);
    }
};

// Every response id in the store, and how many rows carry `answers_json`.
struct Stored {
    std::set<std::string> ids;
    int with_answers = 0;
};
Stored stored(tillit::Store& store, const std::string& answers_json) {
    auto rows = store.responses();
    REQUIRE(rows.ok());
    Stored out;
    for (const auto& row : rows.value()) {
        out.ids.insert(row.id);
        if (row.answers_json == answers_json) ++out.with_answers;
    }
    return out;
}

std::string answers_of(tillit::Store& store, const std::string& id) {
    auto rows = store.responses();
    REQUIRE(rows.ok());
    for (const auto& row : rows.value()) {
        if (row.id == id) return row.answers_json;
    }
    FAIL("no response " << id);
    return "";
}

}  // namespace

TEST_CASE("I/O errors: a failed write during a save is an error, never an id, and the retry is stored once") {
    FaultyKiosk kiosk;
    std::set<std::string> confirmed;
    for (int i = 0; i < 3; ++i) confirmed.insert(kiosk.save(kiosk.resident()));
    const tillit::Session resident = kiosk.resident();

    vfs::fail(vfs::Op::Write, 1, SQLITE_IOERR_WRITE, vfs::Persistence::Once);
    const auto failed = kiosk.recorder->submit(resident);
    REQUIRE_FALSE(failed.ok());
    CHECK(failed.error().rfind("could not save the response: ", 0) == 0);
    CHECK(kiosk.count() == 3);

    const std::string id = kiosk.save(resident);
    confirmed.insert(id);
    const std::string answers = answers_of(*kiosk.store, id);
    CHECK(stored(*kiosk.store, answers).with_answers == 1);

    auto restarted = kiosk.restart();
    const Stored after = stored(*restarted, answers);
    CHECK(after.ids == confirmed);
    CHECK(after.with_answers == 1);
    auto health = restarted->storage_health();
    REQUIRE(health.ok());
    CHECK(health.value() == "ok");
}

TEST_CASE("I/O errors: after a failed fsync at COMMIT the store opens the file again before the next write") {
    FaultyKiosk kiosk;
    std::set<std::string> confirmed;
    for (int i = 0; i < 3; ++i) confirmed.insert(kiosk.save(kiosk.resident()));
    const tillit::Session resident = kiosk.resident();
    const long long opens = vfs::database_opens();

    // The disk keeps failing for two tries ("try again" while it still fails), then recovers.
    vfs::fail(vfs::Op::Sync, 1, SQLITE_IOERR_FSYNC, vfs::Persistence::UntilCleared);
    const auto first = kiosk.recorder->submit(resident);
    REQUIRE_FALSE(first.ok());
    CHECK(vfs::database_opens() == opens);  // not yet: only before the next write
    const auto second = kiosk.recorder->submit(resident);
    REQUIRE_FALSE(second.ok());
    CHECK(vfs::database_opens() == opens + 1);
    vfs::clear_faults();
    const std::string id = kiosk.save(resident);
    confirmed.insert(id);
    CHECK(vfs::database_opens() == opens + 2);
    const std::string answers = answers_of(*kiosk.store, id);
    CHECK(stored(*kiosk.store, answers).with_answers == 1);
    confirmed.insert(kiosk.save(kiosk.resident()));  // and the kiosk goes on
    CHECK(vfs::database_opens() == opens + 2);

    // The frames of the failed commits are still in the WAL file (the page cache); none of
    // them may come back as a second copy of the resident's answers.
    auto restarted = kiosk.restart();
    const Stored after = stored(*restarted, answers);
    CHECK(after.ids == confirmed);
    CHECK(after.with_answers == 1);
}

TEST_CASE("I/O errors: a full disk during a save is an error, the connection is kept and the retry stored once") {
    FaultyKiosk kiosk;
    const std::string earlier = kiosk.save(kiosk.resident());
    const tillit::Session resident = kiosk.resident();
    const long long opens = vfs::database_opens();

    vfs::fail(vfs::Op::Write, 1, SQLITE_FULL, vfs::Persistence::Once);
    const auto failed = kiosk.recorder->submit(resident);
    REQUIRE_FALSE(failed.ok());
    CHECK(failed.error().find("full") != std::string::npos);
    const std::string id = kiosk.save(resident);
    CHECK(vfs::database_opens() == opens);  // a full disk is not a reason to distrust the connection

    auto restarted = kiosk.restart();
    const Stored after = stored(*restarted, answers_of(*restarted, id));
    CHECK(after.ids == std::set<std::string>{earlier, id});
    CHECK(after.with_answers == 1);
}

TEST_CASE("I/O errors: when opening the file again fails, the write says so and the next one opens it") {
    FaultyKiosk kiosk;
    const std::string earlier = kiosk.save(kiosk.resident());
    const tillit::Session resident = kiosk.resident();

    vfs::fail(vfs::Op::Sync, 1, SQLITE_IOERR_FSYNC, vfs::Persistence::Once);
    REQUIRE_FALSE(kiosk.recorder->submit(resident).ok());
    vfs::fail(vfs::Op::Open, 1, SQLITE_CANTOPEN, vfs::Persistence::UntilCleared);
    for (int attempt = 0; attempt < 2; ++attempt) {
        const auto failed = kiosk.recorder->submit(resident);
        REQUIRE_FALSE(failed.ok());
        CHECK_MESSAGE(failed.error().find("could not be opened again after an I/O error") != std::string::npos,
                      failed.error());
    }
    CHECK(kiosk.count() == 1);  // the old connection still reads
    vfs::clear_faults();
    const std::string id = kiosk.save(resident);

    auto restarted = kiosk.restart();
    const Stored after = stored(*restarted, answers_of(*restarted, id));
    CHECK(after.ids == std::set<std::string>{earlier, id});
    CHECK(after.with_answers == 1);
}

#ifdef TILLIT_HAVE_UI
TEST_CASE("I/O errors on the resident's screens: a failed fsync at send shows the save-failed screen, never thanks") {
    using tillit::test::Kiosk;
    using tillit::ui::Screen;
    TempDir dir;
    const std::string db = dir.file("data/responses.db");
    {
        Installed installed;
        auto opened = tillit::open_store_or_recover(db);
        REQUIRE(opened.ok());
        Kiosk kiosk({tillit::test::load_survey_file("tillit")}, tillit::test::kFullHd, tillit::test::kFullHdWidthMm,
                    nullptr, nullptr, std::move(opened.value().store));
        kiosk.begin_survey("en");
        kiosk.tap("scale_4");
        kiosk.tap("next");
        while (kiosk.has("next")) kiosk.tap("next");
        REQUIRE(kiosk.has("send"));

        vfs::fail(vfs::Op::Sync, 1, SQLITE_IOERR_FSYNC, vfs::Persistence::UntilCleared);
        kiosk.tap("send");
        REQUIRE(kiosk.app.screen() == Screen::SaveFailed);
        CHECK(kiosk.responses().empty());
        kiosk.tap("retry");  // the disk still fails
        CHECK(kiosk.app.screen() == Screen::SaveFailed);
        CHECK(kiosk.screens_seen.count("thanks") == 0);
        CHECK(kiosk.responses().empty());

        vfs::clear_faults();
        kiosk.tap("retry");
        REQUIRE(kiosk.app.screen() == Screen::Thanks);
        const auto rows = kiosk.responses();
        REQUIRE(rows.size() == 1);
        CHECK(rows[0].answers_json.find("\"inst_trust\":4") != std::string::npos);
        vfs::power_off();
    }
    auto restarted = tillit::open_store_or_recover(db);
    REQUIRE(restarted.ok());
    CHECK_FALSE(restarted.value().moved_aside);
    auto count = restarted.value().store->count_responses();
    REQUIRE(count.ok());
    CHECK(count.value() == 1);
}
#endif
