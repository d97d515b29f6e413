// EWMH requests for the kiosk window (see x11_kiosk.h): client messages to the root window.
#include "platform/x11_kiosk.h"

#include <GLFW/glfw3.h>
#include <X11/Xatom.h>
#include <X11/Xlib.h>

// GLFW's native X11 accessors (glfw3native.h with GLFW_EXPOSE_NATIVE_X11 declares them
// the same way, but also pulls in the Xrandr headers we do not otherwise need).
extern "C" {
Display* glfwGetX11Display(void);
Window glfwGetX11Window(GLFWwindow* window);
}

namespace tillit::platform {
namespace {

constexpr long kAllDesktops = 0xFFFFFFFF;
constexpr long kAdd = 1;          // _NET_WM_STATE action
constexpr long kSourcePager = 2;  // requests from a pager are obeyed; an application's may not be

struct Native {
    Display* display = nullptr;
    Window window = 0;
    Window root = 0;
};

Native native_of(GLFWwindow* window) {
    Native n;
    n.display = glfwGetX11Display();
    if (n.display == nullptr) return n;
    n.window = glfwGetX11Window(window);
    n.root = DefaultRootWindow(n.display);
    return n;
}

void send(const Native& n, Window about, const char* message, long l0, long l1 = 0, long l2 = 0, long l3 = 0) {
    XEvent event{};
    event.xclient.type = ClientMessage;
    event.xclient.serial = 0;
    event.xclient.send_event = True;
    event.xclient.display = n.display;
    event.xclient.window = about;
    event.xclient.message_type = XInternAtom(n.display, message, False);
    event.xclient.format = 32;
    event.xclient.data.l[0] = l0;
    event.xclient.data.l[1] = l1;
    event.xclient.data.l[2] = l2;
    event.xclient.data.l[3] = l3;
    XSendEvent(n.display, n.root, False, SubstructureRedirectMask | SubstructureNotifyMask, &event);
}

bool showing_desktop(const Native& n) {
    Atom type = None;
    int format = 0;
    unsigned long items = 0;
    unsigned long after = 0;
    unsigned char* data = nullptr;
    const Atom property = XInternAtom(n.display, "_NET_SHOWING_DESKTOP", False);
    if (XGetWindowProperty(n.display, n.root, property, 0, 1, False, XA_CARDINAL, &type, &format, &items, &after,
                           &data) != Success) {
        return false;
    }
    const bool on = data != nullptr && items == 1 && format == 32 && *reinterpret_cast<long*>(data) != 0;
    if (data != nullptr) XFree(data);
    return on;
}

}  // namespace

void keep_on_every_desktop(GLFWwindow* window) {
    const Native n = native_of(window);
    if (n.display == nullptr) return;
    // Property changes on the root window (show desktop, current desktop, active window)
    // wake the event loop, so the kiosk checks its screen at once rather than on a timer.
    XWindowAttributes root{};
    if (XGetWindowAttributes(n.display, n.root, &root) != 0) {
        XSelectInput(n.display, n.root, root.your_event_mask | PropertyChangeMask);
    }
    send(n, n.window, "_NET_WM_DESKTOP", kAllDesktops, kSourcePager);
    send(n, n.window, "_NET_WM_STATE", kAdd, static_cast<long>(XInternAtom(n.display, "_NET_WM_STATE_STICKY", False)),
         static_cast<long>(XInternAtom(n.display, "_NET_WM_STATE_ABOVE", False)), kSourcePager);
    XFlush(n.display);
}

bool screen_taken(GLFWwindow* window) {
    const Native n = native_of(window);
    if (n.display == nullptr) return false;
    if (showing_desktop(n)) return true;
    XWindowAttributes attributes{};
    if (XGetWindowAttributes(n.display, n.window, &attributes) == 0) return false;
    return attributes.map_state != IsViewable;
}

bool grab_input(GLFWwindow* window) {
    const Native n = native_of(window);
    if (n.display == nullptr) return false;
    XWindowAttributes attributes{};
    if (XGetWindowAttributes(n.display, n.window, &attributes) == 0 || attributes.map_state != IsViewable) {
        return false;  // X refuses a grab for a window that is not on screen
    }
    // owner_events: events for the kiosk's own window still arrive as usual (GLFW's input);
    // the pointer is confined to the window, which covers the screen.
    const int keyboard = XGrabKeyboard(n.display, n.window, True, GrabModeAsync, GrabModeAsync, CurrentTime);
    const int pointer =
        XGrabPointer(n.display, n.window, True, ButtonPressMask | ButtonReleaseMask | PointerMotionMask, GrabModeAsync,
                     GrabModeAsync, n.window, None, CurrentTime);
    XFlush(n.display);
    return keyboard == GrabSuccess && pointer == GrabSuccess;
}

void reclaim_screen(GLFWwindow* window) {
    const Native n = native_of(window);
    if (n.display == nullptr) return;
    if (showing_desktop(n)) send(n, n.root, "_NET_SHOWING_DESKTOP", 0);
    XMapRaised(n.display, n.window);
    send(n, n.window, "_NET_WM_DESKTOP", kAllDesktops, kSourcePager);
    send(n, n.window, "_NET_ACTIVE_WINDOW", kSourcePager, CurrentTime, 0);
    XFlush(n.display);
}

}  // namespace tillit::platform
