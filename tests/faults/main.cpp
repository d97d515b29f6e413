// The fault tests' runner: doctest's own main (power loss, I/O errors; tests/faults).
#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include <doctest/doctest.h>
