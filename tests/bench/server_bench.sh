#!/usr/bin/env bash
# Server benchmarks (issues 2 and 15): small requests vs nginx, a 4 GiB upload to /sink vs a raw
# TCP copy, and the figures that do not move with load: callgrind instructions and strace system
# calls per request. Usage: server_bench.sh BUILD_DIR
#   env: BENCH_ROUNDS (5), BENCH_SECONDS (5), BENCH_UPLOAD_BYTES (4 GiB), BENCH_CG_REQUESTS (20000),
#        SLUICE_ARGS (extra 'serve' flags)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib.sh"
build=$(cd "${1:-build}" && pwd)
cli=$build/sluice-cli
bench_need nginx wrk h2load curl valgrind strace taskset python3
work=$(mktemp -d /tmp/sluice-bench.XXXXXX)
trap 'kill $(jobs -p) 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$work"' EXIT
secs=${BENCH_SECONDS:-5}
body='{"status":200}\n'
extra=(${SLUICE_ARGS:-})
ngx_conf() { echo "server { listen 127.0.0.1:$1; location / { default_type application/json; return 200 '$body'; } }"; }

echo "## Small requests: wrk -t1 -c50 -d${secs}s, 1 worker each, /status/200 vs nginx return 200 (same body); sluice on io_uring and on epoll"
nport=$(free_port)
start_nginx "$work/nginx" "$nport" "$(ngx_conf "$nport")"
ngx_pid=$NGINX_PID
start_sluice "$cli" --workers 1 --quiet --io uring "${extra[@]}"
sl_pid=$SLUICE_PID; sl_port=$SLUICE_PORT
start_sluice "$cli" --workers 1 --quiet --io epoll "${extra[@]}"
ep_pid=$SLUICE_PID; ep_port=$SLUICE_PORT
ngx_worker=$(pgrep -P "$ngx_pid" | head -1)
# wrk_rps PORT PID: "requests per second, requests per second of the server's CPU". The second
# figure is what the server can do: with one core each, wrk itself runs at 100 % of its core
# and sets the pace for any server at least as fast as nginx.
wrk_rps() {
  local t0 t1 out; t0=$(cpu_ticks "$2")
  out=$("${PIN_LOAD[@]}" wrk -t1 -c50 -d"${secs}s" "http://127.0.0.1:$1/status/200")
  t1=$(cpu_ticks "$2")
  awk -v a="$t0" -v b="$t1" -v hz="$(getconf CLK_TCK)" '/requests in/ {n = $1} /Requests\/sec/ {r = $2}
    END { printf "%s %.0f", r, (b > a) ? n * hz / (b - a) : 0 }' <<<"$out"
}
sluice() { wrk_rps "$sl_port" "$sl_pid"; }
sluice_epoll() { wrk_rps "$ep_port" "$ep_pid"; }
nginx_() { wrk_rps "$nport" "$ngx_worker"; }
alternate sluice nginx_ sluice_epoll
echo "RESULT small-requests sluice=${MEDIANS[0]} nginx=${MEDIANS[1]} ratio=$(ratio "${MEDIANS[0]}" "${MEDIANS[1]}") req/s (io_uring; $(rounds_note); goal >= 1.2)"
echo "RESULT small-requests-per-server-cpu sluice=${MEDIANS2[0]} nginx=${MEDIANS2[1]} ratio=$(ratio "${MEDIANS2[0]}" "${MEDIANS2[1]}") epoll=${MEDIANS2[2]} ratio_epoll=$(ratio "${MEDIANS2[2]}" "${MEDIANS2[1]}") requests per server CPU second (io_uring; the same rounds)"
echo "RESULT small-requests-epoll sluice=${MEDIANS[2]} nginx=${MEDIANS[1]} ratio=$(ratio "${MEDIANS[2]}" "${MEDIANS[1]}") req/s uring_vs_epoll=$(ratio "${MEDIANS[0]}" "${MEDIANS[2]}") ($(rounds_note))"
stop_pid "$sl_pid"; stop_pid "$ep_pid"; stop_pid "$ngx_pid"

