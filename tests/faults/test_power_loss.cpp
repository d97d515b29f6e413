// Power loss: in forked children the kiosk's real store (a copy of a prepared database)
// saves responses and abandoned sessions, freezes batches and records the server's answers
// through crash_vfs, meeting 1000 random crash points (writes, syncs, truncates): 40 per
// child, imaged on the way, the last one a real death. The parent starts each image as
// the kiosk does (open_store_or_recover) and compares it with what the child confirmed:
// nothing lost or doubled, the operation under way whole or absent. Not covered: disks
// that lie about fsync, several processes writing at once.
#include <doctest/doctest.h>
#include <sodium.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <optional>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "../server/temp_dir.h"
#include "core/recorder.h"
#include "core/store.h"
#include "core/store_recovery.h"
#include "crash_vfs.h"
#include "fault_kiosk.h"

namespace {

namespace fs = std::filesystem;
namespace vfs = tillit::test::crash_vfs;
using tillit::test::TempDir;

constexpr int kCrashPoints = 1000;   // TILLIT_CRASH_POINTS changes it
constexpr int kPointsPerChild = 40;  // one real crash, and the disk images taken on the way
constexpr int kWorkloads = 4;        // kiosk days, each calibrated; crash points are spread over them
constexpr int kSteps = 24;           // what a child does when the power stays on
constexpr int kBaseResponses = 40;
constexpr int kWalAutoCheckpointPages = 8;  // a checkpoint every two or three commits

std::optional<unsigned long long> env_number(const char* name) {
    const char* text = std::getenv(name);
    if (text == nullptr || *text == '\0') return std::nullopt;
    return std::strtoull(text, nullptr, 10);
}

// ---- the child: a kiosk that reports what it was told is stored ----

void write_line(int fd, const std::string& line) {
    const std::string text = line + "\n";
    std::size_t done = 0;
    while (done < text.size()) {
        const ssize_t n = ::write(fd, text.data() + done, text.size() - done);
        if (n <= 0) ::_exit(5);
        done += static_cast<std::size_t>(n);
    }
}

// libsodium's and SQLite's randomness as a function of the workload seed, in the child
// only: the UUIDs, batch shuffles and WAL salts, and so every write, are the same in each
// run of a workload.
// The calibrated operation count is then exact, and a seed replays a crash point.
std::array<unsigned char, randombytes_SEEDBYTES> child_key{};
std::uint64_t child_draws = 0;
void child_random_buf(void* const out, const size_t size) {
    auto seed = child_key;
    const std::uint64_t draw = child_draws++;
    for (std::size_t i = 0; i < sizeof draw; ++i) seed[16 + i] = static_cast<unsigned char>(draw >> (8 * i));
    randombytes_buf_deterministic(out, size, seed.data());
}
std::uint32_t child_random_u32() {
    std::uint32_t value = 0;
    child_random_buf(&value, sizeof value);
    return value;
}
const char* child_random_name() {
    return "tillit-test-seeded";
}
randombytes_implementation child_random = {child_random_name, child_random_u32, nullptr,
                                           nullptr,           child_random_buf, nullptr};

void seed_child_randomness(std::uint64_t seed) {
    child_key.fill(0);
    for (std::size_t i = 0; i < sizeof seed; ++i) child_key[i] = static_cast<unsigned char>(seed >> (8 * i));
    child_draws = 0;
    // Initialised first (a no-op if the parent was): sodium_init draws from the generator.
    if (sodium_init() < 0) ::_exit(6);
    randombytes_set_implementation(&child_random);
    // SQLite's own generator (WAL salts) too: its state is otherwise whatever the parent's was.
    sqlite3_test_control(SQLITE_TESTCTRL_PRNG_SEED, static_cast<int>(seed & 0x7fffffff), nullptr);
}

struct ChildPlan {
    std::string db;
    std::uint64_t workload_seed = 0;
    std::vector<long long> images;  // crash points taken as disk images on the way
    long long crash_point = 0;      // the last one, where the child really dies; 0: no crash,
                                    // the child reports its operation count at the end
    std::uint64_t fate_seed = 0;
    std::string image_folder;
};

std::string fates_line(std::size_t index, const vfs::Fates& f) {
    std::ostringstream line;
    line << "X " << index << " " << f.dropped << " " << f.whole << " " << f.torn_old << " " << f.torn_garbage << " "
         << f.truncates_applied << " " << f.truncates_dropped;
    return line.str();
}

// Protocol on the pipe, one line each: "? KIND" before an operation, then after it returned
// OK "R id", "A", "F batch id...", "F" (nothing pending), "S batch set-aside-id...", "C";
// "X index fates..." at each crash point, "N count" at the end, "E message" on an error.
[[noreturn]] void kiosk_child(const ChildPlan& plan, const tillit::Survey& survey, const tillit::KioskConfig& config,
                              int fd) {
    seed_child_randomness(plan.workload_seed);
    vfs::install();
    if (!plan.images.empty()) {
        vfs::image_at(plan.images, plan.fate_seed, plan.image_folder,
                      [fd](std::size_t index, const vfs::Fates& f) { write_line(fd, fates_line(index, f)); });
    }
    if (plan.crash_point > 0) {
        vfs::crash_at(plan.crash_point, plan.fate_seed,
                      [fd, index = plan.images.size()](const vfs::Fates& f) { write_line(fd, fates_line(index, f)); });
    }
    auto fail = [fd](const std::string& what) {
        write_line(fd, "E " + what);
        ::_exit(3);
    };
    // The parent opens it as the kiosk does at start; here the store only has to work.
    auto opened = tillit::Store::open(plan.db);
    if (!opened) fail(opened.error());
    tillit::Store& store = *opened.value();
    const std::string autocheckpoint = "PRAGMA wal_autocheckpoint = " + std::to_string(kWalAutoCheckpointPages);
    if (sqlite3_exec(store.connection(), autocheckpoint.c_str(), nullptr, nullptr, nullptr) != SQLITE_OK) {
        fail("wal_autocheckpoint");
    }
    tillit::Recorder recorder(store, config, tillit::test::fixed_clock);
    std::mt19937_64 random(plan.workload_seed);
    for (int step = 0; step < kSteps; ++step) {
        const auto action = random() % 10;
        if (action < 5) {
            tillit::Session session(survey, random() % 2 == 0 ? "sv" : "en");
            tillit::test::answer_all(session, random);
            write_line(fd, "? R");
            auto saved = recorder.submit(session);
            if (!saved) fail(saved.error());
            write_line(fd, "R " + saved.value());
        } else if (action < 7) {
            tillit::Session session(survey, "sv");
            for (auto answered = random() % 4; answered > 0; --answered) {
                tillit::test::answer_current(session, random);
                session.next();
            }
            write_line(fd, "? A");
            if (const auto status = recorder.abandon(session, session.reached_step()); !status) fail(status.error());
            write_line(fd, "A");
        } else if (action == 7) {
            write_line(fd, "? F");
            auto batch = store.freeze_batch(1 + static_cast<int>(random() % 6));
            if (!batch) fail(batch.error());
            std::string line = "F";
            if (batch.value()) {
                line += " " + batch.value()->batch_id;
                for (const auto& id : batch.value()->item_ids) line += " " + id;
            }
            write_line(fd, line);
        } else if (action == 8) {
            auto batches = store.frozen_batches();
            if (!batches) fail(batches.error());
            if (batches.value().empty()) continue;
            const tillit::FrozenBatch& batch = batches.value()[random() % batches.value().size()];
            std::vector<tillit::wire::ItemResult> results;
            std::string aside;
            for (const auto& id : batch.item_ids) {
                const bool conflict = random() % 5 == 0;
                results.push_back({id,
                                   conflict ? tillit::wire::ItemStatus::Conflict : tillit::wire::ItemStatus::Created,
                                   conflict ? "another item has this id" : ""});
                if (conflict) aside += " " + id;
            }
            write_line(fd, "? S " + batch.batch_id);
            if (const auto applied = store.apply_results(batch.batch_id, results); !applied) fail(applied.error());
            write_line(fd, "S " + batch.batch_id + aside);
        } else {
            write_line(fd, "? C");
            const char* checkpoint = random() % 2 == 0 ? "PRAGMA wal_checkpoint(TRUNCATE)" : "PRAGMA wal_checkpoint";
            if (sqlite3_exec(store.connection(), checkpoint, nullptr, nullptr, nullptr) != SQLITE_OK) {
                fail(sqlite3_errmsg(store.connection()));
            }
            write_line(fd, "C");
        }
    }
    write_line(fd, "N " + std::to_string(vfs::operations()));
    ::_exit(0);
}

struct ChildRun {
    int status = 0;  // from waitpid
    std::vector<std::string> lines;
};

// Runs `body` in a forked child (which must end with _exit) and collects its lines.
template <class Body>
ChildRun run_child(Body&& body) {
    int fds[2];
    REQUIRE(::pipe(fds) == 0);
    std::fflush(nullptr);  // nothing buffered is written twice
    const pid_t pid = ::fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
        ::close(fds[0]);
        body(fds[1]);
        ::_exit(4);
    }
    ::close(fds[1]);
    std::string text;
    char buffer[4096];
    for (ssize_t n; (n = ::read(fds[0], buffer, sizeof buffer)) != 0;) {
        if (n < 0) break;
        text.append(buffer, static_cast<std::size_t>(n));
    }
    ::close(fds[0]);
    ChildRun run;
    REQUIRE(::waitpid(pid, &run.status, 0) == pid);
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) run.lines.push_back(line);
    return run;
}

