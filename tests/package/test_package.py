"""package.deb: builds the Debian package from this build tree with cpack and checks
what an admin would get from `apt install ./tillit-kiosk_*.deb`:

- the control data (name, version = the CMake project version, Depends with the
  shlibdeps libraries, cage, xwayland and the package of the fonts the app loads);
- every expected file, with its mode and owner, and nothing unexpected; conffiles;
- the installed kiosk.toml: generated from kiosk-config/kiosk.toml with the system
  paths, accepted by the packaged kiosk (which loads config, surveys, catalogs and
  store, then refuses to --enrol without [sync]), refused when a path is broken, and
  shown full screen under cage (headless wlroots) exactly as the unit starts it;
- the server unit's ExecStart, run with the packaged server (TLS, loopback), and a
  kiosk using the installed config enrolled to it with a one-time code;
- both units: `systemd-analyze verify` (no message at all) and the offline security
  score; the sysusers.d file (systemd-sysusers into a scratch root); the maintainer
  scripts (sh -n, and run against logging stubs: users, state folders, no unit
  enabled or started at install, state removed only on purge);
- lintian, only when it is installed (informational).
Everything is written under --out; nothing on this machine outside it is changed.
Any failure is listed and the test exits 1."""
import argparse
import glob
import os
import re
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import time
import tomllib

parser = argparse.ArgumentParser()
parser.add_argument("--source", required=True)
parser.add_argument("--build", required=True)
parser.add_argument("--version", required=True)
parser.add_argument("--out", required=True)
parser.add_argument("--cpack", default="cpack")
args = parser.parse_args()

failures = []
counts = {"files": 0, "units": 0}
ETC = "/etc/tillit-kiosk"
SHARE = "/usr/share/tillit-kiosk"
STATE = "/var/lib/tillit-kiosk"
KIOSK_UNIT = "tillit-kiosk.service"
SERVER_UNIT = "tillit-server.service"


def fail(message):
    failures.append(message)
    print(f"FAIL: {message}", flush=True)


def fatal(message):
    fail(message)
    finish()


def finish():
    print()
    if failures:
        print(f"package.deb: {len(failures)} failure(s):")
        for message in failures:
            print(f"  - {message}")
        sys.exit(1)
    print(f"package.deb: OK ({counts['files']} files checked, {counts['units']} units verified)")
    sys.exit(0)


def run(command, **kwargs):
    kwargs.setdefault("capture_output", True)
    kwargs.setdefault("text", True)
    kwargs.setdefault("timeout", 120)
    return subprocess.run(command, **kwargs)


def step(title):
    print(f"== {title}", flush=True)


def no_display_env():
    env = dict(os.environ)
    for name in ("DISPLAY", "WAYLAND_DISPLAY"):
        env.pop(name, None)
    return env


out = os.path.abspath(args.out)
shutil.rmtree(out, ignore_errors=True)
os.makedirs(out)
root = os.path.join(out, "root")  # dpkg -x of the package
control = os.path.join(out, "DEBIAN")  # dpkg-deb -e of the package

# --- tools and inputs -----------------------------------------------------------------
step("tools")
for tool in [args.cpack, "dpkg-deb", "dpkg", "systemd-analyze", "systemd-sysusers", "cage", "Xwayland",
             "openssl", "setpriv", "pgrep"]:
    if shutil.which(tool) is None:
        fail(f"'{tool}' is not installed; run scripts/install-deps.sh")
for program in ["tillit-kiosk", "tillit-server"]:
    if not os.access(os.path.join(args.build, program), os.X_OK):
        fail(f"{args.build}/{program} is not built; build first (cmake --build {args.build})")
if failures:
    finish()

# --- build the .deb -----------------------------------------------------------------------
step("cpack -G DEB")
arch = run(["dpkg", "--print-architecture"]).stdout.strip()
deb_name = f"tillit-kiosk_{args.version}_{arch}.deb"
for old in glob.glob(os.path.join(args.build, "tillit-kiosk_*.deb")):
    os.remove(old)
started = time.monotonic()
cpack = run([args.cpack, "-G", "DEB", "--config", os.path.join(args.build, "CPackConfig.cmake")], cwd=args.build)
print(f"cpack took {time.monotonic() - started:.1f} s")
if cpack.returncode != 0:
    fatal(f"cpack failed ({cpack.returncode}):\n{cpack.stdout}{cpack.stderr}")
