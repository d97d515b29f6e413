// fork/exec of tillit-server with pipes; no shell involved.
#include "server_process.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

namespace tillit::test {
namespace {

std::vector<char*> argv_of(const std::string& binary, const std::vector<std::string>& args) {
    std::vector<char*> argv;
    argv.push_back(const_cast<char*>(binary.c_str()));
    for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    return argv;
}

std::string read_all(int fd) {
    std::string data;
    char buffer[4096];
    ssize_t n;
    while ((n = ::read(fd, buffer, sizeof buffer)) > 0) data.append(buffer, static_cast<std::size_t>(n));
    return data;
}

}  // namespace

CommandOutput run_command(const std::string& binary, const std::vector<std::string>& args) {
    int out_pipe[2], err_pipe[2];
    if (::pipe(out_pipe) != 0 || ::pipe(err_pipe) != 0) throw std::runtime_error("pipe failed");
    auto argv = argv_of(binary, args);
    const pid_t pid = ::fork();
    if (pid == 0) {
        ::dup2(out_pipe[1], 1);
        ::dup2(err_pipe[1], 2);
        ::close(out_pipe[0]);
        ::close(err_pipe[0]);
        ::execv(binary.c_str(), argv.data());
        ::_exit(127);
    }
    ::close(out_pipe[1]);
    ::close(err_pipe[1]);
    CommandOutput result;
    // Small outputs: read stdout then stderr; the commands print little to stderr.
    result.out = read_all(out_pipe[0]);
    result.err = read_all(err_pipe[0]);
    ::close(out_pipe[0]);
    ::close(err_pipe[0]);
    int status = 0;
    ::waitpid(pid, &status, 0);
    result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -WTERMSIG(status);
    return result;
}

ServerProcess::ServerProcess(std::string binary, std::string store, std::vector<std::string> extra,
                             std::string log_path, int port)
    : binary_(std::move(binary)), store_(std::move(store)) {
    std::vector<std::string> args = {"serve", "--store", store_, "--listen", "127.0.0.1:" + std::to_string(port)};
    args.insert(args.end(), extra.begin(), extra.end());
    int out_pipe[2];
    if (::pipe(out_pipe) != 0) throw std::runtime_error("pipe failed");
    auto argv = argv_of(binary_, args);
    pid_ = ::fork();
    if (pid_ == 0) {
        ::dup2(out_pipe[1], 1);
        const int log = ::open(log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
        if (log >= 0) ::dup2(log, 2);
        ::close(out_pipe[0]);
        ::execv(binary_.c_str(), argv.data());
        ::_exit(127);
    }
    ::close(out_pipe[1]);
    std::string seen;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (seen.find('\n') == std::string::npos && std::chrono::steady_clock::now() < deadline) {
        pollfd p{out_pipe[0], POLLIN, 0};
        if (::poll(&p, 1, 200) > 0) {
            char buffer[256];
            const ssize_t n = ::read(out_pipe[0], buffer, sizeof buffer);
            if (n <= 0) break;
            seen.append(buffer, static_cast<std::size_t>(n));
        }
    }
    stdout_fd_ = out_pipe[0];
    const auto colon = seen.rfind(':');
    if (seen.rfind("listening on ", 0) != 0 || colon == std::string::npos) {
        kill9();
        throw std::runtime_error("tillit-server did not start; its log is " + log_path + "; it printed: " + seen);
    }
    port_ = std::stoi(seen.substr(colon + 1));
}

ServerProcess::~ServerProcess() {
    if (running()) stop();
    if (stdout_fd_ >= 0) ::close(stdout_fd_);
}

bool ServerProcess::running() const { return pid_ > 0 && ::kill(pid_, 0) == 0; }

long ServerProcess::peak_rss_kib() const {
    std::ifstream status("/proc/" + std::to_string(pid_) + "/status");
    std::string line;
    while (std::getline(status, line)) {
        if (line.rfind("VmHWM:", 0) == 0) return std::stol(line.substr(6));
    }
    return -1;
}

int ServerProcess::stop() {
    if (pid_ <= 0) return -1;
    ::kill(pid_, SIGTERM);
    int status = 0;
    ::waitpid(pid_, &status, 0);
    pid_ = -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -WTERMSIG(status);
}

void ServerProcess::kill9() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
    pid_ = -1;
}

CommandOutput ServerProcess::admin(const std::string& command, const std::vector<std::string>& args) const {
    std::vector<std::string> all = {command, "--store", store_};
    all.insert(all.end(), args.begin(), args.end());
    return run_command(binary_, all);
}

std::string ServerProcess::enrol_code(const std::string& venue) const {
    const auto result = admin("enrol", {"--venue", venue});
    const auto at = result.out.find("enrol code: ");
    if (result.exit_code != 0 || at == std::string::npos) {
        throw std::runtime_error("tillit-server enrol failed: " + result.err);
    }
    const auto end = result.out.find('\n', at);
    return result.out.substr(at + 12, end - at - 12);
}

}  // namespace tillit::test
