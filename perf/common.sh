# Shared by the perf/ scripts: a backend nginx (1 worker, returns "hello") and
# one outpost worker in front of it, both on 127.0.0.1, killed on exit.
# Placement: outpost on CPU 0, backend and load on the last CPU.
set -euo pipefail
PERF_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(dirname "$PERF_DIR")"
OUTPOST="${OUTPOST:-$ROOT/target/release/outpost}"
NPROC="$(nproc)"
LOAD_CPU=$((NPROC - 1))
WORK="$(mktemp -d /tmp/outpost-perf.XXXXXX)"
PIDS=()

cleanup() {
  local p
  # nginx: TERM to the master stops its workers too (KILL would orphan them).
  [ -n "${BACKEND_PID:-}" ] && kill -TERM "$BACKEND_PID" 2>/dev/null && sleep 0.3
  for p in "${PIDS[@]:-}"; do [ -n "$p" ] && kill -9 "$p" 2>/dev/null || true; done
  [ -n "${BACKEND_PID:-}" ] && pkill -9 -P "$BACKEND_PID" 2>/dev/null || true
  { wait; } 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

log() { echo "[perf] $*" >&2; }

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

wait_port() {  # wait_port PORT [PATH] [SECONDS]
  local i
  for i in $(seq 1 $(( ${3:-30} * 10 ))); do
    if python3 - "$1" "${2:-/}" <<'PY' 2>/dev/null; then return 0; fi
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=1)
s.sendall(b"GET " + sys.argv[2].encode() + b" HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
sys.exit(0 if s.recv(12) == b"HTTP/1.1 200" else 1)
PY
    sleep 0.1
  done
  log "port $1 did not answer"; return 1
}

need() {  # need CMD APT-PACKAGE
  command -v "$1" >/dev/null && return 0
  log "apt-get install $2"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$2" >/dev/null
}

build_outpost() {
  [ -n "${NO_BUILD:-}" ] || (cd "$ROOT" && cargo build --release --quiet)
}

start_backend() {  # sets BACKEND_PORT
  need nginx nginx-light
  BACKEND_PORT="$(free_port)"
  mkdir -p "$WORK/backend"
  cat > "$WORK/backend/nginx.conf" <<CONF
worker_processes 1;
daemon off;
pid $WORK/backend/nginx.pid;
error_log $WORK/backend/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path $WORK/backend/b; proxy_temp_path $WORK/backend/p;
  fastcgi_temp_path $WORK/backend/f; uwsgi_temp_path $WORK/backend/u; scgi_temp_path $WORK/backend/s;
  keepalive_requests 10000000;
  server {
    listen 127.0.0.1:$BACKEND_PORT;
    location / { return 200 "hello"; }
  }
}
CONF
  taskset -c "$LOAD_CPU" nginx -p "$WORK/backend" -c "$WORK/backend/nginx.conf" >/dev/null 2>&1 &
  BACKEND_PID=$!
  wait_port "$BACKEND_PORT"
}

write_outpost_config() {
  mkdir -p "$WORK/config/apis"
  printf 'display-name = "Bench"\npath = ""\nservice-url = "http://127.0.0.1:%s"\n' "$BACKEND_PORT" \
    > "$WORK/config/apis/bench.toml"
}

# start_outpost [WRAPPER...]: runs outpost (1 worker, CPU 0) under an optional
# wrapper command (valgrind, strace...); sets OUTPOST_PORT and OUTPOST_PID (the
# pid of the wrapper, which is the traced process for valgrind/strace).
start_outpost() {
  write_outpost_config
  OUTPOST_PORT="$(free_port)"
  OUTPOST_NET_SERVER_HTTP_ADDRESS=127.0.0.1 OUTPOST_NET_SERVER_HTTP_PORT="$OUTPOST_PORT" \
  OUTPOST_RUNTIME_WORKERS=1 OUTPOST_TELEMETRY_LOGS_STD_LEVEL=warn \
    taskset -c 0 "$@" "$OUTPOST" gateway --config "$WORK/config" > "$WORK/outpost.log" 2>&1 &
  OUTPOST_PID=$!
  PIDS+=("$OUTPOST_PID")
  wait_port "$OUTPOST_PORT" / "${OUTPOST_START_TIMEOUT:-30}"
}