debs = [os.path.basename(p) for p in glob.glob(os.path.join(args.build, "tillit-kiosk_*.deb"))]
if debs != [deb_name]:
    fatal(f"expected exactly {deb_name} in {args.build}, found {debs}")
deb = os.path.join(args.build, deb_name)
print(deb)

# --- control data -------------------------------------------------------------------------
step("dpkg-deb --info")
info = run(["dpkg-deb", "--info", deb])
if info.returncode != 0:
    fatal(f"dpkg-deb --info failed: {info.stderr}")
fields = {}
for name in ["Package", "Version", "Architecture", "Maintainer", "Depends", "Description", "Section", "Priority"]:
    fields[name] = run(["dpkg-deb", "--field", deb, name]).stdout.strip()
for name, want in [("Package", "tillit-kiosk"), ("Version", args.version), ("Architecture", arch)]:
    if fields[name] != want:
        fail(f"control field {name} is '{fields[name]}', expected '{want}'")
for name in ["Maintainer", "Description", "Section", "Priority"]:
    if not fields[name]:
        fail(f"control field {name} is missing")
depends = [d.strip() for d in fields["Depends"].split(",") if d.strip()]
depend_names = [re.split(r"[\s(]", d, maxsplit=1)[0] for d in depends]
if len(set(depend_names)) != len(depend_names):
    fail(f"Depends names a package twice: {fields['Depends']}")
# Declared by hand; then what dpkg-shlibdeps found in the two binaries (Debian 12 names).
for want in ["cage", "xwayland", "fonts-noto-core", "libgl1-mesa-dri", "systemd",
             "libc6", "libstdc++6", "libglfw3", "libsqlite3-0", "libsodium23", "libcurl4", "libpq5", "libssl3",
             "libqrencode4", "libtomlplusplus3"]:
    if want not in depend_names:
        fail(f"Depends lacks {want}: {fields['Depends']}")
if not any(name.startswith("libcpp-httplib") for name in depend_names):
    fail(f"Depends lacks libcpp-httplib (from shlibdeps): {fields['Depends']}")
print(f"Depends: {fields['Depends']}")

# The fonts the app loads (app/platform/text_shaper.cpp, each family of the fallback chain but the last
# resort) come from a package we depend on.
fonts_source = open(os.path.join(args.source, "app/platform/text_shaper.cpp"), encoding="utf-8").read()
noto = sorted(set(re.findall(r'"(/usr/share/fonts/truetype/noto/[^"]+\.ttf)"', fonts_source)))
if not noto:
    fail("no Noto font path found in app/platform/text_shaper.cpp (the check needs updating)")
for font in noto:
    owner = run(["dpkg", "-S", font])
    package = owner.stdout.split(":")[0].strip() if owner.returncode == 0 else ""
    if package not in depend_names:
        fail(f"{font} (loaded by the app) comes from '{package or 'no installed package'}', not from a dependency")
    else:
        print(f"{font}: {package}")

# --- contents -------------------------------------------------------------------------------
step("dpkg-deb --contents, dpkg-deb -x / -e")
listing = run(["dpkg-deb", "--contents", deb])
if listing.returncode != 0:
    fatal(f"dpkg-deb --contents failed: {listing.stderr}")
listed = {}  # path without "./" -> (mode letters, owner)
for line in listing.stdout.splitlines():
    parts = line.split(None, 5)
    if len(parts) < 6:
        fail(f"unexpected dpkg-deb --contents line: {line!r}")
        continue
    mode, owner, path = parts[0], parts[1], parts[5].split(" -> ")[0]
    listed[path[2:].rstrip("/")] = (mode, owner)
    if owner != "root/root":
        fail(f"{path} is owned by {owner}, expected root/root")
for folder in [root, control]:
    shutil.rmtree(folder, ignore_errors=True)
if run(["dpkg-deb", "-x", deb, root]).returncode != 0 or run(["dpkg-deb", "-e", deb, control]).returncode != 0:
    fatal("dpkg-deb -x/-e failed")

surveys = sorted(os.path.basename(p) for p in glob.glob(os.path.join(args.source, "kiosk-config/surveys/*.toml")))
catalogs = sorted(os.path.basename(p) for p in glob.glob(os.path.join(args.source, "translations/*.po")))
if not surveys or not catalogs:
    fatal("no surveys or no translations/*.po in the source tree")
