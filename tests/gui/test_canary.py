"""Anonymity on the real app: a canary typed as free text leaves no trace on the kiosk.

The kiosk is enrolled with a real tillit-server on loopback before anyone answers
([sync] interval_seconds = 86400, so only the pass at start-up talks to the server).
Two residents answer the tillit survey in Swedish and type a canary unique to this run
on the on-screen keyboard: the first sends, the second walks away on the free-text
question. Then:

- while the kiosk runs, copies of every file in its work folder (the database with its
  WAL and shm) and every regular file it holds open (/proc/PID/fd, also deleted temp
  files) hold no canary;
- after SIGTERM, every file under the work folder except kiosk.toml (database, WAL, shm,
  server-surveys, the kiosk's temp folder, its log, the widgets JSON) and every file
  created in /tmp during the run hold no canary; and no file other than the known ones
  and screenshots (PNG, skipped) exists. The canary is searched as bytes (any case),
  UTF-16 LE/BE, hex, and base64/base64url at all three alignments; SQLite cells are also
  searched after gzip/zlib/deflate inflation and base64 decoding;
- the scanner is proven to work: canaries written in each form to a scratch file in the
  work folder are found, and the scan is clean again once the file is gone;
- the rows: the tables hold exactly the allowed columns, ids are UUIDv4, time buckets
  end at the hour, the free text is {"sealed": "<base64>"} of exactly the size
  crypto_box_seal gives the canary, and the walk-away left only an abandonment row;
- a restarted kiosk syncs at start-up, and the server's export opens the sealed text
  into the canary itself (sealed, not lost); the server's log holds no canary.
"""
import base64
import binascii
import gzip
import json
import os
import random
import re
import shutil
import sqlite3
import string
import time
import zlib

from kiosk_driver import Kiosk, KioskError, Server, fresh_dir, run, write_config

UUID4 = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}")
HOUR = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}")
RESPONSE_COLUMNS = ["id", "survey_id", "survey_version", "language", "venue_id", "time_bucket", "answers"]
# Every table of the kiosk's store (schema v4): answers may live in the first two only.
# The workshop tables (core/workshop.h) hold what facilitators and workshop participants
# write, never a resident's answer: in this run they must stay empty. They are anonymous
# too: no participant, no device sequence, no exact time of a contribution.
WORKSHOP_TABLES = {"workshops", "workshop_contributions", "workshop_moderation", "workshop_records"}
# report_keys/report_counts: the workshop data screen's counts (core/report.h), kept by triggers.
TABLES = ({"responses", "abandonments", "batches", "outbox", "device", "sync_meta", "pin_attempts", "report_keys",
           "report_counts"} | WORKSHOP_TABLES)
WORKSHOP_COLUMNS = ["id", "title", "venue_id", "day", "goal", "theme_id", "question_kind", "question", "data_scope",
                    "step", "dots_per_person", "dot_turns", "stance_turns", "turn", "updated_unix", "finished"]
CONTRIBUTION_COLUMNS = ["id", "workshop_id", "position", "step", "text", "hidden", "merged_into", "dots", "agree",
                        "disagree", "pass"]
MODERATION_COLUMNS = ["workshop_id", "seq", "action", "contribution_id", "other_id", "before", "after"]
WORKSHOP_RECORD_COLUMNS = ["id", "content"]
OUTBOX_COLUMNS = ["item_id", "kind", "state", "batch_id", "reason"]
ABANDONMENT_COLUMNS = ["id", "survey_id", "survey_version", "language", "venue_id", "time_bucket", "reached_step",
                       "total_steps"]
SEAL_OVERHEAD = 48  # crypto_box_seal: a 32-byte ephemeral public key and a 16-byte MAC


def expect(condition, message):
    if not condition:
        raise KioskError(message)


# --------------------------------------------------------------------------- the scanner
def base64_forms(canary):
    """Substrings every base64 (and base64url) encoding of data holding the canary
    contains, whatever the canary's offset modulo 3 in that data."""
    forms = set()
    for shift in range(3):
        encoded = base64.b64encode(b"\0" * shift + canary)
        # Drop the groups that also hold bytes before or after the canary.
        inner = encoded[4 if shift else 0:-4]
        if len(inner) >= 8:
            forms.add(inner)
            forms.add(inner.translate(bytes.maketrans(b"+/", b"-_")))
    return forms


