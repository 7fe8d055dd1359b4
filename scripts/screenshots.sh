#!/usr/bin/env bash
# Saves PNG screenshots of each area of the GUI into docs/screenshots/:
#   ./scripts/screenshots.sh BUILD_DIR
# Starts sluice under a virtual X server (1280x800), runs a short scripted session
# (a download, scenarios with release and leak, uploads to a buffered and a stream
# server, an https request to a TLS server) and grabs window.png, request.png,
# pool.png, servers.png and connection.png.
set -euo pipefail
build="${1:-build}"
root="$(cd "$(dirname "$0")/.." && pwd)"
out="$root/docs/screenshots"
app="$build/sluice"
[ -x "$app" ] || { echo "screenshots: $app not found; build first" >&2; exit 1; }
command -v xvfb-run >/dev/null || { echo "screenshots: xvfb-run is missing; run 'make deps'" >&2; exit 1; }
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$out"
# A private history and settings, so the shots do not depend on (or change) the user's.
export SLUICE_HISTORY_FILE="$tmp/history.json"
export XDG_CONFIG_HOME="$tmp/config" XDG_DATA_HOME="$tmp/data"
timeout 180 xvfb-run -a -s "-screen 0 1280x800x24" \
  "$app" --listen 127.0.0.1:0 --no-restore --screenshot-tour "$out"
ls -l "$out"/*.png
