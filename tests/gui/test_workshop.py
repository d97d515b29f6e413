"""A whole facilitated workshop on the real app under Xvfb with real X input (issue 6).

- 400 made-up answers at this venue (and 150 at another) are put in the kiosk's own
  store with tillit-seed first, so the data screen shows real aggregates.
- A facilitator signs in (hold the corner, PIN), starts a workshop from the staff board,
  sets it up (title typed on the on-screen keyboard, goal, a theme's preventive question),
  looks at every data page, and three participants add nine contributions under the
  four worksheet steps; the facilitator merges two and hides one.
- Dot voting: three participants take turns; the kiosk is killed (kill -9) in the middle
  of the second participant's turn, restarted, opens the workshop again where it was
  (the dot already placed is still there), and the turn goes on.
- Agree / disagree: three participants answer every statement; with n = 3 the screen
  shows "too few answers to show" and no chart.
- Summary: saved to a folder standing in for a USB stick; pdftotext reads the PDF (the
  question, the merged statement, the steps; not the hidden one) and the CSV has one row
  per shown contribution with its dots. Finish puts the workshop in the sync outbox.
"""
import csv
import io
import os
import sqlite3
import subprocess
import time

from kiosk_driver import Kiosk, KioskError, fresh_dir, run, set_pin, write_config

FACILITATOR_PIN = "1357"

# Three participants, three contributions each: (worksheet step, text).
CONTRIBUTIONS = [
    ("partners", "Skolan"), ("wanted_info", "Vad unga tycker"), ("next_steps", "Boka ett möte"),
    ("partners", "Biblioteket"), ("available_info", "SCB per område"), ("next_steps", "Visa data i maj"),
    ("partners", "Fritidsgården"), ("available_info", "Kommunens webb"), ("wanted_info", "Trygghet i parken"),
]


def expect(condition, message):
    if not condition:
        raise KioskError(message)


def seed(args, data_dir):
    seeder = os.path.join(os.path.dirname(os.path.abspath(args.app)), "tillit-seed")
    db = os.path.join(data_dir, "responses.db")
    for venue, count, random_seed in (("test-venue", 400, "7"), ("other-venue", 150, "8")):
        result = subprocess.run([seeder, "--db", db, "--venue", venue, "--count", str(count), "--seed", random_seed],
                                capture_output=True, text=True)
        if result.returncode != 0:
            raise KioskError(f"tillit-seed failed: {result.stderr}")


def sign_in(k):
    k.wait_for(lambda s: s["screen"] == "start", "the start screen")
    k.hold("staff_corner", 3.4)
    k.wait_for(lambda s: s["screen"] == "pin", "the PIN pad")
    for digit in FACILITATOR_PIN:
        k.tap("pin_" + digit)
    k.tap("pin_ok")
    k.wait_for(lambda s: s["key"].startswith("staff_facilitator"), "the facilitator's board", timeout=20)


def card(k, text):
    """The id of the gather screen's card whose label is `text`."""
    for w in k.state["widgets"]:
        if w["id"].startswith("card_") and w["label"] == text:
            return w["id"]
    raise KioskError(f"no card '{text}': " + ", ".join(w["label"] for w in k.state["widgets"] if w["id"].startswith("card_")))


def statement(k, prefix, text):
    """The index i of the vote screen's statement `text` (widgets dot_i / agree_i carry it)."""
    for w in k.state["widgets"]:
        if w["id"].startswith(prefix) and w["label"] == text:
            return w["id"][len(prefix):]
    raise KioskError(f"no statement '{text}' on {k.state['key']}")


def type_text(k, text):
    """The on-screen keyboard, with å ä ö as their own keys."""
    for ch in text:
        if ch == " ":
            k.tap("key_space")
            continue
        if ch != ch.lower():
            k.tap("key_shift")
        k.tap("key_%x" % ord(ch.lower()))


def place_dots(k, texts):
    for text in texts:
        k.tap("dot_" + statement(k, "dot_", text))


