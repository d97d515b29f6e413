// Turns a finished or abandoned Session into rows, applying the privacy rules:
// the venue and a coarse time bucket are added here; nothing else about the moment
// or the device is. Free text is scrubbed and, once the kiosk is enrolled, sealed to
// the server's key. The UI calls this; it never builds rows itself.
#pragma once

#include <chrono>
#include <functional>
#include <string>

#include "core/config.h"
#include "core/result.h"
#include "core/session.h"
#include "core/store.h"

namespace tillit {

class Recorder {
public:
    using Clock = std::function<std::chrono::system_clock::time_point()>;

    Recorder(Store& store, const KioskConfig& config, Clock clock = std::chrono::system_clock::now);

    // Commits the whole response (free text scrubbed, and sealed when enrolled); the id is
    // returned after COMMIT. A one-tap response with a follow-up is held back from sync
    // until amend() stores the follow-up.
    Result<std::string> submit(const Session& session);
    // One-tap surveys: the first tap is already stored; the follow-up amends it.
    Status amend(const std::string& response_id, const Session& session);
    // Stores only "reached question k of n" for non-response analysis; k = 0 means the
    // resident tapped start but left before the first question.
    Status abandon(const Session& session, std::size_t reached_step);

private:
    Result<std::string> answers_for_storage(const Session& session) const;
    Store& store_;
    const KioskConfig& config_;
    Clock clock_;
};

}  // namespace tillit
