#!/usr/bin/env bash
# Installs, from Debian 12's archive, whatever the build, the app and the tests need
# and the machine does not have yet. Idempotent; needs root or sudo only when
# something is missing.
set -euo pipefail

packages=(
  # build
  build-essential cmake pkg-config
  # libraries (see README: Dependencies)
  libimgui-dev libstb-dev libglfw3-dev libgl-dev libx11-dev libxext-dev libsqlite3-dev libsodium-dev
  nlohmann-json3-dev libtomlplusplus-dev doctest-dev
  zlib1g-dev libcurl4-openssl-dev libssl-dev libcpp-httplib-dev libpq-dev libqrencode-dev
  # text in every script: shaping, bidi, rasterising
  libharfbuzz-dev libfribidi-dev libfreetype-dev
  # read-aloud (platform/speech.*): espeak-ng's voices, its own small audio output, and
  # ALSA's header only to keep libasound's error lines off stderr without a sound card
  libespeak-ng-dev espeak-ng libpcaudio-dev libasound2-dev
  # workshop summaries as PDF (core/workshop_export.*)
  libcairo2-dev
  # run time: fonts and a software OpenGL for machines without a GPU
  fonts-noto-core libgl1-mesa-dri libglx-mesa0
  # tests: a virtual X server, real input events, catalog checks, the test driver
  xvfb xdotool gettext python3
  # workshop tests read the PDF back (pdftotext)
  poppler-utils
  # text test: hb-view, HarfBuzz's reference renderer
  libharfbuzz-bin
  # GUI lockdown test: a real window manager (Alt+F4, Alt+Tab, close requests), wmctrl to
  # ask it to close the kiosk, xmessage (x11-utils) as a window that steals focus
  openbox wmctrl x11-utils
  # sync tests: a real PostgreSQL server and openssl to make a test CA
  postgresql openssl
  # package test (tests/package): dpkg-shlibdeps computes the .deb's Depends
  dpkg-dev
  # package test: systemd-analyze verify/security and systemd-sysusers on the units
  systemd
  # package test: the kiosk unit's command runs under cage (and verify needs /usr/bin/cage)
  cage
  # package test: cage's X11 server for the kiosk (GLFW is X11-only on Debian 12)
  xwayland
  # package test: pgrep finds the kiosk under cage to stop it
  procps
  # fuzz tests (tests/fuzz/run.sh): libFuzzer needs clang and its runtime (compiler-rt)
  clang libclang-rt-14-dev
  # report test (tests/report): the report page in headless Chromium (test only)
  chromium
  # clock test (tests/faults): libfaketime moves the kiosk process's wall clock (test only)
  faketime
)

missing=()
for package in "${packages[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$package" 2>/dev/null || true)
  [[ "$status" == "install ok installed" ]] || missing+=("$package")
done
if ((${#missing[@]} == 0)); then
  exit 0
fi

echo "install-deps: installing ${missing[*]}"
sudo=()
if [[ $(id -u) -ne 0 ]]; then sudo=(sudo); fi
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -qq
"${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
