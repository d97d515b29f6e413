// tillit-server: the reference municipal server for tillit kiosks. This file only
// hands the command line to the admin CLI (server/admin_cli.cpp), which runs `serve`
// or one admin command; see `tillit-server --help`.
#include <exception>
#include <iostream>
#include <string>
#include <vector>

#include "admin_cli.h"

int main(int argc, char** argv) {
    // Expected failures are values with a message and exit 1 or 2; an exception here
    // means the server cannot run at all (e.g. no random source), said once.
    try {
        const std::vector<std::string> args(argv + 1, argv + argc);
        return tillit::server::run_admin_cli(args, std::cout, std::cerr);
    } catch (const std::exception& e) {
        std::cerr << "tillit-server: " << e.what() << '\n';
        return tillit::server::kExitBadUsage;
    }
}
