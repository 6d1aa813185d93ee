#!/usr/bin/env python3
"""Connections at scale (issue 17): resident memory per idle client
connection, outpost vs nginx vs HAProxy, and the latency active clients
see while many idle connections are open.

Peers, each 1 worker on bench.py's PROXY_CPUS in front of bench.py's nginx
backend, each restarted for every case; every client/idle timeout of every
peer is 300 s (the run itself lasts a few minutes):

  outpost   --binary; settings.conf sets net.server.http.keepalive.timeout
            and net.server.http.head.timeout (which also bounds the TLS
            handshake) to 300s
  nginx     bench.py's proxy (tls.py's for TLS), worker_connections raised
            to 19000 and client_header_timeout 300s
  haproxy   bench.py's settings, maxconn 17000 and timeout http-request 300s

Cases, for N = --counts (default 1,000, 5,000, 15,000 connections, opened
by this script on bench.py's LOAD_CPUS with non-blocking sockets):

  idle      each connection sends one complete `GET /` (HTTP/1.1
            keep-alive), reads the whole response, then stays idle
  partial   each connection sends only `GET / HTTP/1.1\\r\\nHost: x\\r\\n`
            (slowloris-style: a request head in flight) and nothing more
  tls       as idle, over TLS (one full handshake per connection; TLS 1.3,
            TLS_AES_128_GCM_SHA256, a self-signed P-256 certificate)

Per case: the peer is started, warmed up (a few requests on a few
connections, closed), and its resident memory (VmRSS summed over all its
processes: nginx's master and worker, etc.) read once it is stable; then
connections are opened up to each N in turn and, once the peer has accepted
them all and read everything they sent (its listen queue and every
receive queue empty in /proc/net/tcp) and its RSS is stable for 2 s,
bytes per connection = (RSS now - RSS before) / N. Every connection's TCP
state is then checked (ESTABLISHED: the peer did not close it).

p99: per peer (plain HTTP), `wrk -t1 -c50 -d5s --latency` on `/` without
idle connections, then with max(--counts) idle keep-alive connections open
(case idle), --p99-repeats times interleaved on one peer instance, medians.
Goal (issue 17): with / without <= 1.2.

What is not counted: the kernel's own memory per socket (socket, file and
TCP structures, a few KiB per connection for every peer alike), and this
script's client-side memory.

Usage: bench/run.sh --connections [--counts 1000,5000,15000]
       [--peers outpost,nginx,haproxy] [--cases idle,partial,tls]
       [--wrk-duration 5] [--p99-repeats 3] [--no-p99] [--binary PATH]
       (--cases '' runs only the p99 part)
"""

import argparse
import collections
import datetime
import errno
import json
import os
import re
import resource
import selectors
import shutil
import socket
import ssl
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench as B  # noqa: E402
import tls as T  # noqa: E402

PEERS = ["outpost", "nginx", "haproxy"]
CASES = ["idle", "partial", "tls"]
SUITE = "TLS_AES_128_GCM_SHA256"
TIMEOUT_S = 300  # every peer's keep-alive / client / head timeout here
TLS_NAME = "bench.test"  # the certificate's name (tls.py's make_cert)
FULL_REQUEST = b"GET / HTTP/1.1\r\nHost: x\r\n\r\n"
PARTIAL_HEAD = b"GET / HTTP/1.1\r\nHost: x\r\n"
TCP_ESTABLISHED = 1


def log(*a):
    B.log(*a)


# ---------------------------------------------------------------------------
# Peers with long timeouts and room for the connections

_nginx_config = B.nginx_config


def nginx_config_many(d, http):
    """bench.py's nginx.conf with room for 15,000+ client connections in the
    one worker and a long header timeout (nginx's default 60 s would close
    the partial heads; it also bounds the TLS handshake). Installed in place
    of B.nginx_config so bench.py's and tls.py's nginx starters use it."""
    text = _nginx_config(d, http)
    for old, new in [("worker_connections 9000;", "worker_connections 19000;"),
                     ("keepalive_timeout 300s;",
                      f"keepalive_timeout {TIMEOUT_S}s;\n  client_header_timeout {TIMEOUT_S}s;")]:
        if old not in text:
            raise RuntimeError(f"bench.py's nginx_config changed: no {old!r} to replace")
        text = text.replace(old, new)
    return text


B.nginx_config = nginx_config_many

_parse_wrk = B.parse_wrk


