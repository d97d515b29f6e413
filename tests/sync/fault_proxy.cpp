// FaultProxy: one thread accepts, one thread per client connection. Each request's
// headers are read, an action is chosen from its path, then its Content-Length body; for forwarding actions a fresh
// upstream connection carries exactly that request and its answer.
#include "fault_proxy.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <stdexcept>

namespace tillit::test {
namespace {

using Clock = std::chrono::steady_clock;

// Reads until `buffer` holds the blank line that ends a message's headers; the headers
// are cut off the front of `buffer` and returned, any body bytes already read stay.
std::optional<std::string> read_head(int fd, std::string& buffer) {
    char chunk[65536];
    std::size_t end = std::string::npos;
    while ((end = buffer.find("\r\n\r\n")) == std::string::npos) {
        const ssize_t n = ::recv(fd, chunk, sizeof chunk, 0);
        if (n <= 0) return std::nullopt;
        buffer.append(chunk, static_cast<std::size_t>(n));
    }
    std::string head = buffer.substr(0, end + 4);
    buffer.erase(0, end + 4);
    return head;
}

std::size_t content_length(const std::string& head) {
    std::string lower = head;
    std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
    const auto at = lower.find("\r\ncontent-length:");
    return at == std::string::npos ? 0 : std::stoul(lower.substr(at + 17));
}

// A whole message (headers + Content-Length body) from a socket that carries only it.
std::optional<std::string> read_message(int fd) {
    std::string buffer;
    auto head = read_head(fd, buffer);
    if (!head) return std::nullopt;
    const std::size_t length = content_length(*head);
    char chunk[65536];
    while (buffer.size() < length) {
        const ssize_t n = ::recv(fd, chunk, sizeof chunk, 0);
        if (n <= 0) return std::nullopt;
        buffer.append(chunk, static_cast<std::size_t>(n));
    }
    return *head + buffer.substr(0, length);
}

bool send_all(int fd, const char* data, std::size_t size) {
    std::size_t sent = 0;
    while (sent < size) {
        const ssize_t n = ::send(fd, data + sent, size - sent, MSG_NOSIGNAL);
        if (n <= 0) return false;
        sent += static_cast<std::size_t>(n);
    }
    return true;
}

bool send_all(int fd, const std::string& data) {
    return send_all(fd, data.data(), data.size());
}

// True when the client has closed its side (its timeout fired): an answer sent now would
// reach nobody, though the first send() after the close still succeeds.
bool client_gone(int fd) {
    pollfd p{fd, POLLIN | POLLRDHUP, 0};
    if (::poll(&p, 1, 0) <= 0) return false;
    if ((p.revents & (POLLRDHUP | POLLHUP | POLLERR)) != 0) return true;
    char byte = 0;
    return ::recv(fd, &byte, 1, MSG_PEEK | MSG_DONTWAIT) == 0;
}

void reset(int fd) {
    // SO_LINGER 0: close() sends RST, as a dropped connection looks to the client.
    linger l{1, 0};
    ::setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof l);
    ::close(fd);
}

std::string path_of(const std::string& request) {
    const auto first = request.find(' ');
    const auto second = request.find(' ', first + 1);
    if (first == std::string::npos || second == std::string::npos) return "";
    return request.substr(first + 1, second - first - 1);
}

std::string body_of(const std::string& message) {
    const auto end = message.find("\r\n\r\n");
    return end == std::string::npos ? std::string() : message.substr(end + 4);
}

// "HTTP/1.1 200 OK" -> 200; 0 when the line is not a status line.
int status_of(const std::string& answer) {
    if (answer.rfind("HTTP/", 0) != 0) return 0;
    const auto space = answer.find(' ');
    return space == std::string::npos ? 0 : std::atoi(answer.c_str() + space + 1);
}

// The answer with its own Connection/Keep-Alive headers replaced by "Connection: close".
std::string with_connection_close(const std::string& answer) {
    const auto end = answer.find("\r\n\r\n");
    if (end == std::string::npos) return answer;
    std::string head;
    std::size_t at = 0;
    while (at < end) {
        auto next = answer.find("\r\n", at);
        if (next == std::string::npos || next > end) next = end;
        const std::string line = answer.substr(at, next - at);
        std::string lower = line;
        std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
        if (lower.rfind("connection:", 0) != 0 && lower.rfind("keep-alive:", 0) != 0) head += line + "\r\n";
        at = next + 2;
    }
    return head + "Connection: close\r\n\r\n" + answer.substr(end + 4);
}

const char* reason_phrase(int status) {
    switch (status) {
        case 200:
            return "OK";
        case 301:
            return "Moved Permanently";
        case 302:
            return "Found";
        case 307:
            return "Temporary Redirect";
        case 308:
            return "Permanent Redirect";
        case 401:
            return "Unauthorized";
        case 413:
            return "Payload Too Large";
        case 429:
            return "Too Many Requests";
        case 500:
            return "Internal Server Error";
        case 503:
            return "Service Unavailable";
        default:
            return "Status";
    }
}

}  // namespace

