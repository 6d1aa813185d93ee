#!/usr/bin/env python3
"""Expression benchmark (issue 13): the CPU cost of a policy that parses a
2 KiB JSON request body with `Body.As<JObject>()`, filters it with LINQ and
sends it on re-serialized, on top of the plain proxy.

Three peers, each 1 worker on bench.py's PROXY_CPUS, each proxying POSTs to
bench.py's nginx backend (`POST /upload` -> 200 "ok"), each loaded by wrk
with the same 2 KiB JSON body on 50 keep-alive connections:

  outpost-plain  one API at the root, no policy (the plain proxy)
  outpost-expr   the same API with the policy below in inbound
  nginx-plain    bench.py's nginx proxy (nginx's plain proxy cost, same run)

Figures of merit (medians of --repeats interleaved runs): CPU-µs per request
(utime+stime of the peer over a wrk saturation run / requests) and req/s;
the target is outpost-expr - outpost-plain <= 15 CPU-µs per request.
Usage: bench/run.sh --expressions [--duration S] [--repeats N]
"""

import argparse
import json
import os
import shutil
import statistics
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench as B  # noqa: E402

PEERS = ["outpost-plain", "outpost-expr", "nginx-plain"]

POLICY = """<policies>
    <inbound>
        <base />
        <set-body>@{
            var order = context.Request.Body.As<JObject>();
            var items = order["items"]
                .Where(i => (double)i["price"] > 10 && (bool)i["inStock"])
                .Select(i => new JObject(
                    new JProperty("sku", i["sku"]),
                    new JProperty("total", (double)i["price"] * (int)i["qty"])));
            order["items"] = new JArray(items);
            order["count"] = order["items"].Count();
            return order.ToString(Newtonsoft.Json.Formatting.None);
        }</set-body>
    </inbound>
    <backend><base /></backend>
    <outbound><base /></outbound>
    <on-error><base /></on-error>
</policies>
"""


def order_body():
    """A 2 KiB order: 14 items with nested tags, compact JSON."""
    items = [dict(sku=f"SKU-{i:04d}", name=f"Item number {i} of the order", price=5.5 + 3 * i,
                  qty=1 + i % 3, inStock=i % 4 != 0, tags=["a", "b"]) for i in range(14)]
    order = dict(orderId="6f1c2b7e-1d2a-4c4e-9b7a-2f0e8c9d1a3b",
                 customer=dict(id=42, name="Contoso Ltd", email="orders@contoso.example"),
                 items=items)
    body = json.dumps(order, separators=(",", ":"))
    return body + " " * max(0, 2048 - len(body))


def lua(work, body):
    path = os.path.join(work, "expressions.lua")
    B.write(path, 'wrk.method = "POST"\n'
                  f'wrk.body = {json.dumps(body)}\n'
                  'wrk.headers["Content-Type"] = "application/json"\n')
    return path


def start_outpost_expr(work, binary, backend_port):
    d = os.path.join(work, "outpost-expr-config")
    os.makedirs(os.path.join(d, "apis"), exist_ok=True)
    B.write(os.path.join(d, "apis", "bench.toml"),
            f'display-name = "Bench"\npath = ""\nservice-url = "http://127.0.0.1:{backend_port}"\n'
            'subscription-required = false\n')
    B.write(os.path.join(d, "apis", "bench.xml"), POLICY)
    port = B.free_port()
    env = B.outpost_env(port, 1)
    p = B.PROCS.start([binary, "gateway", "--config", d], cpus=B.PROXY_CPUS, env=env,
                      log_path=os.path.join(work, "outpost-expr.log"))
    wait_listening(port)
    return B.Peer("outpost-expr", p, port, [p.pid])


def wait_listening(port):
    """Waits until the port accepts connections (a GET without a body fails
    the policy, so bench.py's wait for a 200 does not apply)."""
    import socket
    import time
    deadline = time.time() + 60
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            if time.time() > deadline:
                raise
            time.sleep(0.1)


def check(peer, body):
    """One request: 200 "ok" from the backend (the policy ran without error)."""
    import http.client
    c = http.client.HTTPConnection("127.0.0.1", peer.port, timeout=10)
    c.request("POST", "/upload", body=body.encode(), headers={"Content-Type": "application/json"})
    r = c.getresponse()
    got = r.read()
    c.close()
    if r.status != 200 or got != b"ok":
        raise RuntimeError(f"{peer.name}: {r.status} {got[:200]!r}")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--duration", type=int, default=10)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--binary", default=os.path.join(B.ROOT, "target", "release", "outpost"))
    args = ap.parse_args()
    work = tempfile.mkdtemp(prefix="outpost-bench-expressions-")
    os.chmod(work, 0o755)
    body = order_body()
    scenario = B.sc(dict(name="expr-json-c50", path="/upload", conns=50, method="POST", body=len(body)))
    try:
        _, backend_port = B.start_backend(work)
        starters = {"outpost-plain": lambda: B.start_outpost(work, args.binary, backend_port),
                    "outpost-expr": lambda: start_outpost_expr(work, args.binary, backend_port),
                    "nginx-plain": lambda: B.start_nginx_proxy(work, backend_port)}
        script = lua(work, body)
        B.lua_script = lambda _work, _s: script  # every peer gets the JSON body
        peers = {}
        for name in PEERS:
            p = peers[name] = starters[name]()
            p.name = name
            check(p, body)
            B.run_wrk(p.url("/upload"), scenario, 1, work)  # warm-up
        runs = {name: [] for name in PEERS}
        for rep in range(args.repeats):
            for name, p in peers.items():
                r = B.run_wrk(p.url("/upload"), scenario, args.duration, work, pids=p.pids)
                B.log(f"{name} rep{rep}: {r['rps']:.0f} req/s cpu/req={r.get('cpu_us_per_req')} err={r['errors']}")
                runs[name].append(r)
    finally:
        B.PROCS.stop_all()
        shutil.rmtree(work, ignore_errors=True)
    med = {n: (statistics.median(r["rps"] for r in rs),
               statistics.median(r["cpu_us_per_req"] for r in rs if r.get("cpu_us_per_req")),
               sum(r["errors"] for r in rs)) for n, rs in runs.items()}
    print(f"\nPOST /upload with a {len(body)} B JSON body, 50 keep-alive connections, wrk -t1, "
          f"{args.duration} s x {args.repeats}, medians\n")
    print("| peer | req/s | CPU-µs/req | errors |")
    print("|---|---|---|---|")
    for n in PEERS:
        print(f"| {n} | {med[n][0]:,.0f} | {med[n][1]:.2f} | {med[n][2]} |")
    extra = med["outpost-expr"][1] - med["outpost-plain"][1]
    print(f"\nexpression cost: outpost-expr - outpost-plain = {extra:.2f} CPU-µs/req (target <= 15)")
    print(f"outpost-plain / nginx-plain CPU: {med['outpost-plain'][1] / med['nginx-plain'][1]:.2f}x")


if __name__ == "__main__":
    main()
