// The speech test runner: doctest's own main, shared by every tests/speech/*.cpp file.
#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include <doctest/doctest.h>