def parse_wrk_latency(out):
    """bench.py's parse_wrk plus the percentiles of wrk's --latency output
    (installed in place of B.parse_wrk so B.run_wrk returns them)."""
    r = _parse_wrk(out)
    scale = {"us": 1.0, "ms": 1e3, "s": 1e6, "m": 60e6}
    for pct, val, unit in re.findall(r"^\s+(\d+)%\s+([\d.]+)(us|ms|s|m)\s*$", out, re.M):
        r[f"p{pct}_us"] = float(val) * scale[unit]
    return r


B.parse_wrk = parse_wrk_latency


def outpost_settings(d):
    B.write(os.path.join(d, "settings.conf"),
            f"net.server.http.keepalive.timeout = {TIMEOUT_S}s\n"
            f"net.server.http.head.timeout = {TIMEOUT_S}s\n")


def start_outpost(work, binary, backend_port, crt=None, key=None):
    if crt:
        d = os.path.join(work, "outpost-tls-config")  # the directory tls.py's starter fills
        os.makedirs(d, exist_ok=True)
        outpost_settings(d)
        return T.start_outpost_tls(work, binary, backend_port, crt, key, SUITE)
    outpost_settings(B.outpost_config(work, backend_port))
    return B.start_outpost(work, binary, backend_port)


def start_nginx(work, _binary, backend_port, crt=None, key=None):
    if crt:
        return T.start_nginx_tls(work, backend_port, crt, key, SUITE)
    return B.start_nginx_proxy(work, backend_port)


def start_haproxy(work, _binary, backend_port, crt=None, key=None):
    """bench.py's HAProxy (nbthread 1, keep-alive, http-reuse always) with
    maxconn 17000 and every client-side timeout long. maxconn reserves two
    descriptors per connection on paper (34,000 > the 20,000 limit): `no
    strict-limits` lets it start anyway; idle clients use one each."""
    d = os.path.join(work, "haproxy-tls" if crt else "haproxy")
    os.makedirs(d, exist_ok=True)
    port = B.free_port()
    bind = f"bind 127.0.0.1:{port}"
    tls_global = ""
    if crt:
        pem = os.path.join(d, "bench.pem")
        B.write(pem, open(crt).read() + open(key).read())
        bind += f" ssl crt {pem}"
        tls_global = f"    ssl-default-bind-ciphersuites {SUITE}\n"
    nofile = resource.getrlimit(resource.RLIMIT_NOFILE)[0]
    B.write(os.path.join(d, "haproxy.cfg"), f"""
global
    nbthread 1
    maxconn 17000
    ulimit-n {nofile}
    no strict-limits
{tls_global}defaults
    mode http
    option http-keep-alive
    http-reuse always
    maxconn 17000
    timeout connect 5s
    timeout client {TIMEOUT_S}s
    timeout server {TIMEOUT_S}s
    timeout http-keep-alive {TIMEOUT_S}s
    timeout http-request {TIMEOUT_S}s
frontend fe
    {bind}
    default_backend be
backend be
    server s1 127.0.0.1:{backend_port}
""")
    p = B.PROCS.start(["haproxy", "-db", "-f", f"{d}/haproxy.cfg"], cpus=B.PROXY_CPUS,
                      log_path=f"{d}/stdout.log")
    if not crt:
        B.wait_http(port)
    return B.Peer("haproxy", p, port, [p.pid])


STARTERS = {"outpost": start_outpost, "nginx": start_nginx, "haproxy": start_haproxy}


def peer_pids(peer):
    """The peer's process and all its descendants (nginx: master + worker)."""
    out, todo = [], [peer.proc.pid]
    while todo:
        pid = todo.pop()
        out.append(pid)
        try:
            todo += B.children(pid)
        except OSError:
            pass
    return out


def rss_kib(pids):
    total = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/status") as f:
                for line in f:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1])
        except OSError:
            pass
    return total


def anon_huge_kib(pids):
    """AnonHugePages summed over pids (smaps_rollup): memory on transparent
    huge pages, which RSS gains and loses 2 MiB at a time."""
    total = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/smaps_rollup") as f:
                for line in f:
                    if line.startswith("AnonHugePages:"):
                        total += int(line.split()[1])
        except OSError:
            pass
    return total


