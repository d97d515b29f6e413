"""The data folder fills up while the kiosk runs: sending shows the calm "could not
save, please tell the staff" screen (never "thank you"), the kiosk keeps running, and
"try again" saves the same answers once space is back. Needs root to mount a tmpfs;
skipped (exit 77) otherwise."""
import json
import os
import subprocess
import sys

from kiosk_driver import Kiosk, KioskError, fresh_dir, read_db, run, write_config


def expect(condition, message):
    if not condition:
        raise KioskError(message)


def fill(path):
    """Writes zeros until the file system says it is full (unbuffered, so no write is pending)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        for size in (65536, 4096, 1):
            try:
                while True:
                    os.write(fd, b"\0" * size)
            except OSError:
                pass
    finally:
        os.close(fd)


def test(args):
    work = fresh_dir(os.path.join(args.out, "work"))
    data = os.path.join(work, "data")
    os.makedirs(data)
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=2m", "tillit-test-full", data], check=True)
    try:
        config = write_config(work, args.source, ["tillit"], data_dir=data, idle=60)
        with Kiosk(args.app, config, work, os.path.join(args.out, "screens")) as k:
            def answer_first_and_skip_rest(language):
                k.tap_screen("start", "language")
                k.tap_screen("lang_" + language, "promise")
                k.tap_screen("begin", "question")
                k.tap("scale_3")
                k.tap("next")
                while not k.has("send"):
                    k.tap("skip")
                    k.wait_for(lambda s: s["screen"] in ("question", "freetext"), "next question")

            filler = os.path.join(data, "filler")
            # First resident (Swedish): the disk is full; they give up and go back to the start.
            answer_first_and_skip_rest("sv")
            fill(filler)
            k.tap_screen("send", "save_failed")
            k.tap_screen("leave", "start")
            # Second resident (English): still full, retry fails visibly, then space returns.
            answer_first_and_skip_rest("en")
            k.tap_screen("send", "save_failed")
            k.tap_screen("retry", "save_failed")
            expect(k.state["key"].startswith("save_failed_retry2"), f"a failed retry shows no change: {k.state['key']}")
            os.remove(filler)
            k.tap_screen("retry", "thanks")
        responses, _ = read_db(data)
        expect(len(responses) == 1, f"expected exactly one response (the retried one), found {len(responses)}")
        expect(responses[0]["language"] == "en", "the saved response is not the second resident's")
        answers = json.loads(responses[0]["answers"])
        expect(answers["inst_trust"] == 3 and answers["competence"] is None, f"wrong answers saved: {answers}")
        log = open(os.path.join(work, "kiosk.log"), encoding="utf-8").read()
        expect("full" in log, f"the admin's log does not say why: {log!r}")
    finally:
        subprocess.run(["umount", data], check=False)


if __name__ == "__main__":
    if os.geteuid() != 0:
        print("SKIP: mounting a tmpfs needs root")
        sys.exit(77)
    run(test)
