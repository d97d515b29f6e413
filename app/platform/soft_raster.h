// Draws ImGui's draw lists into a CPU framebuffer: the kiosk's renderer on machines
// without a GPU (platform/renderer.h). There, OpenGL would be Mesa's llvmpipe, whose
// LLVM JIT alone costs more memory than the whole kiosk otherwise uses; a 2D interface
// redrawn only after input needs none of it.
//
// What it draws is what ImGui's OpenGL 3 backend draws, without the GPU: triangles with
// interpolated vertex colours (ImGui's anti-aliased edges are alpha fringes in the
// vertices), textures sampled nearest, the clip rectangle as the scissor, blending
// src*a + dst*(1-a). Pixel centres decide coverage with the top-left rule, so triangles
// that share an edge never blend a pixel twice. Axis-aligned quads (rectangles, text
// images) take a fast path.
//
// Textures are 8-bit coverage images drawn as white with the coverage as alpha and
// tinted by the vertex colour: the text engine's images and ImGui's font atlas.
#pragma once

#include <cstdint>
#include <memory>
#include <unordered_map>
#include <vector>

#include <imgui.h>

namespace tillit::platform {

struct CoverageImage {
    int width = 0;
    int height = 0;
    std::vector<std::uint8_t> alpha;  // width * height, rows top to bottom
};

// 32-bit pixels 0x00RRGGBB (X11's 24-bit TrueColor layout), `stride` pixels per row.
struct PixelTarget {
    std::uint32_t* pixels = nullptr;
    int width = 0;
    int height = 0;
    int stride = 0;
};

class SoftRaster {
public:
    // The image stays with the raster until remove(); the id is what draw commands carry.
    ImTextureID add(CoverageImage image);
    void remove(ImTextureID id);
    std::size_t texture_count() const { return textures_.size(); }

    // Clears the target to `background` (ImGui's ABGR colour) and draws every command.
    void render(const ImDrawData& data, ImU32 background, const PixelTarget& target) const;

private:
    std::unordered_map<const CoverageImage*, std::unique_ptr<CoverageImage>> textures_;
};

}  // namespace tillit::platform
