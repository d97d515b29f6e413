"""A full-screen kiosk ignores Escape, Alt+F4 and Ctrl+Q, and quits (exit code 0)
only on the documented chord Ctrl+Alt+Shift+Q."""
import os
import time

from kiosk_driver import Kiosk, KioskError, fresh_dir, run, write_config


def expect(condition, message):
    if not condition:
        raise KioskError(message)


def test(args):
    work = fresh_dir(os.path.join(args.out, "work"))
    config = write_config(work, args.source, ["tillit"])
    k = Kiosk(args.app, config, work, os.path.join(args.out, "screens"), fullscreen=True)
    with k:
        state = k.state
        expect(state["window"]["width"] == 1920 and state["window"]["height"] == 1080,
               f"not full screen: {state['window']}")
        k.tap_screen("start", "language")
        for keys in ["Escape", "alt+F4", "ctrl+q", "ctrl+w", "alt+Tab", "super"]:
            k.xdotool("key", keys)
            time.sleep(0.3)
            expect(k.proc.poll() is None, f"{keys} ended the kiosk")
        expect(k.read()["screen"] == "language", "a key press changed the screen")
        k.xdotool("key", "ctrl+alt+shift+q")
        deadline = time.monotonic() + 10
        while k.proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.1)
        expect(k.proc.returncode == 0, f"the quit chord did not end the kiosk cleanly: {k.proc.returncode}")


if __name__ == "__main__":
    run(test)
