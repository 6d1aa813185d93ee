#!/usr/bin/env python3
"""Outpost benchmark harness: outpost vs nginx vs HAProxy, side by side.

Run through bench/run.sh (which installs the tools and builds outpost);
`python3 bench/bench.py --help` lists the options.
"""
import argparse
import datetime
import json
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
CLK_TCK = os.sysconf("SC_CLK_TCK")
NPROC = os.cpu_count() or 1

# CPU placement (see README "Placement"): the proxy under test alone on CPU 0,
# the load generator and the backend together on the last CPU.
PROXY_CPUS = "0"
LOAD_CPUS = str(NPROC - 1)
BACKEND_CPUS = str(NPROC - 1)

# ---------------------------------------------------------------------------
# Scenarios. Adding one = one line. Fields:
#   name, path on the backend, concurrent connections, method, body bytes,
#   keepalive (False = a new connection per request), target_ok (also run
#   with --target, where only the user's URL exists).
SCENARIOS = [
    dict(name="get-small-c50", path="/", conns=50),
    dict(name="get-1k-c50", path="/1k", conns=50),
    dict(name="get-64k-c50", path="/64k", conns=50),
    dict(name="post-16k-c50", path="/upload", conns=50, method="POST", body=16384),
    dict(name="get-small-c1000", path="/", conns=1000),
    dict(name="get-small-close-c50", path="/", conns=50, keepalive=False),
]
SCENARIO_DEFAULTS = dict(method="GET", body=0, keepalive=True, target_ok=True)

PEERS = ["outpost", "nginx", "haproxy"]


def log(*a):
    print("[bench]", *a, file=sys.stderr, flush=True)


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p


def wait_http(port, path="/", timeout=20.0, host="127.0.0.1"):
    """Wait until GET path answers 200 on port."""
    deadline = time.time() + timeout
    last = None
    while time.time() < deadline:
        try:
            with socket.create_connection((host, port), timeout=1) as s:
                s.sendall(f"GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n".encode())
                data = b""
                while True:
                    chunk = s.recv(65536)
                    if not chunk:
                        break
                    data += chunk
                if data.startswith(b"HTTP/1.1 200"):
                    return data
                last = data[:80]
        except OSError as e:
            last = e
        time.sleep(0.1)
    raise RuntimeError(f"port {port} did not answer 200 on {path}: {last!r}")


# ---------------------------------------------------------------------------
# /proc readings

def proc_cpu_ticks(pids):
    total = 0
    for pid in pids:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])  # utime, stime (all threads)
    return total


def proc_hwm_kib(pids):
    total = 0
    for pid in pids:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    total += int(line.split()[1])
    return total


def children(pid):
    out = []
    for t in os.listdir(f"/proc/{pid}/task"):
        try:
            with open(f"/proc/{pid}/task/{t}/children") as f:
                out += [int(x) for x in f.read().split()]
        except OSError:
            pass
    return out


# ---------------------------------------------------------------------------
# Processes

def _die_with_parent():
    """In the child: get SIGKILL if the harness dies (even by SIGKILL)."""
    try:
        import ctypes
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except Exception:
        pass


