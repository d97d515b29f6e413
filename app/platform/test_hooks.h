// Test hooks that keep the real rendering path: a PNG of the frame just drawn
// (glReadPixels of the back buffer, or the software renderer's own pixels) and a JSON file listing every tappable widget of
// the current screen with its rectangle in window coordinates. Off unless asked for.
#pragma once

#include <string>

#include "platform/soft_raster.h"
#include "ui/context.h"

namespace tillit::platform {

// Reads the back buffer of the current GL context and writes it as PNG.
bool write_screenshot(const std::string& path, int width, int height);
// Writes the software renderer's pixels (0x00RRGGBB) as PNG.
bool write_screenshot(const std::string& path, const PixelTarget& pixels);

struct FrameFacts {
    long frame = 0;
    std::string screen;
    std::string key;
    std::string language;
    std::string question_id;
    bool idle_warning = false;
    long text_length = -1;  // free-text screen: characters typed so far (never the text itself)
    std::string note;       // staff screens: the words shown about the PIN, sync or export
    std::string saved;      // the id of the response the screen confirms (KioskApp::confirmed_response)
    int window_x = 0, window_y = 0, width = 0, height = 0;
    float px_per_mm = 0.0f;
    bool mirrored = false;       // right-to-left frame: widget rectangles are reported as seen
    float display_width = 0.0f;  // ImGui's display width (the mirror's axis is its centre)
};

// Serialises the facts and widgets. `frame` is left out so unchanged frames compare equal.
std::string widgets_json(const FrameFacts& facts, const ui::WidgetLog& log);
// Writes `json` (adding the frame number) to `path` atomically (temp file + rename).
bool write_widgets_json(const std::string& path, const std::string& json, long frame);

}  // namespace tillit::platform
