#!/usr/bin/env bash
# The slow-reader attack (issue 14 #6): CLIENTS connections with a 1 KiB receive buffer each
# ask for /bytes/1073741824 and never read. Meanwhile 20 normal requests (curl) are timed,
# and the server's RSS is sampled. Prints worst and median normal latency, and RSS before,
# at the peak during the attack, and after it (once the attackers closed and the server
# trimmed). Run twice: with the default memory trim and with --memory-trim 0, to show which
# gives memory back. Usage: slow_readers.sh BUILD_DIR [CLIENTS]
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
build=${1:-build}
clients=${2:-1000}
cli="$build/sluice-cli"
bench_need curl python3
[ -x "$cli" ] || { echo "bench: $cli is missing (build sluice-cli first)" >&2; exit 1; }
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
[ "$(ulimit -n)" -ge $((clients + 100)) ] || { echo "bench: ulimit -n is below $((clients + 100)); raise the hard limit" >&2; exit 1; }

one_run() {  # label, extra serve args...
  local label=$1; shift
  start_sluice "$cli" --quiet --max-connections $((clients + 100)) "$@"
  local pid=$SLUICE_PORT; pid=$SLUICE_PID
  curl -s -o /dev/null "http://127.0.0.1:$SLUICE_PORT/status/200"
  local rss0; rss0=$(rss_kib "$pid")
  local fifo; fifo=$(mktemp -u); mkfifo "$fifo"
  local out; out=$(mktemp)
  python3 "$here/slow_reader_attack.py" --port "$SLUICE_PORT" --clients "$clients" <"$fifo" >"$out" &
  local attacker=$!
  exec 7>"$fifo"  # holds the attacker's stdin open; closing it ends the attack
  for _ in $(seq 1 600); do grep -q '^ready' "$out" && break; sleep 0.05; done
  local ready; ready=$(sed -n 's/^ready //p' "$out")
  local peak=$rss0 lat=()
  for _ in $(seq 1 20); do
    lat+=("$(curl -s -o /dev/null -m 10 -w '%{time_total}' "http://127.0.0.1:$SLUICE_PORT/status/200" || echo 10)")
    local r; r=$(rss_kib "$pid"); [ "$r" -gt "$peak" ] && peak=$r
    sleep 0.1
  done
  exec 7>&-
  wait "$attacker" 2>/dev/null || true
  # The connections close at once; the trim follows its delay (1 s by default).
  sleep 2.5
  local rss1; rss1=$(rss_kib "$pid")
  stop_pid "$pid"
  rm -f "$fifo" "$out"
  echo "latencies (s): ${lat[*]}"
  local ms; ms=$(printf '%s\n' "${lat[@]}" | awk '{printf "%.1f\n", $1 * 1000}')
  local worst; worst=$(printf '%s\n' "$ms" | sort -n | tail -1)
  local med; med=$(printf '%s\n' "$ms" | median)
  # The first sample starts while the server may still be accepting the attackers (FIFO
  # accept queue): it is reported apart from the worst of the other 19 (the attack held).
  local first; first=$(printf '%s\n' "$ms" | head -1)
  local held; held=$(printf '%s\n' "$ms" | tail -n +2 | sort -n | tail -1)
  printf 'RESULT slow_readers %s: %s of %s attackers connected; normal request (20 samples) median %s ms, worst %s ms (first %s ms, worst of the rest %s ms); RSS before %.1f MiB, peak %.1f MiB, after %.1f MiB\n' \
    "$label" "${ready:-0}" "$clients" "$med" "$worst" "$first" "$held" "$(awk -v k="$rss0" 'BEGIN{print k/1024}')" \
    "$(awk -v k="$peak" 'BEGIN{print k/1024}')" "$(awk -v k="$rss1" 'BEGIN{print k/1024}')"
}

echo "load before: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores"
one_run "trim on (default)"
[ "${SLOW_READERS_ONLY_DEFAULT:-0}" = 1 ] || one_run "trim off (--memory-trim 0)" --memory-trim 0
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
