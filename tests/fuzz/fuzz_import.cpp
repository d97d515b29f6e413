// libFuzzer target: the envelope of an offline export file (`tillit-server import`,
// server/export_reader.*), and the base64 of each batch body it lists, which import
// decodes next. Any input must give an ExportFile or an Error.
//
// TILLIT_FUZZ_WRITE_SEEDS=DIR writes a real export file to DIR and exits.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

#include "core/privacy.h"
#include "core/wire.h"
#include "export_reader.h"

extern "C" int LLVMFuzzerInitialize(int*, char***) {
    if (const char* dir = std::getenv("TILLIT_FUZZ_WRITE_SEEDS")) {
        using namespace tillit;
        const wire::DeviceKeys keys = wire::generate_device_keys();
        nlohmann::json batches = nlohmann::json::array();
        for (int i = 0; i < 2; ++i) {
            const std::string batch_id = new_uuid_v4();
            const std::string body =
                wire::gzip(wire::batch_json(batch_id, {wire::make_item(new_uuid_v4(), wire::ItemKind::Response,
                                                                       {{"survey_id", "tillit"},
                                                                        {"survey_version", 1},
                                                                        {"language", "sv"},
                                                                        {"venue_id", "biblioteket-centrum"},
                                                                        {"time_bucket", "2026-11-23T14"},
                                                                        {"answers", {{"trust_general", i}}}})}));
            batches.push_back({{"batch_id", batch_id},
                               {"body", wire::base64_encode(body)},
                               {"signature", wire::sign(keys, "/v1/batches", body)}});
        }
        const nlohmann::json doc = {
            {"format", "tillit-export"}, {"version", 1}, {"device_id", new_uuid_v4()}, {"batches", batches}};
        std::ofstream(std::string(dir) + "/export.json", std::ios::binary) << doc.dump(2);
        std::exit(0);
    }
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    auto file = tillit::server::parse_export_file(std::string(reinterpret_cast<const char*>(data), size));
    if (file) {
        for (const auto& entry : file.value().batches) (void)tillit::wire::base64_decode(entry.body_base64);
    }
    return 0;
}
