// The resident screens in headless ImGui frames, shared by the unit tests
// (test_kiosk_app.cpp) and the fault tests (tests/faults): a font atlas without a renderer,
// the app's own text shaper, real surveys and catalogs, a store, the app, and a simulated
// finger. Time is passed explicitly, so nothing sleeps. No GLFW, GL or X: tests/gui does those.
#pragma once

#include <doctest/doctest.h>
#include <imgui.h>

#include <chrono>
#include <cstdint>
#include <ctime>
#include <memory>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "core/config.h"
#include "core/i18n.h"
#include "core/recorder.h"
#include "core/session.h"
#include "core/staff_desk.h"
#include "core/store.h"
#include "core/survey.h"
#include "platform/text_engine.h"
#include "platform/text_shaper.h"
#include "ui/kiosk_app.h"
#include "ui/widgets.h"

namespace tillit::test {

using tillit::ui::Screen;

inline constexpr float kMinTargetMm = 20.0f;
inline const ImVec2 kFullHd(1920.0f, 1080.0f);
inline constexpr float kFullHdWidthMm = 527.0f;

// 2026-11-23 14:37 local time: the recorder's clock, so the bucket is "2026-11-23T14".
inline std::chrono::system_clock::time_point fixed_time() {
    std::tm local{};
    local.tm_year = 2026 - 1900;
    local.tm_mon = 10;
    local.tm_mday = 23;
    local.tm_hour = 14;
    local.tm_min = 37;
    local.tm_isdst = -1;
    return std::chrono::system_clock::from_time_t(std::mktime(&local));
}

inline tillit::Survey load_survey_file(const std::string& id) {
    const std::string path = std::string(TILLIT_SOURCE_DIR) + "/kiosk-config/surveys/" + id + ".toml";
    auto survey = tillit::load_survey(path, {"sv", "en"});
    REQUIRE_MESSAGE(survey.ok(), (survey.ok() ? "" : survey.error()));
    return std::move(survey).value();
}

inline tillit::KioskConfig test_config(const std::vector<std::string>& surveys) {
    tillit::KioskConfig config;
    config.venue_id = "test-venue";
    config.venue_name = "Testplatsen";
    config.languages = {"sv", "en"};
    config.default_language = "sv";
    config.surveys = surveys;
    config.idle_timeout_seconds = 60;
    config.idle_countdown_seconds = 20;
    config.thanks_seconds = 8;
    return config;
}

inline tillit::Translations load_translations() {
    auto translations = tillit::Translations::load(std::string(TILLIT_SOURCE_DIR) + "/translations", {"sv", "en"});
    REQUIRE_MESSAGE(translations.ok(), (translations.ok() ? "" : translations.error()));
    return std::move(translations).value();
}

inline std::unique_ptr<tillit::Store> open_store() {
    auto store = tillit::Store::open_in_memory();
    REQUIRE_MESSAGE(store.ok(), (store.ok() ? "" : store.error()));
    return std::move(store).value();
}

// An ImGui context with a built font atlas and no renderer: NewFrame/Render work, nothing
// is drawn. Text is laid out by the app's own shaper (real Noto faces, real line breaks);
// its images are "uploaded" to numbered ids that nothing reads.
class HeadlessImGui {
public:
    HeadlessImGui(ImVec2 display, float screen_width_mm) : context_(ImGui::CreateContext()) {
        ImGuiIO& io = ImGui::GetIO();
        io.IniFilename = nullptr;
        io.LogFilename = nullptr;
        io.DisplaySize = display;
        io.DeltaTime = 1.0f / 60.0f;
        theme.px_per_mm = display.x / screen_width_mm;
        io.Fonts->AddFontDefault();
        unsigned char* pixels = nullptr;
        int width = 0;
        int height = 0;
        io.Fonts->GetTexDataAsRGBA32(&pixels, &width, &height);
        REQUIRE(io.Fonts->IsBuilt());
        auto shaper = tillit::platform::TextShaper::create();
        REQUIRE_MESSAGE(shaper.ok(), (shaper.ok() ? "" : shaper.error()));
        shaper_ = std::move(shaper).value();
        engine_ = std::make_unique<tillit::platform::CachedTextEngine>(
            *shaper_,
            [this](const tillit::platform::TextImage& image) {
                uploaded_sizes.push_back(image.line_height / 1.15f);
                return reinterpret_cast<ImTextureID>(++textures_);
            },
            [](ImTextureID) {});
        fonts = tillit::ui::Fonts::make(engine_.get(), theme, false);
    }
    ~HeadlessImGui() { ImGui::DestroyContext(context_); }
    HeadlessImGui(const HeadlessImGui&) = delete;
    HeadlessImGui& operator=(const HeadlessImGui&) = delete;

