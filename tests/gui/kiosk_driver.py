"""Drives the real tillit-kiosk under Xvfb with real X input events (xdotool).

The app writes the widgets of the current screen to a JSON file (--widgets-json);
this driver finds a widget there, moves the X pointer to its centre and clicks, then
waits until the app has drawn the result. It also checks, on every screen it sees,
that every tappable target is at least 20 mm in both directions.
"""
import argparse
import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time

MIN_TARGET_MM = 20.0


class KioskError(AssertionError):
    pass


def parse_args():
    parser = argparse.ArgumentParser()
    parser.add_argument("--app", required=True)
    parser.add_argument("--source", required=True)
    parser.add_argument("--out", required=True)
    return parser.parse_args()


def write_config(work, source, surveys, languages=("sv", "en"), idle=10, countdown=20, thanks=3,
                 data_dir=None, venue="test-venue", renderer="software"):
    """A kiosk.toml for one test, pointing at the shipped surveys and translations. The
    software renderer by default, so a test draws the same pixels and loads no GPU driver
    (whose allocations LeakSanitizer cannot tell from ours) on every machine;
    test_renderers runs the OpenGL one."""
    os.makedirs(work, exist_ok=True)
    source = os.path.abspath(source)
    path = os.path.join(work, "kiosk.toml")
    survey_list = ", ".join('"%s"' % s for s in surveys)
    language_list = ", ".join('"%s"' % l for l in languages)
    with open(path, "w", encoding="utf-8") as f:
        f.write(f"""[venue]
id = "{venue}"
name = "Testkommun medborgarkontor"
[kiosk]
languages = [{language_list}]
default_language = "sv"
surveys = [{survey_list}]
idle_timeout_seconds = {idle}
idle_countdown_seconds = {countdown}
thanks_seconds = {thanks}
time_bucket = "hour"
data_dir = "{data_dir or os.path.join(work, 'data')}"
[screen]
width_mm = 527
height_mm = 296
renderer = "{renderer}"
[paths]
surveys_dir = "{os.path.join(source, 'kiosk-config', 'surveys')}"
translations_dir = "{os.path.join(source, 'translations')}"
""")
    return path