const char* to_string(FaultAction::Kind kind) {
    switch (kind) {
        case FaultAction::Kind::Pass:
            return "pass";
        case FaultAction::Kind::ResetAfterForward:
            return "reset-after-forward";
        case FaultAction::Kind::DropBeforeForward:
            return "reset-before-forward";
        case FaultAction::Kind::Respond:
            return "respond";
        case FaultAction::Kind::NoAnswer:
            return "no-answer";
        case FaultAction::Kind::Delay:
            return "delay";
        case FaultAction::Kind::Throttle:
            return "throttle";
        case FaultAction::Kind::Truncate:
            return "truncate";
        case FaultAction::Kind::Duplicate:
            return "duplicate";
    }
    return "?";
}

FaultProxy::FaultProxy(int upstream_port, int listen_port) : upstream_port_(upstream_port) {
    listen_fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    if (listen_fd_ < 0) throw std::runtime_error("fault proxy: socket failed");
    const int on = 1;
    ::setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<uint16_t>(listen_port));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t size = sizeof addr;
    if (::bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || ::listen(listen_fd_, 64) != 0 ||
        ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &size) != 0) {
        ::close(listen_fd_);
        throw std::runtime_error("fault proxy: cannot listen on 127.0.0.1:" + std::to_string(listen_port));
    }
    port_ = ntohs(addr.sin_port);
    acceptor_ = std::thread([this] { accept_loop(); });
}

FaultProxy::~FaultProxy() {
    stopping_ = true;
    ::shutdown(listen_fd_, SHUT_RDWR);
    ::close(listen_fd_);
    if (acceptor_.joinable()) acceptor_.join();
    {
        std::lock_guard lock(mutex_);
        for (int fd : client_fds_) ::shutdown(fd, SHUT_RDWR);
    }
    for (auto& worker : workers_) worker.thread.join();
}

void FaultProxy::push(FaultAction action) {
    std::lock_guard lock(mutex_);
    actions_.push_back(std::move(action));
}

void FaultProxy::set_chooser(Chooser chooser) {
    std::lock_guard lock(mutex_);
    chooser_ = std::move(chooser);
}

void FaultProxy::on_forward(std::function<void(const std::string& path, int count)> hook) {
    std::lock_guard lock(mutex_);
    on_forward_ = std::move(hook);
}

int FaultProxy::hits(const std::string& path) const {
    std::lock_guard lock(mutex_);
    const auto it = hits_.find(path);
    return it == hits_.end() ? 0 : it->second;
}

int FaultProxy::forwarded(const std::string& path) const {
    std::lock_guard lock(mutex_);
    const auto it = forwarded_.find(path);
    return it == forwarded_.end() ? 0 : it->second;
}

FaultAction FaultProxy::next_action(const std::string& path) {
    std::lock_guard lock(mutex_);
    ++hits_[path];
    for (auto it = actions_.begin(); it != actions_.end(); ++it) {
        if (path.rfind(it->path_prefix, 0) == 0) {
            FaultAction action = *it;
            actions_.erase(it);
            return action;
        }
    }
    if (chooser_) {
        if (auto chosen = chooser_(path)) return *chosen;
    }
    return {};
}

void FaultProxy::accept_loop() {
    while (!stopping_) {
        const int client = ::accept(listen_fd_, nullptr, nullptr);
        if (client < 0) {
            if (stopping_) return;
            continue;
        }
        std::lock_guard lock(mutex_);
        // A soak opens thousands of connections: finished threads are joined here, so
        // their stacks do not pile up until the proxy ends.
        for (auto it = workers_.begin(); it != workers_.end();) {
            if (it->done->load()) {
                it->thread.join();
                it = workers_.erase(it);
            } else {
                ++it;
            }
        }
        client_fds_.push_back(client);
        auto done = std::make_shared<std::atomic<bool>>(false);
        workers_.push_back({std::thread([this, client, done] {
                                serve(client);
                                *done = true;
                            }),
                            done});
    }
}

