#!/usr/bin/env bash
# Upload and download benchmark for the upload server, against nginx in the same run.
#   upload:   2 GiB with curl -T to a tmpfs folder: sluice PUT /upload/ vs nginx dav_methods PUT
#   download: 2 GiB with curl from /files/: sluice vs nginx sendfile off (the faster mode on tmpfs)
#             and sendfile on
# Usage: tests/bench/upload_bench.sh BUILD_DIR   (env: BENCH_BYTES, BENCH_ROUNDS, BENCH_TMP, SLUICE_ARGS)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib.sh"
build=$(cd "${1:?usage: upload_bench.sh BUILD_DIR}" && pwd)
cli="$build/sluice-cli"
bytes=${BENCH_BYTES:-2147483648}
bench_need curl nginx python3 taskset "$cli"
base=${BENCH_TMP:-/dev/shm}
[ -d "$base" ] || base=/tmp
work=$(mktemp -d "$base/sluice-upload-bench.XXXXXX")
trap 'kill $(jobs -p) 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$work"' EXIT
chmod 755 "$work"
mkdir -p "$work/sluice" "$work/nginx/root/.tmp"
head -c "$bytes" /dev/urandom >"$work/src.bin"

start_sluice "$cli" --dir "$work/sluice" --quiet ${SLUICE_ARGS:-}
spid=$SLUICE_PID; sport=$SLUICE_PORT
start_sluice "$cli" --dir "$work/sluice" --quiet --file-send sendfile ${SLUICE_ARGS:-}
sfpid=$SLUICE_PID; sfport=$SLUICE_PORT
nport_on=$(free_port); nport_off=$(free_port)
start_nginx "$work/nginx" "$nport_on" "client_max_body_size 0;
  server { listen 127.0.0.1:$nport_on;  root $work/nginx/root; client_body_temp_path $work/nginx/root/.tmp;
           sendfile on; tcp_nopush on; dav_methods PUT; create_full_put_path on; }
  server { listen 127.0.0.1:$nport_off; root $work/nginx/root; sendfile off; output_buffers 2 256k; }"
npid=$NGINX_PID

# curl_speed KIND URL [curl args...] : bytes per second, after checking the status.
curl_speed() {
  local kind=$1 url=$2; shift 2
  local out; out=$("${PIN_LOAD[@]}" curl -sS -o /dev/null -w "%{http_code} %{speed_$kind}" "$@" "$url")
  [ "${out%% *}" -lt 300 ] || { echo "upload_bench: HTTP ${out%% *} from $url" >&2; exit 1; }
  echo "${out#* }"
}
up_sluice() { curl_speed upload "http://127.0.0.1:$sport/upload/b.bin?overwrite=1" -T "$work/src.bin"; rm -f "$work/sluice/b.bin"; }
up_nginx() { curl_speed upload "http://127.0.0.1:$nport_on/b.bin" -T "$work/src.bin"; rm -f "$work/nginx/root/b.bin"; }
echo "## upload $((bytes >> 20)) MiB to $base (tmpfs): PUT /upload/ vs nginx dav_methods PUT"
alternate up_sluice up_nginx
peak_kib=$(peak_rss_kib "$spid")
echo "RESULT upload sluice=${MEDIANS[0]} nginx=${MEDIANS[1]} ratio=$(ratio "${MEDIANS[0]}" "${MEDIANS[1]}") B/s sluice_peak_rss_kib=$peak_kib ($(rounds_note); goal >= 1.0)"

cp "$work/src.bin" "$work/sluice/dl.bin"; mv "$work/src.bin" "$work/nginx/root/dl.bin"
# down PID URL : "bytes_per_second server_cpu_ms_per_GiB"
down() {
  local t0 t1 speed
  t0=$(cpu_ticks "$1")
  speed=$(curl_speed download "$2")
  t1=$(cpu_ticks "$1")
  awk -v s="$speed" -v t=$((t1 - t0)) -v b="$bytes" 'BEGIN { printf "%s %.0f", s, t * 10 * 1073741824 / b }'
}
down_sluice() { down "$spid" "http://127.0.0.1:$sport/files/dl.bin"; }
down_sluice_sendfile() { down "$sfpid" "http://127.0.0.1:$sfport/files/dl.bin"; }
down_nginx_off() { down "$npid" "http://127.0.0.1:$nport_off/dl.bin"; }
down_nginx_on() { down "$npid" "http://127.0.0.1:$nport_on/dl.bin"; }
echo "## download $((bytes >> 20)) MiB from $base (tmpfs): /files/ (auto: read/write on tmpfs, and forced sendfile) vs nginx sendfile off and on (B/s, server CPU ms per GiB)"
alternate down_sluice down_sluice_sendfile down_nginx_off down_nginx_on
faster=$(printf '%s\n' "${MEDIANS[2]}" "${MEDIANS[3]}" | sort -g | tail -1)
echo "RESULT download sluice=${MEDIANS[0]} sluice_sendfile=${MEDIANS[1]} nginx_sendfile_off=${MEDIANS[2]} nginx_sendfile_on=${MEDIANS[3]} ratio_vs_faster=$(ratio "${MEDIANS[0]}" "$faster") B/s ($(rounds_note); goal >= 1.0)"
echo "RESULT download-cpu server_cpu_ms_per_gib sluice=${MEDIANS2[0]} sluice_sendfile=${MEDIANS2[1]} nginx_sendfile_off=${MEDIANS2[2]} nginx_sendfile_on=${MEDIANS2[3]} (user+system ticks of the server process)"
