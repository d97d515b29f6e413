// The software renderer's rasteriser (platform/soft_raster.h) against what OpenGL draws
// for the same draw lists: pixel-centre coverage, shared edges blended once, alpha
// fringes, textures 1:1 and mirrored, the clip rectangle, and real shaped text.
#include <doctest/doctest.h>

#include <cmath>
#include <cstdint>
#include <memory>
#include <vector>

#include <imgui.h>

#include "platform/soft_raster.h"
#include "platform/text_engine.h"
#include "platform/text_shaper.h"

using namespace tillit::platform;

namespace {

constexpr ImU32 kBackground = IM_COL32(245, 243, 238, 255);
constexpr std::uint32_t kBackgroundPixel = 0xF5F3EE;

// An ImGui context whose draw lists can be filled and rendered without a window.
struct Canvas {
    ImGuiContext* context = ImGui::CreateContext();
    std::unique_ptr<ImDrawList> owned;
    ImDrawList* list = nullptr;
    std::vector<std::uint32_t> pixels;
    int width, height;
    SoftRaster raster;

    Canvas(int w, int h) : width(w), height(h) {
        ImGui::SetCurrentContext(context);
        ImGuiIO& io = ImGui::GetIO();
        io.IniFilename = nullptr;  // no imgui.ini left behind
        io.DisplaySize = ImVec2(static_cast<float>(w), static_cast<float>(h));
        unsigned char* atlas = nullptr;
        int aw = 0, ah = 0;
        io.Fonts->GetTexDataAsAlpha8(&atlas, &aw, &ah);
        CoverageImage image{aw, ah, std::vector<std::uint8_t>(atlas, atlas + aw * ah)};
        io.Fonts->SetTexID(raster.add(std::move(image)));
        ImGui::NewFrame();
        owned = std::make_unique<ImDrawList>(ImGui::GetDrawListSharedData());
        list = owned.get();
        list->_ResetForNewFrame();
        list->Flags = ImDrawListFlags_AntiAliasedLines | ImDrawListFlags_AntiAliasedFill;
        list->PushClipRectFullScreen();
        list->PushTextureID(io.Fonts->TexID);
        pixels.assign(static_cast<std::size_t>(w * h), 0u);
    }
    ~Canvas() {
        ImGui::SetCurrentContext(context);
        owned.reset();
        ImGui::EndFrame();
        ImGui::DestroyContext(context);
    }

    void render(bool mirrored = false) {
        if (mirrored) {
            for (ImDrawVert& v : list->VtxBuffer) v.pos.x = static_cast<float>(width) - v.pos.x;
        }
        ImDrawList* lists[] = {list};
        ImDrawData data;
        data.Valid = true;
        data.CmdLists = lists;
        data.CmdListsCount = 1;
        data.DisplaySize = ImVec2(static_cast<float>(width), static_cast<float>(height));
        data.FramebufferScale = ImVec2(1, 1);
        raster.render(data, kBackground, PixelTarget{pixels.data(), width, height, width});
    }
    std::uint32_t at(int x, int y) const { return pixels[static_cast<std::size_t>(y * width + x)]; }
    int count(std::uint32_t pixel) const {
        int n = 0;
        for (std::uint32_t p : pixels) n += p == pixel ? 1 : 0;
        return n;
    }
};

int red(std::uint32_t p) { return static_cast<int>((p >> 16) & 0xFF); }

}  // namespace