bool FaultProxy::pause(std::chrono::milliseconds duration) const {
    const auto until = Clock::now() + duration;
    while (Clock::now() < until) {
        if (stopping_) return false;
        std::this_thread::sleep_for(std::min<Clock::duration>(std::chrono::milliseconds(20), until - Clock::now()));
    }
    return !stopping_;
}

bool FaultProxy::send_paced(int fd, const std::string& data, long bytes_per_second) const {
    if (bytes_per_second <= 0) return send_all(fd, data);
    // About 20 sips a second; byte i leaves no earlier than i / rate after the start.
    const std::size_t sip = static_cast<std::size_t>(std::max(1L, bytes_per_second / 20));
    const auto start = Clock::now();
    for (std::size_t at = 0; at < data.size(); at += sip) {
        const auto due = start + std::chrono::microseconds(static_cast<long long>(at) * 1'000'000 / bytes_per_second);
        if (!pause(std::chrono::duration_cast<std::chrono::milliseconds>(
                std::max(Clock::duration{}, due - Clock::now())))) {
            return false;
        }
        if (client_gone(fd) || !send_all(fd, data.data() + at, std::min(sip, data.size() - at))) return false;
    }
    return true;
}

int FaultProxy::hand_over(const std::string& path, const std::string& request) {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) return -1;
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<uint16_t>(upstream_port_));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || !send_all(fd, request)) {
        ::close(fd);
        return -1;
    }
    std::function<void(const std::string&, int)> hook;
    int count = 0;
    {
        std::lock_guard lock(mutex_);
        count = ++forwarded_[path];
        hook = on_forward_;
    }
    if (hook) hook(path, count);
    return fd;
}

