#!/usr/bin/env bash
# Client benchmarks, standalone: sluice-cli request against curl, h2load and (when built)
# the QNetworkAccessManager program, all against one nginx started here on loopback.
# usage: tests/bench/client_bench.sh [BUILD_DIR] [SIZE_BYTES] [REQUESTS]
set -euo pipefail
BUILD=${1:-build}
SIZE=${2:-$((2 << 30))}
N=${3:-10000}
CLI="$BUILD/sluice-cli"
QNAM="$BUILD/tests/bench/qnam_bench"
[ -x "$QNAM" ] || QNAM="$BUILD/qnam_bench"
DIR=$(mktemp -d /tmp/sluice-client-bench.XXXXXX)
chmod 755 "$DIR"
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
truncate -s "$SIZE" "$DIR/big"
cat > "$DIR/nginx.conf" <<CONF
worker_processes 1;
pid $DIR/nginx.pid;
error_log $DIR/error.log;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path $DIR/body; proxy_temp_path $DIR/proxy; fastcgi_temp_path $DIR/f; uwsgi_temp_path $DIR/u; scgi_temp_path $DIR/s;
  keepalive_requests 1000000; sendfile on;
  server { listen 127.0.0.1:$PORT; root $DIR;
    location = / { return 200 'ok\n'; }
    location = /big { default_type application/octet-stream; } }
}
CONF
/usr/sbin/nginx -p "$DIR" -c "$DIR/nginx.conf" -g 'daemon off;' &
NGINX=$!
trap 'kill $NGINX 2>/dev/null; wait $NGINX 2>/dev/null; rm -rf "$DIR"' EXIT
for _ in $(seq 50); do curl -sf "http://127.0.0.1:$PORT/" >/dev/null && break; sleep 0.1; done
URL="http://127.0.0.1:$PORT"

# measure NAME CMD...: prints "NAME seconds peak_rss_kib"
measure() {
  local name=$1; shift
  /usr/bin/time -o "$DIR/time.txt" -f '%e %M' "$@" >/dev/null 2>/dev/null || true
  echo "$name $(tail -1 "$DIR/time.txt")"
}
ratio() { python3 -c "a,b=$1,$2; print(f'{a/b:.2f}' if b else 'n/a')"; }

echo "# download $SIZE bytes"
read -r _ t_curl m_curl < <(measure curl curl -s -o /dev/null "$URL/big")
read -r _ t_sl m_sl < <(measure sluice "$CLI" request -s -o /dev/null "$URL/big")
echo "curl:   ${t_curl}s  peak RSS ${m_curl} KiB  $(python3 -c "print(f'{$SIZE/$t_curl/1e9:.2f}')") GB/s"
echo "sluice: ${t_sl}s  peak RSS ${m_sl} KiB  $(python3 -c "print(f'{$SIZE/$t_sl/1e9:.2f}')") GB/s"
echo "download speed sluice/curl: $(ratio $t_curl $t_sl)x   RSS sluice/curl: $(ratio $m_sl $m_curl)x"
if [ -x "$QNAM" ]; then
  read -r _ t_q m_q < <(measure qnam "$QNAM" download "$URL/big")
  echo "qnam:   ${t_q}s  peak RSS ${m_q} KiB"
  echo "download speed sluice/qnam: $(ratio $t_q $t_sl)x   RSS sluice/qnam: $(ratio $m_sl $m_q)x"
fi

echo "# $N sequential keep-alive GETs"
h2rps=$(h2load --h1 -n"$N" -c1 "$URL/" 2>/dev/null | awk '/^finished in/ {print $4}')
read -r _ t_sr _ < <(measure sluice "$CLI" request -s --repeat "$N" -o /dev/null "$URL/")
sl_rps=$(python3 -c "print(f'{$N/$t_sr:.0f}')")
echo "h2load: ${h2rps} req/s   sluice: ${sl_rps} req/s"
echo "request loop sluice/h2load: $(ratio $sl_rps $h2rps)x"
if [ -x "$QNAM" ]; then
  read -r _ t_qr _ < <(measure qnam "$QNAM" loop "$URL/" "$N")
  echo "qnam: $(python3 -c "print(f'{$N/$t_qr:.0f}')") req/s   request loop sluice/qnam: $(ratio $t_qr $t_sr)x"
fi
