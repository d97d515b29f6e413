// Icons are vector drawings (ImDrawList), so they stay sharp at every size and need no
// font; "A A" for text size is the one exception, drawn through the text engine.
#include "ui/access_bar.h"

#include <cmath>
#include <string>

#include "ui/widgets.h"

namespace tillit::ui {
namespace {

constexpr float kButtonMm = Theme::kTargetMm;  // as tall as the language button beside them
constexpr float kGapMm = 4.0f;

// A speaker cone with `waves` arcs (0..3) at the centre `c`, about `s` across.
void draw_speaker(ImDrawList* draw, ImVec2 c, float s, ImU32 color, int waves, float line) {
    const float h = s * 0.22f;
    const ImVec2 box_min(c.x - s * 0.42f, c.y - h);
    const ImVec2 box_max(c.x - s * 0.24f, c.y + h);
    draw->AddRectFilled(box_min, box_max, color);
    draw->AddQuadFilled(ImVec2(box_max.x, box_min.y), ImVec2(c.x + s * 0.02f, c.y - s * 0.42f),
                        ImVec2(c.x + s * 0.02f, c.y + s * 0.42f), ImVec2(box_max.x, box_max.y), color);
    for (int i = 1; i <= waves; ++i) {
        const float r = s * (0.14f + 0.14f * static_cast<float>(i));
        draw->PathArcTo(ImVec2(c.x + s * 0.02f, c.y), r, -0.8f, 0.8f, 16);
        draw->PathStroke(color, 0, line);
    }
}

bool access_button(UiContext& ctx, const char* id, const char* label, ImVec2 pos, bool on) {
    ImGui::SetCursorScreenPos(pos);
    const float size = ctx.theme.px(kButtonMm);
    // The tile draws no text: the icon is drawn over it by the caller.
    const bool tapped = tile(ctx, id, "", ImVec2(size, size), {.selected = on, .tick = false});
    ctx.log.widgets.back().label = label;
    return tapped;
}

}  // namespace

int next_volume(int volume) {
    if (volume < 55) return 70;
    if (volume < 85) return 100;
    return 40;
}

float access_bar_width(const UiContext& ctx, const AccessState& state, const AccessView& view) {
    int buttons = 2;  // large text, contrast
    if (view.has_voice) buttons += state.read_aloud ? 2 : 1;
    return ctx.theme.px(kButtonMm) * static_cast<float>(buttons) + ctx.theme.px(kGapMm) * static_cast<float>(buttons - 1);
}

std::optional<AccessIntent> draw_access_bar(UiContext& ctx, const AccessState& state, const AccessView& view,
                                            float right, float top) {
    const Theme& t = ctx.theme;
    const float width = access_bar_width(ctx, state, view);
    const float size = t.px(kButtonMm);
    const float gap = t.px(kGapMm);
    const ImVec2 origin(right - width, top);
    // Its own small window, on top of the screen's full-viewport one, so a screen-wide
    // "tap anywhere" button underneath does not take these taps.
    ImGui::SetNextWindowPos(origin);
    ImGui::SetNextWindowSize(ImVec2(width, size));
    ImGui::PushStyleVar(ImGuiStyleVar_WindowPadding, ImVec2(0, 0));
    ImGui::PushStyleVar(ImGuiStyleVar_WindowBorderSize, 0.0f);
    constexpr ImGuiWindowFlags flags = ImGuiWindowFlags_NoDecoration | ImGuiWindowFlags_NoMove |
                                       ImGuiWindowFlags_NoSavedSettings | ImGuiWindowFlags_NoBackground |
                                       ImGuiWindowFlags_NoScrollWithMouse;
    ImGui::Begin("access", nullptr, flags);
    std::optional<AccessIntent> intent;
    ImDrawList* draw = ImGui::GetWindowDrawList();
    const float line = std::max(1.5f, t.px(0.7f));
    float x = origin.x;
    auto centre = [&](float left) { return ImVec2(left + size * 0.5f, top + size * 0.5f); };

    if (view.has_voice) {
        const char* label = view.speaking ? ctx.tr("Stop reading") : ctx.tr("Read aloud");
        if (access_button(ctx, "read_aloud", label, ImVec2(x, top), state.read_aloud)) {
            intent = AccessIntent::ToggleReadAloud;
        }
        const ImVec2 c = centre(x);
        if (view.speaking) {
            // Stop: a square, as on every player.
            const float s = size * 0.2f;
            draw->AddRectFilled(ImVec2(c.x - s, c.y - s), ImVec2(c.x + s, c.y + s), t.text, t.px(0.6f));
        } else {
            draw_speaker(draw, c, size * 0.62f, t.text, 2, line);
        }
        x += size + gap;
        if (state.read_aloud) {
            if (access_button(ctx, "volume", ctx.tr("Volume"), ImVec2(x, top), false)) {
                intent = AccessIntent::CycleVolume;
            }
            // A small speaker and three bars, as many filled as the volume's step.
            const ImVec2 v = centre(x);
            draw_speaker(draw, ImVec2(v.x - size * 0.14f, v.y), size * 0.4f, t.text, 0, line);
            const int level = view.volume < 55 ? 1 : view.volume < 85 ? 2 : 3;
            for (int i = 0; i < 3; ++i) {
                const float bx = v.x + size * (0.04f + 0.1f * static_cast<float>(i));
                const float bh = size * (0.12f + 0.08f * static_cast<float>(i));
                const ImVec2 b_min(bx, v.y + size * 0.14f - bh);
                const ImVec2 b_max(bx + size * 0.06f, v.y + size * 0.14f);
                if (i < level) {
                    draw->AddRectFilled(b_min, b_max, t.text);
                } else {
                    draw->AddRect(b_min, b_max, t.text, 0.0f, 0, std::max(1.0f, line * 0.5f));
                }
            }
            x += size + gap;
        }
    }

    if (access_button(ctx, "large_text", ctx.tr("Large text"), ImVec2(x, top), state.large_text)) {
        intent = AccessIntent::ToggleLargeText;
    }
    {
        // A small and a large "A": the sign for text size, in any language.
        const TextFont small{ctx.fonts.body.engine, size * 0.32f, true};
        const TextFont large{ctx.fonts.body.engine, size * 0.55f, true};
        const ImVec2 a_small = text_size(small, "A");
        const ImVec2 a_large = text_size(large, "A");
        const float total = a_small.x + a_large.x + t.px(1.0f);
        const float left = x + (size - total) * 0.5f;
        const float base = top + size * 0.5f + a_large.y * 0.5f;
        draw_text(draw, small, "A", ImVec2(left, base - a_small.y - a_large.y * 0.02f), t.text);
        draw_text(draw, large, "A", ImVec2(left + a_small.x + t.px(1.0f), base - a_large.y), t.text);
    }
    x += size + gap;

    if (access_button(ctx, "high_contrast", ctx.tr("High contrast"), ImVec2(x, top), state.high_contrast)) {
        intent = AccessIntent::ToggleContrast;
    }
    {
        // A circle, half filled: the sign for contrast.
        const ImVec2 c = centre(x);
        const float r = size * 0.26f;
        draw->AddCircle(c, r, t.text, 32, line);
        draw->PathArcTo(c, r, -1.5707963f, 1.5707963f, 24);
        draw->PathFillConvex(t.text);
    }
    ImGui::End();
    ImGui::PopStyleVar(2);
    return intent;
}

}  // namespace tillit::ui
