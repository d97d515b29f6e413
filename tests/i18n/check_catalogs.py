"""Fails when the committed .pot is out of date with the code, or when any shipped
catalog misses a UI string, has a fuzzy entry, fails `msgfmt --check`, or has a
translation whose printf placeholders (or "\\n") differ from its msgid's, in kind or
order (the UI passes the arguments in the msgid's order, with or without a c-format flag);
when a language the kiosk knows (kLanguageNames in app/core/i18n.cpp) has no
translations/<lang>.po (en needs none: the msgids are English); or when a default
survey (kiosk-config/surveys/*.toml) lacks a text in one of those languages, has it
empty, or has other printf placeholders than the Swedish text."""
import glob
import os
import re
import subprocess
import sys
import tempfile
import tomllib

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


# A printf conversion: %d, %lld, %02lld, %s, %%...
PRINTF = re.compile(r"%(?:\d+\$)?[-+ #0']*(?:\*|\d+)?(?:\.(?:\*|\d+))?(?:hh|h|ll|l|L|q|j|z|t)?[diouxXeEfFgGaAcspn%]")


def pairs(path):
    """(msgid, msgstr) of every translated plain entry, escapes left as written."""
    text = open(path, encoding="utf-8").read()
    for entry in text.split("\n\n"):
        parts, key = {}, None
        for line in entry.splitlines():
            if line.startswith("#"):
                continue
            keyword = re.match(r"(msgid|msgstr)\s+(\".*)$", line)
            if keyword:
                key, line = keyword.group(1), keyword.group(2)
            elif not line.startswith('"'):
                key = None
            if key and line.startswith('"'):
                parts[key] = parts.get(key, "") + "".join(re.findall(r'"((?:[^"\\]|\\.)*)"', line))
        if parts.get("msgid") and parts.get("msgstr"):
            yield parts["msgid"], parts["msgstr"]


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
    for msgid, msgstr in pairs(po):
        if PRINTF.findall(msgid) != PRINTF.findall(msgstr) or msgid.count("\\n") != msgstr.count("\\n"):
            failures.append(f"{name}: placeholders differ from the msgid's in {msgstr!r} (msgid {msgid!r})")
    if "native-speaker review" not in open(po, encoding="utf-8").read():
        failures.append(f"{name}: the header must say that native-speaker review is wanted")



def known_languages():
    """The codes in kLanguageNames, in order: the languages the kiosk can show."""
    text = open(os.path.join(source, "app", "core", "i18n.cpp"), encoding="utf-8").read()
    table = re.search(r"kLanguageNames\{(.*?)\};", text, re.S)
    if not table:
        raise SystemExit("check_catalogs.py: no kLanguageNames table in app/core/i18n.cpp")
    return re.findall(r'LanguageName\{\s*"([^"]+)"', table.group(1))


languages = known_languages()
for language in languages:
    if language != "en" and not os.path.isfile(os.path.join(source, "translations", f"{language}.po")):
        failures.append(f"translations/{language}.po is missing (every known language but en needs a catalog)")

# printf conversions as the UI uses them (%d, %lld, %s, %1$s ...); "%%" is a literal percent.
PLACEHOLDER = re.compile(r"%(?:\d+\$)?[-+ #0]*(?:\d+|\*)?(?:\.(?:\d+|\*))?(?:hh|h|ll|l|L|z|j|t)?[diouxXeEfFgGaAcsp%]")


def placeholders(text):
    return sorted(p for p in PLACEHOLDER.findall(text) if p != "%%")


def survey_tables(survey):
    """(question id, option id, table) for the survey itself, each question and each option."""
    yield None, None, survey
    for q, question in enumerate(survey.get("questions", []), 1):
        question_id = question.get("id", f"#{q}")
        yield question_id, None, question
        for o, option in enumerate(question.get("options", []), 1):
            yield question_id, option.get("id", f"#{o}"), option


survey_texts = 0
for path in sorted(glob.glob(os.path.join(source, "kiosk-config", "surveys", "*.toml"))):
    name = os.path.relpath(path, source)
    try:
        with open(path, "rb") as f:
            survey = tomllib.load(f)
    except tomllib.TOMLDecodeError as error:
        failures.append(f"{name}: not valid TOML: {error}")
        continue
    for question_id, option_id, table in survey_tables(survey):
        where = name
        if question_id is not None:
            where += f" question {question_id}"
        if option_id is not None:
            where += f" option {option_id}"
        for key, swedish in table.items():
            if not key.endswith("::sv") or not isinstance(swedish, str):
                continue
            base = key[: -len("::sv")]
            survey_texts += 1
            for language in languages:
                text_key = f"{base}::{language}"
                text = table.get(text_key)
                if text is None:
                    failures.append(f"{where}: missing {text_key}")
                elif not isinstance(text, str) or not text.strip():
                    failures.append(f"{where}: {text_key} is empty")
                elif placeholders(text) != placeholders(swedish):
                    failures.append(f"{where}: {text_key} has placeholders {placeholders(text)}, "
                                    f"the Swedish text has {placeholders(swedish)}")

for failure in failures:
    print("FAIL:", failure)
print(f"{len(code_ids)} UI strings; {survey_texts} survey texts in {len(languages)} languages; "
      f"{len(failures)} problems")
sys.exit(1 if failures else 0)
