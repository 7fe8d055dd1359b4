# Shared helpers for the benchmark scripts (sourced).
#
# Every comparison runs BENCH_ROUNDS (5) alternating rounds (ours, peer, ours, peer, ...) and
# reports the median of each side and their ratio. Pinning is the same for both peers: the
# server on CPU $BENCH_SERVER_CPU (0), the load generator or client on CPU $BENCH_LOAD_CPU (1).
set -euo pipefail

BENCH_ROUNDS=${BENCH_ROUNDS:-5}
BENCH_SERVER_CPU=${BENCH_SERVER_CPU:-0}
BENCH_LOAD_CPU=${BENCH_LOAD_CPU:-1}
PIN_SERVER=(taskset -c "$BENCH_SERVER_CPU")
PIN_LOAD=(taskset -c "$BENCH_LOAD_CPU")
PINNING="server on CPU $BENCH_SERVER_CPU, load on CPU $BENCH_LOAD_CPU (taskset), both peers alike"

bench_need() {
  for tool in "$@"; do
    command -v "$tool" >/dev/null 2>&1 || { echo "bench: '$tool' is missing (run 'make deps')" >&2; exit 1; }
  done
}

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }

# start_sluice CLI args... : sluice-cli serve on a free port, pinned to the server CPU.
# Sets SLUICE_PID and SLUICE_PORT.
start_sluice() {
  local cli=$1; shift
  local log; log=$(mktemp)
  "${PIN_SERVER[@]}" "$cli" serve --listen 127.0.0.1:0 "$@" >"$log" 2>/dev/null &
  SLUICE_PID=$!
  for _ in $(seq 1 200); do
    if grep -q '^listening on ' "$log"; then break; fi
    sleep 0.05
  done
  SLUICE_PORT=$(sed -n 's#^listening on https\{0,1\}://127.0.0.1:\([0-9]*\)$#\1#p' "$log")
  rm -f "$log"
  [ -n "$SLUICE_PORT" ] || { echo "bench: sluice-cli serve did not start" >&2; exit 1; }
}

# cpu_ticks PID : CPU time (user + system, every thread) the process has used, in clock ticks.
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }

stop_pid() { kill -TERM "$1" 2>/dev/null || true; wait "$1" 2>/dev/null || true; }

# start_nginx DIR PORT EXTRA_HTTP_CONF [SCHEME] : nginx, one worker, in the foreground as a
# child, pinned to the server CPU (its worker inherits the mask). Sets NGINX_PID.
start_nginx() {
  local dir=$1 port=$2 extra=$3 scheme=${4:-http}
  mkdir -p "$dir/tmp"
  local user=""
  [ "$(id -u)" = 0 ] && user="user root;"  # else the worker runs as nobody and cannot read the folder
  cat >"$dir/nginx.conf" <<CONF
$user
worker_processes 1;
error_log $dir/error.log warn;
pid $dir/nginx.pid;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path $dir/tmp/body; proxy_temp_path $dir/tmp/proxy; fastcgi_temp_path $dir/tmp/fcgi;
  uwsgi_temp_path $dir/tmp/uwsgi; scgi_temp_path $dir/tmp/scgi;
  keepalive_requests 10000000;
  $extra
}
CONF
  "${PIN_SERVER[@]}" nginx -p "$dir" -c "$dir/nginx.conf" -g 'daemon off;' 2>"$dir/stderr" &
  NGINX_PID=$!
  for _ in $(seq 1 100); do
    curl -sk -o /dev/null "$scheme://127.0.0.1:$port/" && return 0
    sleep 0.05
  done
  echo "bench: nginx did not start (see $dir/error.log)" >&2
  cat "$dir/stderr" >&2
  exit 1
}

# cpu_ticks PID : user + system clock ticks (1/100 s) of PID and its children's threads so far
# (nginx: the master and its worker). Moves much less with load than wall time.
cpu_ticks() {
  local total=0 p
  for p in "$1" $(pgrep -P "$1" || true); do
    total=$((total + $(awk '{print $14 + $15}' "/proc/$p/stat" 2>/dev/null || echo 0)))
  done
  echo "$total"
}

peak_rss_kib() { awk '/^VmHWM:/ {print $2}' "/proc/$1/status"; }
rss_kib() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status"; }

median() { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b == 0) print "n/a"; else printf "%.2f", a / b }'; }

