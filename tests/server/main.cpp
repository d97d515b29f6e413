// The server test runner: doctest's own main, shared by every tests/server/*.cpp file
// (store backends, the HTTP endpoints in-process, the admin CLI).
#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include <doctest/doctest.h>
