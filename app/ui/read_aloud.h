// What the resident screens need from speech: read a text aloud in a language, stop,
// the idle warning's chime, and a volume a resident may change (reset for the next
// resident). Implemented in platform/speech.* with espeak-ng; headless tests use a
// recording stand-in. No call blocks a frame: synthesis and playback run on a thread.
#pragma once

#include <string>

namespace tillit::ui {

class ReadAloud {
public:
    virtual ~ReadAloud() = default;

    // True when a voice exists for the language (sv, en, ar, fa, fi, uk; sv-easy uses sv).
    // The speaker button is hidden where this is false.
    virtual bool has_voice(const std::string& language) const = 0;
    // Starts reading `text`; anything still playing is stopped first.
    virtual void speak(const std::string& text, const std::string& language) = 0;
    virtual void stop() = 0;
    // True from speak() until the last sample has played (or stop()).
    virtual bool speaking() const = 0;
    // A short, soft two-tone chime (the idle warning), at the current volume.
    virtual void chime() = 0;

    // Volume in percent (10..100); each new resident starts at the default.
    virtual int volume() const = 0;
    virtual void set_volume(int percent) = 0;
    virtual void reset_volume() = 0;
};

}  // namespace tillit::ui
