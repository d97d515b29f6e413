// What GLFW cannot ask of an X11 window manager for a full-screen kiosk: stay on every
// desktop, stay above other windows, end "show desktop", and take the focus back.
// Under an EWMH window manager (openbox, xfwm, mutter, ...) a resident's Ctrl+Alt+Arrow
// or Super+D would otherwise leave the kiosk on a hidden desktop. Under cage (Xwayland,
// no window manager) the requests are harmless. Only app/platform knows about X11.
#pragma once

struct GLFWwindow;

namespace tillit::platform {

// Marks the window sticky and above (once, after it is shown).
void keep_on_every_desktop(GLFWwindow* window);
// True when the window manager shows the desktop or the window is not viewable (another
// desktop, minimised): the screen is not the kiosk's even if it still has the focus.
bool screen_taken(GLFWwindow* window);
// Ends "show desktop" if it is on, and asks the window manager to raise and focus the
// kiosk as a pager would (window managers refuse applications that steal focus).
void reclaim_screen(GLFWwindow* window);
// Takes the keyboard and the pointer for the kiosk window, as a screen locker does: while
// a client holds them, the window manager's key and button bindings (Alt+Tab, desktop
// keys, Alt+drag, the root menu) are not triggered, and every tap lands on the kiosk.
// Returns true when both are held; a window manager busy with a grab of its own refuses
// for a moment, so the loop asks again with its other screen checks.
bool grab_input(GLFWwindow* window);

}  // namespace tillit::platform
