// The commands behind `tillit-server <command>`. Usage errors are one line on stderr
// and exit 2; a command that fails says why and exits 1. Import feeds each batch of a
// kiosk's offline export file through ingest_batch, the same path as POST /v1/batches. Export opens sealed free
// text with the server's key, so the export file is as sensitive as the store: it is
// written where the admin says (stdout by default) and never logged.
#include "admin_cli.h"

#include <pthread.h>
#include <signal.h>
#include <sodium.h>
#include <termios.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <ostream>
#include <map>
#include <optional>
#include <set>
#include <sstream>
#include <thread>
#include <variant>

#include "batch_ingest.h"
#include "export_reader.h"
#include "core/survey.h"
#include "http_server.h"
#include "qr.h"
#include "report_web.h"
#include "server_store.h"

namespace tillit::server {
namespace {

using Json = nlohmann::json;

constexpr const char* kUsage = R"(usage: tillit-server <command> --store PATH|postgresql://... [options]

The reference server for tillit kiosks (docs/sync-protocol.md). --store is a SQLite
file (created if missing) or a PostgreSQL connection string.

commands:
  serve        [--listen 127.0.0.1:8443] [--tls-cert FILE --tls-key FILE]
               [--max-body-bytes 8388608] [--rate-limit-per-minute 600]
               Answer kiosks until SIGTERM/SIGINT. Prints "listening on HOST:PORT"
               once ready (port 0 picks a free one). Plain HTTP only on loopback.
  enrol        --venue VENUE_ID [--valid-hours 24]
               Print a one-time enrol code (and its QR code) for a new kiosk.
  revoke       DEVICE_ID
               Refuse everything the device sends from now on.
  devices      List devices with their latest heartbeat.
  export       --format csv|json [--out FILE]
               Every stored response, abandonment and workshop record, free
               text unsealed.
  import       FILE
               Store the batches of a kiosk's offline export file (from a USB
               stick) with the same checks and exactly-once answers as a sync:
               importing it again, or syncing the same batches later, adds
               nothing twice. Prints one line per batch and a summary; exit 1
               if any batch was refused (the others are stored anyway).
  put-survey   FILE.toml
               Validate a survey and serve it to kiosks.
  put-setting  KEY JSON
               Set a venue setting served to kiosks, e.g. idle_timeout_seconds 60.
  set-admin-password
               Read the report page's admin password (at least 12 characters)
               from stdin, without echo on a terminal, and store it as an
               argon2id hash. Open sessions of the running server stay valid.

exit codes: 0 done, 1 the command failed, 2 bad usage.
)";

struct CommandLine {
    std::string command;
    std::map<std::string, std::string> options;  // without the leading "--"
    std::vector<std::string> positional;
};

struct CommandSpec {
    const char* name;
    std::set<std::string> options;  // every option takes a value
    std::size_t positional;         // exactly this many
    const char* positional_names;
};

std::vector<CommandSpec> command_specs() {
    return {
        {"serve", {"store", "listen", "tls-cert", "tls-key", "max-body-bytes", "rate-limit-per-minute"}, 0, ""},
        {"enrol", {"store", "venue", "valid-hours"}, 0, ""},
        {"revoke", {"store"}, 1, "DEVICE_ID"},
        {"devices", {"store"}, 0, ""},
        {"export", {"store", "format", "out"}, 0, ""},
        {"import", {"store"}, 1, "FILE"},
        {"put-survey", {"store"}, 1, "FILE.toml"},
        {"put-setting", {"store"}, 2, "KEY JSON"},
        {"set-admin-password", {"store"}, 0, ""},
    };
}

struct UsageError {
    std::string message;
};

