"""Staff mode on the real app with real X input, against the real tillit-server on loopback.

- A short tap in the top-left corner does not open anything; holding it 3 s opens the PIN pad.
- Five wrong PINs start a 30 s pause that the pad shows; a restarted kiosk still shows it
  (the count is stored before each check), and the pad opens again when it ends.
- The facilitator PIN opens the status without sync, export or settings.
- The admin PIN opens the status board; "sync now" sends an answer given after the
  kiosk's own first sync, shows progress words, and ends with the success words; the
  server then holds that answer once.
- Export writes one file to a folder standing in for a USB stick; the server's
  `import` adds its answer once, a second import adds nothing, and a later sync of the
  same batch is a duplicate, so the server holds every id exactly once.
- Settings: a longer idle timeout is saved to data_dir/local-settings.json.
- Lock returns to the start screen.
"""
import json
import os
import subprocess
import time

from kiosk_driver import set_pin, Kiosk, KioskError, Server, fresh_dir, run, write_config

ADMIN_PIN = "2468"
FACILITATOR_PIN = "1357"


def expect(condition, message):
    if not condition:
        raise KioskError(message)




def enter_pin(k, pin):
    for digit in pin:
        k.tap("pin_" + digit)
    k.tap("pin_ok")


def open_pin_pad(k):
    k.wait_for(lambda s: s["screen"] == "start", "the start screen")
    k.hold("staff_corner", 3.4)
    return k.wait_for(lambda s: s["screen"] == "pin", "the PIN pad after holding the corner")


def answer_besok(k):
    """One resident: a face on the start screen, a reason, then done on the thank-you screen."""
    k.wait_for(lambda s: s["screen"] == "start", "the start screen")
    k.tap_screen("onetap_4", "question")
    k.tap_screen("option_listened_to", "thanks")
    k.tap_screen("done", "start")