    // Before each frame, as the kiosk loop does: the language decides the direction.
    void begin_frame(const std::string& language) { engine_->begin_frame(language); }
    void end_frame() { engine_->end_frame(); }
    bool mirrored() const { return engine_->mirrored(); }

    tillit::ui::Theme theme;
    tillit::ui::Fonts fonts;
    std::vector<float> uploaded_sizes;  // the text size of every text image laid out, in order

private:
    ImGuiContext* context_;
    std::unique_ptr<tillit::platform::TextShaper> shaper_;
    std::unique_ptr<tillit::platform::CachedTextEngine> engine_;
    std::uintptr_t textures_ = 0;
};

// One kiosk: config, the real surveys, catalogs, an in-memory store, the app, and a
// simulated finger. `now` is the monotonic clock the app sees.
class Kiosk {
public:
    explicit Kiosk(const std::vector<std::string>& offered = {"tillit", "besok"}, ImVec2 display = kFullHd,
                   float screen_width_mm = kFullHdWidthMm)
        : Kiosk(load_surveys(offered), display, screen_width_mm) {}

    // `given_store`: the store to save in (a file store, e.g. through a fault-injecting
    // VFS); an in-memory one when null.
    Kiosk(std::vector<tillit::Survey> offered, ImVec2 display, float screen_width_mm, tillit::StaffDesk* desk = nullptr,
          tillit::ui::ReadAloud* voice = nullptr, std::unique_ptr<tillit::Store> given_store = nullptr)
        : imgui(display, screen_width_mm),
          config(test_config(ids_of(offered))),
          surveys(std::move(offered)),
          translations(load_translations()),
          store(given_store ? std::move(given_store) : open_store()),
          recorder(*store, config, [] { return fixed_time(); }),
          app(config, surveys, translations, recorder, now, desk, voice) {
        frame();
    }

    // One frame as the kiosk loop draws it: NewFrame, the app, Render. Checks the targets.
    const tillit::ui::WidgetLog& frame() {
        ImGui::GetIO().DeltaTime = 1.0f / 60.0f;
        imgui.begin_frame(translations.language());
        ImGui::NewFrame();
        log.clear();
        const std::string key = app.screen_key();
        tillit::ui::UiContext ctx{imgui.theme, imgui.fonts, translations, log, now};
        app.frame(ctx);
        ImGui::Render();
        imgui.end_frame();
        screens_seen.insert(app.idle_warning() ? "idle" : to_string(app.screen()));
        check_targets(key);
        return log;
    }

    // Time passes with no touch: the app's timers run, then one frame is drawn.
    bool wait_until(double time) {
        now = time;
        const bool changed = app.tick(now);
        frame();
        return changed;
    }

    // A finger on the centre of the widget's visible part: one frame down, one frame
    // up, one more so the next screen is drawn.
    void tap(const std::string& id) {
        const tillit::ui::WidgetRecord* widget = find(id);
        REQUIRE_MESSAGE(widget != nullptr, "no widget " << id << " on " << app.screen_key() << "; there are " << ids());
        const ImVec2 centre((widget->min.x + widget->max.x) * 0.5f, (widget->min.y + widget->max.y) * 0.5f);
        press_and_release({centre});
    }

    // A finger put down at points.front(), moved through the others, lifted at the last.
    void press_and_release(const std::vector<ImVec2>& points) {
        ImGuiIO& io = ImGui::GetIO();
        for (std::size_t i = 0; i < points.size(); ++i) {
            io.MousePos = points[i];
            io.MouseDown[0] = true;
            input_frame();
        }
        io.MouseDown[0] = false;
        input_frame();
        app.tick(now);
        frame();
    }

    void tap_all(const std::vector<std::string>& ids_to_tap) {
        for (const auto& id : ids_to_tap) tap(id);
    }