# path -> (mode, source file it must equal or None)
expected = {
    "usr/bin/tillit-kiosk": (0o755, None),
    "usr/bin/tillit-server": (0o755, None),
    "etc/tillit-kiosk/kiosk.toml": (0o640, None),  # generated; checked below
    f"lib/systemd/system/{KIOSK_UNIT}": (0o644, f"packaging/systemd/{KIOSK_UNIT}"),
    f"lib/systemd/system/{SERVER_UNIT}": (0o644, f"packaging/systemd/{SERVER_UNIT}"),
    "usr/lib/sysusers.d/tillit-kiosk.conf": (0o644, "packaging/sysusers.conf"),
    "usr/share/doc/tillit-kiosk/README.md": (0o644, "README.md"),
    "usr/share/doc/tillit-kiosk/deploy.md": (0o644, "docs/deploy.md"),
}
for survey in surveys:
    expected[f"etc/tillit-kiosk/surveys/{survey}"] = (0o644, f"kiosk-config/surveys/{survey}")
expected["etc/tillit-kiosk/workshop-themes.toml"] = (0o644, "kiosk-config/workshop-themes.toml")
for catalog in catalogs:
    expected[f"usr/share/tillit-kiosk/translations/{catalog}"] = (0o644, f"translations/{catalog}")

for path, (mode, source) in sorted(expected.items()):
    counts["files"] += 1
    if path not in listed:
        fail(f"/{path} is not in the package")
        continue
    want_letters = stat.filemode(stat.S_IFREG | mode)
    if listed[path][0] != want_letters:
        fail(f"/{path} has mode {listed[path][0]} in the package, expected {want_letters}")
    extracted = os.path.join(root, path)
    if not os.path.isfile(extracted) or stat.S_IMODE(os.stat(extracted).st_mode) != mode:
        fail(f"/{path}: not a regular file with mode {oct(mode)} after dpkg -x")
        continue
    if source and open(extracted, "rb").read() != open(os.path.join(args.source, source), "rb").read():
        fail(f"/{path} differs from {source}")
unexpected = sorted(p for p, (mode, _) in listed.items() if not mode.startswith("d") and p not in expected)
if unexpected:
    fail(f"files in the package that nothing expects: {unexpected}")
print(f"{len(expected)} files present with the right modes; {len(listed) - len(expected)} folders")

for program in ["tillit-kiosk", "tillit-server"]:
    binary = os.path.join(root, "usr/bin", program)
    if open(binary, "rb").read(4) != b"\x7fELF":
        fail(f"/usr/bin/{program} is not an ELF executable")
    helped = run([binary, "--help"], env=no_display_env(), timeout=30)
    if helped.returncode != 0 or "usage: " + program not in helped.stdout:
        fail(f"/usr/bin/{program} --help: exit {helped.returncode}: {helped.stdout[:200]}{helped.stderr[:400]}")

# --- control files: conffiles and maintainer scripts --------------------------------------
step("conffiles and maintainer scripts")
etc_files = sorted("/" + p for p, (mode, _) in listed.items() if p.startswith("etc/") and not mode.startswith("d"))
conffiles_path = os.path.join(control, "conffiles")
conffiles = sorted(open(conffiles_path).read().split()) if os.path.exists(conffiles_path) else []
if conffiles != etc_files:
    fail(f"DEBIAN/conffiles is {conffiles}, expected every file under /etc: {etc_files}")
else:
    print(f"conffiles: {len(conffiles)} ({', '.join(conffiles)})")
for script in ["postinst", "prerm", "postrm"]:
    path = os.path.join(control, script)
    if not os.path.isfile(path):
        fail(f"DEBIAN/{script} is missing")
        continue
    if stat.S_IMODE(os.stat(path).st_mode) != 0o755:
        fail(f"DEBIAN/{script} has mode {oct(stat.S_IMODE(os.stat(path).st_mode))}, expected 0o755")
    syntax = run(["sh", "-n", path])
    if syntax.returncode != 0:
        fail(f"DEBIAN/{script}: sh -n: {syntax.stderr}")
if not os.path.isfile(os.path.join(control, "md5sums")):
    fail("DEBIAN/md5sums is missing")


