// The sync test runner: doctest's main for tests/sync/*.cpp. Started with
// kSyncChildFlag it is instead a kiosk process that syncs one store (the kill -9 test
// runs it as a child and kills it mid-batch). The tests' temp dirs are removed after a
// run without failures and kept after a failure.
#define DOCTEST_CONFIG_IMPLEMENT
#include <doctest/doctest.h>

#include <string_view>

#include "e2e_harness.h"

int main(int argc, char** argv) {
    if (argc > 1 && std::string_view(argv[1]) == tillit::test::kSyncChildFlag) {
        return tillit::test::sync_child_main(argc, argv);
    }
    const int failed = doctest::Context(argc, argv).run();
    if (failed == 0) tillit::test::remove_fresh_dirs();
    return failed;
}
