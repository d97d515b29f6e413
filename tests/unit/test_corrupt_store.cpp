// Tests for core/store_recovery through load_kiosk: a damaged database (flipped bytes in
// the header or a page, a damaged write-ahead log, an empty file, an empty file with a
// garbage log, another program's database, random bytes) is moved aside byte-identical
// into data_dir/corrupt/, alarms.json and the staff status board name it, and a fresh
// store takes answers. A newer schema and errors that are not damage still refuse,
// touching nothing; an intact log left by an unclean stop is replayed, not moved, and so
// is what a power cut leaves (tests/faults tries 1000 of those).
#include <doctest/doctest.h>
#include <sqlite3.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>
#include <chrono>

#include "core/launch.h"
#include "core/privacy.h"
#include "core/staff_desk.h"
#include "core/store_health.h"
#include "core/store_recovery.h"
#include "../server/temp_dir.h"

namespace {

namespace fs = std::filesystem;
using tillit::test::TempDir;

const std::string source_dir = TILLIT_SOURCE_DIR;

std::string read_bytes(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    REQUIRE(in.good());
    return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

void write_bytes(const fs::path& path, const std::string& bytes) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    REQUIRE(out.good());
}

std::string random_text(std::size_t size) {
    std::string bytes;
    while (bytes.size() < size) bytes += tillit::new_uuid_v4();  // random, never a SQLite header
    bytes.resize(size);
    return bytes;
}

// XORs `count` bytes from `offset` with 0xA5.
void flip(const fs::path& path, std::size_t offset, std::size_t count) {
    std::string bytes = read_bytes(path);
    REQUIRE(offset + count <= bytes.size());
    for (std::size_t i = offset; i < offset + count; ++i) bytes[i] = static_cast<char>(bytes[i] ^ 0xA5);
    write_bytes(path, bytes);
}

tillit::NewResponse sample_response(int n = 0) {
    tillit::NewResponse r;
    r.survey_id = "tillit";
    r.survey_version = 1;
    r.language = "sv";
    r.venue_id = "exempel-medborgarkontor";
    r.time_bucket = "2026-11-23T14";
    r.answers_json = R"({"q1":)" + std::to_string(1 + n % 5) + R"(,"note":"Bra bemötande, tack! )" +
                     std::string(static_cast<std::size_t>(40 + n % 7), 'x') + R"("})";
    return r;
}

// The shipped kiosk-config with a fresh data folder.
struct Kiosk {
    TempDir dir;
    fs::path data() const { return dir.path / "data"; }
    fs::path db() const { return data() / "responses.db"; }
    fs::path side(const char* suffix) const { return data() / (std::string("responses.db") + suffix); }
    tillit::LaunchOptions options() const {
        tillit::LaunchOptions options;
        options.config_path = source_dir + "/kiosk-config/kiosk.toml";
        options.data_dir = data().string();
        return options;
    }
};

// A real tillit-kiosk database holding `rows` responses, closed cleanly.
void fill(const Kiosk& kiosk, int rows) {
    auto store = tillit::Store::open(kiosk.db().string());
    REQUIRE(store.ok());
    for (int i = 0; i < rows; ++i) REQUIRE(store.value()->save_response(sample_response(i)).ok());
}

// What the disk holds after a power cut: `rows` responses committed one by one into the
// WAL, none checkpointed yet. Copied while the store is open, put back after it closed.
void crash_image(const Kiosk& kiosk, int rows) {
    std::string db;
    std::string wal;
    {
        auto store = tillit::Store::open(kiosk.db().string());
        REQUIRE(store.ok());
        for (int i = 0; i < rows; ++i) REQUIRE(store.value()->save_response(sample_response(i)).ok());
        db = read_bytes(kiosk.db());
        wal = read_bytes(kiosk.side("-wal"));
    }
    REQUIRE_FALSE(fs::exists(kiosk.side("-wal")));  // a clean close checkpoints and removes it
    std::error_code ignored;
    fs::remove(kiosk.side("-shm"), ignored);
    write_bytes(kiosk.db(), db);
    write_bytes(kiosk.side("-wal"), wal);
}

