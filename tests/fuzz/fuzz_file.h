// The parsers that read a path (kiosk.toml, survey files) get the fuzzer's bytes
// through one file per process in /dev/shm (or TMPDIR): cheap, and exactly the path
// the kiosk takes at start. Header-only; used by the libFuzzer targets only.
#pragma once

#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <string>

namespace tillit::fuzz {

inline std::string scratch_path(const char* name) {
    const char* dir = std::getenv("TILLIT_FUZZ_SCRATCH");
    std::string base = dir ? dir : (access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp");
    return base + "/tillit-fuzz-" + std::to_string(getpid()) + "-" + name;
}

inline void write_bytes(const std::string& path, const std::uint8_t* data, std::size_t size) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
}

}  // namespace tillit::fuzz
