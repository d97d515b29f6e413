"""'Ni sa – vi gjorde' end to end on the real app: a message written by staff on the
server's report page reaches the kiosk's start screen after sync.

The real tillit-server runs on loopback; staff set the admin password with
`tillit-server set-admin-password` (stdin), log in on /login, take the CSRF token from
/report and POST the message for the kiosk's venue to /report/message (a POST without
the token is refused with 403 first). The kiosk, enrolled with that server, syncs at
start-up ([sync] interval_seconds = 86400), adopts the message from /v1/config into
server-feedback.json, and the start screen shows it: the screen key becomes
"start_feedback_<language>" (the widgets JSON) and a screenshot of it is written.
"""
import http.cookiejar
import json
import os
import re
import subprocess
import urllib.error
import urllib.parse
import urllib.request

from kiosk_driver import Kiosk, KioskError, Server, fresh_dir, run, write_config

PASSWORD = "gui test admin password"
MESSAGE = "Ni sa att det var svårt att nå oss. Vi har nu öppet hus varje tisdag kl. 13–16."


def expect(condition, message):
    if not condition:
        raise KioskError(message)


def write_message(server):
    """Staff's path on the report page: login, the page's CSRF token, the form's POST."""
    done = subprocess.run([server.binary, "set-admin-password", "--store", server.store], input=PASSWORD + "\n",
                          capture_output=True, text=True)
    expect(done.returncode == 0, f"set-admin-password failed: {done.stderr}")
    expect(PASSWORD not in done.stdout + done.stderr, "set-admin-password printed the password")

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    jar = http.cookiejar.CookieJar()
    browser = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), NoRedirect)

    def post(path, fields):
        try:
            with browser.open(server.url + path, data=urllib.parse.urlencode(fields).encode(), timeout=10) as r:
                return r.status
        except urllib.error.HTTPError as error:
            return error.code

    expect(post("/login", {"password": PASSWORD}) == 303, "the login was refused")
    with browser.open(server.url + "/report", timeout=10) as page:
        html = page.read().decode()
    token = re.search(r'name="csrf" value="([0-9a-f]{64})"', html)
    expect(token is not None, "no CSRF token on the report page")
    expect(post("/report/message", {"venue": "test-venue", "message": MESSAGE}) == 403,
           "a message without the CSRF token was accepted")
    expect(post("/report/message", {"venue": "test-venue", "message": MESSAGE, "csrf": token.group(1)}) == 303,
           "the message was refused")


def test(args):
    work = fresh_dir(os.path.abspath(os.path.join(args.out, "work")))
    server_dir = fresh_dir(os.path.join(args.out, "server"))
    shots = os.path.join(work, "screens")
    data_dir = os.path.join(work, "data")
    config = write_config(work, args.source, ["tillit"], data_dir=data_dir)
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
        write_message(server)
        with Kiosk(args.app, config, work, shots) as k:
            # The start-up sync adopts the message; the start screen re-reads it within 5 s.
            k.wait_for(lambda s: s.get("key", "").startswith("start_feedback"), "the message on the start screen", timeout=30)
            with open(os.path.join(data_dir, "server-feedback.json"), encoding="utf-8") as f:
                adopted = json.load(f)
            expect(adopted["message"] == MESSAGE, f"the kiosk adopted another message: {adopted}")
            # No responses at this venue yet: the summary is "too few", never a count.
            expect(adopted["summary"]["responses"] == "too_few", f"unexpected summary: {adopted['summary']}")
            # Let the settled frame be captured.
            deadline_shots = [name for name in os.listdir(shots) if "start_feedback" in name]
            if not deadline_shots:
                k.wait_for(lambda s: any("start_feedback" in n for n in os.listdir(shots)),
                           "the screenshot of the start screen with the message", timeout=10)
        print("screenshot: " + ", ".join(sorted(n for n in os.listdir(shots) if "start_feedback" in n)))
    finally:
        server.stop()


if __name__ == "__main__":
    run(test)
