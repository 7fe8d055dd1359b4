#!/usr/bin/env bash
# Client benchmarks: sluice-cli request against curl, h2load and (when built) the
# QNetworkAccessManager program, all against one nginx started here on loopback.
# usage: tests/bench/client_bench.sh [BUILD_DIR] [SIZE_BYTES] [REQUESTS]
#   env: BENCH_ROUNDS (5)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib.sh"
build=$(cd "${1:-build}" && pwd)
size=${2:-$((2 << 30))}
n=${3:-100000}
cli="$build/sluice-cli"
qnam="$build/tests/bench/qnam_bench"
bench_need nginx curl h2load taskset python3 "$cli"
work=$(mktemp -d /tmp/sluice-client-bench.XXXXXX)
trap 'kill $(jobs -p) 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$work"' EXIT
chmod 755 "$work"
mkdir -p "$work/root"
truncate -s "$size" "$work/root/big"
port=$(free_port)
start_nginx "$work/nginx" "$port" "sendfile on;
  server { listen 127.0.0.1:$port; root $work/root;
    location = / { return 200 'ok\n'; }
    location = /big { default_type application/octet-stream; } }"
url="http://127.0.0.1:$port"

dl_sluice() { timed_download "$size" "$cli" request -s -o /dev/null "$url/big"; }
dl_curl() { timed_download "$size" curl -s -o /dev/null "$url/big"; }
# One untimed fetch first: the first read of the (sparse) file fills the page cache, and
# whichever client went first would pay for it.
curl -s -o /dev/null "$url/big"
echo "## download $((size >> 20)) MiB from nginx: sluice-cli request vs curl (speed B/s, peak RSS KiB)"
alternate dl_sluice dl_curl
echo "RESULT client-download sluice=${MEDIANS[0]} curl=${MEDIANS[1]} ratio=$(ratio "${MEDIANS[0]}" "${MEDIANS[1]}") B/s rss_kib sluice=${MEDIANS2[0]} curl=${MEDIANS2[1]} rss_ratio=$(ratio "${MEDIANS2[0]}" "${MEDIANS2[1]}") ($(rounds_note); goal >= 1.0, RSS <= curl)"
if [ -x "$qnam" ]; then
  dl_qnam() { timed_download "$size" "$qnam" download "$url/big"; }
  alternate dl_sluice dl_qnam
  echo "RESULT qnam-download sluice=${MEDIANS[0]} qnam=${MEDIANS[1]} ratio=$(ratio "${MEDIANS[0]}" "${MEDIANS[1]}") B/s rss_kib sluice=${MEDIANS2[0]} qnam=${MEDIANS2[1]} rss_ratio=$(awk -v a="${MEDIANS2[0]}" -v b="${MEDIANS2[1]}" 'BEGIN { if (b == 0) print "n/a"; else printf "%.4f", a / b }') ($(rounds_note); goal >= 1.0, RSS <= 0.6x)"
fi

# Both tools time themselves: h2load's "finished in", sluice-cli's "-- N requests ... in S s".
# stderr (a status line per request, then the summary) goes to a file and is read after the run:
# a pipe to awk made an unpinned reader compete with the two pinned processes for the cores.
loop_sluice() {
  "${PIN_LOAD[@]}" "$cli" request --repeat "$n" -o /dev/null "$url/" 2>"$work/loop.err" >/dev/null
  awk -v n="$n" '/^-- [0-9]+ requests \(0 failed\) in / { for (i = 1; i <= NF; i++) if ($i == "in") { printf "%.0f", n / $(i + 1); exit } }' "$work/loop.err"
}
loop_h2load() { "${PIN_LOAD[@]}" h2load --h1 -n "$n" -c1 "$url/" 2>/dev/null | awk '/^finished in/ {print $4}'; }
echo "## $n sequential keep-alive GETs: sluice-cli request --repeat vs h2load --h1 -c1 (req/s, each timed inside the process)"
alternate loop_sluice loop_h2load
echo "RESULT client-loop sluice=${MEDIANS[0]} h2load=${MEDIANS[1]} ratio=$(ratio "${MEDIANS[0]}" "${MEDIANS[1]}") req/s ($(rounds_note); goal >= 1.0)"
if [ -x "$qnam" ]; then
  qn=$((n / 10))
  loop_qnam() { awk -v n="$qn" -v ns="$(elapsed_ns "${PIN_LOAD[@]}" "$qnam" loop "$url/" "$qn")" 'BEGIN { printf "%.0f", n / (ns / 1e9) }'; }
  alternate loop_sluice loop_qnam
  echo "RESULT qnam-loop sluice=${MEDIANS[0]} qnam=${MEDIANS[1]} ratio=$(ratio "${MEDIANS[0]}" "${MEDIANS[1]}") req/s (qnam: $qn requests, process wall time; $(rounds_note); goal >= 3.0)"
fi