// Either the parsed line or a usage error; --help is handled before this.
std::variant<CommandLine, UsageError> parse_command_line(const std::vector<std::string>& args) {
    if (args.empty()) return UsageError{"tillit-server: a command is needed (see --help)"};
    const auto specs = command_specs();
    const auto spec = std::find_if(specs.begin(), specs.end(), [&](const CommandSpec& s) { return args[0] == s.name; });
    if (spec == specs.end()) return UsageError{"tillit-server: unknown command '" + args[0] + "' (see --help)"};
    CommandLine line{.command = args[0], .options = {}, .positional = {}};
    const std::string prefix = "tillit-server " + line.command + ": ";
    for (std::size_t i = 1; i < args.size(); ++i) {
        const std::string& arg = args[i];
        if (!arg.starts_with("--")) {
            line.positional.push_back(arg);
            continue;
        }
        std::string name = arg.substr(2);
        std::optional<std::string> value;
        if (const auto eq = name.find('='); eq != std::string::npos) {
            value = name.substr(eq + 1);
            name.resize(eq);
        }
        if (!spec->options.contains(name)) return UsageError{prefix + "unknown option --" + name + " (see --help)"};
        if (!value) {
            if (i + 1 >= args.size()) return UsageError{prefix + "--" + name + " needs a value"};
            value = args[++i];
        }
        if (line.options.contains(name)) return UsageError{prefix + "--" + name + " given twice"};
        line.options[name] = *value;
    }
    if (!line.options.contains("store")) {
        return UsageError{prefix + "--store PATH or --store postgresql://... is needed"};
    }
    if (line.positional.size() != spec->positional) {
        return UsageError{spec->positional == 0
                              ? prefix + "unexpected argument '" + line.positional.front() + "'"
                              : prefix + "expects " + spec->positional_names};
    }
    return line;
}

std::string option(const CommandLine& line, const std::string& name, const std::string& fallback = "") {
    const auto it = line.options.find(name);
    return it == line.options.end() ? fallback : it->second;
}

// A whole number in [min, max], or nullopt.
std::optional<long long> parse_number(const std::string& text, long long min, long long max) {
    if (text.empty() || text.size() > 18 || text.find_first_not_of("0123456789") != std::string::npos) {
        return std::nullopt;
    }
    const long long value = std::stoll(text);
    if (value < min || value > max) return std::nullopt;
    return value;
}

// Opened only after the command's own arguments are checked, so a typo never creates
// an empty store file. nullptr after reporting why.
std::unique_ptr<ServerStore> open_store(const CommandLine& line, std::ostream& err) {
    auto store = open_server_store(option(line, "store"));
    if (!store) {
        err << "tillit-server " << line.command << ": " << store.error() << '\n';
        return nullptr;
    }
    return std::move(store).value();
}

bool is_identifier(const std::string& text, std::string_view extra) {
    return !text.empty() && text.size() <= 64 && std::all_of(text.begin(), text.end(), [&](char c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || extra.find(c) != std::string_view::npos;
    });
}

// ---------------------------------------------------------------------------- serve

// The signal watcher: SIGTERM/SIGINT are blocked in every thread (httplib's workers
// inherit the mask) and taken here with sigwait, so stopping runs as ordinary code
// instead of inside a signal handler.
int serve(const CommandLine& line, std::ostream& out, std::ostream& err) {
    const auto listen = parse_listen_address(option(line, "listen", "127.0.0.1:8443"));
    if (!listen) {
        err << "tillit-server serve: " << listen.error() << '\n';
        return kExitBadUsage;
    }
    HttpOptions options;
    options.host = listen.value().host;
    options.port = listen.value().port;
    options.tls_cert_path = option(line, "tls-cert");
    options.tls_key_path = option(line, "tls-key");
    if (line.options.contains("max-body-bytes")) {
        const auto bytes = parse_number(option(line, "max-body-bytes"), 1024, 1LL << 30);
        if (!bytes) {
            err << "tillit-server serve: --max-body-bytes must be a number from 1024 to 1073741824\n";
            return kExitBadUsage;
        }
        options.max_body_bytes = static_cast<std::size_t>(*bytes);
    }
    if (line.options.contains("rate-limit-per-minute")) {
        const auto rate = parse_number(option(line, "rate-limit-per-minute"), 1, 1000000);
        if (!rate) {
            err << "tillit-server serve: --rate-limit-per-minute must be a number from 1 to 1000000\n";
            return kExitBadUsage;
        }
        options.rate_limit_per_minute = static_cast<int>(*rate);
    }

    sigset_t stop_signals;
    sigemptyset(&stop_signals);
    sigaddset(&stop_signals, SIGTERM);
    sigaddset(&stop_signals, SIGINT);
    pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
    // A kiosk that hangs up mid-answer must not kill the server (OpenSSL writes with write()).
    signal(SIGPIPE, SIG_IGN);

    const auto store = open_store(line, err);
    if (!store) return kExitFailed;
    auto server = HttpServer::bind(*store, options, err);
    if (!server) {
        err << "tillit-server serve: " << server.error() << '\n';
        return kExitFailed;
    }
    std::atomic<bool> signalled{false};
    std::thread watcher([&] {
        int signal_number = 0;
        sigwait(&stop_signals, &signal_number);
        signalled = true;
        server.value()->stop();
    });
    // Exactly one line on stdout: tests and scripts wait for it and parse the port.
    out << "listening on " << server.value()->address() << std::endl;
    server.value()->log_event({{"event", "listening"}, {"address", server.value()->address()}, {"tls", server.value()->tls()}});
    server.value()->serve();
    // serve() also returns if the accept loop fails; wake the watcher so it can end.
    if (!signalled) pthread_kill(watcher.native_handle(), SIGTERM);
    watcher.join();
    server.value()->log_event({{"event", "stopped"}, {"level", signalled ? "info" : "error"}, {"clean", signalled.load()}});
    return signalled ? kExitOk : kExitFailed;
}

