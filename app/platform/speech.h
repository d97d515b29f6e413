// Read-aloud for the resident screens (ui::ReadAloud) with espeak-ng: one worker thread
// synthesises a text, then plays it through pcaudiolib (PulseAudio, else ALSA) in 20 ms
// chunks so stop() is heard at once. Without an audio device it stays silent but keeps
// the same timing, so the screens behave alike. Never logs the text it reads.
// Not handled: SSML, speech rate per language, voices other than espeak-ng's own.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "core/result.h"
#include "ui/read_aloud.h"

struct audio_object;  // pcaudiolib's device

namespace tillit::platform {

// The espeak-ng language for one of the kiosk's language codes ("sv-easy" reads with "sv").
std::string espeak_language(const std::string& kiosk_language);

// Synthesises `text` with the voice for `kiosk_language`: 16-bit mono samples at
// `sample_rate` (set on success). Callable from any thread: espeak-ng is one engine per
// process, used under a mutex. Errors name the language, never the text.
Result<std::vector<int16_t>> synthesize(const std::string& text, const std::string& kiosk_language, int& sample_rate);

// The idle warning's chime at full volume: 660 Hz then 880 Hz, soft attack and decay, 0.6 s.
std::vector<int16_t> make_chime(int sample_rate);

// Scales samples to `percent` (0..100) of their amplitude.
void apply_volume(std::vector<int16_t>& samples, int percent);

// 16-bit mono PCM as a RIFF/WAVE file, written to path + ".tmp" and renamed into place.
bool write_wav(const std::string& path, const std::vector<int16_t>& samples, int sample_rate);

// TILLIT_SPEECH_WAV_DIR (the GUI tests' hook: every utterance also as a WAV), or "".
std::string speech_wav_dir_from_env();

class Speech final : public ui::ReadAloud {
public:
    static constexpr int kMinVolume = 10;
    static constexpr int kMaxVolume = 100;

    // Looks up the voices (starts espeak-ng on first use in the process) and starts the
    // worker. With a non-empty `wav_dir` every utterance and chime is also written there
    // as NNN_<language>.wav / NNN_chime.wav (001, 002, ... in order, at the volume of the
    // moment it was asked for) once it is synthesised. Destroy it before main returns:
    // espeak-ng itself is shut down when the process exits.
    explicit Speech(int default_volume = 80, std::string wav_dir = {});
    ~Speech() override;  // stops playback and joins the worker
    Speech(const Speech&) = delete;
    Speech& operator=(const Speech&) = delete;

    bool has_voice(const std::string& language) const override;
    void speak(const std::string& text, const std::string& language) override;
    void stop() override;
    bool speaking() const override;
    void chime() override;

    int volume() const override;
    void set_volume(int percent) override;
    void reset_volume() override;

private:
    struct Request {
        bool is_chime = false;
        std::string text;
        std::string language;
        int volume = 0;            // for the WAV hook; playback follows the live volume
        std::uint64_t serial = 0;  // which speak()/chime() this is; stale once serial_ moves on
    };

    // Replaces whatever is pending or playing with `request` (nothing: stop).
    void post(std::optional<Request> request);
    void run();
    void handle(const Request& request, audio_object* device);
    bool superseded(std::uint64_t serial) const { return serial_.load() != serial; }
    // Plays the samples (without a device: only waits as long as they last), until they
    // end, or stop()/speak()/chime() replaces them.
    void play(const std::vector<int16_t>& samples, int sample_rate, std::uint64_t serial, audio_object* device);
    void report_no_output(const std::string& reason);

    const int default_volume_;
    const std::string wav_dir_;
    std::map<std::string, std::string> voices_;  // espeak language -> voice identifier; fixed after construction
    std::atomic<int> volume_;
    std::atomic<bool> speaking_{false};

    std::mutex mutex_;
    std::condition_variable wake_;
    std::optional<Request> pending_;        // guarded by mutex_
    std::atomic<std::uint64_t> serial_{0};  // moved on under mutex_ by every post; read without it
    bool quit_ = false;                     // guarded by mutex_

    // Worker-only state.
    int wav_count_ = 0;
    bool reported_no_output_ = false;

    std::thread worker_;  // started at the end of the constructor, once everything above exists
};

}  // namespace tillit::platform
