"""A resident answers three questions and walks away: after the idle timeout and a
20 s countdown the kiosk returns to the start, the answers are gone, and only
"abandoned at question 4 of 15" is stored."""
import os

from kiosk_driver import Kiosk, KioskError, fresh_dir, read_db, run, write_config


def expect(condition, message):
    if not condition:
        raise KioskError(message)


def test(args):
    work = fresh_dir(os.path.join(args.out, "work"))
    shots = os.path.join(args.out, "screens")
    config = write_config(work, args.source, ["tillit"], idle=10, countdown=20)
    with Kiosk(args.app, config, work, shots) as k:
        k.tap_screen("start", "language")
        k.tap_screen("lang_sv", "promise")
        k.tap_screen("begin", "question")
        for widget in ["scale_2", "option_harder", "option_yes"]:
            k.tap(widget)
            k.tap("next")
        k.wait_for(lambda s: s["question_id"] == "benevolence", "question 4")
        warning = k.wait_for(lambda s: s["idle_warning"], "the idle warning", timeout=15)
        # One way on ("continue"), beside the access buttons every resident screen has.
        access = {"read_aloud", "volume", "large_text", "high_contrast"}
        expect([w["id"] for w in warning["widgets"] if w["id"] not in access] == ["continue"],
               "the warning must offer one button only")
        k.wait_for(lambda s: s["screen"] == "start", "the start screen after the countdown", timeout=30)
        expect(k.state["language"] == "sv", "language not reset for the next person")
        # The next person starts a fresh survey: nothing is selected.
        k.tap_screen("start", "language")
        k.tap_screen("lang_sv", "promise")
        k.tap_screen("begin", "question")
        expect(k.selected() == [], f"answers of the person who left are visible: {k.selected()}")

    responses, abandonments = read_db(os.path.join(work, "data"))
    expect(responses == [], f"answers of an abandoned session were stored: {responses}")
    expect(len(abandonments) == 1, f"expected one abandonment marker, found {len(abandonments)}")
    a = abandonments[0]
    expect(a["survey_id"] == "tillit" and a["reached_step"] == 4 and a["total_steps"] == 15,
           f"unexpected abandonment row: {a}")
    expect(set(a) == {"id", "survey_id", "survey_version", "language", "venue_id", "time_bucket", "reached_step",
                      "total_steps"}, f"abandonment row has other fields: {sorted(a)}")


if __name__ == "__main__":
    run(test)
