// A child process for the fault tests (tests/faults): fork/exec without a shell, extra
// environment (LD_PRELOAD for libfaketime), stdout read line by line on a thread so a
// test can wait for "listening on ..." or count "saved <id>" lines, stderr appended to a
// log file. Killed with SIGKILL or stopped with SIGTERM; the lines read stay available.
// Not handled: stdin (the children read none).
#pragma once

#include <sys/types.h>

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace tillit::test {

class ChildProcess {
public:
    // Starts argv[0] with argv; `env` is added to (or replaces in) this process's environment.
    ChildProcess(std::vector<std::string> argv, std::vector<std::pair<std::string, std::string>> env,
                 const std::string& stderr_log);
    ~ChildProcess();  // SIGKILL if still running
    ChildProcess(const ChildProcess&) = delete;
    ChildProcess& operator=(const ChildProcess&) = delete;

    pid_t pid() const { return pid_; }
    void kill9();     // SIGKILL, reaped
    int terminate();  // SIGTERM, reaped; the exit code (-signal if killed by one)
    // Waits for the child to end by itself; its exit code, or nullopt after `timeout`.
    std::optional<int> wait_exit(std::chrono::milliseconds timeout);
    std::vector<std::string> lines() const;
    // The first line at index >= from for which `match` holds, waiting up to `timeout`;
    // nullopt if none came (or the child closed stdout first).
    std::optional<std::string> wait_for_line(const std::function<bool(const std::string&)>& match,
                                             std::chrono::milliseconds timeout, std::size_t from = 0,
                                             std::size_t* index = nullptr);
    // Seconds of CPU the child used (user + system), read from /proc while it runs.
    double cpu_seconds() const;

private:
    void reap(int signal);
    pid_t pid_ = -1;
    int status_ = 0;
    bool reaped_ = false;
    int stdout_fd_ = -1;
    mutable std::mutex mutex_;
    std::condition_variable changed_;
    std::vector<std::string> lines_;
    bool closed_ = false;
    std::thread reader_;
};

}  // namespace tillit::test
