// One sync pass and enrolment, per docs/sync-protocol.md. Items are marked only after
// wire::parse_results accepted an answer that echoes the batch id and answers every
// item; everything else leaves the outbox untouched, so a retry re-sends the same
// stored bytes. Server texts that reach logs ("error" fields) are cut short and
// stripped of control characters; answers never reach a log.
#include "core/sync/sync_client.h"

#include <fcntl.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <algorithm>
#include <ctime>
#include <deque>
#include <exception>
#include <filesystem>
#include <fstream>
#include <future>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <system_error>
#include <utility>

#include "core/privacy.h"
#include "core/survey.h"
#include "core/toml_checks.h"
#include "core/wire.h"

namespace tillit::sync {
namespace fs = std::filesystem;

namespace {

constexpr const char* kEnrolPath = "/v1/enrol";
constexpr const char* kHeartbeatPath = "/v1/heartbeat";
constexpr const char* kConfigPath = "/v1/config";
constexpr const char* kBatchesPath = "/v1/batches";
constexpr std::size_t kMaxServerTextLength = 200;

// A server's {"error": "..."} made safe for a one-line log: no control characters, short.
// Anything that is not our JSON (a proxy's HTML page) is not repeated at all.
std::string server_reason(const std::string& body) {
    const nlohmann::json doc = nlohmann::json::parse(body, nullptr, false);
    if (!doc.is_object() || !doc.contains("error") || !doc["error"].is_string()) return {};
    std::string text = doc["error"].get<std::string>();
    for (char& c : text) {
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = ' ';
    }
    if (text.size() > kMaxServerTextLength) text = utf8_truncate(text, kMaxServerTextLength) + "...";
    return text;
}

std::string with_reason(std::string what, const std::string& body) {
    const std::string reason = server_reason(body);
    return reason.empty() ? what : what + ": " + reason;
}

std::string http_status(long status) {
    return "HTTP " + std::to_string(status);
}

// Writes `text` to `path` and flushes it to the disk before returning, so a rename
// that follows never publishes an empty file after a power cut.
Status write_file_synced(const fs::path& path, const std::string& text) {
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) return make_error("cannot write " + path.string());
    std::size_t written = 0;
    while (written < text.size()) {
        const ssize_t n = ::write(fd, text.data() + written, text.size() - written);
        if (n <= 0) {
            ::close(fd);
            return make_error("cannot write " + path.string());
        }
        written += static_cast<std::size_t>(n);
    }
    const bool synced = ::fsync(fd) == 0;
    if (::close(fd) != 0 || !synced) return make_error("cannot write " + path.string());
    return Ok{};
}

struct RemoveOnExit {
    explicit RemoveOnExit(fs::path folder) : path(std::move(folder)) {}
    fs::path path;
    ~RemoveOnExit() {
        std::error_code ignored;
        fs::remove_all(path, ignored);
    }
    RemoveOnExit(const RemoveOnExit&) = delete;
    RemoveOnExit& operator=(const RemoveOnExit&) = delete;
};

// Validates every survey of a /v1/config answer with the kiosk's own loader and, only if
// all are valid, publishes them (one atomic rename per file) and removes the ones the
// server no longer lists.
Status adopt_surveys(const nlohmann::json& surveys, const SyncContext& context) {
    if (!surveys.is_object()) return make_error("the server's config has no \"surveys\" table");
    const fs::path target = server_surveys_dir(context.data_dir);
    std::error_code ec;
    fs::create_directories(target, ec);
    if (ec) return make_error("cannot create " + target.string() + ": " + ec.message());
    // Staged next to the target, so the renames stay on one file system.
    const RemoveOnExit staging{target / (".staging-" + new_uuid_v4())};
    fs::create_directories(staging.path, ec);
    if (ec) return make_error("cannot create " + staging.path.string() + ": " + ec.message());

    std::set<std::string> ids;
    for (const auto& [id, text] : surveys.items()) {
        // The id names a file: only [a-z0-9_] may reach the file system.
        if (!detail::is_id(id, '_')) return make_error("the server sent a survey with the bad id \"" + id + "\"");
        if (!text.is_string()) return make_error("the server's survey \"" + id + "\" is not TOML text");
        const fs::path staged = staging.path / (id + ".toml");
        if (const Status written = write_file_synced(staged, text.get<std::string>()); !written) return written;
        auto survey = load_survey(staged.string(), context.languages);
        if (!survey) return make_error("the server's survey \"" + id + "\" is not valid: " + survey.error());
        if (survey.value().id != id) {
            return make_error("the server lists a survey as \"" + id + "\" but its id is \"" + survey.value().id +
                              "\"");
        }
        ids.insert(id);
    }
    for (const std::string& id : ids) {
        fs::rename(staging.path / (id + ".toml"), target / (id + ".toml"), ec);
        if (ec) return make_error("cannot publish the server's survey \"" + id + "\": " + ec.message());
    }
    for (const auto& entry : fs::directory_iterator(target, ec)) {
        const fs::path& file = entry.path();
        if (file.extension() == ".toml" && ids.count(file.stem().string()) == 0) fs::remove(file, ec);
    }
    return Ok{};
}

// Venue settings the kiosk understands, with the same ranges as kiosk.toml. Unknown
// keys are ignored (a newer server may know more); a known key out of range refuses
// the whole update, so a typo on the server never half-applies.
Status adopt_settings(const nlohmann::json& settings, const SyncContext& context) {
    if (settings.is_null()) return Ok{};
    if (!settings.is_object()) return make_error("the server's \"settings\" is not a table");
    struct Range {
        const char* key;
        int min;
        int max;
    };
    constexpr Range kKnown[] = {{"idle_timeout_seconds", 10, 600},
                                {"idle_countdown_seconds", 20, 120},
                                {"thanks_seconds", 3, 60}};
    nlohmann::json adopted = nlohmann::json::object();
    for (const Range& range : kKnown) {
        if (!settings.contains(range.key)) continue;
        const auto& value = settings[range.key];
        if (!value.is_number_integer() || value.get<long long>() < range.min || value.get<long long>() > range.max) {
            return make_error(std::string("the server's setting ") + range.key + " must be a whole number from " +
                              std::to_string(range.min) + " to " + std::to_string(range.max));
        }
        adopted[range.key] = value;
    }
    const fs::path target = server_settings_path(context.data_dir);
    const fs::path staged = target.string() + ".staging";
    if (const Status written = write_file_synced(staged, adopted.dump()); !written) return written;
    std::error_code ec;
    fs::rename(staged, target, ec);
    if (ec) return make_error("cannot publish the server's settings: " + ec.message());
    return Ok{};
}

// The venue's message (or its absence) replaces the previous one; a malformed one is
// refused like a bad setting, so the admin sees why.
Status adopt_feedback(const nlohmann::json& feedback, const SyncContext& context) {
    const fs::path target = server_feedback_path(context.data_dir);
    std::error_code ec;
    if (feedback.is_null()) {
        fs::remove(target, ec);
        if (ec) return make_error("cannot remove the old message: " + ec.message());
        return Ok{};
    }
    auto parsed = parse_feedback(feedback);
    if (!parsed) return make_error(parsed.error());
    const fs::path staged = target.string() + ".staging";
    if (const Status written = write_file_synced(staged, feedback.dump()); !written) return written;
    fs::rename(staged, target, ec);
    if (ec) return make_error("cannot publish the server's message: " + ec.message());
    return Ok{};
}

// The protocol's JSON bodies travel gzipped.
std::string gzipped_json(const nlohmann::json& body) {
    return wire::gzip(wire::canonical(body));
}

}  // namespace

