// See soft_raster.h. Coordinates follow ImGui's: pixels, y down, a pixel (x, y) covered
// when its centre (x + 0.5, y + 0.5) is inside.
#include "platform/soft_raster.h"

#include <algorithm>
#include <cmath>

namespace tillit::platform {
namespace {

struct Rgba {
    int r, g, b, a;
};

Rgba unpack(ImU32 c) {  // ImGui: A in the top byte, R in the bottom one
    return {static_cast<int>(c & 0xFF), static_cast<int>((c >> 8) & 0xFF), static_cast<int>((c >> 16) & 0xFF),
            static_cast<int>(c >> 24)};
}

// x / 255 rounded, for x in [0, 255 * 255].
inline int div255(int x) {
    return ((x + 128) * 257) >> 16;
}

inline std::uint32_t blend(std::uint32_t dst, int r, int g, int b, int a) {
    if (a >= 255) return static_cast<std::uint32_t>((r << 16) | (g << 8) | b);
    if (a <= 0) return dst;
    const int dr = static_cast<int>((dst >> 16) & 0xFF), dg = static_cast<int>((dst >> 8) & 0xFF),
              db = static_cast<int>(dst & 0xFF);
    const int na = 255 - a;
    return static_cast<std::uint32_t>((div255(r * a + dr * na) << 16) | (div255(g * a + dg * na) << 8) |
                                      div255(b * a + db * na));
}

// A float as int, saturating (and NaN as 0): ImGui may place vertices and clip
// rectangles far outside the screen, where a plain cast is undefined.
inline int to_int(float value) {
    if (!(value == value)) return 0;
    return static_cast<int>(std::clamp(value, -1.0e8f, 1.0e8f));
}

struct Clip {
    int x0, y0, x1, y1;  // pixels [x0, x1) x [y0, y1)
    bool empty() const { return x0 >= x1 || y0 >= y1; }
};

inline std::uint8_t sample(const CoverageImage* tex, float u, float v) {
    if (tex == nullptr || tex->width == 0 || tex->height == 0) return 255;
    const int tx = std::clamp(to_int(std::floor(u * static_cast<float>(tex->width))), 0, tex->width - 1);
    const int ty = std::clamp(to_int(std::floor(v * static_cast<float>(tex->height))), 0, tex->height - 1);
    return tex->alpha[static_cast<std::size_t>(ty) * static_cast<std::size_t>(tex->width) +
                      static_cast<std::size_t>(tx)];
}

// First and one-past-last pixel whose centre lies in [lo, hi), cut to [min, max).
inline void centre_span(float lo, float hi, int min, int max, int& first, int& end) {
    first = std::max(min, to_int(std::ceil(lo - 0.5f)));
    end = std::min(max, to_int(std::ceil(hi - 0.5f)));
}

// A texel index for each pixel centre along one axis of a textured quad.
void texel_indices(int first, int end, float p0, float p1, float t0, float t1, int size, std::vector<int>& out) {
    out.resize(static_cast<std::size_t>(std::max(0, end - first)));
    const float scale = (t1 - t0) / (p1 - p0);
    for (int p = first; p < end; ++p) {
        const float t = t0 + (static_cast<float>(p) + 0.5f - p0) * scale;
        out[static_cast<std::size_t>(p - first)] =
            std::clamp(to_int(std::floor(t * static_cast<float>(size))), 0, size - 1);
    }
}

// An axis-aligned quad as ImGui writes one (PrimRect / PrimRectUV: corners a b c d from
// the top-left, clockwise, triangles abc and acd), in one colour.
bool draw_quad(const ImDrawVert* v, const ImDrawIdx* idx, const CoverageImage* tex, const Clip& clip,
               const PixelTarget& target) {
    const ImDrawIdx a = idx[0];
    if (idx[1] != a + 1 || idx[2] != a + 2 || idx[3] != a || idx[4] != a + 2 || idx[5] != a + 3) return false;
    const ImDrawVert &p = v[a], &q = v[a + 1], &r = v[a + 2], &s = v[a + 3];
    if (p.pos.y != q.pos.y || q.pos.x != r.pos.x || r.pos.y != s.pos.y || s.pos.x != p.pos.x) return false;
    if (p.uv.y != q.uv.y || q.uv.x != r.uv.x || r.uv.y != s.uv.y || s.uv.x != p.uv.x) return false;
    if (p.col != q.col || p.col != r.col || p.col != s.col) return false;
    float x0 = p.pos.x, x1 = r.pos.x, y0 = p.pos.y, y1 = r.pos.y;
    float u0 = p.uv.x, u1 = r.uv.x, v0 = p.uv.y, v1 = r.uv.y;
    if (x0 > x1) {  // mirrored for a right-to-left frame
        std::swap(x0, x1);
        std::swap(u0, u1);
    }
    if (y0 > y1) {
        std::swap(y0, y1);
        std::swap(v0, v1);
    }
    int px0, px1, py0, py1;
    centre_span(x0, x1, clip.x0, clip.x1, px0, px1);
    centre_span(y0, y1, clip.y0, clip.y1, py0, py1);
    if (px0 >= px1 || py0 >= py1) return true;
    const Rgba c = unpack(p.col);
    if (c.a == 0) return true;
    const bool solid = tex == nullptr || (u0 == u1 && v0 == v1);
    if (solid) {
        const int a_eff = div255(c.a * sample(tex, u0, v0));
        if (a_eff == 0) return true;
        for (int y = py0; y < py1; ++y) {
            std::uint32_t* row = target.pixels + static_cast<std::ptrdiff_t>(y) * target.stride;
            if (a_eff == 255) {
                std::fill(row + px0, row + px1, static_cast<std::uint32_t>((c.r << 16) | (c.g << 8) | c.b));
            } else {
                for (int x = px0; x < px1; ++x) row[x] = blend(row[x], c.r, c.g, c.b, a_eff);
            }
        }
        return true;
    }
    thread_local std::vector<int> columns, rows;
    texel_indices(px0, px1, x0, x1, u0, u1, tex->width, columns);
    texel_indices(py0, py1, y0, y1, v0, v1, tex->height, rows);
    const std::size_t width = static_cast<std::size_t>(tex->width);
    for (int y = py0; y < py1; ++y) {
        std::uint32_t* row = target.pixels + static_cast<std::ptrdiff_t>(y) * target.stride;
        const std::uint8_t* texels = tex->alpha.data() + static_cast<std::size_t>(rows[static_cast<std::size_t>(y - py0)]) * width;
        for (int x = px0; x < px1; ++x) {
            const int coverage = texels[columns[static_cast<std::size_t>(x - px0)]];
            if (coverage == 0) continue;
            row[x] = blend(row[x], c.r, c.g, c.b, c.a == 255 ? coverage : div255(c.a * coverage));
        }
    }
    return true;
}

// Edge function of a -> b at p: positive on the triangle's inside once it is oriented.
inline float edge(const ImVec2& a, const ImVec2& b, float px, float py) {
    return (b.x - a.x) * (py - a.y) - (b.y - a.y) * (px - a.x);
}

// An edge's pixel centres count when it is a top edge (horizontal, inside below) or a left edge.
inline bool top_left(const ImVec2& a, const ImVec2& b) {
    const float dx = b.x - a.x, dy = b.y - a.y;
    return dy < 0.0f || (dy == 0.0f && dx > 0.0f);
}

void draw_triangle(const ImDrawVert& va, const ImDrawVert& vb0, const ImDrawVert& vc0, const CoverageImage* tex,
                   const Clip& clip, const PixelTarget& target) {
    const ImDrawVert* vb = &vb0;
    const ImDrawVert* vc = &vc0;
    float area = edge(va.pos, vb->pos, vc->pos.x, vc->pos.y);
    if (area == 0.0f) return;
    if (area < 0.0f) {
        std::swap(vb, vc);
        area = -area;
    }
    const ImVec2 &a = va.pos, &b = vb->pos, &c = vc->pos;
    int x0, x1, y0, y1;
    centre_span(std::min({a.x, b.x, c.x}), std::max({a.x, b.x, c.x}) + 1.0f, clip.x0, clip.x1, x0, x1);
    centre_span(std::min({a.y, b.y, c.y}), std::max({a.y, b.y, c.y}) + 1.0f, clip.y0, clip.y1, y0, y1);
    if (x0 >= x1 || y0 >= y1) return;

    const bool one_colour = va.col == vb->col && va.col == vc->col;
    const bool one_texel = tex == nullptr || (va.uv.x == vb->uv.x && va.uv.x == vc->uv.x && va.uv.y == vb->uv.y &&
                                              va.uv.y == vc->uv.y);
    const Rgba ca = unpack(va.col), cb = unpack(vb->col), cc = unpack(vc->col);
    const int texel = one_texel ? sample(tex, va.uv.x, va.uv.y) : 255;
    if (one_colour && one_texel && div255(ca.a * texel) == 0) return;
    // Bias: a centre exactly on an edge belongs to the triangle only for top and left edges.
    const bool tl_bc = top_left(b, c), tl_ca = top_left(c, a), tl_ab = top_left(a, b);
    const float inv_area = 1.0f / area;
    // Edge functions step by a constant along a row.
    const float step_bc = -(c.y - b.y), step_ca = -(a.y - c.y), step_ab = -(b.y - a.y);
    for (int y = y0; y < y1; ++y) {
        const float py = static_cast<float>(y) + 0.5f;
        const float px = static_cast<float>(x0) + 0.5f;
        float e_bc = edge(b, c, px, py), e_ca = edge(c, a, px, py), e_ab = edge(a, b, px, py);
        std::uint32_t* row = target.pixels + static_cast<std::ptrdiff_t>(y) * target.stride;
        for (int x = x0; x < x1; ++x, e_bc += step_bc, e_ca += step_ca, e_ab += step_ab) {
            if (e_bc < 0.0f || e_ca < 0.0f || e_ab < 0.0f) continue;
            if ((e_bc == 0.0f && !tl_bc) || (e_ca == 0.0f && !tl_ca) || (e_ab == 0.0f && !tl_ab)) continue;
            // Weights of a, b and c at this centre.
            const float wa = e_bc * inv_area, wb = e_ca * inv_area, wc = e_ab * inv_area;
            int r = ca.r, g = ca.g, bl = ca.b, al = ca.a;
            if (!one_colour) {
                r = static_cast<int>(wa * static_cast<float>(ca.r) + wb * static_cast<float>(cb.r) +
                                     wc * static_cast<float>(cc.r) + 0.5f);
                g = static_cast<int>(wa * static_cast<float>(ca.g) + wb * static_cast<float>(cb.g) +
                                     wc * static_cast<float>(cc.g) + 0.5f);
                bl = static_cast<int>(wa * static_cast<float>(ca.b) + wb * static_cast<float>(cb.b) +
                                      wc * static_cast<float>(cc.b) + 0.5f);
                al = static_cast<int>(wa * static_cast<float>(ca.a) + wb * static_cast<float>(cb.a) +
                                      wc * static_cast<float>(cc.a) + 0.5f);
                r = std::clamp(r, 0, 255);
                g = std::clamp(g, 0, 255);
                bl = std::clamp(bl, 0, 255);
                al = std::clamp(al, 0, 255);
            }
            int coverage = texel;
            if (!one_texel) {
                coverage = sample(tex, wa * va.uv.x + wb * vb->uv.x + wc * vc->uv.x,
                                  wa * va.uv.y + wb * vb->uv.y + wc * vc->uv.y);
            }
            row[x] = blend(row[x], r, g, bl, coverage == 255 ? al : div255(al * coverage));
        }
    }
}

}  // namespace

ImTextureID SoftRaster::add(CoverageImage image) {
    auto owned = std::make_unique<CoverageImage>(std::move(image));
    const CoverageImage* id = owned.get();
    textures_.emplace(id, std::move(owned));
    return const_cast<CoverageImage*>(id);  // ImTextureID is a void*
}

void SoftRaster::remove(ImTextureID id) {
    textures_.erase(static_cast<const CoverageImage*>(id));
}

void SoftRaster::render(const ImDrawData& data, ImU32 background, const PixelTarget& target) const {
    const Rgba bg = unpack(background);
    const auto clear = static_cast<std::uint32_t>((bg.r << 16) | (bg.g << 8) | bg.b);
    for (int y = 0; y < target.height; ++y) {
        std::uint32_t* row = target.pixels + static_cast<std::ptrdiff_t>(y) * target.stride;
        std::fill(row, row + target.width, clear);
    }
    const ImVec2 origin = data.DisplayPos;
    const ImVec2 scale = data.FramebufferScale.x > 0.0f ? data.FramebufferScale : ImVec2(1.0f, 1.0f);
    thread_local std::vector<ImDrawVert> moved;
    for (int n = 0; n < data.CmdListsCount; ++n) {
        const ImDrawList& list = *data.CmdLists[n];
        // Vertices in framebuffer pixels (the same as ImGui's when the origin is 0 and the scale 1).
        const ImDrawVert* vertices = list.VtxBuffer.Data;
        if (origin.x != 0.0f || origin.y != 0.0f || scale.x != 1.0f || scale.y != 1.0f) {
            moved.assign(list.VtxBuffer.begin(), list.VtxBuffer.end());
            for (ImDrawVert& v : moved) {
                v.pos.x = (v.pos.x - origin.x) * scale.x;
                v.pos.y = (v.pos.y - origin.y) * scale.y;
            }
            vertices = moved.data();
        }
        for (const ImDrawCmd& cmd : list.CmdBuffer) {
            if (cmd.UserCallback != nullptr) {
                if (cmd.UserCallback != ImDrawCallback_ResetRenderState) cmd.UserCallback(&list, &cmd);
                continue;
            }
            const Clip clip{std::max(0, to_int((cmd.ClipRect.x - origin.x) * scale.x)),
                            std::max(0, to_int((cmd.ClipRect.y - origin.y) * scale.y)),
                            std::min(target.width, to_int((cmd.ClipRect.z - origin.x) * scale.x)),
                            std::min(target.height, to_int((cmd.ClipRect.w - origin.y) * scale.y))};
            if (clip.empty()) continue;
            const auto* tex = static_cast<const CoverageImage*>(cmd.TextureId);
            const ImDrawVert* v = vertices + cmd.VtxOffset;
            const ImDrawIdx* idx = list.IdxBuffer.Data + cmd.IdxOffset;
            for (unsigned int i = 0; i + 2 < cmd.ElemCount;) {
                if (i + 5 < cmd.ElemCount && draw_quad(v, idx + i, tex, clip, target)) {
                    i += 6;
                    continue;
                }
                draw_triangle(v[idx[i]], v[idx[i + 1]], v[idx[i + 2]], tex, clip, target);
                i += 3;
            }
        }
    }
}

}  // namespace tillit::platform
