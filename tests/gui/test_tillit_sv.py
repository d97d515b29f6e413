"""A resident answers the whole tillit survey in Swedish on the real app, including
free text typed on the on-screen keyboard; the stored row is checked in SQLite, and
the next resident sees nothing of the previous answers."""
import json
import os
import re

from kiosk_driver import Kiosk, KioskError, fresh_dir, read_db, run, write_config


def expect(condition, message):
    if not condition:
        raise KioskError(message)


def test(args):
    work = fresh_dir(os.path.join(args.out, "work"))
    shots = os.path.join(args.out, "screens")
    config = write_config(work, args.source, ["tillit"])
    with Kiosk(args.app, config, work, shots) as k:
        k.tap_screen("start", "language")
        k.tap_screen("lang_sv", "promise")
        k.tap_screen("begin", "question")

        def on(question_id):
            return k.wait_for(lambda s: s["question_id"] == question_id, question_id)

        on("inst_trust")
        k.tap("scale_4")
        expect(k.selected() == ["scale_4"], f"scale_4 not selected: {k.selected()}")
        k.tap("next")
        on("expect_help"); k.tap("option_would_help"); k.tap("next")
        on("avoided_contact"); k.tap("option_no"); k.tap("next")
        on("benevolence"); k.tap("dont_know"); k.tap("next")
        on("competence"); k.tap("scale_2"); k.tap("next")
        on("treated_respect"); k.tap("option_not_met"); k.tap("next")
        on("social_trust"); k.tap("skip")
        on("local_trust"); k.tap("scale_5"); k.tap("next")

        on("trust_builders")
        for option in ["seen_heard", "same_person", "influence", "easy_contact"]:
            k.tap("option_" + option)
        expect(k.selected() == ["option_influence", "option_same_person", "option_seen_heard"],
               f"a fourth choice got past the maximum of 3: {k.selected()}")
        k.tap("next")

        on("knows_support"); k.tap("option_fairly_well"); k.tap("next")
        on("met_where")
        k.tap("option_school")
        k.tap("option_no")  # exclusive: clears "school"
        expect(k.selected() == ["option_no"], f"exclusive option did not clear the others: {k.selected()}")
        k.tap("next")

        on("trust_social_services"); k.tap("scale_3")
        k.tap("back")
        on("met_where")
        expect(k.selected() == ["option_no"], "going back lost an answer")
        k.tap("next")
        on("trust_social_services")
        expect(k.selected() == ["scale_3"], "going forward again lost an answer")
        k.tap("next")
        on("earlier_contact"); k.tap("option_no"); k.tap("next")

        state = k.wait_for(lambda s: s["screen"] == "freetext", "the free-text screen")
        expect(state["question_id"] == "more_trust", "wrong free-text question")
        k.type_text("Öppet på kvällar")
        k.tap("next")
        on("age_band"); k.tap("option_30_49")
        k.tap_screen("send", "thanks")
        # Back to the start by itself after thanks_seconds (3 s in this config).
        k.wait_for(lambda s: s["screen"] == "start", "the start screen after thank-you", timeout=10)

        # The next person starts from nothing.
        k.tap_screen("start", "language")
        k.tap_screen("lang_sv", "promise")
        k.tap_screen("begin", "question")
        on("inst_trust")
        expect(k.selected() == [], f"the next resident sees earlier answers: {k.selected()}")

    responses, abandonments = read_db(os.path.join(work, "data"))
    expect(len(responses) == 1, f"expected 1 stored response, found {len(responses)}")
    row = responses[0]
    expect(set(row) == {"id", "survey_id", "survey_version", "language", "venue_id", "time_bucket", "answers"},
           f"unexpected columns: {sorted(row)}")
    expect(re.fullmatch(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}", row["id"]),
           f"id is not a UUIDv4: {row['id']}")
    expect(row["survey_id"] == "tillit" and row["survey_version"] == 1, "wrong survey or version")
    expect(row["language"] == "sv" and row["venue_id"] == "test-venue", "wrong language or venue")
    expect(re.fullmatch(r"\d{4}-\d{2}-\d{2}T\d{2}", row["time_bucket"]), f"time bucket too fine: {row['time_bucket']}")
    answers = json.loads(row["answers"])
    expected = {
        "inst_trust": 4, "expect_help": "would_help", "avoided_contact": "no", "benevolence": "dont_know",
        "competence": 2, "treated_respect": "not_met", "social_trust": None, "local_trust": 5,
        "trust_builders": ["seen_heard", "same_person", "influence"], "knows_support": "fairly_well",
        "met_where": ["no"], "trust_social_services": 3, "earlier_contact": "no",
        "more_trust": "Öppet på kvällar", "age_band": "30_49",
    }
    expect(answers == expected, f"stored answers differ:\n{json.dumps(answers, ensure_ascii=False)}")
    # The second resident was still answering when the kiosk stopped: nothing of theirs is stored.
    expect(abandonments == [], f"unexpected abandonment rows: {abandonments}")


if __name__ == "__main__":
    run(test)
