#!/usr/bin/env python3
"""Call-out and cache benchmark (issue 14): the CPU cost per request of a
`cache-lookup` hit and of a `send-request` made before the main call,
side by side with the plain proxies.

Four peers, each 1 worker on bench.py's PROXY_CPUS, each loaded by wrk with
`GET /1k` on 50 keep-alive connections, all proxying to bench.py's nginx backend
(`GET /1k` -> 1 KiB; `GET /token` -> "hello"):

  outpost-plain  one API at the root, no policy (the plain proxy)
  outpost-cache  the same API with cache-lookup (inbound) + cache-store
                 (outbound): after the first request every request is a hit,
                 answered without touching the backend
  outpost-send   the same API with a send-request in inbound to the same
                 backend (`GET /token`), whose body becomes a header of the
                 main call: two backend calls per request
  nginx-plain    bench.py's nginx proxy (nginx's plain proxy cost, same run)

Figures of merit (medians of --repeats interleaved runs): CPU-µs per request
(utime+stime of the peer over a wrk saturation run / requests) and req/s.
Targets: outpost-cache < nginx-plain; outpost-send <= 2 x outpost-plain.
Usage: bench/run.sh --calls [--duration S] [--repeats N]
"""

import argparse
import os
import shutil
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench as B  # noqa: E402

PEERS = ["outpost-plain", "outpost-cache", "outpost-send", "nginx-plain"]

CACHE_POLICY = """<policies>
    <inbound>
        <base />
        <cache-lookup vary-by-developer="false" vary-by-developer-groups="false" downstream-caching-type="none" />
    </inbound>
    <backend><base /></backend>
    <outbound>
        <base />
        <cache-store duration="3600" />
    </outbound>
    <on-error><base /></on-error>
</policies>
"""

SEND_POLICY = """<policies>
    <inbound>
        <base />
        <send-request mode="new" response-variable-name="token" timeout="10">
            <set-url>http://127.0.0.1:{port}/token</set-url>
            <set-method>GET</set-method>
        </send-request>
        <set-header name="X-Token" exists-action="override">
            <value>@(((IResponse)context.Variables["token"]).Body.As<string>())</value>
        </set-header>
    </inbound>
    <backend><base /></backend>
    <outbound><base /></outbound>
    <on-error><base /></on-error>
</policies>
"""


def check(peer):
    """Two requests: the 1 KiB body both times; for the caching peer the
    second comes from the cache (it carries an Age)."""
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
    if peer.name == "outpost-cache" and ages[1] is None:
        raise RuntimeError("outpost-cache: the second request was not answered from the cache")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--duration", type=int, default=10)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--binary", default=os.path.join(B.ROOT, "target", "release", "outpost"))
    args = ap.parse_args()
    work = tempfile.mkdtemp(prefix="outpost-bench-calls-")
    os.chmod(work, 0o755)
    scenario = B.sc(dict(name="calls-1k-c50", path="/1k", conns=50))
    try:
        _, port = B.start_backend(work)
        starters = {
            "outpost-plain": lambda: B.start_outpost(work, args.binary, port),
            "outpost-cache": lambda: B.start_outpost_policy(work, args.binary, port, "outpost-cache", CACHE_POLICY),
            "outpost-send": lambda: B.start_outpost_policy(work, args.binary, port, "outpost-send",
                                                           SEND_POLICY.format(port=port)),
            "nginx-plain": lambda: B.start_nginx_proxy(work, port),
        }
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
    cache = med["outpost-cache"][1] / med["nginx-plain"][1]
    send = med["outpost-send"][1] / med["outpost-plain"][1]
    print(f"\ncache hit / nginx-plain CPU: {cache:.2f}x (target < 1)")
    print(f"cache hit / outpost-plain CPU: {med['outpost-cache'][1] / med['outpost-plain'][1]:.2f}x")
    print(f"send-request + call / outpost-plain CPU: {send:.2f}x (target <= 2)")


if __name__ == "__main__":
    main()
