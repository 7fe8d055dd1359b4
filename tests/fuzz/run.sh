#!/usr/bin/env bash
# Runs every fuzz target for SECONDS each. Usage: run.sh FUZZ_BUILD_DIR SECONDS
# Prints the number of runs per target; a finding stops with its reproducer.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=$(cd "$1" && pwd)
secs=${2:-60}
status=0
for bin in "$build"/tests/fuzz/fuzz_*; do
  [ -x "$bin" ] || continue
  name=$(basename "$bin"); target=${name#fuzz_}
  work=$(mktemp -d)
  [ -d "$here/corpus/$target" ] && cp -r "$here/corpus/$target/." "$work/"
  log="$build/$name.log"
  if "$bin" -max_total_time="$secs" -print_final_stats=1 -artifact_prefix="$build/$name-" "$work" >"$log" 2>&1; then
    runs=$(awk -F: '/stat::number_of_executed_units/ {gsub(/ /,"",$NF); print $NF}' "$log")
    echo "$name: ${runs:-?} runs in ${secs}s, no finding"
  else
    echo "$name: FINDING (see $log and $build/$name-*)"; tail -20 "$log"; status=1
  fi
  rm -rf "$work"
done
exit $status
