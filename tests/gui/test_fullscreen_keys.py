"""A full-screen kiosk under a real window manager (openbox, whose default keys close a
window with Alt+F4 and switch windows with Alt+Tab) cannot be left by a resident:
Escape, Alt+F4, Alt+Tab, Ctrl+Q, Ctrl+W, the old quit chord and a window-manager close
request (wmctrl -c, as a title-bar close button sends) all leave it running on the same
screen. Another window that takes focus does not keep it: the kiosk takes focus back.
The only way out is "quit to the desktop" on the admin screen (tested in test_staff.py
for access; here the exit code of that path is checked)."""
import os
import subprocess
import time

from kiosk_driver import set_pin, start_openbox, Kiosk, KioskError, Xvfb, fresh_dir, run, write_config

ADMIN_PIN = "8642"


def expect(condition, message):
    if not condition:
        raise KioskError(message)


def active_window_name(k):
    result = subprocess.run(["xdotool", "getactivewindow", "getwindowname"], env=k.env, capture_output=True, text=True)
    return result.stdout.strip()


def window_manager_closes_on_alt_f4(log_path):
    """On a display of its own: openbox closes an ordinary focused window on Alt+F4, so the
    same keys aimed at the kiosk below really are the window manager's close. Returns None
    when it does, else what went wrong (openbox's own output goes to log_path)."""
    display = Xvfb(640, 480)
    env = dict(os.environ, DISPLAY=display.display)
    log = open(log_path, "ab")
    wm = probe = None

    def until(predicate, seconds=20):
        # Waits for what is asked of the window manager, not for a fixed time: a busy
        # machine may take seconds to map a window.
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if predicate():
                return True
            time.sleep(0.1)
        return False

    def query(*args):
        return subprocess.run(list(args), env=env, capture_output=True, text=True).stdout
    try:
        wm = start_openbox(env, log)
        probe = subprocess.Popen(["xmessage", "-name", "probe", "an ordinary window"], env=env,
                                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        if not until(lambda: "probe" in query("wmctrl", "-l")):
            return "the probe window was not mapped"
        subprocess.run(["wmctrl", "-a", "probe"], env=env, capture_output=True)
        if not until(lambda: query("xdotool", "getactivewindow", "getwindowname").strip() == "probe"):
            return "the probe window did not get focus"
        subprocess.run(["xdotool", "key", "alt+F4"], env=env, check=True)
        try:
            probe.wait(20)
        except subprocess.TimeoutExpired:
            active = query("xdotool", "getactivewindow", "getwindowname").strip()
            return f"Alt+F4 left the probe window open (active window: {active!r})"
        return None
    except KioskError as error:
        return str(error)
    finally:
        if probe is not None and probe.poll() is None:
            probe.kill()
        if wm is not None:
            wm.terminate()
            wm.wait(5)
        display.stop()
        log.close()


def test(args):
    work = fresh_dir(os.path.join(args.out, "work"))
    # Once failed in CI: Xvfb reset as openbox connected (kiosk_driver.Xvfb runs with
    # -noreset since; 0 of 400 probes failed beside other Xvfb servers, 7 of 210 before).
    problem = window_manager_closes_on_alt_f4(os.path.join(work, "openbox-probe.log"))
    expect(problem is None, f"Alt+F4 does not close an ordinary window under openbox here: {problem}")
    config = write_config(work, args.source, ["tillit"])
    set_pin(args.app, config, "admin", ADMIN_PIN)
    k = Kiosk(args.app, config, work, os.path.join(args.out, "screens"), fullscreen=True, window_manager=True)
    with k:
        state = k.state
        expect(state["window"]["width"] == 1920 and state["window"]["height"] == 1080,
               f"not full screen: {state['window']}")
        k.tap_screen("start", "language")
        for keys in ["Escape", "alt+F4", "ctrl+q", "ctrl+w", "alt+Tab", "super", "ctrl+alt+shift+q"]:
            k.xdotool("key", keys)
            time.sleep(0.4)
            expect(k.proc.poll() is None, f"{keys} ended the kiosk")
        result = subprocess.run(["wmctrl", "-c", "tillit-kiosk"], env=k.env, capture_output=True, text=True)
        expect(result.returncode == 0, f"wmctrl could not ask openbox to close the window: {result.stderr}")
        time.sleep(0.8)
        expect(k.proc.poll() is None, "a window-manager close request ended the kiosk")
        expect(k.read()["screen"] == "language", "a key press or close request changed the screen")

        # Another window pops up and takes focus; the kiosk takes it back.
        other = subprocess.Popen(["xmessage", "-name", "intruder", "a window that takes focus"], env=k.env,
                                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            time.sleep(1.0)
            subprocess.run(["wmctrl", "-a", "intruder"], env=k.env, capture_output=True)
            k.xdotool("key", "alt+Tab")
            deadline = time.monotonic() + 5
            while time.monotonic() < deadline and active_window_name(k) != "tillit-kiosk":
                time.sleep(0.1)
            expect(active_window_name(k) == "tillit-kiosk",
                   f"the kiosk did not take focus back; active: {active_window_name(k)!r}")
        finally:
            other.terminate()
            other.wait(5)

        # The admin's way out ends the process cleanly.
        k.tap_screen("back", "start")
        k.hold("staff_corner", 3.4)
        k.wait_for(lambda s: s["screen"] == "pin", "the PIN pad")
        for digit in ADMIN_PIN:
            k.tap("pin_" + digit)
        k.tap("pin_ok")
        k.wait_for(lambda s: s["key"].startswith("staff_admin"), "the admin screen", timeout=20)
        k.tap("quit")
        k.wait_for(lambda s: "_quit" in s["key"], "the quit question")
        k.tap("quit_confirm", expect_change=False)
        deadline = time.monotonic() + 10
        while k.proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.1)
        expect(k.proc.returncode == 0, f"quit to the desktop did not end the kiosk cleanly: {k.proc.returncode}")


if __name__ == "__main__":
    run(test)
