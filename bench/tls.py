#!/usr/bin/env python3
"""TLS termination benchmark: outpost vs nginx, same certificate, same suite.

Scenarios (each peer: 1 worker on PROXY_CPUS, proxying to bench.py's nginx
backend over plain HTTP keep-alive):
  tls-keepalive  wrk, 50 keep-alive HTTPS connections (one handshake each)
  tls-full       openssl s_time -new: a new connection and a full handshake
                 per request (sequential)
  tls-resumed    openssl s_time -reuse: a new connection per request, the
                 session resumed (TLS 1.3 ticket / PSK)

Figure of merit: CPU time of the peer's worker(s) per request (utime+stime
from /proc over the measured run / requests completed), and its ratio to
nginx's. Every run is bounded by --duration. Usage:
  bench/run-tls.sh [--duration S] [--repeats N] [--suite IANA_NAME]
"""

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench as B  # noqa: E402

CLK = os.sysconf("SC_CLK_TCK")
OPENSSL_NAMES = {"TLS_AES_128_GCM_SHA256": "TLS_AES_128_GCM_SHA256",
                 "TLS_AES_256_GCM_SHA384": "TLS_AES_256_GCM_SHA384",
                 "TLS_CHACHA20_POLY1305_SHA256": "TLS_CHACHA20_POLY1305_SHA256"}


def make_cert(d):
    key, crt = os.path.join(d, "key.pem"), os.path.join(d, "crt.pem")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
                    "-nodes", "-keyout", key, "-out", crt, "-days", "2", "-subj", "/CN=bench.test",
                    "-addext", "subjectAltName=DNS:bench.test"], check=True, capture_output=True)
    return crt, key


def start_outpost_tls(work, binary, backend_port, crt, key, suite):
    d = os.path.join(work, "outpost-tls-config")
    os.makedirs(os.path.join(d, "apis"), exist_ok=True)
    os.makedirs(os.path.join(d, "certificates"), exist_ok=True)
    B.write(os.path.join(d, "apis", "root.toml"),
            f'display-name = "Bench"\npath = ""\nservice-url = "http://127.0.0.1:{backend_port}"\n')
    B.write(os.path.join(d, "certificates", "bench.pem"), open(crt).read() + open(key).read())
    B.write(os.path.join(d, "hostnames.toml"),
            '[[hostname]]\nhostname = "bench.test"\ncertificate = "bench"\ndefault = true\n')
    port, tls_port = B.free_port(), B.free_port()
    env = B.outpost_env(port, 1)
    env["OUTPOST_NET_SERVER_HTTPS_PORT"] = str(tls_port)
    env["OUTPOST_NET_SERVER_TLS_CIPHERS_ALLOWED_SUITES"] = suite
    p = B.PROCS.start([binary, "gateway", "--config", d], cpus=B.PROXY_CPUS, env=env,
                      log_path=os.path.join(work, "outpost-tls.log"))
    B.wait_http(port, "/", timeout=60)
    return B.Peer("outpost", p, tls_port, [p.pid])


def start_nginx_tls(work, backend_port, crt, key, suite):
    d = os.path.join(work, "nginx-tls")
    os.makedirs(d, exist_ok=True)
    port = B.free_port()
    B.write(os.path.join(d, "nginx.conf"), B.nginx_config(d, f"""  access_log off;
  upstream backend {{ server 127.0.0.1:{backend_port}; keepalive 64; keepalive_requests 10000000; }}
  server {{
    listen 127.0.0.1:{port} ssl backlog=4096;
    ssl_certificate {crt};
    ssl_certificate_key {key};
    ssl_protocols TLSv1.2 TLSv1.3;
    ssl_conf_command Ciphersuites {suite};
    ssl_session_cache shared:SSL:10m;
    ssl_session_tickets on;
    location / {{ proxy_pass http://backend; proxy_http_version 1.1; proxy_set_header Connection ""; }}
  }}"""))
    p = B.PROCS.start(["nginx", "-p", d, "-c", f"{d}/nginx.conf"], cpus=B.PROXY_CPUS,
                      log_path=f"{d}/stdout.log")
    for _ in range(200):
        r = subprocess.run(["curl", "-sk", "-o", "/dev/null", "-w", "%{http_code}",
                            f"https://127.0.0.1:{port}/"], capture_output=True, text=True)
        if r.stdout == "200":
            break
    workers = B.children(p.pid)
    return B.Peer("nginx", p, port, workers or [p.pid])


