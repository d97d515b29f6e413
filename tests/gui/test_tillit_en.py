"""A resident answers in English, switches language mid-survey without losing answers,
is asked "are you still there?" and continues; the stored row says English. Together
with test_tillit_sv this writes a screenshot of every screen in both languages."""
import json
import os

from kiosk_driver import Kiosk, KioskError, fresh_dir, read_db, run, write_config


def expect(condition, message):
    if not condition:
        raise KioskError(message)


def test(args):
    work = fresh_dir(os.path.join(args.out, "work"))
    shots = os.path.join(args.out, "screens")
    config = write_config(work, args.source, ["tillit", "besok"], idle=10)
    with Kiosk(args.app, config, work, shots) as k:
        # Choose English on the start screen first (both surveys offered), then start.
        k.tap_screen("language", "language")
        k.tap_screen("lang_en", "start")
        expect(k.state["language"] == "en", "the start screen did not switch to English")
        k.tap_screen("start", "language")
        k.tap_screen("lang_en", "promise")
        expect(k.state["language"] == "en", "English was not chosen")
        k.tap_screen("begin", "question")
        on = lambda q: k.wait_for(lambda s: s["question_id"] == q, q)

        on("inst_trust"); k.tap("scale_5"); k.tap("next")
        on("expect_help"); k.tap("option_dont_know_what")
        # Switch to Swedish and back on this screen: the answer stays.
        k.tap_screen("language", "language")
        k.tap_screen("lang_sv", "question")
        expect(k.state["language"] == "sv" and k.selected() == ["option_dont_know_what"],
               f"switching language lost the answer: {k.selected()}")
        k.tap_screen("language", "language")
        k.tap_screen("lang_en", "question")
        expect(k.state["language"] == "en", "could not switch back to English")
        k.tap("next")

        # Walk away for a moment: the warning comes after 10 s; "continue" keeps the answers.
        on("avoided_contact")
        k.tap("option_yes")
        k.wait_for(lambda s: s["idle_warning"], "the are-you-still-there warning", timeout=20)
        k.tap("continue")
        on("avoided_contact")
        expect(k.selected() == ["option_yes"], "continuing after the idle warning lost the answer")
        k.tap("next")

        # Skip the rest, but visit the free-text screen in English on the way.
        while True:
            state = k.wait_for(lambda s: s["screen"] in ("question", "freetext"), "a question")
            if state["question_id"] == "trust_builders":
                k.tap("option_treated_fairly")
                k.tap("next")
                continue
            if state["screen"] == "freetext":
                k.type_text("Evening hours")
                expect(k.state["text_length"] == len("Evening hours"), f"typed {k.state['text_length']} chars")
                k.tap("key_backspace")
                expect(k.state["text_length"] == len("Evening hour"), "backspace did not remove one character")
                k.tap("next")
                continue
            if k.has("send"):
                k.tap_screen("send", "thanks")
                break
            k.tap("skip")
        k.tap_screen("done", "start")
        expect(k.state["language"] == "sv", "the next resident does not start in the default language")

    responses, _ = read_db(os.path.join(work, "data"))
    expect(len(responses) == 1, f"expected 1 response, found {len(responses)}")
    row = responses[0]
    expect(row["language"] == "en", f"stored language {row['language']}, expected en")
    answers = json.loads(row["answers"])
    expect(answers["inst_trust"] == 5 and answers["expect_help"] == "dont_know_what" and
           answers["avoided_contact"] == "yes" and answers["trust_builders"] == ["treated_fairly"] and
           answers["more_trust"] == "Evening hour" and answers["age_band"] is None,
           f"unexpected answers: {answers}")
    skipped = [q for q, v in answers.items() if v is None]
    expect(len(skipped) == 10, f"expected 10 skipped questions, got {len(skipped)}: {skipped}")


if __name__ == "__main__":
    run(test)
