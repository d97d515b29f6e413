// A fault-injecting HTTP proxy on 127.0.0.1 for the sync tests: it sits between the
// kiosk's sync client and the real tillit-server and, request by request, passes the
// request on, answers by itself (500, 503 + Retry-After, 429, 413, a captive portal's
// 200 page, a redirect), forwards it and then resets the client's connection without
// the answer (the server committed; the kiosk never heard), never answers, holds it,
// throttles both directions, cuts the answer short, or hands it to the server twice.
// It can record every exchange so a test can check what really travelled. Plain
// HTTP/1.1 with Content-Length bodies only (what libcurl and cpp-httplib send); no TLS.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace tillit::test {

struct FaultAction {
    enum class Kind {
        Pass,               // forward, return the server's answer
        ResetAfterForward,  // forward, wait for the server's answer, then reset the client
        DropBeforeForward,  // reset the client without contacting the server
        Respond,            // answer by itself with status/headers/body (a 3xx + Location: a redirect)
        NoAnswer,           // read the request, never forward or answer; hold the connection
                            // until the client gives up (its timeout) or the proxy stops
        Delay,              // hold the request delay_ms, then forward it and return the answer;
                            // it is forwarded even if the client gave up meanwhile
        Throttle,           // read the request and write the answer at bytes_per_second
        Truncate,           // forward; send only the answer's first truncate_after bytes, then close
        Duplicate,          // hand the request to the server twice at once (two connections),
                            // return the first answer
    };
    Kind kind = Kind::Pass;
    int status = 200;
    std::vector<std::pair<std::string, std::string>> headers;
    std::string body;
    std::string path_prefix;         // applies only to requests whose path starts with this ("" = any)
    int delay_ms = 0;                // Delay
    long bytes_per_second = 0;       // Throttle
    std::size_t truncate_after = 0;  // Truncate: bytes of the answer (status line and headers count)
};

const char* to_string(FaultAction::Kind kind);

// One request as the proxy saw it, and the answer it got or made up.
struct Exchange {
    std::string request_body;  // the bytes after the request's headers, exactly as sent
    int status = 0;            // of the answer; 0 when there was none (dropped, server gone)
    std::string answer_body;   // the server's (or the synthesized) answer body
    bool delivered = false;    // false: the client never got this answer (reset, or it was gone)
};

class FaultProxy {
public:
    // Forwards to upstream_port on 127.0.0.1; listens on listen_port (0: a free one). A
    // restarted proxy process passes its old port, so kiosks find it again.
    explicit FaultProxy(int upstream_port, int listen_port = 0);
    ~FaultProxy();
    FaultProxy(const FaultProxy&) = delete;
    FaultProxy& operator=(const FaultProxy&) = delete;

    int port() const { return port_; }
    // Actions are used in order by matching requests; when none is queued, the chooser's
    // (if set and it returns one), else Pass.
    void push(FaultAction action);
    // Asked under the proxy's lock for each request no queued action matched: keep it quick.
    using Chooser = std::function<std::optional<FaultAction>(const std::string& path)>;
    void set_chooser(Chooser chooser);
    // Requests seen per path (including faulted ones), and how many reached the server.
    // Called on the proxy's thread right after a request was handed to the server and
    // before its answer is read: a test kills a process exactly while a batch is in flight.
    void on_forward(std::function<void(const std::string& path, int count)> hook);
    int hits(const std::string& path) const;
    int forwarded(const std::string& path) const;
    // Off by default (the benchmark runs 100 000 items through the proxy): when on, every
    // exchange is kept, in the order the requests arrived, per path.
    void record_exchanges(bool on);
    std::vector<Exchange> exchanges(const std::string& path) const;
    // Waits (up to `timeout`) until `count` exchanges on `path` are recorded: a test that
    // kills the client in on_forward must let the proxy finish reading the server's answer.
    bool wait_for_exchanges(const std::string& path, std::size_t count, std::chrono::seconds timeout);
    // When on, every answer carries "Connection: close" and the connection is closed
    // after it, so each request arrives on a new connection. A reset then reaches the
    // client as a failure it must handle itself: libcurl silently resends a request
    // whose reused connection died before any answer byte.
    void close_after_each_answer(bool on) { close_after_answer_ = on; }
    // Bytes of whole HTTP messages (headers + bodies) in each direction so far.
    long long bytes_from_clients() const { return bytes_from_clients_; }
    long long bytes_to_clients() const { return bytes_to_clients_; }

private:
    struct Worker {
        std::thread thread;
        std::shared_ptr<std::atomic<bool>> done;
    };
    void accept_loop();
    void serve(int client);
    FaultAction next_action(const std::string& path);
    // Connects to the server and sends `request`, counting it (and calling on_forward);
    // the connected socket, or -1 when the server cannot be reached.
    int hand_over(const std::string& path, const std::string& request);
    // Sleeps `duration` in short steps; false when the proxy is stopping.
    bool pause(std::chrono::milliseconds duration) const;
    // send_all at `bytes_per_second` (0: at once); false when the send failed or stopping.
    bool send_paced(int fd, const std::string& data, long bytes_per_second) const;

    int upstream_port_;
    int listen_fd_ = -1;
    int port_ = 0;
    // The exchange's index in its path's list; nullopt when not recording.
    std::optional<std::size_t> record(const std::string& path, Exchange exchange);
    // Records the exchange as delivered, then sends `answer`; false if the send failed.
    bool deliver(int client, const std::string& path, Exchange exchange, const std::string& answer);

    std::atomic<bool> stopping_{false};
    std::atomic<bool> close_after_answer_{false};
    std::atomic<bool> recording_{false};
    std::atomic<long long> bytes_from_clients_{0};
    std::atomic<long long> bytes_to_clients_{0};
    mutable std::mutex mutex_;
    std::condition_variable recorded_;
    std::deque<FaultAction> actions_;
    std::map<std::string, int> hits_;
    std::map<std::string, int> forwarded_;
    std::map<std::string, std::vector<Exchange>> exchanges_;
    std::function<void(const std::string&, int)> on_forward_;
    Chooser chooser_;
    std::vector<Worker> workers_;  // finished ones are joined at the next accept
    std::vector<int> client_fds_;
    std::thread acceptor_;
};

}  // namespace tillit::test