// ----------------------------------------------------------------- device commands

int enrol(const CommandLine& line, std::ostream& out, std::ostream& err) {
    const std::string venue = option(line, "venue");
    if (!is_identifier(venue, "-_")) {
        err << "tillit-server enrol: --venue VENUE_ID is needed (a-z, 0-9, - and _, as in the kiosk's kiosk.toml)\n";
        return kExitBadUsage;
    }
    const auto hours = parse_number(option(line, "valid-hours", "24"), 1, 24 * 30);
    if (!hours) {
        err << "tillit-server enrol: --valid-hours must be a number from 1 to 720\n";
        return kExitBadUsage;
    }
    const auto store = open_store(line, err);
    if (!store) return kExitFailed;
    auto code = store->create_enrol_code(venue, static_cast<int>(*hours));
    if (!code) {
        err << "tillit-server enrol: " << code.error() << '\n';
        return kExitFailed;
    }
    auto qr = terminal_qr(code.value().code);
    out << "enrol code: " << code.value().code << '\n'
        << "venue: " << code.value().venue_id << '\n'
        << "valid until: " << code.value().expires_at << " (single use)\n"
        << "on the kiosk: tillit-kiosk --config kiosk.toml --enrol " << code.value().code << '\n';
    if (qr) {
        out << '\n' << qr.value();
    } else {
        err << "tillit-server enrol: " << qr.error() << " (the code above still works)\n";
    }
    return kExitOk;
}

int revoke(const CommandLine& line, std::ostream& out, std::ostream& err) {
    const auto store = open_store(line, err);
    if (!store) return kExitFailed;
    const std::string& device_id = line.positional[0];
    if (Status done = store->revoke(device_id); !done) {
        err << "tillit-server revoke: " << done.error() << '\n';
        return kExitFailed;
    }
    out << "revoked " << device_id << '\n';
    return kExitOk;
}

std::string heartbeat_field(const Json& heartbeat, const char* key) {
    if (!heartbeat.is_object() || !heartbeat.contains(key)) return "-";
    const Json& value = heartbeat[key];
    return value.is_string() ? value.get<std::string>() : value.dump();
}

int list_devices(const CommandLine& line, std::ostream& out, std::ostream& err) {
    const auto store = open_store(line, err);
    if (!store) return kExitFailed;
    auto devices = store->devices();
    if (!devices) {
        err << "tillit-server devices: " << devices.error() << '\n';
        return kExitFailed;
    }
    std::vector<std::vector<std::string>> rows = {
        {"device", "venue", "enrolled", "revoked", "last seen", "pending", "set aside", "app"}};
    for (const Device& d : devices.value()) {
        const Json heartbeat = Json::parse(d.last_heartbeat_json, nullptr, false);
        rows.push_back({d.device_id, d.venue_id, d.enrolled_at, d.revoked ? "yes" : "no",
                        d.last_seen_at.empty() ? "never" : d.last_seen_at, heartbeat_field(heartbeat, "pending"),
                        heartbeat_field(heartbeat, "set_aside"), heartbeat_field(heartbeat, "app_version")});
    }
    std::vector<std::size_t> widths(rows.front().size(), 0);
    for (const auto& row : rows) {
        for (std::size_t i = 0; i < row.size(); ++i) widths[i] = std::max(widths[i], row[i].size());
    }
    for (const auto& row : rows) {
        std::string text;
        for (std::size_t i = 0; i < row.size(); ++i) {
            text += row[i];
            if (i + 1 < row.size()) text += std::string(widths[i] - row[i].size() + 2, ' ');
        }
        out << text << '\n';
    }
    if (devices.value().empty()) out << "(no devices yet: enrol one with `tillit-server enrol --venue ...`)\n";
    return kExitOk;
}