std::string server_settings_path(const std::string& data_dir) {
    return (fs::path(data_dir) / "server-settings.json").string();
}

std::string server_feedback_path(const std::string& data_dir) {
    return (fs::path(data_dir) / "server-feedback.json").string();
}

Result<Feedback> parse_feedback(const nlohmann::json& feedback) {
    if (!feedback.is_object()) return make_error("the server's \"feedback\" is not an object");
    Feedback out;
    if (!feedback.contains("message") || !feedback["message"].is_string()) {
        return make_error("the server's message has no text");
    }
    out.message = feedback["message"].get<std::string>();
    std::size_t chars = 0;
    for (unsigned char c : out.message) chars += (c & 0xC0) != 0x80 ? 1 : 0;
    if (chars == 0 || chars > 280) return make_error("the server's message must have 1 to 280 characters");
    if (feedback.contains("written") && feedback["written"].is_string()) out.written = feedback["written"].get<std::string>();
    const nlohmann::json summary = feedback.value("summary", nlohmann::json::object());
    if (summary.is_object()) {
        if (summary.contains("responses") && summary["responses"].is_number_integer()) {
            out.responses = summary["responses"].get<long long>();
        }
        const nlohmann::json trust = summary.value("trust", nlohmann::json::object());
        if (trust.is_object() && !trust.value("too_few", false) && trust.contains("cells") && trust["cells"].is_array()) {
            for (const auto& cell : trust["cells"]) {
                if (!cell.is_object() || !cell.contains("key") || !cell["key"].is_string()) continue;
                std::optional<long long> n;
                if (!cell.value("suppressed", false) && cell.contains("n") && cell["n"].is_number_integer()) {
                    n = cell["n"].get<long long>();
                }
                out.trust.emplace_back(cell["key"].get<std::string>(), n);
            }
        }
    }
    return out;
}