# alternate FN... : BENCH_ROUNDS rounds; each round calls every FN once, in order (ours first,
# then the peers), and each FN prints one number. Prints every round; sets MEDIANS (one per FN).
# A FN may print "VALUE EXTRA" (e.g. speed and RSS): EXTRA medians go into MEDIANS2.
alternate() {
  local fns=("$@") r i
  local -a vals=() extra=()
  for r in $(seq 1 "$BENCH_ROUNDS"); do
    local line="round $r:"
    for i in "${!fns[@]}"; do
      local out; out=$("${fns[$i]}")
      local v=${out%% *} x=""
      [ "$out" != "$v" ] && x=${out#* }
      vals[$i]="${vals[$i]:-} $v"; extra[$i]="${extra[$i]:-} $x"
      line+=" ${fns[$i]} $out;"
    done
    echo "  $line"
  done
  MEDIANS=(); MEDIANS2=()
  for i in "${!fns[@]}"; do
    MEDIANS+=("$(printf '%s\n' ${vals[$i]} | median)")
    if [ -n "${extra[$i]// /}" ]; then MEDIANS2+=("$(printf '%s\n' ${extra[$i]} | median)"); else MEDIANS2+=(""); fi
  done
}

# The suffix every RESULT line of a comparison carries.
rounds_note() { echo "median of $BENCH_ROUNDS alternating rounds; $PINNING"; }

# elapsed_ns CMD... : runs CMD (output discarded) and prints its wall time in nanoseconds.
elapsed_ns() {
  local t0 t1
  t0=$(date +%s%N)
  "$@" >/dev/null 2>&1
  t1=$(date +%s%N)
  echo $((t1 - t0))
}

# timed_download BYTES CMD... : "bytes_per_second peak_rss_kib" of CMD (a client fetching BYTES),
# run on the load CPU; wall time from date, peak RSS from /usr/bin/time.
timed_download() {
  local bytes=$1; shift
  local t0 t1 rss_file; rss_file=$(mktemp)
  t0=$(date +%s%N)
  "${PIN_LOAD[@]}" /usr/bin/time -o "$rss_file" -f '%M' "$@" >/dev/null 2>&1
  t1=$(date +%s%N)
  awk -v s="$bytes" -v ns=$((t1 - t0)) -v m="$(tail -1 "$rss_file")" 'BEGIN { printf "%.0f %d", s / (ns / 1e9), m }'
  rm -f "$rss_file"
}

# ECDSA P-256 self-signed certificate for 127.0.0.1 and localhost: DIR/cert.pem, DIR/key.pem.
make_p256_cert() {
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 -subj /CN=localhost \
    -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" -keyout "$1/key.pem" -out "$1/cert.pem" 2>/dev/null
}

# cg_instructions CLI WORK N SCHEME PATH serve-args... : total instructions (callgrind) of a
# 'sluice-cli serve' run that answers N requests from h2load --h1 -c 10, startup and shutdown included.
cg_instructions() {
  local cli=$1 work=$2 n=$3 scheme=$4 path=$5; shift 5
  local out="$work/cg.$scheme.$n" log="$work/cg.$scheme.$n.log"
  valgrind --tool=callgrind --callgrind-out-file="$out" "$cli" serve --listen 127.0.0.1:0 --quiet "$@" >"$log" 2>/dev/null &
  local pid=$!
  for _ in $(seq 1 400); do grep -q '^listening on ' "$log" 2>/dev/null && break; sleep 0.05; done
  local port; port=$(sed -n 's#^listening on https\{0,1\}://127.0.0.1:\([0-9]*\)$#\1#p' "$log")
  if [ "$n" -gt 0 ]; then h2load --h1 -n "$n" -c 10 "$scheme://127.0.0.1:$port$path" >/dev/null; fi
  kill -TERM "$pid"; wait "$pid" 2>/dev/null || true
  awk '/^summary:|^totals:/ {print $2; exit}' "$out"
}

# run_offscreen_test BIN SLOT [VAR=VALUE...]: one Qt Test slot, offscreen, with a scratch HOME
# (no settings or history of the user's); prints its output; fails with it.
run_offscreen_test() {
  local bin=$1 slot=$2; shift 2
  [ -x "$bin" ] || { echo "bench: $bin is missing (build with the UI)" >&2; return 1; }
  local tmp out status=0; tmp=$(mktemp -d)
  out=$(env QT_QPA_PLATFORM=offscreen HOME="$tmp" XDG_CONFIG_HOME="$tmp" XDG_DATA_HOME="$tmp" "$@" "$bin" "$slot" 2>&1) || status=$?
  rm -rf "$tmp"
  printf '%s\n' "$out"
  return $status
}
