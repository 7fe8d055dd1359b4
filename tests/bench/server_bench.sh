#!/usr/bin/env bash
# Server benchmarks (issue 2): small requests vs nginx, a 4 GiB upload vs a raw TCP copy,
# and callgrind instructions per request. Usage: server_bench.sh BUILD_DIR
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib.sh"
build=$(cd "${1:-build}" && pwd)
cli=$build/sluice-cli
bench_need nginx wrk h2load curl valgrind taskset python3
work=$(mktemp -d /tmp/sluice-bench.XXXXXX)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT
rounds=${BENCH_ROUNDS:-3}
secs=${BENCH_SECONDS:-5}
body='{"status":200}\n'

echo "## Small requests: wrk -t1 -c50 -d${secs}s, 1 worker each, server on CPU 0, wrk on CPU 1"
nport=$(free_port)
start_nginx "$work/nginx" "$nport" "server { listen 127.0.0.1:$nport; location / { default_type application/json; return 200 '$body'; } }"
ngx_pid=$NGINX_PID
taskset -pc 0 "$ngx_pid" >/dev/null; for c in $(pgrep -P "$ngx_pid"); do taskset -pc 0 "$c" >/dev/null; done
start_sluice "$cli" --workers 1 --quiet
sl_pid=$SLUICE_PID; sl_port=$SLUICE_PORT
taskset -apc 0 "$sl_pid" >/dev/null
s_all=(); n_all=()
for r in $(seq 1 "$rounds"); do
  s=$(taskset -c 1 wrk -t1 -c50 -d"${secs}s" "http://127.0.0.1:$sl_port/status/200" | awk '/Requests\/sec/ {print $2}')
  n=$(taskset -c 1 wrk -t1 -c50 -d"${secs}s" "http://127.0.0.1:$nport/status/200" | awk '/Requests\/sec/ {print $2}')
  echo "round $r: sluice $s req/s, nginx $n req/s"
  s_all+=("$s"); n_all+=("$n")
done
s_med=$(printf '%s\n' "${s_all[@]}" | median); n_med=$(printf '%s\n' "${n_all[@]}" | median)
echo "RESULT small-requests sluice=${s_med} nginx=${n_med} ratio=$(ratio "$s_med" "$n_med") (goal >= 1.2)"
stop_pid "$sl_pid"; stop_pid "$ngx_pid"

echo
echo "## 4 GiB upload to /sink with curl -T vs a raw loopback TCP copy"
size=${BENCH_UPLOAD_BYTES:-4294967296}
truncate -s "$size" "$work/upload.bin"
cat "$work/upload.bin" >/dev/null  # page cache warm for both runs (sparse: costs no disk)
start_sluice "$cli" --workers 1 --quiet
sl_pid=$SLUICE_PID; sl_port=$SLUICE_PORT
base=$(rss_kib "$sl_pid")
up=$(curl -s -o /dev/null -w '%{speed_upload}' -T "$work/upload.bin" "http://127.0.0.1:$sl_port/sink")
peak=$(peak_rss_kib "$sl_pid")
stop_pid "$sl_pid"
raw=$("$build/tests/bench/bench_tcp_copy" "$work/upload.bin" | awk '{print $3}')
echo "sluice /sink: $(awk -v b="$up" 'BEGIN{printf "%.0f MB/s", b/1e6}'), server RSS ${base} KiB at start, peak ${peak} KiB (growth $((peak - base)) KiB)"
echo "raw TCP copy: $(awk -v b="$raw" 'BEGIN{printf "%.0f MB/s", b/1e6}')"
echo "RESULT upload-4g sluice=${up} raw=${raw} ratio=$(ratio "$up" "$raw") rss_growth_kib=$((peak - base)) (goal >= 0.9, flat RSS)"
rm -f "$work/upload.bin"

echo
echo "## callgrind: instructions per small request, server side (h2load --h1 -c10)"
count() {  # count N -> total instructions for a server run serving N requests
  local n=$1 out="$work/cg.$1"
  valgrind --tool=callgrind --callgrind-out-file="$out" "$cli" serve --listen 127.0.0.1:0 --quiet >"$work/cg.log.$n" 2>/dev/null &
  local pid=$!
  for _ in $(seq 1 200); do grep -q '^listening on ' "$work/cg.log.$n" 2>/dev/null && break; sleep 0.05; done
  local port; port=$(sed -n 's#^listening on http://127.0.0.1:\([0-9]*\)$#\1#p' "$work/cg.log.$n")
  if [ "$n" -gt 0 ]; then h2load --h1 -n "$n" -c 10 "http://127.0.0.1:$port/status/200" >/dev/null; fi
  kill -TERM "$pid"; wait "$pid" 2>/dev/null || true
  awk '/^summary:|^totals:/ {print $2; exit}' "$out"
}
requests=${BENCH_CG_REQUESTS:-20000}
idle=$(count 0)
busy=$(count "$requests")
per=$(( (busy - idle) / requests ))
echo "RESULT callgrind-per-request instructions=${per} (startup and shutdown subtracted: ${busy} - ${idle} over ${requests} requests; goal <= 10000)"