std::optional<Feedback> read_server_feedback(const std::string& data_dir) {
    std::ifstream in(server_feedback_path(data_dir));
    if (!in) return std::nullopt;
    std::stringstream text;
    text << in.rdbuf();
    const nlohmann::json doc = nlohmann::json::parse(text.str(), nullptr, false);
    auto parsed = parse_feedback(doc);
    if (!parsed) return std::nullopt;
    return std::move(parsed).value();
}

long long free_disk_bytes(const std::string& folder) {
    struct statvfs info {};
    if (::statvfs(folder.c_str(), &info) != 0) return -1;
    return static_cast<long long>(info.f_bavail) * static_cast<long long>(info.f_frsize);
}

std::string server_surveys_dir(const std::string& data_dir) {
    return (fs::path(data_dir) / "server-surveys").string();
}

std::string utc_now_iso() {
    const std::time_t now = std::time(nullptr);
    std::tm utc{};
    gmtime_r(&now, &utc);
    char text[32];
    std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &utc);
    return text;
}

// How one request went, sorted the way the protocol's table sorts answers.
struct SyncClient::Call {
    enum class Kind { Success, Retry, Stop, TooLarge, Refused };
    Kind kind = Kind::Retry;
    HttpResponse response;
    std::string message;
};

SyncClient::SyncClient(Store& store, HttpClient& http, DeviceIdentity identity, SyncContext context)
    : store_(store), http_(http), identity_(std::move(identity)), context_(std::move(context)) {}

SyncClient::Call SyncClient::signed_post(const std::string& path, const std::string& gzipped_body) {
    Call call;
    const HttpHeaders headers = {
        {wire::kDeviceHeader, identity_.device_id},
        {wire::kSignatureHeader,
         wire::sign(wire::DeviceKeys{identity_.public_key, identity_.secret_key}, path, gzipped_body)}};
    auto answer = http_.post(path, gzipped_body, headers);
    if (!answer) {
        call.message = answer.error();
        return call;
    }
    call.response = std::move(answer).value();
    const long status = call.response.status;
    if (status >= 200 && status < 300) {
        call.kind = Call::Kind::Success;
    } else if (status == 401 || status == 403) {
        call.kind = Call::Kind::Stop;
        call.message = with_reason("the server refuses this kiosk (" + http_status(status) + ")", call.response.body);
    } else if (status == 429 || status == 503) {
        call.message = with_reason("the server is busy (" + http_status(status) + ")", call.response.body);
    } else if (status == 413) {
        call.kind = Call::Kind::TooLarge;
        call.message = "the server finds the request too large (" + http_status(status) + ")";
    } else if (status >= 300 && status < 400) {
        // Redirects are never followed; a captive portal or a moved server answers so.
        call.message = "the server answered with a redirect (" + http_status(status) +
                       "); a network login page, or a wrong server_url?";
    } else if (status >= 400 && status < 500) {
        call.kind = Call::Kind::Refused;
        call.message = with_reason("the server refused the request (" + http_status(status) + ")", call.response.body);
    } else {
        call.message = with_reason("the server had a problem (" + http_status(status) + ")", call.response.body);
    }
    return call;
}