// --------------------------------------------------------------------------- export

// Free text travels as {"sealed": "<base64>"}; the export shows the text itself.
// A text that does not open stays sealed and is counted, never silently dropped.
void unseal_answers(Json& answers, const wire::SealingKeys& keys, int& failures) {
    if (!answers.is_object()) return;
    for (auto& [question, value] : answers.items()) {
        if (!value.is_object() || value.size() != 1 || !value.contains("sealed") || !value["sealed"].is_string()) {
            continue;
        }
        auto plain = wire::unseal(keys, value["sealed"].get<std::string>());
        if (plain) {
            value = plain.value();
        } else {
            ++failures;
        }
    }
}

// RFC 4180 quoting, plus a leading apostrophe for text a spreadsheet would run as a
// formula (a free-text answer beginning with "=" must stay text).
std::string csv_cell(const std::string& text) {
    std::string cell = text;
    if (!cell.empty() && std::string_view("=+-@\t\r").find(cell.front()) != std::string_view::npos) {
        cell.insert(cell.begin(), '\'');
    }
    if (cell.find_first_of(",\"\r\n") == std::string::npos) return cell;
    std::string quoted = "\"";
    for (char c : cell) {
        if (c == '"') quoted += '"';
        quoted += c;
    }
    return quoted + "\"";
}

std::string csv_value(const Json& row, const char* key) {
    if (!row.contains(key) || row[key].is_null()) return "";
    return csv_cell(row[key].is_string() ? row[key].get<std::string>() : row[key].dump());
}

int export_items(const CommandLine& line, std::ostream& out, std::ostream& err) {
    const std::string format = option(line, "format");
    if (format != "csv" && format != "json") {
        err << "tillit-server export: --format csv or --format json is needed\n";
        return kExitBadUsage;
    }
    const auto store = open_store(line, err);
    if (!store) return kExitFailed;
    auto items = store->items();
    if (!items) {
        err << "tillit-server export: " << items.error() << '\n';
        return kExitFailed;
    }
    auto keys = store->sealing_keys();
    if (!keys) {
        err << "tillit-server export: " << keys.error() << '\n';
        return kExitFailed;
    }
    int unseal_failures = 0;
    Json rows = Json::array();
    for (const StoredItem& item : items.value()) {
        Json row = Json::parse(item.content_json, nullptr, false);
        if (!row.is_object()) {
            err << "tillit-server export: item " << item.id << " has unreadable content; skipped\n";
            continue;
        }
        row["id"] = item.id;
        row["kind"] = wire::to_string(item.kind);
        if (row.contains("answers")) unseal_answers(row["answers"], keys.value(), unseal_failures);
        rows.push_back(std::move(row));
    }

    std::ostringstream text;
    if (format == "json") {
        text << rows.dump(2, ' ', false, Json::error_handler_t::replace) << '\n';
    } else {
        // A workshop record (kind "workshop") has venue_id, time_bucket (a day) and the
        // record as JSON in the last column; responses and abandonments leave it empty.
        const char* columns[] = {"id",       "kind",        "survey_id", "survey_version", "language",
                                 "venue_id", "time_bucket", "answers",   "reached_step",   "total_steps", "workshop"};
        for (std::size_t i = 0; i < std::size(columns); ++i) text << (i ? "," : "") << columns[i];
        text << "\r\n";
        for (const Json& row : rows) {
            for (std::size_t i = 0; i < std::size(columns); ++i) {
                text << (i ? "," : "")
                     << ((std::string_view(columns[i]) == "answers" || std::string_view(columns[i]) == "workshop") &&
                                 row.contains(columns[i])
                             ? csv_cell(row[columns[i]].dump(-1, ' ', false, Json::error_handler_t::replace))
                             : csv_value(row, columns[i]));
            }
            text << "\r\n";
        }
    }

    const std::string path = option(line, "out");
    if (path.empty()) {
        out << text.str() << std::flush;
    } else {
        std::ofstream file(path, std::ios::binary | std::ios::trunc);
        file << text.str();
        file.close();
        if (!file) {
            err << "tillit-server export: could not write " << path << '\n';
            return kExitFailed;
        }
        err << "exported " << rows.size() << " items to " << path << '\n';
    }
    if (unseal_failures > 0) {
        err << "tillit-server export: " << unseal_failures
            << " free-text answers did not open with this server's key and are left sealed\n";
    }
    return kExitOk;
}

