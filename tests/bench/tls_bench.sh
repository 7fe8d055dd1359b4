#!/usr/bin/env bash
# TLS benchmarks (issue 10), every server with the same ECDSA P-256 certificate made here:
#   client: 2 GiB HTTPS download from nginx, sluice-cli request vs curl (speed and peak RSS)
#   server: small keep-alive responses over TLS, wrk -t1 -c50, sluice vs nginx
#   server: new TLS connections per second, openssl s_time -new (one request per connection)
#   callgrind instructions per TLS keep-alive request and per handshake (h2load --h1 -c 10)
# Usage: tls_bench.sh BUILD_DIR  (env: BENCH_ROUNDS, BENCH_TLS_BYTES, BENCH_SECONDS, BENCH_CG_REQUESTS)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib.sh"
build=$(cd "${1:-build}" && pwd)
cli="$build/sluice-cli"
size=${BENCH_TLS_BYTES:-$((2 << 30))}
secs=${BENCH_SECONDS:-5}
bench_need nginx curl wrk h2load openssl valgrind taskset python3 "$cli"
work=$(mktemp -d /tmp/sluice-tls-bench.XXXXXX)
trap 'kill $(jobs -p) 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$work"' EXIT
chmod 755 "$work"
mkdir -p "$work/root"
make_p256_cert "$work"
truncate -s "$size" "$work/root/big"
body='{"status":200}\n'
nport=$(free_port)
start_nginx "$work/nginx" "$nport" "server { listen 127.0.0.1:$nport ssl; root $work/root;
    ssl_certificate $work/cert.pem; ssl_certificate_key $work/key.pem;
    location = /big { default_type application/octet-stream; }
    location / { default_type application/json; return 200 '$body'; } }" https
npid=$NGINX_PID
start_sluice "$cli" --tls --cert "$work/cert.pem" --key "$work/key.pem" --workers 1 --quiet
spid=$SLUICE_PID; sport=$SLUICE_PORT

dl_sluice() { timed_download "$size" "$cli" request -s --cacert "$work/cert.pem" -o /dev/null "https://127.0.0.1:$nport/big"; }
dl_curl() { timed_download "$size" curl -sS --cacert "$work/cert.pem" -o /dev/null "https://127.0.0.1:$nport/big"; }
echo "## HTTPS download of $((size >> 20)) MiB from nginx: sluice-cli request vs curl (B/s, peak RSS KiB)"
alternate dl_sluice dl_curl
echo "RESULT tls-client-download sluice=${MEDIANS[0]} curl=${MEDIANS[1]} ratio=$(ratio "${MEDIANS[0]}" "${MEDIANS[1]}") B/s rss_kib sluice=${MEDIANS2[0]} curl=${MEDIANS2[1]} rss_ratio=$(ratio "${MEDIANS2[0]}" "${MEDIANS2[1]}") ($(rounds_note); goal >= 1.0, RSS <= curl)"

wrk_rps() { "${PIN_LOAD[@]}" wrk -t1 -c50 -d"${secs}s" "https://127.0.0.1:$1/status/200" | awk '/Requests\/sec/ {print $2}'; }
ka_sluice() { wrk_rps "$sport"; }
ka_nginx() { wrk_rps "$nport"; }
echo "## small keep-alive responses over TLS: wrk -t1 -c50 -d${secs}s /status/200, 1 worker each"
alternate ka_sluice ka_nginx
echo "RESULT tls-small-requests sluice=${MEDIANS[0]} nginx=${MEDIANS[1]} ratio=$(ratio "${MEDIANS[0]}" "${MEDIANS[1]}") req/s ($(rounds_note); goal >= 1.0)"

# s_time: full handshakes only (-new), one HTTP/1.0 request per connection.
s_time() {
  "${PIN_LOAD[@]}" openssl s_time -connect "127.0.0.1:$1" -new -time "$secs" -www /status/200 2>/dev/null |
    awk '/connections in .* real seconds/ { printf "%.1f", $1 / $4; exit }'
}
new_sluice() { s_time "$sport"; }
new_nginx() { s_time "$nport"; }
echo "## new TLS connections per second: openssl s_time -new -time $secs, one request each"
alternate new_sluice new_nginx
echo "RESULT tls-new-connections sluice=${MEDIANS[0]} nginx=${MEDIANS[1]} ratio=$(ratio "${MEDIANS[0]}" "${MEDIANS[1]}") conn/s ($(rounds_note); goal >= 1.0)"
stop_pid "$spid"; stop_pid "$npid"

requests=${BENCH_CG_REQUESTS:-5000}
tls=(--tls --cert "$work/cert.pem" --key "$work/key.pem")
# Runs of 0, N and 2N requests on 10 connections: the N more requests of the third run cost the
# keep-alive requests alone; what the second run costs beyond them is the 10 handshakes.
idle=$(cg_instructions "$cli" "$work" 0 https /status/200 "${tls[@]}")
one=$(cg_instructions "$cli" "$work" "$requests" https /status/200 "${tls[@]}")
two=$(cg_instructions "$cli" "$work" $((2 * requests)) https /status/200 "${tls[@]}")
per=$(( (two - one) / requests ))
echo "RESULT tls-callgrind-per-request instructions=${per} per_handshake=$(( (one - idle - per * requests) / 10 )) (callgrind: runs of 0, ${requests} and $((2 * requests)) requests on 10 connections: ${idle}, ${one}, ${two})"
