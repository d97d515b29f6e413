// Runs the real tillit-server binary for the sync tests and benchmarks: `serve` on
// 127.0.0.1 with a free port (read from its "listening on" line), stopped with SIGTERM
// or killed with SIGKILL; and one-shot admin commands (enrol, export, ...).
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

namespace tillit::test {

struct CommandOutput {
    int exit_code = -1;
    std::string out;
    std::string err;
};

// Runs `binary args...`, returns its exit code and what it printed.
CommandOutput run_command(const std::string& binary, const std::vector<std::string>& args);

class ServerProcess {
public:
    // Starts `binary serve --store STORE --listen 127.0.0.1:PORT extra...` (PORT 0: a free
    // one; a restarted server passes its old one); throws if it does not report listening
    // within 20 s. stderr (its JSON log) goes to log_path.
    ServerProcess(std::string binary, std::string store, std::vector<std::string> extra, std::string log_path,
                  int port = 0);
    ~ServerProcess();
    ServerProcess(const ServerProcess&) = delete;
    ServerProcess& operator=(const ServerProcess&) = delete;

    int port() const { return port_; }
    pid_t pid() const { return pid_; }
    bool running() const;
    // Peak resident memory (VmHWM) in KiB while it runs; -1 when unknown.
    long peak_rss_kib() const;
    int stop();   // SIGTERM, waits; returns the exit status (0 = clean)
    void kill9();  // SIGKILL, waits

    // `binary <command> --store STORE args...` against the same store.
    CommandOutput admin(const std::string& command, const std::vector<std::string>& args = {}) const;
    // Creates a one-time enrol code for `venue` and returns it.
    std::string enrol_code(const std::string& venue) const;

private:
    std::string binary_;
    std::string store_;
    pid_t pid_ = -1;
    int port_ = 0;
    int stdout_fd_ = -1;  // kept open: a closed pipe would kill the server with SIGPIPE
};

}  // namespace tillit::test