class Xvfb:
    def __init__(self, width=1920, height=1080):
        read_fd, write_fd = os.pipe()
        # Benchmarks read the screen straight from Xvfb's framebuffer file (bench/touch_bench.py).
        fbdir = os.environ.get("TILLIT_XVFB_FBDIR")
        # -noreset: an X server resets when its last client leaves, and a client that
        # connects meanwhile is refused. Before openbox or the kiosk is up, the only clients
        # are short-lived probes (wmctrl, xdotool); without it, openbox once failed to open
        # the display on a loaded machine.
        self.proc = subprocess.Popen(
            ["Xvfb", "-displayfd", str(write_fd), "-screen", "0", f"{width}x{height}x24", "-nolisten", "tcp",
             "-noreset"] +
            (["-fbdir", fbdir] if fbdir else []),
            pass_fds=(write_fd,), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        os.close(write_fd)
        number = b""
        deadline = time.monotonic() + 15
        while not number.endswith(b"\n") and time.monotonic() < deadline:
            chunk = os.read(read_fd, 16)
            if not chunk:
                break
            number += chunk
        os.close(read_fd)
        if not number.strip():
            self.proc.kill()
            raise KioskError("Xvfb did not start")
        self.display = ":" + number.decode().strip()

    def stop(self):
        self.proc.terminate()
        try:
            self.proc.wait(5)
        except subprocess.TimeoutExpired:
            self.proc.kill()


def start_openbox(env, log, seconds=30):
    """openbox on env's display, its output to log; returns once it manages the display
    (a loaded CI machine may take seconds), else stops it and raises KioskError."""
    wm = subprocess.Popen(["openbox", "--sm-disable"], env=env, stdout=log, stderr=log)
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        probe = subprocess.run(["wmctrl", "-m"], env=env, capture_output=True, text=True)
        if probe.returncode == 0 and "Openbox" in probe.stdout:
            return wm
        time.sleep(0.1)
    code = wm.poll()
    if code is None:
        wm.terminate()
        wm.wait(5)
    raise KioskError(f"openbox did not start (exit status {code})")


class Kiosk:
    """One run of the real app. Use as a context manager."""

    def __init__(self, app, config, work, shots, size=(1920, 1080), fullscreen=False, window_manager=False,
                 extra_env=None, first_screen="start"):
        self.app, self.config, self.work, self.shots, self.size = app, config, work, shots, size
        self.extra_env = extra_env or {}  # for the kiosk process only (not Xvfb or xdotool)
        self.fullscreen = fullscreen
        self.first_screen = first_screen  # what the kiosk shows first (a resumed workshop is not "start")
        self.window_manager = window_manager  # run openbox, so Alt+F4 and Alt+Tab mean what they do on a desktop
        self.wm = None
        self.widgets_path = os.path.join(work, "widgets.json")
        self.state = None
        self.seen_screens = set()

    def __enter__(self):
        self.xvfb = Xvfb(*self.size)
        self.env = dict(os.environ, DISPLAY=self.xvfb.display)
        if os.path.exists(self.widgets_path):
            os.remove(self.widgets_path)
        self.log = open(os.path.join(self.work, "kiosk.log"), "ab")
        if self.window_manager:
            self.wm = start_openbox(self.env, self.log)
        mode = [] if self.fullscreen else ["--windowed", f"{self.size[0]}x{self.size[1]}"]
        self.proc = subprocess.Popen(
            [self.app, "--config", self.config] + mode +
            ["--widgets-json", self.widgets_path] + (["--screenshot-dir", self.shots] if self.shots else []),
            env=dict(self.env, **self.extra_env), stdout=self.log, stderr=self.log)
        self.wait_for(lambda s: s["screen"] == self.first_screen, f"the {self.first_screen} screen", timeout=30)
        return self

    def __exit__(self, exc_type, *exc):
        code = self.stop()
        # A clean SIGTERM exit is 0; anything else (a crash, a sanitizer report at exit) fails.
        if exc_type is None and code != 0:
            raise KioskError(f"the kiosk exited with code {code}; see {self.work}/kiosk.log")
        return False

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
                raise KioskError("the kiosk did not stop on SIGTERM")
        if self.wm is not None and self.wm.poll() is None:
            self.wm.terminate()
            self.wm.wait(5)
        self.xvfb.stop()
        if not self.log.closed:
            self.log.close()
        return self.proc.returncode

    # --- reading what is on screen ---
    def read(self):
        try:
            with open(self.widgets_path, encoding="utf-8") as f:
                state = json.load(f)
        except (FileNotFoundError, json.JSONDecodeError):
            return None
        if self.proc.poll() is not None:
            raise KioskError(f"the kiosk exited with code {self.proc.returncode}; see {self.work}/kiosk.log")
        if state.get("key") not in self.seen_screens:
            self.seen_screens.add(state.get("key"))
            self.check_targets(state)
        return state

    def check_targets(self, state):
        ppm = state["px_per_mm"]
        for w in state["widgets"]:
            if w.get("clipped"):
                continue
            if w["w"] / ppm < MIN_TARGET_MM or w["h"] / ppm < MIN_TARGET_MM:
                raise KioskError("touch target %s on %s is %.1f x %.1f mm, below %d mm" % (
                    w["id"], state["key"], w["w"] / ppm, w["h"] / ppm, MIN_TARGET_MM))

    def wait_for(self, predicate, what, timeout=10.0):
        deadline = time.monotonic() + timeout
        state = None
        while time.monotonic() < deadline:
            state = self.read()
            if state is not None and predicate(state):
                self.state = state
                return state
            time.sleep(0.03)
        raise KioskError(f"timed out waiting for {what}; last screen: {state and state.get('key')}")

    def widget(self, widget_id, state=None):
        state = state or self.state
        for w in state["widgets"]:
            if w["id"] == widget_id:
                return w
        raise KioskError(f"no widget '{widget_id}' on {state['key']}: " +
                         ", ".join(w["id"] for w in state["widgets"]))

    def has(self, widget_id):
        return any(w["id"] == widget_id for w in self.state["widgets"])

    # --- real input ---
    def tap(self, widget_id, expect_change=True):
        """Clicks the centre of a widget with a real X pointer event."""
        state = self.wait_for(lambda s: any(w["id"] == widget_id for w in s["widgets"]), f"widget {widget_id}")
        w = self.widget(widget_id, state)
        x = state["window"]["x"] + w["x"] + w["w"] / 2
        y = state["window"]["y"] + w["y"] + w["h"] / 2
        before = state["frame"]
        # No --sync: it waits for a motion event, which never comes when the pointer is
        # already there. The X server applies XTest events in order anyway.
        subprocess.run(["xdotool", "mousemove", str(int(x)), str(int(y)), "click", "1"],
                       env=self.env, check=True)
        if expect_change:
            return self.wait_for(lambda s: s["frame"] != before, f"a redraw after tapping {widget_id}")
        return self.state

    def hold(self, widget_id, seconds):
        """Presses a widget with the real pointer, keeps it down for `seconds`, releases."""
        w = self.widget(widget_id)
        x = int(self.state["window"]["x"] + w["x"] + w["w"] / 2)
        y = int(self.state["window"]["y"] + w["y"] + w["h"] / 2)
        self.xdotool("mousemove", str(x), str(y), "mousedown", "1")
        time.sleep(seconds)
        self.xdotool("mouseup", "1")

    def tap_screen(self, widget_id, screen):
        self.tap(widget_id)
        return self.wait_for(lambda s: s["screen"] == screen, f"screen {screen} after {widget_id}")

    def xdotool(self, *arguments):
        subprocess.run(["xdotool"] + list(arguments), env=self.env, check=True)

    def drag(self, widget_id, dy, steps=12):
        """Presses on a widget, moves the pointer vertically by dy pixels, releases."""
        w = self.widget(widget_id)
        x = int(self.state["window"]["x"] + w["x"] + w["w"] / 2)
        y = int(self.state["window"]["y"] + w["y"] + w["h"] / 2)
        self.xdotool("mousemove", str(x), str(y), "mousedown", "1")
        for i in range(1, steps + 1):
            self.xdotool("mousemove", str(x), str(int(y + dy * i / steps)))
            time.sleep(0.02)
        self.xdotool("mouseup", "1")

    def type_text(self, text):
        """Types on the on-screen keyboard, one key tap per character."""
        for ch in text:
            if ch == " ":
                self.tap("key_space")
                continue
            lower = ch.lower()
            if ch != lower:
                self.tap("key_shift")
            self.tap("key_%x" % ord(lower))

    def selected(self):
        return sorted(w["id"] for w in self.state["widgets"] if w["selected"])


class Server:
    """The real tillit-server (next to the kiosk binary) on 127.0.0.1:0 with its own SQLite store."""

    def __init__(self, binary, store, log):
        self.binary, self.store = binary, store
        self.log = open(log, "ab")
        self.proc = subprocess.Popen([binary, "serve", "--store", store, "--listen", "127.0.0.1:0"],
                                     stdout=subprocess.PIPE, stderr=self.log, text=True)
        line = self.proc.stdout.readline()
        if not line.startswith("listening on "):
            self.proc.kill()
            raise KioskError(f"the server did not start: {line!r}")
        self.url = "http://" + line.split()[-1]

    @staticmethod
    def binary_next_to(app):
        return os.path.join(os.path.dirname(os.path.abspath(app)), "tillit-server")

    def cli(self, *args):
        return subprocess.run([self.binary] + list(args) + ["--store", self.store], capture_output=True, text=True)

    def export(self):
        """Every stored response and abandonment (free text unsealed), as one list."""
        result = self.cli("export", "--format", "json")
        if result.returncode != 0:
            raise KioskError(f"export failed: {result.stderr}")
        data = json.loads(result.stdout)
        return data["responses"] + data.get("abandonments", []) if isinstance(data, dict) else data

    def ids(self):
        return [item["id"] for item in self.export()]

    def enrol_kiosk(self, app, config):
        """`tillit-server enrol`, then `tillit-kiosk --enrol CODE` with that code."""
        enrol = self.cli("enrol", "--venue", "test-venue")
        code = [line.split()[-1] for line in enrol.stdout.splitlines() if line.startswith("enrol code:")]
        if enrol.returncode != 0 or not code:
            raise KioskError(f"no enrol code: {enrol.stdout} {enrol.stderr}")
        result = subprocess.run([app, "--config", config, "--enrol", code[0]], capture_output=True, text=True)
        if result.returncode != 0:
            raise KioskError(f"--enrol failed: {result.stderr}")

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(10)
        self.log.close()


def set_pin(app, config, role, pin):
    """tillit-kiosk --set-pin ROLE, the PIN typed twice on stdin; it must never be printed."""
    result = subprocess.run([app, "--config", config, "--set-pin", role], input=f"{pin}\n{pin}\n",
                            capture_output=True, text=True)
    if result.returncode != 0:
        raise KioskError(f"--set-pin {role} failed: {result.stderr}")
    if pin in result.stdout + result.stderr:
        raise KioskError("--set-pin printed the PIN")


def read_db(data_dir):
    """Opens the kiosk's database after the kiosk has stopped (never while it runs)."""
    db = sqlite3.connect(f"file:{os.path.join(data_dir, 'responses.db')}?mode=ro", uri=True)
    db.row_factory = sqlite3.Row
    responses = [dict(r) for r in db.execute("SELECT * FROM responses")]
    abandonments = [dict(r) for r in db.execute("SELECT * FROM abandonments")]
    db.close()
    return responses, abandonments


def fresh_dir(path):
    shutil.rmtree(path, ignore_errors=True)
    os.makedirs(path)
    return path


def run(test):
    """Runs one test function and prints a closing line CTest and humans can read."""
    args = parse_args()
    fresh_dir(args.out)
    try:
        test(args)
    except Exception as error:  # noqa: BLE001 - report any failure as one line
        print(f"FAIL: {type(error).__name__}: {error}")
        sys.exit(1)
    print("OK")
