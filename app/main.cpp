// tillit-kiosk: the resident's trust survey on a touch kiosk. This file is the table
// of contents; the work is in core/ (model, storage), ui/ (screens), platform/ (window).
#include <cstdio>
#include <exception>

#include "core/launch.h"
#include "platform/kiosk_loop.h"

int main(int argc, char** argv) {
    try {
        // 1. What were we asked to do?
        auto options = tillit::parse_launch_options(argc, argv);
        if (!options) {
            std::fprintf(stderr, "%s\n", options.error().c_str());
            return 2;
        }
        if (options.value().show_help) {
            std::fputs(tillit::launch_usage(), stdout);
            return 0;
        }
        // 2. --set-pin ROLE: only the config file is touched; the kiosk need not be able to run.
        if (const auto role = options.value().set_pin_role) {
            const std::string& path = options.value().config_path;
            if (auto config = tillit::load_config(path); !config) {
                std::fprintf(stderr, "%s\n", config.error().c_str());
                return 2;
            }
            auto pin = tillit::read_new_pin(stdin, stderr);
            if (!pin) {
                std::fprintf(stderr, "tillit-kiosk: %s\n", pin.error().c_str());
                return 2;
            }
            if (const auto written = tillit::set_pin(path, *role, pin.value()); !written) {
                std::fprintf(stderr, "tillit-kiosk: %s\n", written.error().c_str());
                return 1;
            }
            std::printf("%s PIN set in %s\n", tillit::to_string(*role), path.c_str());
            return 0;
        }
        // 3. Config, surveys, translations and the store: all or nothing. The kiosk reads the
        //    whole database for damage after its first screen (run_kiosk), --enrol before.
        const auto start_check = options.value().enrol_code ? tillit::StartCheck::Now : tillit::StartCheck::Later;
        auto setup = tillit::load_kiosk(options.value(), start_check);
        if (!setup) {
            std::fprintf(stderr, "%s\n", setup.error().c_str());
            return 2;
        }
        // 4. --enrol CODE: register this kiosk with the server, then exit.
        if (const auto& code = options.value().enrol_code) {
            auto device = tillit::enrol_kiosk(setup.value(), *code);
            if (!device) {
                std::fprintf(stderr, "tillit-kiosk: %s\n", device.error().c_str());
                return 2;
            }
            std::printf("enrolled as %s\n", device.value().c_str());
            return 0;
        }
        // 5. The window and the resident flow (and the sync worker), until the kiosk is told to
        //    stop; again with a fresh load when it found its database damaged.
        int code = tillit::platform::run_kiosk(setup.value(), options.value());
        while (code == tillit::platform::kRestartKiosk) {
            setup.value().store.reset();  // closed before its file is moved aside
            setup = tillit::load_kiosk(options.value(), start_check);
            if (!setup) {
                std::fprintf(stderr, "%s\n", setup.error().c_str());
                return 2;
            }
            code = tillit::platform::run_kiosk(setup.value(), options.value());
        }
        return code;
    } catch (const std::exception& error) {
        // Only what makes the kiosk unable to run gets here.
        std::fprintf(stderr, "tillit-kiosk: cannot run: %s\n", error.what());
        return 2;
    }
}
