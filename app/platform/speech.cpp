// Read-aloud with espeak-ng and pcaudiolib (see speech.h). The process-wide espeak-ng
// engine lives here, behind a mutex; the Speech worker synthesises a whole text first
// (espeak-ng runs hundreds of times faster than speech) and then feeds the device in
// 20 ms chunks, checking between chunks whether it was stopped or replaced.
#include "platform/speech.h"

#include <alsa/asoundlib.h>
#include <espeak-ng/speak_lib.h>
#include <pcaudiolib/audio.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <memory>
#include <numbers>
#include <utility>

namespace tillit::platform {

namespace {

static_assert(sizeof(short) == sizeof(int16_t), "espeak-ng hands over samples as short");

constexpr int kChimeRate = 22050;
// Past the end of the samples the device is fed silence, so a sound server that waits for
// a full buffer before it starts (PulseAudio: ~2 s) plays a short text at once; the
// silence is dropped when the stream closes at the end.
constexpr double kPaddingSeconds = 2.5;
// How long after the last sample was handed over the stream stays open: the device's own
// latency, so the end of a sentence is not cut off.
constexpr auto kDeviceTail = std::chrono::milliseconds(150);
constexpr auto kChunk = std::chrono::milliseconds(20);

using Cancelled = std::function<bool()>;

// espeak-ng keeps its whole state in globals, so a process has one engine however many
// Speech objects exist; and 1.51 hangs in espeak_Terminate after a second
// espeak_Initialize. So: initialised on first use, terminated once when the process
// exits, every call under one mutex. This file-scope object is that library fact.
class Engine {
public:
    Engine() = default;
    Engine(const Engine&) = delete;
    Engine& operator=(const Engine&) = delete;
    ~Engine() {
        if (sample_rate_ > 0) espeak_Terminate();
    }

    // The voices espeak-ng has: language -> voice identifier.
    Result<std::map<std::string, std::string>> voices() {
        std::lock_guard lock(mutex_);
        if (auto started = start(); !started) return make_error(started.error());
        return voices_;
    }

    Result<std::vector<int16_t>> synthesize(const std::string& text, const std::string& language, int& sample_rate,
                                            const Cancelled& cancelled) {
        std::lock_guard lock(mutex_);
        if (auto started = start(); !started) return make_error(started.error());
        const auto voice = voices_.find(language);
        if (voice == voices_.end()) return make_error("espeak-ng has no voice for '" + language + "'");
        if (espeak_SetVoiceByName(voice->second.c_str()) != EE_OK) {
            return make_error("espeak-ng could not load the voice " + voice->second);
        }
        Collector collector{{}, cancelled};
        const auto status =
            espeak_Synth(text.c_str(), text.size() + 1, 0, POS_CHARACTER, 0, espeakCHARS_UTF8, nullptr, &collector);
        if (status != EE_OK) {
            return make_error("espeak-ng could not read a text in '" + language + "' (error " +
                              std::to_string(static_cast<int>(status)) + ")");
        }
        if (cancelled()) return make_error("stopped");
        sample_rate = sample_rate_;
        return std::move(collector.samples);
    }

private:
    struct Collector {
        std::vector<int16_t> samples;
        const Cancelled& cancelled;
    };

    // Synchronous mode: espeak_Synth calls this on the caller's thread with each buffer.
    static int collect(short* samples, int count, espeak_EVENT* events) {
        auto* collector = static_cast<Collector*>(events->user_data);
        if (samples != nullptr && count > 0)
            collector->samples.insert(collector->samples.end(), samples, samples + count);
        return collector->cancelled() ? 1 : 0;  // 1 stops the synthesis
    }

