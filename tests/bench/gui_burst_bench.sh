#!/usr/bin/env bash
# GUI under a burst (offscreen): 200,000 requests at concurrency 64 against the window's
# embedded server. Prints the longest GUI-thread stall (gap between 10 ms timer ticks),
# the Servers header's total and the idle CPU 1 s after. Goals: stall <= 100 ms,
# total 200000, idle ~0%.
# Usage: gui_burst_bench.sh BUILD_DIR
set -euo pipefail
build=$(cd "${1:-build}" && pwd)
bin="$build/tests/ui_test_servers_burst"
[ -x "$bin" ] || { echo "gui_burst_bench: $bin is missing (build with the UI)" >&2; exit 1; }
requests=${BENCH_GUI_BURST_REQUESTS:-200000}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
out=$(QT_QPA_PLATFORM=offscreen SLUICE_GUI_BURST_REQUESTS=$requests SLUICE_TEST_TMP="$tmp" HOME="$tmp" \
      XDG_CONFIG_HOME="$tmp" XDG_DATA_HOME="$tmp" \
      "$bin" embeddedServerBurstKeepsTheWindowResponsive 2>&1) || { echo "$out"; exit 1; }
line=$(printf '%s\n' "$out" | grep 'GUI burst:' | head -1)
echo "$line"
stall=$(printf '%s\n' "$line" | sed -n 's/.*longest GUI-thread stall \([0-9]*\) ms.*/\1/p')
echo "RESULT gui-burst requests=$requests max-stall-ms=$stall (goal: <= 100 ms)"
