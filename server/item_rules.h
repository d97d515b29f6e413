// What tillit-server accepts inside an item's content (docs/sync-protocol.md): exactly
// the fields the protocol lists, each in its allowed form. The server enforces the
// privacy rules too (no field beyond the list, no time finer than an hour), so a
// misbehaving kiosk cannot store more than an anonymous response. Hashes, ids and
// kinds are checked earlier by wire::parse_batch; storage is not handled here.
#pragma once

#include <string>

#include "core/wire.h"

namespace tillit::server {

// "" when the content is acceptable; otherwise the reason, for the item's `invalid`.
std::string item_content_problem(const wire::Item& item);

}  // namespace tillit::server
