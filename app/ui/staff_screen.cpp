// Staff home layout: a top bar (lock, who is signed in, clock), the status board on the
// left, the actions this role may take on the right.
#include "ui/staff_screen.h"

#include <algorithm>
#include <cstdio>
#include <string>
#include <vector>

#include "ui/widgets.h"

namespace tillit::ui {
namespace {

std::string bytes_text(long long bytes) {
    if (bytes < 0) return "?";
    char text[32];
    const double gb = static_cast<double>(bytes) / 1e9;
    if (gb >= 1.0) {
        std::snprintf(text, sizeof text, "%.1f GB", gb);
    } else {
        std::snprintf(text, sizeof text, "%.0f MB", static_cast<double>(bytes) / 1e6);
    }
    return text;
}

std::string count_text(long long n) { return std::to_string(n); }

// "2026-11-23T14:05:00Z" -> "2026-11-23 14:05 UTC"
std::string utc_text(const UiContext& ctx, const std::string& utc) {
    if (utc.empty()) return ctx.tr("never");
    if (utc.size() >= 16) return utc.substr(0, 10) + " " + utc.substr(11, 5) + " UTC";
    return utc;
}

std::string printf_text(const char* fmt, long long a, long long b) {
    char text[512];
    std::snprintf(text, sizeof text, fmt, a, b);
    return text;
}

struct Line {
    std::string label;
    std::string value;
    bool warn = false;
};

// What the sync did or does, in words an admin can act on.
std::string sync_words(const UiContext& ctx, const StaffView& view, bool requested, float& fraction, bool& warn) {
    fraction = -1.0f;
    warn = false;
    if (!view.sync) {
        warn = true;
        if (!view.status.sync_configured) return ctx.tr("No server is set for this kiosk ([sync] in kiosk.toml).");
        if (view.status.device_id.empty()) {
            return ctx.tr("This kiosk is not enrolled yet. Enrol it with: tillit-kiosk --enrol CODE");
        }
        return ctx.tr("Sync is not running. Restart the kiosk.");
    }
    const sync::SyncStatus& s = *view.sync;
    switch (s.state) {
        case sync::SyncState::Syncing:
            if (s.progress.total > 0) {
                fraction = static_cast<float>(s.progress.done) / static_cast<float>(s.progress.total);
                return printf_text(ctx.tr("Sending: %lld of %lld answers"), s.progress.done, s.progress.total);
            }
            fraction = 0.0f;
            return ctx.tr("Contacting the server...");
        case sync::SyncState::Waiting: {
            warn = true;
            const long long seconds = std::max<long long>(1, static_cast<long long>(s.wait.count() / 1000));
            return printf_text(ctx.tr("Could not sync. Trying again within %lld s."), seconds, 0) + " " + s.last_error;
        }
        case sync::SyncState::Stopped:
            warn = true;
            return std::string(ctx.tr("The server refused this kiosk. Ask the server's admin.")) + " " + s.last_error;
        case sync::SyncState::Idle:
            if (s.last_success.empty()) return ctx.tr("Not synced yet.");
            if (requested || s.progress.total > 0) fraction = 1.0f;
            if (s.pending == 0) return ctx.tr("Synced: everything is on the server.");
            return printf_text(ctx.tr("Synced. %lld answers wait for the next sync."), s.pending, 0);
    }
    return "";
}

}  // namespace

std::optional<StaffIntent> draw(StaffScreen& screen, UiContext& ctx, const StaffView& view) {
    const Theme& t = ctx.theme;
    begin_screen("staff", ctx);
    std::optional<StaffIntent> intent;
    const ImVec2 size = ImGui::GetWindowSize();
    const float margin = t.px(Theme::kMarginMm);
    const float bar_h = t.px(Theme::kTargetMm);
    const KioskStatus& st = view.status;

    // Top bar.
    ImGui::SetCursorScreenPos(ImVec2(margin, margin * 0.75f));
    if (tile(ctx, "lock", ctx.tr("Lock"), ImVec2(t.px(60.0f), bar_h), {.kind = TileStyle::Kind::Quiet})) {
        intent = StaffIntent::Lock;
    }
    const std::string who = view.role == Role::Admin ? ctx.tr("Signed in as admin") : ctx.tr("Signed in as facilitator");
    ImGui::SetCursorScreenPos(ImVec2(margin + t.px(70.0f), margin * 0.75f + (bar_h - ctx.fonts.body.size_px) * 0.5f));
    wrapped_text(ctx.fonts.body, who, size.x - 2 * margin - t.px(140.0f), t.text, Align::Center);
    ImGui::SetCursorScreenPos(ImVec2(size.x - margin - t.px(60.0f),
                                     margin * 0.75f + (bar_h - ctx.fonts.small.size_px) * 0.5f));
    wrapped_text(ctx.fonts.small, st.clock, t.px(60.0f), t.text_muted, Align::Center);

    // Status board.
    std::string versions = std::string("app ") + st.app_version;
    for (const auto& [id, version] : st.survey_versions) versions += ", " + id + " v" + std::to_string(version);
    std::vector<Line> lines = {
        {ctx.tr("Venue"), st.venue_name + " (" + st.venue_id + ")"},
        {ctx.tr("Device"), st.device_id.empty() ? ctx.tr("not enrolled") : st.device_id, st.device_id.empty()},
        {ctx.tr("Versions"), versions},
        {ctx.tr("Answers stored"), count_text(st.responses)},
        {ctx.tr("Waiting to sync"), count_text(st.pending)},
        {ctx.tr("Set aside"), count_text(st.set_aside), st.set_aside > 0},
        {ctx.tr("Last successful sync"), utc_text(ctx, st.last_success)},
        {ctx.tr("Free disk"), bytes_text(st.free_disk_bytes), st.free_disk_bytes >= 0 && st.free_disk_bytes < 200'000'000},
        {ctx.tr("Database"),
         st.database_health == "ok"    ? ctx.tr("OK")
         : st.database_health.empty() ? ctx.tr("Checking...")
                                      : st.database_health,
         !st.database_health.empty() && st.database_health != "ok"},
    };
    for (const auto& [reason, count] : st.set_aside_reasons) {
        lines.push_back({std::string("  ") + ctx.tr("set aside because"), reason + ": " + count_text(count), true});
    }
    if (!st.error.empty()) lines.push_back({ctx.tr("Problem"), st.error, true});
    for (const std::string& alarm : st.alarms) lines.push_back({ctx.tr("Moved aside at start"), alarm, true});

    const float board_w = (size.x - 3 * margin) * 0.55f;
    const float label_w = board_w * 0.42f;
    float y = margin * 0.75f + bar_h + t.px(8.0f);
    ImDrawList* draw = ImGui::GetWindowDrawList();
    fill_rounded(draw, ImVec2(margin, y), ImVec2(margin + board_w, size.y - margin), t.tile, t.px(Theme::kRoundingMm));
    y += t.px(4.0f);
    for (const Line& line : lines) {
        ImGui::SetCursorScreenPos(ImVec2(margin + t.px(4.0f), y));
        const float h1 = wrapped_text(ctx.fonts.body, line.label, label_w - t.px(4.0f), t.text_muted);
        ImGui::SetCursorScreenPos(ImVec2(margin + label_w, y));
        const float h2 = wrapped_text(ctx.fonts.body, line.value, board_w - label_w - t.px(4.0f),
                                      line.warn ? t.warning : t.text);
        y += std::max(h1, h2) + t.px(3.0f);
    }

    // Actions.
    const float actions_x = margin * 2 + board_w;
    const float actions_w = size.x - actions_x - margin;
    const ImVec2 button(actions_w, t.px(Theme::kTargetMm + 2.0f));
    float ay = margin * 0.75f + bar_h + t.px(8.0f);
    auto place = [&](float height) {
        ImGui::SetCursorScreenPos(ImVec2(actions_x, ay));
        ay += height + t.px(Theme::kGapMm);
    };
    if (screen.confirm_quit) {
        place(0);
        wrapped_text(ctx.fonts.body, ctx.tr("Quit the kiosk? Residents cannot answer until it is started again."),
                     actions_w, t.text);
        ay = ImGui::GetCursorScreenPos().y + t.px(Theme::kGapMm);
        place(button.y);
        if (tile(ctx, "quit_confirm", ctx.tr("Quit to the desktop"), button, {.kind = TileStyle::Kind::Primary})) {
            intent = StaffIntent::Quit;
        }
        place(button.y);
        if (tile(ctx, "quit_cancel", ctx.tr("Cancel"), button)) screen.confirm_quit = false;
    } else {
        // Workshops: both roles.
        place(button.y);
        const std::string workshop =
            view.open_workshop == nullptr ? std::string(ctx.tr("New workshop"))
            : view.open_workshop->empty() ? std::string(ctx.tr("Continue the workshop"))
                                          : std::string(ctx.tr("Continue the workshop:")) + " " + *view.open_workshop;
        if (tile(ctx, "workshop", workshop, button, {.kind = view.role == Role::Admin ? TileStyle::Kind::Normal
                                                                                      : TileStyle::Kind::Primary})) {
            intent = StaffIntent::Workshop;
        }
    }
    if (screen.confirm_quit) {
        // The confirmation above is all this column shows.
    } else if (view.role == Role::Admin) {
        place(button.y);
        const bool busy = view.sync && view.sync->state == sync::SyncState::Syncing;
        if (tile(ctx, "sync_now", ctx.tr("Sync now"), button, {.kind = TileStyle::Kind::Primary, .disabled = !view.sync || busy})) {
            screen.sync_requested = true;
            intent = StaffIntent::SyncNow;
        }
        float fraction = -1.0f;
        bool warn = false;
        const std::string words = sync_words(ctx, view, screen.sync_requested, fraction, warn);
        screen.words = words;
        if (fraction >= 0.0f) {
            progress_bar(ctx, ImVec2(actions_x, ay), ImVec2(actions_w, t.px(4.0f)), fraction);
            ay += t.px(4.0f) + t.px(2.0f);
        }
        place(0);
        wrapped_text(ctx.fonts.body, words, actions_w, warn ? t.warning : t.text);
        ay = ImGui::GetCursorScreenPos().y + t.px(Theme::kGapMm);
        place(button.y);
        if (tile(ctx, "export", ctx.tr("Export to a USB stick"), button)) intent = StaffIntent::Export;
        place(button.y);
        if (tile(ctx, "settings", ctx.tr("Settings"), button)) intent = StaffIntent::Settings;
        place(button.y);
        if (tile(ctx, "quit", ctx.tr("Quit to the desktop"), button, {.kind = TileStyle::Kind::Quiet})) {
            screen.confirm_quit = true;
        }
    } else {
        place(0);
        wrapped_text(ctx.fonts.body,
                     ctx.tr("Facilitators run workshops and see the status here. Syncing, export and settings need the admin "
                            "PIN."),
                     actions_w, t.text_muted);
    }
    end_screen();
    return intent;
}

}  // namespace tillit::ui
