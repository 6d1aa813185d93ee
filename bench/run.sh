#!/usr/bin/env bash
# Outpost benchmark: installs the tools it needs, builds outpost (release) and
# runs outpost vs nginx vs HAProxy side by side. See bench/README.md.
#   bench/run.sh [--quick] [--target URL] [--scaling] [--routing] [--no-main]
#                [--duration S] [--repeats N] [--only SCENARIO,...]
#   bench/run.sh --tls [--duration S] [--repeats N] [--suite IANA_NAME]
#   bench/run.sh --policies [--duration S] [--repeats N]
#   bench/run.sh --calls [--duration S] [--repeats N]
#   bench/run.sh --telemetry [--duration S] [--repeats N]
#   bench/run.sh --connections [--counts 1000,5000,15000] [--peers P,...] [--cases idle,partial,tls]
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(dirname "$HERE")"

need_apt=()
command -v wrk >/dev/null     || need_apt+=(wrk)
command -v nginx >/dev/null   || need_apt+=(nginx-light)
command -v haproxy >/dev/null || need_apt+=(haproxy)
command -v taskset >/dev/null || need_apt+=(util-linux)
if ! python3 -c 'import matplotlib' 2>/dev/null; then
  # Debian's python3 gets the apt package; any other python3 (pyenv, venv) gets pip.
  if [ "$(command -v python3)" = /usr/bin/python3 ]; then need_apt+=(python3-matplotlib)
  else python3 -m pip install --quiet matplotlib; fi
fi
if [ ${#need_apt[@]} -gt 0 ]; then
  echo "[bench] apt-get install ${need_apt[*]}" >&2
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_apt[@]}" >/dev/null
  # The Debian nginx package starts a system nginx on :80; the benchmark does not use it.
  systemctl stop nginx 2>/dev/null || true
fi
export PATH="$HOME/.cargo/bin:$PATH"
if ! command -v oha >/dev/null; then
  echo "[bench] cargo install oha --locked (takes ~5 minutes, once)" >&2
  cargo install oha --locked
fi

# Outpost itself, unless --target only.
case " $* " in
  *" --target "*) ;;
  *) echo "[bench] cargo build --release" >&2; (cd "$ROOT" && cargo build --release --quiet) ;;
esac

# Many connections: raise the open-file limit as far as the hard limit allows.
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true

# TLS termination scenarios (bench/tls.py): bench/run.sh --tls [--duration S] [--repeats N]
if [ "${1:-}" = "--tls" ]; then
  shift
  command -v openssl >/dev/null || { apt-get update -qq && apt-get install -y -qq openssl >/dev/null; }
  exec python3 "$HERE/tls.py" "$@"
fi
# Expression scenario (bench/expressions.py): bench/run.sh --expressions [--duration S] [--repeats N]
if [ "${1:-}" = "--expressions" ]; then
  shift
  exec python3 "$HERE/expressions.py" "$@"
fi
# validate-jwt (bench/jwt.py): bench/run.sh --jwt [--duration S] [--repeats N]
if [ "${1:-}" = "--jwt" ]; then
  shift
  exec python3 "$HERE/jwt.py" "$@"
fi
# Call-out and cache scenarios (bench/calls.py): bench/run.sh --calls [--duration S] [--repeats N]
if [ "${1:-}" = "--calls" ]; then
  shift
  exec python3 "$HERE/calls.py" "$@"
fi
# Telemetry cost (bench/telemetry.py): bench/run.sh --telemetry [--duration S] [--repeats N]
if [ "${1:-}" = "--telemetry" ]; then
  shift
  exec python3 "$HERE/telemetry.py" "$@"
fi
# Idle connections at scale (bench/connections.py): bench/run.sh --connections [--counts 1000,5000,15000]
if [ "${1:-}" = "--connections" ]; then
  shift
  command -v openssl >/dev/null || { apt-get update -qq && apt-get install -y -qq openssl >/dev/null; }
  exec python3 "$HERE/connections.py" "$@"
fi
# Policy-set scenario (bench/policies.py): bench/run.sh --policies [--duration S] [--repeats N]
if [ "${1:-}" = "--policies" ]; then
  shift
  exec python3 "$HERE/policies.py" "$@"
fi
exec python3 "$HERE/bench.py" "$@"
