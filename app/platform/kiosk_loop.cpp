// GLFW set-up, the renderer (platform/renderer.h), input, and the frame loop. Input is fed to ImGui through
// io.MousePos/io.MouseDown (the 1.86 API) from our own callbacks, so a press and a
// release that arrive between two frames still make a tap, and the pointer is read
// whether or not a window manager has given the window focus. The sync worker, when
// configured, runs beside the loop on its own thread; the loop never waits for it.
#include "platform/kiosk_loop.h"

#include <GLFW/glfw3.h>
#include <backends/imgui_impl_glfw.h>
#include <imgui.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdint>
#include <cstdlib>
#include <ctime>
#include <deque>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "core/privacy.h"
#include "core/recorder.h"
#include "core/trusted_clock.h"
#include "core/staff_desk.h"
#include "core/store_health.h"
#include "core/store_recovery.h"
#include "core/sync/sync_worker.h"
#include "platform/fonts.h"
#include "platform/renderer.h"
#include "platform/speech.h"
#include "platform/test_hooks.h"
#include "platform/x11_kiosk.h"
#include "ui/kiosk_app.h"
#include "ui/mirror.h"

namespace tillit::platform {
namespace {

std::atomic<bool> g_stop_signal{false};  // set by SIGTERM/SIGINT (systemd stop, Ctrl+C)

void on_signal(int) {
    g_stop_signal = true;
}

// Longest sleep between checks of the stop signal; waking costs no redraw.
constexpr double kMaxWaitSeconds = 0.5;
// While a full-screen kiosk is not focused, it asks for the screen back this often.
constexpr double kReclaimEverySeconds = 0.5;
constexpr double kReclaimMinGapSeconds = 0.02;
// Frames laid out after an event: ImGui needs a frame for the press and one for the
// release, and the one after shows what the tap did.
constexpr int kFramesAfterInput = 3;
// A screen's key changes in the frame that still drew the old screen; the new one is
// laid out in the next frame and settles (measured content, scrollbars) in the one after.
constexpr int kSettledFrame = 3;

// One press or release, with where the pointer was when it happened.
struct ButtonEdge {
    double x = 0.0, y = 0.0;
    bool down = false;
};

struct Input {
    double x = -1.0, y = -1.0;
    bool exposed = true;  // the window's pixels must be drawn again (mapped, uncovered)
    // ImGui 1.86 sees one button state per frame, so edges are queued and handed over
    // one per frame: a quick tap (press + release) and the end of a drag followed by
    // the next tap (release + press) both reach ImGui as separate edges.
    std::deque<ButtonEdge> edges;
    bool down = false;   // the state ImGui was last given
    bool event = false;  // anything happened since the last loop
    bool quit = false;
    bool fullscreen = true;
    bool refocus = false;  // a full-screen kiosk lost focus (Alt+Tab, another window)
    bool grabbed = false;  // a full-screen kiosk holds the keyboard and the pointer
};

Input& input_of(GLFWwindow* window) {
    return *static_cast<Input*>(glfwGetWindowUserPointer(window));
}

void on_cursor(GLFWwindow* window, double x, double y) {
    Input& in = input_of(window);
    in.x = x;
    in.y = y;
    in.event = true;
}

void on_button(GLFWwindow* window, int button, int action, int) {
    if (button != GLFW_MOUSE_BUTTON_LEFT) return;  // a touch screen has one "button"
    Input& in = input_of(window);
    if (action == GLFW_PRESS || action == GLFW_RELEASE) {
        // Where the pointer was at this event: the last motion event, handled in order.
        // glfwGetCursorPos asks the X server for where it is *now*, which on a loaded
        // machine can already be the next tap's position.
        double x = in.x, y = in.y;
        if (x < 0.0 || y < 0.0) glfwGetCursorPos(window, &x, &y);  // no motion seen yet
        in.edges.push_back({x, y, action == GLFW_PRESS});
    }
    in.event = true;
}

void on_key(GLFWwindow* window, int, int, int, int) {
    // Escape, Alt+F4, Alt+Tab and every other key do nothing: residents never leave the
    // app. The only way out is "quit to the desktop" on the admin screen.
    input_of(window).event = true;
}

void on_focus(GLFWwindow* window, int focused) {
    Input& in = input_of(window);
    if (!focused && in.fullscreen) in.refocus = true;
    in.event = true;
}

void on_close(GLFWwindow* window) {
    Input& in = input_of(window);
    if (in.fullscreen) {
        glfwSetWindowShouldClose(window, GLFW_FALSE);  // a full-screen kiosk cannot be closed
    } else {
        in.quit = true;
    }
}

void on_refresh(GLFWwindow* window) {
    Input& in = input_of(window);
    in.event = true;
    in.exposed = true;
}

// A fingerprint of what a frame would put on screen: the clear colour, vertices, indices,
// textures and clip rectangles. Equal fingerprints draw equal pixels, so the frame is not drawn again.
std::uint64_t fingerprint(const ImDrawData& data, ImU32 background) {
    std::uint64_t hash = 1469598103934665603ull;  // FNV-1a
    auto mix = [&hash](const void* bytes, std::size_t size) {
        const auto* p = static_cast<const unsigned char*>(bytes);
        for (std::size_t i = 0; i < size; ++i) hash = (hash ^ p[i]) * 1099511628211ull;
    };
    mix(&background, sizeof background);
    mix(&data.DisplaySize, sizeof data.DisplaySize);
    for (int n = 0; n < data.CmdListsCount; ++n) {
        const ImDrawList& list = *data.CmdLists[n];
        mix(list.VtxBuffer.Data, static_cast<std::size_t>(list.VtxBuffer.Size) * sizeof(ImDrawVert));
        mix(list.IdxBuffer.Data, static_cast<std::size_t>(list.IdxBuffer.Size) * sizeof(ImDrawIdx));
        for (const ImDrawCmd& cmd : list.CmdBuffer) {
            mix(&cmd.ClipRect, sizeof cmd.ClipRect);
            mix(&cmd.TextureId, sizeof cmd.TextureId);
            mix(&cmd.VtxOffset, sizeof cmd.VtxOffset);
            mix(&cmd.IdxOffset, sizeof cmd.IdxOffset);
            mix(&cmd.ElemCount, sizeof cmd.ElemCount);
        }
    }
    return hash;
}

void on_glfw_error(int code, const char* description) {
    std::fprintf(stderr, "tillit-kiosk: GLFW error %d: %s\n", code, description);
}

struct WindowDeleter {
    void operator()(GLFWwindow* window) const { glfwDestroyWindow(window); }
};
using WindowPtr = std::unique_ptr<GLFWwindow, WindowDeleter>;

struct GlfwSession {
    bool ok = glfwInit() == GLFW_TRUE;
    ~GlfwSession() {
        if (ok) glfwTerminate();
    }
};

// CPU time of the whole process (the GL driver's threads included), in milliseconds.
double process_cpu_ms() {
    timespec t{};
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
    return static_cast<double>(t.tv_sec) * 1e3 + static_cast<double>(t.tv_nsec) / 1e6;
}

// Benchmark hook (bench/frame_bench.py): TILLIT_FRAME_STATS=FILE records the CPU time of
// every frame (layout and drawing, OpenGL's finished with glFinish) by screen, written at exit.
void write_frame_stats(const char* path, const std::map<std::string, std::vector<double>>& stats) {
    std::FILE* f = std::fopen(path, "w");
    if (f == nullptr) return;
    std::fprintf(f, "{");
    bool first = true;
    for (const auto& [screen, samples] : stats) {
        std::fprintf(f, "%s\"%s\": [", first ? "" : ", ", screen.c_str());
        for (std::size_t i = 0; i < samples.size(); ++i) std::fprintf(f, "%s%.3f", i ? ", " : "", samples[i]);
        std::fprintf(f, "]");
        first = false;
    }
    std::fprintf(f, "}\n");
    std::fclose(f);
}

double monotonic_now() {
    using namespace std::chrono;
    return duration<double>(steady_clock::now().time_since_epoch()).count();
}

// Every text that may be shown, so the font atlas has each glyph.
std::vector<std::string> all_texts(const KioskSetup& setup) {
    std::vector<std::string> texts = {setup.config.venue_name};
    for (const auto& language : setup.config.languages) {
        texts.emplace_back(native_language_name(language));
        if (const Catalog* catalog = setup.translations.catalog(language)) {
            for (const auto& [msgid, msgstr] : catalog->messages()) texts.push_back(msgstr);
        }
    }
    auto add = [&](const LocalText& text) {
        for (const auto& [lang, value] : text) texts.push_back(value);
    };
    for (const Survey& survey : setup.available) {
        add(survey.title);
        add(survey.summary);
        for (const Question& q : survey.questions) {
            add(q.label);
            add(q.low_label);
            add(q.high_label);
            add(q.note);
            for (const Option& o : q.options) add(o.label);
        }
    }
    return texts;
}

void apply_style(const ui::Theme& theme) {
    ImGuiStyle& style = ImGui::GetStyle();
    style.WindowRounding = 0.0f;
    style.ScrollbarRounding = theme.px(2.0f);
    style.ScrollbarSize = theme.px(5.0f);
    style.Colors[ImGuiCol_ScrollbarBg] = ImGui::ColorConvertU32ToFloat4(theme.progress_track);
    style.Colors[ImGuiCol_ScrollbarGrab] = ImGui::ColorConvertU32ToFloat4(theme.tile_border);
    style.Colors[ImGuiCol_ScrollbarGrabHovered] = style.Colors[ImGuiCol_ScrollbarGrab];
    style.Colors[ImGuiCol_ScrollbarGrabActive] = ImGui::ColorConvertU32ToFloat4(theme.accent);
    style.Colors[ImGuiCol_Text] = ImGui::ColorConvertU32ToFloat4(theme.text);
}

// Starts the sync worker when [sync] is configured and the kiosk is enrolled. Each change
// of its state goes to stderr as one line (counts and errors, never answers); nothing is
// drawn for it until the staff screens exist.
std::unique_ptr<sync::SyncWorker> start_sync(const KioskSetup& setup, std::shared_ptr<TrustedClock> clock) {
    if (!setup.config.sync) return nullptr;
    const auto identity = setup.store->identity();
    if (!identity) {
        std::fprintf(stderr, "tillit-kiosk: sync: %s\n", identity.error().c_str());
        return nullptr;
    }
    if (!identity.value()) {
        std::fprintf(stderr, "tillit-kiosk: sync: not enrolled yet; run tillit-kiosk --enrol CODE\n");
        return nullptr;
    }
    sync::SyncWorkerOptions options;
    options.database_path = database_path(setup.config);
    options.sync = *setup.config.sync;
    options.context.data_dir = setup.config.data_dir;
    options.context.languages = setup.config.languages;
    for (const Survey& survey : setup.available) options.context.survey_versions[survey.id] = survey.version;
    options.context.batch_size = setup.config.sync->batch_size;
    options.context.clock = std::move(clock);
    options.on_change = [](const sync::SyncStatus& status) {
        std::fprintf(stderr, "tillit-kiosk: sync: %s\n", sync::describe(status).c_str());
    };
    return std::make_unique<sync::SyncWorker>(std::move(options));
}

}  // namespace

int run_kiosk(KioskSetup& setup, const LaunchOptions& options) {
    std::signal(SIGTERM, on_signal);
    std::signal(SIGINT, on_signal);
    glfwSetErrorCallback(on_glfw_error);
    GlfwSession glfw;
    if (!glfw.ok) {
        std::fprintf(stderr, "tillit-kiosk: cannot open the display (is DISPLAY or WAYLAND_DISPLAY set?)\n");
        return 2;
    }
    const ScreenRenderer renderer_kind = choose_renderer(setup.config.screen_renderer);
    renderer_window_hints(renderer_kind);
    glfwWindowHint(GLFW_RESIZABLE, GLFW_FALSE);
    // A full-screen kiosk that loses focus stays on screen instead of minimising itself.
    glfwWindowHint(GLFW_AUTO_ICONIFY, GLFW_FALSE);
    if (!options.windowed) glfwWindowHint(GLFW_FLOATING, GLFW_TRUE);

    Input input;
    input.fullscreen = !options.windowed;
    WindowPtr window;
    if (options.windowed) {
        window.reset(glfwCreateWindow(options.window_width, options.window_height, "tillit-kiosk", nullptr, nullptr));
    } else {
        GLFWmonitor* monitor = glfwGetPrimaryMonitor();
        const GLFWvidmode* mode = monitor != nullptr ? glfwGetVideoMode(monitor) : nullptr;
        if (mode != nullptr) {
            window.reset(glfwCreateWindow(mode->width, mode->height, "tillit-kiosk", monitor, nullptr));
        }
    }
    if (!window) {
        std::fprintf(stderr, "tillit-kiosk: cannot create %s\n",
                     renderer_kind == ScreenRenderer::Software ? "a window" : "an OpenGL 3.3 window");
        return 2;
    }
    GLFWwindow* win = window.get();
    if (options.windowed) glfwSetWindowPos(win, 0, 0);
    glfwSetWindowUserPointer(win, &input);
    glfwSetCursorPosCallback(win, on_cursor);
    glfwSetMouseButtonCallback(win, on_button);
    glfwSetKeyCallback(win, on_key);
    glfwSetWindowCloseCallback(win, on_close);
    glfwSetWindowRefreshCallback(win, on_refresh);
    glfwSetWindowFocusCallback(win, on_focus);
    if (setup.config.staff.hide_cursor) glfwSetInputMode(win, GLFW_CURSOR, GLFW_CURSOR_HIDDEN);
    glfwFocusWindow(win);
    if (!options.windowed) keep_on_every_desktop(win);

    IMGUI_CHECKVERSION();
    ImGui::CreateContext();
    ImGuiIO& io = ImGui::GetIO();
    io.IniFilename = nullptr;  // no imgui.ini: a kiosk keeps no UI state between residents
    io.LogFilename = nullptr;
    auto made = make_renderer(renderer_kind, win);
    if (!made) {
        std::fprintf(stderr, "tillit-kiosk: cannot draw with the software renderer: %s; set [screen] renderer = \"opengl\"\n",
                     made.error().c_str());
        ImGui::DestroyContext();
        return 2;
    }
    std::unique_ptr<Renderer> renderer = std::move(made.value());
    std::fprintf(stderr, "tillit-kiosk: drawing with the %s renderer\n", renderer->name());
    if (renderer_kind == ScreenRenderer::Software) {
        ImGui_ImplGlfw_InitForOther(win, false);
    } else {
        ImGui_ImplGlfw_InitForOpenGL(win, false);
    }

    int fb_w = 0, fb_h = 0;
    glfwGetFramebufferSize(win, &fb_w, &fb_h);
    // Sizes in mm follow the display's width: a full-screen kiosk's framebuffer may still
    // be a window manager's smaller frame in its first moments, the monitor's mode is not.
    int display_w = fb_w;
    if (!options.windowed) {
        if (const GLFWvidmode* mode = glfwGetVideoMode(glfwGetPrimaryMonitor())) display_w = mode->width;
    }
    ui::Theme theme;
    theme.px_per_mm = static_cast<float>(display_w) / static_cast<float>(setup.config.screen_width_mm);
    apply_style(theme);
    AppText text;
    if (auto loaded = load_text(text, all_texts(setup), renderer->upload(), renderer->release()); !loaded) {
        std::fprintf(stderr, "tillit-kiosk: %s\n", loaded.error().c_str());
        return 2;
    }

    // Answers are stamped by the clock the sync worker keeps in step with the server's,
    // so a kiosk whose clock jumped years does not stamp that onto them.
    const auto clock = std::make_shared<TrustedClock>();
    Recorder recorder(*setup.store, setup.config, [clock] { return clock->now(); });
    const std::unique_ptr<sync::SyncWorker> sync_worker = start_sync(setup, clock);
    // The whole file is read for damage while the first screens show; staff see the result.
    StoreHealth health(database_path(setup.config));
    health.start();
    bool restart = false;     // the check found damage: start again between residents
    bool restarting = false;  // ... and now is such a moment
    StaffDesk desk(setup, sync_worker.get(), &health);
    // Read-aloud: silent (one line on stderr) where there is no sound device; the test
    // hook TILLIT_SPEECH_WAV_DIR also writes each utterance as a WAV file.
    Speech speech(80, speech_wav_dir_from_env());
    ui::KioskApp app(setup.config, setup.surveys, setup.translations, recorder, monotonic_now(), &desk, &speech);
    ui::WidgetLog log;
    std::string last_widgets;
    std::string last_key;
    int frames_on_key = 0;
    int screenshot_count = 0;
    long frame = 0;
    if (options.screenshot_dir) std::filesystem::create_directories(*options.screenshot_dir);

    const char* frame_stats_path = std::getenv("TILLIT_FRAME_STATS");
    std::map<std::string, std::vector<double>> frame_stats;
    long long applied_generation = 0;  // config generations of the worker already applied
    bool had_session = false;
    int frames_to_draw = kFramesAfterInput;
    bool key_captured = false;            // the settled screen of last_key has its screenshot
    std::uint64_t shown_fingerprint = 0;  // what the window shows now
    double next_reclaim = 0.0;
    double last_reclaim_check = 0.0;
    while (!input.quit && !g_stop_signal && !desk.quit_requested()) {
        // Take the screen back from whatever took it (Alt+Tab, a window that popped up,
        // another desktop, "show desktop"), and keep asking while it is not ours.
        if (input.fullscreen) {
            // Checked after every wake-up (root property changes wake the loop) at most every
            // 20 ms, and every 0.5 s regardless.
            const double at = monotonic_now();
            if (input.refocus || at >= next_reclaim || at >= last_reclaim_check + kReclaimMinGapSeconds) {
                next_reclaim = at + kReclaimEverySeconds;
                last_reclaim_check = at;
                if (input.refocus || !glfwGetWindowAttrib(win, GLFW_FOCUSED) || screen_taken(win)) {
                    input.refocus = false;
                    input.grabbed = false;  // a hidden window loses its grabs
                    reclaim_screen(win);
                    glfwFocusWindow(win);
                    frames_to_draw = std::max(frames_to_draw, 2);  // draw again once it is back
                    input.exposed = true;
                }
                // Keyboard and pointer stay the kiosk's (window manager bindings never fire).
                if (!input.grabbed) input.grabbed = grab_input(win);
            }
        }
        const double wait = std::clamp(app.next_deadline() - monotonic_now(), 0.0, kMaxWaitSeconds);
        if (frames_to_draw > 0) {
            glfwPollEvents();
        } else {
            glfwWaitEventsTimeout(wait);
        }
        const double now = monotonic_now();
        if (input.event) {
            input.event = false;
            app.on_input(now);
            frames_to_draw = std::max(frames_to_draw, kFramesAfterInput);
        }
        if (app.tick(now)) frames_to_draw = std::max(frames_to_draw, 2);
        // A survey or setting the municipality changed centrally takes effect between
        // residents: only on the start screen with nobody mid-survey.
        if (sync_worker && app.screen() == ui::Screen::Start && app.session() == nullptr) {
            const long long generation = sync_worker->status().config_generation;
            if (generation != applied_generation) {
                applied_generation = generation;
                for (const auto& note : refresh_config(setup)) {
                    std::fprintf(stderr, "tillit-kiosk: %s\n", note.c_str());
                }
                // New texts may need a script face that was not loaded.
                if (auto loaded = load_text(text, all_texts(setup), renderer->upload(), renderer->release()); !loaded) {
                    std::fprintf(stderr, "tillit-kiosk: %s\n", loaded.error().c_str());
                }
                app.reload_feedback();  // the venue's "you said - we did" came with the same config
                frames_to_draw = std::max(frames_to_draw, 2);
            }
        }
        if (!restart) {
            if (const auto finding = health.latest(); finding && finding->damaged) {
                restart = true;
                const std::string path = database_path(setup.config);
                if (const Status marked = mark_damaged(path, path + " is damaged: " + finding->result); !marked) {
                    std::fprintf(stderr, "tillit-kiosk: %s\n", marked.error().c_str());
                }
                std::fprintf(stderr, "tillit-kiosk: ALARM: %s is damaged (%s); restarting to move it aside\n",
                             path.c_str(), finding->result.c_str());
            }
        }
        // Nobody is answering or working on the screen: the next start moves the file aside.
        if (restart && app.screen() == ui::Screen::Start && app.session() == nullptr) {
            restarting = true;
            break;
        }
        if (frames_to_draw == 0) continue;
        --frames_to_draw;

        const double frame_cpu_start = frame_stats_path != nullptr ? process_cpu_ms() : 0.0;
        const std::string frame_screen = app.idle_warning() ? "idle" : ui::to_string(app.screen());
        glfwGetFramebufferSize(win, &fb_w, &fb_h);
        // The frame is laid out in the current language's direction; a right-to-left frame
        // is mirrored when drawn, and the pointer is mirrored back for its layout.
        text.engine->begin_frame(setup.translations.language());
        const bool mirrored = text.engine->mirrored();
        renderer->new_frame();
        ImGui_ImplGlfw_NewFrame();
        const bool took_edge = !input.edges.empty();
        if (took_edge) {
            const ButtonEdge edge = input.edges.front();
            input.edges.pop_front();
            input.down = edge.down;
            io.MousePos = ImVec2(static_cast<float>(edge.x), static_cast<float>(edge.y));
            frames_to_draw = std::max(frames_to_draw, kFramesAfterInput);  // the rest of the queue, and settling
        } else {
            io.MousePos = input.x >= 0.0 ? ImVec2(static_cast<float>(input.x), static_cast<float>(input.y))
                                         : ImVec2(-FLT_MAX, -FLT_MAX);
        }
        if (mirrored && io.MousePos.x > -FLT_MAX) io.MousePos.x = ui::mirror_x(io.MousePos.x, io.DisplaySize.x);
        io.MouseDown[0] = input.down;
        for (int i = 1; i < IM_ARRAYSIZE(io.MouseDown); ++i) io.MouseDown[i] = false;
        ImGui::NewFrame();
        log.clear();
        const ui::Fonts fonts = ui::Fonts::make(text.engine.get(), theme, false);
        ui::UiContext ctx{theme, fonts, setup.translations, log, now};
        app.frame(ctx);
        ImGui::Render();
        ++frame;

        const std::string key = app.screen_key();
        if (key != last_key) {
            last_key = key;
            frames_on_key = 0;
            key_captured = false;
            frames_to_draw = std::max(frames_to_draw, kSettledFrame);
        }
        ++frames_on_key;
        // Only a frame someone could see is drawn (software GL redraws every pixel): not one
        // that took a button edge (another frame follows it at once), not a new screen
        // before its layout has settled, and not one equal to what the window shows.
        const bool settled = frames_on_key >= kSettledFrame;
        const bool capture = options.screenshot_dir && settled && !key_captured;
        const bool visible = frames_to_draw == 0 || (!took_edge && settled);
        bool draw = false;
        if (visible) {
            if (mirrored) ui::mirror_draw_data(*ImGui::GetDrawData());
            const std::uint64_t print = fingerprint(*ImGui::GetDrawData(), app.background());
            // The frame benchmark times the drawing of unchanged frames too.
            draw = print != shown_fingerprint || input.exposed || capture || frame_stats_path != nullptr;
            shown_fingerprint = print;
        }
        if (draw) {
            input.exposed = false;
            if (const Status drawn = renderer->draw(*ImGui::GetDrawData(), app.background(), fb_w, fb_h); !drawn) {
                std::fprintf(stderr, "tillit-kiosk: cannot draw: %s\n", drawn.error().c_str());
                draw = false;
                input.exposed = true;  // try again with the next frame
            }
            if (draw && frame_stats_path != nullptr) {
                renderer->finish();
                frame_stats[frame_screen].push_back(process_cpu_ms() - frame_cpu_start);
            }

            // What the drawn frame shows decides the hooks: a settled screen is captured once.
            if (draw && capture) {
                key_captured = true;
                char name[32];
                std::snprintf(name, sizeof name, "%03d_", ++screenshot_count);
                renderer->screenshot((std::filesystem::path(*options.screenshot_dir) / (name + key + ".png")).string(),
                                     fb_w, fb_h);
            }
        }
        if (visible && settled && options.widgets_json) {
            FrameFacts facts;
            facts.screen = app.idle_warning() ? "idle" : ui::to_string(app.screen());
            facts.key = key;
            facts.language = setup.translations.language();
            const Session* session = app.session();
            const bool on_question = app.screen() == ui::Screen::Question || app.screen() == ui::Screen::FreeText;
            facts.question_id = session != nullptr && on_question ? session->current().id : "";
            facts.idle_warning = app.idle_warning();
            if (session != nullptr && app.screen() == ui::Screen::FreeText) {
                const Answer* answer = session->current_answer();
                facts.text_length = answer != nullptr ? static_cast<long>(utf8_length(answer->text)) : 0;
            }
            facts.note = app.staff_note();
            facts.saved = app.confirmed_response();
            if (app.screen() == ui::Screen::Pin) facts.text_length = app.pin_length();
            if (const long typed = app.workshop_typed_length(); typed >= 0) facts.text_length = typed;
            glfwGetWindowPos(win, &facts.window_x, &facts.window_y);
            facts.width = fb_w;
            facts.height = fb_h;
            facts.px_per_mm = theme.px_per_mm;
            facts.mirrored = mirrored;
            facts.display_width = io.DisplaySize.x;
            const std::string json = widgets_json(facts, log);
            if (json != last_widgets) {
                last_widgets = json;
                write_widgets_json(*options.widgets_json, json, frame);
            }
        }
        if (draw) renderer->present();
        text.engine->end_frame();
        // A session has ended: nothing a resident typed stays laid out in memory.
        const bool in_session = app.session() != nullptr;
        if (had_session && !in_session) text.engine->clear();
        had_session = in_session;
    }

    if (frame_stats_path != nullptr) write_frame_stats(frame_stats_path, frame_stats);
    if (sync_worker) sync_worker->stop();  // joins: a transfer in flight is aborted within about a second
    text.engine.reset();                   // its textures go while the renderer is still there
    renderer.reset();
    ImGui_ImplGlfw_Shutdown();
    ImGui::DestroyContext();
    return restarting ? kRestartKiosk : 0;
}

}  // namespace tillit::platform
