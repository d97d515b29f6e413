// The fault tests' runner: doctest's own main (power loss, I/O errors; tests/faults).
#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include <doctest/doctest.h>

#if defined(__SANITIZE_ADDRESS__)
// Each fork() copies the page tables of ASan's quarantine of freed memory (256 MB by
// default), which made the power-loss test a quarter slower. ASAN_OPTIONS still wins.
extern "C" const char* __asan_default_options() {
    return "quarantine_size_mb=16";
}
#endif
