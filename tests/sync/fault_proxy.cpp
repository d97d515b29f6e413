// FaultProxy: one thread accepts, one thread per client connection. Each request is
// read whole (headers + Content-Length body), an action is chosen, and for Pass a
// fresh upstream connection carries exactly that request and its answer.
#include "fault_proxy.h"

#include <arpa/inet.h>
#include <netinet/in.h>
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

std::optional<std::string> read_message(int fd) {
    // Headers up to the blank line, then exactly Content-Length bytes.
    std::string data;
    char buffer[65536];
    std::size_t header_end = std::string::npos;
    while ((header_end = data.find("\r\n\r\n")) == std::string::npos) {
        const ssize_t n = ::recv(fd, buffer, sizeof buffer, 0);
        if (n <= 0) return std::nullopt;
        data.append(buffer, static_cast<std::size_t>(n));
    }
    std::size_t length = 0;
    std::string lower = data.substr(0, header_end);
    std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
    const auto at = lower.find("\r\ncontent-length:");
    if (at != std::string::npos) length = std::stoul(lower.substr(at + 17));
    const std::size_t total = header_end + 4 + length;
    while (data.size() < total) {
        const ssize_t n = ::recv(fd, buffer, sizeof buffer, 0);
        if (n <= 0) return std::nullopt;
        data.append(buffer, static_cast<std::size_t>(n));
    }
    return data;
}

bool send_all(int fd, const std::string& data) {
    std::size_t sent = 0;
    while (sent < data.size()) {
        const ssize_t n = ::send(fd, data.data() + sent, data.size() - sent, MSG_NOSIGNAL);
        if (n <= 0) return false;
        sent += static_cast<std::size_t>(n);
    }
    return true;
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

std::optional<std::string> forward(int upstream_port, const std::string& request,
                                   const std::function<void()>& sent) {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) return std::nullopt;
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<uint16_t>(upstream_port));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || !send_all(fd, request)) {
        ::close(fd);
        return std::nullopt;
    }
    sent();
    auto answer = read_message(fd);
    ::close(fd);
    return answer;
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
        case 200: return "OK";
        case 401: return "Unauthorized";
        case 413: return "Payload Too Large";
        case 429: return "Too Many Requests";
        case 500: return "Internal Server Error";
        case 503: return "Service Unavailable";
        default: return "Status";
    }
}

}  // namespace

FaultProxy::FaultProxy(int upstream_port) : upstream_port_(upstream_port) {
    listen_fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    if (listen_fd_ < 0) throw std::runtime_error("fault proxy: socket failed");
    const int on = 1;
    ::setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = 0;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t size = sizeof addr;
    if (::bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || ::listen(listen_fd_, 64) != 0 ||
        ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &size) != 0) {
        ::close(listen_fd_);
        throw std::runtime_error("fault proxy: cannot listen on 127.0.0.1");
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
    for (auto& worker : workers_) worker.join();
}

void FaultProxy::push(FaultAction action) {
    std::lock_guard lock(mutex_);
    actions_.push_back(std::move(action));
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
        client_fds_.push_back(client);
        workers_.emplace_back([this, client] { serve(client); });
    }
}

void FaultProxy::serve(int client) {
    // Forget the fd before it is closed, so the destructor never shuts down a reused number.
    auto forget = [&] {
        std::lock_guard lock(mutex_);
        client_fds_.erase(std::remove(client_fds_.begin(), client_fds_.end(), client), client_fds_.end());
    };
    while (!stopping_) {
        const auto request = read_message(client);
        if (!request) break;
        bytes_from_clients_ += static_cast<long long>(request->size());
        const std::string path = path_of(*request);
        const FaultAction action = next_action(path);
        Exchange exchange;
        exchange.request_body = body_of(*request);
        if (action.kind == FaultAction::Kind::DropBeforeForward) {
            record(path, std::move(exchange));
            forget();
            reset(client);
            return;
        }
        const bool close_after = close_after_answer_;
        if (action.kind == FaultAction::Kind::Respond) {
            std::string answer = "HTTP/1.1 " + std::to_string(action.status) + " " + reason_phrase(action.status) + "\r\n";
            for (const auto& [name, value] : action.headers) answer += name + ": " + value + "\r\n";
            if (close_after) answer += "Connection: close\r\n";
            answer += "Content-Length: " + std::to_string(action.body.size()) + "\r\n\r\n" + action.body;
            bytes_to_clients_ += static_cast<long long>(answer.size());
            exchange.status = action.status;
            exchange.answer_body = action.body;
            const bool delivered = deliver(client, path, std::move(exchange), answer);
            if (!delivered || close_after) break;
            continue;
        }
        auto answer = forward(upstream_port_, *request, [&] {
            std::function<void(const std::string&, int)> hook;
            int count = 0;
            {
                std::lock_guard lock(mutex_);
                count = ++forwarded_[path];
                hook = on_forward_;
            }
            if (hook) hook(path, count);
        });
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
        if (close_after) *answer = with_connection_close(*answer);
        bytes_to_clients_ += static_cast<long long>(answer->size());
        const bool delivered = deliver(client, path, std::move(exchange), *answer);
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

void FaultProxy::record_exchanges(bool on) { recording_ = on; }

std::vector<Exchange> FaultProxy::exchanges(const std::string& path) const {
    std::lock_guard lock(mutex_);
    const auto it = exchanges_.find(path);
    return it == exchanges_.end() ? std::vector<Exchange>{} : it->second;
}

}  // namespace tillit::test
