#!/usr/bin/env python3
"""Tiny fixed-count HTTP/1.1 keep-alive client for the perf scripts.

client.py PORT COUNT [PATH] [CONNECTIONS]: sends COUNT GETs (split over
CONNECTIONS keep-alive connections, one request in flight per connection),
checks each answer is 200 with a Content-Length body, prints the number of
requests answered.
"""
import socket
import sys


def run(port, count, path="/", conns=1):
    req = f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode()
    done = 0
    per = [count // conns + (1 if i < count % conns else 0) for i in range(conns)]
    socks = [socket.create_connection(("127.0.0.1", port)) for _ in range(conns)]
    for s, n in zip(socks, per):
        buf = b""
        for _ in range(n):
            s.sendall(req)
            while b"\r\n\r\n" not in buf:
                chunk = s.recv(65536)
                if not chunk:
                    raise SystemExit("connection closed early")
                buf += chunk
            head, buf = buf.split(b"\r\n\r\n", 1)
            if not head.startswith(b"HTTP/1.1 200"):
                raise SystemExit(f"bad response: {head[:60]!r}")
            length = 0
            for line in head.split(b"\r\n")[1:]:
                k, _, v = line.partition(b":")
                if k.strip().lower() == b"content-length":
                    length = int(v)
            while len(buf) < length:
                buf += s.recv(65536)
            buf = buf[length:]
            done += 1
    for s in socks:
        s.close()
    return done


if __name__ == "__main__":
    a = sys.argv[1:]
    print(run(int(a[0]), int(a[1]), a[2] if len(a) > 2 else "/", int(a[3]) if len(a) > 3 else 1))
