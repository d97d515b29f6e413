#!/usr/bin/env python3
"""The report page in headless Chromium (Debian's `chromium`), driven over the DevTools
protocol with the standard library only (a minimal WebSocket client below).

A fresh SQLite store gets an admin password (`tillit-server set-admin-password`, from
stdin) and 30 trust-survey responses written straight into its items table, 12 of them
with a free text sealed to the server's key (libsodium's crypto_box_seal through ctypes,
as a kiosk does). Then `tillit-server serve` runs on 127.0.0.1:0 and the browser:
  - logs in through the form and lands on /report, which shows SVG charts and the
    indicators' caveats;
  - approves a free text with the page's own button (it then appears under "Godkända");
  - gets 403 for the same action without the CSRF token (fetch from the page, with the
    session cookie) and without a session (plain urllib, no cookie);
  - writes a phone-width screenshot of the page to OUT/report.png (its first screen:
    OUT/report-top.png).
Exit 0 on success, 77 when chromium is not installed (ctest: skipped), 1 on failure.
"""
import argparse
import base64
import ctypes
import ctypes.util
import hashlib
import json
import os
import shutil
import socket
import sqlite3
import struct
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid

PASSWORD = "browser test password 1234"


# --- a minimal WebSocket client (RFC 6455: client frames masked, text only) ---
class WebSocket:
    def __init__(self, url):
        parsed = urllib.parse.urlparse(url)
        self.sock = socket.create_connection((parsed.hostname, parsed.port), timeout=30)
        key = base64.b64encode(os.urandom(16)).decode()
        request = (f"GET {parsed.path} HTTP/1.1\r\nHost: {parsed.hostname}:{parsed.port}\r\n"
                   f"Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: {key}\r\n"
                   "Sec-WebSocket-Version: 13\r\n\r\n")
        self.sock.sendall(request.encode())
        response = b""
        while b"\r\n\r\n" not in response:
            chunk = self.sock.recv(4096)
            if not chunk:
                raise RuntimeError("DevTools closed the connection during the handshake")
            response += chunk
        if b" 101 " not in response.split(b"\r\n")[0]:
            raise RuntimeError("no WebSocket upgrade: " + response.split(b"\r\n")[0].decode())
        self.buffer = response.split(b"\r\n\r\n", 1)[1]

    def _read(self, n):
        while len(self.buffer) < n:
            chunk = self.sock.recv(1 << 16)
            if not chunk:
                raise RuntimeError("DevTools closed the connection")
            self.buffer += chunk
        data, self.buffer = self.buffer[:n], self.buffer[n:]
        return data

    def send(self, text):
        payload = text.encode()
        header = bytes([0x81])
        if len(payload) < 126:
            header += bytes([0x80 | len(payload)])
        elif len(payload) < 65536:
            header += bytes([0x80 | 126]) + struct.pack(">H", len(payload))
        else:
            header += bytes([0x80 | 127]) + struct.pack(">Q", len(payload))
        mask = os.urandom(4)
        self.sock.sendall(header + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(payload)))

    def receive(self):
        message = b""
        while True:
            first, second = self._read(2)
            length = second & 0x7F
            if length == 126:
                length = struct.unpack(">H", self._read(2))[0]
            elif length == 127:
                length = struct.unpack(">Q", self._read(8))[0]
            payload = self._read(length)
            opcode = first & 0x0F
            if opcode == 0x8:
                raise RuntimeError("DevTools closed the WebSocket")
            if opcode in (0x1, 0x0, 0x2):
                message += payload
                if first & 0x80:
                    return message.decode()


class DevTools:
    def __init__(self, ws_url):
        self.ws = WebSocket(ws_url)
        self.next_id = 0

    def call(self, method, **params):
        self.next_id += 1
        my_id = self.next_id
        self.ws.send(json.dumps({"id": my_id, "method": method, "params": params}))
        while True:
            message = json.loads(self.ws.receive())
            if message.get("id") == my_id:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                return message.get("result", {})

    def evaluate(self, expression):
        result = self.call("Runtime.evaluate", expression=expression, awaitPromise=True, returnByValue=True)
        if "exceptionDetails" in result:
            raise RuntimeError(f"page script failed: {result['exceptionDetails']}")
        return result["result"].get("value")

    def wait_for(self, expression, what, timeout=15):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                if self.evaluate(expression):
                    return
            except RuntimeError:
                pass  # the page is being replaced by a navigation
            time.sleep(0.1)
        raise AssertionError(f"timed out waiting for {what}")


