#!/usr/bin/env python3
"""Telemetry benchmark (issue 16): the CPU cost per request of the plain
proxy with telemetry off, with metrics exported, and with tracing at 100 %,
side by side with nginx.

Peers, each 1 worker on bench.py's PROXY_CPUS, loaded by wrk with `GET /1k`
on 50 keep-alive connections (the CPU counted is the whole gateway process:
workers, the telemetry thread and every sink's thread):

  outpost-plain     one API at the root, no policy, telemetry off
  outpost-prom      + the Prometheus endpoint, scraped every second by this
                    script during the runs (telemetry.metrics.local=prometheus)
  outpost-metrics   + OTLP metrics (HTTP/protobuf to a local sink answering
                    200, exported every second): Prometheus and OTLP on
  outpost-tracing   + traces at 100 % sampling over OTLP
  nginx-plain       bench.py's nginx proxy (same run)

Targets (issue 16): outpost-metrics <= 1.03 x outpost-plain CPU-µs per
request; outpost-tracing <= 1.10 x. A build without the OTLP sink or
spans (before those branches are merged) records nothing for them: the
figures then only show the hub's and Prometheus' cost.
Usage: bench/run.sh --telemetry [--duration S] [--repeats N]
"""

import argparse
import http.server
import os
import shutil
import sys
import tempfile
import threading
import time
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench as B  # noqa: E402

PEERS = ["outpost-plain", "outpost-prom", "outpost-metrics", "outpost-tracing", "nginx-plain"]


class _Sink(http.server.BaseHTTPRequestHandler):
    """An OTLP/HTTP stand-in: reads the request, answers 200 with an empty
    (valid, empty protobuf) body."""

    def do_POST(self):  # noqa: N802 (http.server's naming)
        n = int(self.headers.get("Content-Length") or 0)
        self.rfile.read(n)
        self.send_response(200)
        self.send_header("Content-Type", "application/x-protobuf")
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *a):
        pass


def start_otlp_sink():
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Sink)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    return srv


def telemetry_env(kind, prom_port, otlp_port):
    env = {}
    if kind in ("prom", "metrics", "tracing"):
        env.update({
            "OUTPOST_TELEMETRY_METRICS_LOCAL": "prometheus",
            "OUTPOST_TELEMETRY_METRICS_PROMETHEUS_ADDRESS": "127.0.0.1",
            "OUTPOST_TELEMETRY_METRICS_PROMETHEUS_PORT": str(prom_port),
        })
    if kind in ("metrics", "tracing"):
        env.update({
            "OUTPOST_OBSERVABILITY_OPENTELEMETRY_ENABLED": "true",
            "OUTPOST_OBSERVABILITY_OPENTELEMETRY_COLLECTOR_URI": f"http://127.0.0.1:{otlp_port}",
            "OUTPOST_OBSERVABILITY_OPENTELEMETRY_COLLECTOR_PROTOCOL": "http/protobuf",
            "OUTPOST_OBSERVABILITY_OPENTELEMETRY_EXPORT_INTERVAL": "1s",
        })
    if kind == "tracing":
        env.update({
            "OUTPOST_OBSERVABILITY_OPENTELEMETRY_TRACES_ENABLED": "true",
            "OUTPOST_OBSERVABILITY_OPENTELEMETRY_TRACES_SAMPLING": "1",
        })
    return env


def start_outpost_telemetry(work, binary, backend_port, name, kind, otlp_port):
    """bench.py's plain outpost (one API at the root) with telemetry `kind`."""
    cfg = B.outpost_config(work, backend_port)
    port = B.free_port()
    prom_port = B.free_port()
    env = B.outpost_env(port, 1)
    env.update(telemetry_env(kind, prom_port, otlp_port))
    p = B.PROCS.start([binary, "gateway", "--config", cfg], cpus=B.PROXY_CPUS, env=env,
                      log_path=os.path.join(work, f"{name}.log"))
    B.wait_http(port, "/", timeout=60)
    peer = B.Peer(name, p, port, [p.pid])
    peer.prom_port = prom_port if kind != "plain" else None
    return peer


class Scraper:
    """Scrapes every Prometheus endpoint once a second (as a server would)."""

    def __init__(self, ports):
        self.ports = ports
        self.stop = threading.Event()
        self.scrapes = 0
        self.thread = threading.Thread(target=self.run, daemon=True)

    def run(self):
        while not self.stop.wait(1.0):
            for port in self.ports:
                try:
                    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5) as r:
                        r.read()
                    self.scrapes += 1
                except OSError:
                    pass


def requests_counted(port):
    """`sum(azure_apim_Requests)` read from the endpoint's text."""
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5) as r:
        text = r.read().decode()
    return sum(float(line.rsplit(" ", 1)[1]) for line in text.splitlines()
               if line.startswith("azure_apim_Requests{"))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--duration", type=int, default=10)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--binary", default=os.path.join(B.ROOT, "target", "release", "outpost"))
    args = ap.parse_args()
    work = tempfile.mkdtemp(prefix="outpost-bench-telemetry-")
    os.chmod(work, 0o755)
    sink = start_otlp_sink()
    scraper = None
    try:
        scenario = B.sc(dict(name="telemetry-1k-c50", path="/1k", conns=50))
        _, port = B.start_backend(work)
        otlp_port = sink.server_address[1]
        kinds = {"outpost-plain": "plain", "outpost-prom": "prom", "outpost-metrics": "metrics",
                 "outpost-tracing": "tracing"}
        peers = {}
        for name in PEERS:
            if name == "nginx-plain":
                p = B.start_nginx_proxy(work, port)
                B.wait_http(p.port, "/", timeout=60)
            else:
                p = start_outpost_telemetry(work, args.binary, port, name, kinds[name], otlp_port)
            p.name = name
            peers[name] = p
            B.run_wrk(p.url("/1k"), scenario, 1, work)  # warm-up
        prom_ports = [p.prom_port for p in peers.values() if getattr(p, "prom_port", None)]
        scraper = Scraper(prom_ports)
        scraper.thread.start()
        med = B.measure(peers, "/1k", scenario, args.duration, args.repeats, work)
        scraper.stop.set()
        counted = requests_counted(peers["outpost-prom"].prom_port)
    finally:
        if scraper:
            scraper.stop.set()
        sink.shutdown()
        B.PROCS.stop_all()
        shutil.rmtree(work, ignore_errors=True)
    print(f"\nGET /1k, 50 keep-alive connections, wrk -t1, {args.duration} s x {args.repeats}, medians; "
          f"{scraper.scrapes} scrapes during the runs\n")
    B.print_medians(med, PEERS)
    plain = med["outpost-plain"][1]
    print()
    for name, target in [("outpost-prom", 1.03), ("outpost-metrics", 1.03), ("outpost-tracing", 1.10)]:
        print(f"{name} / outpost-plain CPU: {med[name][1] / plain:.3f}x (target <= {target:.2f})")
    print(f"outpost-plain / nginx-plain CPU: {plain / med['nginx-plain'][1]:.2f}x")
    print(f"requests counted by outpost-prom's endpoint: {counted:,.0f}")


if __name__ == "__main__":
    main()