def run_maintainer_script(script, arguments, helper_answers, statoverride_listed=False):
    """Runs a maintainer script with PATH holding only logging stubs, so it can change
    nothing here and an unexpected command fails it. Returns (exit code, logged calls)."""
    stubs = os.path.join(out, "stubs")
    shutil.rmtree(stubs, ignore_errors=True)
    os.makedirs(stubs)
    log = os.path.join(stubs, "calls.log")
    for command in ["systemd-sysusers", "install", "dpkg-statoverride", "deb-systemd-helper",
                    "deb-systemd-invoke", "systemctl", "rm", "rmdir"]:
        body = f'echo "{command} $*" >> "{log}"\n'
        if command == "deb-systemd-helper":
            for verb, code in helper_answers.items():
                body += f'for a in "$@"; do [ "$a" = "{verb}" ] && exit {code}; done\n'
        if command == "dpkg-statoverride":
            body += f'[ "$1" = "--list" ] && exit {0 if statoverride_listed else 1}\n'
        body += "exit 0\n"
        path = os.path.join(stubs, command)
        with open(path, "w") as stub:
            stub.write("#!/bin/sh\n" + body)
        os.chmod(path, 0o755)
    result = run(["/bin/sh", "-e", os.path.join(control, script), *arguments],
                 env={"PATH": stubs, "HOME": out}, timeout=30)
    calls = open(log).read().splitlines() if os.path.exists(log) else []
    if result.returncode != 0:
        fail(f"{script} {' '.join(arguments)} exited {result.returncode}: {result.stderr.strip()}")
    return calls


# A first install: was-enabled answers "yes" for a unit it never saw (deb-systemd-helper's default).
calls = run_maintainer_script("postinst", ["configure", ""], {"was-enabled": 0, "debian-installed": 1})
for want in ["systemd-sysusers tillit-kiosk.conf",
             f"install -d -o tillit-kiosk -g tillit-kiosk -m 0750 {STATE}",
             "install -d -o tillit-server -g tillit-server -m 0750 /var/lib/tillit-server",
             f"dpkg-statoverride --update --add root tillit-kiosk 0640 {ETC}/kiosk.toml"]:
    if want not in calls:
        fail(f"postinst configure did not run '{want}'; it ran: {calls}")
started_or_enabled = [c for c in calls if re.search(r"\b(enable|start|restart|try-restart)\b", c)]
if started_or_enabled:
    fail(f"postinst enables or starts a unit on a first install: {started_or_enabled}")
for unit in [KIOSK_UNIT, SERVER_UNIT]:
    if f"deb-systemd-helper update-state {unit}" not in calls:
        fail(f"postinst does not record {unit} with deb-systemd-helper update-state: {calls}")
# An upgrade where the admin had enabled the units keeps them enabled.
calls = run_maintainer_script("postinst", ["configure", "0.0.1"], {"was-enabled": 0, "debian-installed": 0})
for unit in [KIOSK_UNIT, SERVER_UNIT]:
    if f"deb-systemd-helper enable {unit}" not in calls:
        fail(f"postinst upgrade does not keep {unit} enabled: {calls}")
calls = run_maintainer_script("prerm", ["remove"], {})
calls = run_maintainer_script("postrm", ["remove"], {})
if any(c.startswith("rm ") for c in calls):
    fail(f"postrm remove deletes state (only purge may): {calls}")
calls = run_maintainer_script("postrm", ["purge"], {}, statoverride_listed=True)
for want in [f"rm -rf {STATE} /var/lib/tillit-server", f"dpkg-statoverride --remove {ETC}/kiosk.toml"]:
    if want not in calls:
        fail(f"postrm purge did not run '{want}'; it ran: {calls}")
print("maintainer scripts: users, state folders, statoverride; nothing enabled/started at install; purge only")

# --- the installed kiosk.toml ---------------------------------------------------------------
step("installed kiosk.toml")
installed_config = os.path.join(root, "etc/tillit-kiosk/kiosk.toml")
with open(installed_config, "rb") as f:
    installed = tomllib.load(f)
with open(os.path.join(args.source, "kiosk-config/kiosk.toml"), "rb") as f:
    original = tomllib.load(f)
want_paths = {("kiosk", "data_dir"): STATE, ("paths", "surveys_dir"): f"{ETC}/surveys",
              ("paths", "translations_dir"): f"{SHARE}/translations"}
for (table, key), value in want_paths.items():
    got = installed.get(table, {}).get(key)
    if got != value:
        fail(f"installed kiosk.toml [{table}] {key} = {got!r}, expected {value!r}")
    installed.get(table, {}).pop(key, None)
    original.get(table, {}).pop(key, None)
if installed != original:
    fail("installed kiosk.toml differs from kiosk-config/kiosk.toml in more than the three paths")
