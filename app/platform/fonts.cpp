// Text set-up for the app and the OpenGL side of the text engine.
#include "platform/fonts.h"

#include <cstdint>

#include <GLFW/glfw3.h>
#include <GL/glext.h>
#include <imgui.h>

namespace tillit::platform {
namespace {

ImTextureID upload(const TextImage& image) {
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
}

void release(ImTextureID id) {
    const auto texture = static_cast<GLuint>(reinterpret_cast<std::uintptr_t>(id));
    glDeleteTextures(1, &texture);
}

}  // namespace

Result<Ok> load_text(AppText& out, const std::vector<std::string>& texts) {
    auto shaper = TextShaper::create(texts);
    if (!shaper) return make_error(shaper.error());
    out.engine.reset();
    out.shaper = std::move(shaper.value());
    out.engine = std::make_unique<CachedTextEngine>(*out.shaper, upload, release);

    ImGuiIO& io = ImGui::GetIO();
    if (io.Fonts->Fonts.empty()) {
        io.Fonts->AddFontDefault();  // ImGui needs one font; nothing visible uses it
        io.Fonts->Build();
    }
    return Ok{};
}

}  // namespace tillit::platform