def settled_rss(peer, window=2.0, step=0.1, tol_kib=16, timeout=30.0):
    """Polls the peer's RSS until its samples over `window` seconds differ by
    at most tol_kib; returns (KiB, settled?). 2 s, not less: Outpost's RSS
    was seen stable for 0.5 s after the last connection was served, then
    dropping by 5-65 MiB about a second later (its allocator returning freed
    memory on the next periodic activity)."""
    need = int(round(window / step)) + 1
    recent = collections.deque(maxlen=need)
    deadline = time.time() + timeout
    while True:
        v = rss_kib(peer_pids(peer))
        recent.append(v)
        if len(recent) == need and max(recent) - min(recent) <= tol_kib:
            return v, True
        if time.time() > deadline:
            return v, False
        time.sleep(step)


def server_queues(port):
    """From /proc/net/tcp: (the peer's accept-queue length, number of its
    client sockets holding unread bytes)."""
    backlog = unread = 0
    with open("/proc/net/tcp") as f:
        next(f)
        for line in f:
            parts = line.split()
            if int(parts[1].rsplit(":", 1)[1], 16) != port:
                continue
            rx = int(parts[4].split(":")[1], 16)
            if parts[3] == "0A":  # LISTEN: rx_queue is the accept queue
                backlog += rx
            elif rx:
                unread += 1
    return backlog, unread


def wait_drained(port, timeout=60.0):
    deadline = time.time() + timeout
    while True:
        q = server_queues(port)
        if q == (0, 0):
            return True
        if time.time() > deadline:
            log(f"port {port}: still {q[0]} unaccepted, {q[1]} unread after {timeout:.0f} s")
            return False
        time.sleep(0.2)


# ---------------------------------------------------------------------------
# The client: many connections from one process (non-blocking, one selector)

class Conn:
    __slots__ = ("sock", "fd", "state", "out", "buf", "error")

    def __init__(self, sock, out):
        self.sock, self.fd, self.state, self.out, self.buf, self.error = sock, sock.fileno(), "connect", out, b"", None


def response_complete(buf):
    """True once buf holds a whole HTTP response (status 200 checked by the caller)."""
    head_end = buf.find(b"\r\n\r\n")
    if head_end < 0:
        return False
    head = buf[:head_end].decode("latin-1").lower()
    body = buf[head_end + 4:]
    m = re.search(r"^content-length:\s*(\d+)", head, re.M)
    if m:
        return len(body) >= int(m.group(1))
    if re.search(r"^transfer-encoding:.*chunked", head, re.M):
        return body.endswith(b"0\r\n\r\n")
    return True


def open_conns(n, port, request, tls_ctx=None, parallel=200, timeout=180.0):
    """Opens n connections to 127.0.0.1:port; each (after a TLS handshake
    with tls_ctx) sends `request` and, if it is a whole request, reads the
    whole response. At most `parallel` are in progress at once. Returns
    (open sockets, failures by reason)."""
    sel = selectors.DefaultSelector()
    done, failed = [], collections.Counter()
    active = {}
    started = 0
    read_response = request.endswith(b"\r\n\r\n")
    deadline = time.time() + timeout

    def start_one():
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.setblocking(False)
        err = s.connect_ex(("127.0.0.1", port))
        if err not in (0, errno.EINPROGRESS):
            failed[f"connect: {os.strerror(err)}"] += 1
            s.close()
            return
        c = Conn(s, request)
        active[c.fd] = c
        sel.register(c.fd, selectors.EVENT_WRITE, c)

    def finish(c, ok, why=None):
        sel.unregister(c.fd)
        del active[c.fd]
        if ok:
            done.append(c.sock)
        else:
            failed[why] += 1
            c.sock.close()

    def want(c, ev):
        sel.modify(c.fd, ev, c)

    def step(c):
        try:
            if c.state == "connect":
                err = c.sock.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
                if err:
                    return finish(c, False, f"connect: {os.strerror(err)}")
                if tls_ctx:
                    c.sock = tls_ctx.wrap_socket(c.sock, server_hostname=TLS_NAME, do_handshake_on_connect=False)
                    c.state = "handshake"
                else:
                    c.state = "send"
            if c.state == "handshake":
                try:
                    c.sock.do_handshake()
                except ssl.SSLWantReadError:
                    return want(c, selectors.EVENT_READ)
                except ssl.SSLWantWriteError:
                    return want(c, selectors.EVENT_WRITE)
                c.state = "send"
            if c.state == "send":
                while c.out:
                    try:
                        k = c.sock.send(c.out)
                    except (BlockingIOError, ssl.SSLWantWriteError):
                        return want(c, selectors.EVENT_WRITE)
                    except ssl.SSLWantReadError:
                        return want(c, selectors.EVENT_READ)
                    c.out = c.out[k:]
                if not read_response:
                    return finish(c, True)
                c.state = "recv"
                return want(c, selectors.EVENT_READ)
            if c.state == "recv":
                while True:
                    try:
                        chunk = c.sock.recv(65536)
                    except (BlockingIOError, ssl.SSLWantReadError):
                        return
                    except ssl.SSLWantWriteError:
                        return want(c, selectors.EVENT_WRITE)
                    if not chunk:
                        return finish(c, False, "closed before the response ended")
                    c.buf += chunk
                    if response_complete(c.buf):
                        if not c.buf.startswith(b"HTTP/1.1 200"):
                            return finish(c, False, f"status {c.buf[:12].decode('latin-1')!r}")
                        c.buf = b""
                        return finish(c, True)
        except (OSError, ssl.SSLError) as e:
            return finish(c, False, f"{type(e).__name__}: {getattr(e, 'strerror', None) or e}")

    while len(done) + sum(failed.values()) < n:
        while started < n and len(active) < parallel:
            started += 1
            start_one()
        if time.time() > deadline:
            for c in list(active.values()):
                finish(c, False, f"timeout ({c.state})")
            break
        for key, _ in sel.select(timeout=1.0):
            step(key.data)
    sel.close()
    return done, failed


