"""On a short screen the answer list of a long question scrolls when dragged with a
finger; the drag itself selects nothing, and a tap after it still selects."""
import os

from kiosk_driver import Kiosk, KioskError, fresh_dir, run, write_config


def expect(condition, message):
    if not condition:
        raise KioskError(message)


def test(args):
    work = fresh_dir(os.path.join(args.out, "work"))
    config = write_config(work, args.source, ["tillit"], idle=60)
    # 1920x720 on a 527 mm wide screen: about 197 mm tall, too short for 8 options.
    with Kiosk(args.app, config, work, os.path.join(args.out, "screens"), size=(1920, 720)) as k:
        k.tap_screen("start", "language")
        k.tap_screen("lang_sv", "promise")
        k.tap_screen("begin", "question")
        while k.state["question_id"] != "trust_builders":
            k.tap("skip")
            k.wait_for(lambda s: s["screen"] in ("question", "freetext"), "next question")
        last = "option_no_discrimination"
        visible = [w for w in k.state["widgets"] if w["id"] == last and not w["clipped"]]
        expect(not visible, "the list fits on the screen; this test needs it to overflow")
        top_before = k.widget("option_seen_heard")["y"]
        k.drag("option_influence", -300)
        state = k.wait_for(lambda s: any(w["id"] == last and not w["clipped"] for w in s["widgets"]),
                           "the last option to scroll into view")
        expect(k.selected() == [], f"the drag selected something: {k.selected()}")
        seen = [w for w in state["widgets"] if w["id"] == "option_seen_heard"]
        expect(not seen or seen[0]["y"] < top_before, "the list did not move up")
        k.tap(last)
        expect(k.selected() == [last], f"a tap after scrolling did not select: {k.selected()}")


if __name__ == "__main__":
    run(test)
