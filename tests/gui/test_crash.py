"""Crash: the real kiosk, enrolled with the real tillit-server on loopback, is killed with
SIGKILL at random moments while residents give 200 one-tap answers (the `besok` survey:
a tap on a face is a stored response, its follow-up amends it) through real X input.
Each restart syncs at start, so kills also land in the middle of sync passes.

What a resident was told was saved is the id on the screen that confirms it (the
follow-up after the tap, or thank-you; the widget JSON's "saved"). At the end a last run
without kills drains the outbox, and the test compares ids:
- every confirmed response is in the kiosk's database exactly once, and on the server
  exactly once; the server holds nothing the kiosk does not, and no id twice;
- a follow-up the resident saw confirmed ("thank you") is in the stored answer;
- PRAGMA integrity_check is ok; every outbox row was answered by the server.
The seed is printed; TILLIT_CRASH_SEED replays a run, TILLIT_CRASH_SUBMISSIONS changes
the count."""
import json
import os
import random
import signal
import sqlite3
import subprocess
import threading
import time

from kiosk_driver import Kiosk, KioskError, Server, fresh_dir, run, write_config

SUBMISSIONS = int(os.environ.get("TILLIT_CRASH_SUBMISSIONS", "200"))
KILLS = max(5, SUBMISSIONS // 8)
FACES = ["onetap_1", "onetap_2", "onetap_3", "onetap_4"]
FOLLOWUPS = ["listened_to", "got_help", "waited_long", "unclear_information", "something_else"]


def expect(condition, message):
    if not condition:
        raise KioskError(message)


class Killer:
    """Sends SIGKILL to the kiosk after `delay` seconds, from its own thread."""

    def __init__(self, delay, proc):
        self.delay = delay
        self.proc = proc
        self.fired = threading.Event()
        self.cancelled = threading.Event()
        self.thread = threading.Thread(target=self.run, daemon=True)
        self.thread.start()

    def run(self):
        if not self.cancelled.wait(self.delay) and self.proc.poll() is None:
            self.fired.set()  # first: the main thread may see the death before this thread runs on
            self.proc.send_signal(signal.SIGKILL)

    def cancel(self):
        self.cancelled.set()
        self.thread.join()


def one_resident(k, rng, confirmed, followups):
    """One tap on a face, then the follow-up answered (thank-you, Done) or closed with Done."""
    face = rng.choice(FACES)
    k.tap(face)
    state = k.wait_for(lambda s: s["screen"] == "question" and s["saved"], "the follow-up after a tap")
    saved = state["saved"]
    confirmed[saved] = int(face.split("_")[1])
    if rng.random() < 0.3:
        choice = rng.choice(FOLLOWUPS)
        k.tap("option_" + choice)
        k.wait_for(lambda s: s["screen"] == "thanks", "thank-you after the follow-up")
        followups[saved] = choice
        k.tap("done")
        k.wait_for(lambda s: s["screen"] == "start", "the start screen after thank-you")
    else:
        k.tap("done")
        k.wait_for(lambda s: s["screen"] == "start", "the start screen after Done")


def test(args):
    seed = int(os.environ.get("TILLIT_CRASH_SEED", str(random.randrange(1, 2**31))))
    print(f"seed {seed} (TILLIT_CRASH_SEED={seed} replays it)", flush=True)
    rng = random.Random(seed)
    work = fresh_dir(os.path.join(args.out, "work"))
    server_dir = fresh_dir(os.path.join(args.out, "server"))
    shots = None  # test_besok keeps these screens; a PNG per screen would double the run time
    data_dir = os.path.join(work, "data")
    config = write_config(work, args.source, ["besok"], thanks=3, data_dir=data_dir)
    server = Server(Server.binary_next_to(args.app), os.path.join(server_dir, "server.db"),
                    os.path.join(server_dir, "server.log"))
    confirmed = {}   # response id -> the face the resident was thanked for
    followups = {}   # response id -> the follow-up answer the resident was thanked for
    kills = runs = 0
    started = time.monotonic()
    try:
        with open(config, "a", encoding="utf-8") as f:
            f.write(f"""[sync]
server_url = "{server.url}"
allow_http_loopback = true
interval_seconds = 30
batch_size = 20
""")
        server.enrol_kiosk(args.app, config)
        # The answers during which a kill comes, at a random moment within half a second:
        # in the tap's commit, the follow-up's amend, the walk back to the start, a sync.
        kill_at = sorted(rng.sample(range(SUBMISSIONS), KILLS))
        while len(confirmed) < SUBMISSIONS:
            runs += 1
            k = Kiosk(args.app, config, work, shots)
            killer = None
            try:
                k.__enter__()
                while len(confirmed) < SUBMISSIONS:
                    if killer is None and kill_at and len(confirmed) >= kill_at[0]:
                        kill_at.pop(0)
                        killer = Killer(rng.uniform(0.0, 0.5), k.proc)
                    one_resident(k, rng, confirmed, followups)
            except (KioskError, subprocess.CalledProcessError):
                if killer is None or not killer.fired.is_set():
                    raise  # not our kill: a real failure
            finally:
                if killer is not None:
                    killer.cancel()
                    if killer.fired.is_set():
                        kills += 1
                if getattr(k, "proc", None) is not None:
                    k.stop()  # SIGTERM if it still runs; Xvfb goes too
                elif getattr(k, "xvfb", None) is not None:
                    k.xvfb.stop()
        print(f"{len(confirmed)} confirmed answers, {len(followups)} follow-ups, {kills} kills in {runs} runs, "
              f"{time.monotonic() - started:.0f} s", flush=True)
        expect(kills >= KILLS // 2, f"only {kills} kills: the test did not crash the kiosk often enough")

        # A last run without kills: the sync pass at start sends whatever is left.
        with Kiosk(args.app, config, work, shots) as k:
            deadline = time.monotonic() + 60
            on_server = []
            while time.monotonic() < deadline:
                on_server = server.ids()
                if set(confirmed) <= set(on_server):
                    break
                time.sleep(0.5)
            time.sleep(1.0)  # let the pass finish marking what it sent
        items = server.export()
    finally:
        server.stop()

    on_server = [item["id"] for item in items]
    expect(len(on_server) == len(set(on_server)), "the server holds an id twice")
    missing = set(confirmed) - set(on_server)
    expect(not missing, f"{len(missing)} confirmed answers never reached the server, e.g. {sorted(missing)[:3]}")

    db = sqlite3.connect(f"file:{os.path.join(data_dir, 'responses.db')}?mode=ro", uri=True)
    try:
        check = db.execute("PRAGMA integrity_check").fetchall()
        expect(check == [("ok",)], f"integrity_check: {check}")
        rows = {r[0]: json.loads(r[1]) for r in db.execute("SELECT id, answers FROM responses")}
        outbox = db.execute("SELECT state, count(*) FROM outbox GROUP BY state").fetchall()
    finally:
        db.close()
    lost = set(confirmed) - set(rows)
    expect(not lost, f"{len(lost)} confirmed answers are not in the kiosk's database, e.g. {sorted(lost)[:3]}")
    expect(set(on_server) == set(rows), "the server and the kiosk do not hold the same responses: "
           f"{len(set(on_server) - set(rows))} only on the server, {len(set(rows) - set(on_server))} only on the kiosk")
    for rid, face in confirmed.items():
        expect(rows[rid].get("visit_today") == face, f"{rid}: stored face {rows[rid].get('visit_today')}, tapped {face}")
    for rid, choice in followups.items():
        expect(rows[rid].get("visit_why") == choice, f"{rid}: follow-up {rows[rid].get('visit_why')!r}, thanked for {choice!r}")
    by_server = {item["id"]: item for item in items}
    for rid, answers in rows.items():
        theirs = by_server[rid]["answers"]
        theirs = json.loads(theirs) if isinstance(theirs, str) else theirs
        expect(theirs == answers, f"{rid}: the server holds {theirs}, the kiosk {answers}")
    states = dict(outbox)
    expect(set(states) == {"sent"}, f"outbox rows not answered by the server: {states}")
    print(f"kiosk {len(rows)} responses ({len(rows) - len(confirmed)} stored but killed before the screen said so), "
          f"server {len(on_server)}, outbox {states}; integrity ok")


if __name__ == "__main__":
    run(test)
