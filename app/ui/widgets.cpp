// Widgets drawn with ImDrawList on top of InvisibleButton, so every visual is ours:
// no hover colours (touch screens have no hover), large radii, thick borders.
#include "ui/widgets.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <vector>

namespace tillit::ui {
namespace {

// A finger moves a little during a tap; beyond this it is a scroll, not a tap.
constexpr float kDragThresholdMm = 4.0f;

// A text block's image at the box's top-left `pos`, tinted `color`. In a mirrored
// (right-to-left) frame the image is drawn flipped so the final mirror shows it right.
void draw_block(ImDrawList* draw, const TextFont& font, const TextBlock& block, ImVec2 pos, ImU32 color) {
    const ImVec2 p_min(std::floor(pos.x + block.image_min.x), std::floor(pos.y + block.image_min.y));
    const ImVec2 p_max(p_min.x + (block.image_max.x - block.image_min.x), p_min.y + (block.image_max.y - block.image_min.y));
    if (font.engine->mirrored()) {
        draw->AddImage(block.texture, p_min, p_max, ImVec2(1, 0), ImVec2(0, 1), color);
    } else {
        draw->AddImage(block.texture, p_min, p_max, ImVec2(0, 0), ImVec2(1, 1), color);
    }
}

// A wrapped block in a box of `width` at `pos`: centred in the box, or at its start.
float draw_wrapped(ImDrawList* draw, const TextFont& font, const std::string& text, ImVec2 pos, float width,
                   ImU32 color, Align align, TextDirection direction = TextDirection::Language) {
    if (text.empty()) return 0.0f;
    const TextBlock& block = font.engine->layout(text, font, width, align == Align::Center, direction);
    const float x = align == Align::Center ? pos.x + (width - block.size.x) * 0.5f : pos.x;
    draw_block(draw, font, block, ImVec2(x, pos.y), color);
    return block.size.y;
}

void record(UiContext& ctx, const char* id, const std::string& label, bool selected, bool enabled) {
    // Report only the visible part (a tile may be scrolled partly out of its list).
    ImVec2 min = ImGui::GetItemRectMin();
    ImVec2 max = ImGui::GetItemRectMax();
    const ImDrawList* draw = ImGui::GetWindowDrawList();
    const ImVec4 clip = draw->_ClipRectStack.Size > 0 ? draw->_ClipRectStack.back() : ImVec4(min.x, min.y, max.x, max.y);
    // A pixel of rounding at the list's edge is not clipping.
    const bool clipped = min.x < clip.x - 1.0f || min.y < clip.y - 1.0f || max.x > clip.z + 1.0f || max.y > clip.w + 1.0f;
    min.x = std::max(min.x, clip.x);
    min.y = std::max(min.y, clip.y);
    max.x = std::min(max.x, clip.z);
    max.y = std::min(max.y, clip.w);
    if (max.x - min.x < 1.0f || max.y - min.y < 1.0f) return;
    ctx.log.widgets.push_back({id, label, min, max, selected, enabled, clipped});
}

bool tapped(const UiContext& ctx, bool released) {
    const float limit = ctx.theme.px(kDragThresholdMm);
    return released && ImGui::GetIO().MouseDragMaxDistanceSqr[0] <= limit * limit;
}

// A tick is not a direction: drawn pre-mirrored in a right-to-left frame, it ends up as drawn here.
void draw_tick(ImDrawList* draw, ImVec2 min, float size, ImU32 color, float thickness, bool mirrored) {
    auto x = [&](float f) { return min.x + size * (mirrored ? 1.0f - f : f); };
    const ImVec2 a(x(0.18f), min.y + size * 0.52f);
    const ImVec2 b(x(0.42f), min.y + size * 0.76f);
    const ImVec2 c(x(0.84f), min.y + size * 0.26f);
    draw->AddLine(a, b, color, thickness);
    draw->AddLine(b, c, color, thickness);
}

}  // namespace

void begin_screen(const char* name, const UiContext& /*ctx: the background is the frame's clear colour*/) {
    const ImGuiViewport* viewport = ImGui::GetMainViewport();
    ImGui::SetNextWindowPos(viewport->WorkPos);
    ImGui::SetNextWindowSize(viewport->WorkSize);
    ImGui::PushStyleVar(ImGuiStyleVar_WindowPadding, ImVec2(0, 0));
    ImGui::PushStyleVar(ImGuiStyleVar_WindowBorderSize, 0.0f);
    // No background quad: the frame is cleared to the theme's background (KioskApp::background),
    // and a blended full-screen quad was the largest single cost of a frame in software GL.
    constexpr ImGuiWindowFlags flags = ImGuiWindowFlags_NoDecoration | ImGuiWindowFlags_NoMove |
                                       ImGuiWindowFlags_NoSavedSettings | ImGuiWindowFlags_NoScrollWithMouse |
                                       ImGuiWindowFlags_NoBringToFrontOnFocus | ImGuiWindowFlags_NoBackground;
    ImGui::Begin(name, nullptr, flags);
}

void end_screen() {
    ImGui::End();
    ImGui::PopStyleVar(2);
}

float wrapped_text_height(const TextFont& font, const std::string& text, float width) {
    if (text.empty()) return 0.0f;
    return font.engine->layout(text, font, width, false).size.y;
}

float wrapped_text(const TextFont& font, const std::string& text, float width, ImU32 color, Align align,
                   TextDirection direction) {
    const ImVec2 pos = ImGui::GetCursorScreenPos();
    const float height = draw_wrapped(ImGui::GetWindowDrawList(), font, text, pos, width, color, align, direction);
    ImGui::Dummy(ImVec2(width, height));
    return height;
}

ImVec2 text_size(const TextFont& font, const std::string& text) {
    if (text.empty()) return ImVec2(0, 0);
    return font.engine->layout(text, font, 0.0f, false).size;
}

void draw_text(ImDrawList* draw, const TextFont& font, const std::string& text, ImVec2 pos, ImU32 color,
               TextDirection direction) {
    if (text.empty()) return;
    draw_block(draw, font, font.engine->layout(text, font, 0.0f, false, direction), pos, color);
}

void fill_rounded(ImDrawList* draw, ImVec2 min, ImVec2 max, ImU32 color, float rounding) {
    const float r = std::min(rounding, std::min(max.x - min.x, max.y - min.y) * 0.5f);
    if (r < 1.0f) {
        draw->AddRectFilled(min, max, color);
        return;
    }
    // Bands without anti-aliased edges; each corner's fan reaches a pixel into the
    // bands beside it, so its anti-aliased straight edges fall on the same colour and no
    // seam shows on a dark tile.
    draw->AddRectFilled(ImVec2(min.x, min.y + r), ImVec2(max.x, max.y - r), color);
    draw->AddRectFilled(ImVec2(min.x + r, min.y), ImVec2(max.x - r, min.y + r), color);
    draw->AddRectFilled(ImVec2(min.x + r, max.y - r), ImVec2(max.x - r, max.y), color);
    struct Corner {
        ImVec2 centre;
        ImVec2 inward;  // towards the middle of the tile
    };
    const Corner corners[4] = {{ImVec2(min.x + r, min.y + r), ImVec2(1, 1)},
                               {ImVec2(max.x - r, min.y + r), ImVec2(-1, 1)},
                               {ImVec2(max.x - r, max.y - r), ImVec2(-1, -1)},
                               {ImVec2(min.x + r, max.y - r), ImVec2(1, -1)}};
    // A point where the arc meets a side, moved a pixel along the band's edge into the band.
    auto into_band = [](ImVec2 point, const Corner& c) {
        const bool on_left_or_right = std::abs(point.x - c.centre.x) > std::abs(point.y - c.centre.y);
        return on_left_or_right ? ImVec2(point.x, point.y + c.inward.y) : ImVec2(point.x + c.inward.x, point.y);
    };
    constexpr float kPi = 3.14159265f;
    for (int i = 0; i < 4; ++i) {
        const Corner& c = corners[i];
        const float from = kPi * (1.0f + 0.5f * static_cast<float>(i));
        const float to = from + kPi * 0.5f;
        const ImVec2 start(c.centre.x + r * std::cos(from), c.centre.y + r * std::sin(from));
        const ImVec2 end(c.centre.x + r * std::cos(to), c.centre.y + r * std::sin(to));
        draw->PathLineTo(ImVec2(c.centre.x + c.inward.x, c.centre.y + c.inward.y));
        draw->PathLineTo(into_band(start, c));
        draw->PathArcTo(c.centre, r, from, to);
        draw->PathLineTo(into_band(end, c));
        draw->PathFillConvex(color);
    }
}

bool tile(UiContext& ctx, const char* id, const std::string& label, ImVec2 size, TileStyle style) {
    const Theme& t = ctx.theme;
    const TextFont& font = style.font != nullptr ? *style.font : ctx.fonts.body;
    const bool released = ImGui::InvisibleButton(id, size);
    const bool held = ImGui::IsItemActive();
    const ImVec2 min = ImGui::GetItemRectMin();
    const ImVec2 max = ImGui::GetItemRectMax();
    ImDrawList* draw = ImGui::GetWindowDrawList();

    ImU32 fill = t.tile;
    ImU32 border = t.tile_border;
    ImU32 text = style.dimmed || style.disabled ? t.disabled_text : t.text;
    float border_mm = 0.6f;
    if (style.disabled) style.kind = TileStyle::Kind::Normal;  // no accent for what cannot be tapped
    switch (style.kind) {
        case TileStyle::Kind::Primary:
            fill = held ? t.accent_pressed : t.accent;
            border = fill;
            text = t.on_accent;
            break;
        case TileStyle::Kind::Quiet:
            fill = held ? t.tile_pressed : t.background;
            break;
        case TileStyle::Kind::Normal:
            fill = held && !style.disabled ? t.tile_pressed : (style.selected ? t.selected : t.tile);
            break;
    }
    if (style.selected) {
        border = t.accent;
        border_mm = 1.4f;
    }
    const float rounding = t.px(Theme::kRoundingMm);
    fill_rounded(draw, min, max, fill, rounding);
    draw->AddRect(min, max, border, rounding, 0, std::max(1.0f, t.px(border_mm)));

    float text_left = min.x + t.px(4.0f);
    float text_width = size.x - t.px(8.0f);
    if (style.checkbox) {
        const float box = t.px(9.0f);
        const ImVec2 box_min(min.x + t.px(5.0f), min.y + (size.y - box) * 0.5f);
        const ImVec2 box_max(box_min.x + box, box_min.y + box);
        fill_rounded(draw, box_min, box_max, style.selected ? t.accent : t.tile, t.px(1.0f));
        draw->AddRect(box_min, box_max, style.selected ? t.accent : t.tile_border, t.px(1.0f), 0, t.px(0.6f));
        if (style.selected) draw_tick(draw, box_min, box, t.on_accent, t.px(1.2f), ctx.rtl());
        text_left = box_max.x + t.px(4.0f);
        text_width = max.x - text_left - t.px(4.0f);
    } else if (style.selected && style.tick) {
        const float mark = t.px(8.0f);
        const ImVec2 mark_min(max.x - mark - t.px(3.0f), min.y + t.px(3.0f));
        draw->AddCircleFilled(ImVec2(mark_min.x + mark * 0.5f, mark_min.y + mark * 0.5f), mark * 0.5f, t.accent);
        draw_tick(draw, mark_min, mark, t.on_accent, t.px(1.0f), ctx.rtl());
        text_width -= mark;
    }
    const Align align = style.checkbox ? Align::Left : Align::Center;
    if (!label.empty()) {
        const float height = font.engine->layout(label, font, text_width, align == Align::Center, style.direction).size.y;
        draw_wrapped(draw, font, label, ImVec2(text_left, min.y + (size.y - height) * 0.5f), text_width, text, align,
                     style.direction);
    }

    record(ctx, id, label, style.selected, !style.disabled);
    return !style.disabled && tapped(ctx, released);
}

void draw_face(ImDrawList* draw, ImVec2 c, float r, int step, int steps, const Theme& t) {
    // mood: -1 (saddest) .. +1 (happiest), evenly spaced over the steps.
    const float mood = steps > 1 ? -1.0f + 2.0f * static_cast<float>(step - 1) / static_cast<float>(steps - 1) : 0.0f;
    const float line = std::max(1.5f, r * 0.08f);
    draw->AddCircleFilled(c, r, t.face, 48);
    draw->AddCircle(c, r, t.face_line, 48, line);
    const float eye_y = c.y - r * 0.22f;
    draw->AddCircleFilled(ImVec2(c.x - r * 0.34f, eye_y), r * 0.1f, t.face_line, 16);
    draw->AddCircleFilled(ImVec2(c.x + r * 0.34f, eye_y), r * 0.1f, t.face_line, 16);
    const float mouth_y = c.y + r * 0.38f - mood * r * 0.08f;
    const ImVec2 left(c.x - r * 0.45f, mouth_y);
    const ImVec2 right(c.x + r * 0.45f, mouth_y);
    const ImVec2 control(c.x, mouth_y + mood * r * 0.42f);
    draw->AddBezierQuadratic(left, control, right, t.face_line, line, 24);
}

bool face_tile(UiContext& ctx, const char* id, int step, int steps, ImVec2 size, bool selected,
               const std::string& caption) {
    const Theme& t = ctx.theme;
    const bool released = ImGui::InvisibleButton(id, size);
    const bool held = ImGui::IsItemActive();
    const ImVec2 min = ImGui::GetItemRectMin();
    const ImVec2 max = ImGui::GetItemRectMax();
    ImDrawList* draw = ImGui::GetWindowDrawList();
    const float rounding = t.px(Theme::kRoundingMm);
    fill_rounded(draw, min, max, held ? t.tile_pressed : (selected ? t.selected : t.tile), rounding);
    draw->AddRect(min, max, selected ? t.accent : t.tile_border, rounding, 0, t.px(selected ? 1.4f : 0.6f));

    // Every face of a row reserves room for a two-line caption, so all faces are the same size.
    const TextFont& font = ctx.fonts.body;
    const float caption_h = font.size_px * 2.15f;
    const float face_area = size.y - caption_h - t.px(6.0f);
    const float radius = std::min(size.x * 0.36f, face_area * 0.42f);
    draw_face(draw, ImVec2((min.x + max.x) * 0.5f, min.y + t.px(3.0f) + face_area * 0.5f), radius, step, steps, t);
    if (!caption.empty()) {
        const float text_h = font.engine->layout(caption, font, size.x - t.px(4.0f), true).size.y;
        draw_wrapped(draw, font, caption, ImVec2(min.x + t.px(2.0f), max.y - t.px(3.0f) - (caption_h + text_h) * 0.5f),
                     size.x - t.px(4.0f), t.text, Align::Center);
    }
    if (selected) {
        const float mark = t.px(8.0f);
        const ImVec2 mark_min(max.x - mark - t.px(2.5f), min.y + t.px(2.5f));
        draw->AddCircleFilled(ImVec2(mark_min.x + mark * 0.5f, mark_min.y + mark * 0.5f), mark * 0.5f, t.accent);
        draw_tick(draw, mark_min, mark, t.on_accent, t.px(1.0f), ctx.rtl());
    }
    record(ctx, id, caption.empty() ? std::to_string(step) : caption, selected, true);
    return tapped(ctx, released);
}

void progress_bar(const UiContext& ctx, ImVec2 pos, ImVec2 size, float fraction) {
    ImDrawList* draw = ImGui::GetWindowDrawList();
    const float r = size.y * 0.5f;
    draw->AddRectFilled(pos, ImVec2(pos.x + size.x, pos.y + size.y), ctx.theme.progress_track, r);
    const float filled = std::clamp(fraction, 0.0f, 1.0f) * size.x;
    if (filled > 0.0f) {
        draw->AddRectFilled(pos, ImVec2(pos.x + std::max(filled, size.y), pos.y + size.y), ctx.theme.accent, r);
    }
}

float language_button_width(const UiContext& ctx) {
    const Theme& t = ctx.theme;
    const float content = t.px(2.0f * 4.2f + 3.0f) + text_size(ctx.fonts.body, native_language_name(ctx.language())).x;
    return std::max(t.px(75.0f), content + t.px(12.0f));
}

float button_width(const UiContext& ctx, const std::string& label, float min_mm, float max_px, const TextFont* font) {
    const float text = text_size(font != nullptr ? *font : ctx.fonts.body, label).x;
    return std::min(max_px, std::max(ctx.theme.px(min_mm), text + ctx.theme.px(12.0f)));
}

bool language_button(UiContext& ctx, ImVec2 pos, ImVec2 size) {
    const Theme& t = ctx.theme;
    ImGui::SetCursorScreenPos(pos);
    const std::string label = native_language_name(ctx.language());
    // The tile draws no label; the globe and the name are laid out together below.
    const bool pressed = tile(ctx, "language", "", size, {.kind = TileStyle::Kind::Quiet});
    ctx.log.widgets.back().label = label;
    ImDrawList* draw = ImGui::GetWindowDrawList();
    const TextFont& font = ctx.fonts.body;
    const float r = t.px(4.2f);
    const float gap = t.px(3.0f);
    const ImVec2 label_size = text_size(font, label);
    const float label_w = label_size.x;
    const float left = pos.x + (size.x - (2.0f * r + gap + label_w)) * 0.5f;
    // A globe drawn as vectors: recognisable without reading any language.
    const ImVec2 c(left + r, pos.y + size.y * 0.5f);
    const float w = std::max(1.5f, t.px(0.45f));
    draw->AddCircle(c, r, t.text, 32, w);
    draw->AddLine(ImVec2(c.x - r, c.y), ImVec2(c.x + r, c.y), t.text, w);
    draw->AddLine(ImVec2(c.x, c.y - r), ImVec2(c.x, c.y + r), t.text, w);
    draw->AddBezierQuadratic(ImVec2(c.x, c.y - r), ImVec2(c.x - r, c.y), ImVec2(c.x, c.y + r), t.text, w, 16);
    draw->AddBezierQuadratic(ImVec2(c.x, c.y - r), ImVec2(c.x + r, c.y), ImVec2(c.x, c.y + r), t.text, w, 16);
    draw_text(draw, font, label, ImVec2(c.x + r + gap, c.y - label_size.y * 0.5f), t.text, TextDirection::Auto);
    return pressed;
}

void drag_to_scroll() {
    ImGuiIO& io = ImGui::GetIO();
    // Not in the frame the finger lands: a touch screen moves the pointer there in the same
    // frame, and that jump from the previous touch is not a drag.
    if (ImGui::IsWindowHovered(ImGuiHoveredFlags_AllowWhenBlockedByActiveItem | ImGuiHoveredFlags_ChildWindows) &&
        ImGui::IsMouseDragging(ImGuiMouseButton_Left, 0.0f) && !ImGui::IsMouseClicked(ImGuiMouseButton_Left) &&
        io.MouseDelta.y != 0.0f) {
        ImGui::SetScrollY(ImGui::GetScrollY() - io.MouseDelta.y);
    }
}

std::string back_label(const UiContext& ctx) { return std::string("‹ ") + ctx.tr("Back"); }
std::string next_label(const UiContext& ctx) { return std::string(ctx.tr("Next")) + " ›"; }

std::string format(const char* fmt, int a, int b) {
    char buffer[256];
    std::snprintf(buffer, sizeof buffer, fmt, a, b);
    return buffer;
}

}  // namespace tillit::ui
