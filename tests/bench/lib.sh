# Shared helpers for the benchmark scripts (sourced).
set -euo pipefail

bench_need() {
  for tool in "$@"; do
    command -v "$tool" >/dev/null 2>&1 || { echo "bench: '$tool' is missing (run 'make deps')" >&2; exit 1; }
  done
}

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }

# start_sluice OUTVAR_PID OUTVAR_PORT args... : starts sluice-cli serve on a free port.
start_sluice() {
  local cli=$1; shift
  local log; log=$(mktemp)
  "$cli" serve --listen 127.0.0.1:0 "$@" >"$log" 2>/dev/null &
  SLUICE_PID=$!
  for _ in $(seq 1 100); do
    if grep -q '^listening on ' "$log"; then break; fi
    sleep 0.05
  done
  SLUICE_PORT=$(sed -n 's#^listening on http://127.0.0.1:\([0-9]*\)$#\1#p' "$log")
  rm -f "$log"
  [ -n "$SLUICE_PORT" ] || { echo "bench: sluice-cli serve did not start" >&2; exit 1; }
}

stop_pid() { kill -TERM "$1" 2>/dev/null || true; wait "$1" 2>/dev/null || true; }

# start_nginx DIR PORT EXTRA_HTTP_CONF : nginx, one worker, in the foreground as a child.
start_nginx() {
  local dir=$1 port=$2 extra=$3
  mkdir -p "$dir/tmp"
  cat >"$dir/nginx.conf" <<CONF
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
  nginx -p "$dir" -c "$dir/nginx.conf" -g 'daemon off;' &
  NGINX_PID=$!
  for _ in $(seq 1 100); do
    curl -s -o /dev/null "http://127.0.0.1:$port/" && return 0
    sleep 0.05
  done
  echo "bench: nginx did not start (see $dir/error.log)" >&2
  exit 1
}

peak_rss_kib() { awk '/^VmHWM:/ {print $2}' "/proc/$1/status"; }
rss_kib() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status"; }

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b == 0) print "n/a"; else printf "%.2f", a / b }'; }
