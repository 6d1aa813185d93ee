#!/usr/bin/env python3
"""Policy benchmark: the cost of a typical APIM policy set, outpost vs nginx.

Four peers, each 1 worker on bench.py's PROXY_CPUS, each proxying to
bench.py's nginx backend (GET / -> "hello"), each loaded with the same
request carrying `Ocp-Apim-Subscription-Key: <key>` (the plain peers: the
same request without it) on 50 keep-alive connections:

  outpost-plain     one API at the root, no policy, no access log
  outpost-policies  the API requires a subscription (product `bench`), and its
                    policy runs rate-limit-by-key (per subscription, a limit
                    never reached), set-header inbound and set-header outbound;
                    JSON access log (`telemetry.logs.std=json`) to a file
  nginx-plain       bench.py's nginx proxy
  nginx-policies    the same policy set where nginx can express it: a `map`
                    of valid keys (401 otherwise), `limit_req` keyed by the
                    subscription key (a rate never reached), `proxy_set_header`
                    + `add_header`, JSON `access_log` to a file (unbuffered,
                    as outpost's: one write per request)

Figures of merit (medians of --repeats interleaved runs): the peer's CPU per
request (utime+stime from /proc over a wrk saturation run / requests), req/s,
and the two ratios the issue sets targets for: outpost-policies vs
outpost-plain (target <= 1.3x) and outpost-policies vs nginx-policies
(target < 1x). Every run is bounded by --duration. Usage:
  bench/run.sh --policies [--duration S] [--repeats N]
"""

import argparse
import os
import shutil
import statistics
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench as B  # noqa: E402

KEY = "bench-subscription-key"
PEERS = ["outpost-plain", "outpost-policies", "nginx-plain", "nginx-policies"]
SCENARIO = dict(name="policies-c50", path="/", conns=50, headers={"Ocp-Apim-Subscription-Key": KEY})
# The plain peers know no subscription (an unknown key is a 401 on outpost):
# they get the same request without the key header.
PLAIN = dict(name="plain-c50", path="/", conns=50)

API_POLICY = """<policies>
    <inbound>
        <base />
        <rate-limit-by-key calls="1000000000" renewal-period="60"
                           counter-key="@(context.Subscription.Id)" />
        <set-header name="X-Bench-In" exists-action="override"><value>1</value></set-header>
    </inbound>
    <backend><base /></backend>
    <outbound>
        <base />
        <set-header name="X-Bench-Out" exists-action="override"><value>1</value></set-header>
    </outbound>
    <on-error><base /></on-error>
</policies>
"""


def start_outpost_policies(work, binary, backend_port, access_log=True):
    d = os.path.join(work, "outpost-policies-config")
    for sub in ("apis", "products"):
        os.makedirs(os.path.join(d, sub), exist_ok=True)
    B.write(os.path.join(d, "apis", "bench.toml"),
            f'display-name = "Bench"\npath = ""\nservice-url = "http://127.0.0.1:{backend_port}"\n'
            'subscription-required = true\n')
    B.write(os.path.join(d, "apis", "bench.xml"), API_POLICY)
    B.write(os.path.join(d, "products", "bench.toml"),
            'display-name = "Bench"\napis = ["bench"]\nsubscription-required = true\nstate = "published"\n')
    B.write(os.path.join(d, "subscriptions.toml"),
            f'[[subscription]]\nid = "bench"\ndisplay-name = "Bench"\nscope = "product:bench"\n'
            f'primary-key = "{KEY}"\nsecondary-key = "{KEY}-2"\nstate = "active"\n')
    port = B.free_port()
    env = B.outpost_env(port, 1)
    env["OUTPOST_TELEMETRY_LOGS_STD"] = "json" if access_log else "text"
    env["OUTPOST_TELEMETRY_LOGS_STD_LEVEL"] = "info"
    p = B.PROCS.start([binary, "gateway", "--config", d], cpus=B.PROXY_CPUS, env=env,
                      log_path=os.path.join(work, f"outpost-policies-{access_log}.log"))
    wait_with_key(port)
    return B.Peer("outpost-policies", p, port, [p.pid])


def start_nginx_policies(work, backend_port):
    d = os.path.join(work, "nginx-policies")
    os.makedirs(d, exist_ok=True)
    port = B.free_port()
    B.write(os.path.join(d, "nginx.conf"), B.nginx_config(d, f"""  log_format apim escape=json '{{"timeGenerated":"$time_iso8601","method":"$request_method",'
      '"url":"$scheme://$host$request_uri","responseCode":$status,"responseSize":$bytes_sent,'
      '"totalTime":$request_time,"backendTime":"$upstream_response_time","clientIp":"$remote_addr",'
      '"requestSize":$request_length,"apiId":"bench","productId":"bench","subscriptionId":"bench"}}';
  access_log {d}/access.log apim;
  map $http_ocp_apim_subscription_key $subscription {{
    default "";
    "{KEY}" bench;
    "{KEY}-2" bench;
  }}
  limit_req_zone $subscription zone=per_subscription:10m rate=10000000r/s;
  upstream backend {{
    server 127.0.0.1:{backend_port};
    keepalive 64;
    keepalive_requests 10000000;
  }}
  server {{
    listen 127.0.0.1:{port} backlog=4096;
    location / {{
      if ($subscription = "") {{ return 401; }}
      limit_req zone=per_subscription burst=1000000 nodelay;
      proxy_pass http://backend;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header X-Bench-In 1;
      add_header X-Bench-Out 1;
    }}
  }}"""))
    p = B.PROCS.start(["nginx", "-p", d, "-c", f"{d}/nginx.conf"], cpus=B.PROXY_CPUS,
                      log_path=f"{d}/stdout.log")
    wait_with_key(port)
    workers = B.children(p.pid)
    return B.Peer("nginx-policies", p, port, workers or [p.pid])