def count_open(socks):
    """How many of socks are still ESTABLISHED (tcp_info's first byte)."""
    n = 0
    for s in socks:
        try:
            if s.getsockopt(socket.IPPROTO_TCP, socket.TCP_INFO, 8)[0] == TCP_ESTABLISHED:
                n += 1
        except OSError:
            pass
    return n


def close_all(socks):
    for s in socks:
        try:
            s.close()
        except OSError:
            pass
    socks.clear()


def tls_client_context():
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    ctx.minimum_version = ssl.TLSVersion.TLSv1_3
    return ctx


def wait_ready(port, tls_ctx, timeout=30.0):
    deadline = time.time() + timeout
    while True:
        socks, failed = open_conns(1, port, FULL_REQUEST, tls_ctx, timeout=5)
        close_all(socks)
        if not failed:
            return
        if time.time() > deadline:
            raise RuntimeError(f"port {port} not ready: {dict(failed)}")
        time.sleep(0.2)


# ---------------------------------------------------------------------------
# Measurements

def run_case(name, case, args, work, backend_port, cert):
    """One peer, one case: rows for each N."""
    tls_ctx = tls_client_context() if case == "tls" else None
    crt, key = cert if case == "tls" else (None, None)
    peer = STARTERS[name](work, args.binary, backend_port, crt, key)
    rows, socks = [], []
    try:
        wait_ready(peer.port, tls_ctx)
        # Warm-up: 3 x 2 connections, a request each, closed. Few on purpose: what
        # they free stays in the allocator and is reused by the first connections
        # measured (with 12 warm-up connections Outpost's 20 first partial heads
        # measured 0.6 KiB each, its 50 first 41 KiB).
        for _ in range(3):
            w, failed = open_conns(2, peer.port, FULL_REQUEST, tls_ctx)
            close_all(w)
            if failed:
                raise RuntimeError(f"{name} {case}: warm-up failed: {dict(failed)}")
        wait_drained(peer.port)
        before, ok0 = settled_rss(peer)
        request = PARTIAL_HEAD if case == "partial" else FULL_REQUEST
        failures = collections.Counter()
        for n in args.counts:
            t0 = time.time()
            new, failed = open_conns(n - len(socks), peer.port, request, tls_ctx)
            socks += new
            failures += failed
            opened_s = time.time() - t0
            drained = wait_drained(peer.port)
            after, ok = settled_rss(peer)
            still = count_open(socks)
            row = {"peer": name, "case": case, "n": n, "opened": len(socks), "open": still,
                   "failed": dict(failures), "rss_before_kib": before, "rss_after_kib": after,
                   "kib_per_conn": (after - before) / n, "settled": ok0 and ok, "drained": drained,
                   "anon_huge_kib": anon_huge_kib(peer_pids(peer)),
                   "open_s": round(opened_s, 1)}
            log(f"{name} {case} N={n}: {row['kib_per_conn']:.2f} KiB/conn "
                f"({before / 1024:.1f} -> {after / 1024:.1f} MiB), {still}/{n} open, "
                f"opened in {opened_s:.1f} s{'' if row['settled'] else ', RSS NOT SETTLED'}"
                f"{', failures ' + str(dict(failures)) if failures else ''}")
            rows.append(row)
        # The first connections have now been idle the longest: check them all once more.
        still = count_open(socks)
        if rows and still != rows[-1]["open"]:
            rows[-1]["open_at_end"] = still
            log(f"{name} {case}: {rows[-1]['open'] - still} more connections closed by the end")
    finally:
        close_all(socks)
        B.PROCS.stop(peer.proc)
    return rows