class Scanner:
    def __init__(self, canary):
        text = canary.encode("utf-8")
        self.canary = canary
        self.folded = {  # searched in the lower-cased data
            "bytes": text.lower(),
            "UTF-16LE": canary.lower().encode("utf-16-le"),
            "UTF-16BE": canary.lower().encode("utf-16-be"),
            "hex": binascii.hexlify(text).lower(),
        }
        self.exact = {"base64": base64_forms(text) | base64_forms(text.lower()) | base64_forms(text.upper())}

    def forms_in(self, data):
        found = []
        lower = data.lower()
        for name, needle in self.folded.items():
            if needle in lower:
                found.append(name)
        for name, needles in self.exact.items():
            if any(n in data for n in needles):
                found.append(name)
        return found

    def sqlite_cells(self, path):
        """The canary in any SQLite cell after inflating or base64-decoding it."""
        found = []
        try:
            db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)  # reads the WAL beside it too
            tables = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
            for table in tables:
                for row in db.execute(f'SELECT * FROM "{table}"'):
                    for cell in row:
                        if isinstance(cell, str):
                            cell = cell.encode("utf-8")
                        if not isinstance(cell, bytes):
                            continue
                        for name, decoded in decodings(cell):
                            if self.forms_in(decoded):
                                found.append(f"{table} cell, {name}")
            db.close()
        except sqlite3.DatabaseError:
            pass  # not a database (or a copy caught mid-write): the byte scan still ran
        return found

    def file(self, path):
        """Where the canary is in one file: a list of forms, empty when it is absent."""
        found = []
        if self.canary.lower() in os.path.basename(path).lower():
            found.append("file name")
        try:
            with open(path, "rb") as f:
                data = f.read()
        except OSError:
            return found
        found += self.forms_in(data)
        for name, decoded in decodings(data):
            found += [f"{form} after {name}" for form in self.forms_in(decoded)]
        if data.startswith(b"SQLite format 3\0"):
            found += self.sqlite_cells(path)
        return found

    def tree(self, root, skip=()):
        """{path: forms} for every regular file below root (PNGs and `skip` not read)."""
        leaks = {}
        for folder, _, files in os.walk(root):
            for name in files:
                path = os.path.join(folder, name)
                if path in skip or name.endswith(".png") or not os.path.isfile(path):
                    continue
                forms = self.file(path)
                if forms:
                    leaks[path] = forms
        return leaks


def decodings(data):
    """Whole-blob decodings a naive writer might use: gzip, zlib, raw deflate, base64."""
    out = []
    for name, decode in (("gzip", gzip.decompress), ("zlib", zlib.decompress),
                         ("deflate", lambda d: zlib.decompressobj(-15).decompress(d, 1 << 24))):
        try:
            out.append((name, decode(data)))
        except (OSError, zlib.error, EOFError, ValueError):
            pass
    stripped = data.strip()
    if 8 <= len(stripped) < (1 << 24) and re.fullmatch(rb"[A-Za-z0-9+/=_-]+", stripped):
        try:
            out.append(("base64", base64.b64decode(stripped + b"==", altchars=b"-_" if b"-" in stripped or
                                                    b"_" in stripped else None)))
        except (binascii.Error, ValueError):
            pass
    return out


def scan_open_files(scanner, pid, copies):
    """Copies and scans every regular file the process holds open, also deleted ones."""
    leaks = {}
    fd_dir = f"/proc/{pid}/fd"
    for fd in os.listdir(fd_dir):
        link = os.path.join(fd_dir, fd)
        try:
            target = os.readlink(link)
            if not os.path.isfile(link):
                continue
            copy = os.path.join(copies, f"fd{fd}")
            shutil.copyfile(link, copy)
        except OSError:
            continue  # closed meanwhile
        forms = scanner.file(copy)
        if forms:
            leaks[f"{target} (open fd {fd})"] = forms
    return leaks


