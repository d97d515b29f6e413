// A throwaway PostgreSQL 15 cluster for tests: initdb in a temp dir, a server listening
// only on a unix socket in that dir and on 127.0.0.1 at a free port, a fresh database
// per request, and pg_ctl stop + removal of everything at the end. Header-only so the
// server and sync tests can share it. Not handled: reusing a cluster across test
// processes, and cleaning up after a test process that was killed (the dir is in /tmp).
#pragma once

#include <arpa/inet.h>
#include <fcntl.h>
#include <libpq-fe.h>
#include <netinet/in.h>
#include <pwd.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <mutex>
#include <string>
#include <system_error>
#include <vector>

#include "core/result.h"

extern char** environ;

namespace tillit::test {

class PgCluster {
public:
    PgCluster() = default;
    ~PgCluster() { stop(); }
    PgCluster(const PgCluster&) = delete;
    PgCluster& operator=(const PgCluster&) = delete;

    // Starts the cluster on the first call (so a test binary that runs no PostgreSQL
    // test never pays for it); later calls report the first call's outcome. Missing
    // binaries are an Error, never a skip: the test command installs them.
    Status start() {
        std::lock_guard lock(mutex_);
        if (!started_) {
            started_ = true;
            const auto begin = std::chrono::steady_clock::now();
            auto status = start_cluster();
            startup_seconds_ = std::chrono::duration<double>(std::chrono::steady_clock::now() - begin).count();
            if (!status) start_error_ = status.error();
        }
        if (!start_error_.empty()) return make_error(start_error_);
        return Ok{};
    }

    // A new, empty database on the running cluster; its name, for conninfo() and co.
    Result<std::string> create_database() {
        if (auto started = start(); !started) return make_error(started.error());
        std::lock_guard lock(mutex_);
        const std::string name = "tillit_test_" + std::to_string(++databases_);
        std::unique_ptr<PGconn, decltype(&PQfinish)> admin(PQconnectdb(conninfo("postgres").c_str()), &PQfinish);
        if (PQstatus(admin.get()) != CONNECTION_OK) {
            return make_error("test PostgreSQL: cannot connect: " + std::string(PQerrorMessage(admin.get())));
        }
        // CREATE DATABASE takes no bound parameters; the name is our own counter, not input.
        std::unique_ptr<PGresult, decltype(&PQclear)> created(
            PQexec(admin.get(), ("CREATE DATABASE " + name + " ENCODING 'UTF8'").c_str()), &PQclear);
        if (PQresultStatus(created.get()) != PGRES_COMMAND_OK) {
            return make_error("test PostgreSQL: CREATE DATABASE failed: " +
                              std::string(PQresultErrorMessage(created.get())));
        }
        return name;
    }

    // Ways to reach database `dbname`: libpq key=value over the unix socket (the
    // default), key=value over TCP on 127.0.0.1, and a postgresql:// URI over TCP.
    std::string conninfo(const std::string& dbname) const {
        return "host=" + dir_.string() + " port=" + std::to_string(port_) + " user=" + kUser + " dbname=" + dbname;
    }
    std::string tcp_conninfo(const std::string& dbname) const {
        return "host=127.0.0.1 port=" + std::to_string(port_) + " user=" + kUser + " dbname=" + dbname;
    }
    std::string uri(const std::string& dbname) const {
        return std::string("postgresql://") + kUser + "@127.0.0.1:" + std::to_string(port_) + "/" + dbname;
    }

    double startup_seconds() const { return startup_seconds_; }

private:
    static constexpr const char* kUser = "tillit_test";
    static constexpr int kPortAttempts = 5;

    std::filesystem::path bindir() const {
        if (const char* custom = std::getenv("TILLIT_PG_BINDIR")) return custom;
        return "/usr/lib/postgresql/15/bin";
    }

