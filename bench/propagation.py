#!/usr/bin/env python3
"""Configuration propagation: time from a management-plane write to every
worker of a gateway serving the new configuration (long-poll mode).

Starts `outpost control-plane` and one `outpost gateway` (all workers) on
127.0.0.1, then repeats: change the API's path through the REST API, and
time until the new path answers 200 on fresh connections (the kernel spreads
new connections over every worker's SO_REUSEPORT listener, and each probe
round asks 8 times, so a path is reported served only once all workers
agree). Bounded: --rounds changes (default 20), 10 s cap per round.

Usage: bench/propagation.py [--binary target/release/outpost] [--rounds 20]
"""

import argparse
import json
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_line(proc, pattern, timeout=20):
    deadline = time.time() + timeout
    while time.time() < deadline:
        line = proc.stdout.readline()
        if not line:
            break
        m = re.search(pattern, line)
        if m:
            return m
    raise SystemExit(f"did not see {pattern!r}")


def call(method, url, headers, body=None):
    req = urllib.request.Request(url, data=body.encode() if body else None, method=method, headers=headers)
    with urllib.request.urlopen(req, timeout=10) as r:
        return r.read()


def status(url):
    try:
        with urllib.request.urlopen(url, timeout=2) as r:
            return r.status
    except urllib.error.HTTPError as e:
        return e.code
    except OSError:
        return 0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--binary", default="target/release/outpost")
    ap.add_argument("--rounds", type=int, default=20)
    ap.add_argument("--out", default=None, help="write a JSON result here")
    a = ap.parse_args()
    a.binary = os.path.abspath(a.binary)
    work = tempfile.mkdtemp(prefix="outpost-prop-")
    procs = []
    try:
        cp_port = free_port()
        cp = subprocess.Popen([a.binary, "control-plane", "--data", f"{work}/data", "--listen", f"127.0.0.1:{cp_port}"],
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        procs.append(cp)
        wait_line(cp, r"listening on")
        admin = {"Authorization": "Bearer " + open(f"{work}/data/admin-token").read().strip()}
        base = f"http://127.0.0.1:{cp_port}/mgmt"
        call("PUT", f"{base}/gateways/gw1", admin, '{"description":"bench"}')
        call("PUT", f"{base}/apis/p", admin, '{"displayName":"P","path":"p0","serviceUrl":"echo://"}')
        call("PUT", f"{base}/apis/p/operations/get", admin, '{"method":"GET","urlTemplate":"/*"}')
        call("PUT", f"{base}/gateways/gw1/apis/p", admin)
        expiry = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() + 7 * 86400))
        token = json.loads(call("POST", f"{base}/gateways/gw1/generateToken", admin,
                                json.dumps({"keyType": "primary", "expiry": expiry})))["value"]
        env = dict(os.environ, OUTPOST_CONFIG_SERVICE_ENDPOINT=f"http://127.0.0.1:{cp_port}",
                   OUTPOST_CONFIG_SERVICE_AUTH=token, OUTPOST_NET_SERVER_HTTP_ADDRESS="127.0.0.1",
                   OUTPOST_NET_SERVER_HTTP_PORT="0")
        gw = subprocess.Popen([a.binary, "gateway"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                              env=env, cwd=work)
        procs.append(gw)
        port = wait_line(gw, r"listener=127\.0\.0\.1:(\d+)").group(1)
        for p in procs:  # keep log pipes drained so no process blocks on them
            threading.Thread(target=lambda p=p: [None for _ in p.stdout], daemon=True).start()
        gateway = f"http://127.0.0.1:{port}"
        deadline = time.time() + 20
        while status(f"{gateway}/p0/x") != 200:
            if time.time() > deadline:
                raise SystemExit("gateway never served the first snapshot")
        samples = []
        for i in range(1, a.rounds + 1):
            t0 = time.perf_counter()
            call("PUT", f"{base}/apis/p", admin, json.dumps({"displayName": "P", "path": f"p{i}", "serviceUrl": "echo://"}))
            limit = time.time() + 10
            while not all(status(f"{gateway}/p{i}/x") == 200 for _ in range(8)):
                if time.time() > limit:
                    raise SystemExit(f"round {i}: not served within 10 s")
            samples.append((time.perf_counter() - t0) * 1000)
        samples.sort()
        result = {
            "rounds": len(samples),
            "min_ms": round(samples[0], 1),
            "median_ms": round(statistics.median(samples), 1),
            "p90_ms": round(samples[int(len(samples) * 0.9) - 1], 1),
            "max_ms": round(samples[-1], 1),
            "nproc": os.cpu_count(),
            "date": time.strftime("%Y-%m-%d"),
        }
        print(json.dumps(result, indent=2))
        if a.out:
            with open(a.out, "w") as f:
                json.dump(result, f, indent=2)
    finally:
        for p in procs:
            p.kill()
            p.wait()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
