// A private temporary folder for one test, removed with everything in it when the
// test ends. Only for tests: no cleanup of folders left behind by a crashed run.
#pragma once

#include <doctest/doctest.h>
#include <stdlib.h>

#include <filesystem>
#include <string>
#include <system_error>

namespace tillit::test {

struct TempDir {
    std::filesystem::path path;

    TempDir() : TempDir(std::filesystem::temp_directory_path()) {}
    // Below `parent` (e.g. /dev/shm, where fsync costs nothing) instead of the temp folder.
    explicit TempDir(const std::filesystem::path& parent) {
        std::string pattern = (parent / "tillit-server-test-XXXXXX").string();
        REQUIRE(mkdtemp(pattern.data()) != nullptr);
        path = pattern;
    }
    ~TempDir() {
        std::error_code ignored;
        std::filesystem::remove_all(path, ignored);
    }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;

    std::string file(const std::string& name) const { return (path / name).string(); }
};

}  // namespace tillit::test
