// The one set of checks every ServerStore backend must pass (server/server_store.h):
// enrol codes, devices, heartbeats, exactly-once items, central config and sealing
// keys. Each backend's test file calls these with a factory for its own stores; the
// backend-specific cases (files, schema versions, connections) stay in those files.
// Written as doctest SUBCASEs, so call them from inside a TEST_CASE.
#pragma once

#include <doctest/doctest.h>

#include <algorithm>
#include <cctype>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/privacy.h"
#include "core/wire.h"
#include "core/workshop.h"
#include "server_store.h"

namespace tillit::test::contract {

inline std::unique_ptr<server::ServerStore> require_store(
    const std::function<std::unique_ptr<server::ServerStore>()>& make) {
    auto store = make();
    REQUIRE(store != nullptr);
    return store;
}

inline nlohmann::json response_content(int answer, const std::string& venue = "biblioteket-centrum") {
    return {{"survey_id", "tillit"},   {"survey_version", 1},          {"language", "sv"},
            {"venue_id", venue},       {"time_bucket", "2026-11-23T14"}, {"answers", {{"trust_general", answer}}}};
}

inline wire::Item response_item(int answer) {
    return wire::make_item(new_uuid_v4(), wire::ItemKind::Response, response_content(answer));
}

inline wire::Item abandonment_item() {
    return wire::make_item(new_uuid_v4(), wire::ItemKind::Abandonment,
                           {{"survey_id", "tillit"},
                            {"survey_version", 1},
                            {"language", "en"},
                            {"venue_id", "biblioteket-centrum"},
                            {"time_bucket", "2026-11-23"},
                            {"reached_step", 4},
                            {"total_steps", 15}});
}

// A finished workshop's record as a kiosk sends it (core/workshop.h record_json).
inline wire::Item workshop_item(const std::string& venue = "biblioteket-centrum") {
    Workshop w;
    w.id = new_uuid_v4();
    w.day = "2026-11-23";
    w.setup.venue_id = venue;
    w.setup.title = "Dialog på biblioteket";
    w.setup.question = "Hur kan vi främja arenor för gemenskap och nätverk?";
    w.setup.theme_id = "meeting_places";
    w.setup.question_kind = QuestionKind::Promoting;
    Contribution c;
    c.id = new_uuid_v4();
    c.step = WorksheetStep::NextSteps;
    c.text = "Boka ett möte";
    c.dots = 4;
    w.contributions.push_back(c);
    w.dot_turns = 3;
    return wire::make_item(w.id, wire::ItemKind::Workshop, record_json(w, {{"responses", 42}}));
}

inline wire::ReceivedBatch batch_of(const std::vector<wire::Item>& items) {
    wire::ReceivedBatch batch;
    batch.batch_id = new_uuid_v4();
    for (const wire::Item& item : items) batch.items.push_back({item, ""});
    return batch;
}

// A fresh device on `store`, enrolled through a one-time code.
inline server::Device enrolled_device(server::ServerStore& store, const std::string& venue = "biblioteket-centrum") {
    auto code = store.create_enrol_code(venue, 24);
    REQUIRE_MESSAGE(code, (code.ok() ? "" : code.error()));
    auto device = store.enrol(code.value().code, wire::generate_device_keys().public_key);
    REQUIRE_MESSAGE(device, (device.ok() ? "" : device.error()));
    return device.value();
}

inline std::vector<wire::ItemStatus> statuses(const std::vector<wire::ItemResult>& results) {
    std::vector<wire::ItemStatus> out;
    for (const auto& r : results) out.push_back(r.status);
    return out;
}

inline std::optional<server::StoredItem> stored_item(server::ServerStore& store, const std::string& id) {
    auto items = store.items();
    REQUIRE_MESSAGE(items, (items.ok() ? "" : items.error()));
    for (const auto& item : items.value()) {
        if (item.id == id) return item;
    }
    return std::nullopt;
}

}  // namespace tillit::test::contract

