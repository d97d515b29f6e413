// End to end, exactly once through kill -9: of a kiosk process while its batch is at
// the server, and of tillit-server while it commits a 5 000-item batch. The moment is
// chosen by the fault proxy's on_forward hook (the request has just been handed to the
// server), not by a sleep, so each run kills at the same point of the protocol.
#include <doctest/doctest.h>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <thread>

#include "e2e_harness.h"
#include "fault_proxy.h"

namespace fs = std::filesystem;
using namespace tillit::test;
using tillit::sync::PassOutcome;

namespace {

long long size_of(const fs::path& path) {
    std::error_code ec;
    const auto size = fs::file_size(path, ec);
    return ec ? 0 : static_cast<long long>(size);
}

}  // namespace

TEST_CASE("e2e kill -9 of a syncing kiosk process while its batch is at the server: exactly once after restart") {
    const auto dir = fresh_dir("kill-kiosk");
    auto server = start_server((fs::path(dir) / "server.db").string(), dir);
    FaultProxy proxy(server->port());
    proxy.record_exchanges(true);
    const std::string url = http_url(proxy.port());
    Kiosk kiosk(dir, url, server->enrol_code("test-venue"));
    kiosk.add(2000, 20);  // 11 batches of up to 200
    kiosk.store.reset();  // the kiosk process below owns the store now

    // A separate kiosk process (this binary, re-executed) syncs the store. The argv is
    // built before fork: between fork and exec only async-signal-safe calls are allowed.
    const std::string self = fs::read_symlink("/proc/self/exe").string();
    std::vector<std::string> args = {self, kSyncChildFlag, kiosk.db_path, url, "200"};
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    // Killed the moment its third batch has been handed to the server: the server
    // commits and answers, but the kiosk is gone before it can record the answer.
    std::atomic<pid_t> child{-1};
    std::atomic<bool> killed{false};
    proxy.on_forward([&](const std::string& path, int count) {
        if (path == "/v1/batches" && count == 3) {
            ::kill(child.load(), SIGKILL);
            killed = true;
        }
    });
    const pid_t pid = ::fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
        ::execv(argv[0], argv.data());
        ::_exit(127);
    }
    child = pid;
    int status = 0;
    REQUIRE(::waitpid(pid, &status, 0) == pid);
    proxy.on_forward({});
    REQUIRE_MESSAGE(killed.load(), "the kiosk process ended by itself with status " << status);
    CHECK(WIFSIGNALED(status));
    CHECK(WTERMSIG(status) == SIGKILL);

    // The store reopens intact: the first two batches are recorded as sent, and the one
    // in flight is still frozen with the bytes the server received.
    kiosk.reopen();
    CHECK(kiosk.store->storage_health().value() == "ok");
    REQUIRE(proxy.wait_for_exchanges("/v1/batches", 3, std::chrono::seconds(30)));
    const auto exchanges = proxy.exchanges("/v1/batches");
    REQUIRE(exchanges.size() == 3);
    const SeenBatch in_flight = decode_batch(exchanges[2].request_body);
    // The server committed it and answered; the kiosk was gone before it could read that.
    CHECK(status_counts(exchanges[2].answer_body) ==
          std::map<std::string, int>{{"created", static_cast<int>(in_flight.item_ids.size())}});
    const auto answered = decode_batch(exchanges[0].request_body).item_ids.size() +
                          decode_batch(exchanges[1].request_body).item_ids.size();
    CHECK(kiosk.counts().sent == static_cast<long long>(answered));
    bool still_frozen = false;
    for (const auto& frozen : kiosk.frozen()) {
        if (frozen.batch_id == in_flight.batch_id) {
            still_frozen = true;
            CHECK(frozen.body == exchanges[2].request_body);
        }
    }
    CHECK(still_frozen);

    // The restarted kiosk finishes: the batch in flight comes back as duplicate.
    kiosk.connect(url);
    const auto last = kiosk.sync_until_done(200);
    CHECK_MESSAGE(last.outcome == PassOutcome::Done, last.message);
    const auto after = proxy.exchanges("/v1/batches");
    int resends = 0;
    for (std::size_t i = exchanges.size(); i < after.size(); ++i) {
        if (decode_batch(after[i].request_body).batch_id != in_flight.batch_id) continue;
        ++resends;
        CHECK(after[i].request_body == exchanges[2].request_body);
        CHECK(status_counts(after[i].answer_body) ==
              std::map<std::string, int>{{"duplicate", static_cast<int>(in_flight.item_ids.size())}});
    }
    CHECK(resends == 1);
    check_exactly_once(kiosk, *server);
}

TEST_CASE("e2e kill -9 of the server while it commits a 5 000-item batch, restarted on the same store: exactly once") {
    const auto dir = fresh_dir("kill-server");
    const std::string db = (fs::path(dir) / "server.db").string();
    auto server = start_server(db, dir);
    auto proxy = std::make_unique<FaultProxy>(server->port());
    proxy->record_exchanges(true);
    Kiosk kiosk(dir, http_url(proxy->port()), server->enrol_code("test-venue"));
    kiosk.add(5000);

    // When the batch has been handed over, wait until the server's write-ahead log grows
    // (its transaction is writing), then kill it. If the log never grows the kill comes
    // anyway; either way the outcome below must hold, only the moment differs.
    const pid_t victim = server->pid();
    const fs::path wal = db + "-wal";
    proxy->on_forward([&](const std::string& path, int count) {
        if (path != "/v1/batches" || count != 1) return;
        const long long before = size_of(wal);
        for (int i = 0; i < 2000 && size_of(wal) <= before; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(1));
        ::kill(victim, SIGKILL);
    });
    const auto interrupted = kiosk.pass(5000);
    INFO("interrupted pass: " << interrupted.message);
    CHECK(interrupted.outcome == PassOutcome::Retry);
    CHECK(kiosk.counts().sent == 0);
    CHECK(kiosk.counts().pending == 5000);
    REQUIRE(kiosk.frozen().size() == 1);
    const std::string frozen_body = kiosk.frozen()[0].body;
    server->kill9();  // reaps it
    proxy.reset();

    // All or nothing: the dead server's store holds the whole batch or none of it.
    auto restarted = start_server(db, dir);
    const auto after_crash = server_ids(*restarted, dir).size();
    CHECK((after_crash == 0 || after_crash == 5000));
    INFO("items the killed server had committed: " << after_crash);

    proxy = std::make_unique<FaultProxy>(restarted->port());
    proxy->record_exchanges(true);
    kiosk.connect(http_url(proxy->port()));
    const auto last = kiosk.sync_until_done(5000);
    CHECK_MESSAGE(last.outcome == PassOutcome::Done, last.message);
    const auto exchanges = proxy->exchanges("/v1/batches");
    REQUIRE(exchanges.size() == 1);
    CHECK(exchanges[0].request_body == frozen_body);  // the same batch, byte-identical
    CHECK(status_counts(exchanges[0].answer_body) ==
          std::map<std::string, int>{{after_crash == 0 ? "created" : "duplicate", 5000}});
    check_exactly_once(kiosk, *restarted);

    // A clean stop, then the server's SQLite file passes its own integrity check.
    CHECK(restarted->stop() == 0);
    CHECK(sqlite_integrity(db) == "ok");
}
