// ChildProcess: the argv and environment are built before fork (only async-signal-safe
// calls between fork and exec); a reader thread splits stdout into lines until EOF.
#include "child_process.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>

extern char** environ;

namespace tillit::test {

ChildProcess::ChildProcess(std::vector<std::string> argv, std::vector<std::pair<std::string, std::string>> env,
                           const std::string& stderr_log) {
    std::vector<std::string> environment;
    for (char** e = environ; *e != nullptr; ++e) {
        const std::string entry = *e;
        bool replaced = false;
        for (const auto& [name, value] : env) replaced = replaced || entry.rfind(name + "=", 0) == 0;
        if (!replaced) environment.push_back(entry);
    }
    for (const auto& [name, value] : env) environment.push_back(name + "=" + value);
    std::vector<char*> args, envp;
    for (auto& a : argv) args.push_back(a.data());
    args.push_back(nullptr);
    for (auto& e : environment) envp.push_back(e.data());
    envp.push_back(nullptr);

    int out[2];
    if (::pipe2(out, O_CLOEXEC) != 0) throw std::runtime_error("pipe failed");
    const int log = ::open(stderr_log.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    pid_ = ::fork();
    if (pid_ < 0) throw std::runtime_error("fork failed");
    if (pid_ == 0) {
        ::dup2(out[1], 1);
        if (log >= 0) ::dup2(log, 2);
        ::execve(args[0], args.data(), envp.data());
        ::_exit(127);
    }
    if (log >= 0) ::close(log);
    ::close(out[1]);
    stdout_fd_ = out[0];
    reader_ = std::thread([this] {
        std::string partial;
        char buffer[4096];
        ssize_t n;
        while ((n = ::read(stdout_fd_, buffer, sizeof buffer)) > 0) {
            partial.append(buffer, static_cast<std::size_t>(n));
            std::size_t end;
            std::vector<std::string> complete;
            while ((end = partial.find('\n')) != std::string::npos) {
                complete.push_back(partial.substr(0, end));
                partial.erase(0, end + 1);
            }
            if (!complete.empty()) {
                std::lock_guard lock(mutex_);
                lines_.insert(lines_.end(), complete.begin(), complete.end());
            }
            changed_.notify_all();
        }
        {
            std::lock_guard lock(mutex_);
            closed_ = true;
        }
        changed_.notify_all();
    });
}

ChildProcess::~ChildProcess() {
    if (!reaped_) kill9();
    if (reader_.joinable()) reader_.join();
    if (stdout_fd_ >= 0) ::close(stdout_fd_);
}

void ChildProcess::reap(int signal) {
    if (reaped_) return;
    if (signal != 0) ::kill(pid_, signal);
    ::waitpid(pid_, &status_, 0);
    reaped_ = true;
}

void ChildProcess::kill9() {
    reap(SIGKILL);
}

int ChildProcess::terminate() {
    reap(SIGTERM);
    return WIFEXITED(status_) ? WEXITSTATUS(status_) : -WTERMSIG(status_);
}

std::optional<int> ChildProcess::wait_exit(std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (!reaped_) {
        const pid_t done = ::waitpid(pid_, &status_, WNOHANG);
        if (done == pid_) {
            reaped_ = true;
            break;
        }
        if (std::chrono::steady_clock::now() >= deadline) return std::nullopt;
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return WIFEXITED(status_) ? WEXITSTATUS(status_) : -WTERMSIG(status_);
}

std::vector<std::string> ChildProcess::lines() const {
    std::lock_guard lock(mutex_);
    return lines_;
}

std::optional<std::string> ChildProcess::wait_for_line(const std::function<bool(const std::string&)>& match,
                                                       std::chrono::milliseconds timeout, std::size_t from,
                                                       std::size_t* index) {
    std::unique_lock lock(mutex_);
    std::size_t next = from;
    bool found = false;
    changed_.wait_for(lock, timeout, [&] {
        for (; next < lines_.size(); ++next) {
            if (match(lines_[next])) return found = true;
        }
        return closed_;
    });
    if (!found) return std::nullopt;
    if (index != nullptr) *index = next;
    return lines_[next];
}

double ChildProcess::cpu_seconds() const {
    std::ifstream in("/proc/" + std::to_string(pid_) + "/stat");
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    // Fields after the command (which may hold spaces) start after the last ')'.
    const auto close = text.rfind(')');
    if (close == std::string::npos) return -1;
    std::istringstream fields(text.substr(close + 2));
    std::string field;
    double ticks = 0;
    for (int i = 3; fields >> field; ++i) {
        if (i == 14 || i == 15) ticks += std::stod(field);  // utime, stime
        if (i == 15) break;
    }
    return ticks / static_cast<double>(::sysconf(_SC_CLK_TCK));
}

}  // namespace tillit::test