def test(args):
    work = fresh_dir(os.path.join(args.out, "work"))
    shots = os.path.join(args.out, "screens")
    stick = os.path.join(work, "media", "WORKSHOPSTICK")
    os.makedirs(stick)
    data_dir = os.path.join(work, "data")
    config = write_config(work, args.source, ["tillit"], idle=60)
    with open(config, "a", encoding="utf-8") as f:
        f.write(f'[staff]\nexport_dirs = ["{os.path.join(work, "media")}"]\n')
    set_pin(args.app, config, "facilitator", FACILITATOR_PIN)
    seed(args, data_dir)
    started = time.monotonic()

    k = Kiosk(args.app, config, work, shots).__enter__()
    try:
        sign_in(k)
        k.tap_screen("workshop", "workshop_setup")

        # 1. Set up.
        k.tap("title_field")
        k.wait_for(lambda s: s["key"].startswith("workshop_setup_typing"), "the keyboard for the title")
        type_text(k, "Trygg i Husby")
        k.tap("keyboard_done")
        state = k.wait_for(lambda s: not s["key"].startswith("workshop_setup_typing"), "the set-up after typing")
        expect(k.widget("title_field")["label"] == "Trygg i Husby", f"title not saved: {k.widget('title_field')}")
        k.tap("goal_ideas")
        k.tap("theme_meeting_places")
        k.wait_for(lambda s: any(w["id"] == "question_preventive" for w in s["widgets"]), "the theme's questions")
        k.tap("question_preventive")
        state = k.wait_for(lambda s: any(w["id"] == "question_preventive" and w["selected"] for w in s["widgets"]),
                           "the preventive question chosen")
        expect("isolering" in k.widget("question_preventive")["label"], "not the meeting places' preventive question")

        # 2. Data: every page, with the seeded answers counted.
        k.tap_screen("setup_next", "workshop_data")
        k.wait_for(lambda s: "_counting" not in s["key"], "the answers counted", timeout=30)
        for page in ("data_questions", "data_builders", "data_nonresponse", "data_trust"):
            k.tap(page)
            k.wait_for(lambda s, p=page: s["key"].startswith("workshop_data_" + p[5:]), f"the {page} page")
        k.tap("scope_all")
        k.wait_for(lambda s: k.widget("scope_all", s)["selected"] and "_counting" not in s["key"],
                   "all venues counted", timeout=30)
        k.tap("scope_venue")
        k.wait_for(lambda s: k.widget("scope_venue", s)["selected"] and "_counting" not in s["key"],
                   "this venue counted again", timeout=30)

        # 3. Gather: nine contributions from three participants.
        k.tap_screen("data_next", "workshop_gather")
        for step, text in CONTRIBUTIONS:
            k.tap("add_" + step)
            k.wait_for(lambda s: s["key"].startswith("workshop_gather_compose"), "the keyboard")
            type_text(k, text)
            k.tap("compose_save")
            k.wait_for(lambda s, t=text: s["key"].startswith("workshop_gather_browse") and
                       any(w["label"] == t for w in s["widgets"]), f"the card '{text}'")
        # The facilitator merges the library into the school and hides one.
        k.tap(card(k, "Biblioteket"))
        k.wait_for(lambda s: s["key"].startswith("workshop_gather_selected"), "the selected card")
        k.tap("mod_merge")
        k.wait_for(lambda s: s["key"].startswith("workshop_gather_merge"), "merge: pick the target")
        k.tap(card(k, "Skolan"))
        k.wait_for(lambda s: any(w["label"] == "Skolan / Biblioteket" for w in s["widgets"]), "the merged card")
        k.tap(card(k, "SCB per område"))
        k.wait_for(lambda s: s["key"].startswith("workshop_gather_selected"), "the selected card")
        k.tap("mod_hide")
        k.wait_for(lambda s: any(w["label"] == "(dold) SCB per område" for w in s["widgets"]), "the hidden card")

        # 4. Dot voting: participant 1, then participant 2 is interrupted by a crash.
        k.tap_screen("wstep_vote", "workshop_vote")
        k.tap("my_turn")
        k.wait_for(lambda s: s["key"].startswith("workshop_vote_dots_turn"), "participant 1's turn")
        place_dots(k, ["Boka ett möte", "Boka ett möte", "Skolan / Biblioteket"])
        k.tap("turn_done")
        k.wait_for(lambda s: s["key"].startswith("workshop_vote_dots_") and "_turn" not in s["key"], "the turn ended")
        k.tap("my_turn")
        k.wait_for(lambda s: s["key"].startswith("workshop_vote_dots_turn"), "participant 2's turn")
        place_dots(k, ["Visa data i maj"])
        k.wait_for(lambda s: k.widget("dot_" + statement(k, "dot_", "Visa data i maj"), s)["selected"], "the dot placed")
    finally:
        k.proc.kill()  # kill -9 in the middle of a turn
        k.proc.wait()
        k.stop()

    with Kiosk(args.app, config, work, shots + "-after-restart", first_screen="workshop_vote") as k:
        state = k.wait_for(lambda s: s["key"].startswith("workshop_vote_dots_turn"), "the resumed turn")
        expect(k.widget("dot_" + statement(k, "dot_", "Visa data i maj"))["selected"],
               "the dot placed before the crash is gone")
        place_dots(k, ["Boka ett möte", "Trygghet i parken"])
        k.tap("turn_done")
        k.wait_for(lambda s: "_turn" not in s["key"], "participant 2's turn ended")
        k.tap("my_turn")
        k.wait_for(lambda s: s["key"].startswith("workshop_vote_dots_turn"), "participant 3's turn")
        place_dots(k, ["Boka ett möte", "Skolan / Biblioteket", "Fritidsgården"])
        k.tap("turn_done")
        k.wait_for(lambda s: "_turn" not in s["key"], "participant 3's turn ended")

        # Agree / disagree: three participants, every statement.
        k.tap("vote_mode_stances")
        k.wait_for(lambda s: s["key"].startswith("workshop_vote_stances"), "agree or disagree")
        for person in range(3):
            k.tap("my_turn")
            state = k.wait_for(lambda s: s["key"].startswith("workshop_vote_stances_turn"), f"answerer {person + 1}")
            indices = sorted(w["id"][len("agree_"):] for w in state["widgets"] if w["id"].startswith("agree_"))
            expect(len(indices) == 7, f"{len(indices)} statements to answer, not 7 (9 - 1 merged - 1 hidden)")
            for i in indices:
                k.tap(("agree_", "disagree_", "pass_")[(int(i) + person) % 3 if person else 0] + i)
            k.tap("turn_done")
            k.wait_for(lambda s: "_turn" not in s["key"], "the answers saved")
        notes = [w for w in k.state["widgets"] if w["id"].startswith("agree_")]
        expect(not notes, "answer buttons shown between turns")

        # 5. Summary: save to the stick, check the files, finish.
        k.tap_screen("wstep_summary", "workshop_summary")
        save = [w for w in k.state["widgets"] if w["id"].startswith("save_") and "WORKSHOPSTICK" in w["label"]]
        expect(save, "the USB stick is not offered")
        k.tap(save[0]["id"])
        state = k.wait_for(lambda s: "_saved" in s["key"] or "_failed" in s["key"], "the files saved")
        expect("_saved" in state["key"], f"saving failed: {state['note']}")
        files = sorted(os.listdir(stick))
        pdfs = [f for f in files if f.endswith(".pdf")]
        csvs = [f for f in files if f.endswith(".csv")]
        expect(len(pdfs) == 1 and len(csvs) == 1, f"files on the stick: {files}")
        text = subprocess.run(["pdftotext", "-enc", "UTF-8", os.path.join(stick, pdfs[0]), "-"],
                              capture_output=True, text=True, check=True).stdout
        flat = " ".join(text.split())
        for wanted in ("Trygg i Husby", "Hur kan vi förebygga isolering och brist på socialt stöd?",
                       "Skolan / Biblioteket", "Vem mer kan vi samarbeta med?", "Nästa steg", "Boka ett möte (4)"):
            expect(wanted in flat, f"the PDF lacks '{wanted}'")
        expect("SCB per område" not in flat, "the hidden contribution is in the PDF")
        with open(os.path.join(stick, csvs[0]), encoding="utf-8-sig") as f:
            rows = list(csv.DictReader(f))
        expect(len(rows) == 7, f"{len(rows)} CSV rows, not 7")
        by_text = {row["text"]: row for row in rows}
        expect(by_text["Boka ett möte"]["dots"] == "4", f"dots in the CSV: {by_text['Boka ett möte']}")
        expect(by_text["Skolan / Biblioteket"]["dots"] == "2", "the merged statement's dots")
        expect(by_text["Boka ett möte"]["voters"] == "3" and by_text["Boka ett möte"]["agree"] == "",
               "stances below 5 voters are shown in the CSV")
        k.tap("finish")
        k.wait_for(lambda s: "_confirm" in s["key"], "finish: are you sure")
        k.tap_screen("finish_confirm", "staff")
    elapsed = time.monotonic() - started

    db = sqlite3.connect(f"file:{os.path.join(data_dir, 'responses.db')}?mode=ro", uri=True)
    queued = db.execute("SELECT count(*) FROM outbox WHERE kind = 'workshop' AND state = 'pending'").fetchone()[0]
    record = db.execute("SELECT content FROM workshop_records").fetchone()[0]
    db.close()
    expect(queued == 1, f"{queued} workshops in the outbox")
    expect("SCB per område" not in record and "Skolan / Biblioteket" in record, "the record's contents")
    print(f"workshop run: {elapsed:.1f} s after seeding")


if __name__ == "__main__":
    run(test)
