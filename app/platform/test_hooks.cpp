// Screenshot and widget-list writers for the GUI tests.
#include "platform/test_hooks.h"

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <vector>

#include <GL/gl.h>
#include <nlohmann/json.hpp>

#include <stb/stb_image_write.h>

namespace tillit::platform {
namespace {

bool write_png(const std::string& path, int width, int height, const std::vector<unsigned char>& rgb, bool flip) {
    stbi_flip_vertically_on_write(flip ? 1 : 0);
    // Unfiltered rows: a test compares screenshots with zlib alone (tests/gui/test_renderers.py).
    stbi_write_force_png_filter = 0;
    const auto tmp = path + ".tmp";
    if (stbi_write_png(tmp.c_str(), width, height, 3, rgb.data(), width * 3) == 0) return false;
    std::error_code error;
    std::filesystem::rename(tmp, path, error);
    return !error;
}

}  // namespace

bool write_screenshot(const std::string& path, int width, int height) {
    std::vector<unsigned char> pixels(static_cast<std::size_t>(width) * static_cast<std::size_t>(height) * 3);
    glPixelStorei(GL_PACK_ALIGNMENT, 1);
    glReadBuffer(GL_BACK);
    glReadPixels(0, 0, width, height, GL_RGB, GL_UNSIGNED_BYTE, pixels.data());
    return write_png(path, width, height, pixels, true);  // GL's origin is bottom-left; PNG's is top-left
}

bool write_screenshot(const std::string& path, const PixelTarget& target) {
    std::vector<unsigned char> rgb(static_cast<std::size_t>(target.width) * static_cast<std::size_t>(target.height) * 3);
    std::size_t o = 0;
    for (int y = 0; y < target.height; ++y) {
        const std::uint32_t* row = target.pixels + static_cast<std::ptrdiff_t>(y) * target.stride;
        for (int x = 0; x < target.width; ++x) {
            rgb[o++] = static_cast<unsigned char>(row[x] >> 16);
            rgb[o++] = static_cast<unsigned char>(row[x] >> 8);
            rgb[o++] = static_cast<unsigned char>(row[x]);
        }
    }
    return write_png(path, target.width, target.height, rgb, false);
}

std::string widgets_json(const FrameFacts& facts, const ui::WidgetLog& log) {
    nlohmann::json widgets = nlohmann::json::array();
    for (const auto& w : log.widgets) {
        // Where the widget is on screen: a right-to-left frame is mirrored when drawn.
        const float x = facts.mirrored ? facts.display_width - w.max.x : w.min.x;
        widgets.push_back({{"id", w.id},
                           {"label", w.label},
                           {"x", x},
                           {"y", w.min.y},
                           {"w", w.max.x - w.min.x},
                           {"h", w.max.y - w.min.y},
                           {"selected", w.selected},
                           {"enabled", w.enabled},
                           {"clipped", w.clipped}});
    }
    const nlohmann::json doc = {
        {"screen", facts.screen},
        {"key", facts.key},
        {"language", facts.language},
        {"mirrored", facts.mirrored},
        {"question_id", facts.question_id},
        {"idle_warning", facts.idle_warning},
        {"text_length", facts.text_length},
        {"note", facts.note},
        {"saved", facts.saved},
        {"window", {{"x", facts.window_x}, {"y", facts.window_y}, {"width", facts.width}, {"height", facts.height}}},
        {"px_per_mm", facts.px_per_mm},
        {"widgets", widgets},
    };
    return doc.dump();
}

bool write_widgets_json(const std::string& path, const std::string& json, long frame) {
    auto doc = nlohmann::json::parse(json);
    doc["frame"] = frame;
    const auto tmp = path + ".tmp";
    {
        std::ofstream out(tmp, std::ios::trunc);
        out << doc.dump(1) << '\n';
        if (!out) return false;
    }
    std::error_code error;
    std::filesystem::rename(tmp, path, error);
    return !error;
}

}  // namespace tillit::platform
