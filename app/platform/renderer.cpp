// See renderer.h.
#include "platform/renderer.h"

#include <unistd.h>

#include <cstdint>
#include <filesystem>

#include <GLFW/glfw3.h>
#include <GL/glext.h>
#include <backends/imgui_impl_opengl3.h>

#include "platform/soft_raster.h"
#include "platform/test_hooks.h"
#include "platform/x11_framebuffer.h"

namespace tillit::platform {
namespace {

// A DRM render node this process may use: without one (none, or the kiosk's user is not
// in the node's group), Mesa's OpenGL would be llvmpipe on the CPU.
bool has_gpu() {
    std::error_code error;
    for (const auto& entry : std::filesystem::directory_iterator("/dev/dri", error)) {
        if (entry.path().filename().string().rfind("renderD", 0) == 0 &&
            access(entry.path().c_str(), R_OK | W_OK) == 0) {
            return true;
        }
    }
    return false;
}

class GlRenderer final : public Renderer {
public:
    GlRenderer() { ImGui_ImplOpenGL3_Init("#version 330 core"); }
    ~GlRenderer() override { ImGui_ImplOpenGL3_Shutdown(); }
    const char* name() const override { return "opengl"; }
    void new_frame() override { ImGui_ImplOpenGL3_NewFrame(); }

    Status draw(const ImDrawData& data, ImU32 background, int width, int height) override {
        glViewport(0, 0, width, height);
        const ImVec4 bg = ImGui::ColorConvertU32ToFloat4(background);
        glClearColor(bg.x, bg.y, bg.z, 1.0f);
        glClear(GL_COLOR_BUFFER_BIT);
        ImGui_ImplOpenGL3_RenderDrawData(const_cast<ImDrawData*>(&data));
        return Ok{};
    }

    void finish() override { glFinish(); }
    bool screenshot(const std::string& path, int width, int height) override {
        return write_screenshot(path, width, height);
    }
    void present() override { glfwSwapBuffers(glfwGetCurrentContext()); }

    // One 8-bit channel, swizzled to white with coverage as alpha, so a draw call's colour tints it.
    CachedTextEngine::Upload upload() override {
        return [](const TextImage& image) {
            GLuint texture = 0;
            glGenTextures(1, &texture);
            glBindTexture(GL_TEXTURE_2D, texture);
            glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MIN_FILTER, GL_LINEAR);
            glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MAG_FILTER, GL_LINEAR);
            glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_S, GL_CLAMP_TO_EDGE);
            glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_T, GL_CLAMP_TO_EDGE);
            const GLint swizzle[] = {GL_ONE, GL_ONE, GL_ONE, GL_RED};
            glTexParameteriv(GL_TEXTURE_2D, GL_TEXTURE_SWIZZLE_RGBA, swizzle);
            glPixelStorei(GL_UNPACK_ALIGNMENT, 1);
            glTexImage2D(GL_TEXTURE_2D, 0, GL_R8, image.image_width, image.image_height, 0, GL_RED, GL_UNSIGNED_BYTE,
                         image.coverage.data());
            return reinterpret_cast<ImTextureID>(static_cast<std::uintptr_t>(texture));
        };
    }
    CachedTextEngine::Release release() override {
        return [](ImTextureID id) {
            const auto texture = static_cast<GLuint>(reinterpret_cast<std::uintptr_t>(id));
            glDeleteTextures(1, &texture);
        };
    }
};

class SoftRenderer final : public Renderer {
public:
    explicit SoftRenderer(std::unique_ptr<X11Framebuffer> framebuffer) : framebuffer_(std::move(framebuffer)) {
        ImGuiIO& io = ImGui::GetIO();
        io.BackendRendererName = "tillit_software";
        io.BackendFlags |= ImGuiBackendFlags_RendererHasVtxOffset;  // large meshes keep 16-bit indices
    }
    ~SoftRenderer() override {
        ImGuiIO& io = ImGui::GetIO();
        io.BackendRendererName = nullptr;
        io.Fonts->SetTexID(nullptr);
    }
    const char* name() const override { return "software"; }

    void new_frame() override {
        ImGuiIO& io = ImGui::GetIO();
        if (io.Fonts->TexID != nullptr) return;
        unsigned char* pixels = nullptr;
        int width = 0, height = 0;
        io.Fonts->GetTexDataAsAlpha8(&pixels, &width, &height);
        CoverageImage atlas;
        atlas.width = width;
        atlas.height = height;
        atlas.alpha.assign(pixels, pixels + static_cast<std::size_t>(width) * static_cast<std::size_t>(height));
        io.Fonts->SetTexID(raster_.add(std::move(atlas)));
        io.Fonts->ClearTexData();  // the raster holds the one copy
    }

    Status draw(const ImDrawData& data, ImU32 background, int width, int height) override {
        auto target = framebuffer_->target(width, height);
        if (!target) return make_error(target.error());
        target_ = target.value();
        raster_.render(data, background, target_);
        return Ok{};
    }

    void finish() override {}
    bool screenshot(const std::string& path, int, int) override {
        return target_.pixels != nullptr && write_screenshot(path, target_);
    }
    void present() override { framebuffer_->present(); }

    CachedTextEngine::Upload upload() override {
        return [this](const TextImage& image) {
            CoverageImage copy;
            copy.width = image.image_width;
            copy.height = image.image_height;
            copy.alpha = image.coverage;
            return raster_.add(std::move(copy));
        };
    }
    CachedTextEngine::Release release() override {
        return [this](ImTextureID id) { raster_.remove(id); };
    }

private:
    std::unique_ptr<X11Framebuffer> framebuffer_;
    SoftRaster raster_;
    PixelTarget target_;
};

}  // namespace

ScreenRenderer choose_renderer(ScreenRenderer setting) {
    if (setting != ScreenRenderer::Auto) return setting;
    return has_gpu() ? ScreenRenderer::OpenGL : ScreenRenderer::Software;
}

void renderer_window_hints(ScreenRenderer renderer) {
    if (renderer == ScreenRenderer::Software) {
        glfwWindowHint(GLFW_CLIENT_API, GLFW_NO_API);
        return;
    }
    glfwWindowHint(GLFW_CLIENT_API, GLFW_OPENGL_API);
    glfwWindowHint(GLFW_CONTEXT_VERSION_MAJOR, 3);
    glfwWindowHint(GLFW_CONTEXT_VERSION_MINOR, 3);
    glfwWindowHint(GLFW_OPENGL_PROFILE, GLFW_OPENGL_CORE_PROFILE);
    // ImGui draws in 2D: no depth or stencil buffer (in software GL each would be another
    // full-screen buffer of memory).
    glfwWindowHint(GLFW_DEPTH_BITS, 0);
    glfwWindowHint(GLFW_STENCIL_BITS, 0);
}

Result<std::unique_ptr<Renderer>> make_renderer(ScreenRenderer renderer, GLFWwindow* window) {
    if (renderer == ScreenRenderer::Software) {
        auto framebuffer = X11Framebuffer::create(window);
        if (!framebuffer) return make_error(framebuffer.error());
        return std::unique_ptr<Renderer>(std::make_unique<SoftRenderer>(std::move(framebuffer.value())));
    }
    glfwMakeContextCurrent(window);
    // No vsync wait: frames are drawn only on events, and a swap must never block on a
    // window the window manager has hidden for a moment.
    glfwSwapInterval(0);
    return std::unique_ptr<Renderer>(std::make_unique<GlRenderer>());
}

}  // namespace tillit::platform
