#!/usr/bin/env bash
# make bench: every benchmark, each against its peer in the same run. Usage: run.sh BUILD_DIR
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=${1:-build}
out="$build/bench-results.txt"
: >"$out"
status=0
for script in server_bench.sh upload_bench.sh slow_readers.sh client_bench.sh tls_bench.sh compressed_bench.sh gui_bench.sh \
    gui_burst_bench.sh gui_scenario_bench.sh; do
  [ -x "$here/$script" ] || continue
  echo "=== $script ===" | tee -a "$out"
  "$here/$script" "$build" 2>&1 | tee -a "$out" || status=1
  echo | tee -a "$out"
done
echo "Results in $out; the RESULT lines are the figures for docs/performance.md."
exit $status
