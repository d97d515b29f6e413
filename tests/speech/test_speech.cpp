// Tests for platform/speech: each voice the kiosk offers reads the default survey's
// first question aloud (not silent, a plausible length), so and ti have none, the chime,
// volume, and the Speech object's WAV hook, stop and replace. No audio device needed:
// timings are only ever waited for with generous limits, never asserted.
#include <doctest/doctest.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <string>
#include <thread>
#include <vector>

#include "../server/temp_dir.h"
#include "platform/speech.h"

namespace {

using tillit::platform::Speech;

// Speech measured here is 2800-3300 RMS over a whole sentence (about -20 dBFS). 1000
// (about -30 dBFS) is far under any voice yet far above silence, or a click or a short
// beep averaged over a second or more.
constexpr double kMinRms = 1000;
// A 20 ms window "has sound" above 200 RMS (about -44 dBFS): voiced and most unvoiced
// sounds are well above it; only the gaps between words fall below. A sentence read
// aloud has sound in most windows; 30% still fails a file that is one short burst.
constexpr double kWindowRms = 200;
constexpr double kMinSoundWindows = 0.30;

struct Wav {
    std::vector<int16_t> samples;
    int sample_rate = 0;
    double seconds() const { return sample_rate > 0 ? static_cast<double>(samples.size()) / sample_rate : 0; }
};

uint32_t le(const std::string& bytes, size_t at, int count) {
    uint32_t value = 0;
    for (int i = 0; i < count; ++i)
        value |= static_cast<uint32_t>(static_cast<unsigned char>(bytes[at + i])) << (8 * i);
    return value;
}

// Reads the files write_wav makes (16-bit mono PCM, fmt then data); fails the test otherwise.
Wav read_wav(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    REQUIRE_MESSAGE(in, path);
    const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    REQUIRE(bytes.size() >= 44);
    REQUIRE(bytes.compare(0, 4, "RIFF") == 0);
    REQUIRE(bytes.compare(8, 8, "WAVEfmt ") == 0);
    CHECK(le(bytes, 4, 4) == bytes.size() - 8);
    CHECK(le(bytes, 20, 2) == 1);   // PCM
    CHECK(le(bytes, 22, 2) == 1);   // mono
    CHECK(le(bytes, 34, 2) == 16);  // bits
    REQUIRE(bytes.compare(36, 4, "data") == 0);
    const uint32_t data = le(bytes, 40, 4);
    REQUIRE(data == bytes.size() - 44);
    Wav wav;
    wav.sample_rate = static_cast<int>(le(bytes, 24, 4));
    for (size_t at = 44; at + 1 < bytes.size(); at += 2) wav.samples.push_back(static_cast<int16_t>(le(bytes, at, 2)));
    return wav;
}

double rms(const std::vector<int16_t>& samples, size_t first = 0, size_t count = SIZE_MAX) {
    const size_t last = std::min(samples.size(), count == SIZE_MAX ? samples.size() : first + count);
    if (last <= first) return 0;
    double sum = 0;
    for (size_t i = first; i < last; ++i) sum += static_cast<double>(samples[i]) * samples[i];
    return std::sqrt(sum / static_cast<double>(last - first));
}

int peak(const std::vector<int16_t>& samples) {
    int best = 0;
    for (int16_t s : samples) best = std::max(best, std::abs(static_cast<int>(s)));
    return best;
}

double sound_windows(const Wav& wav) {
    const size_t window = static_cast<size_t>(wav.sample_rate) / 50;
    size_t windows = 0, loud = 0;
    for (size_t first = 0; first + window <= wav.samples.size(); first += window, ++windows) {
        if (rms(wav.samples, first, window) > kWindowRms) ++loud;
    }
    return windows > 0 ? static_cast<double>(loud) / static_cast<double>(windows) : 0;
}

size_t utf8_characters(const std::string& text) {
    return static_cast<size_t>(
        std::count_if(text.begin(), text.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
}

// Polls (never asserts how long it took): true once `done` holds, false after `limit`.
bool wait_for(const std::function<bool()>& done, std::chrono::seconds limit) {
    const auto until = std::chrono::steady_clock::now() + limit;
    while (!done()) {
        if (std::chrono::steady_clock::now() > until) return false;
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return true;
}

bool file_exists(const std::string& path) {
    return std::filesystem::exists(path);
}

struct Sentence {
    const char* language;
    const char* text;
};

// The default survey's trust question ("How much do you trust the municipality?").
const Sentence kSentences[] = {
    {"sv", "Hur mycket litar du på kommunen?"}, {"en", "How much do you trust the municipality?"},
    {"ar", "إلى أي مدى تثق في البلدية؟"},       {"fa", "چقدر به شهرداری اعتماد دارید؟"},
    {"fi", "Kuinka paljon luotat kuntaan?"},    {"uk", "Наскільки ви довіряєте муніципалітету?"},
};

std::string long_text() {
    std::string text;
    for (int i = 0; i < 30; ++i) text += "Svaren är anonyma och ingen vid disken ser dem. ";
    return text;  // about 80 s read aloud
}

}  // namespace

TEST_CASE("every offered voice reads the trust question aloud: not silent, a plausible length") {
    tillit::test::TempDir dir;
    for (const auto& sentence : kSentences) {
        const std::string language = sentence.language;
        CAPTURE(language);
        int sample_rate = 0;
        auto samples = tillit::platform::synthesize(sentence.text, sentence.language, sample_rate);
        REQUIRE_MESSAGE(samples.ok(), (samples.ok() ? "" : samples.error()));
        REQUIRE(sample_rate > 0);
        const auto path = dir.file(std::string(sentence.language) + ".wav");
        REQUIRE(tillit::platform::write_wav(path, samples.value(), sample_rate));
        const Wav wav = read_wav(path);
        CHECK(wav.sample_rate == sample_rate);
        CHECK(wav.samples == samples.value());

        const double characters = static_cast<double>(utf8_characters(sentence.text));
        const double whole_rms = rms(wav.samples);
        const double sound = sound_windows(wav);
        MESSAGE(language << ": " << wav.seconds() << " s (" << wav.seconds() / characters << " s per character), RMS "
                         << whole_rms << ", peak " << peak(wav.samples) << ", " << sound * 100
                         << "% of 20 ms windows with sound");
        CHECK(whole_rms > kMinRms);
        CHECK(sound >= kMinSoundWindows);
        CHECK(wav.seconds() > 0.8);
        CHECK(wav.seconds() >= 0.04 * characters);
        CHECK(wav.seconds() <= 0.25 * characters);
    }
}

TEST_CASE("sv-easy reads with the Swedish voice") {
    CHECK(tillit::platform::espeak_language("sv-easy") == "sv");
    CHECK(tillit::platform::espeak_language("fa") == "fa");
    int rate_sv = 0, rate_easy = 0;
    auto sv = tillit::platform::synthesize(kSentences[0].text, "sv", rate_sv);
    auto easy = tillit::platform::synthesize(kSentences[0].text, "sv-easy", rate_easy);
    REQUIRE(sv.ok());
    REQUIRE(easy.ok());
    CHECK(rate_sv == rate_easy);
    // Not sample for sample: espeak-ng carries a little state from one text to the next.
    CHECK(static_cast<double>(easy.value().size()) == doctest::Approx(sv.value().size()).epsilon(0.05));
}

TEST_CASE("voices: the six offered languages have one; so and ti have none, and say so without the text") {
    Speech speech;
    for (const char* language : {"sv", "sv-easy", "en", "ar", "fa", "fi", "uk"}) {
        CHECK_MESSAGE(speech.has_voice(language), language);
    }
    for (const char* language : {"so", "ti", "", "xx"}) {
        CHECK_FALSE_MESSAGE(speech.has_voice(language), language);
    }
    int sample_rate = 0;
    const std::string secret = "Mitt svar är hemligt";
    auto result = tillit::platform::synthesize(secret, "so", sample_rate);
    REQUIRE_FALSE(result.ok());
    CHECK(result.error().find("so") != std::string::npos);
    CHECK(result.error().find(secret) == std::string::npos);
}

TEST_CASE("the chime: two soft tones, about 0.6 s, not silent") {
    const int sample_rate = 22050;
    const auto chime = tillit::platform::make_chime(sample_rate);
    const Wav wav{chime, sample_rate};
    MESSAGE("chime: " << wav.seconds() << " s, RMS " << rms(chime) << ", peak " << peak(chime) << ", "
                      << sound_windows(wav) * 100 << "% of 20 ms windows with sound");
    CHECK(wav.seconds() == doctest::Approx(0.6).epsilon(0.05));
    CHECK(rms(chime) > kMinRms);
    CHECK(sound_windows(wav) >= 0.9);      // a chime sounds throughout
    CHECK(peak(chime) < 32767 / 2);        // soft: under half of full scale
    CHECK(std::abs(chime.front()) < 100);  // the attack starts from silence (no click)
    CHECK(std::abs(chime.back()) < 100);   // and the release ends in it
}

TEST_CASE("volume: 10..100, starts at the default, reset_volume goes back to it") {
    Speech speech(80);
    CHECK(speech.volume() == 80);
    speech.set_volume(50);
    CHECK(speech.volume() == 50);
    speech.set_volume(5);
    CHECK(speech.volume() == Speech::kMinVolume);
    speech.set_volume(150);
    CHECK(speech.volume() == Speech::kMaxVolume);
    speech.reset_volume();
    CHECK(speech.volume() == 80);
    CHECK(Speech(300).volume() == Speech::kMaxVolume);
}

TEST_CASE("volume 50 halves the chime's peak against 100 (the WAV hook records what is played)") {
    tillit::test::TempDir dir;
    Speech speech(80, dir.path.string());
    speech.set_volume(100);
    speech.chime();
    // A second chime() at once would replace the first before it is even synthesised.
    REQUIRE(wait_for([&] { return file_exists(dir.file("001_chime.wav")); }, std::chrono::seconds(20)));
    speech.set_volume(50);
    speech.chime();
    REQUIRE(wait_for([&] { return file_exists(dir.file("002_chime.wav")); }, std::chrono::seconds(20)));
    const Wav loud = read_wav(dir.file("001_chime.wav"));
    const Wav half = read_wav(dir.file("002_chime.wav"));
    MESSAGE("chime peak at 100%: " << peak(loud.samples) << ", at 50%: " << peak(half.samples));
    CHECK(peak(loud.samples) == peak(tillit::platform::make_chime(loud.sample_rate)));
    CHECK(static_cast<double>(peak(half.samples)) / peak(loud.samples) == doctest::Approx(0.5).epsilon(0.02));
    CHECK_FALSE(speech.speaking());  // a chime is not reading aloud
}

TEST_CASE("speak() with a WAV folder: speaking() until it has played, then 001_sv.wav holds the speech") {
    tillit::test::TempDir dir;
    Speech speech(80, dir.path.string());
    speech.speak(kSentences[0].text, "sv");
    CHECK(speech.speaking());  // at once, before the worker has even started on it
    REQUIRE(wait_for([&] { return !speech.speaking(); }, std::chrono::seconds(20)));
    REQUIRE(file_exists(dir.file("001_sv.wav")));
    const Wav wav = read_wav(dir.file("001_sv.wav"));
    MESSAGE("001_sv.wav at volume 80: " << wav.seconds() << " s, RMS " << rms(wav.samples) << ", "
                                        << sound_windows(wav) * 100 << "% of 20 ms windows with sound");
    CHECK(rms(wav.samples) > kMinRms);
    CHECK(sound_windows(wav) >= kMinSoundWindows);
    CHECK(wav.seconds() > 0.8);
    CHECK_FALSE(file_exists(dir.file("001_sv.wav.tmp")));

    // The next utterance is numbered on; a chime too.
    speech.chime();
    REQUIRE(wait_for([&] { return file_exists(dir.file("002_chime.wav")); }, std::chrono::seconds(20)));
}

TEST_CASE("stop() during a long text ends speaking(); the object still reads afterwards") {
    tillit::test::TempDir dir;
    Speech speech(80, dir.path.string());
    speech.speak(long_text(), "sv");
    // Let the worker get into playback (the WAV is written just before it starts).
    REQUIRE(wait_for([&] { return file_exists(dir.file("001_sv.wav")); }, std::chrono::seconds(20)));
    CHECK(speech.speaking());
    speech.stop();
    CHECK(wait_for([&] { return !speech.speaking(); }, std::chrono::seconds(5)));
    speech.speak(kSentences[1].text, "en");
    CHECK(wait_for([&] { return file_exists(dir.file("002_en.wav")); }, std::chrono::seconds(20)));
    CHECK(wait_for([&] { return !speech.speaking(); }, std::chrono::seconds(20)));
}

TEST_CASE("speak() replaces a long text that is still playing") {
    Speech speech;
    speech.speak(long_text(), "sv");
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    speech.speak(kSentences[4].text, "fi");
    // The long text alone lasts about 80 s; the Finnish question about two seconds.
    CHECK(wait_for([&] { return !speech.speaking(); }, std::chrono::seconds(20)));
}

TEST_CASE("the destructor stops a long text and joins the worker") {
    auto speech = std::make_unique<Speech>();
    speech->speak(long_text(), "ar");
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    CHECK(speech->speaking());
    speech.reset();  // would hang the test for 80 s if it waited for the text
}

TEST_CASE("with an ALSA device the samples reach it as the WAV shows them, then only silence") {
    // Set by the speech.alsa_file test, whose default ALSA device writes into this file.
    const char* raw_path = std::getenv("TILLIT_TEST_ALSA_RAW");
    if (raw_path == nullptr) {
        MESSAGE("skipped: runs as speech.alsa_file (an ALSA file device)");
        return;
    }
    tillit::test::TempDir dir;
    {
        Speech speech(60, dir.path.string());
        speech.speak(kSentences[0].text, "sv");
        REQUIRE(wait_for([&] { return !speech.speaking(); }, std::chrono::seconds(20)));
    }  // the device is closed and destroyed: the file plugin has written everything
    const Wav wav = read_wav(dir.file("001_sv.wav"));
    std::ifstream in(raw_path, std::ios::binary);
    REQUIRE(in);
    const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    std::vector<int16_t> played;
    for (size_t at = 0; at + 1 < bytes.size(); at += 2) played.push_back(static_cast<int16_t>(le(bytes, at, 2)));
    MESSAGE("ALSA got " << played.size() << " samples for a text of " << wav.samples.size());
    REQUIRE(played.size() >= wav.samples.size());
    // The WAV is scaled to the volume speak() was called at, playback to the live volume: both 60.
    CHECK(std::equal(wav.samples.begin(), wav.samples.end(), played.begin()));
    CHECK(std::all_of(played.begin() + static_cast<std::ptrdiff_t>(wav.samples.size()), played.end(),
                      [](int16_t sample) { return sample == 0; }));
}

TEST_CASE("speech_wav_dir_from_env reads TILLIT_SPEECH_WAV_DIR") {
    unsetenv("TILLIT_SPEECH_WAV_DIR");
    CHECK(tillit::platform::speech_wav_dir_from_env().empty());
    setenv("TILLIT_SPEECH_WAV_DIR", "/tmp/speech-wavs", 1);
    CHECK(tillit::platform::speech_wav_dir_from_env() == "/tmp/speech-wavs");
    unsetenv("TILLIT_SPEECH_WAV_DIR");
}