// --------------------------------------------------------------------------- import

// Larger than any real export (a batch is at most 8 MiB as sent), small enough that
// a wrong file (a disk image, a video) is refused before it is read into memory.
constexpr std::uintmax_t kMaxImportFileBytes = std::uintmax_t{1} << 30;

// The file's structure, checked whole before anything is stored: a file that is not
// an export file (or one this server cannot read) stores nothing. What is wrong, in
// words, without the path; the bodies themselves are checked batch by batch later.
Result<ExportFile> read_export_file(const std::string& path) {
    std::error_code error;
    const auto status = std::filesystem::status(path, error);
    if (status.type() == std::filesystem::file_type::not_found) return make_error("no such file");
    if (error) return make_error("cannot read it: " + error.message());
    if (!std::filesystem::is_regular_file(status)) return make_error("is not a file");
    const std::uintmax_t size = std::filesystem::file_size(path, error);
    if (error) return make_error("cannot read it: " + error.message());
    if (size > kMaxImportFileBytes) {
        return make_error("is " + std::to_string(size) + " bytes, more than the 1 GiB (" +
                          std::to_string(kMaxImportFileBytes) + " bytes) an export file may be; is it the right file?");
    }
    if (size == 0) return make_error("is empty; is it a tillit export file?");
    std::ifstream file(path, std::ios::binary);
    if (!file) return make_error("cannot open it for reading");
    std::string text(static_cast<std::size_t>(size), '\0');
    file.read(text.data(), static_cast<std::streamsize>(size));
    if (static_cast<std::uintmax_t>(file.gcount()) != size) return make_error("could not read it to the end");

    return parse_export_file(std::move(text));
}

// "1 237 created": thousands grouped with a space, as in the docs.
std::string grouped(std::size_t number) {
    const std::string digits = std::to_string(number);
    std::string text;
    for (std::size_t i = 0; i < digits.size(); ++i) {
        if (i > 0 && (digits.size() - i) % 3 == 0) text += ' ';
        text += digits[i];
    }
    return text;
}

std::string counts_text(const BatchCounts& counts) {
    return grouped(counts.created) + " created, " + grouped(counts.duplicate) + " duplicate, " +
           grouped(counts.conflict) + " conflict, " + grouped(counts.invalid) + " invalid";
}

// The admin's words for a refused batch; the HTTP messages speak to a kiosk.
std::string import_refusal_text(const Refusal& refusal, const std::string& device_id) {
    switch (refusal.kind) {
        case RefusalKind::UnknownDevice:
            return "device " + device_id + " is not enrolled on this server (is --store the right one?)";
        case RefusalKind::Revoked:
            return "device " + device_id + " has been revoked; nothing it sends is accepted";
        case RefusalKind::BadSignature:
            return "the signature does not match the body (the file was changed or damaged, or the batch was "
                   "signed by another device)";
        case RefusalKind::StoreFailed:
            return "the store failed (" + refusal.message + "); import the file again, nothing is stored twice";
        case RefusalKind::TooLarge:
        case RefusalKind::Corrupt:
        case RefusalKind::Gate:
            break;
    }
    return refusal.message;  // "the body is not valid gzip", "unsupported protocol version", ...
}

