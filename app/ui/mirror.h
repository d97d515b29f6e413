// Right-to-left layouts by mirroring: a frame for Arabic or Persian is laid out as for
// a left-to-right language and its draw data is mirrored horizontally before it is
// rendered, so progress, back/next, alignment and every tile row reverse together.
// Text images are drawn pre-flipped (widgets.cpp) and pointer input is mirrored back
// (platform), so what is read and tapped is the right way round. Things that must keep
// their left-to-right order (the Latin keyboard, ticks) are placed pre-mirrored.
#pragma once

#include <imgui.h>

namespace tillit::ui {

// Mirrors every vertex and clip rectangle of `data` about the centre of its display.
void mirror_draw_data(ImDrawData& data);
// The x a pointer at `x` has in the un-mirrored layout (the mirror is its own inverse).
float mirror_x(float x, const ImDrawData& data);
float mirror_x(float x, float display_width);

}  // namespace tillit::ui
