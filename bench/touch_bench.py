"""Touch to pixels (issue 8, part 2): the time from an X input event to the moment the
screen shows its effect, on the question screen of the real kiosk under Xvfb, over 500
taps (p50, p99, max). Not part of the tests.

The taps are real X events (the XTest extension through ctypes, so the clock starts at the
moment the event is flushed to the server, not when a helper process starts). The screen is
Xvfb's own framebuffer file (-fbdir), memory-mapped; only the rows of the answer tiles are
compared, so a poll costs microseconds. Each tap selects the other of two answers, so each
one changes those rows. Xvfb has no vertical refresh: "within one frame at 60 Hz" is read
as "p99 under 16.7 ms".
"""
import argparse
import ctypes
import json
import mmap
import os
import statistics
import struct
import subprocess
import sys
import tempfile
import time
import zlib

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "gui"))
from kiosk_driver import Kiosk, write_config  # noqa: E402

SOURCE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


class XTest:
    def __init__(self, display):
        self.x11 = ctypes.CDLL("libX11.so.6")
        self.xtst = ctypes.CDLL("libXtst.so.6")
        self.x11.XOpenDisplay.restype = ctypes.c_void_p
        self.x11.XOpenDisplay.argtypes = [ctypes.c_char_p]
        self.dpy = self.x11.XOpenDisplay(display.encode())
        if not self.dpy:
            raise RuntimeError(f"cannot open display {display}")
        self.xtst.XTestFakeMotionEvent.argtypes = [ctypes.c_void_p, ctypes.c_int, ctypes.c_int, ctypes.c_int,
                                                   ctypes.c_ulong]
        self.xtst.XTestFakeButtonEvent.argtypes = [ctypes.c_void_p, ctypes.c_uint, ctypes.c_int, ctypes.c_ulong]
        self.x11.XFlush.argtypes = [ctypes.c_void_p]

    def move(self, x, y):
        self.xtst.XTestFakeMotionEvent(self.dpy, -1, int(x), int(y), 0)
        self.x11.XFlush(self.dpy)

    def tap(self):
        self.xtst.XTestFakeButtonEvent(self.dpy, 1, 1, 0)
        self.xtst.XTestFakeButtonEvent(self.dpy, 1, 0, 0)
        self.x11.XFlush(self.dpy)


class Framebuffer:
    """Xvfb's XWD screen file, mapped; rows [top, bottom) can be fingerprinted cheaply."""

    def __init__(self, path):
        self.file = open(path, "rb")
        self.map = mmap.mmap(self.file.fileno(), 0, access=mmap.ACCESS_READ)
        header_size, = struct.unpack(">I", self.map[0:4])
        ncolors, = struct.unpack(">I", self.map[76:80])
        self.bytes_per_line, = struct.unpack(">I", self.map[48:52])
        self.pixels = header_size + ncolors * 12

    def rows(self, top, bottom):
        return zlib.crc32(self.map[self.pixels + top * self.bytes_per_line:self.pixels + bottom * self.bytes_per_line])


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--build", default=os.path.join(SOURCE, "build"))
    parser.add_argument("--taps", type=int, default=500)
    args = parser.parse_args()
    work = tempfile.mkdtemp(prefix="touch-bench-")
    config = write_config(work, SOURCE, ["tillit"], idle=600, countdown=60, renderer="auto")
    fbdir = tempfile.mkdtemp(prefix="touch-fb-")
    os.environ["TILLIT_XVFB_FBDIR"] = fbdir  # kiosk_driver.Xvfb passes it on as -fbdir
    with Kiosk(os.path.join(args.build, "tillit-kiosk"), config, work, os.path.join(work, "shots")) as k:
        k.tap_screen("start", "language")
        k.tap_screen("lang_sv", "promise")
        k.tap_screen("begin", "question")
        k.tap("next")
        state = k.wait_for(lambda s: s["question_id"] == "expect_help", "the second question")
        a, b = k.widget("option_would_help", state), k.widget("option_harder", state)
        top = int(min(a["y"], b["y"]))
        bottom = int(max(a["y"] + a["h"], b["y"] + b["h"]))
        fb = Framebuffer(os.path.join(fbdir, "Xvfb_screen0"))
        xt = XTest(k.env["DISPLAY"])
        latencies = []
        for i in range(args.taps):
            w = a if i % 2 == 0 else b
            # The pointer first, and time for the X server to draw it (and the kiosk to
            # redraw for the motion), so what is timed is the tap's effect alone.
            xt.move(w["x"] + w["w"] / 2, w["y"] + w["h"] / 2)
            time.sleep(0.05)
            before = fb.rows(top, bottom)
            start = time.perf_counter()
            xt.tap()
            while fb.rows(top, bottom) == before:
                if time.perf_counter() - start > 2.0:
                    raise SystemExit(f"tap {i}: the screen did not change within 2 s")
            latencies.append((time.perf_counter() - start) * 1000.0)
            time.sleep(0.03)  # the release's frame, before the next tap
    latencies.sort()
    p = lambda q: latencies[min(len(latencies) - 1, int(q * len(latencies)))]
    result = {"taps": len(latencies), "p50_ms": round(p(0.50), 2), "p99_ms": round(p(0.99), 2),
              "max_ms": round(latencies[-1], 2), "mean_ms": round(statistics.mean(latencies), 2)}
    print(json.dumps(result))
    print(f"touch to pixels over {len(latencies)} taps: p50 {result['p50_ms']} ms, p99 {result['p99_ms']} ms "
          f"(target: p99 within one 60 Hz frame, 16.7 ms: {'met' if result['p99_ms'] <= 16.7 else 'NOT met'})")


if __name__ == "__main__":
    main()
