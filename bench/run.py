"""Every benchmark of issue 8 in one command, and docs/PERFORMANCE.md regenerated from it:

    python3 bench/run.py            # the full run (about 40 minutes on 2 cores)
    python3 bench/run.py --quick    # a smoke run with small counts (a few minutes)

Run after the README's set-up (scripts/test.sh or scripts/run.sh installed the packages):
it builds what it needs in build/ (Release), runs each benchmark on this machine and
replaces the generated part of docs/PERFORMANCE.md (between the "bench/run.py" markers)
with the machine, the date, every figure against its target, and each benchmark's table.
The rest of the file (history, analysis) is kept. Not part of the test run.
"""
import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time

SOURCE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BEGIN, END = "<!-- bench/run.py: begin -->", "<!-- bench/run.py: end -->"
TARGETS = ["tillit-kiosk", "tillit-server", "tillit-seed", "sync_bench", "store_bench", "fleet_bench"]


def log(text):
    print(f"[{time.strftime('%H:%M:%S')}] {text}", flush=True)


def build(build_dir):
    log("building " + ", ".join(TARGETS))
    subprocess.run(["cmake", "-S", SOURCE, "-B", build_dir, "-DCMAKE_BUILD_TYPE=Release"], check=True,
                   stdout=subprocess.DEVNULL)
    subprocess.run(["cmake", "--build", build_dir, "-j", str(os.cpu_count() or 2), "--target"] + TARGETS, check=True,
                   stdout=subprocess.DEVNULL)


def run(command, what):
    """Runs one benchmark, echoing its output; returns stdout."""
    log(what + ": " + " ".join(command))
    began = time.monotonic()
    proc = subprocess.run(command, cwd=SOURCE, stdout=subprocess.PIPE, text=True)
    sys.stdout.write(proc.stdout)
    if proc.returncode != 0:
        raise SystemExit(f"bench/run.py: {what} failed (exit {proc.returncode})")
    log(f"{what}: done in {time.monotonic() - began:.0f} s")
    return proc.stdout


def results(stdout):
    """The `RESULT {...}` lines a C++ benchmark prints."""
    return [json.loads(line[len("RESULT "):]) for line in stdout.splitlines() if line.startswith("RESULT ")]


def machine():
    cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "?")
    mem = next((int(l.split()[1]) for l in open("/proc/meminfo") if l.startswith("MemTotal")), 0) / 2**20
    gl = subprocess.run(["sh", "-c", "command -v glxinfo >/dev/null && xvfb-run -a glxinfo -B | grep 'renderer string'"],
                        capture_output=True, text=True).stdout.strip()
    return (f"{cpu}, {os.cpu_count()} cores, {mem:.0f} GiB, {platform.platform()}"
            + (f"; {gl.split(':', 1)[1].strip()}" if gl else ""))


def thousands(n):
    return f"{n:,}".replace(",", " ")


