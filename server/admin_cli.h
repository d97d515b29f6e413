// tillit-server's command line: `serve` plus the admin commands (enrol, revoke,
// devices, export, import, put-survey, put-setting, set-admin-password), each against the store named by --store.
// Parses arguments, runs one command and turns every failure into a message and an
// exit code; the work itself lives in the store, the HTTP server and the QR renderer.
#pragma once

#include <istream>
#include <ostream>
#include <string>
#include <vector>

namespace tillit::server {

constexpr int kExitOk = 0;
constexpr int kExitFailed = 1;    // the command ran and could not do its job
constexpr int kExitBadUsage = 2;  // the command line itself is wrong

// `args` without the program name. `serve` blocks until SIGTERM or SIGINT.
int run_admin_cli(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);
// The same, reading what a command reads from stdin (set-admin-password) from `in`.
int run_admin_cli(const std::vector<std::string>& args, std::istream& in, std::ostream& out, std::ostream& err);

}  // namespace tillit::server