constexpr std::size_t kWalHeader = 32;
constexpr std::size_t kFrameHeader = 24;
constexpr std::size_t kPageSize = 4096;  // SQLite's default, what the store runs with

// The files as they are now: suffix ("", "-wal", "-shm") -> bytes.
std::map<std::string, std::string> snapshot(const Kiosk& kiosk) {
    std::map<std::string, std::string> files;
    for (const char* suffix : {"", "-wal", "-shm"}) {
        if (fs::exists(kiosk.side(suffix))) files[suffix] = read_bytes(kiosk.side(suffix));
    }
    return files;
}

// Starts the kiosk on whatever is in the data folder and checks the whole recovery:
// a fresh store that takes answers, the old files moved aside unchanged, the alarm in
// alarms.json and on the staff status board, and a second start that keeps it all.
void check_recovered(const Kiosk& kiosk, const std::string& what_part) {
    const auto before = snapshot(kiosk);
    REQUIRE_FALSE(before.empty());
    {
        auto setup = tillit::load_kiosk(kiosk.options());
        REQUIRE_MESSAGE(setup.ok(), (setup.ok() ? "" : setup.error()));
        tillit::Store& store = *setup.value().store;
        auto count = store.count_responses();
        REQUIRE(count.ok());
        CHECK(count.value() == 0);
        REQUIRE(store.save_response(sample_response()).ok());

        auto alarms = tillit::load_alarms(kiosk.data().string());
        REQUIRE(alarms.ok());
        REQUIRE(alarms.value().size() == 1);
        const tillit::Alarm& alarm = alarms.value()[0];
        CHECK_MESSAGE(alarm.what.find(what_part) != std::string::npos, alarm.what);
        CHECK(alarm.file.rfind("corrupt/", 0) == 0);
        CHECK(alarm.file.size() > std::string("corrupt/-responses.db").size());
        CHECK(alarm.file.substr(alarm.file.size() - 13) == "-responses.db");
        // The day only.
        REQUIRE(alarm.when.size() == 10);
        CHECK(alarm.when[4] == '-');
        CHECK(alarm.when[7] == '-');
        for (const auto& [suffix, bytes] : before) {
            const fs::path moved = kiosk.data() / (alarm.file + suffix);
            REQUIRE_MESSAGE(fs::exists(moved), moved.string());
            CHECK_MESSAGE(read_bytes(moved) == bytes, moved.string());
        }
        // Exactly the three keys, nothing finer than the day.
        const auto root = nlohmann::json::parse(read_bytes(tillit::alarms_path(kiosk.data().string())));
        REQUIRE(root.is_array());
        REQUIRE(root.size() == 1);
        CHECK(root[0].size() == 3);
        CHECK(root[0].at("when").get<std::string>() == alarm.when);

        tillit::StaffDesk desk(setup.value(), nullptr);
        const tillit::KioskStatus status = desk.status();
        CHECK(status.error.empty());
        CHECK(status.database_health == "ok");
        CHECK(status.responses == 1);
        REQUIRE(status.alarms.size() == 1);
        CHECK(status.alarms[0] == alarm.file + " (" + alarm.what + ")");
    }
    // The next start finds the fresh database healthy: no new alarm, the answer kept.
    auto again = tillit::load_kiosk(kiosk.options());
    REQUIRE_MESSAGE(again.ok(), (again.ok() ? "" : again.error()));
    auto count = again.value().store->count_responses();
    REQUIRE(count.ok());
    CHECK(count.value() == 1);
    auto alarms = tillit::load_alarms(kiosk.data().string());
    REQUIRE(alarms.ok());
    CHECK(alarms.value().size() == 1);
}

}  // namespace

