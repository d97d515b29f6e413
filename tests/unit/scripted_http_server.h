// A scripted HTTP/1.1 server on 127.0.0.1 for the sync unit tests: each test decides,
// request by request, what the "server" answers (a proper tillit answer, a 500, a
// captive portal's page, a redirect, a slow answer). Plain HTTP, Content-Length bodies,
// one connection at a time, "Connection: close" after every answer. Why not
// cpp-httplib: Debian's libcpp-httplib-dev is a compiled library built with OpenSSL,
// which unit_tests does not link. Not a general server: tests only.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace tillit::test {

struct HttpRequest {
    std::string method;
    std::string path;
    std::map<std::string, std::string> headers;  // names in lower case
    std::string body;
    std::chrono::steady_clock::time_point received;

    std::string header(const std::string& lower_name) const {
        const auto found = headers.find(lower_name);
        return found == headers.end() ? std::string() : found->second;
    }
};

struct HttpReply {
    int status = 200;
    std::vector<std::pair<std::string, std::string>> headers;
    std::string body;
    std::chrono::milliseconds delay{0};  // wait this long before answering
};

class ScriptedHttpServer {
public:
    using Handler = std::function<HttpReply(const HttpRequest&)>;

    explicit ScriptedHttpServer(Handler handler);  // listens on a free port at once
    ~ScriptedHttpServer();
    ScriptedHttpServer(const ScriptedHttpServer&) = delete;
    ScriptedHttpServer& operator=(const ScriptedHttpServer&) = delete;

    int port() const { return port_; }
    std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
    void set_handler(Handler handler);
    std::vector<HttpRequest> requests() const;
    std::vector<HttpRequest> requests_to(const std::string& path) const;

private:
    void serve();
    void handle(int connection);

    int listener_ = -1;
    int port_ = 0;
    std::atomic<bool> stopping_{false};
    mutable std::mutex mutex_;
    Handler handler_;                    // guarded by mutex_
    std::vector<HttpRequest> requests_;  // guarded by mutex_
    std::thread thread_;
};

}  // namespace tillit::test
