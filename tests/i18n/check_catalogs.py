"""Fails when the committed .pot is out of date with the code, or when any shipped
catalog misses a UI string, has a fuzzy entry, or fails `msgfmt --check`."""
import glob
import os
import re
import subprocess
import sys
import tempfile

source = sys.argv[1]


def msgids(path):
    text = open(path, encoding="utf-8").read()
    ids = set()
    for entry in text.split("\n\n"):
        lines = [l for l in entry.splitlines() if not l.startswith("#")]
        current, in_id = [], False
        for line in lines:
            if line.startswith("msgid "):
                in_id, current = True, [line[6:]]
            elif line.startswith("msgstr") or line.startswith("msgid_plural") or line.startswith("msgctxt"):
                in_id = False
            elif in_id and line.startswith('"'):
                current.append(line)
        value = "".join(re.findall(r'"((?:[^"\\]|\\.)*)"', "".join(current)))
        if value:
            ids.add(value)
    return ids


failures = []
with tempfile.TemporaryDirectory() as tmp:
    fresh = os.path.join(tmp, "fresh.pot")
    sources = sorted(glob.glob(os.path.join(source, "app", "ui", "*.cpp")))
    subprocess.run(["xgettext", "--from-code=UTF-8", "--language=C++", "--keyword=tr", "--keyword=tr_in:2",
                    "-o", fresh] + sources, check=True)
    code_ids = msgids(fresh)
committed = msgids(os.path.join(source, "translations", "tillit-kiosk.pot"))
if code_ids != committed:
    failures.append("translations/tillit-kiosk.pot is out of date; run scripts/update-pot.sh "
                    f"(new: {sorted(code_ids - committed)}, gone: {sorted(committed - code_ids)})")

for po in sorted(glob.glob(os.path.join(source, "translations", "*.po"))):
    name = os.path.basename(po)
    check = subprocess.run(["msgfmt", "--check", "--statistics", "-o", os.devnull, po],
                           capture_output=True, text=True)
    if check.returncode != 0:
        failures.append(f"{name}: msgfmt --check failed: {check.stderr.strip()}")
    if "untranslated" in check.stderr or "fuzzy" in check.stderr:
        failures.append(f"{name}: incomplete: {check.stderr.strip()}")
    missing = code_ids - msgids(po)
    if missing:
        failures.append(f"{name}: missing {sorted(missing)}")
    if "native-speaker review" not in open(po, encoding="utf-8").read():
        failures.append(f"{name}: the header must say that native-speaker review is wanted")

for failure in failures:
    print("FAIL:", failure)
print(f"{len(code_ids)} UI strings; {len(failures)} problems")
sys.exit(1 if failures else 0)