// ---- the parent: what is on disk, and what it must be ----

std::vector<std::vector<std::string>> rows(sqlite3* c, const char* sql) {
    sqlite3_stmt* raw = nullptr;
    REQUIRE_MESSAGE(sqlite3_prepare_v2(c, sql, -1, &raw, nullptr) == SQLITE_OK, sqlite3_errmsg(c));
    std::unique_ptr<sqlite3_stmt, int (*)(sqlite3_stmt*)> stmt(raw, sqlite3_finalize);
    std::vector<std::vector<std::string>> out;
    int rc = SQLITE_ROW;
    while ((rc = sqlite3_step(raw)) == SQLITE_ROW) {
        std::vector<std::string> row;
        for (int i = 0; i < sqlite3_column_count(raw); ++i) {
            const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(raw, i));
            row.emplace_back(text == nullptr ? "" : text);
        }
        out.push_back(std::move(row));
    }
    REQUIRE_MESSAGE(rc == SQLITE_DONE, sqlite3_errmsg(c));
    return out;
}

struct Snapshot {
    std::set<std::string> responses;
    std::set<std::string> abandonments;
    std::map<std::string, std::pair<std::string, std::string>> outbox;  // item -> (kind, state)
    std::map<std::string, std::set<std::string>> batches;               // batch -> its frozen items
};

