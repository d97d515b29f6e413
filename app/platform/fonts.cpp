// Font loading. The candidate paths are Debian's; the first that exists is used.
#include "platform/fonts.h"

#include <array>
#include <filesystem>

namespace tillit::platform {
namespace {

const char* first_existing(std::initializer_list<const char*> paths) {
    for (const char* path : paths) {
        if (std::filesystem::exists(path)) return path;
    }
    return nullptr;
}

}  // namespace

Result<Ok> load_fonts(LoadedFonts& out, const ui::Theme& theme, const std::vector<std::string>& texts) {
    const char* regular = first_existing({"/usr/share/fonts/truetype/noto/NotoSans-Regular.ttf",
                                          "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"});
    const char* bold = first_existing({"/usr/share/fonts/truetype/noto/NotoSans-Bold.ttf",
                                       "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"});
    if (regular == nullptr || bold == nullptr) {
        return make_error("no usable font: install fonts-noto-core (or fonts-dejavu-core)");
    }

    ImGuiIO& io = ImGui::GetIO();
    ImFontGlyphRangesBuilder builder;
    builder.AddRanges(io.Fonts->GetGlyphRangesDefault());
    builder.AddText("‹›…–—’“”•|");
    for (const auto& text : texts) builder.AddText(text.c_str());
    out.ranges.clear();
    builder.BuildRanges(&out.ranges);

    io.Fonts->Clear();
    ImFontConfig config;
    config.OversampleH = 2;
    config.OversampleV = 1;
    auto add = [&](const char* path, float mm) {
        return io.Fonts->AddFontFromFileTTF(path, theme.px(mm), &config, out.ranges.Data);
    };
    out.fonts.body = add(regular, ui::Theme::kBodyMm);
    out.fonts.question = add(bold, ui::Theme::kQuestionMm);
    out.fonts.title = add(bold, ui::Theme::kTitleMm);
    out.fonts.small = add(regular, ui::Theme::kSmallMm);
    if (out.fonts.body == nullptr || out.fonts.question == nullptr || out.fonts.title == nullptr ||
        out.fonts.small == nullptr || !io.Fonts->Build()) {
        return make_error(std::string("could not load the font ") + regular);
    }
    io.FontDefault = out.fonts.body;
    return Ok{};
}

}  // namespace tillit::platform