TEST_CASE("soft raster: a rectangle covers exactly the pixels whose centres it holds") {
    Canvas canvas(40, 30);
    canvas.list->AddRectFilled(ImVec2(10.0f, 5.0f), ImVec2(20.0f, 12.0f), IM_COL32(200, 0, 0, 255));
    // Half-pixel edges: centres 20.5 and 30.5 are inside [20.4, 31.4), 31.5 is not.
    canvas.list->AddRectFilled(ImVec2(20.4f, 20.0f), ImVec2(31.4f, 21.0f), IM_COL32(0, 0, 200, 255));
    canvas.render();
    CHECK(canvas.count(0xC80000) == 10 * 7);
    CHECK(canvas.at(10, 5) == 0xC80000);
    CHECK(canvas.at(19, 11) == 0xC80000);
    CHECK(canvas.at(20, 11) == kBackgroundPixel);
    CHECK(canvas.at(9, 5) == kBackgroundPixel);
    CHECK(canvas.count(0x0000C8) == 11);
    CHECK(canvas.at(20, 20) == 0x0000C8);
    CHECK(canvas.at(31, 20) == kBackgroundPixel);
    CHECK(canvas.count(kBackgroundPixel) == 40 * 30 - 70 - 11);
}

TEST_CASE("soft raster: triangles sharing an edge blend each pixel once") {
    Canvas canvas(64, 64);
    // A half-transparent convex shape without anti-aliasing: a fan of triangles with shared edges.
    canvas.list->Flags = ImDrawListFlags_None;
    // The fan's diagonal from the first to the third point runs through 56 pixel centres.
    const ImVec2 points[] = {{4.5f, 4.5f}, {60.5f, 4.5f}, {60.5f, 60.5f}, {30.5f, 62.5f}, {4.5f, 60.5f}};
    canvas.list->AddConvexPolyFilled(points, 5, IM_COL32(0, 0, 0, 128));
    canvas.render();
    // Inside, every pixel is the background blended once with half black; no darker seams.
    const std::uint32_t once = canvas.at(30, 30);
    CHECK(red(once) == (245 * 127 + 127) / 255);
    int seams = 0, inside = 0;
    for (std::uint32_t p : canvas.pixels) {
        if (p == kBackgroundPixel) continue;
        ++inside;
        if (p != once) ++seams;
    }
    CHECK(seams == 0);
    CHECK(inside > 2000);
}

TEST_CASE("soft raster: anti-aliased edges fade over about one pixel, as ImGui's fringes ask") {
    Canvas canvas(100, 100);
    canvas.list->AddCircleFilled(ImVec2(50.0f, 50.0f), 30.0f, IM_COL32(0, 0, 0, 255), 64);
    canvas.render();
    int full_outside = 0, blank_inside = 0, partial = 0;
    for (int y = 0; y < 100; ++y) {
        for (int x = 0; x < 100; ++x) {
            const float d = std::hypot(static_cast<float>(x) + 0.5f - 50.0f, static_cast<float>(y) + 0.5f - 50.0f);
            const std::uint32_t p = canvas.at(x, y);
            if (d > 31.0f && p != kBackgroundPixel) ++full_outside;
            if (d < 29.0f && p != 0u) ++blank_inside;
            if (p != 0u && p != kBackgroundPixel) ++partial;
        }
    }
    CHECK(full_outside == 0);
    CHECK(blank_inside == 0);
    // The fringe: a ring of blended pixels about one pixel wide (circumference ~190).
    CHECK(partial > 150);
    CHECK(partial < 500);
}

TEST_CASE("soft raster: the clip rectangle is the scissor") {
    Canvas canvas(40, 40);
    canvas.list->PushClipRect(ImVec2(10.0f, 10.0f), ImVec2(20.0f, 15.0f));
    canvas.list->AddRectFilled(ImVec2(0.0f, 0.0f), ImVec2(40.0f, 40.0f), IM_COL32(0, 120, 0, 255));
    canvas.list->PopClipRect();
    canvas.render();
    CHECK(canvas.count(0x007800) == 10 * 5);
    CHECK(canvas.at(10, 10) == 0x007800);
    CHECK(canvas.at(20, 14) == kBackgroundPixel);

    // Shapes far outside the screen (ImGui places scrolled-away items there) are cut, not wrapped.
    Canvas far(20, 20);
    far.list->AddRectFilled(ImVec2(-1.0e9f, -1.0e9f), ImVec2(1.0e9f, 1.0e9f), IM_COL32(0, 0, 90, 255));
    far.list->AddTriangleFilled(ImVec2(-3.0e9f, 5.0f), ImVec2(3.0e9f, 5.0f), ImVec2(0.0f, 3.0e9f), IM_COL32(90, 0, 0, 255));
    far.render();
    CHECK(far.count(0x00005A) + far.count(0x5A0000) == 20 * 20);
    CHECK(far.count(0x5A0000) == 20 * 15);
}