std::string SyncClient::heartbeat_body() {
    nlohmann::json body = {{"app_version", TILLIT_VERSION},
                           {"survey_versions", context_.survey_versions},
                           {"free_disk_bytes", free_disk_bytes(context_.data_dir)},
                           {"clock", utc_now_iso()}};
    const auto counts = store_.outbox_counts();
    body["pending"] = counts ? counts.value().pending : -1;
    body["set_aside"] = counts ? counts.value().set_aside : -1;
    const auto meta = store_.sync_meta();
    if (meta && !meta.value().last_success.empty()) {
        body["last_success"] = meta.value().last_success;
    } else {
        body["last_success"] = nullptr;
    }
    const auto now = std::chrono::steady_clock::now();
    if (!health_checked_ || health_ != "ok" || now - *health_checked_ >= std::chrono::hours(1)) {
        const auto health = store_.storage_health();
        health_ = health ? health.value() : health.error();
        health_checked_ = now;
    }
    body["storage_health"] = health_;
    return gzipped_json(body);
}

PassResult SyncClient::heartbeat(std::string& config_version) {
    Call call = signed_post(kHeartbeatPath, heartbeat_body());
    switch (call.kind) {
        case Call::Kind::Success:
            break;
        case Call::Kind::Stop:
            return {PassOutcome::Stopped, call.message, std::nullopt};
        case Call::Kind::Retry:
            return {PassOutcome::Retry, call.message, call.response.retry_after};
        case Call::Kind::TooLarge:
        case Call::Kind::Refused:
            // A server bug in the heartbeat must not keep the answers from being sent.
            return {PassOutcome::Done, "heartbeat: " + call.message, std::nullopt};
    }
    const nlohmann::json doc = nlohmann::json::parse(call.response.body, nullptr, false);
    if (!doc.is_object() || !doc.contains("config_version") || !doc["config_version"].is_string()) {
        return {PassOutcome::Retry, "the heartbeat's answer is not from a tillit server (a network login page?)",
                std::nullopt};
    }
    config_version = doc["config_version"].get<std::string>();
    if (context_.clock && doc.contains("server_time") && doc["server_time"].is_string()) {
        if (const auto server = parse_utc_iso(doc["server_time"].get<std::string>())) {
            context_.clock->observe_server_time(*server, std::chrono::steady_clock::now());
            // Said on every pass while it lasts, so the admin sees why answers carry another time.
            const auto offset = context_.clock->wall_offset();
            if (offset && (*offset > kClockTolerance || *offset < -kClockTolerance)) {
                const long long apart = offset->count() < 0 ? -offset->count() : offset->count();
                return {PassOutcome::Done,
                        "the kiosk's clock is " + std::to_string(apart) + " s " +
                            (offset->count() < 0 ? "behind" : "ahead of") +
                            " the server's; answers are stamped with the server's time",
                        std::nullopt};
            }
        }
    }
    return {};
}

PassResult SyncClient::update_config(const std::string& config_version) {
    Call call = signed_post(kConfigPath, gzipped_json(nlohmann::json::object()));
    switch (call.kind) {
        case Call::Kind::Success:
            break;
        case Call::Kind::Stop:
            return {PassOutcome::Stopped, call.message, std::nullopt};
        case Call::Kind::Retry:
            return {PassOutcome::Retry, call.message, call.response.retry_after};
        case Call::Kind::TooLarge:
        case Call::Kind::Refused:
            return {PassOutcome::Done, "survey update: " + call.message, std::nullopt};
    }
    const nlohmann::json doc = nlohmann::json::parse(call.response.body, nullptr, false);
    if (!doc.is_object() || !doc.contains("config_version") || !doc["config_version"].is_string()) {
        return {PassOutcome::Retry, "the survey update is not from a tillit server (a network login page?)",
                std::nullopt};
    }
    // Not remembered when invalid: the next pass fetches again, and the admin keeps seeing why.
    const Status adopted = adopt_surveys(doc.value("surveys", nlohmann::json()), context_);
    if (!adopted) return {PassOutcome::Done, "survey update refused: " + adopted.error(), std::nullopt};
    const Status settings = adopt_settings(doc.value("settings", nlohmann::json()), context_);
    if (!settings) return {PassOutcome::Done, "settings update refused: " + settings.error(), std::nullopt};
    const Status feedback = adopt_feedback(doc.value("feedback", nlohmann::json()), context_);
    if (!feedback) return {PassOutcome::Done, "message update refused: " + feedback.error(), std::nullopt};
    // The heartbeat's version, not the body's: the two differ only if the config changed
    // in between, and then the next heartbeat brings the newer one.
    const std::string adopted_version =
        config_version.empty() ? doc["config_version"].get<std::string>() : config_version;
    if (const Status saved = store_.set_config_version(adopted_version); !saved) {
        return {PassOutcome::Retry, saved.error(), std::nullopt};
    }
    config_adopted_ = true;
    return {};
}