def measure(peer, argv):
    """Runs argv (bounded), returns (requests, cpu seconds of the peer)."""
    t0 = B.proc_cpu_ticks(peer.pids)
    out = subprocess.run(["taskset", "-c", B.LOAD_CPUS] + argv, capture_output=True, text=True).stdout
    t1 = B.proc_cpu_ticks(peer.pids)
    return out, (t1 - t0) / CLK


def run_keepalive(peer, duration):
    out, cpu = measure(peer, ["wrk", "-t1", "-c50", f"-d{duration}s", f"https://127.0.0.1:{peer.port}/"])
    m = re.search(r"(\d+) requests in", out)
    return int(m.group(1)) if m else 0, cpu


def run_s_time(peer, duration, mode, suite):
    out, cpu = measure(peer, ["openssl", "s_time", "-connect", f"127.0.0.1:{peer.port}", mode,
                              "-www", "/", "-time", str(duration), "-ciphersuites", suite])
    # "N connections in T real seconds" (first line for -new, the -reuse line otherwise)
    m = re.findall(r"(\d+) connections in [\d.]+s", out)
    return (int(m[-1]) if m else 0), cpu


SCENARIOS = {
    "tls-keepalive": lambda p, d, s: run_keepalive(p, d),
    "tls-full": lambda p, d, s: run_s_time(p, d, "-new", s),
    "tls-resumed": lambda p, d, s: run_s_time(p, d, "-reuse", s),
}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--duration", type=int, default=10)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--suite", default="TLS_AES_128_GCM_SHA256")
    ap.add_argument("--binary", default=os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                                     "..", "target", "release", "outpost"))
    args = ap.parse_args()
    work = tempfile.mkdtemp(prefix="outpost-bench-tls-")
    try:
        _, backend_port = B.start_backend(work)
        crt, key = make_cert(work)
        results = {}
        for name, start in [("outpost", lambda: start_outpost_tls(work, args.binary, backend_port, crt, key,
                                                                  args.suite)),
                            ("nginx", lambda: start_nginx_tls(work, backend_port, crt, key, args.suite))]:
            peer = start()
            for sc, fn in SCENARIOS.items():
                per = []
                for _ in range(args.repeats):
                    n, cpu = fn(peer, args.duration, args.suite)
                    if n:
                        per.append((n / args.duration, cpu / n * 1e6))
                results[(name, sc)] = per
                B.log(name, sc, per)
            B.PROCS.stop(peer.proc)
        print(f"\nsuite {args.suite}, {args.duration} s x {args.repeats}, medians\n")
        print("| scenario | outpost req/s | nginx req/s | outpost CPU-µs/req | nginx CPU-µs/req | ratio |")
        print("|---|---|---|---|---|---|")
        for sc in SCENARIOS:
            o, n = results[("outpost", sc)], results[("nginx", sc)]
            if not o or not n:
                print(f"| {sc} | - | - | - | - | - |")
                continue
            orps, ocpu = statistics.median(x[0] for x in o), statistics.median(x[1] for x in o)
            nrps, ncpu = statistics.median(x[0] for x in n), statistics.median(x[1] for x in n)
            print(f"| {sc} | {orps:.0f} | {nrps:.0f} | {ocpu:.1f} | {ncpu:.1f} | {ocpu / ncpu:.2f}x |")
    finally:
        B.PROCS.stop_all()


if __name__ == "__main__":
    main()
