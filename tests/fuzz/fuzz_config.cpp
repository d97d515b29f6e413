// libFuzzer target: kiosk.toml (core/config.*), including the [sync] and [staff]
// tables. Any input must give a KioskConfig or an Error, never a crash.
#include <cstddef>
#include <cstdint>
#include <cstdio>

#include "core/config.h"
#include "fuzz_file.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static const std::string path = tillit::fuzz::scratch_path("kiosk.toml");
    tillit::fuzz::write_bytes(path, data, size);
    (void)tillit::load_config(path);
    std::remove(path.c_str());
    return 0;
}