for survey in installed["kiosk"]["surveys"]:
    if f"etc/tillit-kiosk/surveys/{survey}.toml" not in listed:
        fail(f"kiosk.toml offers survey '{survey}' but the package has no {ETC}/surveys/{survey}.toml")


def parse_unit(path):
    """{section: [(key, value), ...]} (keys repeat in units, so not a dict of keys)."""
    sections, current = {}, None
    for line in open(path, encoding="utf-8"):
        line = line.strip()
        if not line or line.startswith(("#", ";")):
            continue
        if line.startswith("[") and line.endswith("]"):
            current = sections.setdefault(line[1:-1], [])
        elif "=" in line and current is not None:
            key, value = line.split("=", 1)
            current.append((key.strip(), value.strip()))
    return sections


def values(unit, section, key):
    return [v for k, v in unit.get(section, []) if k == key]


units = {name: parse_unit(os.path.join(root, "lib/systemd/system", name)) for name in [KIOSK_UNIT, SERVER_UNIT]}
kiosk_exec = values(units[KIOSK_UNIT], "Service", "ExecStart")
server_exec = values(units[SERVER_UNIT], "Service", "ExecStart")
if len(kiosk_exec) != 1 or len(server_exec) != 1:
    fatal(f"each unit needs exactly one ExecStart: {kiosk_exec} {server_exec}")
kiosk_argv = kiosk_exec[0].split()
if kiosk_argv[:2] != ["/usr/bin/cage", "--"] or "-s" in kiosk_argv[: kiosk_argv.index("--")]:
    fail(f"the kiosk must run as 'cage -- ...' without -s (VT switching): {kiosk_exec[0]}")
app_argv = kiosk_argv[kiosk_argv.index("--") + 1:]
if app_argv[:1] != ["/usr/bin/tillit-kiosk"] or app_argv[1:] != ["--config", f"{ETC}/kiosk.toml"]:
    fail(f"the kiosk unit must start /usr/bin/tillit-kiosk --config {ETC}/kiosk.toml: {kiosk_exec[0]}")


def scratch_config(name, data_dir, extra=""):
    """The installed kiosk.toml with its absolute system paths moved into the scratch root."""
    text = open(installed_config, encoding="utf-8").read()
    for old, new in [(f'"{STATE}"', f'"{data_dir}"'), (f'"{ETC}/surveys"', f'"{root}{ETC}/surveys"'),
                     (f'"{SHARE}/translations"', f'"{root}{SHARE}/translations"')]:
        if text.count(old) != 1:
            fatal(f"installed kiosk.toml: expected {old} exactly once")
        text = text.replace(old, new)
    folder = os.path.join(out, name)
    os.makedirs(folder, exist_ok=True)
    path = os.path.join(folder, "kiosk.toml")
    with open(path, "w", encoding="utf-8") as f:
        f.write(text + extra)
    return path


kiosk_binary = os.path.join(root, "usr/bin/tillit-kiosk")
# Load-only: --enrol loads config, surveys, catalogs and the store, all or nothing, and only
# then finds there is no [sync] to enrol with. That refusal proves everything loaded.
data_dir = os.path.join(out, "validate", "data")
config = scratch_config("validate", data_dir)
loaded = run([kiosk_binary, *app_argv[1:-1], config, "--enrol", "NO-SYNC-TABLE"], env=no_display_env(), timeout=30)
lines = loaded.stderr.strip().splitlines()
if loaded.returncode != 2 or len(lines) != 1 or "there is no [sync] table" not in lines[0]:
    fail(f"the installed config did not load (expected exit 2 and only 'there is no [sync] table'): "
         f"exit {loaded.returncode}, stderr {loaded.stderr!r}")
elif not os.path.isfile(os.path.join(data_dir, "responses.db")):
    fail(f"the kiosk loaded the installed config but made no {data_dir}/responses.db")
else:
    print(f"the packaged kiosk loads the installed config, both surveys, the catalogs and the store: {lines[0]}")
# ...and the same check refuses a broken copy, with the one-line error and exit code 2.
broken = scratch_config("validate-broken", data_dir)
text = open(broken, encoding="utf-8").read().replace(f"{root}{ETC}/surveys", f"{root}{ETC}/no-such-folder")
open(broken, "w", encoding="utf-8").write(text)
refused = run([kiosk_binary, "--config", broken, "--enrol", "X"], env=no_display_env(), timeout=30)
if refused.returncode != 2 or not re.match(re.escape(broken) + r":\d+: ", refused.stderr):
    fail(f"a broken installed config was not refused with 'kiosk.toml:line: ...' and exit 2: "
         f"exit {refused.returncode}, stderr {refused.stderr!r}")
