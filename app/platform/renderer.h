// How a frame's draw data becomes pixels on screen. Two renderers:
// - OpenGL 3.3 (ImGui's OpenGL 3 backend), for machines with a GPU;
// - software (platform/soft_raster.h into platform/x11_framebuffer.h), for machines
//   without one, where OpenGL would be Mesa's llvmpipe: the same pixels for a fifth of
//   the memory (docs/PERFORMANCE.md).
// `[screen] renderer` in kiosk.toml chooses; "auto" takes OpenGL where the machine has a
// GPU (a DRM render node, /dev/dri/renderD*, it may open) and software where it has none.
#pragma once

#include <memory>
#include <string>

#include <imgui.h>

#include "core/config.h"
#include "core/result.h"
#include "platform/text_engine.h"

struct GLFWwindow;

namespace tillit::platform {

class Renderer {
public:
    virtual ~Renderer() = default;
    virtual const char* name() const = 0;
    // Before ImGui::NewFrame (uploads the font atlas the first time).
    virtual void new_frame() = 0;
    // Draws the frame off screen; present() shows it.
    virtual Status draw(const ImDrawData& data, ImU32 background, int width, int height) = 0;
    // Waits until the drawing is done (the frame benchmark times whole frames).
    virtual void finish() = 0;
    // The frame drawn last, as PNG (test hook).
    virtual bool screenshot(const std::string& path, int width, int height) = 0;
    virtual void present() = 0;
    // Text images become the renderer's textures (platform/text_engine.h).
    virtual CachedTextEngine::Upload upload() = 0;
    virtual CachedTextEngine::Release release() = 0;
};

// Which renderer `setting` means on this machine (resolves "auto").
ScreenRenderer choose_renderer(ScreenRenderer setting);

// GLFW window hints for the renderer, before glfwCreateWindow.
void renderer_window_hints(ScreenRenderer renderer);

// For a window made with renderer_window_hints(renderer); needs ImGui.s context. Its
// destructor shuts its ImGui renderer backend down.
Result<std::unique_ptr<Renderer>> make_renderer(ScreenRenderer renderer, GLFWwindow* window);

}  // namespace tillit::platform
