#!/usr/bin/env bash
# The GUI's scenario runner vs the CLI, the same run against the same server: 3,000
# requests at concurrency 16 to /status/200 of one `sluice-cli serve`, 5 alternating
# rounds (GUI, CLI, GUI, CLI…), median of each. Each side times itself from its first
# request to its last response (the runner's own clock; the CLI's summary seconds), so
# window creation is not counted. The server is pinned like every bench server
# (lib.sh); the GUI and the CLI, both clients of it, are not pinned.
# Goal: GUI <= 2x the CLI's time.  Usage: gui_scenario_bench.sh BUILD_DIR
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=$(cd "${1:-build}" && pwd)
source "$here/lib.sh"
gui="$build/tests/ui_test_scenario_pace"
cli="$build/sluice-cli"
[ -x "$gui" ] || { echo "gui_scenario_bench: $gui is missing (build with the UI)" >&2; exit 1; }
requests=${BENCH_SCENARIO_REQUESTS:-3000}
rounds=${BENCH_ROUNDS:-5}
tmp=$(mktemp -d)
start_sluice "$cli" --quiet
trap 'stop_pid $SLUICE_PID; rm -rf "$tmp"' EXIT
url="http://127.0.0.1:$SLUICE_PORT/status/200"
gui_ms=() cli_ms=()
for r in $(seq "$rounds"); do
  out=$(QT_QPA_PLATFORM=offscreen SLUICE_SCENARIO_REQUESTS=$requests SLUICE_SCENARIO_URL="$url" SLUICE_TEST_TMP="$tmp" \
        HOME="$tmp" XDG_CONFIG_HOME="$tmp" XDG_DATA_HOME="$tmp" "$gui" 2>&1) || { echo "$out"; exit 1; }
  gui_ms+=("$(printf '%s\n' "$out" | sed -n 's/.*GUI scenario: .* in \([0-9]*\) ms.*/\1/p' | head -1)")
  secs=$("$cli" request --json --repeat "$requests" --concurrency 16 "$url" 2>/dev/null | tail -1 |
         sed -n 's/.*"seconds":\([0-9.e-]*\).*/\1/p')
  cli_ms+=("$(awk -v s="$secs" 'BEGIN{printf "%.1f", s*1000}')")
  echo "round $r: GUI ${gui_ms[-1]} ms, CLI ${cli_ms[-1]} ms"
done
g=$(printf '%s\n' "${gui_ms[@]}" | median)
c=$(printf '%s\n' "${cli_ms[@]}" | median)
echo "RESULT gui-scenario requests=$requests concurrency=16 gui-ms=$g cli-ms=$c gui/cli=$(awk -v g="$g" -v c="$c" 'BEGIN{printf "%.2f", g/c}')x (goal: <= 2x; median of $rounds alternating rounds; server pinned, clients not)"