else:
    print(f"a broken copy is refused: {refused.stderr.strip()}")

# --- the kiosk unit's command under cage --------------------------------------------------
step("the kiosk unit's ExecStart under cage (headless)")
# cage refuses to run as root; as root run it as nobody. The socket folder is short (/tmp).
as_root = os.geteuid() == 0
session = tempfile.mkdtemp(prefix="tillit-cage-")
os.chmod(session, 0o755)
runtime, cage_data, shots = (os.path.join(session, n) for n in ["run", "data", "shots"])
for folder in [runtime, cage_data, shots]:
    os.makedirs(folder, mode=0o700)
cage_config = os.path.join(session, "kiosk.toml")
shutil.copy(scratch_config("cage", cage_data), cage_config)
prefix = []
if as_root:
    import pwd
    nobody = pwd.getpwnam("nobody")
    for path in [session, runtime, cage_data, shots, cage_config]:
        os.chown(path, nobody.pw_uid, nobody.pw_gid)
    prefix = ["setpriv", f"--reuid={nobody.pw_uid}", f"--regid={nobody.pw_gid}", "--clear-groups"]
env = no_display_env()
env.update(XDG_RUNTIME_DIR=runtime, WLR_BACKENDS="headless", WLR_LIBINPUT_NO_DEVICES="1", WLR_RENDERER="pixman")
mapped = [shutil.which("cage"), *kiosk_argv[1:]]
mapped[mapped.index("/usr/bin/tillit-kiosk")] = kiosk_binary
mapped[mapped.index(f"{ETC}/kiosk.toml")] = cage_config
cage_log_path = os.path.join(out, "cage.log")
with open(cage_log_path, "w") as cage_log:
    cage = subprocess.Popen(prefix + mapped + ["--screenshot-dir", shots], env=env, stdout=cage_log,
                            stderr=subprocess.STDOUT)
try:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and not glob.glob(os.path.join(shots, "*start*.png")) and cage.poll() is None:
        time.sleep(0.1)
    shot = glob.glob(os.path.join(shots, "*start*.png"))
    if not shot:
        fail(f"under cage the kiosk showed no start screen within 30 s (exit {cage.poll()}); "
             f"log: {open(cage_log_path).read()[-1500:]}")
    else:
        kept = os.path.join(out, os.path.basename(shot[0]))
        shutil.copy(shot[0], kept)
        print(f"cage + Xwayland + the packaged kiosk show the start screen: {kept}")
        # Stop the kiosk as systemd would; cage then ends by itself.
        kiosk_pids = run(["pgrep", "-P", str(cage.pid)]).stdout.split()
        for pid in kiosk_pids:
            os.kill(int(pid), signal.SIGTERM)
        code = cage.wait(timeout=15)
        if not kiosk_pids or code != 0:
            fail(f"cage did not end cleanly after SIGTERM to the kiosk (pids {kiosk_pids}, exit {code})")
finally:
    if cage.poll() is None:
        cage.kill()
        cage.wait()
    shutil.rmtree(session, ignore_errors=True)

# --- the server unit's command, and an enrolment with the installed config --------------
step("the server unit's ExecStart, and enrolling a kiosk with the installed config")
server_argv = server_exec[0].split()
tls = os.path.join(out, "tls")
made = run([os.path.join(args.source, "scripts/make-dev-tls.sh"), tls])
if made.returncode != 0:
    fail(f"scripts/make-dev-tls.sh failed: {made.stderr}")
store = os.path.join(out, "server-state", "server.db")
os.makedirs(os.path.dirname(store))
replacements = {"/usr/bin/tillit-server": os.path.join(root, "usr/bin/tillit-server"),
                "/var/lib/tillit-server/server.db": store, "0.0.0.0:8443": "127.0.0.1:0",
                "/etc/tillit-server/server.pem": os.path.join(tls, "server.pem"),
                "${CREDENTIALS_DIRECTORY}/server.key": os.path.join(tls, "server.key")}
for word in server_argv:
    if word.startswith("/") or "$" in word or ":" in word:
        if word not in replacements:
            fail(f"the server unit's ExecStart has {word!r}, which this test does not know how to map")
if values(units[SERVER_UNIT], "Service", "LoadCredential") != ["server.key:/etc/tillit-server/server.key"]:
    fail("the server unit must load its key with LoadCredential=server.key:/etc/tillit-server/server.key")