Snapshot snapshot(sqlite3* c) {
    Snapshot s;
    for (const auto& row : rows(c, "SELECT id FROM responses")) s.responses.insert(row[0]);
    for (const auto& row : rows(c, "SELECT id FROM abandonments")) s.abandonments.insert(row[0]);
    for (const auto& row : rows(c, "SELECT batch_id FROM batches")) s.batches[row[0]];
    for (const auto& row : rows(c, "SELECT item_id, kind, state, coalesce(batch_id, '') FROM outbox")) {
        s.outbox[row[0]] = {row[1], row[2]};
        if (!row[3].empty()) s.batches[row[3]].insert(row[0]);
    }
    return s;
}

// What the store must hold: the prepared database plus every confirmed operation.
struct Model {
    std::set<std::string> responses;
    std::size_t abandonments = 0;
    std::map<std::string, std::string> state;  // known items; any other item must be pending
    std::map<std::string, std::set<std::string>> batches;

    explicit Model(const Snapshot& base)
        : responses(base.responses), abandonments(base.abandonments.size()), batches(base.batches) {
        for (const auto& [id, kind_state] : base.outbox) state[id] = kind_state.second;
    }
    std::string state_of(const std::string& id) const {
        const auto found = state.find(id);
        return found == state.end() ? "pending" : found->second;
    }
    void saved(const std::string& id) {
        responses.insert(id);
        state[id] = "pending";
    }
    void frozen(const std::string& batch, const std::set<std::string>& items) {
        batches[batch] = items;
        for (const auto& id : items) state[id] = "frozen";
    }
    void answered(const std::string& batch, const std::set<std::string>& aside) {
        for (const auto& id : batches[batch]) state[id] = aside.count(id) != 0 ? "set_aside" : "sent";
        batches.erase(batch);
    }
};

