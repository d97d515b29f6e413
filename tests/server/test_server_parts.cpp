// The server's small parts on their own: item content rules, the per-device token
// bucket (on a fake monotonic clock) and the terminal QR renderer.
#include <doctest/doctest.h>

#include <chrono>
#include <string>

#include "core/privacy.h"
#include "core/wire.h"
#include "item_rules.h"
#include "qr.h"
#include "rate_limiter.h"
#include "store_contract.h"

namespace {
using Json = nlohmann::json;
namespace wire = tillit::wire;
namespace contract = tillit::test::contract;
using tillit::server::item_content_problem;

wire::Item response_with(const std::function<void(Json&)>& change) {
    Json content = contract::response_content(3);
    change(content);
    return wire::make_item(tillit::new_uuid_v4(), wire::ItemKind::Response, content);
}
}  // namespace

TEST_CASE("item rules: a workshop record passes; a wrong or extra field is named") {
    const wire::Item good = contract::workshop_item();
    CHECK(item_content_problem(good).empty());
    auto with = [&](const std::function<void(Json&)>& change) {
        Json content = good.content;
        change(content);
        return item_content_problem(wire::make_item(good.id, wire::ItemKind::Workshop, content));
    };
    CHECK(with([](Json& c) { c["participant"] = "Anna"; }).find("participant") != std::string::npos);
    CHECK(with([](Json& c) { c["time_bucket"] = "2026-11-23T14"; }).find("time_bucket") != std::string::npos);
    CHECK(with([](Json& c) { c["workshop"]["goal"] = "win"; }).find("goal") != std::string::npos);
    CHECK(with([](Json& c) { c["workshop"].erase("contributions"); }).find("contributions") != std::string::npos);
    CHECK(with([](Json& c) { c["workshop"]["contributions"]["partners"] = "x"; }).find("partners") != std::string::npos);
    CHECK(with([](Json& c) { c.erase("venue_id"); }).find("venue_id") != std::string::npos);
    // A response's fields do not make a workshop.
    CHECK_FALSE(item_content_problem(wire::make_item(good.id, wire::ItemKind::Workshop,
                                                     contract::response_content(3))).empty());
}

TEST_CASE("item rules: the protocol's fields pass, anything more or malformed is named") {
    CHECK(item_content_problem(contract::response_item(4)).empty());
    CHECK(item_content_problem(contract::abandonment_item()).empty());
    CHECK(item_content_problem(response_with([](Json& c) { c["time_bucket"] = "2026-11-23"; })).empty());
    CHECK(item_content_problem(response_with([](Json& c) { c["language"] = "sv-easy"; })).empty());

    const std::vector<std::pair<std::function<void(Json&)>, std::string>> bad = {
        {[](Json& c) { c["device_sequence"] = 17; }, "device_sequence"},
        {[](Json& c) { c["reached_step"] = 2; }, "reached_step"},
        {[](Json& c) { c.erase("venue_id"); }, "venue_id"},
        {[](Json& c) { c["venue_id"] = ""; }, "venue_id"},
        {[](Json& c) { c["survey_id"] = "Tillit Survey"; }, "survey_id"},
        {[](Json& c) { c["survey_version"] = -1; }, "survey_version"},
        {[](Json& c) { c["survey_version"] = "1"; }, "survey_version"},
        {[](Json& c) { c["time_bucket"] = "2026-11-23T14:07"; }, "time_bucket"},
        {[](Json& c) { c["time_bucket"] = "2026-11-23T14:07:12Z"; }, "time_bucket"},
        {[](Json& c) { c["time_bucket"] = 20261123; }, "time_bucket"},
        {[](Json& c) { c["answers"] = Json::array(); }, "answers"},
        {[](Json& c) { c["language"] = 5; }, "language"},
    };
    for (const auto& [change, field] : bad) {
        const std::string problem = item_content_problem(response_with(change));
        CAPTURE(field);
        CHECK(problem.find(field) != std::string::npos);
    }

    Json content = contract::abandonment_item().content;
    content["reached_step"] = 16;
    CHECK(item_content_problem(wire::make_item(tillit::new_uuid_v4(), wire::ItemKind::Abandonment, content))
              .find("reached_step") != std::string::npos);
    content = contract::abandonment_item().content;
    content["answers"] = Json::object();  // an abandonment never carries answers
    CHECK(item_content_problem(wire::make_item(tillit::new_uuid_v4(), wire::ItemKind::Abandonment, content))
              .find("answers") != std::string::npos);
}

TEST_CASE("rate limiter: bursts to the per-minute figure, then refills on the monotonic clock") {
    using Clock = tillit::server::RateLimiter::Clock;
    tillit::server::RateLimiter limiter(6);  // one token every 10 s
    const Clock::time_point t0{};
    for (int i = 0; i < 6; ++i) CHECK_FALSE(limiter.take("kiosk-a", t0).has_value());
    const auto wait = limiter.take("kiosk-a", t0);
    REQUIRE(wait.has_value());
    CHECK(*wait == 10);
    CHECK_FALSE(limiter.take("kiosk-b", t0).has_value());  // buckets are per key
    const auto later = limiter.take("kiosk-a", t0 + std::chrono::seconds(4));
    REQUIRE(later.has_value());
    CHECK(*later == 6);
    CHECK_FALSE(limiter.take("kiosk-a", t0 + std::chrono::seconds(10)).has_value());
    CHECK(limiter.take("kiosk-a", t0 + std::chrono::seconds(10)).has_value());
    // A long pause refills to the burst size, never beyond it.
    for (int i = 0; i < 6; ++i) CHECK_FALSE(limiter.take("kiosk-a", t0 + std::chrono::hours(1)).has_value());
    CHECK(limiter.take("kiosk-a", t0 + std::chrono::hours(1)).has_value());
}

TEST_CASE("qr: a square of half blocks with a quiet zone all round") {
    auto qr = tillit::server::terminal_qr("58QTEE5Q2B");
    REQUIRE(qr);
    const std::string& text = qr.value();
    std::vector<std::string> lines;
    for (std::size_t start = 0, end; (end = text.find('\n', start)) != std::string::npos; start = end + 1) {
        lines.push_back(text.substr(start, end - start));
    }
    // Version 1 is 21 modules; plus 4 quiet modules a side = 29 columns, 15 text lines.
    REQUIRE(lines.size() == 15);
    const std::string full = "\xE2\x96\x88";
    std::string quiet_row;
    for (int i = 0; i < 29; ++i) quiet_row += full;
    CHECK(lines[0] == quiet_row);
    CHECK(lines[1] == quiet_row);
    for (std::size_t i = 0; i < lines.size(); ++i) {
        std::size_t characters = 0;
        for (unsigned char c : lines[i]) characters += (c & 0xC0) != 0x80;
        CHECK(characters == 29);
        // 29 rows: the last text line holds the final quiet row in its upper half only.
        if (i + 1 < lines.size()) CHECK(lines[i].starts_with(full + full + full + full));
    }
    std::string upper_row;
    for (int i = 0; i < 29; ++i) upper_row += "\xE2\x96\x80";
    CHECK(lines.back() == upper_row);
}