    Status start() {
        if (!start_error_.empty()) return make_error(start_error_);
        if (sample_rate_ > 0) return Ok{};
        // DONT_EXIT: without it espeak-ng ends the whole process when its data is missing.
        const int rate = espeak_Initialize(AUDIO_OUTPUT_SYNCHRONOUS, 0, nullptr, espeakINITIALIZE_DONT_EXIT);
        if (rate <= 0) {
            start_error_ = "espeak-ng could not start (is espeak-ng-data installed?)";
            return make_error(start_error_);
        }
        sample_rate_ = rate;
        espeak_SetSynthCallback(&Engine::collect);
        // Each voice lists its languages as (priority byte, name, NUL)..., then a 0 byte;
        // the lowest priority is the best voice for that language.
        std::map<std::string, int> best;
        for (const espeak_VOICE* const* voice = espeak_ListVoices(nullptr); voice != nullptr && *voice != nullptr;
             ++voice) {
            for (const char* entry = (*voice)->languages; entry != nullptr && *entry != 0;) {
                const int priority = static_cast<unsigned char>(entry[0]);
                const std::string language = entry + 1;
                if (auto found = best.find(language); found == best.end() || priority < found->second) {
                    best[language] = priority;
                    voices_[language] = (*voice)->identifier;
                }
                entry += 1 + language.size() + 1;
            }
        }
        // Without its data espeak-ng may still start (it prints why itself), with no voices.
        if (voices_.empty()) start_error_ = "espeak-ng has no voices (is espeak-ng-data installed?)";
        if (!start_error_.empty()) return make_error(start_error_);
        return Ok{};
    }

