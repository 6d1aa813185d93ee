#!/usr/bin/env python3
"""Cache-hit benchmark (issue 14): the CPU cost of a GET answered by
`cache-lookup` from the in-process cache, against nginx's plain proxy of
the same request in the same run.

Three peers, each 1 worker on bench.py's PROXY_CPUS, in front of
bench.py's nginx backend, each loaded by wrk with GET /1k (a 1 KiB body)
on 50 keep-alive connections:

  outpost-plain      one API at the root, no policy (the plain proxy)
  outpost-cache-hit  the same API with cache-lookup / cache-store: after
                     the first request every request is a hit (the backend
                     is not called)
  nginx-plain        bench.py's nginx proxy (no cache: nginx's plain proxy cost)

Figures of merit (medians of --repeats interleaved runs): CPU-µs per request
(utime+stime of the peer over a wrk saturation run / requests) and req/s;
the target is outpost-cache-hit < nginx-plain in CPU-µs per request.
Usage: bench/run.sh --cache [--duration S] [--repeats N]
"""

import argparse
import os
import shutil
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench as B  # noqa: E402

PEERS = ["outpost-plain", "outpost-cache-hit", "nginx-plain"]

POLICY = """<policies>
    <inbound>
        <base />
        <cache-lookup vary-by-developer="false" vary-by-developer-groups="false"
                      downstream-caching-type="none" caching-type="internal">
            <vary-by-header>Accept</vary-by-header>
        </cache-lookup>
    </inbound>
    <backend><base /></backend>
    <outbound>
        <base />
        <cache-store duration="3600" />
    </outbound>
    <on-error><base /></on-error>
</policies>
"""


def check(peer):
    """Two requests: the 1 KiB body both times; the second from the cache
    (it carries an Age) for the caching peer."""
    import http.client
    ages = []
    for _ in range(2):
        c = http.client.HTTPConnection("127.0.0.1", peer.port, timeout=10)
        c.request("GET", "/1k")
        r = c.getresponse()
        got = r.read()
        ages.append(r.getheader("Age"))
        c.close()
        if r.status != 200 or len(got) != 1024:
            raise RuntimeError(f"{peer.name}: {r.status} {got[:200]!r}")
    if peer.name == "outpost-cache-hit" and ages[1] is None:
        raise RuntimeError("outpost-cache-hit: the second request was not answered from the cache")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--duration", type=int, default=10)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--binary", default=os.path.join(B.ROOT, "target", "release", "outpost"))
    args = ap.parse_args()
    work = tempfile.mkdtemp(prefix="outpost-bench-cache-")
    os.chmod(work, 0o755)
    scenario = B.sc(dict(name="cache-hit-1k-c50", path="/1k", conns=50))
    try:
        _, port = B.start_backend(work)
        starters = {"outpost-plain": lambda: B.start_outpost(work, args.binary, port),
                    "outpost-cache-hit": lambda: B.start_outpost_policy(work, args.binary, port,
                                                                        "outpost-cache-hit", POLICY),
                    "nginx-plain": lambda: B.start_nginx_proxy(work, port)}
        peers = {}
        for name in PEERS:
            p = peers[name] = starters[name]()
            p.name = name
            B.wait_http(p.port, "/", timeout=60)
            check(p)
            B.run_wrk(p.url("/1k"), scenario, 1, work)  # warm-up
        med = B.measure(peers, "/1k", scenario, args.duration, args.repeats, work)
    finally:
        B.PROCS.stop_all()
        shutil.rmtree(work, ignore_errors=True)
    print(f"\nGET /1k, 50 keep-alive connections, wrk -t1, {args.duration} s x {args.repeats}, medians\n")
    B.print_medians(med, PEERS)
    hit = med["outpost-cache-hit"][1]
    print(f"\ncache hit / nginx plain proxy CPU: {hit / med['nginx-plain'][1]:.2f}x (target < 1)")
    print(f"cache hit / outpost plain proxy CPU: {hit / med['outpost-plain'][1]:.2f}x")


if __name__ == "__main__":
    main()