std::vector<std::string> words(const std::string& line) {
    std::istringstream in(line);
    std::vector<std::string> out;
    for (std::string word; in >> word;) out.push_back(word);
    return out;
}

struct Tally {
    vfs::Fates fates;
    std::map<std::string, std::pair<int, int>> in_flight;  // kind -> (landed, not landed)
};

// "" when the store holds exactly what it must; otherwise the first difference.
std::string compare(const Snapshot& base, const std::vector<std::string>& lines, const Snapshot& now, Tally& tally) {
    Model model(base);
    std::vector<std::string> in_flight;  // the "? ..." without its confirmation
    for (const std::string& line : lines) {
        const auto w = words(line);
        if (w.empty()) continue;
        if (w[0] == "?") {
            in_flight = w;
            continue;
        }
        if (w[0] == "R" || w[0] == "A" || w[0] == "F" || w[0] == "S" || w[0] == "C") in_flight.clear();
        if (w[0] == "R") model.saved(w.at(1));
        if (w[0] == "A") ++model.abandonments;
        if (w[0] == "F" && w.size() > 2) model.frozen(w[1], std::set<std::string>(w.begin() + 2, w.end()));
        if (w[0] == "S") model.answered(w.at(1), std::set<std::string>(w.begin() + 2, w.end()));
    }
    // The operation under way when the power went is either all there or not at all.
    if (!in_flight.empty()) {
        const std::string& kind = in_flight.at(1);
        bool landed = false;
        if (kind == "R") {
            std::vector<std::string> extra;
            for (const auto& id : now.responses) {
                if (model.responses.count(id) == 0) extra.push_back(id);
            }
            if (extra.size() > 1) return std::to_string(extra.size()) + " unconfirmed responses";
            landed = extra.size() == 1;
            if (landed) model.saved(extra[0]);
        } else if (kind == "A") {
            landed = now.abandonments.size() == model.abandonments + 1;
            if (landed) ++model.abandonments;
        } else if (kind == "F") {
            std::vector<std::string> extra;
            for (const auto& [batch, items] : now.batches) {
                if (model.batches.count(batch) == 0) extra.push_back(batch);
            }
            if (extra.size() > 1) return std::to_string(extra.size()) + " unconfirmed batches";
            landed = extra.size() == 1;
            if (landed) {
                const auto& items = now.batches.at(extra[0]);
                for (const auto& id : items) {
                    if (model.state_of(id) != "pending")
                        return "batch " + extra[0] + " froze a " + model.state_of(id) + " item";
                }
                if (items.empty()) return "batch " + extra[0] + " has no items";
                model.frozen(extra[0], items);
            }
        } else if (kind == "S") {
            const std::string& batch = in_flight.at(2);
            landed = now.batches.count(batch) == 0;
            if (landed) {
                std::set<std::string> aside;
                for (const auto& id : model.batches[batch]) {
                    const auto found = now.outbox.find(id);
                    if (found != now.outbox.end() && found->second.second == "set_aside") aside.insert(id);
                }
                model.answered(batch, aside);
            }
        }
        if (kind != "C") {  // a checkpoint changes nothing anyone can see
            auto& count = tally.in_flight[kind];
            (landed ? count.first : count.second)++;
        }
    }

    if (now.responses != model.responses) {
        for (const auto& id : model.responses) {
            if (now.responses.count(id) == 0) return "confirmed response " + id + " is missing";
        }
        return "a response nobody was told about is stored";
    }
    if (now.abandonments.size() != model.abandonments) {
        return std::to_string(now.abandonments.size()) + " abandoned sessions, not " +
               std::to_string(model.abandonments);
    }
    for (const auto& id : base.abandonments) {
        if (now.abandonments.count(id) == 0) return "abandoned session " + id + " of the prepared database is missing";
    }
    if (now.outbox.size() != now.responses.size() + now.abandonments.size()) {
        return std::to_string(now.outbox.size()) + " outbox rows for " + std::to_string(now.responses.size()) +
               " responses and " + std::to_string(now.abandonments.size()) + " abandoned sessions";
    }
    for (const auto& [id, kind_state] : now.outbox) {
        const std::string kind = now.responses.count(id) != 0      ? "response"
                                 : now.abandonments.count(id) != 0 ? "abandonment"
                                                                   : "";
        if (kind_state.first != kind) return "outbox row " + id + " (" + kind_state.first + ") has no row of its own";
        if (kind_state.second != model.state_of(id)) {
            return "item " + id + " is " + kind_state.second + ", not " + model.state_of(id);
        }
    }
    if (now.batches != model.batches) return "the frozen batches differ";
    return "";
}