// Each batch is its own transaction, as in a sync: a refused batch does not stop the
// others. Only ids, counts and the protocol's reasons are printed, never content.
int import_file(const CommandLine& line, std::ostream& out, std::ostream& err) {
    const std::string& path = line.positional[0];
    auto read = read_export_file(path);
    if (!read) {
        err << "tillit-server import: " << path << ": " << read.error() << '\n';
        return kExitFailed;
    }
    const ExportFile& file = read.value();
    const auto store = open_store(line, err);
    if (!store) return kExitFailed;

    BatchCounts total;
    std::size_t accepted = 0;
    for (const ExportEntry& entry : file.batches) {
        auto body = wire::base64_decode(entry.body_base64);
        if (!body) {
            out << "batch " << entry.batch_id << ": refused: the body is not base64 (the file is damaged)" << std::endl;
            continue;
        }
        const BatchRequest request{.device_id = file.device_id, .signature_base64 = entry.signature,
                                   .gzipped_body = body.value(), .expected_batch_id = entry.batch_id};
        auto outcome = ingest_batch(*store, request);
        if (const auto* refused = std::get_if<Refusal>(&outcome)) {
            out << "batch " << entry.batch_id << ": refused: " << import_refusal_text(*refused, file.device_id)
                << std::endl;
            continue;
        }
        const IngestedBatch& batch = std::get<IngestedBatch>(outcome);
        const BatchCounts counts = batch.counts();
        ++accepted;
        total += counts;
        out << "batch " << batch.batch_id << ": " << counts_text(counts) << '\n';
        // Which items were set aside, and why; the reasons name fields, never values.
        for (const wire::ItemResult& result : batch.results) {
            if (result.status != wire::ItemStatus::Conflict && result.status != wire::ItemStatus::Invalid) continue;
            const std::string id = wire::is_uuid_v4(result.id) ? result.id : "(without a valid id)";
            if (result.status == wire::ItemStatus::Conflict) {
                out << "  item " << id << ": conflict: another item with this id is stored; it is kept unchanged\n";
            } else {
                out << "  item " << id << ": invalid: " << result.reason << '\n';
            }
        }
        out << std::flush;
    }
    const std::size_t batches = file.batches.size();
    out << "imported " << (accepted == batches ? grouped(batches) : grouped(accepted) + " of " + grouped(batches))
        << (batches == 1 ? " batch: " : " batches: ") << grouped(total.items())
        << (total.items() == 1 ? " item, " : " items, ") << counts_text(total) << '\n'
        << std::flush;
    if (accepted != batches) {
        const std::size_t refused = batches - accepted;
        err << "tillit-server import: " << path << ": " << grouped(refused) << " of " << grouped(batches)
            << (batches == 1 ? " batch" : " batches") << " refused (see above); the others are stored, and importing "
            << "the file again adds nothing twice\n";
        return kExitFailed;
    }
    return kExitOk;
}

// ----------------------------------------------------------------- central config

// What must not change without a new survey version: the questions and their choices.
std::string question_shape(const Survey& survey) {
    std::string shape;
    for (const Question& q : survey.questions) {
        shape += q.id + ":" + to_string(q.type) + ":" + std::to_string(q.max_choices) + ":" +
                 std::to_string(q.max_length) + ":" + (q.dont_know ? "dk" : "") + ":" + (q.skippable ? "s" : "") + "[";
        for (const Option& o : q.options) shape += o.id + (o.exclusive ? "!" : "") + ",";
        shape += "]\n";
    }
    return shape;
}

// The survey loader reads files; the stored text goes through a private temp file.
Result<Survey> load_stored_survey(const std::string& survey_id, const std::string& toml) {
    std::string path = (std::filesystem::temp_directory_path() / "tillit-survey-XXXXXX").string();
    const int fd = mkstemp(path.data());
    if (fd < 0) return make_error("could not create a temporary file");
    close(fd);
    {
        std::ofstream file(path, std::ios::binary | std::ios::trunc);
        file << toml;
    }
    auto survey = load_survey(path, {"sv", "en"});
    std::error_code ignored;
    std::filesystem::remove(path, ignored);
    if (!survey) return make_error("the stored survey " + survey_id + " no longer loads: " + survey.error());
    return survey;
}

int put_survey(const CommandLine& line, std::ostream& out, std::ostream& err) {
    const std::string& path = line.positional[0];
    // The kiosks validate with the same loader; a survey refused here would be refused
    // by every kiosk, so refuse it before any kiosk sees it.
    auto survey = load_survey(path, {"sv", "en"});
    if (!survey) {
        err << survey.error() << '\n';
        return kExitFailed;
    }
    std::ifstream file(path, std::ios::binary);
    std::ostringstream text;
    text << file.rdbuf();
    if (!file && !file.eof()) {
        err << "tillit-server put-survey: could not read " << path << '\n';
        return kExitFailed;
    }
    const Survey& fresh = survey.value();
    const auto store = open_store(line, err);
    if (!store) return kExitFailed;
    auto stored = store->surveys();
    if (!stored) {
        err << "tillit-server put-survey: " << stored.error() << '\n';
        return kExitFailed;
    }
    for (const auto& [id, toml] : stored.value()) {
        if (id != fresh.id) continue;
        auto previous = load_stored_survey(id, toml);
        if (!previous) break;  // an unreadable old copy cannot hold the new one back
        if (previous.value().version > fresh.version) {
            err << path << ": version " << fresh.version << " is older than the stored version "
                << previous.value().version << " of " << id << "\n";
            return kExitFailed;
        }
        if (previous.value().version == fresh.version && question_shape(previous.value()) != question_shape(fresh)) {
            err << path << ": the questions of " << id << " changed but the version is still " << fresh.version
                << "; raise `version` so answers to the two forms are not mixed\n";
            return kExitFailed;
        }
    }
    if (Status done = store->put_survey(fresh.id, text.str()); !done) {
        err << "tillit-server put-survey: " << done.error() << '\n';
        return kExitFailed;
    }
    out << "stored survey " << fresh.id << " version " << fresh.version << '\n';
    return kExitOk;
}

