"""The one-tap visit survey: one tap on a face is a complete, stored response; the
optional follow-up is answered once, and ignored once (it goes away after 10 s)."""
import json
import os

from kiosk_driver import Kiosk, KioskError, fresh_dir, read_db, run, write_config


def expect(condition, message):
    if not condition:
        raise KioskError(message)


def test(args):
    work = fresh_dir(os.path.join(args.out, "work"))
    shots = os.path.join(args.out, "screens")
    config = write_config(work, args.source, ["besok"], thanks=3)
    with Kiosk(args.app, config, work, shots) as k:
        # First visitor: one tap, then the follow-up, then thanks.
        k.tap_screen("onetap_4", "question")
        expect(k.state["question_id"] == "visit_why", "the follow-up did not appear")
        k.tap_screen("option_listened_to", "thanks")
        k.wait_for(lambda s: s["screen"] == "start", "back to the start", timeout=10)
        # Second visitor: one tap and walks off; the follow-up times out after 10 s.
        k.tap_screen("onetap_1", "question")
        k.wait_for(lambda s: s["screen"] == "start", "the follow-up timing out", timeout=20)
        # Third visitor answers in English.
        k.tap_screen("language", "language")
        k.tap_screen("lang_en", "start")
        k.tap_screen("onetap_3", "question")
        k.tap_screen("done", "start")

    responses, abandonments = read_db(os.path.join(work, "data"))
    got = sorted((json.dumps(json.loads(r["answers"]), sort_keys=True), r["language"]) for r in responses)
    want = sorted([
        (json.dumps({"visit_today": 4, "visit_why": "listened_to"}, sort_keys=True), "sv"),
        (json.dumps({"visit_today": 1, "visit_why": None}, sort_keys=True), "sv"),
        (json.dumps({"visit_today": 3, "visit_why": None}, sort_keys=True), "en"),
    ])
    expect(got == want, f"stored one-tap responses differ: {got}")
    expect(all(r["survey_id"] == "besok" for r in responses), "wrong survey id")
    expect(abandonments == [], "a one-tap response is complete; nothing is abandoned")


if __name__ == "__main__":
    run(test)