def wait_with_key(port):
    """Waits for the peer, then checks the policy set really applies: 401 without the key."""
    import http.client
    import time
    deadline = time.time() + 60
    while True:
        try:
            c = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            c.request("GET", "/")
            r = c.getresponse()
            r.read()
            c.close()
            break
        except OSError:
            if time.time() > deadline:
                raise
            time.sleep(0.1)
    if r.status != 401:
        raise RuntimeError(f"port {port}: a request without the key got {r.status}, not 401")


def check(peer):
    """One keyed request: 200 "hello", and the outbound header when the peer runs policies."""
    import http.client
    c = http.client.HTTPConnection("127.0.0.1", peer.port, timeout=10)
    c.request("GET", "/", headers=scenario_of(peer.name).get("headers", {}))
    r = c.getresponse()
    body = r.read()
    c.close()
    if r.status != 200 or body != b"hello":
        raise RuntimeError(f"{peer.name}: {r.status} {body[:80]!r}")
    if peer.name.endswith("-policies") and r.getheader("X-Bench-Out") != "1":
        raise RuntimeError(f"{peer.name}: X-Bench-Out missing")


def scenario_of(name):
    return B.sc(PLAIN if name.endswith("-plain") else SCENARIO)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--duration", type=int, default=10)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--split", action="store_true",
                    help="also outpost-policies-nolog: the policies without the access log")
    ap.add_argument("--binary", default=os.path.join(B.ROOT, "target", "release", "outpost"))
    args = ap.parse_args()
    work = tempfile.mkdtemp(prefix="outpost-bench-policies-")
    os.chmod(work, 0o755)
    try:
        _, backend_port = B.start_backend(work)
        starters = {"outpost-plain": lambda: B.start_outpost(work, args.binary, backend_port),
                    "outpost-policies": lambda: start_outpost_policies(work, args.binary, backend_port),
                    "outpost-policies-nolog":
                        lambda: start_outpost_policies(work, args.binary, backend_port, access_log=False),
                    "nginx-plain": lambda: B.start_nginx_proxy(work, backend_port),
                    "nginx-policies": lambda: start_nginx_policies(work, backend_port)}
        names = PEERS + (["outpost-policies-nolog"] if args.split else [])
        peers = {}
        for name in names:
            p = peers[name] = starters[name]()
            p.name = name  # B.start_outpost / B.start_nginx_proxy name theirs "outpost" / "nginx"
            check(p)
            B.run_wrk(p.url("/"), scenario_of(p.name), 1, work)  # warm-up
        runs = {name: [] for name in names}
        for rep in range(args.repeats):
            for name, p in peers.items():
                r = B.run_wrk(p.url("/"), scenario_of(name), args.duration, work, pids=p.pids)
                B.log(f"{name} rep{rep}: {r['rps']:.0f} req/s cpu/req={r.get('cpu_us_per_req')} err={r['errors']}")
                runs[name].append(r)
    finally:
        B.PROCS.stop_all()
        shutil.rmtree(work, ignore_errors=True)
    med = {n: (statistics.median(r["rps"] for r in rs),
               statistics.median(r["cpu_us_per_req"] for r in rs if r.get("cpu_us_per_req")),
               sum(r["errors"] for r in rs)) for n, rs in runs.items()}
    print(f"\nGET / with a subscription key, 50 keep-alive connections, wrk -t1, "
          f"{args.duration} s x {args.repeats}, medians\n")
    print("| peer | req/s | CPU-µs/req | errors |")
    print("|---|---|---|---|")
    for n in names:
        print(f"| {n} | {med[n][0]:,.0f} | {med[n][1]:.2f} | {med[n][2]} |")
    op, opl, npol = med["outpost-policies"][1], med["outpost-plain"][1], med["nginx-policies"][1]
    print(f"\noutpost-policies / outpost-plain CPU: {op / opl:.2f}x (target <= 1.3x)")
    print(f"outpost-policies / nginx-policies CPU: {op / npol:.2f}x (target < 1x)")
    print(f"nginx-policies / nginx-plain CPU: {npol / med['nginx-plain'][1]:.2f}x")


if __name__ == "__main__":
    main()