// Opens the store as the kiosk does at start and checks it; "" when all is well.
std::string check_store(const std::string& db, const Snapshot& base, const std::vector<std::string>& lines,
                        Tally& tally) {
    auto opened = tillit::open_store_or_recover(db);
    if (!opened) return "the store did not open: " + opened.error();
    if (opened.value().moved_aside) return "the store was moved aside: " + opened.value().note;
    tillit::Store& store = *opened.value().store;
    sqlite3* c = store.connection();
    const auto integrity = rows(c, "PRAGMA integrity_check");
    if (integrity.size() != 1 || integrity[0][0] != "ok") return "integrity_check: " + integrity.at(0).at(0);
    if (!rows(c, "PRAGMA foreign_key_check").empty()) return "foreign_key_check found rows";
    if (std::string problem = compare(base, lines, snapshot(c), tally); !problem.empty()) return problem;
    return "";
}

Snapshot read_base(const std::string& db) {
    sqlite3* raw = nullptr;
    REQUIRE(sqlite3_open_v2(db.c_str(), &raw, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK);
    std::unique_ptr<sqlite3, int (*)(sqlite3*)> c(raw, sqlite3_close_v2);
    return snapshot(raw);
}

// A kiosk that has been in use: responses and abandoned sessions, one batch answered by
// the server and one still waiting. Closed cleanly, so no WAL is left. Made in a child
// with seeded randomness, so the same seed gives the same file.
void prepare_base(const std::string& db, const tillit::Survey& survey, const tillit::KioskConfig& config,
                  std::uint64_t seed) {
    const ChildRun run = run_child([&](int fd) {
        seed_child_randomness(seed);
        auto fail = [fd](const std::string& what) {
            write_line(fd, "E " + what);
            ::_exit(3);
        };
        {
            auto store = tillit::Store::open(db);
            if (!store) fail(store.error());
            // No fsync while setting up (the host does not crash); the next open sets FULL again.
            sqlite3_exec(store.value()->connection(), "PRAGMA synchronous = OFF", nullptr, nullptr, nullptr);
            tillit::Recorder recorder(*store.value(), config, tillit::test::fixed_clock);
            std::mt19937_64 random(seed);
            for (int i = 0; i < kBaseResponses; ++i) {
                tillit::Session session(survey, "sv");
                tillit::test::answer_all(session, random);
                if (auto saved = recorder.submit(session); !saved) fail(saved.error());
                if (i % 6 == 0) {
                    if (auto abandoned = recorder.abandon(session, 2); !abandoned) fail(abandoned.error());
                }
            }
            auto sent = store.value()->freeze_batch(12);
            if (!sent || !sent.value()) fail("no batch to send");
            std::vector<tillit::wire::ItemResult> results;
            for (const auto& id : sent.value()->item_ids)
                results.push_back({id, tillit::wire::ItemStatus::Created, ""});
            if (auto applied = store.value()->apply_results(sent.value()->batch_id, results); !applied) {
                fail(applied.error());
            }
            auto waiting = store.value()->freeze_batch(6);
            if (!waiting || !waiting.value()) fail("no batch to freeze");
        }
        ::_exit(0);
    });
    REQUIRE_MESSAGE((WIFEXITED(run.status) && WEXITSTATUS(run.status) == 0),
                    "preparing the base database failed: " << (run.lines.empty() ? "" : run.lines.back()));
}

}  // namespace

