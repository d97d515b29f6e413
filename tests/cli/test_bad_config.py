"""A bad survey file and a bad kiosk.toml each stop the real binary with exactly one
line `path:line: what is wrong` on stderr and exit code 2 (no window is opened)."""
import argparse
import os
import re
import shutil
import subprocess
import sys

parser = argparse.ArgumentParser()
parser.add_argument("--app", required=True)
parser.add_argument("--source", required=True)
parser.add_argument("--out", required=True)
args = parser.parse_args()

shutil.rmtree(args.out, ignore_errors=True)
os.makedirs(args.out)
failures = []


def make_kiosk(name, kiosk_edit=None, survey_edit=None):
    """Copies the shipped config into out/name, applying one line edit to each file."""
    root = os.path.join(args.out, name)
    shutil.copytree(os.path.join(args.source, "kiosk-config"), os.path.join(root, "kiosk-config"),
                    ignore=shutil.ignore_patterns("data"))
    shutil.copytree(os.path.join(args.source, "translations"), os.path.join(root, "translations"))
    for path, edit in [(os.path.join(root, "kiosk-config", "kiosk.toml"), kiosk_edit),
                       (os.path.join(root, "kiosk-config", "surveys", "tillit.toml"), survey_edit)]:
        if edit:
            text = open(path, encoding="utf-8").read()
            old, new = edit
            if old not in text:
                raise SystemExit(f"test setup: '{old}' not in {path}")
            open(path, "w", encoding="utf-8").write(text.replace(old, new, 1))
    return os.path.join(root, "kiosk-config", "kiosk.toml")


def line_of(path, needle):
    for number, line in enumerate(open(path, encoding="utf-8"), 1):
        if needle in line:
            return number
    raise SystemExit(f"test setup: '{needle}' not in {path}")


def expect_one_line(name, config, file_suffix, line, words):
    env = dict(os.environ)
    env.pop("DISPLAY", None)  # the kiosk must fail before it needs a display
    run = subprocess.run([args.app, "--config", config, "--data-dir", os.path.join(args.out, name, "data")],
                         capture_output=True, text=True, env=env, timeout=30)
    lines = run.stderr.strip().splitlines()
    if run.returncode != 2:
        failures.append(f"{name}: exit code {run.returncode}, expected 2 (stderr: {run.stderr!r})")
    if len(lines) != 1:
        failures.append(f"{name}: expected exactly one line on stderr, got {len(lines)}: {run.stderr!r}")
        return
    match = re.match(r"^(.+):(\d+): (.+)$", lines[0])
    if not match:
        failures.append(f"{name}: not 'path:line: message': {lines[0]!r}")
        return
    path, number, message = match.groups()
    if not path.endswith(file_suffix) or int(number) != line or not all(w in message for w in words):
        failures.append(f"{name}: expected {file_suffix}:{line} mentioning {words}, got {lines[0]!r}")
    print(f"{name}: {lines[0]}")


# A survey with a typo in a key.
config = make_kiosk("bad-survey", survey_edit=('"label::sv" = "Hur mycket litar du på kommunen?"',
                                               '"lable::sv" = "Hur mycket litar du på kommunen?"'))
survey = os.path.join(os.path.dirname(config), "surveys", "tillit.toml")
expect_one_line("bad-survey", config, "surveys/tillit.toml", line_of(survey, '"lable::sv"'), ["lable::sv"])

# A survey whose multi-choice maximum is larger than its options.
config = make_kiosk("bad-survey-max", survey_edit=("max = 3", "max = 30"))
survey = os.path.join(os.path.dirname(config), "surveys", "tillit.toml")
expect_one_line("bad-survey-max", config, "surveys/tillit.toml", line_of(survey, "max = 30"), ["max"])

# A kiosk.toml with a countdown shorter than 20 s (an accessibility floor).
config = make_kiosk("bad-kiosk", kiosk_edit=("idle_countdown_seconds = 20", "idle_countdown_seconds = 5"))
expect_one_line("bad-kiosk", config, "kiosk.toml", line_of(config, "idle_countdown_seconds = 5"),
                ["idle_countdown_seconds"])

# A kiosk.toml that is not TOML at all.
config = make_kiosk("broken-toml", kiosk_edit=('[screen]', '[screen'))
expect_one_line("broken-toml", config, "kiosk.toml", line_of(config, "[screen"), [])

# A kiosk.toml that names a survey that does not exist.
config = make_kiosk("missing-survey", kiosk_edit=('surveys = ["tillit", "besok"]', 'surveys = ["tillit", "okand"]'))
expect_one_line("missing-survey", config, "kiosk.toml", line_of(config, 'surveys = ['), ["okand"])

for failure in failures:
    print("FAIL:", failure)
print(f"{5 - len(failures)} passed, {len(failures)} failed")
sys.exit(1 if failures else 0)
