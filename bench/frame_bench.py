"""Frames (issue 8, part 3): the CPU time of one frame on each resident screen and on the
workshop's data screen, of the real kiosk under Xvfb (1920x1080, the renderer its
`[screen] renderer = "auto"` picks: software where there is no GPU), measured by the kiosk
itself (TILLIT_FRAME_STATS: process CPU time from the start of a frame to the end of its
drawing, glFinish included for OpenGL). On each screen the pointer is moved `--frames` times
by one pixel, which redraws the screen without changing it; the first 10 frames of a screen
are warm-up and left out. Prints median and p99 per screen. Not part of the tests.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "gui"))
from kiosk_driver import Kiosk, set_pin, write_config  # noqa: E402

SOURCE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PIN = "4826"


def wiggle(k, frames):
    x, y = 960, 700
    for i in range(frames):
        k.xdotool("mousemove", str(x + (i % 2)), str(y))
        time.sleep(0.012)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--build", default=os.path.join(SOURCE, "build"))
    parser.add_argument("--frames", type=int, default=120)
    parser.add_argument("--responses", type=int, default=2000)
    parser.add_argument("--json", help="also write the figures to this file (for bench/run.py)")
    args = parser.parse_args()
    app = os.path.join(args.build, "tillit-kiosk")
    work = tempfile.mkdtemp(prefix="frame-bench-")
    data_dir = os.path.join(work, "data")
    config = write_config(work, SOURCE, ["tillit", "besok"], idle=600, countdown=60, data_dir=data_dir,
                          renderer="auto")
    set_pin(app, config, "facilitator", PIN)
    os.makedirs(data_dir, exist_ok=True)
    subprocess.run([os.path.join(args.build, "tillit-seed"), "--db", os.path.join(data_dir, "responses.db"),
                    "--venue", "test-venue", "--count", str(args.responses)], check=True, stdout=subprocess.DEVNULL)
    stats_path = os.path.join(work, "frames.json")
    with Kiosk(app, config, work, os.path.join(work, "shots"), extra_env={"TILLIT_FRAME_STATS": stats_path}) as k:
        wiggle(k, args.frames)                                   # start
        k.tap_screen("start", "language"); wiggle(k, args.frames)
        k.tap_screen("lang_sv", "promise"); wiggle(k, args.frames)
        k.tap_screen("begin", "question"); wiggle(k, args.frames)  # faces
        while True:
            state = k.wait_for(lambda s: s["screen"] in ("question", "freetext"), "a question")
            if state["screen"] == "freetext":
                wiggle(k, args.frames)
                break
            k.tap("skip" if k.has("skip") else "next")
            k.wait_for(lambda s, q=state["question_id"]: s["question_id"] != q, "the next question")
        k.tap("skip")
        k.wait_for(lambda s: s["question_id"] == "age_band", "the last question")
        k.tap_screen("send", "thanks"); wiggle(k, args.frames // 2)
        k.tap_screen("done", "start")
        # The workshop's data screen, over the seeded answers.
        k.hold("staff_corner", 3.4)
        k.wait_for(lambda s: s["screen"] == "pin", "the PIN pad")
        for digit in PIN:
            k.tap("pin_" + digit)
        k.tap("pin_ok")
        k.wait_for(lambda s: s["key"].startswith("staff_facilitator"), "the facilitator's board", timeout=20)
        k.tap_screen("workshop", "workshop_setup")
        k.tap("theme_meeting_places")
        k.wait_for(lambda s: any(w["id"] == "question_preventive" for w in s["widgets"]), "the theme's questions")
        k.tap("question_preventive")
        k.tap_screen("setup_next", "workshop_data")
        k.wait_for(lambda s: "_counting" not in s["key"], "the answers counted", timeout=120)
        wiggle(k, args.frames)
    with open(stats_path) as f:
        stats = json.load(f)
    lines = [f"CPU time per frame (ms), after 10 warm-up frames, {args.responses} responses stored:", "",
             "| screen | frames | median | p99 |", "|---|---|---|---|"]
    figures = {}
    for screen, samples in sorted(stats.items()):
        samples = sorted(samples[10:])
        if len(samples) < 10:
            continue
        p99 = samples[min(len(samples) - 1, int(0.99 * len(samples)))]
        figures[screen] = {"frames": len(samples), "median_ms": round(statistics.median(samples), 2),
                           "p99_ms": round(p99, 2)}
        lines.append(f"| {screen} | {len(samples)} | {statistics.median(samples):.2f} | {p99:.2f} |")
    print("\n".join(lines))
    if args.json:
        with open(args.json, "w", encoding="utf-8") as f:
            json.dump({"responses": args.responses, "screens": figures, "markdown": "\n".join(lines)}, f, indent=1)


if __name__ == "__main__":
    main()
