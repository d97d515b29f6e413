// Reading an export file's envelope (see export_reader.h). nlohmann's own messages
// are never passed on: they quote the text around the error.
#include "export_reader.h"

#include <nlohmann/json.hpp>
#include <utility>

#include "core/wire.h"

namespace tillit::server {

using Json = nlohmann::json;

Result<ExportFile> parse_export_file(std::string text) {
    Json doc;
    try {
        doc = Json::parse(text);
    } catch (const Json::parse_error& e) {
        // The byte, not nlohmann's message: that quotes the text around the error.
        return make_error("is not JSON (a syntax error at byte " + std::to_string(e.byte) +
                          "); is it a tillit export file?");
    } catch (const Json::exception&) {
        return make_error("is not JSON that this server can read; is it a tillit export file?");
    }
    text.clear();
    text.shrink_to_fit();
    if (!doc.is_object() || !doc.contains("format") || doc["format"] != "tillit-export") {
        return make_error("is not a tillit export file (\"format\" is not \"tillit-export\")");
    }
    if (!doc.contains("version") || !doc["version"].is_number_integer()) {
        return make_error("\"version\" is missing or not a whole number");
    }
    if (doc["version"] != 1) {
        return make_error("is export format version " + doc["version"].dump() +
                          "; this tillit-server reads version 1 only (update the server)");
    }
    if (!doc.contains("device_id") || !doc["device_id"].is_string()) {
        return make_error("\"device_id\" is missing or not a string");
    }
    ExportFile export_file;
    export_file.device_id = doc["device_id"].get<std::string>();
    if (!wire::is_uuid_v4(export_file.device_id)) return make_error("\"device_id\" is not a device id (a UUIDv4)");
    if (!doc.contains("batches") || !doc["batches"].is_array()) {
        return make_error("\"batches\" is missing or not a list");
    }
    for (std::size_t i = 0; i < doc["batches"].size(); ++i) {
        Json& entry = doc["batches"][i];
        const std::string where = "batches[" + std::to_string(i) + "]";
        if (!entry.is_object()) return make_error(where + " is not an object");
        for (const char* key : {"batch_id", "body", "signature"}) {
            if (!entry.contains(key) || !entry[key].is_string()) {
                return make_error(where + ": \"" + key + "\" is missing or not a string");
            }
        }
        ExportEntry batch{.batch_id = entry["batch_id"].get<std::string>(),
                          .body_base64 = std::move(entry["body"].get_ref<std::string&>()),
                          .signature = entry["signature"].get<std::string>()};
        if (!wire::is_uuid_v4(batch.batch_id)) return make_error(where + ": \"batch_id\" is not a UUIDv4");
        export_file.batches.push_back(std::move(batch));
    }
    return export_file;
}

}  // namespace tillit::server
