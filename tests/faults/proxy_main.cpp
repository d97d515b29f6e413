// fault_proxy: the sync tests' FaultProxy as a process of its own, for the network soak
// (which kills it with SIGKILL and starts it again on the same port). `--mode pass`
// forwards everything; `--mode random` picks a fault for each request from a seeded
// generator and prints it ("fault <kind> <path>") before acting, so the soak can count
// what happened. Not handled: TLS (plain HTTP on 127.0.0.1 only, like FaultProxy).
#include <signal.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <thread>

#include "../sync/fault_proxy.h"

using tillit::test::FaultAction;
using tillit::test::FaultProxy;

namespace {

void say(const std::string& line) {
    const std::string whole = line + "\n";
    if (::write(1, whole.data(), whole.size()) < 0) return;  // the soak may have stopped reading
}

// Weights sum to 100. Faults that a real kiosk must sit out by design are left out:
// 401/403 stop the worker until an admin acts, and a 413 on a one-item batch sets it aside.
FaultAction choose(std::mt19937_64& rng, const std::string& path) {
    using Kind = FaultAction::Kind;
    FaultAction a;
    a.path_prefix = path;
    const int roll = static_cast<int>(rng() % 100);
    auto between = [&](long low, long high) {
        return low + static_cast<long>(rng() % static_cast<unsigned long>(high - low + 1));
    };
    if (roll < 40) {
        a.kind = Kind::Pass;
    } else if (roll < 50) {
        a.kind = Kind::ResetAfterForward;
    } else if (roll < 55) {
        a.kind = Kind::DropBeforeForward;
    } else if (roll < 60) {
        a.kind = Kind::NoAnswer;
    } else if (roll < 68) {
        a.kind = Kind::Delay;
        a.delay_ms = static_cast<int>(between(50, 1500));
    } else if (roll < 74) {
        a.kind = Kind::Throttle;
        a.bytes_per_second = between(2000, 20000);
    } else if (roll < 82) {
        a.kind = Kind::Truncate;
        a.truncate_after = static_cast<std::size_t>(between(0, 300));
    } else if (roll < 90) {
        a.kind = Kind::Duplicate;
    } else {
        a.kind = Kind::Respond;
        switch (roll) {
            case 90:
            case 91:
            case 92:
                a.status = 500;
                a.body = R"({"error":"injected"})";
                break;
            case 93:
            case 94:
                a.status = 503;
                a.headers = {{"Retry-After", "1"}};
                break;
            case 95:
            case 96:
                a.status = 429;
                a.headers = {{"Retry-After", "1"}};
                break;
            case 97:
            case 98:
                a.status = 200;
                a.headers = {{"Content-Type", "text/html"}};
                a.body = "<html>Log in to the guest Wi-Fi</html>";
                break;
            default:
                a.status = 302;
                a.headers = {{"Location", "http://127.0.0.1:9/login"}};
                break;
        }
    }
    return a;
}

}  // namespace

int main(int argc, char** argv) {
    int upstream = 0;
    int listen = 0;
    bool random = false;
    unsigned long long seed = 1;
    for (int i = 1; i + 1 < argc; i += 2) {
        const std::string arg = argv[i];
        const std::string value = argv[i + 1];
        if (arg == "--upstream-port")
            upstream = std::stoi(value);
        else if (arg == "--listen-port")
            listen = std::stoi(value);
        else if (arg == "--mode")
            random = value == "random";
        else if (arg == "--seed")
            seed = std::stoull(value);
    }
    if (upstream <= 0) {
        std::fputs("usage: fault_proxy --upstream-port P [--listen-port L] [--mode pass|random] [--seed N]\n", stderr);
        return 2;
    }
    sigset_t stop;
    sigemptyset(&stop);
    sigaddset(&stop, SIGTERM);
    sigaddset(&stop, SIGINT);
    // Blocked before any thread starts, so only sigwait below takes them.
    pthread_sigmask(SIG_BLOCK, &stop, nullptr);
    FaultProxy proxy(upstream, listen);
    if (random) {
        proxy.set_chooser([rng = std::mt19937_64(seed)](const std::string& path) mutable {
            FaultAction action = choose(rng, path);
            std::string line = "fault " + std::string(tillit::test::to_string(action.kind));
            if (action.kind == FaultAction::Kind::Respond) line += "-" + std::to_string(action.status);
            say(line + " " + path);
            return std::optional<FaultAction>(action);
        });
    }
    say("listening on 127.0.0.1:" + std::to_string(proxy.port()));
    int signal = 0;
    sigwait(&stop, &signal);
    return 0;
}