def new_tmp_files(before, started, out):
    """Regular files below /tmp that appeared during the run, are ours and are small
    (the test's own output folder aside, when it is below /tmp)."""
    paths = []
    for folder, dirs, files in os.walk("/tmp"):
        dirs[:] = [d for d in dirs if not d.startswith("bash_jobs") and os.path.join(folder, d) != out]
        for name in files:
            path = os.path.join(folder, name)
            try:
                st = os.lstat(path)
            except OSError:
                continue
            if (path not in before and st.st_uid == os.getuid() and st.st_mtime >= started and
                    os.path.isfile(path) and not os.path.islink(path) and st.st_size < (64 << 20)):
                paths.append(path)
    return paths


def tmp_snapshot():
    paths = set()
    for folder, dirs, files in os.walk("/tmp"):
        dirs[:] = [d for d in dirs if not d.startswith("bash_jobs")]
        paths.update(os.path.join(folder, name) for name in files)
    return paths


def self_check(scanner, folder, canary):
    """The scanner finds the canary in every form it claims to; otherwise a clean scan proves nothing."""
    text = canary.encode()
    samples = {
        "bytes": b"x" + text.upper() + b"y",
        "UTF-16LE": "a".encode("utf-16-le") + canary.encode("utf-16-le"),
        "UTF-16BE": canary.upper().encode("utf-16-be"),
        "hex": binascii.hexlify(b"{" + text + b"}"),
        "base64": base64.b64encode(b'{"more_trust":"' + text + b'"}'),
        "bytes after gzip": gzip.compress(b"answers " + text),
    }
    for shift in range(3):
        samples[f"base64 (offset {shift})"] = base64.urlsafe_b64encode(b"ab"[:shift] + text + b"tail")
    for name, data in samples.items():
        scratch = os.path.join(folder, "canary-self-check.bin")
        with open(scratch, "wb") as f:
            f.write(data)
        try:
            leaks = scanner.tree(folder)
            expect(scratch in leaks, f"the scanner missed the canary written as {name}: {leaks}")
        finally:
            os.remove(scratch)


# --------------------------------------------------------------------------- the residents
def answer_up_to_free_text(k, skip=False):
    """Answers (or, with skip, skips where the survey allows it) every question before the free text."""
    k.tap_screen("start", "language")
    k.tap_screen("lang_sv", "promise")
    k.tap_screen("begin", "question")

    def on(question_id):
        return k.wait_for(lambda s: s["question_id"] == question_id, question_id)

    for question_id, choice in [("inst_trust", "scale_4"), ("expect_help", "option_would_help"),
                                ("avoided_contact", "option_no"), ("benevolence", "dont_know"),
                                ("competence", "scale_2"), ("treated_respect", "option_not_met"),
                                ("social_trust", "scale_3"), ("local_trust", "scale_5"),
                                ("trust_builders", "option_seen_heard"), ("knows_support", "option_fairly_well"),
                                ("met_where", "option_no"), ("trust_social_services", "scale_3"),
                                ("earlier_contact", "option_no")]:
        on(question_id)
        if skip and k.has("skip"):
            k.tap("skip")
            continue
        k.tap(choice)
        k.tap("next")
    state = k.wait_for(lambda s: s["screen"] == "freetext", "the free-text screen")
    expect(state["question_id"] == "more_trust", f"wrong free-text question: {state['question_id']}")


def type_canary(k, canary):
    for ch in canary:
        expect("key_%x" % ord(ch) in {w["id"] for w in k.state["widgets"]}, f"no key for {ch!r} on the keyboard")
    k.type_text(canary)
    k.wait_for(lambda s: s.get("text_length") == len(canary), "the canary typed in full")


