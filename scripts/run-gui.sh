#!/usr/bin/env bash
# Starts the Sluice GUI from a build folder: ./scripts/run-gui.sh BUILD_DIR [sluice options]
# With no display (no DISPLAY or WAYLAND_DISPLAY), runs under a virtual X server and says so.
set -euo pipefail
build="${1:-build}"
shift || true
app="$build/sluice"
if [ ! -x "$app" ]; then
  echo "run-gui: $app not found; build first (make build, with the Qt Widgets GUI enabled)" >&2
  exit 1
fi
if [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ]; then
  if ! command -v xvfb-run >/dev/null 2>&1; then
    echo "run-gui: no display (DISPLAY and WAYLAND_DISPLAY are empty) and xvfb-run is missing; run 'make deps'" >&2
    exit 1
  fi
  echo "run-gui: no display found; running under a virtual X server (xvfb-run). The window is not visible;"
  echo "         use 'make screenshots' to see it, or run from a desktop session."
  exec xvfb-run -a -s "-screen 0 1280x800x24" "$app" "$@"
fi
exec "$app" "$@"