server_cmd = [replacements.get(word, word) for word in server_argv]
server_log = open(os.path.join(out, "server.log"), "w")
server = subprocess.Popen(server_cmd, stdout=subprocess.PIPE, stderr=server_log, text=True)
try:
    first = server.stdout.readline().strip()
    match = re.match(r"^listening on (\S+):(\d+)$", first)
    if not match:
        fail(f"the server unit's command did not start the server: {first!r} (see {server_log.name})")
    else:
        port = match.group(2)
        print(f"{' '.join(server_argv[1:])}\n  -> {first}")
        venue = installed["venue"]["id"]
        enrol = run([server_cmd[0], "enrol", "--store", store, "--venue", venue])
        code = re.search(r"^enrol code: (\S+)", enrol.stdout, re.M)
        if enrol.returncode != 0 or not code:
            fail(f"tillit-server enrol failed: {enrol.stdout}{enrol.stderr}")
        else:
            sync = (f'\n[sync]\nserver_url = "https://127.0.0.1:{port}"\nca_file = "{tls}/ca.pem"\n'
                    f"interval_seconds = 300\n")
            enrol_config = scratch_config("enrol", os.path.join(out, "enrol", "data"), sync)
            enrolled = run([kiosk_binary, "--config", enrol_config, "--enrol", code.group(1)],
                           env=no_display_env(), timeout=60)
            device = re.match(r"^enrolled as (\S+)", enrolled.stdout)
            devices = run([server_cmd[0], "devices", "--store", store]).stdout
            if enrolled.returncode != 0 or not device or device.group(1) not in devices:
                fail(f"enrolling with the installed config failed: exit {enrolled.returncode}, "
                     f"{enrolled.stdout}{enrolled.stderr}; devices: {devices}")
            else:
                print(f"the installed config + [sync] enrolled to the packaged server: {enrolled.stdout.strip()}")
    server.send_signal(signal.SIGTERM)
    if server.wait(timeout=15) != 0:
        fail(f"the server did not stop cleanly on SIGTERM (exit {server.returncode})")
finally:
    if server.poll() is None:
        server.kill()
        server.wait()

# --- the units ---------------------------------------------------------------------------
step("units: settings, systemd-analyze verify, security")
kiosk_unit, server_unit = units[KIOSK_UNIT], units[SERVER_UNIT]
requirements = [
    (kiosk_unit, "Unit", "StartLimitIntervalSec", "0"),
    (kiosk_unit, "Unit", "Conflicts", "getty@tty1.service"),
    (kiosk_unit, "Service", "User", "tillit-kiosk"),
    (kiosk_unit, "Service", "PAMName", "login"),
    (kiosk_unit, "Service", "TTYPath", "/dev/tty1"),
    (kiosk_unit, "Service", "UtmpIdentifier", "tty1"),
    (kiosk_unit, "Service", "Restart", "always"),
    (kiosk_unit, "Service", "RestartSec", "2"),
    (kiosk_unit, "Service", "StateDirectory", "tillit-kiosk"),
    (server_unit, "Service", "User", "tillit-server"),
    (server_unit, "Service", "Restart", "on-failure"),
    (server_unit, "Service", "StateDirectory", "tillit-server"),
    (server_unit, "Service", "NoNewPrivileges", "yes"),
    (server_unit, "Service", "ProtectSystem", "strict"),
    (server_unit, "Service", "ProtectHome", "yes"),
    (server_unit, "Service", "PrivateTmp", "yes"),
]
for unit, section, key, want in requirements:
    if want not in values(unit, section, key):
        name = KIOSK_UNIT if unit is kiosk_unit else SERVER_UNIT
        fail(f"{name}: [{section}] {key}={want} is missing (has {values(unit, section, key)})")
if not any("systemd-user-sessions.service" in v.split() for v in values(kiosk_unit, "Unit", "After")):
    fail(f"{KIOSK_UNIT}: After= must name systemd-user-sessions.service")
if not any(v.startswith("tty") for v in values(kiosk_unit, "Service", "StandardInput")):
    fail(f"{KIOSK_UNIT}: StandardInput= must be the tty")
if STATE != "/var/lib/" + values(kiosk_unit, "Service", "StateDirectory")[0]:
    fail(f"{KIOSK_UNIT}: StateDirectory does not match data_dir {STATE}")