class Procs:
    """Owns every child process; stop_all() on exit / signal."""

    def __init__(self):
        self.procs = []

    def start(self, argv, cpus=None, env=None, log_path=None):
        if cpus is not None:
            argv = ["taskset", "-c", cpus] + argv
        out = open(log_path, "wb") if log_path else subprocess.DEVNULL
        p = subprocess.Popen(argv, env=env, stdout=out, stderr=subprocess.STDOUT,
                             stdin=subprocess.DEVNULL, start_new_session=True, preexec_fn=_die_with_parent)
        self.procs.append(p)
        return p

    def stop(self, p):
        if p.poll() is None:
            try:
                os.killpg(p.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            p.wait(timeout=10)
        if p in self.procs:
            self.procs.remove(p)

    def stop_all(self):
        for p in list(self.procs):
            self.stop(p)


PROCS = Procs()


def write(path, text):
    with open(path, "w") as f:
        f.write(text)


def nginx_config(d, http):
    """A one-worker nginx.conf whose files all live in `d`; `http` is the
    rest of its `http` block (braces doubled only where the caller uses an
    f-string)."""
    return f"""
worker_processes 1;
worker_rlimit_nofile 19000;
daemon off;
pid {d}/nginx.pid;
error_log {d}/error.log warn;
events {{ worker_connections 9000; }}
http {{
  client_body_temp_path {d}/tmp_body; proxy_temp_path {d}/tmp_proxy;
  fastcgi_temp_path {d}/tmp_f; uwsgi_temp_path {d}/tmp_u; scgi_temp_path {d}/tmp_s;
  keepalive_requests 10000000;
  keepalive_timeout 300s;
{http}
}}
"""


def start_backend(work):
    d = os.path.join(work, "backend")
    os.makedirs(d, exist_ok=True)
    write(os.path.join(d, "1k"), "a" * 1024)
    write(os.path.join(d, "64k"), "b" * 65536)
    port = free_port()
    write(os.path.join(d, "nginx.conf"), nginx_config(d, f"""  access_log off;
  server {{
    listen 127.0.0.1:{port} reuseport backlog=4096;
    root {d};
    client_body_buffer_size 32k;
    client_max_body_size 1m;
    location = /1k {{ default_type application/octet-stream; }}
    location = /64k {{ default_type application/octet-stream; }}
    # `return` reads and discards the request body; the connection stays
    # keep-alive (checked: pipelined POSTs on one connection all answered).
    location = /upload {{ return 200 "ok"; }}
    location / {{ return 200 "hello"; }}
  }}"""))
    p = PROCS.start(["nginx", "-p", d, "-c", f"{d}/nginx.conf"], cpus=BACKEND_CPUS,
                    log_path=f"{d}/stdout.log")
    wait_http(port)
    return p, port


def outpost_env(port, workers):
    env = dict(os.environ)
    env.update({
        "OUTPOST_NET_SERVER_HTTP_ADDRESS": "127.0.0.1",
        "OUTPOST_NET_SERVER_HTTP_PORT": str(port),
        "OUTPOST_RUNTIME_WORKERS": str(workers),
        "OUTPOST_TELEMETRY_LOGS_STD_LEVEL": "warn",
    })
    return env


def outpost_config(work, backend_port, n_apis=None):
    """n_apis None: one API at the root path; else n APIs at api-0 ... api-(n-1)."""
    d = os.path.join(work, f"outpost-config-{n_apis or 'root'}")
    apis = os.path.join(d, "apis")
    if os.path.isdir(apis):
        return d
    os.makedirs(apis, exist_ok=True)
    for i in range(n_apis or 1):
        path = "" if n_apis is None else f"api-{i}"
        write(os.path.join(apis, f"api-{i}.toml"),
              f'display-name = "Bench {i}"\npath = "{path}"\n'
              f'service-url = "http://127.0.0.1:{backend_port}"\n')
    return d


class Peer:
    """A running gateway: port, pids whose CPU/RSS count, process handle."""

    def __init__(self, name, proc, port, pids, prefix=""):
        self.name, self.proc, self.port, self.pids, self.prefix = name, proc, port, pids, prefix

    def url(self, path):
        return f"http://127.0.0.1:{self.port}{self.prefix}{path}"


def start_outpost(work, binary, backend_port, workers=1, cpus=PROXY_CPUS, n_apis=None, name="outpost",
                  driver=None):
    cfg = outpost_config(work, backend_port, n_apis)
    prefix = "" if n_apis is None else f"/api-{n_apis - 1}"
    port = free_port()
    env = outpost_env(port, workers)
    if driver:
        env["OUTPOST_RUNTIME_DRIVER"] = driver
    p = PROCS.start([binary, "gateway", "--config", cfg], cpus=cpus, env=env,
                    log_path=os.path.join(work, f"{name}-{n_apis or 'root'}-{workers}.log"))
    wait_http(port, prefix + "/", timeout=60)
    return Peer(name, p, port, [p.pid], prefix)


def start_outpost_policy(work, binary, backend_port, name, policy):
    """Outpost with one API at the root carrying the API-scope `policy`
    (the policy scenarios: bench/cache.py, bench/expressions.py)."""
    d = os.path.join(work, f"{name}-config")
    os.makedirs(os.path.join(d, "apis"), exist_ok=True)
    write(os.path.join(d, "apis", "bench.toml"),
          f'display-name = "Bench"\npath = ""\nservice-url = "http://127.0.0.1:{backend_port}"\n'
          'subscription-required = false\n')
    write(os.path.join(d, "apis", "bench.xml"), policy)
    port = free_port()
    p = PROCS.start([binary, "gateway", "--config", d], cpus=PROXY_CPUS, env=outpost_env(port, 1),
                    log_path=os.path.join(work, f"{name}.log"))
    return Peer(name, p, port, [p.pid])


def measure(peers, path, s, duration, repeats, work):
    """Interleaved wrk saturation runs of every peer; the medians per peer:
    (req/s, CPU-µs per request, errors summed)."""
    runs = {name: [] for name in peers}
    for rep in range(repeats):
        for name, p in peers.items():
            r = run_wrk(p.url(path), s, duration, work, pids=p.pids)
            log(f"{name} rep{rep}: {r['rps']:.0f} req/s cpu/req={r.get('cpu_us_per_req')} err={r['errors']}")
            runs[name].append(r)
    return {n: (statistics.median(r["rps"] for r in rs),
                statistics.median(r["cpu_us_per_req"] for r in rs if r.get("cpu_us_per_req")),
                sum(r["errors"] for r in rs)) for n, rs in runs.items()}


def print_medians(med, names):
    print("| peer | req/s | CPU-µs/req | errors |")
    print("|---|---|---|---|")
    for n in names:
        print(f"| {n} | {med[n][0]:,.0f} | {med[n][1]:.2f} | {med[n][2]} |")


def start_nginx_proxy(work, backend_port):
    d = os.path.join(work, "nginx-proxy")
    os.makedirs(d, exist_ok=True)
    port = free_port()
    write(os.path.join(d, "nginx.conf"), nginx_config(d, f"""  access_log off;
  client_max_body_size 1m;
  client_body_buffer_size 32k;
  upstream backend {{
    server 127.0.0.1:{backend_port};
    keepalive 64;
    keepalive_requests 10000000;
  }}
  server {{
    listen 127.0.0.1:{port} backlog=4096;
    location / {{
      proxy_pass http://backend;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
    }}
  }}"""))
    p = PROCS.start(["nginx", "-p", d, "-c", f"{d}/nginx.conf"], cpus=PROXY_CPUS,
                    log_path=f"{d}/stdout.log")
    wait_http(port)
    workers = children(p.pid)  # CPU/RSS of the worker process(es), not the master
    return Peer("nginx", p, port, workers or [p.pid])


def start_haproxy(work, backend_port):
    d = os.path.join(work, "haproxy")
    os.makedirs(d, exist_ok=True)
    port = free_port()
    write(os.path.join(d, "haproxy.cfg"), f"""
global
    nbthread 1
    maxconn 9000
defaults
    mode http
    option http-keep-alive
    http-reuse always
    timeout connect 5s
    timeout client 300s
    timeout server 300s
    timeout http-keep-alive 300s
frontend fe
    bind 127.0.0.1:{port}
    default_backend be
backend be
    server s1 127.0.0.1:{backend_port}
""")
    p = PROCS.start(["haproxy", "-db", "-f", f"{d}/haproxy.cfg"], cpus=PROXY_CPUS,
                    log_path=f"{d}/stdout.log")
    wait_http(port)
    return Peer("haproxy", p, port, [p.pid])


# ---------------------------------------------------------------------------
# Load generators

def sc(s):
    return {**SCENARIO_DEFAULTS, **s}


def lua_script(work, s):
    """The wrk script for a scenario's method, body and extra headers (None: a plain GET)."""
    headers = s.get("headers") or {}
    if s["method"] == "GET" and not headers:
        return None
    path = os.path.join(work, f"{s['name']}.lua")
    lines = [f'wrk.headers["{k}"] = "{v}"' for k, v in headers.items()]
    if s["method"] != "GET":
        lines += [f'wrk.method = "{s["method"]}"', f'wrk.body = string.rep("x", {s["body"]})',
                  'wrk.headers["Content-Type"] = "application/octet-stream"']
    write(path, "\n".join(lines) + "\n")
    return path


def body_file(work, s):
    path = os.path.join(work, f"{s['name']}.body")
    if not os.path.exists(path):
        write(path, "x" * s["body"])
    return path


def parse_wrk(out):
    r = {"requests": 0, "rps": 0.0, "non2xx": 0, "socket_errors": 0}
    m = re.search(r"(\d+) requests in ([\d.]+)(\w+)", out)
    if m:
        r["requests"] = int(m.group(1))
    m = re.search(r"Requests/sec:\s+([\d.]+)", out)
    if m:
        r["rps"] = float(m.group(1))
    m = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    if m:
        r["non2xx"] = int(m.group(1))
    m = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    if m:
        r["socket_errors"] = sum(int(x) for x in m.groups())
        r["socket_error_kinds"] = dict(zip(("connect", "read", "write", "timeout"), map(int, m.groups())))
    return r


def run_wrk(url, s, duration, work, pids=None, threads=1, cpus=None):
    cpus = LOAD_CPUS if cpus is None else cpus
    argv = ["wrk", f"-t{threads}", f"-c{s['conns']}", f"-d{duration}s", "--latency", "--timeout", "10s"]
    if not s["keepalive"]:
        argv += ["-H", "Connection: close"]
    script = lua_script(work, s)
    if script:
        argv += ["-s", script]
    argv.append(url)
    if cpus:
        argv = ["taskset", "-c", cpus] + argv
    t0 = proc_cpu_ticks(pids) if pids else None
    out = subprocess.run(argv, capture_output=True, text=True, timeout=duration + 60).stdout
    r = parse_wrk(out)
    if pids:
        ticks = proc_cpu_ticks(pids) - t0
        r["cpu_s"] = ticks / CLK_TCK
        r["cpu_us_per_req"] = ticks * 1e6 / CLK_TCK / r["requests"] if r["requests"] else None
    r["errors"] = r["non2xx"] + r["socket_errors"]
    if r["requests"] == 0:
        log("wrk completed no request:", out.strip()[-400:])
    return r


_OHA_JSON = None


def oha_json_flag():
    """oha < 1.9 spells JSON output `--json`, newer ones `--output-format json`."""
    global _OHA_JSON
    if _OHA_JSON is None:
        h = subprocess.run(["oha", "--help"], capture_output=True, text=True).stdout if shutil.which("oha") else ""
        _OHA_JSON = ["--output-format", "json"] if "--output-format" in h else ["--json"]
    return _OHA_JSON


def run_oha(url, s, duration, rate, work):
    argv = ["taskset", "-c", LOAD_CPUS, "oha", "-z", f"{duration}s", "-q", str(int(rate)),
            "--latency-correction", "--no-tui", *oha_json_flag(), "-c", str(s["conns"]), "-t", "10s"]
    if not s["keepalive"]:
        argv.append("--disable-keepalive")
    if s["method"] != "GET":
        argv += ["-m", s["method"], "-D", body_file(work, s), "-T", "application/octet-stream"]
    argv.append(url)
    empty = {"p50_us": None, "p99_us": None, "p999_us": None, "errors": None, "rps": None}
    if not shutil.which("oha"):
        log("oha not installed: no latency figures")
        return empty
    p = subprocess.run(argv, capture_output=True, text=True, timeout=duration + 60)
    try:
        j = json.loads(p.stdout)
    except json.JSONDecodeError:
        log("oha output not JSON:", p.stdout[:300], p.stderr[:300])
        return empty
    pct = j.get("latencyPercentiles", {})
    codes = j.get("statusCodeDistribution", {}) or {}
    non2xx = sum(v for k, v in codes.items() if not str(k).startswith("2"))
    # In-flight requests cut off when the -z duration ends are reported as
    # "aborted due to deadline": not an error of the server, kept apart.
    dist = j.get("errorDistribution") or {}
    errs = sum(v for k, v in dist.items() if "deadline" not in k)
    aborted = sum(v for k, v in dist.items() if "deadline" in k)
    summ = j.get("summary", {})

    def us(k):
        v = pct.get(k)
        return None if v is None else v * 1e6
    return {"p50_us": us("p50"), "p99_us": us("p99"), "p999_us": us("p99.9"),
            "rps": summ.get("requestsPerSec"), "errors": non2xx + errs,
            "requests": sum(codes.values()), "aborted_at_deadline": aborted, "error_kinds": dist}


# ---------------------------------------------------------------------------
# Statistics / report

def agg(values):
    v = [x for x in values if x is not None]
    if not v:
        return None
    return {"median": statistics.median(v), "min": min(v), "max": max(v), "n": len(v)}


def fmt(a, digits=0, scale=1.0):
    if a is None:
        return "n/a"
    f = f"{{:,.{digits}f}}"
    med = f.format(a["median"] * scale)
    if a["n"] > 1:
        return f"{med} ({f.format(a['min'] * scale)}–{f.format(a['max'] * scale)})"
    return med


def ratio(a, b):
    if a is None or b is None or not b["median"]:
        return "n/a"
    return f"{a['median'] / b['median']:.2f}×"


def sanity(peer, s, work):
    """One request through the peer before measuring: must be 200 with the right body."""
    u = urllib.parse.urlsplit(peer.url(s["path"]))
    body = b"x" * s["body"] if s["body"] else None
    import http.client
    c = http.client.HTTPConnection(u.hostname, u.port, timeout=10)
    c.request(s["method"], u.path or "/", body=body)
    r = c.getresponse()
    data = r.read()
    c.close()
    if r.status != 200:
        raise RuntimeError(f"{peer.name} {s['name']}: status {r.status}")
    return len(data)


def run_main(args, work, binary, backend_port):
    results = {}
    scenarios = [sc(s) for s in SCENARIOS]
    if args.only:
        scenarios = [s for s in scenarios if s["name"] in args.only.split(",")]
    for s in scenarios:
        log(f"scenario {s['name']}")
        peers = []
        if args.target:
            if not s["target_ok"]:
                continue
            peers = [Peer("target", None, None, [])]
            peers[0].url = lambda path, t=args.target: t
        else:
            starters = {"outpost": lambda: start_outpost(work, binary, backend_port),
                        "nginx": lambda: start_nginx_proxy(work, backend_port),
                        "haproxy": lambda: start_haproxy(work, backend_port)}
            peers = [starters[name]() for name in args.peers.split(",")]
            for p in peers:
                sanity(p, s, work)
        try:
            res = {p.name: {"sat": [], "lat": []} for p in peers}
            for p in peers:  # warm-up (not recorded)
                run_wrk(p.url(s["path"]), s, 1, work)
            for rep in range(args.repeats):
                for p in peers:
                    r = run_wrk(p.url(s["path"]), s, args.duration, work, pids=p.pids)
                    log(f"  sat {p.name} rep{rep}: {r['rps']:.0f} req/s cpu/req={r.get('cpu_us_per_req')} err={r['errors']}")
                    res[p.name]["sat"].append(r)
            slowest = min(statistics.median([r["rps"] for r in res[p.name]["sat"]]) for p in peers)
            rate = max(1, int(slowest * args.rate_fraction))
            for rep in range(args.repeats):
                for p in peers:
                    r = run_oha(p.url(s["path"]), s, args.duration, rate, work)
                    log(f"  lat {p.name} rep{rep} @{rate}/s: p50={r['p50_us']} p99={r['p99_us']} err={r['errors']}")
                    res[p.name]["lat"].append(r)
            for p in peers:
                res[p.name]["peak_rss_kib"] = proc_hwm_kib(p.pids) if p.pids else None
        finally:
            for p in peers:
                if p.proc:
                    PROCS.stop(p.proc)
        results[s["name"]] = {"scenario": s, "fixed_rate": rate, "peers": res}
    return results


def summarize(results):
    """Adds medians / min-max to results in place."""
    for name, r in results.items():
        for peer, d in r["peers"].items():
            d["summary"] = {
                "rps": agg([x["rps"] for x in d["sat"]]),
                "cpu_us_per_req": agg([x.get("cpu_us_per_req") for x in d["sat"]]),
                "p50_us": agg([x["p50_us"] for x in d["lat"]]),
                "p99_us": agg([x["p99_us"] for x in d["lat"]]),
                "p999_us": agg([x["p999_us"] for x in d["lat"]]),
                "errors_sat": sum(x["errors"] for x in d["sat"]),
                "errors_lat": sum((x["errors"] or 0) for x in d["lat"]),
                "peak_rss_mib": None if d.get("peak_rss_kib") is None else d["peak_rss_kib"] / 1024,
            }


def markdown(meta, results, scaling, routing):
    L = [f"# Outpost benchmark — {meta['timestamp']}", "",
         f"- machine: {meta['cpu_model']}, nproc={meta['nproc']}, kernel {meta['kernel']}",
         f"- outpost {meta.get('outpost_commit', '?')}; nginx {meta.get('nginx_version', '?')}; "
         f"haproxy {meta.get('haproxy_version', '?')}",
         f"- saturation: wrk -t1, {meta['duration']} s per run; latency: oha latency-corrected at a fixed rate "
         f"= {meta['rate_fraction']:.0%} of the slowest peer's median saturation rate; {meta['repeats']} repeat(s), "
         f"median (min–max)",
         (f"- placement: load generator on CPU {LOAD_CPUS}; target is remote" if meta.get("target") else
          f"- placement: proxy on CPU {PROXY_CPUS}; load generator and backend nginx on CPU {LOAD_CPUS}"),
         ""]
    if meta.get("target"):
        L += [f"**--target {meta['target']}**: remote target; CPU per request and peak RSS are not measured "
              "(n/a), and there are no local peers to compare with.", ""]
    for name, r in results.items():
        s = r["scenario"]
        shown_path = meta["target"] if meta.get("target") else s["path"]
        L += [f"## {name}",
              f"{s['method']} {shown_path}{' body ' + str(s['body']) + ' B' if s['body'] else ''}, "
              f"{s['conns']} connections, {'keep-alive' if s['keepalive'] else 'new connection per request'}; "
              f"fixed rate for latency: {r['fixed_rate']:,} req/s", "",
              "| gateway | req/s | ×nginx | p50 µs | p99 µs | p99.9 µs | CPU-µs/req | ×nginx | peak RSS MiB | errors (sat / lat) |",
              "|---|---|---|---|---|---|---|---|---|---|"]
        ng = r["peers"].get("nginx", {}).get("summary")
        for peer, d in r["peers"].items():
            m = d["summary"]
            L.append("| {} | {} | {} | {} | {} | {} | {} | {} | {} | {} / {} |".format(
                peer, fmt(m["rps"]), ratio(m["rps"], ng and ng["rps"]),
                fmt(m["p50_us"]), fmt(m["p99_us"]), fmt(m["p999_us"]),
                fmt(m["cpu_us_per_req"], 2), ratio(m["cpu_us_per_req"], ng and ng["cpu_us_per_req"]),
                "n/a" if m["peak_rss_mib"] is None else f"{m['peak_rss_mib']:.1f}",
                m["errors_sat"], m["errors_lat"]))
        L.append("")
    if scaling:
        L += ["## Scaling (outpost, small GET)", "",
              "| workers | CPUs | req/s | CPU-µs/req | errors |", "|---|---|---|---|---|"]
        for row in scaling["rows"]:
            L.append(f"| {row['workers']} | {row['cpus']} | {fmt(row['rps'])} | {fmt(row['cpu_us_per_req'], 2)} | {row['errors']} |")
        L += ["", f"Scaling factor {scaling['rows'][-1]['workers']} vs 1 worker: **{scaling['factor']:.2f}×** "
              f"(load generator: {scaling['load']}). On a machine whose every core also runs the load "
              "generator and backend this is bounded far below N.", ""]
    if routing:
        L += ["## Routing scale (outpost, small GET to the last API)", "",
              "| APIs | URL | req/s | CPU-µs/req | ×1 API | errors |", "|---|---|---|---|---|---|"]
        base = routing[0]["cpu_us_per_req"]
        for row in routing:
            L.append(f"| {row['apis']:,} | {row['path']} | {fmt(row['rps'])} | {fmt(row['cpu_us_per_req'], 2)} | "
                     f"{ratio(row['cpu_us_per_req'], base)} | {row['errors']} |")
        L.append("")
    return "\n".join(L)


def chart(results, path):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    names = list(results)
    if not names:
        return
    fig, axes = plt.subplots(len(names), 2, figsize=(12, 2.9 * len(names)), squeeze=False)
    colors = {"outpost": "#1f77b4", "nginx": "#2ca02c", "haproxy": "#d62728", "target": "#9467bd"}
    for i, name in enumerate(names):
        r = results[name]
        peers = list(r["peers"])
        ax = axes[i][0]
        pcts = [("p50_us", "p50"), ("p99_us", "p99"), ("p999_us", "p99.9")]
        w = 0.8 / max(1, len(peers))
        for j, peer in enumerate(peers):
            m = r["peers"][peer]["summary"]
            vals = [(m[k]["median"] if m[k] else 0) for k, _ in pcts]
            xs = [x + j * w for x in range(len(pcts))]
            ax.bar(xs, vals, w, label=peer, color=colors.get(peer))
            for x, v in zip(xs, vals):
                ax.text(x, v, f"{v:,.0f}", ha="center", va="bottom", fontsize=7)
        ax.set_xticks([x + w * (len(peers) - 1) / 2 for x in range(len(pcts))])
        ax.set_xticklabels([l for _, l in pcts])
        if any(((r["peers"][p]["summary"][k] or {}).get("median") or 0) > 0 for p in peers for k, _ in pcts):
            ax.set_yscale("log")
        else:
            ax.text(0.5, 0.5, "no latency data (oha missing?)", transform=ax.transAxes, ha="center")
        ax.margins(y=0.15)
        ax.set_ylabel("latency µs (log)")
        ax.set_title(f"{name}: latency @ {r['fixed_rate']:,} req/s", fontsize=10)
        ax.legend(fontsize=8, loc="upper left")
        ax = axes[i][1]
        cpu = [(r["peers"][p]["summary"]["cpu_us_per_req"] or {}).get("median", 0) for p in peers]
        bars = ax.bar(peers, cpu, color=[colors.get(p) for p in peers])
        for b, v in zip(bars, cpu):
            ax.text(b.get_x() + b.get_width() / 2, v, f"{v:.2f}", ha="center", va="bottom", fontsize=8)
        ax.margins(y=0.15)
        ax.set_ylabel("CPU-µs / request")
        ax.set_title(f"{name}: gateway CPU per request (saturation)", fontsize=10)
    fig.tight_layout()
    fig.savefig(path, dpi=100)


def run_scaling(args, work, binary, backend_port):
    s = sc(dict(name="scaling", path="/", conns=100))
    rows = []
    threads = NPROC
    for workers in (1, NPROC):
        cpus = "0" if workers == 1 else f"0-{NPROC - 1}"
        peer = start_outpost(work, binary, backend_port, workers=workers, cpus=cpus)
        try:
            run_wrk(peer.url("/"), s, 1, work, threads=threads, cpus="")
            runs = [run_wrk(peer.url("/"), s, args.duration, work, pids=peer.pids, threads=threads, cpus="")
                    for _ in range(args.repeats)]
        finally:
            PROCS.stop(peer.proc)
        row = {"workers": workers, "cpus": cpus, "rps": agg([r["rps"] for r in runs]),
               "cpu_us_per_req": agg([r["cpu_us_per_req"] for r in runs]),
               "errors": sum(r["errors"] for r in runs), "runs": runs}
        log(f"scaling workers={workers}: {row['rps']['median']:.0f} req/s")
        rows.append(row)
    factor = rows[-1]["rps"]["median"] / rows[0]["rps"]["median"] if rows[0]["rps"]["median"] else 0
    return {"rows": rows, "factor": factor,
            "load": f"wrk -t{threads} -c100, unpinned; backend nginx stays on CPU {BACKEND_CPUS}"}


def run_routing(args, work, binary, backend_port):
    s = sc(dict(name="routing", path="/x", conns=50))
    rows = []
    for n in (1, 1000, 10000):
        peer = start_outpost(work, binary, backend_port, n_apis=n, name="outpost-routing")
        try:
            run_wrk(peer.url(s["path"]), s, 1, work)
            runs = [run_wrk(peer.url(s["path"]), s, args.duration, work, pids=peer.pids)
                    for _ in range(args.repeats)]
        finally:
            PROCS.stop(peer.proc)
        row = {"apis": n, "path": peer.prefix + s["path"], "rps": agg([r["rps"] for r in runs]),
               "cpu_us_per_req": agg([r["cpu_us_per_req"] for r in runs]),
               "errors": sum(r["errors"] for r in runs), "runs": runs}
        log(f"routing apis={n}: {row['rps']['median']:.0f} req/s, {row['cpu_us_per_req']['median']:.2f} µs/req")
        rows.append(row)
    return rows


def cmd_version(argv):
    try:
        p = subprocess.run(argv, capture_output=True, text=True, timeout=10)
        return (p.stdout + p.stderr).strip().splitlines()[0]
    except Exception:
        return "?"


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--quick", action="store_true", help="2 s runs, 1 repeat (indicative only)")
    ap.add_argument("--duration", type=int, help="seconds per measurement (default 10, quick 2)")
    ap.add_argument("--repeats", type=int, help="repeats per measurement (default 3, quick 1)")
    ap.add_argument("--rate-fraction", type=float, default=0.5,
                    help="fixed latency rate as a fraction of the slowest peer's saturation rate")
    ap.add_argument("--target", help="benchmark this URL instead of the local peers")
    ap.add_argument("--scaling", action="store_true", help="also: outpost 1 vs nproc workers")
    ap.add_argument("--routing", action="store_true", help="also: 1 / 1,000 / 10,000 APIs")
    ap.add_argument("--no-main", action="store_true", help="skip the peer scenarios (with --scaling/--routing)")
    ap.add_argument("--only", help="comma-separated scenario names")
    ap.add_argument("--peers", default=",".join(PEERS),
                    help="comma-separated gateways to compare (default: all: outpost,nginx,haproxy)")
    ap.add_argument("--binary", default=os.path.join(ROOT, "target", "release", "outpost"))
    ap.add_argument("--out", default=os.path.join(HERE, "results"))
    args = ap.parse_args()
    unknown = [p for p in args.peers.split(",") if p not in PEERS]
    if unknown:
        ap.error(f"unknown peer(s) {unknown}; choose from {PEERS}")
    args.duration = args.duration or (2 if args.quick else 10)
    args.repeats = args.repeats or (1 if args.quick else 3)
    if NPROC < 2:
        global LOAD_CPUS, BACKEND_CPUS
        LOAD_CPUS = BACKEND_CPUS = "0"

    ts = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
    outdir = os.path.join(args.out, ts)
    os.makedirs(outdir, exist_ok=True)
    work = tempfile.mkdtemp(prefix="outpost-bench-")
    os.chmod(work, 0o755)  # nginx workers (user nobody) must read the backend files

    def on_signal(sig, _frame):
        PROCS.stop_all()
        sys.exit(128 + sig)
    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)

    cpu_model = "?"
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                cpu_model = line.split(":", 1)[1].strip()
                break
    meta = {"timestamp": ts, "nproc": NPROC, "cpu_model": cpu_model, "kernel": os.uname().release,
            "duration": args.duration, "repeats": args.repeats, "rate_fraction": args.rate_fraction,
            "quick": args.quick, "target": args.target,
            "placement": {"proxy": PROXY_CPUS, "load": LOAD_CPUS, "backend": BACKEND_CPUS},
            "nginx_version": cmd_version(["nginx", "-v"]).replace("nginx version: ", ""),
            "haproxy_version": " ".join(cmd_version(["haproxy", "-v"]).split()[:3]),
            "wrk_version": cmd_version(["wrk", "-v"]), "oha_version": cmd_version(["oha", "--version"]),
            "outpost_commit": cmd_version(["git", "-C", ROOT, "rev-parse", "--short", "HEAD"])}
    results, scaling, routing = {}, None, None
    started = time.time()
    try:
        backend_port = None
        if not args.target or args.scaling or args.routing:
            _, backend_port = start_backend(work)
        if not args.no_main:
            results = run_main(args, work, args.binary, backend_port)
            summarize(results)
        if args.scaling and not args.target:
            scaling = run_scaling(args, work, args.binary, backend_port)
        if args.routing and not args.target:
            routing = run_routing(args, work, args.binary, backend_port)
    finally:
        PROCS.stop_all()
        if os.environ.get("BENCH_KEEP"):
            log(f"work dir kept: {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    meta["elapsed_s"] = round(time.time() - started, 1)
    with open(os.path.join(outdir, "results.json"), "w") as f:
        json.dump({"meta": meta, "scenarios": results, "scaling": scaling, "routing": routing}, f, indent=1)
    write(os.path.join(outdir, "results.md"), markdown(meta, results, scaling, routing))
    if results:
        chart(results, os.path.join(outdir, "chart.png"))
    log(f"done in {meta['elapsed_s']} s → {outdir}")
    print(open(os.path.join(outdir, "results.md")).read())


if __name__ == "__main__":
    main()
