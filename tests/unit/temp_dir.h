// A fresh folder under the system temp dir for one test, removed with everything in it.
#pragma once

#include <filesystem>
#include <string>

#include "core/privacy.h"

namespace tillit::test {

class TempDir {
public:
    explicit TempDir(const std::string& prefix = "tillit-test-")
        : path(std::filesystem::temp_directory_path() / (prefix + new_uuid_v4())) {
        std::filesystem::create_directories(path);
    }
    ~TempDir() {
        std::error_code ignored;
        std::filesystem::remove_all(path, ignored);
    }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;

    std::string file(const std::string& name) const { return (path / name).string(); }

    const std::filesystem::path path;
};

}  // namespace tillit::test