TEST_CASE("corrupt store: flipped bytes in the database header") {
    Kiosk kiosk;
    fill(kiosk, 20);
    flip(kiosk.db(), 0, 16);  // "SQLite format 3\0"
    check_recovered(kiosk, "is not a tillit-kiosk database");
}

TEST_CASE("corrupt store: flipped bytes in a page of a cleanly closed database") {
    Kiosk kiosk;
    fill(kiosk, 20);
    REQUIRE(fs::file_size(kiosk.db()) >= 3 * kPageSize);
    flip(kiosk.db(), kPageSize + 1, 8);  // page 2 (the responses table): its b-tree page header
    check_recovered(kiosk, "responses.db");
}

TEST_CASE("corrupt store: flipped bytes in the write-ahead log an unclean stop left behind") {
    Kiosk kiosk;
    crash_image(kiosk, 5);
    REQUIRE(fs::file_size(kiosk.side("-wal")) > kWalHeader + 3 * (kFrameHeader + kPageSize));
    // SQLite would silently stop reading at this frame and drop the commits after it.
    flip(kiosk.side("-wal"), kWalHeader + kFrameHeader + 200, 4);
    check_recovered(kiosk, "the write-ahead log is damaged at frame 1");
}

TEST_CASE("corrupt store: a damaged write-ahead log header") {
    Kiosk kiosk;
    crash_image(kiosk, 3);
    flip(kiosk.side("-wal"), 16, 4);  // salt 1
    check_recovered(kiosk, "write-ahead log header is damaged");
}

TEST_CASE("corrupt store: an empty database file") {
    Kiosk kiosk;
    fs::create_directories(kiosk.data());
    write_bytes(kiosk.db(), "");
    check_recovered(kiosk, "empty (0 bytes)");
}

TEST_CASE("corrupt store: an empty database file with a garbage write-ahead log") {
    Kiosk kiosk;
    fs::create_directories(kiosk.data());
    write_bytes(kiosk.db(), "");
    write_bytes(kiosk.side("-wal"), random_text(5000));
    check_recovered(kiosk, "write-ahead log has no valid header");
}

TEST_CASE("corrupt store: another program's SQLite database") {
    Kiosk kiosk;
    fs::create_directories(kiosk.data());
    {
        sqlite3* raw = nullptr;
        REQUIRE(sqlite3_open_v2(kiosk.db().c_str(), &raw, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr) ==
                SQLITE_OK);
        std::unique_ptr<sqlite3, int (*)(sqlite3*)> db(raw, sqlite3_close_v2);
        REQUIRE(sqlite3_exec(raw,
                             "CREATE TABLE notes(body TEXT); INSERT INTO notes VALUES ('milk'); "
                             "PRAGMA user_version = 2",
                             nullptr, nullptr, nullptr) == SQLITE_OK);
    }
    check_recovered(kiosk, "holds tables of another program");
}

TEST_CASE("corrupt store: a file of random bytes") {
    Kiosk kiosk;
    fs::create_directories(kiosk.data());
    write_bytes(kiosk.db(), random_text(64 * 1024));
    check_recovered(kiosk, "is not a tillit-kiosk database");
}

TEST_CASE("corrupt store: a write-ahead log whose database file is gone") {
    Kiosk kiosk;
    crash_image(kiosk, 3);
    fs::remove(kiosk.db());
    const std::string wal = read_bytes(kiosk.side("-wal"));
    auto setup = tillit::load_kiosk(kiosk.options());
    REQUIRE_MESSAGE(setup.ok(), (setup.ok() ? "" : setup.error()));
    auto count = setup.value().store->count_responses();
    REQUIRE(count.ok());
    CHECK(count.value() == 0);
    auto alarms = tillit::load_alarms(kiosk.data().string());
    REQUIRE(alarms.ok());
    REQUIRE(alarms.value().size() == 1);
    CHECK(alarms.value()[0].what == "the database file is missing but its write-ahead log is there");
    CHECK(alarms.value()[0].file.substr(alarms.value()[0].file.size() - 17) == "-responses.db-wal");
    CHECK(read_bytes(kiosk.data() / alarms.value()[0].file) == wal);
}

