// PIN pad layout: "back to the survey" top left, a heading, a row of dots, the message
// line, and a 3 x 4 pad of keys (1-9, erase, 0, OK), each well over 20 mm.
#include "ui/pin_screen.h"

#include <algorithm>
#include <cstdio>

#include "core/staff.h"
#include "ui/widgets.h"

namespace tillit::ui {
namespace {

constexpr float kKeyWidthMm = 40.0f;
constexpr float kKeyHeightMm = 25.0f;
constexpr float kKeyGapMm = 4.0f;
constexpr float kDotMm = 5.0f;

std::string wait_text(const UiContext& ctx, long long seconds) {
    char text[256];
    std::snprintf(text, sizeof text, ctx.tr("Too many wrong PINs. Try again in %lld:%02lld."), seconds / 60,
                  seconds % 60);
    return text;
}

}  // namespace

std::optional<PinIntent> draw(PinScreen& screen, UiContext& ctx, const PinView& view) {
    const Theme& t = ctx.theme;
    begin_screen("pin", ctx);
    std::optional<PinIntent> intent;
    const ImVec2 size = ImGui::GetWindowSize();
    const float margin = t.px(Theme::kMarginMm);

    ImGui::SetCursorScreenPos(ImVec2(margin, margin * 0.75f));
    if (tile(ctx, "cancel", back_label(ctx), ImVec2(t.px(70.0f), t.px(Theme::kTargetMm)),
             {.kind = TileStyle::Kind::Quiet})) {
        intent = PinIntent{PinIntent::Kind::Cancel};
    }

    const float pad_w = 3 * t.px(kKeyWidthMm) + 2 * t.px(kKeyGapMm);
    const float pad_h = 4 * t.px(kKeyHeightMm) + 3 * t.px(kKeyGapMm);
    const float head_h = ctx.fonts.question.size_px * 1.2f + t.px(6.0f) + t.px(kDotMm) + t.px(6.0f) +
                         ctx.fonts.body.size_px * 2.4f + t.px(6.0f);
    float y = std::max(margin * 0.75f + t.px(Theme::kTargetMm), (size.y - head_h - pad_h) * 0.5f);
    const float text_w = std::min(size.x - 2 * margin, t.px(320.0f));
    ImGui::SetCursorScreenPos(ImVec2((size.x - text_w) * 0.5f, y));
    wrapped_text(ctx.fonts.question, ctx.tr("Staff sign-in"), text_w, t.text, Align::Center);
    y = ImGui::GetCursorScreenPos().y + t.px(6.0f);

    // One dot per digit typed; an empty ring shows where the first goes.
    ImDrawList* draw = ImGui::GetWindowDrawList();
    const float dot = t.px(kDotMm);
    const int shown = std::max<int>(static_cast<int>(screen.digits.size()), 1);
    const float dots_w = static_cast<float>(shown) * dot * 1.8f;
    for (int i = 0; i < shown; ++i) {
        const ImVec2 centre((size.x - dots_w) * 0.5f + dot * 0.9f + static_cast<float>(i) * dot * 1.8f, y + dot * 0.5f);
        if (screen.digits.empty()) {
            draw->AddCircle(centre, dot * 0.5f, t.tile_border, 24, t.px(0.5f));
        } else {
            draw->AddCircleFilled(centre, dot * 0.5f, t.text, 24);
        }
    }
    y += dot + t.px(6.0f);

    std::string message;
    ImU32 colour = t.text_muted;
    bool keys_enabled = true;
    switch (view.state) {
        case PinView::State::Ready: message = ctx.tr("Type your PIN, then OK."); break;
        case PinView::State::Checking:
            message = ctx.tr("Checking...");
            keys_enabled = false;
            break;
        case PinView::State::Wrong:
            colour = t.warning;
            if (view.tries_left > 0) {
                message = format(ctx.tr("Wrong PIN. %d tries left before a pause."), view.tries_left, 0);
            } else {
                message = ctx.tr("Wrong PIN.");
            }
            break;
        case PinView::State::Paused:
            colour = t.warning;
            message = wait_text(ctx, view.wait_seconds);
            keys_enabled = false;
            break;
        case PinView::State::NoPinSet:
            colour = t.warning;
            message = ctx.tr("No staff PIN is set on this kiosk. An admin sets one with: tillit-kiosk --set-pin admin");
            keys_enabled = false;
            break;
        case PinView::State::Failed:
            colour = t.warning;
            message = ctx.tr("The kiosk could not check the PIN. Restart it, or see its log.");
            keys_enabled = false;
            break;
    }
    screen.message = message;
    ImGui::SetCursorScreenPos(ImVec2((size.x - text_w) * 0.5f, y));
    wrapped_text(ctx.fonts.body, message, text_w, colour, Align::Center);
    y = std::max(y + ctx.fonts.body.size_px * 2.4f, ImGui::GetCursorScreenPos().y) + t.px(6.0f);

    const char* labels[12] = {"1", "2", "3", "4", "5", "6", "7", "8", "9", nullptr, "0", nullptr};
    const float left = (size.x - pad_w) * 0.5f;
    const ImVec2 key(t.px(kKeyWidthMm), t.px(kKeyHeightMm));
    const bool full = screen.digits.size() >= kMaxPinDigits;
    for (int i = 0; i < 12; ++i) {
        const int row = i / 3;
        const int column = i % 3;
        ImGui::SetCursorScreenPos(ImVec2(left + static_cast<float>(column) * (key.x + t.px(kKeyGapMm)),
                                         y + static_cast<float>(row) * (key.y + t.px(kKeyGapMm))));
        if (i == 9) {
            const bool can = keys_enabled && !screen.digits.empty();
            if (tile(ctx, "pin_erase", ctx.tr("Erase"), key, {.disabled = !can})) screen.digits.pop_back();
        } else if (i == 11) {
            const bool can = keys_enabled && screen.digits.size() >= kMinPinDigits;
            if (tile(ctx, "pin_ok", ctx.tr("OK"), key, {.kind = TileStyle::Kind::Primary, .disabled = !can})) {
                intent = PinIntent{PinIntent::Kind::Submit};
            }
        } else {
            const std::string id = std::string("pin_") + labels[i];
            const bool can = keys_enabled && !full;
            if (tile(ctx, id.c_str(), labels[i], key, {.font = &ctx.fonts.question, .disabled = !can})) {
                screen.digits += labels[i];
            }
        }
    }
    end_screen();
    return intent;
}

}  // namespace tillit::ui
