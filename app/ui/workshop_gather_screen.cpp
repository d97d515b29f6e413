// Gather layout: four equal columns with a heading, "+ Add" and the contributions
// (scrolled by dragging when they outgrow the screen); an action bar at the bottom
// while one is selected. Typing replaces the columns with a text box and the keyboard.
#include "ui/workshop_gather_screen.h"

#include <algorithm>

#include "ui/widgets.h"

namespace tillit::ui {
namespace {

std::optional<WorkshopGatherIntent> draw_typing(WorkshopGatherScreen& screen, UiContext& ctx, const Workshop& w) {
    const Theme& t = ctx.theme;
    const ImVec2 size = ImGui::GetWindowSize();
    const float margin = t.px(Theme::kMarginMm);
    const float width = size.x - 2 * margin;
    float y = workshop_content_top(ctx);
    const bool editing = screen.mode == WorkshopGatherScreen::Mode::Edit;
    const Contribution* c = editing ? w.find(screen.selected) : nullptr;
    const WorksheetStep step = c != nullptr ? c->step : screen.compose_step;
    ImGui::SetCursorScreenPos(ImVec2(margin, y));
    y += wrapped_text(ctx.fonts.body, worksheet_title(ctx, step), width, t.text) + t.px(1.0f);
    ImGui::SetCursorScreenPos(ImVec2(margin, y));
    y += wrapped_text(ctx.fonts.small, ctx.tr("Short and without names: write what, not who."), width, t.warning) +
         t.px(2.0f);
    const float buttons_w = t.px(60.0f);
    const float button_h = t.px(Theme::kTargetMm);
    const float box_h = 2 * button_h + t.px(2.0f);
    draw_text_box(ctx, ImVec2(margin, y), ImVec2(margin + width - buttons_w - t.px(Theme::kGapMm), y + box_h), screen.draft,
                  ctx.tr("Write here"));
    std::optional<WorkshopGatherIntent> intent;
    const float bx = margin + width - buttons_w;
    ImGui::SetCursorScreenPos(ImVec2(bx, y));
    if (tile(ctx, "compose_save", ctx.tr("Save"), ImVec2(buttons_w, button_h),
             {.kind = TileStyle::Kind::Primary, .disabled = screen.draft.find_first_not_of(' ') == std::string::npos})) {
        WorkshopGatherIntent save;
        save.kind = editing ? WorkshopGatherIntent::Kind::Edit : WorkshopGatherIntent::Kind::Add;
        save.step = step;
        save.id = screen.selected;
        save.text = screen.draft;
        intent = save;
        screen.reset();
        return intent;
    }
    ImGui::SetCursorScreenPos(ImVec2(bx, y + button_h + t.px(2.0f)));
    if (tile(ctx, "compose_cancel", ctx.tr("Cancel"), ImVec2(buttons_w, button_h), {.kind = TileStyle::Kind::Quiet})) {
        screen.reset();
        return intent;
    }
    y += box_h + t.px(4.0f);
    if (const auto press = draw_keyboard(screen.keyboard, ctx, ImVec2(margin, y), width, size.y - margin * 0.5f - y)) {
        screen.draft = apply_key(screen.draft, *press, static_cast<int>(kMaxContributionChars));
    }
    return intent;
}

}  // namespace

const char* to_string(WorkshopGatherScreen::Mode mode) {
    switch (mode) {
        case WorkshopGatherScreen::Mode::Browse: return "browse";
        case WorkshopGatherScreen::Mode::Compose: return "compose";
        case WorkshopGatherScreen::Mode::Edit: return "edit";
        case WorkshopGatherScreen::Mode::Selected: return "selected";
        case WorkshopGatherScreen::Mode::MergePick: return "merge";
    }
    return "browse";
}

std::optional<WorkshopGatherIntent> draw(WorkshopGatherScreen& screen, UiContext& ctx, const Workshop& w) {
    using Mode = WorkshopGatherScreen::Mode;
    const Theme& t = ctx.theme;
    begin_screen("workshop_gather", ctx);
    std::optional<WorkshopGatherIntent> intent;
    const bool typing = screen.mode == Mode::Compose || screen.mode == Mode::Edit;
    if (auto nav = draw_workshop_bar(ctx, WorkshopStep::Gather, typing)) {
        WorkshopGatherIntent go;
        go.nav = *nav;
        intent = go;
    }
    if (typing) {
        if (auto typed = draw_typing(screen, ctx, w)) intent = typed;
        end_screen();
        return intent;
    }
    const Contribution* selected = screen.selected.empty() ? nullptr : w.find(screen.selected);
    if (selected == nullptr && (screen.mode == Mode::Selected || screen.mode == Mode::MergePick)) screen.reset();

    const ImVec2 size = ImGui::GetWindowSize();
    const float margin = t.px(Theme::kMarginMm);
    const float gap = t.px(Theme::kGapMm);
    const float top = workshop_content_top(ctx);
    const float tile_h = t.px(Theme::kTargetMm);
    const bool bar = screen.mode == Mode::Selected || screen.mode == Mode::MergePick;
    const float bottom = size.y - margin * 0.5f - (bar ? tile_h + gap : 0.0f);
    const float col_w = (size.x - 2 * margin - 3 * gap) / 4.0f;
    // Read from across a room: body-size headings and cards.
    const TextFont& small = ctx.fonts.body;
    const float header_h = small.size_px * 1.15f * 2.0f;

    for (int s = 0; s < 4; ++s) {
        const WorksheetStep step = kWorksheetSteps[s];
        const float x = margin + static_cast<float>(s) * (col_w + gap);
        ImGui::SetCursorScreenPos(ImVec2(x, top));
        wrapped_text(small, worksheet_title(ctx, step), col_w, t.text);
        ImGui::SetCursorScreenPos(ImVec2(x, top + header_h + t.px(1.0f)));
        const std::string add_id = std::string("add_") + to_string(step);
        if (tile(ctx, add_id.c_str(), std::string("+ ") + ctx.tr("Add"), ImVec2(col_w, tile_h),
                 {.kind = TileStyle::Kind::Quiet, .disabled = bar})) {
            screen.reset();
            screen.mode = Mode::Compose;
            screen.compose_step = step;
        }
        const float list_top = top + header_h + t.px(1.0f) + tile_h + t.px(3.0f);
        ImGui::SetCursorScreenPos(ImVec2(x, list_top));
        const std::string child = std::string("list_") + to_string(step);
        ImGui::PushStyleColor(ImGuiCol_ChildBg, t.background);
        ImGui::BeginChild(child.c_str(), ImVec2(col_w, bottom - list_top), false,
                          ImGuiWindowFlags_NoScrollbar | ImGuiWindowFlags_NoScrollWithMouse);
        drag_to_scroll();
        int index = 0;
        for (const Contribution& c : w.contributions) {
            if (c.step != step || !c.merged_into.empty()) continue;
            const std::string id = std::string("card_") + to_string(step) + "_" + std::to_string(index++);
            const std::string label = c.hidden ? std::string(ctx.tr("(hidden)")) + " " + c.text : c.text;
            const float h = std::max(tile_h, wrapped_text_height(small, label, col_w - t.px(8.0f)) + t.px(6.0f));
            const bool on = c.id == screen.selected;
            if (tile(ctx, id.c_str(), label, ImVec2(col_w, h),
                     {.selected = on, .dimmed = c.hidden, .font = &small,
                      .disabled = screen.mode == Mode::MergePick && (on || c.hidden)})) {
                if (screen.mode == Mode::MergePick) {
                    WorkshopGatherIntent merge;
                    merge.kind = WorkshopGatherIntent::Kind::Merge;
                    merge.id = screen.selected;
                    merge.into = c.id;
                    intent = merge;
                    screen.reset();
                } else if (on) {
                    screen.reset();
                } else {
                    screen.mode = Mode::Selected;
                    screen.selected = c.id;
                }
            }
            ImGui::Dummy(ImVec2(col_w, t.px(2.0f)));
        }
        ImGui::EndChild();
        ImGui::PopStyleColor();
    }

    if (bar && selected != nullptr) {
        const float y = size.y - margin * 0.5f - tile_h;
        const float bw = t.px(80.0f);
        if (screen.mode == Mode::MergePick) {
            ImGui::SetCursorScreenPos(ImVec2(margin, y + (tile_h - ctx.fonts.body.size_px) * 0.5f));
            wrapped_text(ctx.fonts.body, ctx.tr("Tap the contribution to merge it into."), size.x - 2 * margin - bw - gap,
                         t.text);
            ImGui::SetCursorScreenPos(ImVec2(size.x - margin - bw, y));
            if (tile(ctx, "mod_cancel", ctx.tr("Cancel"), ImVec2(bw, tile_h), {.kind = TileStyle::Kind::Quiet})) {
                screen.reset();
            }
        } else {
            float x = margin;
            auto button = [&](const char* id, const std::string& label, TileStyle style = {}) {
                ImGui::SetCursorScreenPos(ImVec2(x, y));
                x += bw + gap;
                return tile(ctx, id, label, ImVec2(bw, tile_h), style);
            };
            if (button("mod_edit", ctx.tr("Edit"))) {
                screen.mode = Mode::Edit;
                screen.draft = selected->text;
            }
            if (selected->hidden) {
                if (button("mod_show", ctx.tr("Show again"))) {
                    WorkshopGatherIntent show;
                    show.kind = WorkshopGatherIntent::Kind::Show;
                    show.id = selected->id;
                    intent = show;
                    screen.reset();
                }
            } else {
                if (button("mod_hide", ctx.tr("Hide"))) {
                    WorkshopGatherIntent hide;
                    hide.kind = WorkshopGatherIntent::Kind::Hide;
                    hide.id = selected->id;
                    intent = hide;
                    screen.reset();
                }
                if (button("mod_merge", ctx.tr("Merge into..."))) screen.mode = Mode::MergePick;
            }
            ImGui::SetCursorScreenPos(ImVec2(size.x - margin - bw, y));
            if (tile(ctx, "mod_cancel", ctx.tr("Cancel"), ImVec2(bw, tile_h), {.kind = TileStyle::Kind::Quiet})) {
                screen.reset();
            }
        }
    }
    end_screen();
    return intent;
}

}  // namespace tillit::ui