# --------------------------------------------------------------------------- checks
def check_rows(data_dir, canary):
    db = sqlite3.connect(f"file:{os.path.join(data_dir, 'responses.db')}?mode=ro", uri=True)
    db.row_factory = sqlite3.Row
    tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    expect(tables == TABLES, f"the store has tables {sorted(tables)}, expected {sorted(TABLES)}")
    for table, allowed in (("responses", RESPONSE_COLUMNS), ("abandonments", ABANDONMENT_COLUMNS),
                           ("outbox", OUTBOX_COLUMNS), ("workshops", WORKSHOP_COLUMNS),
                           ("workshop_contributions", CONTRIBUTION_COLUMNS), ("workshop_moderation", MODERATION_COLUMNS),
                           ("workshop_records", WORKSHOP_RECORD_COLUMNS)):
        columns = [r[1] for r in db.execute(f"PRAGMA table_info({table})")]
        expect(sorted(columns) == sorted(allowed), f"{table} has columns {columns}, allowed {allowed}")
    for table in sorted(WORKSHOP_TABLES):
        rows = db.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
        expect(rows == 0, f"{table} holds {rows} rows after a resident's survey")
    responses = [dict(r) for r in db.execute("SELECT * FROM responses")]
    abandonments = [dict(r) for r in db.execute("SELECT * FROM abandonments")]
    outbox = sorted((r["kind"], r["state"]) for r in db.execute("SELECT kind, state FROM outbox"))
    db.close()

    expect(outbox == [("abandonment", "pending"), ("response", "pending")],
           f"the outbox should hold both items, unsent (interval_seconds = 86400): {outbox}")
    expect(len(responses) == 1, f"expected 1 stored response, found {len(responses)}")
    expect(len(abandonments) == 1, f"expected 1 abandonment (the walk-away), found {len(abandonments)}")
    for row in responses + abandonments:
        expect(UUID4.fullmatch(row["id"]), f"id is not a UUIDv4: {row['id']}")
        expect(HOUR.fullmatch(row["time_bucket"]), f"time bucket finer than the hour: {row['time_bucket']}")
        expect(row["survey_id"] == "tillit" and row["language"] == "sv" and row["venue_id"] == "test-venue",
               f"unexpected row: {row}")
    response, abandonment = responses[0], abandonments[0]
    expect(abandonment["reached_step"] == 14 and abandonment["total_steps"] == 15,
           f"the walk-away is not 'abandoned at question 14 of 15': {abandonment}")

    answers = json.loads(response["answers"])
    sealed = answers.get("more_trust")
    expect(isinstance(sealed, dict) and list(sealed) == ["sealed"] and isinstance(sealed["sealed"], str),
           f"the free text is not stored as {{\"sealed\": ...}}: {sealed!r}")
    box = base64.b64decode(sealed["sealed"], validate=True)
    expect(len(box) == len(canary.encode()) + SEAL_OVERHEAD,
           f"the sealed text is {len(box)} bytes, not {len(canary)} + {SEAL_OVERHEAD}")
    others = {q: v for q, v in answers.items() if q != "more_trust"}
    expect(all(not isinstance(v, str) or canary.lower() not in v.lower() for v in others.values()),
           "the canary is in another answer")
    return response["id"], abandonment["id"]


def known_file(work, path):
    rel = os.path.relpath(path, work)
    if rel.endswith(".png") or rel in ("kiosk.toml", "kiosk.log", "widgets.json"):
        return True
    if rel.startswith("tmp" + os.sep):
        return True  # the kiosk's TMPDIR: anything there is scanned like the rest
    return rel in ("data/responses.db", "data/responses.db-wal", "data/responses.db-shm") or \
        rel == "data/server-settings.json" or rel.startswith("data/server-surveys/")


def report(leaks, when):
    expect(not leaks, f"the canary was found {when}: " + "; ".join(f"{p}: {', '.join(f)}" for p, f in leaks.items()))


