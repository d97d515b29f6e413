// The report page of tillit-server (issue 7): GET /report (HTML with server-side SVG
// charts, no external assets), /report.csv and /report.json (?period=YYYY-MM&venue=...),
// behind an admin login. The password is stored as an argon2id hash
// (crypto_pwhash_str; set with `tillit-server set-admin-password`); a login opens a
// session held in memory (a random 256-bit token in an HttpOnly, SameSite=Strict cookie,
// Secure under TLS) with its own CSRF token, which every POST must carry; logins are
// limited to 10 a minute per address. Free-text
// answers (sealed to the server key) are opened only here, only where at least 10 exist
// for the period and venue, and are listed for the page only once staff approved them.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "core/result.h"
#include "indicators.h"
#include "server_store.h"

namespace httplib {
class Server;
}

namespace tillit::server {

constexpr std::size_t kMinAdminPasswordLength = 12;
constexpr long long kMinFreeTexts = 10;

// argon2id via crypto_pwhash_str (interactive limits); stored under "admin_password".
Result<std::string> hash_admin_password(const std::string& password);
Status set_admin_password(ServerStore& store, const std::string& password);
bool check_admin_password(ServerStore& store, const std::string& password);

// The report's rows from every stored response and abandonment.
Result<std::vector<indicators::Row>> report_rows(ServerStore& store);

// One free-text answer, opened, with its review state ("pending", "approved", "hidden").
struct FreeText {
    std::string key;  // item id + "/" + question
    std::string venue_id;
    std::string text;
    std::string state;
};
// The free texts in scope; empty when fewer than kMinFreeTexts exist there.
Result<std::vector<FreeText>> free_texts(ServerStore& store, const indicators::Query& query, long long& count);

// "approve" or "hide" one free text (its key as listed by free_texts).
Status review_free_text(ServerStore& store, const std::string& key, const std::string& action);

// "Ni sa – vi gjorde": staff write a short message per venue (1 to kMaxFeedbackChars
// characters); it is stored with a snapshot of that venue's suppressed trust split
// ({"message", "written" (YYYY-MM-DD), "summary": {"responses", "trust"}}, the same
// JSON as /report.json) and served to the venue's kiosks in /v1/config as "feedback".
constexpr std::size_t kMaxFeedbackChars = 280;
Status write_feedback(ServerStore& store, const std::string& venue_id, const std::string& message);
// The newest message for the venue, or nullopt.
Result<std::optional<nlohmann::json>> venue_feedback(ServerStore& store, const std::string& venue_id);

// The page itself (no login, no I/O): `csrf` goes into every form; `feedback` is each
// venue's newest message.
std::string report_html(const indicators::Report& report, const std::vector<FreeText>& texts, long long text_count,
                        const std::string& csrf, const nlohmann::json& feedback = nlohmann::json::object());

// Adds /login, /logout, /report, /report.csv, /report.json, /report/review to `server`.
// `log` gets one JSON object per request (never a password, token or answer).
class ReportPages {
public:
    ReportPages(ServerStore& store, bool tls, std::function<void(nlohmann::json)> log);
    ~ReportPages();
    ReportPages(const ReportPages&) = delete;
    ReportPages& operator=(const ReportPages&) = delete;
    void install(httplib::Server& server);

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace tillit::server
