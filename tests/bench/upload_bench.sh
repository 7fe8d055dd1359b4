#!/usr/bin/env bash
# Upload and download benchmark for the upload server, against nginx in the same run.
#   upload:   2 GiB with curl -T to a tmpfs folder: sluice PUT /upload/ vs nginx dav_methods PUT
#   download: 2 GiB with curl from /files/: sluice (sendfile) vs nginx sendfile on and sendfile off
# Usage: tests/bench/upload_bench.sh BUILD_DIR   (env: BENCH_BYTES, BENCH_RUNS, BENCH_TMP, SLUICE_ARGS)
set -euo pipefail
build=${1:?usage: upload_bench.sh BUILD_DIR}
cli="$build/sluice-cli"
bytes=${BENCH_BYTES:-2147483648}
runs=${BENCH_RUNS:-2}
for tool in curl nginx python3 "$cli"; do
  command -v "$tool" >/dev/null 2>&1 || { echo "upload_bench: '$tool' is missing (make deps / build first)" >&2; exit 1; }
done
base=${BENCH_TMP:-/dev/shm}
[ -d "$base" ] || base=/tmp
work=$(mktemp -d "$base/sluice-upload-bench.XXXXXX")
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
wait_port() { for _ in $(seq 1 100); do curl -s -o /dev/null "http://127.0.0.1:$1/" && return 0; sleep 0.05; done; return 1; }

mkdir -p "$work/sluice" "$work/nginx/tmp" "$work/nginx/root"
head -c "$bytes" /dev/urandom >"$work/src.bin" 2>/dev/null || head -c "$bytes" /dev/zero >"$work/src.bin"

# ---- servers ------------------------------------------------------------------
log="$work/sluice.out"
"$cli" serve --listen 127.0.0.1:0 --dir "$work/sluice" --quiet ${SLUICE_ARGS:-} >"$log" 2>"$work/sluice.err" &
spid=$!; pids+=("$spid")
for _ in $(seq 1 100); do grep -q '^listening on ' "$log" && break; sleep 0.05; done
sport=$(sed -n 's#^listening on http://[^:]*:\([0-9]*\)$#\1#p' "$log" | head -1)
[ -n "$sport" ] || { echo "upload_bench: sluice-cli serve did not start" >&2; cat "$work/sluice.err" >&2; exit 1; }

nport_on=$(free_port); nport_off=$(free_port)
chmod 755 "$work"
nginx_user=""
[ "$(id -u)" = 0 ] && nginx_user="user root;"  # else workers run as nobody and cannot use the folder
cat >"$work/nginx/nginx.conf" <<CONF
$nginx_user
worker_processes 1;
daemon off;
error_log $work/nginx/error.log warn;
pid $work/nginx/nginx.pid;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path $work/nginx/root/.tmp;
  proxy_temp_path $work/nginx/tmp/p; fastcgi_temp_path $work/nginx/tmp/f; uwsgi_temp_path $work/nginx/tmp/u; scgi_temp_path $work/nginx/tmp/s;
  client_max_body_size 0;
  server { listen 127.0.0.1:$nport_on;  root $work/nginx/root; sendfile on;  tcp_nopush on; dav_methods PUT; create_full_put_path on; }
  server { listen 127.0.0.1:$nport_off; root $work/nginx/root; sendfile off; output_buffers 2 256k; dav_methods PUT; }
}
CONF
mkdir -p "$work/nginx/root/.tmp"
nginx -c "$work/nginx/nginx.conf" -p "$work/nginx" 2>"$work/nginx/stderr" &
npid=$!; pids+=("$npid")
wait_port "$nport_on" || { echo "upload_bench: nginx did not start" >&2; cat "$work/nginx/stderr" >&2; exit 1; }

# ---- measurements (best of $runs; bytes per second from curl) -----------------
best() { sort -g | tail -1; }
check() { [ "${1%% *}" -lt 300 ] || { echo "upload_bench: HTTP ${1%% *} from $2" >&2; exit 1; }; echo "${1#* }"; }
up_sluice() { check "$(curl -sS -o /dev/null -w '%{http_code} %{speed_upload}' -T "$work/src.bin" "http://127.0.0.1:$sport/upload/b$1.bin?overwrite=1")" sluice; }
up_nginx()  { check "$(curl -sS -o /dev/null -w '%{http_code} %{speed_upload}' -T "$work/src.bin" "http://127.0.0.1:$nport_on/b$1.bin")" nginx; }
down() { check "$(curl -sS -o /dev/null -w '%{http_code} %{speed_download}' "$1")" "$1"; }

s_up=$(for i in $(seq 1 "$runs"); do up_sluice "$i"; rm -f "$work/sluice/b$i.bin"; done | best)
n_up=$(for i in $(seq 1 "$runs"); do up_nginx "$i"; rm -f "$work/nginx/root/b$i.bin"; done | best)
peak_kib=$(awk '/VmHWM/ {print $2}' "/proc/$spid/status")

cp "$work/src.bin" "$work/sluice/dl.bin"; cp "$work/src.bin" "$work/nginx/root/dl.bin"; rm -f "$work/src.bin"
s_down=$(for _ in $(seq 1 "$runs"); do down "http://127.0.0.1:$sport/files/dl.bin"; done | best)
n_on=$(for _ in $(seq 1 "$runs"); do down "http://127.0.0.1:$nport_on/dl.bin"; done | best)
n_off=$(for _ in $(seq 1 "$runs"); do down "http://127.0.0.1:$nport_off/dl.bin"; done | best)

mib() { python3 -c "print(f'{float($1)/1048576:.0f} MiB/s')"; }
ratio() { python3 -c "print(f'{float($1)/float($2):.2f}x')"; }
n_best=$(printf '%s\n%s\n' "$n_on" "$n_off" | best)
echo "tmpfs folder: $base, $((bytes / 1048576)) MiB, best of $runs"
echo "RESULT upload   sluice $(mib "$s_up") | nginx dav PUT $(mib "$n_up") | ratio $(ratio "$s_up" "$n_up") | sluice peak RSS $((peak_kib / 1024)) MiB"
echo "RESULT download sluice $(mib "$s_down") | nginx sendfile on $(mib "$n_on"), off $(mib "$n_off") | ratio vs faster nginx $(ratio "$s_down" "$n_best")"
