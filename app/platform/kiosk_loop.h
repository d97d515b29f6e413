// The window and the event loop: GLFW + OpenGL 3.3, full screen on the primary
// monitor (or --windowed WxH), event-driven rendering (an idle kiosk waits for input
// and draws nothing), and the kiosk's refusal to be closed by a resident.
#pragma once

#include "core/launch.h"

namespace tillit::platform {

// Returned by run_kiosk when the database was found damaged while the kiosk ran: load
// the kiosk again (which moves the file aside, see store_recovery.h) and run it again.
constexpr int kRestartKiosk = -1;

// Runs until an admin quits from the staff screen, or SIGTERM/SIGINT; in windowed mode
// closing the window also quits (full screen ignores it). Returns the process exit code,
// or kRestartKiosk. The whole database is checked for damage while the first screens show
// (store_health.h); `setup` may have opened it with StartCheck::Later.
int run_kiosk(KioskSetup& setup, const LaunchOptions& options);

}  // namespace tillit::platform