def test(args):
    started = time.time()
    t0 = time.monotonic()
    timings = {}
    canary = "kanariefagel" + "".join(random.choice(string.ascii_lowercase) for _ in range(6))
    scanner = Scanner(canary)
    work = fresh_dir(os.path.join(args.out, "work"))  # the kiosk's folder: config, data, log, widgets, screens
    server_dir = fresh_dir(os.path.join(args.out, "server"))
    copies = fresh_dir(os.path.join(args.out, "running-copies"))
    shots = os.path.join(work, "screens")
    kiosk_tmp = fresh_dir(os.path.join(work, "tmp"))
    data_dir = os.path.join(work, "data")
    config = write_config(work, args.source, ["tillit"], idle=10, countdown=20, data_dir=data_dir)
    tmp_before = tmp_snapshot()

    server = Server(Server.binary_next_to(args.app), os.path.join(server_dir, "server.db"),
                    os.path.join(server_dir, "server.log"))
    try:
        with open(config, "a", encoding="utf-8") as f:
            f.write(f"""[sync]
server_url = "{server.url}"
allow_http_loopback = true
interval_seconds = 86400
""")
        server.enrol_kiosk(args.app, config)
        env = {"TMPDIR": kiosk_tmp, "SQLITE_TMPDIR": kiosk_tmp}
        with Kiosk(args.app, config, work, shots, extra_env=env) as k:
            # Resident 1 types the canary and sends.
            answer_up_to_free_text(k)
            type_canary(k, canary)
            k.tap("next")
            k.wait_for(lambda s: s["question_id"] == "age_band", "age_band")
            k.tap("option_30_49")
            k.tap_screen("send", "thanks")
            k.wait_for(lambda s: s["screen"] == "start", "the start screen after thank-you", timeout=10)
            timings["sent"] = time.monotonic() - t0

            # Resident 2 types the canary and walks away: idle 10 s, then the 20 s countdown.
            answer_up_to_free_text(k, skip=True)
            type_canary(k, canary)
            k.wait_for(lambda s: s["idle_warning"], "the idle warning", timeout=15)
            k.wait_for(lambda s: s["screen"] == "start", "the start screen after the countdown", timeout=30)
            timings["abandoned"] = time.monotonic() - t0

            # While it runs: copies of the work folder (WAL included) and whatever it holds open.
            running = os.path.join(copies, "work")
            shutil.copytree(work, running, ignore=shutil.ignore_patterns("*.png", "kiosk.toml"))
            leaks = scanner.tree(running)
            leaks.update(scan_open_files(scanner, k.proc.pid, copies))
            report(leaks, "while the kiosk runs")
            expect(os.path.exists(os.path.join(running, "data", "responses.db-wal")),
                   "no WAL file while the kiosk runs: the running scan did not see one")
        timings["stopped"] = time.monotonic() - t0
        print("timings so far: " + ", ".join(f"{name} at {t:.1f} s" for name, t in timings.items()), flush=True)

        # After SIGTERM: every file of the kiosk, and what appeared in /tmp meanwhile.
        config_path = os.path.join(work, "kiosk.toml")
        self_check(scanner, work, canary)
        all_files = [os.path.join(folder, name) for folder, _, names in os.walk(work) for name in names]
        unknown = [p for p in all_files if not known_file(work, p)]
        expect(not unknown, f"files the test does not know about: {unknown}")
        report(scanner.tree(work, skip={config_path}), "in the kiosk's files after it stopped")
        tmp_leaks = {}
        for path in new_tmp_files(tmp_before, started, os.path.abspath(args.out)):
            forms = scanner.file(path)
            if forms:
                tmp_leaks[path] = forms
        report(tmp_leaks, "in /tmp")
        response_id, abandonment_id = check_rows(data_dir, canary)
        timings["scanned"] = time.monotonic() - t0

        # Sealed, not lost: a restarted kiosk syncs at start-up and the server opens the text.
        with Kiosk(args.app, config, work, shots, extra_env=env) as k:
            deadline = time.monotonic() + 20
            items = []
            while time.monotonic() < deadline:
                items = {item["id"]: item for item in server.export()}
                if response_id in items and abandonment_id in items:
                    break
                time.sleep(0.3)
            expect(response_id in items and abandonment_id in items,
                   f"the server does not hold both items after the sync: {sorted(items)}")
        answers = items[response_id]["answers"]
        answers = json.loads(answers) if isinstance(answers, str) else answers
        expect(answers.get("more_trust") == canary,
               f"the server's export does not open the sealed text into the canary: {answers.get('more_trust')!r}")
        report(scanner.tree(work, skip={config_path}), "in the kiosk's files after the sync")
        server.stop()
        server_log = os.path.join(server_dir, "server.log")
        report({server_log: scanner.file(server_log)} if scanner.file(server_log) else {}, "in the server's log")
        timings["synced"] = time.monotonic() - t0
    finally:
        server.stop()
    print("canary " + canary + "; " + ", ".join(f"{name} at {t:.1f} s" for name, t in timings.items()))


if __name__ == "__main__":
    run(test)
