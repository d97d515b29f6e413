// doctest's main for the network fault tests (net_fault_tests: the soak and the clock
// jumps). Their temp dirs are removed after a run without failures and kept after a
// failure, with the children's logs, to be read.
#define DOCTEST_CONFIG_IMPLEMENT
#include <doctest/doctest.h>

#include "../sync/e2e_harness.h"

int main(int argc, char** argv) {
    const int failed = doctest::Context(argc, argv).run();
    if (failed == 0) tillit::test::remove_fresh_dirs();
    return failed;
}
