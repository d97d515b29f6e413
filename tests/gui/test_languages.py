"""Residents who read Arabic or Persian answer the whole tillit survey on the real app;
the stored rows carry their language. The layout mirrors for right-to-left languages
(what is at the right in Swedish is at the left), the language can be changed on the
question screen without losing the answer, and the question screen is kept as a
screenshot in all nine languages, in normal and large text (and one in high contrast).
With TILLIT_SPEECH_WAV_DIR set the speaker button's speech is also written as WAV files:
tapping it reads the question in the resident's language."""
import glob
import os
import struct
import wave

from kiosk_driver import Kiosk, KioskError, fresh_dir, read_db, run, write_config

LANGUAGES = ("sv", "sv-easy", "en", "ar", "fa", "so", "ti", "fi", "uk")


def expect(condition, message):
    if not condition:
        raise KioskError(message)


def centre_x(k, widget_id):
    w = k.widget(widget_id)
    return w["x"] + w["w"] / 2


def answer_survey(k, language):
    """Starts the survey in `language` and answers every question with a real tap."""
    k.tap_screen("start", "language")
    k.tap_screen("lang_" + language, "promise")
    expect(k.state["language"] == language, f"{language} was not chosen")
    expect(k.state["mirrored"], f"{language}: the promise screen is not laid out right to left")
    k.tap_screen("begin", "question")
    expect(centre_x(k, "next") < centre_x(k, "back"),
           f"{language}: 'next' is not at the left of 'back' in a right-to-left layout")
    expect(centre_x(k, "language") < k.state["window"]["width"] / 2, f"{language}: the language button is not at the left")
    answered = 0
    while True:
        state = k.wait_for(lambda s: s["screen"] in ("question", "freetext", "thanks"), "a question")
        if state["screen"] == "thanks":
            break
        question = state["question_id"]
        if state["screen"] == "question":
            ids = [w["id"] for w in state["widgets"]]
            choice = "scale_3" if "scale_3" in ids else next(i for i in ids if i.startswith("option_"))
            k.tap(choice)
            k.wait_for(lambda s: choice in [w["id"] for w in s["widgets"] if w["selected"]], f"{choice} selected")
            answered += 1
        last = k.has("send")
        k.tap("send" if last else "next")
        k.wait_for(lambda s: s["question_id"] != question or s["screen"] == "thanks", f"leaving {question}")
    k.tap_screen("done", "start")
    return answered


def read_wav(path):
    with wave.open(path) as w:
        frames = w.readframes(w.getnframes())
        samples = struct.unpack("<%dh" % (len(frames) // 2), frames)
        return samples, w.getframerate()


def test(args):
    work = fresh_dir(os.path.join(args.out, "work"))
    shots = os.path.join(args.out, "screens")
    speech = fresh_dir(os.path.join(args.out, "speech"))
    config = write_config(work, args.source, ["tillit"], languages=LANGUAGES, idle=120, countdown=30)
    with Kiosk(args.app, config, work, shots, extra_env={"TILLIT_SPEECH_WAV_DIR": speech}) as k:
        expect(not k.state["mirrored"], "the Swedish start screen is mirrored")
        counts = {language: answer_survey(k, language) for language in ("ar", "fa")}

        # One survey more, to see every language on the question screen (answer kept throughout).
        k.tap_screen("start", "language")
        k.tap_screen("lang_sv", "promise")
        k.tap_screen("begin", "question")
        k.tap("next")
        k.wait_for(lambda s: s["question_id"] == "expect_help", "the second question")
        k.tap("option_would_help")
        for language in LANGUAGES:
            if k.state["language"] != language:
                k.tap_screen("language", "language")
                k.tap_screen("lang_" + language, "question")
            expect(k.state["language"] == language, f"not in {language}")
            expect(k.selected() == ["option_would_help"], f"{language}: the answer was lost: {k.selected()}")
            expect(k.state["mirrored"] == (language in ("ar", "fa")), f"{language}: wrong direction")
            k.tap("large_text")
            k.wait_for(lambda s: s["key"].endswith("_large_" + language), f"large text in {language}")
            k.tap("large_text")
            k.wait_for(lambda s: "_large" not in s["key"], f"normal text in {language}")
        k.tap("high_contrast")
        k.wait_for(lambda s: "_contrast" in s["key"], "high contrast")

        # Read aloud in Persian: the speaker button reads the question.
        k.tap_screen("language", "language")
        k.tap_screen("lang_fa", "question")
        if k.has("read_aloud"):
            k.tap("read_aloud")
            k.wait_for(lambda s: glob.glob(os.path.join(speech, "*_fa.wav")), "speech in Persian", timeout=30)
            samples, rate = read_wav(sorted(glob.glob(os.path.join(speech, "*_fa.wav")))[0])
            seconds = len(samples) / rate
            loud = max(abs(s) for s in samples)
            print(f"read aloud in Persian: {seconds:.1f} s of speech, peak {loud}")
            expect(seconds > 2.0 and loud > 1000, f"the Persian speech is silent or too short ({seconds:.1f} s, peak {loud})")
            k.tap_screen("language", "language")
            k.tap_screen("lang_so", "question")
            expect(not k.has("read_aloud"), "Somali has no voice, yet the speaker button is shown")

    responses, _ = read_db(os.path.join(work, "data"))
    languages = sorted(r["language"] for r in responses)
    expect(languages == ["ar", "fa"], f"stored languages: {languages}")
    print(f"answered {counts} questions; stored rows in {languages}")


if __name__ == "__main__":
    run(test)
