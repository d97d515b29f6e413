// Mirroring flips triangle winding; ImGui's OpenGL backend draws without face
// culling, so the flipped triangles still fill.
#include "ui/mirror.h"

namespace tillit::ui {

float mirror_x(float x, float display_width) { return display_width - x; }

float mirror_x(float x, const ImDrawData& data) {
    return 2.0f * data.DisplayPos.x + data.DisplaySize.x - x;
}

void mirror_draw_data(ImDrawData& data) {
    const float left = data.DisplayPos.x;
    const float right = data.DisplayPos.x + data.DisplaySize.x;
    for (int l = 0; l < data.CmdListsCount; ++l) {
        ImDrawList* list = data.CmdLists[l];
        for (ImDrawVert& v : list->VtxBuffer) v.pos.x = left + right - v.pos.x;
        for (ImDrawCmd& cmd : list->CmdBuffer) {
            const float x1 = left + right - cmd.ClipRect.z;
            const float x2 = left + right - cmd.ClipRect.x;
            cmd.ClipRect.x = x1;
            cmd.ClipRect.z = x2;
        }
    }
}

}  // namespace tillit::ui
