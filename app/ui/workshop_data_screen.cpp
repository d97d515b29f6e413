// Data pages. Bars are proportional to the figure's total; suppressed cells are
// merged into one grey block labelled "too few" (their sum is total minus the shown
// cells, which is public anyway), so no bar width gives a hidden count away.
#include "ui/workshop_data_screen.h"

#include <algorithm>
#include <cstdio>

#include "ui/widgets.h"

namespace tillit::ui {
namespace {

constexpr ImU32 kTrust = IM_COL32(0x1F, 0x4E, 0x79, 0xFF);
constexpr ImU32 kWeak = IM_COL32(0x8F, 0xB4, 0xDE, 0xFF);
constexpr ImU32 kDistrust = IM_COL32(0x8A, 0x3B, 0x00, 0xFF);
constexpr ImU32 kUnclassified = IM_COL32(0xC8, 0xC4, 0xBA, 0xFF);
constexpr ImU32 kHidden = IM_COL32(0xE4, 0xE1, 0xD8, 0xFF);
constexpr ImU32 kScale[] = {IM_COL32(0x8A, 0x3B, 0x00, 0xFF), IM_COL32(0xD0, 0x8C, 0x4F, 0xFF),
                            IM_COL32(0xD9, 0xD5, 0xCC, 0xFF), IM_COL32(0x8F, 0xB4, 0xDE, 0xFF),
                            IM_COL32(0x1F, 0x4E, 0x79, 0xFF)};
constexpr ImU32 kDontKnow = IM_COL32(0xA8, 0xA8, 0xA8, 0xFF);
constexpr ImU32 kOther = IM_COL32(0xE8, 0xDC, 0x9C, 0xFF);
constexpr ImU32 kSkipped = IM_COL32(0xFF, 0xFF, 0xFF, 0xFF);

// Text colour that reads on `fill` (4.5:1 against both ends of our palette).
ImU32 ink_on(ImU32 fill, const Theme& t) {
    const float r = static_cast<float>((fill >> IM_COL32_R_SHIFT) & 0xFF);
    const float g = static_cast<float>((fill >> IM_COL32_G_SHIFT) & 0xFF);
    const float b = static_cast<float>((fill >> IM_COL32_B_SHIFT) & 0xFF);
    return 0.299f * r + 0.587f * g + 0.114f * b < 140.0f ? t.on_accent : t.text;
}

ImU32 class_colour(const std::string& key) {
    if (key == "trust") return kTrust;
    if (key == "weak_trust") return kWeak;
    if (key == "distrust") return kDistrust;
    return kUnclassified;
}

std::string class_label(const UiContext& ctx, const std::string& key) {
    if (key == "trust") return ctx.tr("Trust");
    if (key == "weak_trust") return ctx.tr("Weak trust");
    if (key == "distrust") return ctx.tr("Distrust");
    return ctx.tr("Too little answered to say");
}

std::string percent(long long n, long long total) {
    if (total <= 0) return "";
    char text[16];
    std::snprintf(text, sizeof text, "%.0f %%", 100.0 * static_cast<double>(n) / static_cast<double>(total));
    return text;
}

struct Segment {
    std::string label;  // inside the bar when it fits
    long long n = 0;
    ImU32 colour = 0;
};

// One bar: shown segments by their share of `total`, then one grey block for the rest.
void stacked_bar(UiContext& ctx, ImVec2 pos, ImVec2 size, const std::vector<Segment>& segments, long long total,
                 const TextFont* font) {
    const Theme& t = ctx.theme;
    ImDrawList* draw = ImGui::GetWindowDrawList();
    draw->AddRectFilled(pos, ImVec2(pos.x + size.x, pos.y + size.y), kHidden, t.px(1.0f));
    float x = pos.x;
    long long shown = 0;
    for (const Segment& s : segments) {
        if (s.n <= 0 || total <= 0) continue;
        shown += s.n;
        const float w = size.x * static_cast<float>(s.n) / static_cast<float>(total);
        draw->AddRectFilled(ImVec2(x, pos.y), ImVec2(x + w, pos.y + size.y), s.colour);
        if (s.colour == kSkipped) draw->AddRect(ImVec2(x, pos.y), ImVec2(x + w, pos.y + size.y), t.tile_border);
        if (!s.label.empty() && w > t.px(18.0f) && font != nullptr) {
            ImGui::SetCursorScreenPos(ImVec2(x, pos.y + (size.y - font->size_px) * 0.5f));
            wrapped_text(*font, s.label, w, ink_on(s.colour, t), Align::Center);
        }
        x += w;
    }
    if (shown < total && font != nullptr && pos.x + size.x - x > t.px(22.0f)) {
        ImGui::SetCursorScreenPos(ImVec2(x, pos.y + (size.y - font->size_px) * 0.5f));
        wrapped_text(*font, ctx.tr("too few"), pos.x + size.x - x, t.text, Align::Center);
    }
    draw->AddRect(pos, ImVec2(pos.x + size.x, pos.y + size.y), t.tile_border, t.px(1.0f), 0, t.px(0.4f));
}

void legend_item(UiContext& ctx, ImVec2 pos, float width, ImU32 colour, const std::string& text, const TextFont& font) {
    const Theme& t = ctx.theme;
    const float box = font.size_px * 0.8f;
    ImGui::GetWindowDrawList()->AddRectFilled(ImVec2(pos.x, pos.y + font.size_px * 0.1f),
                                              ImVec2(pos.x + box, pos.y + font.size_px * 0.1f + box), colour);
    ImGui::GetWindowDrawList()->AddRect(ImVec2(pos.x, pos.y + font.size_px * 0.1f),
                                        ImVec2(pos.x + box, pos.y + font.size_px * 0.1f + box), t.tile_border);
    ImGui::SetCursorScreenPos(ImVec2(pos.x + box + t.px(2.0f), pos.y));
    wrapped_text(font, text, width - box - t.px(2.0f), t.text);
}

std::string too_few_text(const UiContext& ctx) { return ctx.tr("Too few answers to show"); }

std::string option_label(const Survey* survey, const std::string& question_id, const std::string& key,
                         const std::string& language) {
    if (survey == nullptr) return key;
    const Question* q = survey->find_question(question_id);
    const Option* o = q != nullptr ? q->find_option(key) : nullptr;
    return o != nullptr ? text_in(o->label, language) : key;
}

void page_trust(UiContext& ctx, const WorkshopDataView& view, ImVec2 pos, float width) {
    const Theme& t = ctx.theme;
    const report::Report& r = *view.report;
    float y = pos.y;
    ImGui::SetCursorScreenPos(ImVec2(pos.x, y));
    y += wrapped_text(ctx.fonts.question, ctx.tr("Trust, weak trust and distrust"), width, t.text) + t.px(3.0f);
    y += draw_trust_split(ctx, r.trust, ImVec2(pos.x, y), width, t.px(26.0f), true) + t.px(4.0f);
    ImGui::SetCursorScreenPos(ImVec2(pos.x, y));
    y += wrapped_text(ctx.fonts.small,
                      ctx.tr("Distrust: expects the municipality to make things harder, or has stayed away. Weak trust: "
                             "does not know what would happen, or trusts it little. They need different answers."),
                      width, t.text_muted) + t.px(5.0f);

    // By age group (a cross-tab: cells below 10 are hidden, and enough others with them).
    const report::CrossTab& table = r.trust_by_age;
    ImGui::SetCursorScreenPos(ImVec2(pos.x, y));
    y += wrapped_text(ctx.fonts.body, ctx.tr("By age group"), width, t.text) + t.px(2.0f);
    if (table.too_few) {
        ImGui::SetCursorScreenPos(ImVec2(pos.x, y));
        wrapped_text(ctx.fonts.body, too_few_text(ctx), width, t.text_muted);
        return;
    }
    const TextFont& font = ctx.fonts.small;
    const float label_w = t.px(70.0f);
    const float col_w = (width - label_w) / static_cast<float>(std::max<std::size_t>(1, table.cols.size()));
    const float row_h = font.size_px * 1.4f;
    float header_h = 0.0f;
    for (std::size_t c = 0; c < table.cols.size(); ++c) {
        const std::string& key = table.cols[c];
        const std::string label = key == "skipped" ? std::string(ctx.tr("not answered"))
                                                   : option_label(view.survey, "age_band", key, ctx.language());
        header_h = std::max(header_h, wrapped_text_height(font, label, col_w - t.px(2.0f)));
        ImGui::SetCursorScreenPos(ImVec2(pos.x + label_w + static_cast<float>(c) * col_w, y));
        wrapped_text(font, label, col_w - t.px(2.0f), t.text_muted, Align::Center);
    }
    y += header_h + t.px(1.5f);
    for (std::size_t r2 = 0; r2 < table.rows.size(); ++r2) {
        ImGui::GetWindowDrawList()->AddRectFilled(ImVec2(pos.x, y), ImVec2(pos.x + width, y + row_h),
                                                  r2 % 2 == 0 ? t.tile : t.background);
        ImGui::SetCursorScreenPos(ImVec2(pos.x + t.px(1.0f), y + row_h * 0.15f));
        wrapped_text(font, class_label(ctx, table.rows[r2]), label_w, t.text);
        for (std::size_t c = 0; c < table.cols.size(); ++c) {
            const report::Cell& cell = table.cells[r2][c];
            ImGui::SetCursorScreenPos(ImVec2(pos.x + label_w + static_cast<float>(c) * col_w, y + row_h * 0.15f));
            wrapped_text(font, cell.suppressed ? "–" : std::to_string(cell.n), col_w, cell.suppressed ? t.text_muted : t.text,
                         Align::Center);
        }
        y += row_h;
    }
    ImGui::SetCursorScreenPos(ImVec2(pos.x, y + t.px(1.5f)));
    wrapped_text(font, ctx.tr("– : too few answers to show (fewer than 10, or would reveal one that is)"), width,
                 t.text_muted);
}

void page_questions(UiContext& ctx, const WorkshopDataView& view, ImVec2 pos, float width, float height) {
    const Theme& t = ctx.theme;
    const report::Report& r = *view.report;
    float y = pos.y;
    // Legend: the faces' ends as the survey labels them.
    std::string low = "1";
    std::string high = "5";
    if (view.survey != nullptr && !r.scales.empty()) {
        if (const Question* q = view.survey->find_question(r.scales.front().id)) {
            low = "1 " + text_in(q->low_label, ctx.language());
            high = "5 " + text_in(q->high_label, ctx.language());
        }
    }
    const std::vector<std::pair<ImU32, std::string>> legend = {
        {kScale[0], low}, {kScale[1], "2"}, {kScale[2], "3"}, {kScale[3], "4"}, {kScale[4], high},
        {kDontKnow, ctx.tr("Don't know")}, {kOther, ctx.tr("Other answer")}, {kSkipped, ctx.tr("Skipped")}};
    float lx = pos.x;
    for (const auto& [colour, text] : legend) {
        const float w = text.size() > 3 ? t.px(58.0f) : t.px(16.0f);
        legend_item(ctx, ImVec2(lx, y), w, colour, text, ctx.fonts.small);
        lx += w + t.px(4.0f);
    }
    y += ctx.fonts.small.size_px * 1.3f + t.px(4.0f);
    const float col_gap = t.px(10.0f);
    const float col_w = (width - col_gap) * 0.5f;
    const std::size_t per_col = (r.scales.size() + 1) / 2;
    const float slot_h = per_col > 0 ? (pos.y + height - y) / static_cast<float>(per_col) : 0.0f;
    for (std::size_t i = 0; i < r.scales.size(); ++i) {
        const report::Figure& f = r.scales[i];
        const float x = pos.x + static_cast<float>(i / per_col) * (col_w + col_gap);
        float sy = y + static_cast<float>(i % per_col) * slot_h;
        const Question* q = view.survey != nullptr ? view.survey->find_question(f.id) : nullptr;
        ImGui::SetCursorScreenPos(ImVec2(x, sy));
        sy += wrapped_text(ctx.fonts.small, (q != nullptr ? text_in(q->label, ctx.language()) : f.id), col_w, t.text);
        const float bar_h = std::min(t.px(14.0f), y + static_cast<float>(i % per_col + 1) * slot_h - sy - t.px(9.0f));
        if (f.too_few) {
            ImGui::SetCursorScreenPos(ImVec2(x, sy + t.px(1.0f)));
            wrapped_text(ctx.fonts.small, too_few_text(ctx), col_w, t.text_muted);
            continue;
        }
        std::vector<Segment> segments;
        for (const report::Cell& cell : f.cells) {
            if (cell.suppressed) continue;
            ImU32 colour = kOther;
            if (cell.key.size() == 1 && cell.key[0] >= '1' && cell.key[0] <= '5') colour = kScale[cell.key[0] - '1'];
            if (cell.key == "dont_know") colour = kDontKnow;
            if (cell.key == "skipped") colour = kSkipped;
            segments.push_back({std::to_string(cell.n), cell.n, colour});
        }
        stacked_bar(ctx, ImVec2(x, sy + t.px(1.0f)), ImVec2(col_w, std::max(bar_h, t.px(6.0f))), segments, f.total,
                    &ctx.fonts.small);
        ImGui::SetCursorScreenPos(ImVec2(x, sy + t.px(1.0f) + std::max(bar_h, t.px(6.0f)) + t.px(0.5f)));
        wrapped_text(ctx.fonts.small, "n = " + std::to_string(f.total), col_w, t.text_muted);
    }
}

void page_builders(UiContext& ctx, const WorkshopDataView& view, ImVec2 pos, float width) {
    const Theme& t = ctx.theme;
    const report::Figure& f = view.report->builders;
    float y = pos.y;
    ImGui::SetCursorScreenPos(ImVec2(pos.x, y));
    y += wrapped_text(ctx.fonts.question, ctx.tr("What matters most for trust"), width, t.text) + t.px(1.0f);
    ImGui::SetCursorScreenPos(ImVec2(pos.x, y));
    y += wrapped_text(ctx.fonts.small,
                      f.too_few ? too_few_text(ctx)
                                : format(ctx.tr("Each person chose up to three. %d people answered."),
                                         static_cast<int>(f.total), 0),
                      width, t.text_muted) + t.px(4.0f);
    if (f.too_few) return;
    const float label_w = width * 0.42f;
    const float bar_w = width - label_w - t.px(30.0f);
    const float row_h = t.px(17.0f);
    int rank = 0;
    long long most = 1;
    for (const report::Cell& c : f.cells) {
        if (!c.suppressed) most = std::max(most, c.n);
    }
    int hidden = 0;
    for (const report::Cell& cell : f.cells) {
        if (cell.suppressed) {
            ++hidden;
            continue;
        }
        ++rank;
        const std::string label = option_label(view.survey, f.id, cell.key, ctx.language());
        ImGui::SetCursorScreenPos(ImVec2(pos.x, y + t.px(2.0f)));
        wrapped_text(rank <= 3 ? ctx.fonts.body : ctx.fonts.small, label, label_w - t.px(3.0f), t.text);
        const float w = bar_w * static_cast<float>(cell.n) / static_cast<float>(most);
        ImGui::GetWindowDrawList()->AddRectFilled(ImVec2(pos.x + label_w, y + t.px(2.0f)),
                                                  ImVec2(pos.x + label_w + w, y + row_h - t.px(2.0f)),
                                                  rank <= 3 ? kTrust : kWeak, t.px(1.0f));
        ImGui::SetCursorScreenPos(ImVec2(pos.x + label_w + w + t.px(2.0f), y + (row_h - ctx.fonts.body.size_px) * 0.5f));
        wrapped_text(ctx.fonts.body, std::to_string(cell.n), t.px(28.0f), t.text);
        y += row_h;
    }
    if (hidden > 0) {
        ImGui::SetCursorScreenPos(ImVec2(pos.x, y + t.px(2.0f)));
        wrapped_text(ctx.fonts.small, format(ctx.tr("%d more choices: too few answers to show"), hidden, 0), width,
                     t.text_muted);
    }
}

void page_nonresponse(UiContext& ctx, const WorkshopDataView& view, ImVec2 pos, float width, float height) {
    const Theme& t = ctx.theme;
    const report::Report& r = *view.report;
    float y = pos.y;
    ImGui::SetCursorScreenPos(ImVec2(pos.x, y));
    y += wrapped_text(ctx.fonts.question, ctx.tr("Who started, who finished"), width, t.text) + t.px(3.0f);
    ImGui::SetCursorScreenPos(ImVec2(pos.x, y));
    if (r.completion.too_few) {
        y += wrapped_text(ctx.fonts.body,
                          format(ctx.tr("%d finished the survey. How many started: too few stopped to show."),
                                 static_cast<int>(r.responses), 0),
                          width, t.text) + t.px(4.0f);
    } else {
        y += wrapped_text(ctx.fonts.body,
                          format(ctx.tr("%d started the survey and %d finished it."), static_cast<int>(r.started),
                                 static_cast<int>(r.responses)),
                          width, t.text) + t.px(3.0f);
        stacked_bar(ctx, ImVec2(pos.x, y), ImVec2(width, t.px(16.0f)),
                    {{std::string(ctx.tr("finished")) + " " + percent(r.responses, r.started), r.responses, kTrust},
                     {std::string(ctx.tr("stopped")) + " " + percent(r.started - r.responses, r.started),
                      r.started - r.responses, kWeak}},
                    r.started, &ctx.fonts.body);
        y += t.px(16.0f) + t.px(6.0f);
    }
    ImGui::SetCursorScreenPos(ImVec2(pos.x, y));
    y += wrapped_text(ctx.fonts.body, ctx.tr("Where people stopped (the question they had reached)"), width, t.text) +
         t.px(3.0f);
    const report::Figure& f = r.stopped_at;
    if (f.too_few) {
        ImGui::SetCursorScreenPos(ImVec2(pos.x, y));
        wrapped_text(ctx.fonts.body, too_few_text(ctx), width, t.text_muted);
        return;
    }
    long long most = 1;
    for (const report::Cell& c : f.cells) {
        if (!c.suppressed) most = std::max(most, c.n);
    }
    const float chart_h = pos.y + height - y - ctx.fonts.small.size_px * 2.6f;
    const float col_w = width / static_cast<float>(std::max<std::size_t>(1, f.cells.size()));
    for (std::size_t i = 0; i < f.cells.size(); ++i) {
        const report::Cell& c = f.cells[i];
        const float x = pos.x + static_cast<float>(i) * col_w;
        const float base = y + chart_h;
        if (c.suppressed) {
            ImGui::SetCursorScreenPos(ImVec2(x, base - ctx.fonts.small.size_px * 1.2f));
            wrapped_text(ctx.fonts.small, "–", col_w, t.text_muted, Align::Center);
        } else if (c.n > 0) {
            const float h = (chart_h - ctx.fonts.small.size_px * 1.3f) * static_cast<float>(c.n) / static_cast<float>(most);
            ImGui::GetWindowDrawList()->AddRectFilled(ImVec2(x + col_w * 0.15f, base - h), ImVec2(x + col_w * 0.85f, base),
                                                      kWeak);
            ImGui::SetCursorScreenPos(ImVec2(x, base - h - ctx.fonts.small.size_px * 1.2f));
            wrapped_text(ctx.fonts.small, std::to_string(c.n), col_w, t.text, Align::Center);
        }
        ImGui::SetCursorScreenPos(ImVec2(x, base + t.px(1.0f)));
        wrapped_text(ctx.fonts.small, c.key == "0" ? std::string(ctx.tr("start")) : c.key, col_w, t.text_muted,
                     Align::Center);
    }
    ImGui::GetWindowDrawList()->AddLine(ImVec2(pos.x, y + chart_h), ImVec2(pos.x + width, y + chart_h), t.tile_border,
                                        t.px(0.4f));
    ImGui::SetCursorScreenPos(ImVec2(pos.x, y + chart_h + ctx.fonts.small.size_px * 1.3f));
    wrapped_text(ctx.fonts.small, ctx.tr("– : too few answers to show. Only the question reached is kept, never the answers."),
                 width, t.text_muted);
}

}  // namespace

const char* to_string(WorkshopDataScreen::Page page) {
    switch (page) {
        case WorkshopDataScreen::Page::Trust: return "trust";
        case WorkshopDataScreen::Page::Questions: return "questions";
        case WorkshopDataScreen::Page::Builders: return "builders";
        case WorkshopDataScreen::Page::NonResponse: return "nonresponse";
    }
    return "trust";
}

float draw_trust_split(UiContext& ctx, const report::Figure& trust, ImVec2 pos, float width, float bar_h, bool legend) {
    const Theme& t = ctx.theme;
    if (trust.too_few) {
        ImGui::SetCursorScreenPos(pos);
        return wrapped_text(ctx.fonts.body, too_few_text(ctx), width, t.text_muted);
    }
    std::vector<Segment> segments;
    for (const report::Cell& cell : trust.cells) {
        if (!cell.suppressed) segments.push_back({percent(cell.n, trust.total), cell.n, class_colour(cell.key)});
    }
    stacked_bar(ctx, pos, ImVec2(width, bar_h), segments, trust.total, &ctx.fonts.body);
    float y = pos.y + bar_h + t.px(2.0f);
    if (!legend) return y - pos.y;
    const float item_w = width / 2.0f;
    for (std::size_t i = 0; i < trust.cells.size(); ++i) {
        const report::Cell& cell = trust.cells[i];
        const std::string text = class_label(ctx, cell.key) + ": " +
                                 (cell.suppressed ? too_few_text(ctx) : std::to_string(cell.n) + " (" +
                                                                            percent(cell.n, trust.total) + ")");
        legend_item(ctx, ImVec2(pos.x + static_cast<float>(i % 2) * item_w, y + static_cast<float>(i / 2) *
                                                                                ctx.fonts.body.size_px * 1.3f),
                    item_w - t.px(4.0f), class_colour(cell.key), text, ctx.fonts.body);
    }
    y += ctx.fonts.body.size_px * 1.3f * 2.0f;
    ImGui::SetCursorScreenPos(ImVec2(pos.x, y));
    y += wrapped_text(ctx.fonts.small, "n = " + std::to_string(trust.total), width, t.text_muted);
    return y - pos.y;
}

std::optional<WorkshopDataIntent> draw(WorkshopDataScreen& screen, UiContext& ctx, const WorkshopDataView& view) {
    const Theme& t = ctx.theme;
    begin_screen("workshop_data", ctx);
    std::optional<WorkshopDataIntent> intent;
    if (auto nav = draw_workshop_bar(ctx, WorkshopStep::Data, false)) intent = WorkshopDataIntent{WorkshopDataIntent::Kind::Nav, *nav, {}};
    const ImVec2 size = ImGui::GetWindowSize();
    const float margin = t.px(Theme::kMarginMm);
    const float top = workshop_content_top(ctx);
    const float side_w = t.px(88.0f);
    const float tile_h = t.px(Theme::kTargetMm);

    // Left: the question of the day, where the answers come from, the pages.
    float y = top;
    ImGui::SetCursorScreenPos(ImVec2(margin, y));
    y += wrapped_text(ctx.fonts.small, view.workshop.setup.question, side_w, t.text) + t.px(3.0f);
    const struct {
        DataScope scope;
        const char* id;
        std::string label;
    } scopes[] = {{DataScope::Venue, "scope_venue", view.venue_name.empty() ? ctx.tr("This venue") : view.venue_name},
                  {DataScope::AllVenues, "scope_all", ctx.tr("All venues")}};
    for (const auto& s : scopes) {
        ImGui::SetCursorScreenPos(ImVec2(margin, y));
        if (tile(ctx, s.id, s.label, ImVec2(side_w, tile_h),
                 {.selected = view.workshop.setup.scope == s.scope, .font = &ctx.fonts.small}) &&
            view.workshop.setup.scope != s.scope) {
            intent = WorkshopDataIntent{WorkshopDataIntent::Kind::Scope, {}, s.scope};
        }
        y += tile_h + t.px(2.0f);
    }
    y += t.px(4.0f);
    using Page = WorkshopDataScreen::Page;
    const struct {
        Page page;
        const char* id;
        const char* label;
    } pages[] = {{Page::Trust, "data_trust", ctx.tr("Trust")},
                 {Page::Questions, "data_questions", ctx.tr("Each question")},
                 {Page::Builders, "data_builders", ctx.tr("What builds trust")},
                 {Page::NonResponse, "data_nonresponse", ctx.tr("Who stopped")}};
    for (const auto& p : pages) {
        ImGui::SetCursorScreenPos(ImVec2(margin, y));
        if (tile(ctx, p.id, p.label, ImVec2(side_w, tile_h), {.selected = screen.page == p.page, .font = &ctx.fonts.small})) {
            screen.page = p.page;
        }
        y += tile_h + t.px(2.0f);
    }
    ImGui::SetCursorScreenPos(ImVec2(margin, std::max(y + t.px(2.0f), size.y - margin * 0.5f - tile_h)));
    if (tile(ctx, "data_next", next_label(ctx), ImVec2(side_w, tile_h), {.kind = TileStyle::Kind::Primary})) {
        intent = WorkshopDataIntent{WorkshopDataIntent::Kind::Nav, {WorkshopNav::Kind::Step, WorkshopStep::Gather}, {}};
    }

    // Right: the page.
    const ImVec2 pos(margin + side_w + t.px(12.0f), top);
    const float width = size.x - margin - pos.x;
    const float height = size.y - margin * 0.5f - pos.y;
    ImGui::SetCursorScreenPos(pos);
    if (view.report == nullptr) {
        wrapped_text(ctx.fonts.body,
                     view.counting ? std::string(ctx.tr("Counting the answers...")) : view.error, width,
                     view.counting ? t.text : t.warning);
    } else if (view.report->responses < report::kMinCell) {
        wrapped_text(ctx.fonts.question, ctx.tr("Too few answers to show yet. Fewer than 5 people have answered here."),
                     width, t.text);
    } else {
        switch (screen.page) {
            case Page::Trust: page_trust(ctx, view, pos, width); break;
            case Page::Questions: page_questions(ctx, view, pos, width, height); break;
            case Page::Builders: page_builders(ctx, view, pos, width); break;
            case Page::NonResponse: page_nonresponse(ctx, view, pos, width, height); break;
        }
    }
    end_screen();
    return intent;
}

}  // namespace tillit::ui