    std::mutex mutex_;
    int sample_rate_ = 0;      // > 0 once espeak-ng runs
    std::string start_error_;  // espeak-ng failed to start or has no voices; not tried again
    std::map<std::string, std::string> voices_;
};

Engine engine;

// libasound prints its own errors to stderr, eight lines for one missing sound card. Its
// error handler is per process: installed once, it keeps the last message on the thread
// that failed, and the worker folds it into its one line.
std::once_flag alsa_handler_installed;
thread_local std::string alsa_last_error;

__attribute__((format(printf, 5, 6))) void keep_alsa_error(const char* /*file*/, int /*line*/, const char* /*function*/,
                                                           int /*err*/, const char* format, ...) {
    char text[256];
    va_list args;
    va_start(args, format);
    std::vsnprintf(text, sizeof text, format, args);
    va_end(args);
    alsa_last_error = text;
}

struct AudioObjectDeleter {
    void operator()(audio_object* device) const {
        audio_object_close(device);
        audio_object_destroy(device);
    }
};
using AudioObject = std::unique_ptr<audio_object, AudioObjectDeleter>;

// An open stream on a device the worker keeps: closing it drops whatever is still queued.
struct StreamCloser {
    void operator()(audio_object* device) const { audio_object_close(device); }
};
using OpenStream = std::unique_ptr<audio_object, StreamCloser>;

std::string device_error(audio_object* device, int error) {
    const char* text = audio_object_strerror(device, error);
    std::string reason = text != nullptr ? text : "error " + std::to_string(error);
    if (!alsa_last_error.empty()) reason += ": " + alsa_last_error;
    alsa_last_error.clear();
    return reason;
}

void put_le(std::string& out, uint32_t value, int bytes) {
    for (int i = 0; i < bytes; ++i) out.push_back(static_cast<char>((value >> (8 * i)) & 0xff));
}

}  // namespace

std::string espeak_language(const std::string& kiosk_language) {
    return kiosk_language == "sv-easy" ? "sv" : kiosk_language;
}

Result<std::vector<int16_t>> synthesize(const std::string& text, const std::string& kiosk_language, int& sample_rate) {
    return engine.synthesize(text, espeak_language(kiosk_language), sample_rate, [] { return false; });
}

std::vector<int16_t> make_chime(int sample_rate) {
    struct Note {
        double start, length, hz;
    };
    // The higher note starts while the lower one fades: one soft rising chime, not two beeps.
    constexpr Note notes[] = {{0.0, 0.34, 660.0}, {0.22, 0.38, 880.0}};
    constexpr double kTotal = 0.6, kAttack = 0.02, kDecay = 0.15, kRelease = 0.05;
    constexpr double kPeak = 0.35 * 32767;  // well below full scale: a chime, not an alarm
    std::vector<double> mix(static_cast<size_t>(std::lround(kTotal * sample_rate)), 0.0);
    for (const Note& note : notes) {
        const auto first = static_cast<size_t>(std::lround(note.start * sample_rate));
        const auto count = static_cast<size_t>(std::lround(note.length * sample_rate));
        for (size_t i = 0; i < count && first + i < mix.size(); ++i) {
            const double t = static_cast<double>(i) / sample_rate;
            // Raised-sine attack and release (no clicks), exponential decay like a struck bell.
            double envelope = std::exp(-t / kDecay);
            if (t < kAttack) envelope *= std::pow(std::sin(std::numbers::pi / 2 * t / kAttack), 2);
            if (const double left = note.length - t; left < kRelease) {
                envelope *= std::pow(std::sin(std::numbers::pi / 2 * left / kRelease), 2);
            }
            mix[first + i] += kPeak * envelope * std::sin(2 * std::numbers::pi * note.hz * t);
        }
    }
    std::vector<int16_t> samples(mix.size());
    std::transform(mix.begin(), mix.end(), samples.begin(),
                   [](double value) { return static_cast<int16_t>(std::clamp(std::lround(value), -32768L, 32767L)); });
    return samples;
}

void apply_volume(std::vector<int16_t>& samples, int percent) {
    if (percent >= 100) return;
    for (auto& sample : samples) sample = static_cast<int16_t>(std::lround(sample * percent / 100.0));
}

bool write_wav(const std::string& path, const std::vector<int16_t>& samples, int sample_rate) {
    const auto data_bytes = static_cast<uint32_t>(samples.size() * 2);
    std::string bytes;
    bytes.reserve(44 + data_bytes);
    bytes += "RIFF";
    put_le(bytes, 36 + data_bytes, 4);
    bytes += "WAVEfmt ";
    put_le(bytes, 16, 4);                                      // fmt chunk size
    put_le(bytes, 1, 2);                                       // PCM
    put_le(bytes, 1, 2);                                       // mono
    put_le(bytes, static_cast<uint32_t>(sample_rate), 4);      // samples per second
    put_le(bytes, static_cast<uint32_t>(sample_rate) * 2, 4);  // bytes per second
    put_le(bytes, 2, 2);                                       // bytes per frame
    put_le(bytes, 16, 2);                                      // bits per sample
    bytes += "data";
    put_le(bytes, data_bytes, 4);
    for (int16_t sample : samples) put_le(bytes, static_cast<uint16_t>(sample), 2);

    const auto tmp = path + ".tmp";
    {
        std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
        out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    }
    std::error_code error;
    if (std::filesystem::file_size(tmp, error) != bytes.size() || error) {
        std::filesystem::remove(tmp, error);
        return false;
    }
    std::filesystem::rename(tmp, path, error);
    return !error;
}

std::string speech_wav_dir_from_env() {
    const char* dir = std::getenv("TILLIT_SPEECH_WAV_DIR");
    return dir != nullptr ? dir : "";
}

Speech::Speech(int default_volume, std::string wav_dir)
    : default_volume_(std::clamp(default_volume, kMinVolume, kMaxVolume)),
      wav_dir_(std::move(wav_dir)),
      volume_(default_volume_) {
    if (auto voices = engine.voices()) {
        voices_ = std::move(voices).value();
    } else {
        std::fprintf(stderr, "tillit-kiosk: speech: %s; read-aloud has no voices\n", voices.error().c_str());
    }
    worker_ = std::thread([this] { run(); });
}

Speech::~Speech() {
    {
        std::lock_guard lock(mutex_);
        quit_ = true;
        pending_.reset();
        ++serial_;  // ends whatever plays
    }
    wake_.notify_one();
    worker_.join();
}

bool Speech::has_voice(const std::string& language) const {
    return voices_.contains(espeak_language(language));
}

void Speech::speak(const std::string& text, const std::string& language) {
    Request request;
    request.text = text;
    request.language = language;
    request.volume = volume_.load();
    post(std::move(request));
}

void Speech::stop() {
    post(std::nullopt);
}

bool Speech::speaking() const {
    return speaking_.load();
}

void Speech::chime() {
    Request request;
    request.is_chime = true;
    request.volume = volume_.load();
    post(std::move(request));
}

int Speech::volume() const {
    return volume_.load();
}

void Speech::set_volume(int percent) {
    volume_ = std::clamp(percent, kMinVolume, kMaxVolume);
}

void Speech::reset_volume() {
    volume_ = default_volume_;
}

void Speech::post(std::optional<Request> request) {
    {
        std::lock_guard lock(mutex_);
        const auto serial = ++serial_;
        speaking_ = request.has_value() && !request->is_chime;
        if (request) request->serial = serial;
        pending_ = std::move(request);
    }
    wake_.notify_one();
}

void Speech::run() {
    std::call_once(alsa_handler_installed, [] { snd_lib_error_set_handler(&keep_alsa_error); });
    AudioObject device(create_audio_device_object(nullptr, "tillit-kiosk", "Read-aloud"));
    if (!device) {
        report_no_output("neither PulseAudio nor ALSA");
    } else if (const int error = audio_object_open(device.get(), AUDIO_OBJECT_FORMAT_S16LE, kChimeRate, 1);
               error != 0) {
        // Found out at start, so the log says it before anyone presses the speaker button.
        report_no_output(device_error(device.get(), error));
    } else {
        audio_object_close(device.get());
    }

    while (true) {
        Request request;
        {
            std::unique_lock lock(mutex_);
            wake_.wait(lock, [this] { return quit_ || pending_.has_value(); });
            if (quit_) return;
            request = std::move(*pending_);
            pending_.reset();
        }
        handle(request, device.get());
        std::lock_guard lock(mutex_);
        if (!superseded(request.serial)) speaking_ = false;
    }
}

void Speech::handle(const Request& request, audio_object* device) {
    int sample_rate = kChimeRate;
    std::vector<int16_t> samples;
    if (request.is_chime) {
        samples = make_chime(sample_rate);
    } else {
        auto result = engine.synthesize(request.text, espeak_language(request.language), sample_rate,
                                        [this, serial = request.serial] { return superseded(serial); });
        if (!result) {
            // The message names the language only: the text may echo a resident's answers.
            if (!superseded(request.serial)) std::fprintf(stderr, "tillit-kiosk: speech: %s\n", result.error().c_str());
            return;
        }
        samples = std::move(result).value();
    }
    if (!wav_dir_.empty()) {
        char name[64];
        std::snprintf(name, sizeof name, "%03d_%s.wav", ++wav_count_,
                      request.is_chime ? "chime" : request.language.c_str());
        auto scaled = samples;
        apply_volume(scaled, request.volume);
        const auto path = (std::filesystem::path(wav_dir_) / name).string();
        if (!write_wav(path, scaled, sample_rate))
            std::fprintf(stderr, "tillit-kiosk: speech: cannot write %s\n", path.c_str());
    }
    play(samples, sample_rate, request.serial, device);
}

void Speech::play(const std::vector<int16_t>& samples, int sample_rate, std::uint64_t serial, audio_object* device) {
    using Clock = std::chrono::steady_clock;
    OpenStream stream;
    if (device != nullptr) {
        if (const int error =
                audio_object_open(device, AUDIO_OBJECT_FORMAT_S16LE, static_cast<uint32_t>(sample_rate), 1);
            error == 0) {
            stream.reset(device);
        } else {
            report_no_output(device_error(device, error));
        }
    }
    const auto length = std::chrono::duration_cast<Clock::duration>(
        std::chrono::duration<double>(static_cast<double>(samples.size()) / sample_rate));
    const auto end = Clock::now() + length + (stream ? Clock::duration(kDeviceTail) : Clock::duration::zero());
    const auto chunk = static_cast<size_t>(sample_rate) * kChunk.count() / 1000;
    const auto fed_total = samples.size() + static_cast<size_t>(kPaddingSeconds * sample_rate);
    std::vector<int16_t> buffer;
    size_t fed = 0;
    while (!superseded(serial)) {
        const auto now = Clock::now();
        if (now >= end) return;
        if (stream && fed < fed_total) {
            // A write blocks once the device's buffer is full: that is what paces this loop.
            const size_t count = std::min(chunk, fed_total - fed);
            buffer.assign(count, 0);
            if (fed < samples.size()) {
                const size_t real = std::min(count, samples.size() - fed);
                std::copy_n(samples.begin() + static_cast<std::ptrdiff_t>(fed), real, buffer.begin());
            }
            apply_volume(buffer, volume_.load());  // so a volume change is heard within this text
            if (const int error = audio_object_write(stream.get(), buffer.data(), count * sizeof(int16_t));
                error != 0) {
                report_no_output(device_error(stream.get(), error));
                stream.reset();  // the clock alone ends this text now
            }
            fed += count;
        } else {
            std::unique_lock lock(mutex_);
            wake_.wait_until(lock, std::min(end, now + kChunk), [&] { return quit_ || superseded(serial); });
        }
    }
}

void Speech::report_no_output(const std::string& reason) {
    if (reported_no_output_) return;
    reported_no_output_ = true;
    std::fprintf(stderr, "tillit-kiosk: speech: no audio output (%s); read-aloud is silent\n", reason.c_str());
}

}  // namespace tillit::platform