# --- the store ---
def canonical(value):
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def seal(public_key, text):
    sodium = ctypes.CDLL(ctypes.util.find_library("sodium") or "libsodium.so.23")
    if sodium.sodium_init() < 0:
        raise RuntimeError("libsodium failed to start")
    message = text.encode()
    out = ctypes.create_string_buffer(len(message) + 48)  # crypto_box_SEALBYTES
    if sodium.crypto_box_seal(out, message, ctypes.c_ulonglong(len(message)), public_key) != 0:
        raise RuntimeError("crypto_box_seal failed")
    return base64.b64encode(out.raw).decode()


def run(server, *args, stdin=None):
    done = subprocess.run([server, *args], input=stdin, capture_output=True, text=True, timeout=30)
    if done.returncode != 0:
        raise AssertionError(f"tillit-server {args[0]} failed: {done.stderr}")
    return done.stdout


def prepare_store(server, db):
    out = run(server, "set-admin-password", "--store", db, stdin=PASSWORD + "\n")
    assert PASSWORD not in out, "the password was printed"
    run(server, "export", "--store", db, "--format", "json", "--out", os.devnull)  # creates the sealing keys
    con = sqlite3.connect(db)
    (public_key,) = con.execute("SELECT public_key FROM server_keys").fetchone()
    device, batch = str(uuid.uuid4()), str(uuid.uuid4())
    for i in range(30):
        answers = {"expect_help": ["would_help", "dont_know_what", "harder"][i % 3],
                   "inst_trust": 1 + i % 5, "knows_support": ["very_well", "a_little"][i % 2],
                   "trust_social_services": 1 + (i * 7) % 5, "met_where": [["library"], ["no"]][i % 2],
                   "earlier_contact": ["yes", "no"][i % 2]}
        if i < 12:
            answers["more_trust"] = {"sealed": seal(public_key, f"Svara i telefon oftare ({i})")}
        content = {"survey_id": "tillit", "survey_version": 1, "language": ["sv", "ar"][i % 2],
                   "venue_id": "biblioteket", "time_bucket": f"2026-11-{16 + i % 7:02d}T{9 + i % 9:02d}",
                   "answers": answers}
        text = canonical(content)
        con.execute("INSERT INTO items (id, kind, sha256, content, device_id, batch_id) VALUES (?, 'response', ?, ?, ?, ?)",
                    (str(uuid.uuid4()), hashlib.sha256(text.encode()).hexdigest(), text, device, batch))
    con.commit()
    con.close()