TEST_CASE("corrupt store: two damaged starts in the same second keep both files and both alarms") {
    Kiosk kiosk;
    fs::create_directories(kiosk.data());
    write_bytes(kiosk.db(), "first");
    {
        auto setup = tillit::load_kiosk(kiosk.options());
        REQUIRE(setup.ok());
    }
    write_bytes(kiosk.db(), "second");
    fs::remove(kiosk.side("-wal"));
    auto setup = tillit::load_kiosk(kiosk.options());
    REQUIRE(setup.ok());
    auto alarms = tillit::load_alarms(kiosk.data().string());
    REQUIRE(alarms.ok());
    REQUIRE(alarms.value().size() == 2);
    CHECK(alarms.value()[0].file != alarms.value()[1].file);
    CHECK(read_bytes(kiosk.data() / alarms.value()[0].file) == "first");
    CHECK(read_bytes(kiosk.data() / alarms.value()[1].file) == "second");
    tillit::StaffDesk desk(setup.value(), nullptr);
    CHECK(desk.status().alarms.size() == 2);
}

// Opens the data folder as the kiosk does at start: nothing moved aside, `rows` responses.
void check_opened_as_is(const Kiosk& kiosk, long long rows) {
    auto setup = tillit::load_kiosk(kiosk.options());
    REQUIRE_MESSAGE(setup.ok(), (setup.ok() ? "" : setup.error()));
    auto count = setup.value().store->count_responses();
    REQUIRE(count.ok());
    CHECK(count.value() == rows);
    CHECK_FALSE(fs::exists(kiosk.data() / "corrupt"));
    CHECK_FALSE(fs::exists(tillit::alarms_path(kiosk.data().string())));
}

TEST_CASE("corrupt store: a last commit whose frame reached the disk before an earlier one of it is not damage") {
    // What a power cut leaves when the disk wrote the unsynced last transaction out of
    // order: that commit never returned, so SQLite dropping it loses nothing confirmed.
    Kiosk kiosk;
    crash_image(kiosk, 5);
    const std::string wal = read_bytes(kiosk.side("-wal"));
    std::vector<std::size_t> commits;  // frame numbers (0-based) with a commit mark
    for (std::size_t frame = 0; kWalHeader + (frame + 1) * (kFrameHeader + kPageSize) <= wal.size(); ++frame) {
        const std::size_t at = kWalHeader + frame * (kFrameHeader + kPageSize) + 4;
        if (wal[at] != 0 || wal[at + 1] != 0 || wal[at + 2] != 0 || wal[at + 3] != 0) commits.push_back(frame);
    }
    REQUIRE(commits.size() >= 2);
    const std::size_t first_of_last = commits[commits.size() - 2] + 1;
    REQUIRE(first_of_last < commits.back());  // the last transaction has frames before its commit
    flip(kiosk.side("-wal"), kWalHeader + first_of_last * (kFrameHeader + kPageSize) + kFrameHeader + 100, 4);
    CHECK(tillit::wal_problem(kiosk.side("-wal").string()).empty());
    check_opened_as_is(kiosk, 4);
}

