// libFuzzer target: POST /v1/batches after the HTTP layer, i.e. ingest_batch on raw
// bytes against a real SQLite server store with one enrolled device. The harness
// signs every input with that device's key, so the fuzzer's bytes get past the
// signature check and reach inflate, parse_batch, the item rules and put_batch.
// First byte even: the rest is the batch JSON and is gzipped here (the parser is
// fuzzed); odd: the rest is the body exactly as sent (gunzip is fuzzed). Every 16th
// input is also sent with a wrong signature, which must be refused before inflating.
//
// TILLIT_FUZZ_WRITE_SEEDS=DIR writes seed inputs (a real batch) to DIR and exits.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <string>
#include <variant>

#include "batch_ingest.h"
#include "core/privacy.h"
#include "core/wire.h"
#include "fuzz_file.h"
#include "server_store.h"

namespace {

using namespace tillit;
using nlohmann::json;

struct Setup {
    std::unique_ptr<server::ServerStore> store;
    wire::DeviceKeys keys;
    std::string device_id;
};

Setup make_setup() {
    Setup setup;
    const std::string path = fuzz::scratch_path("server.db");
    std::remove(path.c_str());
    auto store = server::open_sqlite_server_store(path);
    if (!store) std::abort();
    setup.store = std::move(store).value();
    auto code = setup.store->create_enrol_code("biblioteket-centrum", 24);
    if (!code) std::abort();
    setup.keys = wire::generate_device_keys();
    auto device = setup.store->enrol(code.value().code, setup.keys.public_key);
    if (!device) std::abort();
    setup.device_id = device.value().device_id;
    return setup;
}

std::string seed_batch() {
    std::vector<wire::Item> items;
    items.push_back(wire::make_item(new_uuid_v4(), wire::ItemKind::Response,
                                    {{"survey_id", "tillit"},
                                     {"survey_version", 1},
                                     {"language", "sv"},
                                     {"venue_id", "biblioteket-centrum"},
                                     {"time_bucket", "2026-11-23T14"},
                                     {"answers", {{"trust_general", 4}, {"comment", "ett svar"}}}}));
    items.push_back(wire::make_item(new_uuid_v4(), wire::ItemKind::Abandonment,
                                    {{"survey_id", "tillit"},
                                     {"survey_version", 1},
                                     {"language", "en"},
                                     {"venue_id", "biblioteket-centrum"},
                                     {"time_bucket", "2026-11-23"},
                                     {"reached_step", 4},
                                     {"total_steps", 15}}));
    return wire::batch_json(new_uuid_v4(), items);
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
    if (const char* dir = std::getenv("TILLIT_FUZZ_WRITE_SEEDS")) {
        const std::string json_text = seed_batch();
        std::ofstream(std::string(dir) + "/batch-json", std::ios::binary) << '\0' << json_text;
        std::ofstream(std::string(dir) + "/batch-gzip", std::ios::binary) << '\1' << wire::gzip(json_text);
        std::exit(0);
    }
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static Setup setup = make_setup();
    static unsigned count = 0;
    if (size == 0) return 0;
    const std::string rest(reinterpret_cast<const char*>(data) + 1, size - 1);
    const std::string body = (data[0] % 2 == 0) ? wire::gzip(rest) : rest;
    const std::string signature = wire::sign(setup.keys, server::kBatchesPath, body);
    server::BatchRequest request{
        .device_id = setup.device_id, .signature_base64 = signature, .gzipped_body = body, .expected_batch_id = {}};
    auto answer = server::ingest_batch(*setup.store, request);
    if (auto* refused = std::get_if<server::Refusal>(&answer)) {
        // A signed body may be refused only for what is wrong with it.
        if (refused->kind != server::RefusalKind::Corrupt && refused->kind != server::RefusalKind::TooLarge) {
            std::abort();
        }
    }
    if (++count % 16 == 0) {
        const std::string wrong = wire::sign(wire::generate_device_keys(), server::kBatchesPath, body);
        request.signature_base64 = wrong;
        auto refused = server::ingest_batch(*setup.store, request);
        auto* refusal = std::get_if<server::Refusal>(&refused);
        if (!refusal || refusal->kind != server::RefusalKind::BadSignature) std::abort();
    }
    return 0;
}
