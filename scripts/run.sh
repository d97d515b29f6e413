#!/usr/bin/env bash
# Installs what is missing, builds, and runs the whole system on this machine: the
# reference server (embedded SQLite, HTTPS on 127.0.0.1:8443 with a throwaway local
# CA) and a kiosk enrolled to it, syncing every 30 s, so an answer travels end to end.
# Windowed by default so a developer's desktop stays usable; --fullscreen for the real
# kiosk (which quits only from the admin screen). State lives in build/run/.
set -euo pipefail
cd "$(dirname "$0")/.."
src=$(pwd)

scripts/install-deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build -j"$(nproc)" --target tillit-kiosk tillit-server

mode=(--windowed 1600x900)
if [[ "${1:-}" == "--fullscreen" ]]; then
  mode=()
  echo "run: full-screen kiosk; quit from the admin screen (hold the top-left corner 3 s, PIN 1234)"
fi
if [[ -z "${DISPLAY:-}" && -z "${WAYLAND_DISPLAY:-}" ]]; then
  echo "run: no DISPLAY or WAYLAND_DISPLAY; run this from a desktop session" >&2
  exit 2
fi

run=$src/build/run
store=$run/server.db
mkdir -p "$run"
scripts/make-dev-tls.sh "$run/tls"

# The server, on loopback only.
build/tillit-server serve --store "$store" --listen 127.0.0.1:8443 \
  --tls-cert "$run/tls/server.pem" --tls-key "$run/tls/server.key" > "$run/server.out" 2> "$run/server.log" &
server_pid=$!
trap 'kill "$server_pid" 2>/dev/null; wait "$server_pid" 2>/dev/null || true' EXIT
for _ in $(seq 100); do
  grep -q "^listening on" "$run/server.out" 2>/dev/null && break
  kill -0 "$server_pid" 2>/dev/null || { echo "run: the server did not start; see $run/server.log" >&2; exit 1; }
  sleep 0.1
done
echo "run: server listening on https://127.0.0.1:8443 (log: $run/server.log)"
# The municipality's surveys live on the server; kiosks pull them when they change.
for survey in kiosk-config/surveys/*.toml; do
  build/tillit-server put-survey --store "$store" "$survey" >/dev/null
done

# The example kiosk config, with absolute paths and a [sync] section for this server.
sed -e "s|^surveys_dir = .*|surveys_dir = \"$src/kiosk-config/surveys\"|" \
    -e "s|^translations_dir = .*|translations_dir = \"$src/translations\"|" \
    kiosk-config/kiosk.toml > "$run/kiosk.toml"
cat >> "$run/kiosk.toml" <<TOML

[sync]
server_url = "https://127.0.0.1:8443"
ca_file = "$run/tls/ca.pem"
interval_seconds = 30
TOML

# Demo staff PINs for this copy of the config (a real kiosk sets its own with --set-pin).
printf '1234\n1234\n' | build/tillit-kiosk --config "$run/kiosk.toml" --set-pin admin >/dev/null
printf '5678\n5678\n' | build/tillit-kiosk --config "$run/kiosk.toml" --set-pin facilitator >/dev/null
echo "run: staff mode: hold the top-left corner of the start screen for 3 s; PIN admin 1234, facilitator 5678"

# Enrol the kiosk once, with a one-time code from the server's admin CLI.
if [[ ! -f "$run/kiosk-data/.enrolled" ]]; then
  code=$(build/tillit-server enrol --store "$store" --venue exempel-medborgarkontor | awk '/^enrol code:/ {print $3}')
  build/tillit-kiosk --config "$run/kiosk.toml" --data-dir "$run/kiosk-data" --enrol "$code"
  touch "$run/kiosk-data/.enrolled"
fi

status=0
build/tillit-kiosk --config "$run/kiosk.toml" --data-dir "$run/kiosk-data" "${mode[@]}" || status=$?
echo "run: the server now holds:"
build/tillit-server devices --store "$store" || true
echo "run: export with: build/tillit-server export --store $store --format csv"
exit "$status"