TEST_CASE("corrupt store: an unreadable log header over frames already in the database is not damage") {
    // A power cut while a restarted log's new header was being written: its frames are the
    // old log's, all checkpointed, so SQLite ignoring the log loses nothing.
    Kiosk kiosk;
    std::string db;
    std::string wal;
    {
        auto store = tillit::Store::open(kiosk.db().string());
        REQUIRE(store.ok());
        for (int i = 0; i < 5; ++i) REQUIRE(store.value()->save_response(sample_response(i)).ok());
        REQUIRE(sqlite3_exec(store.value()->connection(), "PRAGMA wal_checkpoint", nullptr, nullptr, nullptr) ==
                SQLITE_OK);
        db = read_bytes(kiosk.db());
        wal = read_bytes(kiosk.side("-wal"));
    }
    REQUIRE(wal.size() > kWalHeader + kFrameHeader + kPageSize);
    std::error_code ignored;
    fs::remove(kiosk.side("-shm"), ignored);
    write_bytes(kiosk.db(), db);
    write_bytes(kiosk.side("-wal"), random_text(kWalHeader) + wal.substr(kWalHeader));
    CHECK(tillit::wal_problem(kiosk.side("-wal").string()).empty());
    check_opened_as_is(kiosk, 5);
}

TEST_CASE("corrupt store: an unreadable log header over frames the database does not have is damage") {
    Kiosk kiosk;
    crash_image(kiosk, 5);
    const std::string wal = read_bytes(kiosk.side("-wal"));
    write_bytes(kiosk.side("-wal"), random_text(kWalHeader) + wal.substr(kWalHeader));
    check_recovered(kiosk, "write-ahead log has no valid header");
}

TEST_CASE("corrupt store: an intact log from an unclean stop is replayed, with a torn tail, and nothing is moved") {
    Kiosk kiosk;
    crash_image(kiosk, 5);
    // Half a frame that never got its commit: what a power cut mid-write leaves.
    write_bytes(kiosk.side("-wal"), read_bytes(kiosk.side("-wal")) + random_text(1000));
    CHECK(tillit::wal_problem(kiosk.side("-wal").string()).empty());
    auto setup = tillit::load_kiosk(kiosk.options());
    REQUIRE_MESSAGE(setup.ok(), (setup.ok() ? "" : setup.error()));
    auto count = setup.value().store->count_responses();
    REQUIRE(count.ok());
    CHECK(count.value() == 5);
    CHECK_FALSE(fs::exists(kiosk.data() / "corrupt"));
    CHECK_FALSE(fs::exists(tillit::alarms_path(kiosk.data().string())));
    tillit::StaffDesk desk(setup.value(), nullptr);
    CHECK(desk.status().alarms.empty());
}

TEST_CASE("corrupt store: a database from a newer tillit-kiosk is still refused and left alone") {
    Kiosk kiosk;
    fill(kiosk, 3);
    {
        sqlite3* raw = nullptr;
        REQUIRE(sqlite3_open_v2(kiosk.db().c_str(), &raw, SQLITE_OPEN_READWRITE, nullptr) == SQLITE_OK);
        std::unique_ptr<sqlite3, int (*)(sqlite3*)> db(raw, sqlite3_close_v2);
        REQUIRE(sqlite3_exec(raw, "PRAGMA user_version = 6", nullptr, nullptr, nullptr) == SQLITE_OK);
    }
    const auto before = snapshot(kiosk);
    const auto setup = tillit::load_kiosk(kiosk.options());
    REQUIRE_FALSE(setup.ok());
    CHECK(setup.error() ==
          kiosk.db().string() + " was written by a newer tillit-kiosk (schema 6, this build knows 5); update the app");
    CHECK(snapshot(kiosk) == before);
    CHECK_FALSE(fs::exists(kiosk.data() / "corrupt"));
    CHECK_FALSE(fs::exists(tillit::alarms_path(kiosk.data().string())));
}