def test(args):
    work = fresh_dir(os.path.join(args.out, "work"))
    shots = os.path.join(args.out, "screens")
    server = Server(Server.binary_next_to(args.app), os.path.join(work, "server.db"), os.path.join(work, "server.log"))
    try:
        usb = os.path.join(work, "media", "KIOSKSTICK")
        os.makedirs(usb)
        config = write_config(work, args.source, ["besok"], idle=60)
        with open(config, "a", encoding="utf-8") as f:
            f.write(f"""[staff]
export_dirs = ["{os.path.join(work, 'media')}"]
[sync]
server_url = "{server.url}"
allow_http_loopback = true
interval_seconds = 86400
""")
        set_pin(args.app, config, "admin", ADMIN_PIN)
        set_pin(args.app, config, "facilitator", FACILITATOR_PIN)
        server.enrol_kiosk(args.app, config)

        with Kiosk(args.app, config, work, shots) as k:
            # A tap in the corner is nothing special.
            k.hold("staff_corner", 0.2)
            time.sleep(0.5)
            expect(k.read()["screen"] == "start", "a short tap in the corner left the start screen")

            # Five wrong PINs: the pad says how many tries are left, then pauses.
            open_pin_pad(k)
            for attempt in range(1, 6):
                enter_pin(k, "9999")
                k.wait_for(lambda s: s["key"].startswith("pin_wrong") or s["key"].startswith("pin_paused"),
                           f"the answer to wrong PIN {attempt}", timeout=20)
            state = k.wait_for(lambda s: s["key"].startswith("pin_paused"), "the pause after five wrong PINs")
            expect("Try again in 0:" in state["note"] or "igen om 0:" in state["note"], f"no pause shown: {state['note']}")
            expect(not k.widget("pin_1")["enabled"] and not k.widget("pin_ok")["enabled"],
                   "the pad takes digits during the pause")
        with Kiosk(args.app, config, work, shots) as k:
            # A restart does not reset the pause.
            state = open_pin_pad(k)
            expect(state["key"].startswith("pin_paused"), f"the pause did not survive a restart: {state['key']}")
            k.wait_for(lambda s: s["key"].startswith("pin") and "paused" not in s["key"], "the end of the pause",
                       timeout=40)

            # The facilitator sees the status but cannot sync, export or change settings.
            enter_pin(k, FACILITATOR_PIN)
            state = k.wait_for(lambda s: s["key"].startswith("staff_facilitator"), "the facilitator's status",
                               timeout=20)
            expect(not k.has("sync_now") and not k.has("export") and not k.has("settings") and not k.has("quit"),
                   "a facilitator is offered admin actions")
            k.tap_screen("lock", "start")

            # A resident answers after the kiosk's first sync: one answer waits.
            answer_besok(k)

            # The admin: status, sync now, success.
            open_pin_pad(k)
            enter_pin(k, ADMIN_PIN)
            k.wait_for(lambda s: s["key"].startswith("staff_admin"), "the admin's status board", timeout=20)
            expect(len(server.ids()) == 0, "the answer reached the server before sync now")
            k.tap("sync_now")
            state = k.wait_for(lambda s: "_idle" in s["key"] and s["note"] != "", "the end of the sync", timeout=30)
            expect("everything is on the server" in state["note"] or "allt finns på servern" in state["note"],
                   f"sync now did not end in success words: {state['note']}")
            synced = server.ids()
            expect(len(synced) == 1, f"the server holds {len(synced)} items after sync now, not 1")

            # Export: another answer, written to the stick, imported twice.
            k.tap_screen("lock", "start")
            answer_besok(k)
            open_pin_pad(k)
            enter_pin(k, ADMIN_PIN)
            k.wait_for(lambda s: s["key"].startswith("staff_admin"), "the admin's status board", timeout=20)
            k.tap_screen("export", "export")
            stick = [w for w in k.state["widgets"] if w["id"].startswith("target_") and "KIOSKSTICK" in w["label"]]
            expect(stick, "the USB stick is not offered: " + ", ".join(w["label"] for w in k.state["widgets"]))
            k.tap(stick[0]["id"])
            state = k.wait_for(lambda s: "_done" in s["key"] or "_failed" in s["key"], "the export",
                               timeout=30)
            expect("_done" in state["key"], f"export failed: {state['note']}")
            files = [f for f in os.listdir(usb) if f.endswith(".json")]
            expect(len(files) == 1, f"expected one export file on the stick, found {files}")
            export_file = os.path.join(usb, files[0])
            first = server.cli("import", export_file)
            expect(first.returncode == 0, f"import failed: {first.stdout} {first.stderr}")
            after_import = server.ids()
            expect(len(after_import) == 2, f"the server holds {len(after_import)} items after import, not 2")
            second = server.cli("import", export_file)
            expect(second.returncode == 0 and server.ids() == after_import, "a second import changed the server")
            expect("duplicate" in second.stdout, f"the second import did not report duplicates: {second.stdout}")
            k.tap_screen("back", "staff")
            k.tap("sync_now")
            k.wait_for(lambda s: "_idle" in s["key"] and ("everything is on the server" in s["note"] or
                                                         "allt finns på servern" in s["note"]),
                       "the sync after the export", timeout=30)
            final = server.ids()
            expect(sorted(final) == sorted(set(final)) and len(final) == 2,
                   f"ids on the server are not exactly once: {final}")

            # Settings: a longer idle timeout.
            k.tap_screen("settings", "settings")
            k.tap("idle_more", expect_change=False)
            time.sleep(0.3)
            k.tap("save")
            k.wait_for(lambda s: "_saved" in s["key"], "the settings saved")
            with open(os.path.join(work, "data", "local-settings.json"), encoding="utf-8") as f:
                saved = json.load(f)
            expect(saved.get("idle_timeout_seconds") == 70, f"local settings hold {saved}")
            k.tap_screen("back", "staff")
            k.tap_screen("lock", "start")
    finally:
        server.stop()


if __name__ == "__main__":
    run(test)