echo
size=${BENCH_UPLOAD_BYTES:-4294967296}
echo "## $((size >> 20)) MiB upload to /sink (splice on, the default) vs a raw loopback TCP copy, the same sender (bench_tcp_copy: 64 KiB reads and writes, the body as a Content-Length PUT), with curl -T, and with --sink-splice off"
truncate -s "$size" "$work/upload.bin"
cat "$work/upload.bin" >/dev/null  # page cache warm for both runs (sparse: costs no disk)
# The default server splices /sink bodies to /dev/null (--sink-splice on); a second one reads them (off).
start_sluice "$cli" --workers 1 --quiet "${extra[@]}"
sl_pid=$SLUICE_PID; sl_port=$SLUICE_PORT
base=$(rss_kib "$sl_pid")
start_sluice "$cli" --workers 1 --quiet --sink-splice off "${extra[@]}"
off_pid=$SLUICE_PID; off_port=$SLUICE_PORT
# copy_speed [PORT PATH] : "bytes_per_second cpu_ms_per_GiB" of bench_tcp_copy (the sender; in the raw
# copy, without a port, the sender and the reader).
copy_speed() {
  local out; out=$(/usr/bin/time -o "$work/copy.time" -f '%U %S' "$build/tests/bench/bench_tcp_copy" "$work/upload.bin" \
    "$BENCH_SERVER_CPU" "$BENCH_LOAD_CPU" "$@") || { echo "bench: bench_tcp_copy failed" >&2; exit 1; }
  awk -v o="$out" -v b="$size" '{ split(o, f, " "); printf "%s %.0f", f[3], ($1 + $2) * 1000 * 1073741824 / b }' "$work/copy.time"
}
sink() { copy_speed "$sl_port" /sink; }
sink_off() { copy_speed "$off_port" /sink; }
raw() { copy_speed; }
sink_curl() {
  local out; out=$("${PIN_LOAD[@]}" curl -sS -o /dev/null -w '%{http_code} %{speed_upload}' -T "$work/upload.bin" "http://127.0.0.1:$sl_port/sink")
  [ "${out%% *}" = 200 ] || { echo "bench: /sink answered ${out%% *}" >&2; exit 1; }
  echo "${out#* }"
}
alternate sink raw sink_curl sink_off
peak=$(peak_rss_kib "$sl_pid")
stop_pid "$sl_pid"; stop_pid "$off_pid"
echo "RESULT upload-sink sluice=${MEDIANS[0]} raw=${MEDIANS[1]} ratio=$(ratio "${MEDIANS[0]}" "${MEDIANS[1]}") B/s rss_growth_kib=$((peak - base)) curl_T=${MEDIANS[2]} sluice_splice_off=${MEDIANS[3]} ratio_splice_off=$(ratio "${MEDIANS[3]}" "${MEDIANS[1]}") ($(rounds_note); sluice splices the body to /dev/null (--sink-splice on, the default); the same sender for sluice and raw; goal >= 0.9, flat RSS)"
rm -f "$work/upload.bin"

echo
requests=${BENCH_CG_REQUESTS:-20000}
echo "## Per request, server side, h2load --h1 -n $requests -c 10 /status/200 (startup and shutdown subtracted), both backends"
for io in uring epoll; do
  idle=$(cg_instructions "$cli" "$work" 0 http /status/200 --io "$io" "${extra[@]}")
  busy=$(cg_instructions "$cli" "$work" "$requests" http /status/200 --io "$io" "${extra[@]}")
  echo "RESULT callgrind-per-request-$io instructions=$(( (busy - idle) / requests )) (${busy} - ${idle} over ${requests} requests; goal <= 10000)"
done

# strace_calls N START... -> system calls (every thread and child) of a server run serving N requests
strace_calls() {
  local n=$1 port=$2; shift 2
  local out="$work/st.$n.$port"
  strace -f -c -o "$out" "$@" >/dev/null 2>&1 &
  local spid=$!
  for _ in $(seq 1 200); do curl -s -o /dev/null "http://127.0.0.1:$port/status/200" && break; sleep 0.05; done
  if [ "$n" -gt 0 ]; then h2load --h1 -n "$n" -c 10 "http://127.0.0.1:$port/status/200" >/dev/null; fi
  local child; child=$(pgrep -P "$spid" | head -1)
  kill -TERM "$child" 2>/dev/null || true
  for _ in $(seq 1 100); do [ -s "$out" ] && grep -q ' total$' "$out" && break; sleep 0.05; done
  wait "$spid" 2>/dev/null || true
  awk '$NF == "total" {print $4}' "$out"
}
per_req() { awk -v a="$1" -v b="$2" -v n="$3" 'BEGIN { printf "%.2f", (a - b) / n }'; }
declare -A per_io
for io in uring epoll; do
  sport=$(free_port)
  s_idle=$(strace_calls 0 "$sport" "$cli" serve --listen "127.0.0.1:$sport" --quiet --io "$io" "${extra[@]}")
  s_busy=$(strace_calls "$requests" "$sport" "$cli" serve --listen "127.0.0.1:$sport" --quiet --io "$io" "${extra[@]}")
  per_io[$io]=$(per_req "$s_busy" "$s_idle" "$requests")
done
nport=$(free_port)
mkdir -p "$work/nginx-st"
start_nginx "$work/nginx-st" "$nport" "$(ngx_conf "$nport")"; stop_pid "$NGINX_PID"  # writes the config
ngx=(nginx -p "$work/nginx-st" -c "$work/nginx-st/nginx.conf" -g 'daemon off;')
n_idle=$(strace_calls 0 "$nport" "${ngx[@]}")
n_busy=$(strace_calls "$requests" "$nport" "${ngx[@]}")
echo "RESULT syscalls-per-request sluice_uring=${per_io[uring]} sluice_epoll=${per_io[epoll]} nginx=$(per_req "$n_busy" "$n_idle" "$requests") (strace -f -c; the readiness probe and startup subtracted)"