TEST_CASE("corrupt store: errors that are not damage still stop the kiosk and move nothing") {
    SUBCASE("the data folder cannot be created") {
        Kiosk kiosk;
        write_bytes(kiosk.dir.path / "a-file", "not a folder");
        auto options = kiosk.options();
        options.data_dir = (kiosk.dir.path / "a-file" / "data").string();
        const auto setup = tillit::load_kiosk(options);
        REQUIRE_FALSE(setup.ok());
        CHECK(setup.error().find("could not create the folder") != std::string::npos);
        CHECK(read_bytes(kiosk.dir.path / "a-file") == "not a folder");
    }
    SUBCASE("responses.db is a folder") {
        Kiosk kiosk;
        fs::create_directories(kiosk.db() / "inside");
        const auto setup = tillit::load_kiosk(kiosk.options());
        REQUIRE_FALSE(setup.ok());
        CHECK(setup.error().find("could not open the database " + kiosk.db().string()) != std::string::npos);
        CHECK(fs::is_directory(kiosk.db() / "inside"));
        CHECK_FALSE(fs::exists(kiosk.data() / "corrupt"));
        CHECK_FALSE(fs::exists(tillit::alarms_path(kiosk.data().string())));
    }
}

TEST_CASE("corrupt store: damage deep in the file, found by the check after start, is moved aside at the next load") {
    Kiosk kiosk;
    fill(kiosk, 200);
    REQUIRE(fs::file_size(kiosk.db()) >= 3 * kPageSize);
    const std::size_t last_page = fs::file_size(kiosk.db()) / kPageSize - 1;
    flip(kiosk.db(), last_page * kPageSize + 1, 8);  // a leaf of the responses table: a b-tree page header
    const auto before = snapshot(kiosk);
    {
        // The start path reads the header, owner and schema only: the kiosk opens at once.
        auto setup = tillit::load_kiosk(kiosk.options(), tillit::StartCheck::Later);
        REQUIRE_MESSAGE(setup.ok(), (setup.ok() ? "" : setup.error()));
        tillit::StoreHealth health(kiosk.db().string());
        tillit::StaffDesk desk(setup.value(), nullptr, &health);
        health.start();
        while (health.running()) std::this_thread::sleep_for(std::chrono::milliseconds(5));
        const auto finding = health.latest();
        REQUIRE(finding.has_value());
        CHECK(finding->damaged);
        CHECK(finding->result != "ok");
        const tillit::KioskStatus status = desk.status();
        CHECK(status.database_health == finding->result);
        REQUIRE(tillit::mark_damaged(kiosk.db().string(), "responses.db is damaged: " + finding->result).ok());
    }
    // The kiosk starts again: the marked file is moved aside exactly as found, a fresh one opened.
    auto again = tillit::load_kiosk(kiosk.options(), tillit::StartCheck::Later);
    REQUIRE_MESSAGE(again.ok(), (again.ok() ? "" : again.error()));
    auto count = again.value().store->count_responses();
    REQUIRE(count.ok());
    CHECK(count.value() == 0);
    CHECK_FALSE(fs::exists(kiosk.data() / "responses.db.damaged"));
    auto alarms = tillit::load_alarms(kiosk.data().string());
    REQUIRE(alarms.ok());
    REQUIRE(alarms.value().size() == 1);
    CHECK(alarms.value()[0].what.find("is damaged") != std::string::npos);
    const fs::path moved = kiosk.data() / alarms.value()[0].file;
    CHECK(read_bytes(moved) == before.at(""));
}

TEST_CASE("corrupt store: the check after start finds a healthy store healthy and can be stopped") {
    Kiosk kiosk;
    fill(kiosk, 50);
    auto setup = tillit::load_kiosk(kiosk.options(), tillit::StartCheck::Later);
    REQUIRE(setup.ok());
    {
        tillit::StoreHealth health(kiosk.db().string());
        health.start();
        // Writes go on beside the check (WAL: it reads a snapshot).
        REQUIRE(setup.value().store->save_response(sample_response()).ok());
        while (health.running()) std::this_thread::sleep_for(std::chrono::milliseconds(5));
        REQUIRE(health.latest().has_value());
        CHECK(health.latest()->result == "ok");
        CHECK_FALSE(health.latest()->damaged);
        health.start();  // a second check; the destructor stops it wherever it is
    }
    CHECK_FALSE(fs::exists(kiosk.data() / "responses.db.damaged"));
}
