#!/usr/bin/env bash
# The whole test suite: formatting, lints, unit tests and the end-to-end
# tests that start the real binary against real backends on 127.0.0.1,
# then the packaging checks: the container image built offline from
# Dockerfile.linux and run (packaging/test-image.sh), and the Kubernetes
# manifests and Helm chart validated strictly (packaging/test-deploy.sh).
# The packaging scripts install what they need (buildah, umoci,
# kubernetes-validate) so that a fresh machine needs only this.
# The TLS tests drive the `openssl` and `curl` command-line clients,
# installed below when missing.
set -euo pipefail
cd "$(dirname "$0")"
# /dev/null must be the null device. A machine where it had become a regular
# file (anything writing to it while it was missing creates one) broke CI:
# build scripts' compiler probes write their errors into it, and cargo's own
# `rustc -` probe then reads them back as source. Repair it (we run as root).
if [ ! -c /dev/null ] && [ "$(id -u)" = 0 ]; then
    # Replaced atomically; where device nodes cannot be made, left as it is.
    if mknod -m 666 /dev/null.outpost-test c 1 3 2>/dev/null; then
        mv -f /dev/null.outpost-test /dev/null
    else
        echo "test.sh: /dev/null is not the null device and cannot be repaired here" >&2
    fi
fi
# No step reads the terminal.
exec </dev/null
if ! command -v openssl >/dev/null || ! command -v curl >/dev/null; then
    apt-get update -qq && apt-get install -y -qq openssl curl >/dev/null
fi
# The OpenID provider of the JWT and OAuth2 tests (tests/oidc): the npm
# package oidc-provider, run by Node.js (>= 20).
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
    apt-get update -qq && apt-get install -y -qq nodejs npm >/dev/null
fi
if [ ! -f tests/oidc/node_modules/oidc-provider/package.json ]; then
    (cd tests/oidc && npm ci --no-audit --no-fund --loglevel=error)
fi
# The OTLP receiver of the OpenTelemetry tests (tests/otlp/receiver.py): the
# official opentelemetry-proto Python package and grpcio, in a venv.
if ! tests/otlp/.venv/bin/python -c 'import grpc, opentelemetry.proto.collector.metrics.v1' 2>/dev/null; then
    if ! python3 -m venv --help >/dev/null 2>&1 || ! python3 -c 'import ensurepip' 2>/dev/null; then
        apt-get update -qq && apt-get install -y -qq python3 python3-venv >/dev/null
    fi
    rm -rf tests/otlp/.venv
    python3 -m venv tests/otlp/.venv
    tests/otlp/.venv/bin/pip install -q --disable-pip-version-check -r tests/otlp/requirements.txt
fi
# The metrics tests (tests/e2e/telemetry_prometheus.rs) scrape the gateway
# with a real Prometheus server: Debian's package (the binary only; no
# service is started by the tests' harness).
if ! command -v prometheus >/dev/null; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq prometheus >/dev/null
    # Debian's package may start its own server on :9090; the tests start their own.
    systemctl stop prometheus 2>/dev/null || true
fi
# The console test (tests/e2e/telemetry_console.rs): Debian's Chromium,
# headless, driven by the npm package playwright-core (tests/console).
if [ ! -x /usr/bin/chromium ]; then
    apt-get update -qq && apt-get install -y -qq --no-install-recommends chromium fonts-liberation >/dev/null
fi
if [ ! -f tests/console/node_modules/playwright-core/package.json ]; then
    (cd tests/console && npm ci --no-audit --no-fund --loglevel=error)
fi
cargo fmt --all --check
cargo clippy --workspace --all-targets -- -D warnings
cargo test --workspace -- --test-threads 2
packaging/test-image.sh target/debug/outpost
packaging/test-deploy.sh
