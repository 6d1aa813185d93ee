#!/usr/bin/env python3
"""validate-jwt benchmark (issue 15): the CPU cost per request of
validate-jwt with RS256 on a repeated token, side by side with the plain
proxies.

Peers, each 1 worker on bench.py's PROXY_CPUS, loaded by wrk with `GET /1k`
on 50 keep-alive connections, every request carrying the same
`Authorization: Bearer <RS256 token>` (2048-bit key made here with the
openssl command, inline in the policy as n/e):

  outpost-plain  one API at the root, no policy (the plain proxy)
  outpost-jwt    the same API with validate-jwt (RS256 key, audience,
                 issuer, a required claim): after the first request every
                 request is a verified-token cache hit (hash + lookup)
  nginx-plain    bench.py's nginx proxy (same run)

Target: outpost-jwt <= 1.15 x outpost-plain CPU-µs per request.
The cost of a new token every request (a full RS256 verify) is measured
at the library level next to ring's raw RS256 verify:
  cargo test --release --lib jwt::tests::bench -- --ignored --nocapture
Usage: bench/run.sh --jwt [--duration S] [--repeats N]
"""

import argparse
import base64
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench as B  # noqa: E402

PEERS = ["outpost-plain", "outpost-jwt", "nginx-plain"]

POLICY = """<policies>
    <inbound>
        <base />
        <validate-jwt header-name="Authorization" require-scheme="Bearer">
            <issuer-signing-keys><key id="bench" n="{n}" e="{e}" /></issuer-signing-keys>
            <audiences><audience>api://bench</audience></audiences>
            <issuers><issuer>https://issuer.bench</issuer></issuers>
            <required-claims><claim name="scp" separator=" "><value>read</value></claim></required-claims>
        </validate-jwt>
    </inbound>
    <backend><base /></backend>
    <outbound><base /></outbound>
    <on-error><base /></on-error>
</policies>
"""


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def rs256_token(work):
    """An RS256 token and its key's n/e, made with the openssl command."""
    key = os.path.join(work, "jwt-key.pem")
    subprocess.run(["openssl", "genrsa", "-out", key, "2048"], check=True, capture_output=True)
    mod = subprocess.run(["openssl", "rsa", "-in", key, "-noout", "-modulus"], check=True,
                         capture_output=True, text=True).stdout.strip().split("=", 1)[1]
    n = b64url(bytes.fromhex(mod))
    e = b64url((65537).to_bytes(3, "big"))
    header = b64url(json.dumps({"alg": "RS256", "typ": "JWT", "kid": "bench"}).encode())
    claims = {"iss": "https://issuer.bench", "aud": "api://bench", "sub": "bench", "scp": "read write",
              "exp": int(time.time()) + 3600}
    payload = b64url(json.dumps(claims).encode())
    signing_input = f"{header}.{payload}".encode()
    sig = subprocess.run(["openssl", "dgst", "-sha256", "-sign", key], input=signing_input, check=True,
                         capture_output=True).stdout
    return f"{header}.{payload}.{b64url(sig)}", n, e


def check(peer, token):
    import http.client
    c = http.client.HTTPConnection("127.0.0.1", peer.port, timeout=10)
    c.request("GET", "/1k", headers={"Authorization": f"Bearer {token}"})
    r = c.getresponse()
    got = r.read()
    c.close()
    if r.status != 200 or len(got) != 1024:
        raise RuntimeError(f"{peer.name}: {r.status} {got[:200]!r}")
    if peer.name == "outpost-jwt":
        c = http.client.HTTPConnection("127.0.0.1", peer.port, timeout=10)
        c.request("GET", "/1k", headers={"Authorization": f"Bearer {token[:-4]}AAAA"})
        r = c.getresponse()
        r.read()
        c.close()
        if r.status != 401:
            raise RuntimeError(f"outpost-jwt accepted a forged token: {r.status}")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--duration", type=int, default=10)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--binary", default=os.path.join(B.ROOT, "target", "release", "outpost"))
    args = ap.parse_args()
    work = tempfile.mkdtemp(prefix="outpost-bench-jwt-")
    os.chmod(work, 0o755)
    try:
        token, n, e = rs256_token(work)
        scenario = B.sc(dict(name="jwt-1k-c50", path="/1k", conns=50,
                             headers={"Authorization": f"Bearer {token}"}))
        _, port = B.start_backend(work)
        starters = {
            "outpost-plain": lambda: B.start_outpost(work, args.binary, port),
            "outpost-jwt": lambda: B.start_outpost_policy(work, args.binary, port, "outpost-jwt",
                                                          POLICY.format(n=n, e=e)),
            "nginx-plain": lambda: B.start_nginx_proxy(work, port),
        }
        peers = {}
        for name in PEERS:
            p = peers[name] = starters[name]()
            p.name = name
            B.wait_http(p.port, "/", timeout=60) if name != "outpost-jwt" else None
            check(p, token) if name != "outpost-jwt" else wait_jwt(p, token)
            B.run_wrk(p.url("/1k"), scenario, 1, work)  # warm-up
        med = B.measure(peers, "/1k", scenario, args.duration, args.repeats, work)
    finally:
        B.PROCS.stop_all()
        shutil.rmtree(work, ignore_errors=True)
    print(f"\nGET /1k + Bearer RS256, 50 keep-alive connections, wrk -t1, {args.duration} s x {args.repeats}, medians\n")
    B.print_medians(med, PEERS)
    ratio = med["outpost-jwt"][1] / med["outpost-plain"][1]
    print(f"\nvalidate-jwt (repeated token) / outpost-plain CPU: {ratio:.2f}x (target <= 1.15)")
    print(f"outpost-jwt / nginx-plain CPU: {med['outpost-jwt'][1] / med['nginx-plain'][1]:.2f}x")


def wait_jwt(peer, token):
    """The policy answers 401 without a token: wait for the port, then check."""
    deadline = time.time() + 60
    while True:
        try:
            check(peer, token)
            return
        except (ConnectionError, OSError):
            if time.time() > deadline:
                raise
            time.sleep(0.2)


if __name__ == "__main__":
    main()