def verdict(ok):
    return "met" if ok else "**NOT met**"


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--build", default=os.path.join(SOURCE, "build"))
    parser.add_argument("--quick", action="store_true", help="small counts and single runs: a smoke test")
    parser.add_argument("--no-write", action="store_true", help="print, but leave docs/PERFORMANCE.md alone")
    args = parser.parse_args()
    quick = args.quick
    build(args.build)
    work = tempfile.mkdtemp(prefix="bench-run-")
    b = args.build
    began = time.monotonic()

    kiosk_json = os.path.join(work, "kiosk.json")
    run([sys.executable, "bench/kiosk_bench.py", "--build", b, "--json", kiosk_json]
        + (["--runs", "1", "--idle", "10", "--counts", "0,20000"] if quick else ["--runs", "3", "--idle", "60"]),
        "kiosk vs browser, start-up")
    kiosk = json.load(open(kiosk_json))

    touch_out = run([sys.executable, "bench/touch_bench.py", "--build", b, "--taps", "100" if quick else "500"],
                    "touch to pixels")
    touch = json.loads(next(l for l in touch_out.splitlines() if l.startswith("{")))

    frame_json = os.path.join(work, "frames.json")
    run([sys.executable, "bench/frame_bench.py", "--build", b, "--json", frame_json]
        + (["--frames", "40"] if quick else []), "frames")
    frames = json.load(open(frame_json))

    store = results(run([os.path.join(b, "store_bench")]
                        + (["1", "--commits", "2000", "--responses", "100000", "--calls", "5"] if quick else ["3"]),
                        "store"))
    sync_n = 20000 if quick else 100000
    sync = results(run([os.path.join(b, "sync_bench"), str(sync_n), "1" if quick else "3"], "sync"))[0]
    fleet = results(run([os.path.join(b, "fleet_bench")] + (["1000"] if quick else []), "fleet"))

    # Every figure against its target.
    peer = kiosk.get("peer", {})
    rows = []
    if peer:
        mem = peer["pss_mib"]
        ff = peer["first_frame_s"]
        idle = peer["idle_cpu_percent"]
        renderer = kiosk.get("renderer", "?")
        other = kiosk.get("other_renderer")
        other_note = (f" ({other} renderer: {mem['kiosk_other']:.1f} MiB = {mem['kiosk_other'] / mem['chromium']:.3f})"
                      if other and "kiosk_other" in mem else "")
        rows.append((f"memory vs Chromium --kiosk (PSS, all processes), {renderer} renderer",
                     f"{mem['kiosk']:.1f} MiB vs {mem['chromium']:.1f} MiB = {mem['kiosk'] / mem['chromium']:.3f}"
                     + other_note,
                     "<= 0.1", verdict(mem["kiosk"] <= 0.1 * mem["chromium"])))
        rows.append(("launch to first complete frame vs Chromium",
                     f"{ff['kiosk']:.2f} s vs {ff['chromium']:.2f} s = {ff['kiosk'] / ff['chromium']:.3f}",
                     "<= 0.25", verdict(ff["kiosk"] <= 0.25 * ff["chromium"])))
        rows.append(("CPU while idle", f"{idle['kiosk']:.3f} % of a core (Chromium {idle['chromium']:.3f} %)",
                     "<= 0.1 %", verdict(idle["kiosk"] <= 0.1)))
    starts = kiosk.get("start", [])
    if starts:
        lo, hi = starts[0], starts[-1]
        rows.append((f"start-up flat from {thousands(lo['responses'])} to {thousands(hi['responses'])} responses",
                     f"first frame {lo['first_frame_s']:.2f} -> {hi['first_frame_s']:.2f} s, "
                     f"PSS {lo['pss_mib']:.1f} -> {hi['pss_mib']:.1f} MiB", "flat (within 25 %)",
                     verdict(hi["first_frame_s"] <= 1.25 * lo["first_frame_s"] + 0.05
                             and hi["pss_mib"] <= 1.25 * lo["pss_mib"])))
    rows.append(("touch to pixels, question screen", f"p50 {touch['p50_ms']} ms, p99 {touch['p99_ms']} ms "
                 f"({touch['taps']} taps)", "p99 <= 16.7 ms", verdict(touch["p99_ms"] <= 16.7)))
    screens = frames["screens"]
    costliest = max(screens, key=lambda s: screens[s]["median_ms"])
    others = sorted(v["median_ms"] for k, v in screens.items() if k != costliest)
    typical = others[len(others) // 2] if others else 0
    rows.append(("frame CPU, costliest screen vs the median screen",
                 f"{costliest} {screens[costliest]['median_ms']} ms vs {typical} ms",
                 "no screen much costlier (<= 2x)", verdict(screens[costliest]["median_ms"] <= 2 * typical)))
    figure = {r["figure"]: r for r in store}
    p50, p99 = figure["commit one response p50"], figure["commit one response p99"]
    rows.append(("durable commit of one response (WAL, synchronous=FULL)",
                 f"p50 {p50['median']:.2f} ms, p99 {p99['median']:.2f} ms ({p50['commits']} commits)", "reported",
                 "-"))
    first = figure["data screen first count (new questions)"]
    rows.append((f"data screen's one full count when its questions are new (after the update), "
                 f"{thousands(first['responses'])} responses", f"{first['median'] / 1000:.1f} s", "reported", "-"))
    for scope in ("this venue", "all venues"):
        agg = figure[f"data screen aggregates ({scope}) p99"]
        rows.append((f"workshop data screen aggregates, {scope}, {thousands(agg['responses'])} responses",
                     f"p99 {agg['median']:.1f} ms (p50 {figure[f'data screen aggregates ({scope}) p50']['median']:.1f} ms)",
                     "<= 200 ms", verdict(agg["median"] <= 200)))
    rows.append((f"sync {thousands(sync['responses'])} responses, one kiosk",
                 f"{sync['seconds_median']:.2f} s ({sync['responses'] / sync['seconds_median']:.0f} responses/s), "
                 f"{sync['bytes_per_response']:.1f} B/response", "<= 10 s (for 100 000) and <= 120 B",
                 verdict(sync["seconds_median"] * 100000 / sync["responses"] <= 10
                         and sync["bytes_per_response"] <= 120)))
    for r in fleet:
        rows.append((f"{r['kiosks']} kiosks syncing at once, server on {r['backend']}",
                     f"{r['responses_per_second']:.0f} responses/s, batch POST p99 {r['post_p99_ms']:.0f} ms, "
                     f"errors {r['errors']}, stored {r['server_items']} of {r['expected_items']}", "errors = 0",
                     verdict(r["errors"] == 0 and r["ok"])))

    lines = [BEGIN, "## Latest run (generated by `python3 bench/run.py`)", "",
             f"Measured {time.strftime('%Y-%m-%d')} on {machine()}"
             + (" (QUICK run: small counts, single runs)" if quick else "")
             + f"; the whole run took {(time.monotonic() - began) / 60:.0f} minutes.", "",
             "| figure | measured | target | |", "|---|---|---|---|"]
    lines += [f"| {a} | {b_} | {c} | {d} |" for a, b_, c, d in rows]
    lines += ["", "### Kiosk vs browser, and start-up (bench/kiosk_bench.py)", "", kiosk["markdown"], "",
              "### Touch to pixels (bench/touch_bench.py)", "",
              f"{touch['taps']} taps on the question screen: p50 {touch['p50_ms']} ms, p99 {touch['p99_ms']} ms, "
              f"max {touch['max_ms']} ms, mean {touch['mean_ms']} ms.", "",
              "### Frames (bench/frame_bench.py)", "", frames["markdown"], "",
              "### Store (bench/store_bench.cpp)", ""]
    lines += ["| figure | median | spread | unit |", "|---|---|---|---|"]
    for r in store:
        lines.append(f"| {r['figure']} | {r['median']:.2f} | {r['min']:.2f}-{r['max']:.2f} | {r['unit']} |")
    lines += ["", "### Sync (bench/sync_bench.cpp)", "",
              f"{thousands(sync['responses'])} responses from one kiosk store to the real server on loopback, "
              + f"median of {sync['runs']} runs: {sync['seconds_median']:.2f} s (spread {sync['seconds_min']:.2f}-"
              f"{sync['seconds_max']:.2f}), {sync['bytes_per_response']:.1f} B per response on the wire (both "
              f"directions, HTTP included), peak RSS of the syncing process {sync['kiosk_rss_mib']:.1f} MiB, "
              f"server {sync['server_rss_mib']:.1f} MiB.", "",
              "### Fleet (bench/fleet_bench.cpp)", ""]
    lines += ["| server | kiosks x responses | seconds | responses/s | POST p50 / p99 ms | server batch p99 ms "
              "| errors | stored | server peak RSS |", "|---|---|---|---|---|---|---|---|---|"]
    for r in fleet:
        lines.append(f"| {r['backend']} | {r['kiosks']} x {r['responses_per_kiosk']} | {r['seconds']:.1f} | "
                     f"{r['responses_per_second']:.0f} | {r['post_p50_ms']:.0f} / {r['post_p99_ms']:.0f} | "
                     f"{r['server_batch_p99_ms']:.0f} | {r['errors']} | {r['server_items']} of {r['expected_items']} | "
                     f"{r['server_peak_rss_kib'] / 1024:.0f} MiB |")
    lines += ["", END]
    section = "\n".join(lines)
    print(section)
    if args.no_write:
        return
    path = os.path.join(SOURCE, "docs", "PERFORMANCE.md")
    text = open(path, encoding="utf-8").read()
    if BEGIN in text:
        text = text[:text.index(BEGIN)] + section + text[text.index(END) + len(END):]
    else:
        first = text.index("\n\n") + 2 if "\n\n" in text else len(text)
        text = text[:first] + section + "\n\n" + text[first:]
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)
    log(f"wrote {path}")


if __name__ == "__main__":
    main()