def run_p99(name, args, work, backend_port):
    """wrk on / without, then with max(counts) idle keep-alive connections
    open, --p99-repeats times (interleaved), on one peer instance."""
    peer = STARTERS[name](work, args.binary, backend_port)
    s = B.sc(dict(name="connections-p99", path="/", conns=50))
    n = max(args.counts)
    runs = {"without": [], "with": []}
    idle_open, failed = [], collections.Counter()
    socks = []
    try:
        B.run_wrk(peer.url("/"), s, 1, work)  # warm-up
        for rep in range(args.p99_repeats):
            wait_drained(peer.port)
            runs["without"].append(B.run_wrk(peer.url("/"), s, args.wrk_duration, work, pids=peer.pids))
            socks, f = open_conns(n, peer.port, FULL_REQUEST)
            failed += f
            wait_drained(peer.port)
            settled_rss(peer)
            runs["with"].append(B.run_wrk(peer.url("/"), s, args.wrk_duration, work, pids=peer.pids))
            idle_open.append(count_open(socks))
            close_all(socks)
            log(f"{name} p99 rep{rep}: {us(runs['without'][-1].get('p99_us'))} µs without, "
                f"{us(runs['with'][-1].get('p99_us'))} µs with {idle_open[-1]}/{n} idle open")
        return {"peer": name, "n_idle": n, "idle_open_min": min(idle_open), "idle_failed": dict(failed),
                "runs": runs,
                "without": {k: B.agg([r.get(k) for r in runs["without"]]) for k in ("p99_us", "rps", "cpu_us_per_req")},
                "with": {k: B.agg([r.get(k) for r in runs["with"]]) for k in ("p99_us", "rps", "cpu_us_per_req")},
                "errors": (sum(r["errors"] for r in runs["without"]), sum(r["errors"] for r in runs["with"]))}
    finally:
        close_all(socks)
        B.PROCS.stop(peer.proc)


def human_kib(kib):
    if kib >= 1024 * 1024:
        return f"{kib / 1024 / 1024:,.1f} GiB"
    return f"{kib / 1024:,.0f} MiB"


def us(v):
    return "n/a" if v is None else f"{v:,.0f}"


