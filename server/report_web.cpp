// The report page: login and sessions, the HTML with inline SVG, CSV/JSON, free-text
// review. Counting and suppression are indicators.*; this file only draws what they
// allow (a suppressed cell is drawn as "för få", never with a bar of its size).
#include "report_web.h"

#include <sodium.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <httplib.h>
#include <map>
#include <mutex>
#include <sstream>

#include "core/wire.h"
#include "rate_limiter.h"

namespace tillit::server {
namespace {

using Json = nlohmann::json;
using report::Cell;
using report::CrossTab;
using report::Figure;
using Clock = std::chrono::steady_clock;

constexpr const char* kPasswordKey = "admin_password";
constexpr const char* kReviewsKey = "text_reviews";
constexpr const char* kFeedbackKey = "feedback_messages";
constexpr const char* kCookie = "tillit_admin";
constexpr auto kSessionLifetime = std::chrono::hours(8);
constexpr int kLoginAttemptsPerMinute = 10;

std::mutex reviews_mutex;  // read-modify-write of the reviews value

std::string random_hex(std::size_t bytes) {
    std::string raw(bytes, '\0');
    randombytes_buf(raw.data(), raw.size());
    static const char* digits = "0123456789abcdef";
    std::string out;
    for (unsigned char c : raw) {
        out += digits[c >> 4];
        out += digits[c & 15];
    }
    return out;
}

bool same_secret(const std::string& a, const std::string& b) {
    return a.size() == b.size() && !a.empty() && sodium_memcmp(a.data(), b.data(), a.size()) == 0;
}

std::string esc(const std::string& text) {
    std::string out;
    for (char c : text) {
        switch (c) {
            case '&': out += "&amp;"; break;
            case '<': out += "&lt;"; break;
            case '>': out += "&gt;"; break;
            case '"': out += "&quot;"; break;
            case '\'': out += "&#39;"; break;
            default: out += c;
        }
    }
    return out;
}

std::string label(const std::string& key) {
    static const std::map<std::string, std::string> labels = {
        {"trust", "Tillit"}, {"weak_trust", "Svag tillit"}, {"distrust", "Misstro"}, {"unclassified", "Ej klassad"},
        {"dont_know", "Vet inte"}, {"skipped", "Hoppade över"}, {"completed", "Fullföljde"}, {"stopped", "Avbröt"},
        {"fairly_or_very_well", "Ganska eller mycket väl"}, {"little_or_not", "Lite eller inte alls"},
        {"4_5", "4–5"}, {"1_3", "1–3"}, {"no", "Nej"}, {"yes", "Ja"}, {"prefer_not", "Vill inte svara"},
        {"school", "Skola"}, {"youth_centre", "Fritidsgård"}, {"library", "Bibliotek"}, {"association", "Förening"},
        {"open_preschool", "Öppen förskola"}, {"elsewhere", "Annan plats"}, {"text", "Fritext"},
        {"mon", "Mån"}, {"tue", "Tis"}, {"wed", "Ons"}, {"thu", "Tor"}, {"fri", "Fre"}, {"sat", "Lör"}, {"sun", "Sön"}};
    const auto found = labels.find(key);
    return found == labels.end() ? key : found->second;
}

std::string percent(long long part, long long whole) {
    if (whole <= 0) return "–";
    char text[16];
    std::snprintf(text, sizeof text, "%.0f %%", 100.0 * static_cast<double>(part) / static_cast<double>(whole));
    return text;
}

// Horizontal bars, one per cell; a suppressed cell gets text only.
std::string svg_figure(const Figure& figure) {
    if (figure.too_few) return "<p class=\"few\">För få svar för att visa (under 5).</p>";
    long long max = 1;
    for (const Cell& cell : figure.cells) {
        if (!cell.suppressed) max = std::max(max, cell.n);
    }
    const int row = 24;
    const int height = static_cast<int>(figure.cells.size()) * row + 4;
    std::ostringstream out;
    out << "<svg class=\"chart\" role=\"img\" viewBox=\"0 0 360 " << height << "\" aria-label=\"" << esc(figure.id)
        << "\">";
    int y = 2;
    for (const Cell& cell : figure.cells) {
        out << "<text x=\"0\" y=\"" << y + 16 << "\" font-size=\"13\">" << esc(label(cell.key)) << "</text>";
        if (cell.suppressed) {
            out << "<text x=\"150\" y=\"" << y + 16 << "\" font-size=\"13\" fill=\"#666\">för få</text>";
        } else {
            const long long width = cell.n * 150 / max;
            out << "<rect x=\"150\" y=\"" << y + 4 << "\" width=\"" << width
                << "\" height=\"16\" fill=\"#2f6f8f\"/><text x=\"" << 154 + width << "\" y=\"" << y + 16
                << "\" font-size=\"13\">" << cell.n << " (" << percent(cell.n, figure.total) << ")</text>";
        }
        y += row;
    }
    out << "</svg>";
    return out.str();
}

// The trend: one stacked bar per month; hidden classes together as a grey remainder.
std::string svg_trend(const std::vector<std::pair<std::string, Figure>>& trend) {
    if (trend.empty()) return "<p class=\"few\">Inga svar ännu.</p>";
    static const std::map<std::string, std::string> colours = {
        {"trust", "#2f6f8f"}, {"weak_trust", "#8fb8c9"}, {"distrust", "#c96f4a"}, {"unclassified", "#d9d2c5"}};
    const int row = 24;
    std::ostringstream out;
    out << "<svg class=\"chart\" role=\"img\" viewBox=\"0 0 360 " << trend.size() * row + 4
        << "\" aria-label=\"trend\">";
    int y = 2;
    for (const auto& [month, figure] : trend) {
        out << "<text x=\"0\" y=\"" << y + 16 << "\" font-size=\"13\">" << esc(month) << "</text>";
        if (figure.too_few) {
            out << "<text x=\"70\" y=\"" << y + 16 << "\" font-size=\"13\" fill=\"#666\">för få</text>";
        } else {
            double x = 70;
            for (const Cell& cell : figure.cells) {
                if (cell.suppressed || cell.n == 0) continue;
                const double width = 280.0 * static_cast<double>(cell.n) / static_cast<double>(figure.total);
                out << "<rect x=\"" << x << "\" y=\"" << y + 4 << "\" width=\"" << width << "\" height=\"16\" fill=\""
                    << colours.at(cell.key) << "\"><title>" << esc(label(cell.key)) << " " << cell.n << "</title></rect>";
                x += width;
            }
            if (x < 350) out << "<rect x=\"" << x << "\" y=\"" << y + 4 << "\" width=\"" << 350 - x
                             << "\" height=\"16\" fill=\"#eee\"><title>dolt (för få)</title></rect>";
        }
        y += row;
    }
    out << "</svg><p class=\"legend\"><span style=\"color:#2f6f8f\">■</span> Tillit "
           "<span style=\"color:#8fb8c9\">■</span> Svag tillit <span style=\"color:#c96f4a\">■</span> Misstro "
           "<span style=\"color:#d9d2c5\">■</span> Ej klassad <span style=\"color:#ccc\">■</span> Dolt (för få)</p>";
    return out.str();
}

std::string html_table(const CrossTab& table) {
    if (table.too_few || table.rows.empty()) return "<p class=\"few\">För få svar för att visa (under 10).</p>";
    std::ostringstream out;
    out << "<table><tr><th></th>";
    for (const std::string& col : table.cols) out << "<th>" << esc(label(col)) << "</th>";
    out << "</tr>";
    for (std::size_t r = 0; r < table.rows.size(); ++r) {
        out << "<tr><th>" << esc(label(table.rows[r])) << "</th>";
        for (const Cell& cell : table.cells[r]) {
            if (cell.suppressed) {
                out << "<td class=\"few\">·</td>";
            } else {
                out << "<td>" << cell.n << "</td>";
            }
        }
        out << "</tr>";
    }
    out << "</table><p class=\"legend\">· = dolt (färre än 10, eller så att en dold cell inte kan räknas fram)</p>";
    return out.str();
}

std::string svg_heat(const CrossTab& table) {
    if (table.too_few) return "<p class=\"few\">För få svar för att visa (under 10).</p>";
    long long max = 1;
    for (const auto& row : table.cells) {
        for (const Cell& cell : row) {
            if (!cell.suppressed) max = std::max(max, cell.n);
        }
    }
    std::ostringstream out;
    out << "<svg class=\"chart\" role=\"img\" viewBox=\"0 0 360 " << 22 + table.rows.size() * 26
        << "\" aria-label=\"heat_map\">";
    for (std::size_t c = 0; c < table.cols.size(); ++c) {
        out << "<text x=\"" << 50 + c * 60 + 4 << "\" y=\"14\" font-size=\"12\">" << esc(table.cols[c]) << "</text>";
    }
    for (std::size_t r = 0; r < table.rows.size(); ++r) {
        const std::size_t y = 20 + r * 26;
        out << "<text x=\"0\" y=\"" << y + 17 << "\" font-size=\"13\">" << esc(label(table.rows[r])) << "</text>";
        for (std::size_t c = 0; c < table.cols.size(); ++c) {
            const Cell& cell = table.cells[r][c];
            const std::size_t x = 50 + c * 60;
            if (cell.suppressed) {
                out << "<rect x=\"" << x << "\" y=\"" << y << "\" width=\"56\" height=\"22\" fill=\"#eee\"/><text x=\""
                    << x + 24 << "\" y=\"" << y + 16 << "\" font-size=\"12\" fill=\"#666\">·</text>";
            } else {
                const double alpha = 0.1 + 0.9 * static_cast<double>(cell.n) / static_cast<double>(max);
                out << "<rect x=\"" << x << "\" y=\"" << y << "\" width=\"56\" height=\"22\" fill=\"#2f6f8f\" fill-opacity=\""
                    << std::round(alpha * 100) / 100 << "\"/><text x=\"" << x + 4 << "\" y=\"" << y + 16
                    << "\" font-size=\"12\">" << cell.n << "</text>";
            }
        }
    }
    out << "</svg>";
    return out.str();
}

std::string csrf_input(const std::string& csrf) {
    return "<input type=\"hidden\" name=\"csrf\" value=\"" + esc(csrf) + "\">";
}

std::string query_string(const indicators::Query& query) {
    std::string out;
    if (!query.period.empty()) out += "period=" + httplib::detail::encode_query_param(query.period);
    if (query.venue_id) {
        if (!out.empty()) out += "&";
        out += "venue=" + httplib::detail::encode_query_param(*query.venue_id);
    }
    return out;
}

std::string page(const std::string& title, const std::string& body) {
    return "<!DOCTYPE html><html lang=\"sv\"><head><meta charset=\"utf-8\">"
           "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>" +
           esc(title) +
           "</title><style>"
           "body{font-family:sans-serif;max-width:46rem;margin:0 auto;padding:0.8rem;color:#222;line-height:1.4}"
           "h1{font-size:1.4rem}h2{font-size:1.15rem;margin-top:1.6rem;border-top:1px solid #ccc;padding-top:0.8rem}"
           "svg.chart{width:100%;max-width:36rem;height:auto;display:block}"
           ".caveat{background:#fff6e0;border-left:4px solid #d9a400;padding:0.4rem 0.6rem;font-size:0.9rem}"
           ".few{color:#666}.legend{font-size:0.85rem;color:#444}.share{font-size:1.2rem;font-weight:bold}"
           "table{border-collapse:collapse;font-size:0.9rem}td,th{border:1px solid #ccc;padding:0.2rem 0.4rem;text-align:right}"
           "form.inline{display:inline}button,input,select,textarea{font-size:1rem}"
           "li.text{margin-bottom:0.6rem}"
           "</style></head><body>" +
           body + "</body></html>";
}

void secure_headers(httplib::Response& res) {
    res.set_header("Content-Security-Policy",
                   "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; "
                   "base-uri 'none'");
    res.set_header("Cache-Control", "no-store");
    res.set_header("X-Content-Type-Options", "nosniff");
    res.set_header("Referrer-Policy", "no-referrer");
}

std::string login_page(const std::string& message) {
    return page("Logga in – tillit",
                "<h1>Tillit – rapport</h1>" + (message.empty() ? "" : "<p class=\"few\">" + esc(message) + "</p>") +
                    "<form method=\"post\" action=\"/login\"><label>Lösenord <input type=\"password\" "
                    "name=\"password\" autocomplete=\"current-password\" required></label> "
                    "<button type=\"submit\">Logga in</button></form>");
}

bool in_scope(const Json& content, const indicators::Query& query) {
    const std::string bucket = content.value("time_bucket", "");
    if (!query.period.empty() && bucket.rfind(query.period, 0) != 0) return false;
    return !query.venue_id || content.value("venue_id", "") == *query.venue_id;
}

}  // namespace

Result<std::string> hash_admin_password(const std::string& password) {
    if (sodium_init() < 0) return make_error("libsodium could not start");
    if (password.size() < kMinAdminPasswordLength) {
        return make_error("the password needs at least " + std::to_string(kMinAdminPasswordLength) + " characters");
    }
    char hash[crypto_pwhash_STRBYTES];
    if (crypto_pwhash_str_alg(hash, password.data(), password.size(), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                              crypto_pwhash_MEMLIMIT_INTERACTIVE, crypto_pwhash_ALG_ARGON2ID13) != 0) {
        return make_error("out of memory while hashing the password");
    }
    return std::string(hash);
}

Status set_admin_password(ServerStore& store, const std::string& password) {
    auto hash = hash_admin_password(password);
    if (!hash) return make_error(hash.error());
    return store.put_admin_value(kPasswordKey, Json(hash.value()).dump());
}

bool check_admin_password(ServerStore& store, const std::string& password) {
    if (sodium_init() < 0) return false;
    auto stored = store.admin_value(kPasswordKey);
    if (!stored || !stored.value()) return false;
    const Json hash = Json::parse(*stored.value(), nullptr, false);
    if (!hash.is_string()) return false;
    const std::string text = hash.get<std::string>();
    return crypto_pwhash_str_verify(text.c_str(), password.data(), password.size()) == 0;
}

Result<std::vector<indicators::Row>> report_rows(ServerStore& store) {
    auto items = store.items();
    if (!items) return make_error(items.error());
    std::vector<indicators::Row> rows;
    for (const StoredItem& item : items.value()) {
        if (item.kind == wire::ItemKind::Workshop) continue;
        if (auto row = indicators::row_from(item.kind == wire::ItemKind::Response, item.content_json)) {
            rows.push_back(std::move(*row));
        }
    }
    return rows;
}

Result<std::vector<FreeText>> free_texts(ServerStore& store, const indicators::Query& query, long long& count) {
    count = 0;
    auto items = store.items();
    if (!items) return make_error(items.error());
    auto keys = store.sealing_keys();
    if (!keys) return make_error(keys.error());
    Json reviews = Json::object();
    {
        const std::lock_guard lock(reviews_mutex);
        auto stored = store.admin_value(kReviewsKey);
        if (!stored) return make_error(stored.error());
        if (stored.value()) reviews = Json::parse(*stored.value(), nullptr, false);
        if (!reviews.is_object()) reviews = Json::object();
    }
    std::vector<FreeText> texts;
    for (const StoredItem& item : items.value()) {
        if (item.kind != wire::ItemKind::Response) continue;
        const Json content = Json::parse(item.content_json, nullptr, false);
        if (!content.is_object() || !in_scope(content, query) || !content.contains("answers")) continue;
        for (const auto& [question, value] : content["answers"].items()) {
            if (!value.is_object() || !value.contains("sealed") || !value["sealed"].is_string()) continue;
            auto plain = wire::unseal(keys.value(), value["sealed"].get<std::string>());
            if (!plain || plain.value().empty()) continue;
            ++count;
            const std::string key = item.id + "/" + question;
            texts.push_back({key, content.value("venue_id", ""), plain.value(), reviews.value(key, "pending")});
        }
    }
    if (count < kMinFreeTexts) texts.clear();
    std::sort(texts.begin(), texts.end(), [](const FreeText& a, const FreeText& b) { return a.key < b.key; });
    return texts;
}

Status review_free_text(ServerStore& store, const std::string& key, const std::string& action) {
    if (action != "approve" && action != "hide") return make_error("the action is approve or hide");
    if (key.size() < 38 || !wire::is_uuid_v4(key.substr(0, 36)) || key[36] != '/') return make_error("no such answer");
    const std::lock_guard lock(reviews_mutex);
    auto stored = store.admin_value(kReviewsKey);
    if (!stored) return make_error(stored.error());
    Json reviews = stored.value() ? Json::parse(*stored.value(), nullptr, false) : Json::object();
    if (!reviews.is_object()) reviews = Json::object();
    reviews[key] = action == "approve" ? "approved" : "hidden";
    return store.put_admin_value(kReviewsKey, reviews.dump());
}

Status write_feedback(ServerStore& store, const std::string& venue_id, const std::string& message) {
    if (venue_id.empty() || venue_id.size() > 64 ||
        !std::all_of(venue_id.begin(), venue_id.end(),
                     [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'; })) {
        return make_error("choose a venue");
    }
    std::size_t chars = 0;
    for (unsigned char c : message) chars += (c & 0xC0) != 0x80 ? 1 : 0;
    if (chars == 0 || chars > kMaxFeedbackChars) {
        return make_error("the message needs 1 to " + std::to_string(kMaxFeedbackChars) + " characters");
    }
    if (!Json::accept(Json(message).dump(-1, ' ', false, Json::error_handler_t::strict))) {
        return make_error("the message is not valid UTF-8");
    }
    auto rows = report_rows(store);
    if (!rows) return make_error(rows.error());
    const indicators::Report report = indicators::build(rows.value(), {"", venue_id});
    const Json full = indicators::to_json(report);
    const auto now = std::chrono::system_clock::now();
    const std::time_t t = std::chrono::system_clock::to_time_t(now);
    std::tm tm{};
    gmtime_r(&t, &tm);
    char day[16];
    std::strftime(day, sizeof day, "%Y-%m-%d", &tm);
    const Json entry = {{"message", message},
                        {"written", day},
                        {"summary", {{"responses", full["responses"]}, {"trust", full["trust"]}}}};
    const std::lock_guard lock(reviews_mutex);
    auto stored = store.admin_value(kFeedbackKey);
    if (!stored) return make_error(stored.error());
    Json all = stored.value() ? Json::parse(*stored.value(), nullptr, false) : Json::object();
    if (!all.is_object()) all = Json::object();
    if (!all.contains(venue_id) || !all[venue_id].is_array()) all[venue_id] = Json::array();
    all[venue_id].push_back(entry);
    return store.put_admin_value(kFeedbackKey, all.dump());
}

Result<std::optional<Json>> venue_feedback(ServerStore& store, const std::string& venue_id) {
    auto stored = store.admin_value(kFeedbackKey);
    if (!stored) return make_error(stored.error());
    if (!stored.value()) return std::optional<Json>();
    const Json all = Json::parse(*stored.value(), nullptr, false);
    if (!all.is_object() || !all.contains(venue_id) || !all[venue_id].is_array() || all[venue_id].empty()) {
        return std::optional<Json>();
    }
    return std::optional<Json>(all[venue_id].back());
}

std::string report_html(const indicators::Report& report, const std::vector<FreeText>& texts, long long text_count,
                        const std::string& csrf, const Json& feedback) {
    const std::string query = query_string(report.query);
    std::ostringstream body;
    body << "<h1>Tillit – rapport</h1>";
    body << "<form method=\"get\" action=\"/report\"><label>Period <input name=\"period\" placeholder=\"ÅÅÅÅ-MM\" "
            "pattern=\"[0-9]{4}-[0-9]{2}\" size=\"8\" value=\""
         << esc(report.query.period) << "\"></label> <label>Plats <select name=\"venue\"><option value=\"\">Alla</option>";
    for (const std::string& venue : report.venues) {
        body << "<option value=\"" << esc(venue) << "\""
             << (report.query.venue_id && *report.query.venue_id == venue ? " selected" : "") << ">" << esc(venue)
             << "</option>";
    }
    body << "</select></label> <button type=\"submit\">Visa</button></form>";
    body << "<p><a href=\"/report.csv" << (query.empty() ? "" : "?" + esc(query)) << "\">CSV</a> · <a href=\"/report.json"
         << (query.empty() ? "" : "?" + esc(query)) << "\">JSON</a> · "
         << "<form class=\"inline\" method=\"post\" action=\"/logout\">" << csrf_input(csrf)
         << "<button type=\"submit\">Logga ut</button></form></p>";
    body << "<p>" << (report.query.venue_id ? "Plats: " + esc(*report.query.venue_id) : "Alla platser") << ", "
         << (report.query.period.empty() ? "hela tiden" : "period " + esc(report.query.period)) << ". Svar på "
         << "tillitsenkäten: " << (report.responses >= report::kMinCell ? std::to_string(report.responses) : "för få")
         << ". Celler med färre än 5 svar (10 i korstabeller) visas inte, och inte heller celler som skulle låta "
            "en dold cell räknas fram.</p>";

    body << "<h2>Tillit, svag tillit och misstro</h2>" << svg_figure(report.trust)
         << "<p class=\"caveat\">Risk för feltolkning: Säkerställ att urvalet av tillfrågade är representativt och att de "
            "får möjlighet att svara isolerat från den som utfört insatsen för chans att fånga ärligare svar.</p>";
    body << "<h3>Över tid</h3>" << svg_trend(report.trust_trend);
    body << "<h3>Per plats</h3>" << html_table(report.trust_by_venue);

    for (const indicators::Indicator& indicator : report.indicators) {
        body << "<h2>" << esc(indicator.id) << " " << esc(indicator.title) << "</h2>";
        if (indicator.share.shown) {
            body << "<p class=\"share\">" << percent(indicator.share.numerator, indicator.share.denominator) << " ("
                 << indicator.share.numerator << " av " << indicator.share.denominator << ")</p>";
        }
        if (indicator.id == "besok" && report.visit_mean) {
            char mean[32];
            std::snprintf(mean, sizeof mean, "%.1f", *report.visit_mean);
            body << "<p>Medelvärde " << mean << " av 4.</p>";
        }
        body << svg_figure(indicator.figure) << "<p class=\"caveat\">Risk för feltolkning: " << esc(indicator.caveat)
             << "</p>";
    }

    body << "<h2>Bortfall</h2><p>Påbörjade och fullföljda tillitsenkäter.</p>" << svg_figure(report.completion)
         << "<h3>Var de slutade (fråga)</h3>" << svg_figure(report.stopped_at) << "<h3>Per språk</h3>"
         << html_table(report.completion_by_language) << "<h3>Per plats</h3>" << html_table(report.completion_by_venue);

    body << "<h2>När svaren kom</h2><p>Veckodag × tid på dygnet (svar med bara datum: " << report.heat.without_hour
         << ").</p>" << svg_heat(report.heat.table);

    body << "<h2>Varje fråga</h2>";
    for (const Figure& figure : report.questions) {
        body << "<details><summary>" << esc(figure.id) << "</summary>" << svg_figure(figure) << "</details>";
    }

    body << "<h2>Ni sa – vi gjorde</h2><p>Ett kort meddelande per plats, som kioskerna där visar på startskärmen "
            "tillsammans med en sammanfattning av platsens svar (dold om den är för liten).</p>";
    for (const auto& [venue, entry] : feedback.items()) {
        body << "<p><b>" << esc(venue) << "</b> (" << esc(entry.value("written", "")) << "): "
             << esc(entry.value("message", "")) << "</p>";
    }
    body << "<form method=\"post\" action=\"/report/message\">" << csrf_input(csrf)
         << "<label>Plats <select name=\"venue\">";
    for (const std::string& venue : report.venues) {
        body << "<option value=\"" << esc(venue) << "\""
             << (report.query.venue_id && *report.query.venue_id == venue ? " selected" : "") << ">" << esc(venue)
             << "</option>";
    }
    body << "</select></label><br><textarea name=\"message\" rows=\"3\" cols=\"40\" maxlength=\"" << kMaxFeedbackChars
         << "\" required></textarea><br><button type=\"submit\">Publicera</button></form>";

    body << "<h2>Fritextsvar</h2>";
    if (text_count < kMinFreeTexts) {
        body << "<p class=\"few\">Färre än " << kMinFreeTexts << " fritextsvar här – de visas inte.</p>";
    } else {
        body << "<h3>Godkända</h3><ul>";
        for (const FreeText& text : texts) {
            if (text.state != "approved") continue;
            body << "<li class=\"text\">" << esc(text.text) << " <form class=\"inline\" method=\"post\" "
                 << "action=\"/report/review\">" << csrf_input(csrf) << "<input type=\"hidden\" name=\"key\" value=\""
                 << esc(text.key) << "\"><input type=\"hidden\" name=\"action\" value=\"hide\"><button>Dölj</button></form></li>";
        }
        body << "</ul><h3>Att granska</h3><p class=\"legend\">Kan innehålla personuppgifter av misstag: godkänn bara "
                "det som inte pekar ut någon.</p><ul>";
        for (const FreeText& text : texts) {
            if (text.state != "pending") continue;
            body << "<li class=\"text\">" << esc(text.text) << "<br>";
            for (const char* action : {"approve", "hide"}) {
                body << "<form class=\"inline\" method=\"post\" action=\"/report/review\">" << csrf_input(csrf)
                     << "<input type=\"hidden\" name=\"key\" value=\"" << esc(text.key)
                     << "\"><input type=\"hidden\" name=\"action\" value=\"" << action << "\"><button>"
                     << (std::string(action) == "approve" ? "Godkänn" : "Dölj") << "</button></form> ";
            }
            body << "</li>";
        }
        long long hidden = 0;
        for (const FreeText& text : texts) hidden += text.state == "hidden" ? 1 : 0;
        body << "</ul><p class=\"legend\">Dolda: " << hidden << ".</p>";
    }
    return page("Tillit – rapport", body.str());
}

struct ReportPages::Impl {
    Impl(ServerStore& s, bool t, std::function<void(Json)> l) : store(s), tls(t), log(std::move(l)) {}
    ServerStore& store;
    RateLimiter login_limiter{kLoginAttemptsPerMinute};  // per remote address
    bool tls;
    std::function<void(Json)> log;
    struct Session {
        std::string csrf;
        Clock::time_point expires;
    };
    std::mutex mutex;
    std::map<std::string, Session> sessions;

    // The session's CSRF token, or nullopt without a valid session cookie.
    std::optional<std::string> session(const httplib::Request& req) {
        const std::string cookies = req.get_header_value("Cookie");
        const std::string name = std::string(kCookie) + "=";
        std::size_t at = 0;
        std::string token;
        while (at < cookies.size()) {
            std::size_t end = cookies.find(';', at);
            if (end == std::string::npos) end = cookies.size();
            std::string part = cookies.substr(at, end - at);
            while (!part.empty() && part.front() == ' ') part.erase(part.begin());
            if (part.rfind(name, 0) == 0) token = part.substr(name.size());
            at = end + 1;
        }
        if (token.empty()) return std::nullopt;
        const std::lock_guard lock(mutex);
        const auto found = sessions.find(token);
        if (found == sessions.end()) return std::nullopt;
        if (found->second.expires < Clock::now()) {
            sessions.erase(found);
            return std::nullopt;
        }
        return found->second.csrf;
    }

    std::string token_of(const httplib::Request& req) {
        const std::string cookies = req.get_header_value("Cookie");
        const std::string name = std::string(kCookie) + "=";
        const auto at = cookies.find(name);
        if (at == std::string::npos) return "";
        const auto end = cookies.find(';', at);
        return cookies.substr(at + name.size(), end == std::string::npos ? std::string::npos : end - at - name.size());
    }

    void done(const char* event, const httplib::Request& req, const httplib::Response& res) {
        log({{"event", event}, {"path", req.path}, {"http_status", res.status}});
    }

    std::optional<indicators::Query> query_of(const httplib::Request& req, httplib::Response& res) {
        indicators::Query query;
        query.period = req.get_param_value("period");
        const std::string venue = req.get_param_value("venue");
        if (!venue.empty()) query.venue_id = venue;
        if (!indicators::valid_period(query.period)) {
            res.status = 400;
            res.set_content("period is YYYY-MM", "text/plain; charset=utf-8");
            return std::nullopt;
        }
        return query;
    }

    // Checks the session and the form's CSRF token of a POST; answers 403 otherwise.
    bool post_allowed(const httplib::Request& req, httplib::Response& res) {
        const auto csrf = session(req);
        if (!csrf || !same_secret(*csrf, req.get_param_value("csrf"))) {
            res.status = 403;
            res.set_content("forbidden: log in, and send the form from the report page", "text/plain; charset=utf-8");
            return false;
        }
        return true;
    }

    void get_login(const httplib::Request& req, httplib::Response& res) {
        secure_headers(res);
        res.set_content(login_page(""), "text/html; charset=utf-8");
        done("login_page", req, res);
    }

    void post_login(const httplib::Request& req, httplib::Response& res) {
        secure_headers(res);
        // Guessing stays slow on top of argon2id's cost: a few attempts a minute per address.
        if (const auto wait = login_limiter.take(req.remote_addr)) {
            res.status = 429;
            res.set_header("Retry-After", std::to_string(*wait));
            res.set_content(login_page("För många försök. Vänta en stund."), "text/html; charset=utf-8");
            return done("login_refused", req, res);
        }
        if (!check_admin_password(store, req.get_param_value("password"))) {
            res.status = 401;
            res.set_content(login_page("Fel lösenord (eller inget satt: tillit-server set-admin-password)."),
                            "text/html; charset=utf-8");
            done("login_refused", req, res);
            return;
        }
        const std::string token = random_hex(32);
        {
            const std::lock_guard lock(mutex);
            const auto now = Clock::now();
            std::erase_if(sessions, [&](const auto& entry) { return entry.second.expires < now; });
            sessions[token] = {random_hex(32), now + kSessionLifetime};
        }
        res.set_header("Set-Cookie", std::string(kCookie) + "=" + token + "; Path=/; HttpOnly; SameSite=Strict" +
                                         (tls ? "; Secure" : ""));
        res.status = 303;
        res.set_header("Location", "/report");
        done("login", req, res);
    }

    void post_logout(const httplib::Request& req, httplib::Response& res) {
        if (!post_allowed(req, res)) return done("logout_refused", req, res);
        {
            const std::lock_guard lock(mutex);
            sessions.erase(token_of(req));
        }
        res.set_header("Set-Cookie", std::string(kCookie) + "=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict" +
                                         (tls ? "; Secure" : ""));
        res.status = 303;
        res.set_header("Location", "/login");
        done("logout", req, res);
    }

    void get_report(const httplib::Request& req, httplib::Response& res, const std::string& format) {
        secure_headers(res);
        const auto csrf = session(req);
        if (!csrf) {
            if (format == "html") {
                res.status = 303;
                res.set_header("Location", "/login");
            } else {
                res.status = 401;
                res.set_content("log in first", "text/plain; charset=utf-8");
            }
            return done("report_refused", req, res);
        }
        const auto query = query_of(req, res);
        if (!query) return done("report_refused", req, res);
        auto rows = report_rows(store);
        if (!rows) {
            res.status = 500;
            res.set_content("could not read the responses", "text/plain; charset=utf-8");
            return done("report_failed", req, res);
        }
        const indicators::Report report = indicators::build(rows.value(), *query);
        if (format == "json") {
            res.set_content(indicators::to_json(report).dump(2), "application/json");
        } else if (format == "csv") {
            res.set_content(indicators::to_csv(report), "text/csv; charset=utf-8");
            res.set_header("Content-Disposition", "attachment; filename=\"tillit-report.csv\"");
        } else {
            long long count = 0;
            auto texts = free_texts(store, *query, count);
            if (!texts) {
                res.status = 500;
                res.set_content("could not open the free texts", "text/plain; charset=utf-8");
                return done("report_failed", req, res);
            }
            Json feedback = Json::object();
            for (const std::string& venue : report.venues) {
                auto entry = venue_feedback(store, venue);
                if (entry && entry.value()) feedback[venue] = *entry.value();
            }
            res.set_content(report_html(report, texts.value(), count, *csrf, feedback), "text/html; charset=utf-8");
        }
        done("report", req, res);
    }

    void post_message(const httplib::Request& req, httplib::Response& res) {
        secure_headers(res);
        if (!post_allowed(req, res)) return done("message_refused", req, res);
        const Status written = write_feedback(store, req.get_param_value("venue"), req.get_param_value("message"));
        if (!written) {
            res.status = 400;
            res.set_content(written.error(), "text/plain; charset=utf-8");
            return done("message_refused", req, res);
        }
        res.status = 303;
        res.set_header("Location", "/report");
        done("message", req, res);
    }

    void post_review(const httplib::Request& req, httplib::Response& res) {
        secure_headers(res);
        if (!post_allowed(req, res)) return done("review_refused", req, res);
        const Status reviewed = review_free_text(store, req.get_param_value("key"), req.get_param_value("action"));
        if (!reviewed) {
            res.status = 400;
            res.set_content(reviewed.error(), "text/plain; charset=utf-8");
            return done("review_refused", req, res);
        }
        res.status = 303;
        res.set_header("Location", "/report");
        done("review", req, res);
    }
};

ReportPages::ReportPages(ServerStore& store, bool tls, std::function<void(Json)> log)
    : impl_(std::make_unique<Impl>(store, tls, std::move(log))) {}

ReportPages::~ReportPages() = default;

void ReportPages::install(httplib::Server& server) {
    Impl* impl = impl_.get();
    server.Get("/login", [impl](const httplib::Request& req, httplib::Response& res) { impl->get_login(req, res); });
    server.Post("/login", [impl](const httplib::Request& req, httplib::Response& res) { impl->post_login(req, res); });
    server.Post("/logout", [impl](const httplib::Request& req, httplib::Response& res) { impl->post_logout(req, res); });
    server.Get("/report", [impl](const httplib::Request& req, httplib::Response& res) { impl->get_report(req, res, "html"); });
    server.Get("/report.csv", [impl](const httplib::Request& req, httplib::Response& res) { impl->get_report(req, res, "csv"); });
    server.Get("/report.json", [impl](const httplib::Request& req, httplib::Response& res) { impl->get_report(req, res, "json"); });
    server.Post("/report/message", [impl](const httplib::Request& req, httplib::Response& res) { impl->post_message(req, res); });
    server.Post("/report/review", [impl](const httplib::Request& req, httplib::Response& res) { impl->post_review(req, res); });
}

}  // namespace tillit::server
