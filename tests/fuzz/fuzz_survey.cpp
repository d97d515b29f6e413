// libFuzzer target: a survey file (core/survey.*), as loaded at start and when a
// survey arrives from the server. Any input must give a Survey or an Error, never a
// crash, a sanitizer report or an uncaught exception.
#include <cstddef>
#include <cstdint>
#include <cstdio>

#include "core/survey.h"
#include "fuzz_file.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static const std::string path = tillit::fuzz::scratch_path("survey.toml");
    tillit::fuzz::write_bytes(path, data, size);
    auto survey = tillit::load_survey(path, {"sv", "en"});
    if (survey) (void)survey.value().find_question("trust_general");
    std::remove(path.c_str());
    return 0;
}