int put_setting(const CommandLine& line, std::ostream& out, std::ostream& err) {
    const std::string& key = line.positional[0];
    if (!is_identifier(key, "_")) {
        err << "tillit-server put-setting: KEY must be a-z, 0-9 and _ (e.g. idle_timeout_seconds)\n";
        return kExitBadUsage;
    }
    const Json value = Json::parse(line.positional[1], nullptr, false);
    if (value.is_discarded()) {
        err << "tillit-server put-setting: the value must be JSON, e.g. 60, true or '\"text\"'\n";
        return kExitBadUsage;
    }
    const auto store = open_store(line, err);
    if (!store) return kExitFailed;
    if (Status done = store->put_setting(key, wire::canonical(value)); !done) {
        err << "tillit-server put-setting: " << done.error() << '\n';
        return kExitFailed;
    }
    out << "set " << key << " = " << wire::canonical(value) << '\n';
    return kExitOk;
}

// The password is one line of `in`; never echoed, printed or logged. On a terminal the
// echo is off while it is typed.
int set_admin_password_command(const CommandLine& line, std::istream& in, std::ostream& out, std::ostream& err) {
    const bool terminal = &in == &std::cin && isatty(STDIN_FILENO) == 1;
    termios saved{};
    if (terminal && tcgetattr(STDIN_FILENO, &saved) == 0) {
        termios quiet = saved;
        quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
        tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
        err << "New admin password: " << std::flush;
    }
    std::string password;
    std::getline(in, password);
    if (terminal) {
        tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved);
        err << '\n';
    }
    if (!password.empty() && password.back() == '\r') password.pop_back();
    if (password.size() < kMinAdminPasswordLength) {
        err << "tillit-server set-admin-password: the password needs at least " << kMinAdminPasswordLength
            << " characters (one line on stdin)\n";
        return kExitBadUsage;
    }
    const auto store = open_store(line, err);
    if (!store) return kExitFailed;
    if (Status done = set_admin_password(*store, password); !done) {
        err << "tillit-server set-admin-password: " << done.error() << '\n';
        return kExitFailed;
    }
    sodium_memzero(password.data(), password.size());
    out << "admin password set (argon2id)\n";
    return kExitOk;
}

}  // namespace

int run_admin_cli(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
    return run_admin_cli(args, std::cin, out, err);
}

int run_admin_cli(const std::vector<std::string>& args, std::istream& in, std::ostream& out, std::ostream& err) {
    if (std::find(args.begin(), args.end(), "--help") != args.end() ||
        std::find(args.begin(), args.end(), "-h") != args.end()) {
        out << kUsage;
        return kExitOk;
    }
    auto parsed = parse_command_line(args);
    if (const auto* usage = std::get_if<UsageError>(&parsed)) {
        err << usage->message << '\n';
        return kExitBadUsage;
    }
    const CommandLine& line = std::get<CommandLine>(parsed);
    if (line.command == "serve") return serve(line, out, err);
    if (line.command == "enrol") return enrol(line, out, err);
    if (line.command == "revoke") return revoke(line, out, err);
    if (line.command == "devices") return list_devices(line, out, err);
    if (line.command == "export") return export_items(line, out, err);
    if (line.command == "import") return import_file(line, out, err);
    if (line.command == "put-survey") return put_survey(line, out, err);
    if (line.command == "set-admin-password") return set_admin_password_command(line, in, out, err);
    return put_setting(line, out, err);
}

}  // namespace tillit::server