PassResult SyncClient::run_pass(const ProgressFn& progress, const std::atomic<bool>* stop) {
    auto stopped = [stop] { return stop != nullptr && stop->load(); };
    const PassResult stopping{PassOutcome::Retry, "sync was stopped", std::nullopt};
    std::string warning;

    // 1. Heartbeat, and the survey definitions when they changed.
    std::string config_version;
    PassResult beat = heartbeat(config_version);
    if (beat.outcome != PassOutcome::Done) return beat;
    warning = beat.message;
    if (!config_version.empty()) {
        const auto meta = store_.sync_meta();
        if (!meta) return {PassOutcome::Retry, meta.error(), std::nullopt};
        if (meta.value().config_version != config_version) {
            if (stopped()) return stopping;
            PassResult config = update_config(config_version);
            if (config.outcome != PassOutcome::Done) return config;
            if (!config.message.empty()) warning = config.message;
        }
    }

    // 2. Send what an earlier pass froze, then freeze and send what is pending, one batch
    //    at a time. Frozen batches are what gets sent, now and on retries. The next batch
    //    is frozen on another thread while the server stores the current one (the store
    //    is never used by both threads at once: the freeze is waited for right after the
    //    request). An early return waits for it too (std::async's future), and a batch
    //    frozen then is simply sent by the next pass.
    auto batches = store_.frozen_batches();
    if (!batches) return {PassOutcome::Retry, batches.error(), std::nullopt};
    std::deque<FrozenBatch> queue(batches.value().begin(), batches.value().end());
    auto freezable = store_.freezable_count();
    if (!freezable) return {PassOutcome::Retry, freezable.error(), std::nullopt};
    // Only what is pending now: items answered during the pass wait for the next one.
    long long to_freeze = freezable.value();
    Progress counted;
    for (const FrozenBatch& batch : queue) counted.total += static_cast<long long>(batch.item_ids.size());
    counted.total += to_freeze;
    if (progress) progress(counted);

    std::future<Result<std::optional<FrozenBatch>>> next;
    auto start_freezing = [&] {
        if (to_freeze > 0 && !next.valid()) {
            next = std::async(std::launch::async, [this] { return store_.freeze_batch(context_.batch_size); });
        }
    };
    auto take_frozen = [&]() -> Status {
        if (!next.valid()) return Ok{};
        auto frozen = next.get();
        if (!frozen) return make_error(frozen.error());
        if (!frozen.value()) {
            to_freeze = 0;
            return Ok{};
        }
        to_freeze -= static_cast<long long>(frozen.value()->item_ids.size());
        queue.push_back(std::move(*frozen.value()));
        return Ok{};
    };

    // 3. Send each batch, byte-identical to what was frozen.
    for (;;) {
        if (queue.empty()) {
            start_freezing();
            if (const Status taken = take_frozen(); !taken) return {PassOutcome::Retry, taken.error(), std::nullopt};
            if (queue.empty()) break;
        }
        if (stopped()) return stopping;
        const FrozenBatch batch = std::move(queue.front());
        queue.pop_front();
        start_freezing();
        Call call = signed_post(kBatchesPath, batch.body);
        if (const Status taken = take_frozen(); !taken) return {PassOutcome::Retry, taken.error(), std::nullopt};
        const auto items = static_cast<long long>(batch.item_ids.size());
        switch (call.kind) {
            case Call::Kind::Success: {
                auto results = wire::parse_results(call.response.body, batch.batch_id, batch.item_ids);
                // A 2xx that does not echo the batch is a captive portal, not a success.
                if (!results)
                    return {PassOutcome::Retry, "the server's answer was not accepted: " + results.error(),
                            std::nullopt};
                if (const Status applied = store_.apply_results(batch.batch_id, results.value()); !applied) {
                    return {PassOutcome::Retry, applied.error(), std::nullopt};
                }
                break;
            }
            case Call::Kind::Stop:
                return {PassOutcome::Stopped, call.message, std::nullopt};
            case Call::Kind::Retry:
                return {PassOutcome::Retry, call.message, call.response.retry_after};
            case Call::Kind::TooLarge: {
                if (batch.item_ids.size() < 2) {
                    // One item the server will never take: keep it, but out of the way.
                    if (const Status aside = store_.set_batch_aside(batch.batch_id, "too large for the server");
                        !aside) {
                        return {PassOutcome::Retry, aside.error(), std::nullopt};
                    }
                    break;
                }
                auto halves = store_.split_batch(batch.batch_id);
                if (!halves) return {PassOutcome::Retry, halves.error(), std::nullopt};
                for (auto it = halves.value().rbegin(); it != halves.value().rend(); ++it) queue.push_front(*it);
                continue;  // no progress yet: the same items come back in the halves
            }
            case Call::Kind::Refused: {
                // A 4xx that retrying cannot fix (a bug): set the batch aside, never loop on it.
                if (const Status aside = store_.set_batch_aside(batch.batch_id, call.message); !aside) {
                    return {PassOutcome::Retry, aside.error(), std::nullopt};
                }
                if (warning.empty()) warning = call.message;
                break;
            }
        }
        counted.done += items;
        if (progress) progress(counted);
    }

    // The trusted time: a staff board should not show "last success" decades away.
    const std::string now = context_.clock ? format_utc_iso(context_.clock->now()) : utc_now_iso();
    if (const Status saved = store_.set_last_success(now); !saved) {
        return {PassOutcome::Retry, saved.error(), std::nullopt};
    }
    return {PassOutcome::Done, warning, std::nullopt};
}

