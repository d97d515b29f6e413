// Writing one value into kiosk.toml without disturbing the rest: comments, order and
// spacing stay as the admin left them. Used by `tillit-kiosk --set-pin`. The new file
// replaces the old one atomically (temp file, fsync, rename), keeping its mode and owner.
#pragma once

#include <string>

#include "core/result.h"

namespace tillit {

// Sets `key = "value"` in [table]: replaces the key's line when it is there, adds it
// under the table's header when only the table is there, and appends the table when
// neither is. `value` must not hold quotes, backslashes or line breaks.
Status set_toml_string(const std::string& path, const std::string& table, const std::string& key,
                       const std::string& value, const std::string& comment);

// Writes `content` to `path` atomically (same folder temp file, fsync, rename, fsync of
// the folder); an existing file's permissions and owner carry over.
Status write_file_atomically(const std::string& path, const std::string& content);

}  // namespace tillit
