// Renders a short text (the one-time enrol code) as a QR code in the terminal with
// UTF-8 half-block characters, two module rows per text line. Meant for a code a
// phone or the kiosk's camera reads off the admin's screen; not for images or print.
#pragma once

#include <string>

#include "core/result.h"

namespace tillit::server {

// Lines ending in '\n'. Light modules and the 4-module quiet zone are drawn as blocks,
// dark ones as blanks: right for the usual light-on-dark terminal (like `qrencode -t UTF8`).
Result<std::string> terminal_qr(const std::string& text);

}  // namespace tillit::server