    Status start_cluster() {
        const std::filesystem::path bin = bindir();
        for (const char* tool : {"initdb", "pg_ctl", "postgres"}) {
            if (access((bin / tool).c_str(), X_OK) != 0) {
                return make_error("PostgreSQL 15 is not installed: " + (bin / tool).string() +
                                  " is missing. Run scripts/install-deps.sh (Debian package postgresql-15), "
                                  "or set TILLIT_PG_BINDIR to the directory holding initdb and pg_ctl.");
            }
        }
        // /tmp, not $TMPDIR: a unix socket path must stay under ~100 bytes, and under
        // root the postgres user must be able to reach the dir.
        std::string pattern = "/tmp/tillit-pg-XXXXXX";
        if (mkdtemp(pattern.data()) == nullptr) return make_error("test PostgreSQL: cannot create a temp dir in /tmp");
        dir_ = pattern;
        // initdb and postgres refuse to run as root: under root (CI containers) they run
        // as the postgres user, which must own the dir to create the data dir and socket.
        if (geteuid() == 0) {
            const passwd* postgres = getpwnam("postgres");
            if (postgres == nullptr) {
                return make_error("test PostgreSQL: running as root needs the 'postgres' user "
                                  "(the postgresql package creates it)");
            }
            if (chown(dir_.c_str(), postgres->pw_uid, postgres->pw_gid) != 0) {
                return make_error("test PostgreSQL: cannot hand " + dir_.string() + " to the postgres user");
            }
            run_as_postgres_ = true;
        }
        chmod(dir_.c_str(), 0700);
        const std::filesystem::path data = dir_ / "data";
        if (run({(bin / "initdb").string(), "-D", data.string(), "-U", kUser, "-A", "trust", "-E", "UTF8",
                 "--locale=C", "--no-sync", "--no-instructions"}) != 0) {
            return make_error("test PostgreSQL: initdb failed: " + tail(dir_ / "commands.log"));
        }
        chmod(data.c_str(), 0700);
        {
            std::ofstream conf(data / "postgresql.conf", std::ios::app);
            conf << "\n# tillit tests: a throwaway cluster.\n"
                 << "listen_addresses = '127.0.0.1'\n"
                 << "unix_socket_directories = '" << dir_.string() << "'\n"
                 // Test cluster only: nothing here must survive a power cut, and skipping
                 // the flushes makes CREATE DATABASE per test and every commit fast.
                 << "fsync = off\n"
                 << "full_page_writes = off\n";
            if (!conf) return make_error("test PostgreSQL: cannot write postgresql.conf");
        }
        // A free port is found by binding port 0; another process may take it before
        // the postmaster binds it, so a failed start is retried with a new port.
        for (int attempt = 1; attempt <= kPortAttempts; ++attempt) {
            port_ = free_port();
            if (port_ == 0) return make_error("test PostgreSQL: no free TCP port on 127.0.0.1");
            if (run({(bin / "pg_ctl").string(), "-D", data.string(), "-l", (dir_ / "server.log").string(), "-w",
                     "-t", "60", "-o", "-p " + std::to_string(port_), "start"}) == 0) {
                running_ = true;
                break;
            }
        }
        if (!running_) return make_error("test PostgreSQL: pg_ctl start failed: " + tail(dir_ / "server.log"));
        return Ok{};
    }

    void stop() {
        if (running_) {
            run({(bindir() / "pg_ctl").string(), "-D", (dir_ / "data").string(), "-m", "fast", "-w", "stop"});
            running_ = false;
        }
        if (!dir_.empty()) {
            std::error_code ignored;
            std::filesystem::remove_all(dir_, ignored);
            dir_.clear();
        }
    }

    // Runs a program (no shell, so no quoting) with stdout and stderr appended to
    // commands.log in the cluster dir; returns its exit code, or -1.
    int run(std::vector<std::string> argv) const {
        if (run_as_postgres_) argv.insert(argv.begin(), {"runuser", "-u", "postgres", "--"});
        std::vector<char*> args;
        for (std::string& arg : argv) args.push_back(arg.data());
        args.push_back(nullptr);
        posix_spawn_file_actions_t actions;
        posix_spawn_file_actions_init(&actions);
        posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
        const std::string log = (dir_ / "commands.log").string();
        posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
        posix_spawn_file_actions_adddup2(&actions, STDOUT_FILENO, STDERR_FILENO);
        pid_t pid = 0;
        const int spawned = posix_spawnp(&pid, args[0], &actions, nullptr, args.data(), environ);
        posix_spawn_file_actions_destroy(&actions);
        if (spawned != 0) return -1;
        int status = 0;
        while (waitpid(pid, &status, 0) < 0) {
            if (errno != EINTR) return -1;
        }
        return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    }

    static int free_port() {
        const int fd = socket(AF_INET, SOCK_STREAM, 0);
        if (fd < 0) return 0;
        sockaddr_in address{};
        address.sin_family = AF_INET;
        address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        address.sin_port = 0;
        socklen_t length = sizeof address;
        int port = 0;
        if (bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0 &&
            getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) == 0) {
            port = ntohs(address.sin_port);
        }
        close(fd);
        return port;
    }

    // The last lines of a log, for an error message that says why.
    static std::string tail(const std::filesystem::path& file) {
        std::ifstream in(file);
        std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
        constexpr std::size_t kKeep = 800;
        if (text.size() > kKeep) text = "..." + text.substr(text.size() - kKeep);
        return text.empty() ? "(no output in " + file.string() + ")" : text;
    }

    std::mutex mutex_;
    bool started_ = false;
    bool running_ = false;
    bool run_as_postgres_ = false;
    std::string start_error_;
    std::filesystem::path dir_;
    int port_ = 0;
    int databases_ = 0;
    double startup_seconds_ = 0;
};

}  // namespace tillit::test