Result<DeviceIdentity> enrol(Store& store, HttpClient& http, const std::string& server_url, const std::string& code,
                             const TextQuestions& text_questions) {
    if (code.empty() || code.size() > 64) return make_error("the enrolment code is empty or too long");
    const wire::DeviceKeys keys = wire::generate_device_keys();
    const std::string body = gzipped_json(
        {{"code", code}, {"public_key", wire::base64_encode(keys.public_key)}, {"app_version", TILLIT_VERSION}});
    auto answer = http.post(kEnrolPath, body, {});
    if (!answer) return make_error("cannot enrol: " + answer.error());
    const HttpResponse& response = answer.value();
    if (response.status == 401) {
        return make_error(
            with_reason("the server did not accept the enrolment code (used, expired or mistyped)", response.body));
    }
    if (response.status < 200 || response.status >= 300) {
        return make_error(
            with_reason("cannot enrol: the server answered " + http_status(response.status), response.body));
    }
    const nlohmann::json doc = nlohmann::json::parse(response.body, nullptr, false);
    auto text_field = [&doc](const char* key) {
        return doc.is_object() && doc.contains(key) && doc[key].is_string() ? doc[key].get<std::string>()
                                                                            : std::string();
    };
    DeviceIdentity identity;
    identity.device_id = text_field("device_id");
    identity.venue_id = text_field("venue_id");
    identity.public_key = keys.public_key;
    identity.secret_key = keys.secret_key;
    identity.server_url = server_url;
    const auto sealing = wire::base64_decode(text_field("sealing_public_key"));
    // The device id travels in a header: printable ASCII only.
    const bool printable =
        !identity.device_id.empty() && identity.device_id.size() <= 128 &&
        std::all_of(identity.device_id.begin(), identity.device_id.end(), [](char c) { return c > 0x20 && c < 0x7f; });
    if (!printable || !sealing || sealing.value().size() != 32) {
        return make_error("cannot enrol: the server's answer is not a tillit enrolment (wrong server_url?)");
    }
    identity.sealing_public_key = sealing.value();
    if (const Status saved = store.save_enrolment(identity, text_questions); !saved) {
        return make_error("enrolled with the server, but " + saved.error() + "; enrol again with a new code");
    }
    return identity;
}

}  // namespace tillit::sync