    const tillit::ui::WidgetRecord* find(const std::string& id) const {
        for (const auto& widget : log.widgets) {
            if (widget.id == id) return &widget;
        }
        return nullptr;
    }
    bool has(const std::string& id) const { return find(id) != nullptr; }
    bool selected(const std::string& id) const {
        const auto* widget = find(id);
        REQUIRE_MESSAGE(widget != nullptr, "no widget " << id << " on " << app.screen_key());
        return widget->selected;
    }
    std::string label(const std::string& id) const {
        const auto* widget = find(id);
        REQUIRE_MESSAGE(widget != nullptr, "no widget " << id << " on " << app.screen_key());
        return widget->label;
    }
    std::vector<std::string> selected_ids() const {
        std::vector<std::string> out;
        for (const auto& widget : log.widgets) {
            if (widget.selected && widget.id != "key_shift") out.push_back(widget.id);
        }
        return out;
    }
    std::string ids() const {
        std::string out;
        for (const auto& widget : log.widgets) out += (out.empty() ? "" : " ") + widget.id;
        return out;
    }

    // The id of the question on screen ("" when there is no session).
    std::string question() const { return app.session() != nullptr ? app.session()->current().id : ""; }

    std::vector<tillit::StoredResponse> responses() const {
        auto rows = store->responses();
        REQUIRE_MESSAGE(rows.ok(), (rows.ok() ? "" : rows.error()));
        return rows.value();
    }
    std::vector<tillit::StoredAbandonment> abandonments() const {
        auto rows = store->abandonments();
        REQUIRE_MESSAGE(rows.ok(), (rows.ok() ? "" : rows.error()));
        return rows.value();
    }

    // Start -> start tile -> language -> promise -> first question.
    void begin_survey(const std::string& language) {
        REQUIRE(app.screen() == Screen::Start);
        tap("start");
        REQUIRE(app.screen() == Screen::Language);
        tap("lang_" + language);
        REQUIRE(app.screen() == Screen::Promise);
        tap("begin");
        REQUIRE(app.screen() == Screen::Question);
    }

    HeadlessImGui imgui;
    double now = 1000.0;
    tillit::KioskConfig config;
    std::vector<tillit::Survey> surveys;
    tillit::Translations translations;
    std::unique_ptr<tillit::Store> store;
    tillit::Recorder recorder;
    tillit::ui::WidgetLog log;
    tillit::ui::KioskApp app;
    std::set<std::string> screens_seen;
    int targets_checked = 0;

private:
    static std::vector<tillit::Survey> load_surveys(const std::vector<std::string>& ids) {
        std::vector<tillit::Survey> out;
        for (const auto& id : ids) out.push_back(load_survey_file(id));
        return out;
    }
    static std::vector<std::string> ids_of(const std::vector<tillit::Survey>& offered) {
        std::vector<std::string> out;
        for (const auto& survey : offered) out.push_back(survey.id);
        return out;
    }

    // A frame in which the finger touches the screen, as the loop sees an input event.
    void input_frame() {
        app.on_input(now);
        app.tick(now);
        frame();
    }

    // Touch targets: at least 20 mm both ways, except where a scrolled list cuts a tile,
    // and no two targets overlap (a tap on the overlap would reach the wrong one).
    void check_targets(const std::string& screen_key) {
        const float px_per_mm = imgui.theme.px_per_mm;
        const auto& widgets = log.widgets;
        for (std::size_t i = 0; i < widgets.size(); ++i) {
            const auto& widget = widgets[i];
            for (std::size_t j = i + 1; j < widgets.size(); ++j) {
                const auto& other = widgets[j];
                if (widget.min.x < other.max.x && other.min.x < widget.max.x && widget.min.y < other.max.y &&
                    other.min.y < widget.max.y) {
                    FAIL_CHECK(screen_key << ": " << widget.id << " overlaps " << other.id << " (" << widget.min.x
                                          << "," << widget.min.y << "-" << widget.max.x << "," << widget.max.y << " vs "
                                          << other.min.x << "," << other.min.y << "-" << other.max.x << ","
                                          << other.max.y << ")");
                }
            }
            if (widget.clipped) continue;
            ++targets_checked;
            const float width_mm = (widget.max.x - widget.min.x) / px_per_mm;
            const float height_mm = (widget.max.y - widget.min.y) / px_per_mm;
            if (width_mm < kMinTargetMm || height_mm < kMinTargetMm) {
                FAIL_CHECK(screen_key << ": " << widget.id << " is " << width_mm << " x " << height_mm << " mm");
            }
        }
    }
};

}  // namespace tillit::test