# systemd-analyze verify --root: a root holding the package, this machine's systemd units
# (for sysinit.target, getty@.service, ...) and the cage binary (a dependency of the package).
verify_root = os.path.join(out, "verify-root")
shutil.copytree(root, verify_root, symlinks=True)
unit_dir = os.path.join(verify_root, "lib/systemd/system")
for host_unit in glob.glob("/lib/systemd/system/*"):
    target = os.path.join(unit_dir, os.path.basename(host_unit))
    if not os.path.lexists(target):
        if os.path.isdir(host_unit) and not os.path.islink(host_unit):
            shutil.copytree(host_unit, target, symlinks=True)
        else:
            shutil.copy2(host_unit, target, follow_symlinks=False)
shutil.copy2(shutil.which("cage"), os.path.join(verify_root, "usr/bin/cage"))
for name in [KIOSK_UNIT, SERVER_UNIT]:
    verify = run(["systemd-analyze", "verify", "--man=no", f"--root={verify_root}", name])
    messages = (verify.stdout + verify.stderr).strip()
    if verify.returncode != 0 or messages:
        fail(f"systemd-analyze verify {name}: exit {verify.returncode}: {messages}")
    else:
        counts["units"] += 1
        print(f"systemd-analyze verify {name}: clean")
# The same call does report a broken unit here (so "clean" above means something).
with open(os.path.join(unit_dir, "tillit-negative-control.service"), "w") as f:
    f.write("[Service]\nExecStart=/usr/bin/tillit-server --help\nRestat=always\n")
control_run = run(["systemd-analyze", "verify", "--man=no", f"--root={verify_root}",
                   "tillit-negative-control.service"])
if "Restat" not in control_run.stdout + control_run.stderr:
    fail(f"systemd-analyze verify did not report an unknown key here: {control_run.stderr!r}")
for name, limit in [(SERVER_UNIT, 2.0), (KIOSK_UNIT, None)]:
    security = run(["systemd-analyze", "security", "--offline=yes", f"--root={verify_root}", name])
    score = re.search(r"Overall exposure level for \S+: ([\d.]+) (\S+)", security.stdout)
    if not score:
        fail(f"systemd-analyze security {name}: no score: {security.stdout[-300:]}{security.stderr}")
        continue
    print(f"systemd-analyze security {name}: {score.group(1)} {score.group(2)}"
          + ("" if limit else " (a compositor needs the GPU, input devices and the network)"))
    if limit and float(score.group(1)) > limit:
        fail(f"{name}: exposure {score.group(1)} is above {limit}; the hardening was weakened")

# --- sysusers.d ---------------------------------------------------------------------------
step("systemd-sysusers")
sysusers_root = os.path.join(out, "sysusers-root")
os.makedirs(os.path.join(sysusers_root, "etc"))
created = run(["systemd-sysusers", f"--root={sysusers_root}",
               os.path.join(root, "usr/lib/sysusers.d/tillit-kiosk.conf")])
if created.returncode != 0:
    fail(f"systemd-sysusers: {created.stderr}")
else:
    passwd = {line.split(":")[0]: line.split(":") for line in open(os.path.join(sysusers_root, "etc/passwd"))}
    groups = {line.split(":")[0]: line.strip().split(":")[3].split(",")
              for line in open(os.path.join(sysusers_root, "etc/group"))}
    for unit, name in [(kiosk_unit, KIOSK_UNIT), (server_unit, SERVER_UNIT)]:
        for key in ["User", "Group"]:
            for who in values(unit, "Service", key):
                if (key == "User" and who not in passwd) or (key == "Group" and who not in groups):
                    fail(f"{name}: {key}={who} is not created by the sysusers.d file")
    for group in ["video", "input", "render"]:
        if "tillit-kiosk" not in groups.get(group, []):
            fail(f"tillit-kiosk is not in the {group} group: {groups.get(group)}")
    for user, home in [("tillit-kiosk", STATE), ("tillit-server", "/var/lib/tillit-server")]:
        if user in passwd and passwd[user][5] != home:
            fail(f"{user}'s home is {passwd[user][5]}, expected {home}")
    print("users tillit-kiosk (video, input, render) and tillit-server")

# --- lintian, when present ------------------------------------------------------------------
if shutil.which("lintian"):
    step("lintian (informational)")
    lint = run(["lintian", "--no-tag-display-limit", deb], timeout=300)
    print(lint.stdout + lint.stderr)
else:
    print("lintian is not installed; skipped (not required)")

finish()