// `fresh_store` returns a new, empty store each time it is called. Global (not in a
// namespace) so backend test files can call it unqualified.
inline void check_store_contract(const std::function<std::unique_ptr<tillit::server::ServerStore>()>& fresh_store) {
    namespace wire = tillit::wire;
    using namespace tillit::test::contract;
    using tillit::server::Device;
    using wire::ItemStatus;

    SUBCASE("a workshop record is stored once, as a workshop, next to responses") {
        auto store = require_store(fresh_store);
        const Device device = enrolled_device(*store);
        const wire::Item workshop = workshop_item();
        const wire::Item response = response_item(3);
        auto first = store->put_batch(device.device_id, batch_of({workshop, response}));
        REQUIRE_MESSAGE(first, (first.ok() ? "" : first.error()));
        CHECK(statuses(first.value()) == std::vector<ItemStatus>{ItemStatus::Created, ItemStatus::Created});
        auto again = store->put_batch(device.device_id, batch_of({workshop}));
        REQUIRE(again);
        CHECK(statuses(again.value()) == std::vector<ItemStatus>{ItemStatus::Duplicate});
        const auto stored = stored_item(*store, workshop.id);
        REQUIRE(stored.has_value());
        CHECK(stored->kind == wire::ItemKind::Workshop);
        CHECK(stored->sha256 == workshop.sha256);
        const auto content = nlohmann::json::parse(stored->content_json);
        CHECK(content["workshop"]["contributions"]["next_steps"][0]["text"] == "Boka ett möte");
        CHECK(content["workshop"]["data_shown"]["responses"] == 42);
        CHECK(stored_item(*store, response.id)->kind == wire::ItemKind::Response);
    }

    SUBCASE("an enrol code is 10 Crockford base32 characters, single use, and registers the device") {
        auto store = require_store(fresh_store);
        auto code = store->create_enrol_code("biblioteket-centrum", 24);
        REQUIRE_MESSAGE(code, (code.ok() ? "" : code.error()));
        CHECK(code.value().code.size() == 10);
        CHECK(code.value().code.find_first_not_of("0123456789ABCDEFGHJKMNPQRSTVWXYZ") == std::string::npos);
        CHECK(code.value().venue_id == "biblioteket-centrum");
        CHECK_FALSE(code.value().expires_at.empty());

        const auto keys = wire::generate_device_keys();
        auto device = store->enrol(code.value().code, keys.public_key);
        REQUIRE_MESSAGE(device, (device.ok() ? "" : device.error()));
        CHECK(wire::is_uuid_v4(device.value().device_id));
        CHECK(device.value().venue_id == "biblioteket-centrum");
        CHECK(device.value().public_key == keys.public_key);
        CHECK_FALSE(device.value().revoked);
        CHECK_FALSE(device.value().enrolled_at.empty());

        auto found = store->find_device(device.value().device_id);
        REQUIRE(found);
        REQUIRE(found.value().has_value());
        CHECK(found.value()->public_key == keys.public_key);
        CHECK(found.value()->venue_id == "biblioteket-centrum");

        auto again = store->enrol(code.value().code, wire::generate_device_keys().public_key);
        REQUIRE_FALSE(again);
        CHECK(again.error().find("used") != std::string::npos);
        auto devices = store->devices();
        REQUIRE(devices);
        CHECK(devices.value().size() == 1);
    }

    SUBCASE("two codes are different and each makes its own device") {
        auto store = require_store(fresh_store);
        const Device a = enrolled_device(*store, "venue-a");
        const Device b = enrolled_device(*store, "venue-b");
        CHECK(a.device_id != b.device_id);
        CHECK(a.venue_id == "venue-a");
        CHECK(b.venue_id == "venue-b");
    }

    SUBCASE("a typed code is forgiven case, dashes and the look-alikes I, L and O") {
        auto store = require_store(fresh_store);
        auto code = store->create_enrol_code("biblioteket-centrum", 24);
        REQUIRE(code);
        std::string typed;
        for (char c : code.value().code) {
            typed += c == '1' ? 'l' : c == '0' ? 'o' : static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        }
        typed.insert(5, "-");
        auto device = store->enrol(typed, wire::generate_device_keys().public_key);
        CHECK_MESSAGE(device, (device.ok() ? "" : device.error()));
    }

    SUBCASE("an expired code is refused, and says so") {
        auto store = require_store(fresh_store);
        auto code = store->create_enrol_code("biblioteket-centrum", 0);  // 0 hours: expired at once
        REQUIRE(code);
        auto device = store->enrol(code.value().code, wire::generate_device_keys().public_key);
        REQUIRE_FALSE(device);
        CHECK(device.error().find("expired") != std::string::npos);
        auto devices = store->devices();
        REQUIRE(devices);
        CHECK(devices.value().empty());
    }

    SUBCASE("an unknown or malformed code is refused") {
        auto store = require_store(fresh_store);
        CHECK_FALSE(store->enrol("ABCDEFGHJK", wire::generate_device_keys().public_key));
        CHECK_FALSE(store->enrol("", wire::generate_device_keys().public_key));
        CHECK_FALSE(store->enrol("not a code at all!", wire::generate_device_keys().public_key));
    }

    SUBCASE("a bad public key is refused without burning the code") {
        auto store = require_store(fresh_store);
        auto code = store->create_enrol_code("biblioteket-centrum", 24);
        REQUIRE(code);
        CHECK_FALSE(store->enrol(code.value().code, std::string(31, 'k')));
        auto device = store->enrol(code.value().code, wire::generate_device_keys().public_key);
        CHECK_MESSAGE(device, (device.ok() ? "" : device.error()));
    }

    SUBCASE("create_enrol_code refuses an empty venue and negative hours") {
        auto store = require_store(fresh_store);
        CHECK_FALSE(store->create_enrol_code("", 24));
        CHECK_FALSE(store->create_enrol_code("biblioteket-centrum", -1));
    }

    SUBCASE("revoke marks the device; an unknown device is an error") {
        auto store = require_store(fresh_store);
        const Device device = enrolled_device(*store);
        const Device other = enrolled_device(*store);
        REQUIRE(store->revoke(device.device_id));
        auto found = store->find_device(device.device_id);
        REQUIRE(found);
        REQUIRE(found.value().has_value());
        CHECK(found.value()->revoked);
        auto untouched = store->find_device(other.device_id);
        REQUIRE(untouched);
        CHECK_FALSE(untouched.value()->revoked);
        CHECK_FALSE(store->revoke(tillit::new_uuid_v4()));
        auto unknown = store->find_device(tillit::new_uuid_v4());
        REQUIRE(unknown);
        CHECK_FALSE(unknown.value().has_value());
    }

    SUBCASE("the latest heartbeat wins and is listed with the device") {
        auto store = require_store(fresh_store);
        const Device device = enrolled_device(*store);
        auto before = store->find_device(device.device_id);
        REQUIRE(before);
        CHECK(before.value()->last_heartbeat_json.empty());
        CHECK(before.value()->last_seen_at.empty());
        REQUIRE(store->record_heartbeat(device.device_id, R"({"pending":12})"));
        REQUIRE(store->record_heartbeat(device.device_id, R"({"pending":3})"));
        auto after = store->find_device(device.device_id);
        REQUIRE(after);
        CHECK(nlohmann::json::parse(after.value()->last_heartbeat_json) == nlohmann::json{{"pending", 3}});
        CHECK_FALSE(after.value()->last_seen_at.empty());
        auto devices = store->devices();
        REQUIRE(devices);
        REQUIRE(devices.value().size() == 1);
        CHECK(nlohmann::json::parse(devices.value()[0].last_heartbeat_json) == nlohmann::json{{"pending", 3}});
        CHECK_FALSE(store->record_heartbeat(tillit::new_uuid_v4(), "{}"));
    }

    SUBCASE("put_batch: created, then duplicate on resend, nothing doubled") {
        auto store = require_store(fresh_store);
        const Device device = enrolled_device(*store);
        const auto batch = batch_of({response_item(4), abandonment_item(), response_item(2)});
        auto first = store->put_batch(device.device_id, batch);
        REQUIRE_MESSAGE(first, (first.ok() ? "" : first.error()));
        CHECK(statuses(first.value()) ==
              std::vector<ItemStatus>{ItemStatus::Created, ItemStatus::Created, ItemStatus::Created});
        for (std::size_t i = 0; i < batch.items.size(); ++i) CHECK(first.value()[i].id == batch.items[i].item.id);
        auto resend = store->put_batch(device.device_id, batch);
        REQUIRE(resend);
        CHECK(statuses(resend.value()) ==
              std::vector<ItemStatus>{ItemStatus::Duplicate, ItemStatus::Duplicate, ItemStatus::Duplicate});
        auto count = store->count_items();
        REQUIRE(count);
        CHECK(count.value() == 3);
    }

    SUBCASE("put_batch: the same id with other content is a conflict and the stored item is kept") {
        auto store = require_store(fresh_store);
        const Device device = enrolled_device(*store);
        const wire::Item original = response_item(5);
        REQUIRE(store->put_batch(device.device_id, batch_of({original})));
        const wire::Item changed = wire::make_item(original.id, wire::ItemKind::Response, response_content(1));
        auto answer = store->put_batch(enrolled_device(*store).device_id, batch_of({changed}));
        REQUIRE(answer);
        REQUIRE(answer.value().size() == 1);
        CHECK(answer.value()[0].status == ItemStatus::Conflict);
        CHECK(answer.value()[0].id == original.id);
        auto kept = stored_item(*store, original.id);
        REQUIRE(kept.has_value());
        CHECK(kept->sha256 == original.sha256);
        CHECK(kept->content_json == wire::canonical(original.content));
        CHECK(kept->device_id == device.device_id);
    }

    SUBCASE("put_batch: invalid items are echoed with their reason and do not stop the others") {
        auto store = require_store(fresh_store);
        const Device device = enrolled_device(*store);
        const wire::Item good_a = response_item(3);
        const wire::Item good_b = abandonment_item();
        wire::ReceivedBatch batch = batch_of({good_a});
        wire::ReceivedItem bad;
        bad.item = response_item(1);
        bad.invalid_reason = "sha256 does not match the content";
        batch.items.push_back(bad);
        batch.items.push_back({{}, "item without a string id"});
        batch.items.push_back({good_b, ""});
        auto answer = store->put_batch(device.device_id, batch);
        REQUIRE_MESSAGE(answer, (answer.ok() ? "" : answer.error()));
        REQUIRE(answer.value().size() == 4);
        CHECK(statuses(answer.value()) == std::vector<ItemStatus>{ItemStatus::Created, ItemStatus::Invalid,
                                                                  ItemStatus::Invalid, ItemStatus::Created});
        CHECK(answer.value()[1].id == bad.item.id);
        CHECK(answer.value()[1].reason == "sha256 does not match the content");
        CHECK(answer.value()[2].reason == "item without a string id");
        auto count = store->count_items();
        REQUIRE(count);
        CHECK(count.value() == 2);
        CHECK_FALSE(stored_item(*store, bad.item.id).has_value());
    }

    SUBCASE("put_batch: an empty batch is answered with no results") {
        auto store = require_store(fresh_store);
        const Device device = enrolled_device(*store);
        auto answer = store->put_batch(device.device_id, batch_of({}));
        REQUIRE(answer);
        CHECK(answer.value().empty());
    }

    SUBCASE("items() returns every field; the first batch to bring an item is kept") {
        auto store = require_store(fresh_store);
        const Device device = enrolled_device(*store);
        const wire::Item response = response_item(4);
        const wire::Item abandonment = abandonment_item();
        const auto first = batch_of({response, abandonment});
        REQUIRE(store->put_batch(device.device_id, first));
        REQUIRE(store->put_batch(device.device_id, batch_of({response})));  // a resend under a new batch id
        auto items = store->items();
        REQUIRE(items);
        REQUIRE(items.value().size() == 2);
        auto r = stored_item(*store, response.id);
        auto a = stored_item(*store, abandonment.id);
        REQUIRE(r.has_value());
        REQUIRE(a.has_value());
        CHECK(r->kind == wire::ItemKind::Response);
        CHECK(a->kind == wire::ItemKind::Abandonment);
        CHECK(r->sha256 == response.sha256);
        CHECK(nlohmann::json::parse(r->content_json) == response.content);
        CHECK(wire::sha256_hex(r->content_json) == r->sha256);
        CHECK(r->device_id == device.device_id);
        CHECK(r->batch_id == first.batch_id);
        CHECK(a->batch_id == first.batch_id);
        auto count = store->count_items();
        REQUIRE(count);
        CHECK(count.value() == 2);
    }

    SUBCASE("surveys and settings: stored, replaced, listed by id") {
        auto store = require_store(fresh_store);
        auto none = store->surveys();
        REQUIRE(none);
        CHECK(none.value().empty());
        REQUIRE(store->put_survey("tillit", "id = \"tillit\"\nversion = 1\n"));
        REQUIRE(store->put_survey("besok", "id = \"besok\"\nversion = 1\n"));
        REQUIRE(store->put_survey("tillit", "id = \"tillit\"\nversion = 2\n"));
        auto surveys = store->surveys();
        REQUIRE(surveys);
        REQUIRE(surveys.value().size() == 2);
        CHECK(surveys.value()[0].first == "besok");
        CHECK(surveys.value()[1].first == "tillit");
        CHECK(surveys.value()[1].second == "id = \"tillit\"\nversion = 2\n");

        REQUIRE(store->put_setting("idle_timeout_seconds", "60"));
        REQUIRE(store->put_setting("greeting", "\"Hej\""));
        REQUIRE(store->put_setting("idle_timeout_seconds", "90"));
        auto settings = store->settings();
        REQUIRE(settings);
        REQUIRE(settings.value().size() == 2);
        CHECK(settings.value()[0].first == "greeting");
        CHECK(nlohmann::json::parse(settings.value()[0].second) == "Hej");
        CHECK(settings.value()[1].first == "idle_timeout_seconds");
        CHECK(nlohmann::json::parse(settings.value()[1].second) == 90);
    }

    SUBCASE("admin values (report page state): stored, replaced, never among the kiosk-facing settings") {
        auto store = require_store(fresh_store);
        auto missing = store->admin_value("admin_password");
        REQUIRE(missing);
        CHECK(!missing.value().has_value());
        REQUIRE(store->put_admin_value("admin_password", "\"$argon2id$v=19$x\""));
        REQUIRE(store->put_admin_value("text_reviews", "{}"));
        REQUIRE(store->put_admin_value("text_reviews", "{\"a\":\"approved\"}"));
        CHECK_FALSE(store->put_admin_value("broken", "{not json"));
        CHECK_FALSE(store->put_admin_value("", "1"));
        auto reviews = store->admin_value("text_reviews");
        REQUIRE(reviews);
        REQUIRE(reviews.value().has_value());
        CHECK(nlohmann::json::parse(*reviews.value())["a"] == "approved");
        auto settings = store->settings();
        REQUIRE(settings);
        CHECK(settings.value().empty());
    }

    SUBCASE("the sealing key pair is created once and opens what was sealed to it") {
        auto store = require_store(fresh_store);
        auto keys = store->sealing_keys();
        REQUIRE_MESSAGE(keys, (keys.ok() ? "" : keys.error()));
        CHECK(keys.value().public_key.size() == 32);
        CHECK(keys.value().secret_key.size() == 32);
        auto again = store->sealing_keys();
        REQUIRE(again);
        CHECK(again.value().public_key == keys.value().public_key);
        CHECK(again.value().secret_key == keys.value().secret_key);
        auto opened = wire::unseal(again.value(), wire::seal(keys.value().public_key, "Ring mig på 070-123 45 67"));
        REQUIRE(opened);
        CHECK(opened.value() == "Ring mig på 070-123 45 67");
    }
}

