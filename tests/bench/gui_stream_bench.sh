#!/usr/bin/env bash
# The stream view under 10,000 server-sent events per second for 30 s (offscreen, the
# window's embedded server): the longest gap between 10 ms timer ticks on the GUI thread
# (goal <= 50 ms), and every event counted. Usage: gui_stream_bench.sh BUILD_DIR
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib.sh"
build=$(cd "${1:-build}" && pwd)
seconds=${BENCH_GUI_STREAM_SECONDS:-30}
out=$(run_offscreen_test "$build/tests/ui_test_stream_view" tenThousandEventsPerSecondKeepTheWindowResponsive \
      SLUICE_GUI_STREAM_SECONDS="$seconds") || { echo "$out"; exit 1; }
line=$(printf '%s\n' "$out" | grep 'longest event-loop gap' | head -1)
echo "$line"
gap=$(printf '%s\n' "$line" | sed -n 's/.*longest event-loop gap \([0-9]*\) ms.*/\1/p')
events=$(printf '%s\n' "$line" | sed -n 's/.*: \([0-9]*\) events in.*/\1/p')
counted=$(printf '%s\n' "$line" | sed -n 's/.* \([0-9]*\) counted.*/\1/p')
echo "RESULT gui-stream events=$events counted=$counted seconds=$seconds max-gap-ms=$gap (goal: max gap <= 50 ms, every event counted)"
