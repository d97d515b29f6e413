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

bool write_screenshot(const std::string& path, int width, int height) {
    std::vector<unsigned char> pixels(static_cast<std::size_t>(width) * static_cast<std::size_t>(height) * 3);
    glPixelStorei(GL_PACK_ALIGNMENT, 1);
    glReadBuffer(GL_BACK);
    glReadPixels(0, 0, width, height, GL_RGB, GL_UNSIGNED_BYTE, pixels.data());
    // GL's origin is bottom-left; PNG's is top-left.
    stbi_flip_vertically_on_write(1);
    const auto tmp = path + ".tmp";
    if (stbi_write_png(tmp.c_str(), width, height, 3, pixels.data(), width * 3) == 0) return false;
    std::error_code error;
    std::filesystem::rename(tmp, path, error);
    return !error;
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
