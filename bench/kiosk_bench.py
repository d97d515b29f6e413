"""Benchmarks of the real kiosk under Xvfb at 1920x1080 (issue 8, parts 1 and 4), not part
of the tests:

peer   our kiosk on its start screen vs Debian's Chromium in --kiosk mode showing the
       equivalent static page of the first question (bench/peer/question.html): memory (PSS
       summed over every process of each), time from launch to the first complete frame, and
       CPU while idle. Run side by side in one run, `--runs` times; ratios reported.
start  the kiosk's start-up time and memory with 0, 100 000 and 1 000 000 responses stored.

"First complete frame": Xvfb keeps its screen in a file (-fbdir); it is read every few
milliseconds from launch, and the first moment the screen equals what it shows once settled
(5 s later) is the first complete frame. The same clock and method for both programs.
Prints a table and, with --write, replaces its section of docs/PERFORMANCE.md.
"""
import argparse
import json
import os
import platform
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
import zlib

SOURCE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
WIDTH, HEIGHT = 1920, 1080
CLK_TCK = os.sysconf("SC_CLK_TCK")


class Xvfb:
    def __init__(self, fbdir):
        self.fbdir = fbdir
        for display in range(140, 200):
            if not os.path.exists(f"/tmp/.X{display}-lock"):
                break
        self.display = f":{display}"
        self.proc = subprocess.Popen(["Xvfb", self.display, "-screen", "0", f"{WIDTH}x{HEIGHT}x24", "-fbdir", fbdir,
                                      "-nolisten", "tcp", "-noreset"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.fb = os.path.join(fbdir, "Xvfb_screen0")
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if subprocess.run(["xdpyinfo"], env=dict(os.environ, DISPLAY=self.display),
                              capture_output=True).returncode == 0:
                return
            time.sleep(0.05)
        raise RuntimeError("Xvfb did not start")

    def screen_crc(self):
        with open(self.fb, "rb") as f:
            return zlib.crc32(f.read())

    def stop(self):
        self.proc.terminate()
        self.proc.wait(5)


def tree(pid):
    """pid and every descendant."""
    children = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            children.setdefault(int(fields[1]), []).append(int(entry))
        except (FileNotFoundError, ProcessLookupError, IndexError):
            continue
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        todo.extend(children.get(p, []))
    return out


def pss_mib(pid):
    total = 0
    for p in tree(pid):
        try:
            with open(f"/proc/{p}/smaps_rollup") as f:
                for line in f:
                    if line.startswith("Pss:"):
                        total += int(line.split()[1])
        except (FileNotFoundError, ProcessLookupError, PermissionError):
            pass
    return total / 1024.0


def cpu_ticks(pid):
    total = 0
    for p in tree(pid):
        try:
            with open(f"/proc/{p}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])  # utime, stime
        except (FileNotFoundError, ProcessLookupError):
            pass
    return total


def measure(command, env, idle_seconds, settle=5.0):
    """Launches `command` on a fresh Xvfb; returns (first frame s, PSS MiB, idle CPU % of a core)."""
    fbdir = tempfile.mkdtemp(prefix="bench-fb-")
    x = Xvfb(fbdir)
    try:
        blank = x.screen_crc()
        samples = []
        start = time.monotonic()
        proc = subprocess.Popen(command, env=dict(env, DISPLAY=x.display), stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL, start_new_session=True)
        while time.monotonic() - start < settle:
            samples.append((time.monotonic() - start, x.screen_crc()))
            time.sleep(0.003)
        final = samples[-1][1]
        if final == blank or proc.poll() is not None:
            raise RuntimeError(f"{command[0]} showed nothing (exit {proc.poll()})")
        first = next(t for t, crc in samples if crc == final)
        pss = pss_mib(proc.pid)
        idle = None
        if idle_seconds > 0:
            before = cpu_ticks(proc.pid)
            time.sleep(idle_seconds)
            idle = 100.0 * (cpu_ticks(proc.pid) - before) / CLK_TCK / idle_seconds
        os.killpg(proc.pid, 15)
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, 9)
            proc.wait()
        return first, pss, idle
    finally:
        x.stop()
        shutil.rmtree(fbdir, ignore_errors=True)


def auto_renderer():
    """What the kiosk's [screen] renderer = "auto" picks here (platform/renderer.h)."""
    gpu = os.path.isdir("/dev/dri") and any(n.startswith("renderD") for n in os.listdir("/dev/dri"))
    return "opengl" if gpu else "software"


def kiosk_config(work, data_dir, renderer="auto"):
    path = os.path.join(work, f"kiosk-{renderer}.toml")
    with open(path, "w", encoding="utf-8") as f:
        f.write(f"""[venue]
id = "bench-venue"
name = "Testkommun medborgarkontor"
[kiosk]
languages = ["sv", "sv-easy", "en", "ar", "fa", "so", "ti", "fi", "uk"]
default_language = "sv"
surveys = ["tillit"]
data_dir = "{data_dir}"
[screen]
width_mm = 527
height_mm = 296
renderer = "{renderer}"
[paths]
surveys_dir = "{os.path.join(SOURCE, 'kiosk-config', 'surveys')}"
translations_dir = "{os.path.join(SOURCE, 'translations')}"
""")
    return path


def seed(build, data_dir, count):
    """`count` responses: 2 000 made by tillit-seed (through the kiosk's Store), copied with new ids."""
    os.makedirs(data_dir, exist_ok=True)
    db_path = os.path.join(data_dir, "responses.db")
    if count == 0:
        return
    subprocess.run([os.path.join(build, "tillit-seed"), "--db", db_path, "--venue", "bench-venue",
                    "--count", str(min(count, 2000)), "--abandoned", "0"], check=True, stdout=subprocess.DEVNULL)
    db = sqlite3.connect(db_path)
    rows = db.execute("SELECT survey_id, survey_version, language, venue_id, time_bucket, answers FROM responses").fetchall()
    with db:
        for i in range(count - len(rows)):
            new = str(uuid.uuid4())
            db.execute("INSERT INTO responses VALUES (?, ?, ?, ?, ?, ?, ?)", (new,) + rows[i % len(rows)])
            db.execute("INSERT INTO outbox (item_id, kind, state) VALUES (?, 'response', 'pending')", (new,))
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()


def summary(values, unit, digits=1):
    values = [v for v in values if v is not None]
    med = statistics.median(values)
    return f"{med:.{digits}f} {unit} ({min(values):.{digits}f}-{max(values):.{digits}f})", med


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--build", default=os.path.join(SOURCE, "build"))
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--idle", type=float, default=60.0, help="seconds of idle CPU measurement per run")
    parser.add_argument("--counts", default="0,100000,1000000")
    parser.add_argument("--write", action="store_true", help="update docs/PERFORMANCE.md")
    parser.add_argument("--only", choices=["peer", "start"], help="run one part only")
    parser.add_argument("--json", help="also write the figures to this file (for bench/run.py)")
    args = parser.parse_args()
    kiosk = os.path.join(args.build, "tillit-kiosk")
    chromium = shutil.which("chromium")
    if chromium is None and args.only != "start":
        sys.exit("kiosk_bench: chromium is not installed (apt install chromium)")
    work = tempfile.mkdtemp(prefix="kiosk-bench-")
    env = dict(os.environ)
    lines = []
    data = {"runs": args.runs, "idle_seconds": args.idle}

    if args.only != "start":
        # 1. Peer comparison, side by side in one run.
        config = kiosk_config(work, os.path.join(work, "data-peer"))
        page = "file://" + os.path.join(SOURCE, "bench", "peer", "question.html")
        # The kiosk as configured by default ("auto"), and with the other renderer for comparison.
        other = "opengl" if auto_renderer() == "software" else "software"
        other_config = kiosk_config(work, os.path.join(work, "data-peer-other"), other)
        ours, peer, ours_other = [], [], []
        for run in range(args.runs):
            ours.append(measure([kiosk, "--config", config], env, args.idle))
            ours_other.append(measure([kiosk, "--config", other_config], env, args.idle))
            profile = tempfile.mkdtemp(prefix="chromium-bench-")
            peer.append(measure([chromium, "--kiosk", "--no-sandbox", "--no-first-run", "--no-default-browser-check",
                                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                                 "--noerrdialogs", "--disable-infobars", f"--user-data-dir={profile}",
                                 f"--window-size={WIDTH},{HEIGHT}", "--window-position=0,0", page], env, args.idle))
            shutil.rmtree(profile, ignore_errors=True)
            print(f"run {run + 1}: kiosk {ours[-1]}, kiosk ({other}) {ours_other[-1]}, chromium {peer[-1]}", flush=True)
        rows = []
        for name, index, unit, digits, target in (("memory (PSS, all processes)", 1, "MiB", 1, "<= 1/10 of the peer"),
                                                   ("launch to first complete frame", 0, "s", 2, "<= 1/4 of the peer"),
                                                   ("CPU while idle", 2, "% of a core", 3, "<= 0.1 %")):
            text_ours, med_ours = summary([r[index] for r in ours], unit, digits)
            text_other, med_other = summary([r[index] for r in ours_other], unit, digits)
            text_peer, med_peer = summary([r[index] for r in peer], unit, digits)
            ratio = f"{med_ours / med_peer:.3f}" if med_peer else "-"
            ratio_other = f"{med_other / med_peer:.3f}" if med_peer else "-"
            rows.append(f"| {name} | {text_ours} | {text_peer} | {ratio} | {target} | {text_other} ({ratio_other}) |")
            data.setdefault("peer", {})[{0: "first_frame_s", 1: "pss_mib", 2: "idle_cpu_percent"}[index]] = {
                "kiosk": med_ours, "chromium": med_peer, "kiosk_other": med_other}
        data["renderer"], data["other_renderer"] = auto_renderer(), other
        lines += ["### Peer: the kiosk vs Chromium --kiosk (1920x1080, Xvfb, no GPU)", "",
                  f"Median (min-max) of {args.runs} runs, launched alternately; idle CPU over {args.idle:.0f} s. "
                  f"The kiosk as installed (`[screen] renderer = \"auto\"`, here the {auto_renderer()} renderer: "
                  f"this machine has no GPU); the last column is the same kiosk with `renderer = \"{other}\"`"
                  + (" (Mesa's llvmpipe)" if other == "opengl" else "") + ", and its ratio to the peer.", "",
                  f"| figure | tillit-kiosk (start screen) | Chromium (bench/peer/question.html) | ratio | target | "
                  f"tillit-kiosk, {other} renderer |",
                  "|---|---|---|---|---|---|"] + rows + [""]

    if args.only != "peer":
        # 4. Start-up with many stored responses.
        start_rows = []
        for count in [int(c) for c in args.counts.split(",")]:
            data_dir = os.path.join(work, f"data-{count}")
            began = time.monotonic()
            seed(args.build, data_dir, count)
            print(f"seeded {count} responses in {time.monotonic() - began:.0f} s", flush=True)
            config = kiosk_config(work, data_dir)
            runs = [measure([kiosk, "--config", config], env, 0) for _ in range(args.runs)]
            first, _ = summary([r[0] for r in runs], "s", 2)
            pss, _ = summary([r[1] for r in runs], "MiB", 1)
            size = os.path.getsize(os.path.join(data_dir, "responses.db")) / 2**20 if count else 0.0
            start_rows.append(f"| {count:,} | {size:.0f} MiB | {first} | {pss} |".replace(",", " "))
            data.setdefault("start", []).append({"responses": count, "database_mib": round(size, 1),
                                                 "first_frame_s": statistics.median(r[0] for r in runs),
                                                 "pss_mib": statistics.median(r[1] for r in runs)})
            print(start_rows[-1], flush=True)
        lines += ["### Start-up with stored responses", "",
                  f"Launch to first complete frame and PSS after it, median (min-max) of {args.runs} runs.", "",
                  "| responses | database | first complete frame | memory (PSS) |", "|---|---|---|---|"] + start_rows + [""]
    shutil.rmtree(work, ignore_errors=True)

    report = "\n".join(lines)
    print(report)
    if args.json:
        data["markdown"] = report
        with open(args.json, "w", encoding="utf-8") as f:
            json.dump(data, f, indent=1)
    if args.write:
        write_section(report)


def write_section(report):
    path = os.path.join(SOURCE, "docs", "PERFORMANCE.md")
    begin, end = "<!-- kiosk_bench: begin -->", "<!-- kiosk_bench: end -->"
    cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "?")
    header = (f"{begin}\n## Kiosk vs browser, and start-up (bench/kiosk_bench.py)\n\n"
              f"Measured {time.strftime('%Y-%m-%d')} on {cpu}, {os.cpu_count()} cores, {platform.platform()}.\n\n")
    section = header + report + "\n" + end
    text = open(path, encoding="utf-8").read() if os.path.exists(path) else "# Performance\n\n"
    if begin in text:
        text = text[:text.index(begin)] + section + text[text.index(end) + len(end):]
    else:
        text = text.rstrip() + "\n\n" + section + "\n"
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