void FaultProxy::serve(int client) {
    // Forget the fd before it is closed, so the destructor never shuts down a reused number.
    auto forget = [&] {
        std::lock_guard lock(mutex_);
        client_fds_.erase(std::remove(client_fds_.begin(), client_fds_.end(), client), client_fds_.end());
    };
    auto forward = [&](const std::string& path, const std::string& request) -> std::optional<std::string> {
        const int fd = hand_over(path, request);
        if (fd < 0) return std::nullopt;
        auto answer = read_message(fd);
        ::close(fd);
        return answer;
    };
    std::string buffer;  // bytes read from the client but not yet used
    while (!stopping_) {
        const auto head = read_head(client, buffer);
        if (!head) break;
        const std::string path = path_of(*head);
        const FaultAction action = next_action(path);
        const long rate = action.kind == FaultAction::Kind::Throttle ? action.bytes_per_second : 0;
        const std::size_t length = content_length(*head);
        bool complete = true;
        char chunk[65536];
        while (buffer.size() < length) {
            const ssize_t n = ::recv(client, chunk, sizeof chunk, 0);
            if (n <= 0) {
                complete = false;
                break;
            }
            buffer.append(chunk, static_cast<std::size_t>(n));
        }
        if (!complete) break;
        // A slow uplink: the request reaches the server only after it would have trickled
        // through at `rate` (libcurl has long handed it to the kernel; it waits for the answer).
        if (rate > 0 &&
            !pause(std::chrono::milliseconds(static_cast<long long>(head->size() + length) * 1000 / rate))) {
            break;
        }
        const std::string request = *head + buffer.substr(0, length);
        buffer.erase(0, length);
        bytes_from_clients_ += static_cast<long long>(request.size());
        Exchange exchange;
        exchange.request_body = body_of(request);
        const bool close_after = close_after_answer_;

        switch (action.kind) {
            case FaultAction::Kind::DropBeforeForward:
                record(path, std::move(exchange));
                forget();
                reset(client);
                return;
            case FaultAction::Kind::NoAnswer: {
                // Keep reading (and discarding) until the client closes: its timeout fires.
                record(path, std::move(exchange));
                while (!stopping_) {
                    pollfd p{client, POLLIN, 0};
                    if (::poll(&p, 1, 50) <= 0) continue;
                    if (::recv(client, chunk, sizeof chunk, 0) <= 0) break;
                }
                forget();
                ::close(client);
                return;
            }
            case FaultAction::Kind::Respond: {
                std::string answer =
                    "HTTP/1.1 " + std::to_string(action.status) + " " + reason_phrase(action.status) + "\r\n";
                for (const auto& [name, value] : action.headers) answer += name + ": " + value + "\r\n";
                if (close_after) answer += "Connection: close\r\n";
                answer += "Content-Length: " + std::to_string(action.body.size()) + "\r\n\r\n" + action.body;
                bytes_to_clients_ += static_cast<long long>(answer.size());
                exchange.status = action.status;
                exchange.answer_body = action.body;
                const bool delivered = deliver(client, path, std::move(exchange), answer);
                if (!delivered || close_after) {
                    forget();
                    ::close(client);
                    return;
                }
                continue;
            }
            default:
                break;
        }

        if (action.kind == FaultAction::Kind::Delay &&
            !pause(std::chrono::milliseconds(std::max(0, action.delay_ms)))) {
            break;
        }
        std::optional<std::string> answer;
        if (action.kind == FaultAction::Kind::Duplicate) {
            // Both copies are at the server before either answer is read: two connections
            // racing to store one batch.
            const int first = hand_over(path, request);
            const int second = hand_over(path, request);
            if (first >= 0) answer = read_message(first);
            if (second >= 0) {
                Exchange copy;
                copy.request_body = exchange.request_body;
                if (auto other = read_message(second)) {
                    copy.status = status_of(*other);
                    copy.answer_body = body_of(*other);
                }
                record(path, std::move(copy));  // never delivered: the client gets one answer
                ::close(second);
            }
            if (first >= 0) ::close(first);
        } else {
            answer = forward(path, request);
        }
        if (answer) {
            exchange.status = status_of(*answer);
            exchange.answer_body = body_of(*answer);
        }
        if (!answer || action.kind == FaultAction::Kind::ResetAfterForward) {
            record(path, std::move(exchange));
            forget();
            reset(client);
            return;
        }
        if (action.kind == FaultAction::Kind::Truncate) {
            // The server committed and answered; the client gets the first bytes and a FIN.
            const std::size_t keep = std::min(action.truncate_after, answer->size());
            record(path, std::move(exchange));
            send_all(client, answer->data(), keep);
            bytes_to_clients_ += static_cast<long long>(keep);
            forget();
            ::shutdown(client, SHUT_WR);
            ::close(client);
            return;
        }
        if (client_gone(client)) {
            // Held or slowed past the client's patience: the server answered nobody.
            record(path, std::move(exchange));
            break;
        }
        if (close_after) *answer = with_connection_close(*answer);
        bytes_to_clients_ += static_cast<long long>(answer->size());
        exchange.delivered = true;
        const auto index = record(path, std::move(exchange));
        const bool delivered = send_paced(client, *answer, rate);
        if (!delivered && index) {
            std::lock_guard lock(mutex_);
            exchanges_[path][*index].delivered = false;
        }
        if (!delivered || close_after) break;
    }
    forget();
    ::close(client);
}

std::optional<std::size_t> FaultProxy::record(const std::string& path, Exchange exchange) {
    if (!recording_) return std::nullopt;
    std::size_t index = 0;
    {
        std::lock_guard lock(mutex_);
        auto& list = exchanges_[path];
        index = list.size();
        list.push_back(std::move(exchange));
    }
    recorded_.notify_all();
    return index;
}

bool FaultProxy::deliver(int client, const std::string& path, Exchange exchange, const std::string& answer) {
    // Recorded before it is sent: once the client has acted on an answer, a test that
    // looks finds that exchange. Marked undelivered afterwards if the send failed.
    exchange.delivered = true;
    const auto index = record(path, std::move(exchange));
    const bool sent = send_all(client, answer);
    if (!sent && index) {
        std::lock_guard lock(mutex_);
        exchanges_[path][*index].delivered = false;
    }
    return sent;
}

bool FaultProxy::wait_for_exchanges(const std::string& path, std::size_t count, std::chrono::seconds timeout) {
    std::unique_lock lock(mutex_);
    return recorded_.wait_for(lock, timeout, [&] { return exchanges_[path].size() >= count; });
}

void FaultProxy::record_exchanges(bool on) {
    recording_ = on;
}

std::vector<Exchange> FaultProxy::exchanges(const std::string& path) const {
    std::lock_guard lock(mutex_);
    const auto it = exchanges_.find(path);
    return it == exchanges_.end() ? std::vector<Exchange>{} : it->second;
}

}  // namespace tillit::test