// `open_same_store` opens the same underlying data each time (one file, one database):
// what a store has committed is there after it is closed and opened again.
inline void check_store_persistence(const std::function<std::unique_ptr<tillit::server::ServerStore>()>& open_same_store) {
    namespace wire = tillit::wire;
    using namespace tillit::test::contract;

    std::string device_id;
    std::string public_key;
    wire::Item item = response_item(4);
    {
        auto store = require_store(open_same_store);
        const auto device = enrolled_device(*store);
        device_id = device.device_id;
        auto keys = store->sealing_keys();
        REQUIRE(keys);
        public_key = keys.value().public_key;
        REQUIRE(store->put_batch(device_id, batch_of({item})));
        REQUIRE(store->record_heartbeat(device_id, R"({"pending":1})"));
        REQUIRE(store->put_survey("tillit", "text"));
        REQUIRE(store->put_setting("idle_timeout_seconds", "60"));
        REQUIRE(store->revoke(device_id));
    }
    auto store = require_store(open_same_store);
    auto keys = store->sealing_keys();
    REQUIRE(keys);
    CHECK(keys.value().public_key == public_key);
    auto device = store->find_device(device_id);
    REQUIRE(device);
    REQUIRE(device.value().has_value());
    CHECK(device.value()->revoked);
    CHECK(nlohmann::json::parse(device.value()->last_heartbeat_json) == nlohmann::json{{"pending", 1}});
    auto resend = store->put_batch(device_id, batch_of({item}));
    REQUIRE(resend);
    REQUIRE(resend.value().size() == 1);
    CHECK(resend.value()[0].status == wire::ItemStatus::Duplicate);
    auto surveys = store->surveys();
    REQUIRE(surveys);
    CHECK(surveys.value().size() == 1);
    auto settings = store->settings();
    REQUIRE(settings);
    CHECK(settings.value().size() == 1);
}
