// The offline export file (see export_file.h); its format is in docs/sync-protocol.md.
#include "core/export_file.h"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <ctime>
#include <filesystem>

#include <nlohmann/json.hpp>

#include "core/config_edit.h"
#include "core/privacy.h"

namespace tillit {
namespace fs = std::filesystem;

namespace {

constexpr const char* kBatchesPath = "/v1/batches";  // what the signature covers, as for a POST

}  // namespace

Result<ExportSummary> write_export(Store& store, const std::string& folder, const std::string& venue_id,
                                   int batch_size) {
    auto identity = store.identity();
    if (!identity) return make_error(identity.error());
    if (!identity.value()) {
        return make_error("this kiosk is not enrolled yet; the server accepts only files signed by an enrolled kiosk");
    }
    std::error_code ec;
    if (!fs::is_directory(folder, ec)) return make_error(folder + " is not a folder that can be written");
    if (::access(folder.c_str(), W_OK) != 0) return make_error(folder + " is read-only");

    while (true) {
        auto batch = store.freeze_batch(std::max(1, batch_size));
        if (!batch) return make_error(batch.error());
        if (!batch.value()) break;
    }
    auto batches = store.frozen_batches();
    if (!batches) return make_error(batches.error());

    const DeviceIdentity& device = *identity.value();
    const wire::DeviceKeys keys{device.public_key, device.secret_key};
    nlohmann::json root = {{"format", "tillit-export"}, {"version", 1}, {"device_id", device.device_id}};
    nlohmann::json list = nlohmann::json::array();
    ExportSummary summary;
    for (const FrozenBatch& batch : batches.value()) {
        list.push_back({{"batch_id", batch.batch_id},
                        {"body", wire::base64_encode(batch.body)},
                        {"signature", wire::sign(keys, kBatchesPath, batch.body)}});
        summary.items += static_cast<long long>(batch.item_ids.size());
        ++summary.batches;
    }
    root["batches"] = std::move(list);

    const std::string stem = "tillit-export-" + venue_id + "-" + device.device_id.substr(0, 8) + "-" +
                             local_time_now("%Y%m%d");  // a day: no finer time in the name
    fs::path file = fs::path(folder) / (stem + ".json");
    for (int n = 2; fs::exists(file, ec); ++n) file = fs::path(folder) / (stem + "-" + std::to_string(n) + ".json");
    if (const Status written = write_file_atomically(file.string(), root.dump() + "\n"); !written) {
        return make_error(written.error());
    }
    summary.file = file.string();
    return summary;
}

std::vector<ExportTarget> find_export_targets(const std::vector<std::string>& roots, const std::string& data_dir) {
    std::vector<ExportTarget> targets;
    auto offer = [&](const fs::path& dir) {
        if (::access(dir.c_str(), W_OK) != 0) return;
        if (std::any_of(targets.begin(), targets.end(), [&](const ExportTarget& t) { return t.path == dir.string(); })) {
            return;
        }
        targets.push_back({dir.string(), dir.filename().string(), true});
    };
    for (const std::string& root : roots) {
        std::error_code ec;
        // /media/<stick> and /media/<user>/<stick> (udisks), whichever this system uses.
        for (const auto& first : fs::directory_iterator(root, ec)) {
            std::error_code inner;
            if (!first.is_directory(inner)) continue;
            offer(first.path());
            for (const auto& second : fs::directory_iterator(first.path(), inner)) {
                std::error_code deeper;
                if (second.is_directory(deeper)) offer(second.path());
            }
        }
    }
    std::sort(targets.begin(), targets.end(), [](const ExportTarget& a, const ExportTarget& b) { return a.path < b.path; });
    const fs::path own = fs::path(data_dir) / "exports";
    std::error_code ec;
    fs::create_directories(own, ec);
    targets.push_back({own.string(), "", false});
    return targets;
}

}  // namespace tillit