def report(rows, p99s, args):
    if rows:
        print("\n## Resident memory per connection (VmRSS of all the peer's processes; 1 worker each)\n")
        print("| peer | case | N | KiB/conn | all open | RSS before → after MiB |")
        print("|---|---|---|---|---|---|")
    for r in rows:
        opened = "yes" if r["open"] == r["n"] and r.get("open_at_end", r["open"]) == r["n"] else \
            f"no ({r.get('open_at_end', r['open']):,}/{r['n']:,})"
        flags = ("" if r["settled"] else " (RSS not settled)") + ("" if r["drained"] else " (not drained)")
        print(f"| {r['peer']} | {r['case']} | {r['n']:,} | {r['kib_per_conn']:.2f}{flags} | {opened} | "
              f"{r['rss_before_kib'] / 1024:.1f} → {r['rss_after_kib'] / 1024:.1f} |")
    huge = sorted({r["peer"] for r in rows if r.get("anon_huge_kib")})
    if huge:
        res = ", ".join(f"±{2048 / n:.2f} at {n:,}" for n in args.counts)
        print(f"\n{', '.join(huge)}: heap on transparent huge pages (AnonHugePages > 0), so the RSS moves "
              f"in 2 MiB steps: KiB/conn is ± 2048/N ({res}).")
    fails = [r for r in rows if r["failed"]]
    for r in fails:
        print(f"\n{r['peer']} {r['case']} N={r['n']:,}: connections that failed to open: {r['failed']}")
    if p99s:
        n, reps = max(args.counts), args.p99_repeats
        print(f"\n## Latency with {n:,} idle connections (wrk -t1 -c50 -d{args.wrk_duration}s on /, "
              f"{reps} interleaved run(s) each, median (min–max))\n")
        print(f"| peer | p99 µs without | p99 µs with {n:,} idle | ratio (goal ≤ 1.2) | "
              f"req/s without | req/s with | CPU-µs/req without / with | idle still open | errors |")
        print("|---|---|---|---|---|---|---|---|---|")
        for p in p99s:
            a, b = p["without"], p["with"]
            ratio = B.ratio(b["p99_us"], a["p99_us"])
            print(f"| {p['peer']} | {B.fmt(a['p99_us'])} | {B.fmt(b['p99_us'])} | {ratio} | {B.fmt(a['rps'])} | "
                  f"{B.fmt(b['rps'])} | {B.fmt(a['cpu_us_per_req'], 1)} / {B.fmt(b['cpu_us_per_req'], 1)} | "
                  f"{'yes' if p['idle_open_min'] == n else 'no (' + format(p['idle_open_min'], ',') + ')'} | "
                  f"{p['errors'][0]} / {p['errors'][1]} |")
    top = max(args.counts)
    big = [r for r in rows if r["n"] == top]
    if big:
        print(f"\n## On paper: idle connections per host (from the N = {top:,} figures; "
              "process memory only, not the kernel's socket memory)\n")
        print("| peer | case | KiB/conn | 100,000 connections | 1,000,000 connections |")
        print("|---|---|---|---|---|")
        for r in big:
            k = max(0.0, r["kib_per_conn"])
            print(f"| {r['peer']} | {r['case']} | {k:.2f} | {human_kib(k * 1e5)} | {human_kib(k * 1e6)} |")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--counts", default="1000,5000,15000", help="connection counts, comma-separated")
    ap.add_argument("--peers", default=",".join(PEERS))
    ap.add_argument("--cases", default=",".join(CASES))
    ap.add_argument("--wrk-duration", type=int, default=5)
    ap.add_argument("--p99-repeats", type=int, default=3, help="wrk runs without / with the idle connections")
    ap.add_argument("--no-p99", action="store_true", help="skip the wrk runs")
    ap.add_argument("--binary", default=os.path.join(B.ROOT, "target", "release", "outpost"))
    ap.add_argument("--out", default=os.path.join(B.HERE, "results"))
    args = ap.parse_args()
    args.counts = sorted(int(x) for x in args.counts.split(","))
    peers, cases = args.peers.split(","), [c for c in args.cases.split(",") if c]  # --cases '': p99 only
    bad = [p for p in peers if p not in PEERS] + [c for c in cases if c not in CASES]
    if bad:
        ap.error(f"unknown peer(s)/case(s) {bad}; peers {PEERS}, cases {CASES}")

    # Descriptors: this script holds max(counts) client sockets, each peer as many.
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    nofile = resource.getrlimit(resource.RLIMIT_NOFILE)[0]
    if max(args.counts) + 1000 > nofile:
        ap.error(f"open-file limit {nofile} is too low for {max(args.counts):,} connections (+1,000 spare)")
    if B.NPROC < 2:
        B.LOAD_CPUS = B.BACKEND_CPUS = "0"
    os.sched_setaffinity(0, {int(c) for c in B.LOAD_CPUS.split(",")})

    work = tempfile.mkdtemp(prefix="outpost-bench-connections-")
    os.chmod(work, 0o755)
    started = time.time()
    rows, p99s = [], []
    try:
        _, backend_port = B.start_backend(work)
        cert = T.make_cert(work) if "tls" in cases else None
        for case in cases:
            for name in peers:
                rows += run_case(name, case, args, work, backend_port, cert)
        if not args.no_p99:
            for name in peers:
                p99s.append(run_p99(name, args, work, backend_port))
    finally:
        B.PROCS.stop_all()
        if not os.environ.get("BENCH_KEEP"):
            shutil.rmtree(work, ignore_errors=True)
    elapsed = time.time() - started
    ts = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
    os.makedirs(args.out, exist_ok=True)
    path = os.path.join(args.out, f"connections-{ts}.json")
    with open(path, "w") as f:
        json.dump({"counts": args.counts, "rows": rows, "p99": p99s, "elapsed_s": round(elapsed, 1),
                   "outpost_commit": B.cmd_version(["git", "-C", B.ROOT, "rev-parse", "--short", "HEAD"]),
                   "nginx_version": B.cmd_version(["nginx", "-v"]),
                   "haproxy_version": B.cmd_version(["haproxy", "-v"])}, f, indent=1)
    log(f"done in {elapsed:.0f} s → {path}")
    report(rows, p99s, args)


if __name__ == "__main__":
    main()