TEST_CASE("power loss at 1000 random writes, syncs and truncates: the store opens as is, every confirmed item once") {
    const unsigned long long seed = env_number("TILLIT_CRASH_SEED").value_or(std::random_device{}());
    const auto points = static_cast<int>(env_number("TILLIT_CRASH_POINTS").value_or(kCrashPoints));
    const auto only = env_number("TILLIT_CRASH_ONLY");  // one crash point (its number) of the seed's run
    std::printf("power loss: seed %llu (TILLIT_CRASH_SEED=%llu replays it)\n", seed, seed);
    const auto started = std::chrono::steady_clock::now();

    const tillit::Survey survey = tillit::test::shipped_survey("tillit");
    const tillit::KioskConfig config = tillit::test::fault_config();
    // On tmpfs when there is one: the parent's opens and closes fsync for real, and the
    // host's disk is not what this test is about (crash_vfs decides what is durable).
    TempDir dir(fs::is_directory("/dev/shm") ? fs::path("/dev/shm") : fs::temp_directory_path());
    const std::string base_db = dir.file("base.db");
    std::mt19937_64 random(seed);
    prepare_base(base_db, survey, config, random());
    const Snapshot base = read_base(base_db);
    REQUIRE(base.responses.size() == kBaseResponses);
    const fs::path run_dir = dir.path / "run";
    const fs::path image_dir = dir.path / "images";
    const std::string db = (run_dir / "responses.db").string();
    auto fresh_copy = [&] {
        fs::remove_all(run_dir);
        fs::remove_all(image_dir);
        fs::create_directories(run_dir);
        fs::copy_file(base_db, db);
    };

    // Each workload once without a crash: its operation count, and a first check (the
    // child ends without closing the store, so whatever it did not sync is lost).
    std::array<std::uint64_t, kWorkloads> workloads{};
    std::array<long long, kWorkloads> operations{};
    Tally tally;
    for (int w = 0; w < kWorkloads; ++w) {
        workloads[w] = random();
        fresh_copy();
        const ChildRun run = run_child([&](int fd) {
            kiosk_child({db, workloads[w], {}, 0, 0, ""}, survey, config, fd);
        });
        REQUIRE_MESSAGE((WIFEXITED(run.status) && WEXITSTATUS(run.status) == 0 && !run.lines.empty() &&
                         run.lines.back().rfind("N ", 0) == 0),
                        "workload " << w << " did not finish: " << (run.lines.empty() ? "" : run.lines.back()));
        operations[w] = std::stoll(run.lines.back().substr(2));
        REQUIRE(operations[w] > 2 * kPointsPerChild);
        const std::string problem = check_store(db, base, run.lines, tally);
        REQUIRE_MESSAGE(problem.empty(), "workload " << w << ": " << problem);
    }

    // Each child runs a workload and meets kPointsPerChild crash points, drawn at random
    // over its operations: the disk as each would leave it is imaged on the way, and at
    // the last one the child really dies.
    int checked = 0;
    int failures = 0;
    for (int first = 0, child = 0; first < points && failures < 3; first += kPointsPerChild, ++child) {
        const int w = child % kWorkloads;
        const int count = std::min(kPointsPerChild, points - first);
        std::set<long long> drawn;
        while (static_cast<int>(drawn.size()) < count) {
            drawn.insert(1 + static_cast<long long>(random() % static_cast<std::uint64_t>(operations[w])));
        }
        const std::uint64_t fate_seed = random();
        if (only && (*only < static_cast<unsigned long long>(first) ||
                     *only >= static_cast<unsigned long long>(first + count))) {
            continue;
        }
        ChildPlan plan{db,
                       workloads[w],
                       std::vector<long long>(drawn.begin(), std::prev(drawn.end())),
                       *drawn.rbegin(),
                       fate_seed,
                       image_dir.string()};
        fresh_copy();
        const ChildRun run = run_child([&](int fd) { kiosk_child(plan, survey, config, fd); });
        const bool crash_exit = WIFEXITED(run.status) && WEXITSTATUS(run.status) == vfs::kCrashExitCode;
        if (!crash_exit) {
            ++failures;
            FAIL_CHECK("child " << child << " did not crash as planned (status " << run.status
                                << "): " << (run.lines.empty() ? "" : run.lines.back())
                                << " (TILLIT_CRASH_SEED=" << seed << ")");
            continue;
        }
        // Crash point k: what the child had confirmed before its "X k" line, against the image.
        std::vector<std::string> before;
        for (const std::string& line : run.lines) {
            if (line.rfind("X ", 0) != 0) {
                before.push_back(line);
                continue;
            }
            const auto f = words(line);
            const std::size_t k = std::stoul(f.at(1));
            const int number = first + static_cast<int>(k);
            if (only && *only != static_cast<unsigned long long>(number)) continue;
            tally.fates.dropped += std::stoll(f.at(2));
            tally.fates.whole += std::stoll(f.at(3));
            tally.fates.torn_old += std::stoll(f.at(4));
            tally.fates.torn_garbage += std::stoll(f.at(5));
            tally.fates.truncates_applied += std::stoll(f.at(6));
            tally.fates.truncates_dropped += std::stoll(f.at(7));
            const bool real = k == plan.images.size();
            const fs::path folder = real ? run_dir : image_dir / std::to_string(k);
            const std::string problem = check_store((folder / "responses.db").string(), base, before, tally);
            ++checked;
            if (problem.empty()) continue;
            ++failures;
            FAIL_CHECK("crash point " << number << " (operation " << (real ? plan.crash_point : plan.images[k])
                                      << " of workload " << w << std::string(real ? ", the real crash" : ", an image")
                                      << "; TILLIT_CRASH_SEED=" << seed << " TILLIT_CRASH_ONLY=" << number
                                      << "): " << problem);
            if (const char* keep = std::getenv("TILLIT_CRASH_KEEP")) {  // the files, to look at
                fs::copy(folder, fs::path(keep) / ("crash-point-" + std::to_string(number)),
                         fs::copy_options::recursive);
            }
        }
    }
    CHECK(failures == 0);
    CHECK(checked == (only ? 1 : points));

    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    std::printf(
        "power loss: %d crash points in %.1f s (operations per workload: %lld %lld %lld %lld); unsynced writes "
        "dropped %lld, written whole %lld, torn with old bytes %lld, torn with garbage %lld; truncates applied "
        "%lld, dropped %lld\n",
        checked, seconds, operations[0], operations[1], operations[2], operations[3], tally.fates.dropped,
        tally.fates.whole, tally.fates.torn_old, tally.fates.torn_garbage, tally.fates.truncates_applied,
        tally.fates.truncates_dropped);
    for (const auto& [kind, count] : tally.in_flight) {
        std::printf("power loss: under way at the crash: %s, %d stored whole, %d not at all\n", kind.c_str(),
                    count.first, count.second);
    }
}
