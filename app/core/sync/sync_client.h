// The kiosk's side of docs/sync-protocol.md: enrolment, and one sync pass (heartbeat,
// survey definitions when they changed, freezing pending items into batches, sending
// every frozen batch and recording the server's per-item answers). Each whole-request
// answer is handled exactly as the protocol's table says; the pass then reports whether
// the worker should wait normally, back off and retry, or stop until asked again.
// Not handled here: threads, timing and backoff (sync_worker), the transport (http_client).
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/result.h"
#include "core/store.h"
#include "core/sync/http_client.h"
#include "core/trusted_clock.h"

namespace tillit::sync {

// What a pass needs from the kiosk besides the store and the transport.
struct SyncContext {
    std::string data_dir;                        // free disk is measured here; server surveys go below it
    std::vector<std::string> languages;          // every server survey must have texts in all of them
    std::map<std::string, int> survey_versions;  // what the heartbeat reports
    int batch_size = 500;
    // Told the server's time at every heartbeat (the answer's "server_time"), so the
    // Recorder sharing it stamps answers with a sane time when the kiosk's clock is off.
    // May be null (then the server's time is ignored).
    std::shared_ptr<TrustedClock> clock;
};

// Bytes free for this process in the file system holding `folder`; -1 when unknown.
long long free_disk_bytes(const std::string& folder);

// Survey definitions from the server are written here (one <id>.toml each) once all
// of them are valid.
std::string server_surveys_dir(const std::string& data_dir);
// The venue settings from the server (only known keys, checked), as a JSON object.
std::string server_settings_path(const std::string& data_dir);
// The venue's newest "Ni sa – vi gjorde" message from the server ("feedback" in
// /v1/config, docs/sync-protocol.md), checked; absent when the server has none.
std::string server_feedback_path(const std::string& data_dir);

// What the start screen shows: the message and the venue's trust split as the server
// summarised it (a suppressed class has no count; responses < 0: too few to show).
struct Feedback {
    std::string message;
    std::string written;  // YYYY-MM-DD
    long long responses = -1;
    std::vector<std::pair<std::string, std::optional<long long>>> trust;  // class -> n (nullopt: hidden)
};
// Checks a "feedback" object from the server; an Error says what is wrong with it.
Result<Feedback> parse_feedback(const nlohmann::json& feedback);
// The adopted message, or nullopt when there is none (or the file is unreadable).
std::optional<Feedback> read_server_feedback(const std::string& data_dir);

enum class PassOutcome {
    Done,     // everything frozen was answered; wait for the next interval
    Retry,    // network, 5xx, 429/503, a non-tillit answer: back off, then the same batches again
    Stopped,  // 401/403: the server refuses this kiosk; only an admin's "sync now" tries again
};

struct PassResult {
    PassOutcome outcome = PassOutcome::Done;
    std::string message;                              // Retry/Stopped: why, in plain words; Done: a warning or ""
    std::optional<std::chrono::seconds> retry_after;  // 429/503: wait at least this long
};

struct Progress {
    long long done = 0;   // items of this pass's batches the server has answered
    long long total = 0;  // items in this pass's batches
};
using ProgressFn = std::function<void(const Progress&)>;

// Enrols with the one-time `code`: new Ed25519 keys, POST /v1/enrol, then the identity
// and the server's sealing key are stored and every stored free-text answer is sealed.
// Errors are one plain line (a used code, a server that cannot be reached, ...).
Result<DeviceIdentity> enrol(Store& store, HttpClient& http, const std::string& server_url, const std::string& code,
                             const TextQuestions& text_questions);

class SyncClient {
public:
    SyncClient(Store& store, HttpClient& http, DeviceIdentity identity, SyncContext context);

    // One sync attempt. `stop` (may be null) ends it early between requests, as Retry.
    PassResult run_pass(const ProgressFn& progress = {}, const std::atomic<bool>* stop = nullptr);
    // True once after a pass wrote new survey definitions or venue settings to disk.
    bool take_config_adopted() { return std::exchange(config_adopted_, false); }

private:
    struct Call;
    Call signed_post(const std::string& path, const std::string& gzipped_body);
    PassResult heartbeat(std::string& config_version);
    PassResult update_config(const std::string& config_version);
    std::string heartbeat_body();

    Store& store_;
    HttpClient& http_;
    DeviceIdentity identity_;
    SyncContext context_;
    bool config_adopted_ = false;
    // The heartbeat's storage_health: PRAGMA quick_check reads the whole database (about
    // 0.3 s per 100 000 responses), so an "ok" is reused for an hour rather than paid on
    // every pass; anything else is checked again on the next pass.
    std::string health_;
    std::optional<std::chrono::steady_clock::time_point> health_checked_;
};

// "2026-11-23T14:07:12Z"
std::string utc_now_iso();

}  // namespace tillit::sync
