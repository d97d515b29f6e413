// libFuzzer target: the PO loader (Catalog::parse_po): escapes, multi-line strings,
// msgctxt, plurals, fuzzy flags. Any input must give a Catalog or an Error.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "core/i18n.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    auto catalog = tillit::Catalog::parse_po(text, "fuzz.po");
    if (catalog) {
        for (const auto& [msgid, msgstr] : catalog.value().messages()) (void)catalog.value().find(msgid);
    }
    return 0;
}