def post_status(url, fields, headers=None):
    request = urllib.request.Request(url, data=urllib.parse.urlencode(fields).encode(), headers=headers or {},
                                     method="POST")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--server", required=True)
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if not chromium:
        print("chromium is not installed (scripts/install-deps.sh installs it); skipped")
        return 77
    os.makedirs(args.out, exist_ok=True)
    started = time.monotonic()
    with tempfile.TemporaryDirectory() as tmp:
        db = os.path.join(tmp, "server.db")
        prepare_store(args.server, db)
        serve = subprocess.Popen([args.server, "serve", "--store", db, "--listen", "127.0.0.1:0"],
                                 stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        profile = os.path.join(tmp, "profile")
        browser = None
        try:
            line = serve.stdout.readline()
            assert line.startswith("listening on "), f"unexpected first line: {line!r}"
            base = "http://" + line.split()[-1]
            browser = subprocess.Popen([chromium, "--headless=new", "--no-sandbox", "--disable-gpu",
                                        "--no-first-run", "--no-default-browser-check", "--disable-extensions",
                                        f"--user-data-dir={profile}", "--remote-debugging-port=0",
                                        "--remote-allow-origins=*", "about:blank"],
                                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            port_file = os.path.join(profile, "DevToolsActivePort")
            deadline = time.monotonic() + 20
            while not (os.path.exists(port_file) and open(port_file).read().strip()):
                assert time.monotonic() < deadline, "chromium did not open its DevTools port"
                time.sleep(0.1)
            devtools_port = int(open(port_file).read().split()[0])
            with urllib.request.urlopen(f"http://127.0.0.1:{devtools_port}/json/list", timeout=10) as response:
                pages = [t for t in json.load(response) if t.get("type") == "page"]
            tab = DevTools(pages[0]["webSocketDebuggerUrl"])
            tab.call("Page.enable")
            tab.call("Emulation.setDeviceMetricsOverride", width=390, height=844, deviceScaleFactor=1, mobile=True)

            # Not logged in: the page sends the browser to the login form.
            tab.call("Page.navigate", url=base + "/report")
            tab.wait_for("location.pathname === '/login' && !!document.querySelector('input[type=password]')",
                         "the login form")
            tab.evaluate(f"document.querySelector('input[name=password]').value = {json.dumps(PASSWORD)};"
                         "document.querySelector('form').submit(); true")
            tab.wait_for("location.pathname === '/report' && document.readyState === 'complete'", "the report page")
            svgs = tab.evaluate("document.querySelectorAll('svg').length")
            assert svgs >= 5, f"expected the charts as SVG, found {svgs}"
            body = tab.evaluate("document.body.innerText")
            assert "Risk för feltolkning" in body, "no caveat text on the page"
            assert "I.2.1.a" in body and "I.2.2.d" in body and "2.2.2" in body, "an indicator is missing"
            assert "Att granska" in body, "the free-text review list is missing"
            external = tab.evaluate("[...document.querySelectorAll('[src],link[href]')].length")
            assert external == 0, "the page loads external assets"

            # Refused without the CSRF token: the page's own form, its token taken out, sent
            # with the session cookie. (The page's CSP forbids fetch, so a form it is.)
            key = tab.evaluate("document.querySelector('input[name=key]').value")
            csrf = tab.evaluate("document.querySelector('input[name=csrf]').value")
            tab.evaluate("const f = document.querySelector('input[name=action][value=approve]').form;"
                         "f.querySelector('input[name=csrf]').remove(); f.submit(); true")
            tab.wait_for("document.readyState === 'complete' && document.body.innerText.startsWith('forbidden')",
                         "the 403 answer without a CSRF token")
            status = tab.evaluate("performance.getEntriesByType('navigation')[0].responseStatus")
            assert status == 403, f"review without the CSRF token answered {status}"
            tab.call("Page.navigate", url=base + "/report")
            tab.wait_for("location.pathname === '/report' && document.readyState === 'complete' && "
                         "!!document.querySelector('input[name=key]')", "the report page again")
            # ... and without a session (no cookie at all), even with a token from the page.
            status = post_status(base + "/report/review", {"key": key, "action": "approve", "csrf": csrf})
            assert status == 403, f"review without a session answered {status}"
            assert "Godkända" in body

            # The page's own "Godkänn" button works.
            pending_before = tab.evaluate("document.querySelectorAll('input[name=action][value=approve]').length")
            tab.evaluate("document.querySelector('input[name=action][value=approve]').form.submit(); true")
            tab.wait_for(f"document.readyState === 'complete' && "
                         f"document.querySelectorAll('input[name=action][value=approve]').length === {pending_before - 1}",
                         "the approved text to leave the review list")
            approved = tab.evaluate("document.body.innerText.split('Att granska')[0]")
            assert "Svara i telefon oftare" in approved, "the approved text is not under Godkända"

            # A phone-width screenshot of the whole page.
            height = tab.evaluate("Math.ceil(document.documentElement.scrollHeight)")
            tab.call("Emulation.setDeviceMetricsOverride", width=390, height=min(height, 6000), deviceScaleFactor=1,
                     mobile=True)
            shot = tab.call("Page.captureScreenshot", format="png")
            path = os.path.join(args.out, "report.png")
            with open(path, "wb") as f:
                f.write(base64.b64decode(shot["data"]))
            top = tab.call("Page.captureScreenshot", format="png",
                           clip={"x": 0, "y": 0, "width": 390, "height": 844, "scale": 1})
            with open(os.path.join(args.out, "report-top.png"), "wb") as f:
                f.write(base64.b64decode(top["data"]))
            print(f"ok: {svgs} SVG charts, review refused without CSRF and without a session, approve works; "
                  f"screenshot {path}; {time.monotonic() - started:.1f} s")
        finally:
            if browser:
                browser.terminate()
                try:
                    browser.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    browser.kill()
            serve.terminate()
            serve.wait(timeout=10)
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except AssertionError as error:
        print(f"FAILED: {error}")
        sys.exit(1)
