#!/usr/bin/env bash
# GUI responsiveness during a 2 GiB download through the window (offscreen): the
# longest gap between 10 ms timer ticks on the GUI thread. Goal: <= 50 ms.
# Usage: gui_bench.sh BUILD_DIR
set -euo pipefail
build=$(cd "${1:-build}" && pwd)
bin="$build/tests/ui_test_request_panel"
[ -x "$bin" ] || { echo "gui_bench: $bin is missing (build with the UI)" >&2; exit 1; }
bytes=${BENCH_GUI_BYTES:-2147483648}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
out=$(QT_QPA_PLATFORM=offscreen SLUICE_GUI_BENCH_BYTES=$bytes HOME="$tmp" XDG_CONFIG_HOME="$tmp" XDG_DATA_HOME="$tmp" \
      "$bin" bigDownloadKeepsTheWindowResponsive 2>&1) || { echo "$out"; exit 1; }
line=$(printf '%s\n' "$out" | grep 'longest event-loop gap' | head -1)
echo "$line"
gap=$(printf '%s\n' "$line" | sed -n 's/.*longest event-loop gap \([0-9]*\) ms.*/\1/p')
ms=$(printf '%s\n' "$line" | sed -n 's/.*download: \([0-9]*\) ms.*/\1/p')
echo "RESULT gui-download bytes=$bytes max-gap-ms=$gap seconds=$(awk -v m="$ms" 'BEGIN{printf "%.2f", m/1000}') (goal: max gap <= 50 ms)"
