#!/usr/bin/env bash
# Content decoding (issue 11): a gzip body from nginx (Content-Encoding: gzip, 1 GiB once decoded:
# base64 text of random bytes, gzip -1, so the body on the wire is ~0.77 GiB), downloaded with
# sluice-cli request --compressed vs curl --compressed, both decoding into /dev/null.
# Usage: compressed_bench.sh BUILD_DIR  (env: BENCH_ROUNDS, BENCH_GZIP_BYTES: decoded size)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib.sh"
build=$(cd "${1:-build}" && pwd)
cli="$build/sluice-cli"
decoded=${BENCH_GZIP_BYTES:-$((1 << 30))}
bench_need nginx curl gzip base64 taskset python3 "$cli"
work=$(mktemp -d /tmp/sluice-gzip-bench.XXXXXX)
trap 'kill $(jobs -p) 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$work"' EXIT
chmod 755 "$work"
mkdir -p "$work/root"
head -c $((decoded / 4 * 3)) /dev/urandom | base64 -w 0 | head -c "$decoded" | gzip -1 >"$work/root/big"
wire=$(stat -c %s "$work/root/big")
port=$(free_port)
start_nginx "$work/nginx" "$port" "server { listen 127.0.0.1:$port; root $work/root;
    location = /big { default_type text/plain; add_header Content-Encoding gzip; } }"

# decoded bytes per second; the decoded size is checked on every run.
gz_speed() {
  local t0 t1 got
  t0=$(date +%s%N)
  got=$("${PIN_LOAD[@]}" "$@" | wc -c)
  t1=$(date +%s%N)
  [ "$got" = "$decoded" ] || { echo "compressed_bench: decoded $got bytes, expected $decoded ($1)" >&2; exit 1; }
  awk -v s="$decoded" -v ns=$((t1 - t0)) 'BEGIN { printf "%.0f", s / (ns / 1e9) }'
}
gz_sluice() { gz_speed "$cli" request -s --compressed "http://127.0.0.1:$port/big"; }
gz_curl() { gz_speed curl -sS --compressed "http://127.0.0.1:$port/big"; }
echo "## --compressed download: $((decoded >> 20)) MiB decoded from $((wire >> 20)) MiB of gzip (decoded B/s)"
alternate gz_sluice gz_curl
echo "RESULT compressed-download sluice=${MEDIANS[0]} curl=${MEDIANS[1]} ratio=$(ratio "${MEDIANS[0]}" "${MEDIANS[1]}") B/s ($(rounds_note); goal >= 1.0)"