TEST_CASE("soft raster: a coverage image is drawn 1:1, tinted, and flipped with its quad") {
    Canvas canvas(30, 20);
    CoverageImage image;
    image.width = 4;
    image.height = 2;
    image.alpha = {0, 85, 170, 255, 255, 255, 0, 0};
    const ImTextureID id = canvas.raster.add(image);
    canvas.list->AddImage(id, ImVec2(3.0f, 4.0f), ImVec2(7.0f, 6.0f), ImVec2(0, 0), ImVec2(1, 1), IM_COL32(255, 0, 0, 255));
    canvas.render();
    CHECK(canvas.at(3, 4) == kBackgroundPixel);
    CHECK(red(canvas.at(4, 4)) == 245 + (255 - 245) * 85 / 255);
    CHECK(canvas.at(6, 4) == 0xFF0000);
    CHECK(canvas.at(3, 5) == 0xFF0000);
    CHECK(canvas.at(5, 5) == kBackgroundPixel);

    // Mirrored for a right-to-left frame: the image's uv runs 1 -> 0 while x runs 0 -> 1,
    // and the whole frame is then flipped, so it reads the same way as before.
    Canvas mirrored(30, 20);
    const ImTextureID id2 = mirrored.raster.add(image);
    mirrored.list->AddImage(id2, ImVec2(23.0f, 4.0f), ImVec2(27.0f, 6.0f), ImVec2(1, 0), ImVec2(0, 1),
                           IM_COL32(255, 0, 0, 255));
    mirrored.render(true);
    for (int y = 0; y < 20; ++y) {
        for (int x = 0; x < 30; ++x) CHECK(mirrored.at(x, y) == canvas.at(x, y));
    }
    canvas.raster.remove(id);
    CHECK(canvas.raster.texture_count() == 1);  // the font atlas stays
}

TEST_CASE("soft raster: shaped text keeps its ink, in the colour asked for") {
    auto shaper = TextShaper::create({"Tryck här för att börja"});
    REQUIRE_MESSAGE(shaper.ok(), (shaper.ok() ? "" : shaper.error()));
    TextRequest request;
    request.size_px = 40.0f;
    request.language = "sv";
    const TextImage text = shaper.value()->render("Tryck här för att börja", request);
    REQUIRE(text.image_width > 100);

    Canvas canvas(text.image_width + 20, text.image_height + 20);
    const ImTextureID id = canvas.raster.add(CoverageImage{text.image_width, text.image_height, text.coverage});
    canvas.list->AddImage(id, ImVec2(10.0f, 10.0f),
                         ImVec2(10.0f + static_cast<float>(text.image_width), 10.0f + static_cast<float>(text.image_height)),
                         ImVec2(0, 0), ImVec2(1, 1), IM_COL32(20, 20, 20, 255));
    canvas.render();
    // Every pixel is the background blended with the text colour by the image's coverage.
    int ink = 0, wrong = 0;
    for (int y = 0; y < text.image_height; ++y) {
        for (int x = 0; x < text.image_width; ++x) {
            const int coverage = text.coverage[static_cast<std::size_t>(y * text.image_width + x)];
            const int expected = (20 * coverage + 245 * (255 - coverage) + 127) / 255;
            if (std::abs(red(canvas.at(x + 10, y + 10)) - expected) > 1) ++wrong;
            if (coverage == 255) ++ink;
        }
    }
    CHECK(wrong == 0);
    CHECK(ink > 500);
}
