#!/usr/bin/env bash
# Offline test of the container image (Dockerfile.linux), for machines that
# cannot pull base images (no registry access, no Docker daemon).
#
# It builds the runtime stage of Dockerfile.linux with buildah, unchanged
# except for its two base images, which are made here:
#   - the build stage is replaced by a `FROM scratch` image holding an
#     already built outpost binary at the path the real build stage leaves
#     it (/src/target/release/outpost), the default config/ and /out/apim;
#   - the distroless base is replaced by a `FROM scratch` image holding the
#     binary's shared libraries (from ldd), CA certificates and /etc/passwd.
# Then it unpacks the image with umoci and runs the image's own entrypoint,
# environment, user (uid 1001) and working directory from the unpacked
# runtime spec, chrooted into a read-only bind mount of the root filesystem
# with only the backup volume writable: it serves the echo demo, passes the
# image's HEALTHCHECK command and stops cleanly on SIGTERM; then, configured
# from a management plane, it serves an API and writes its configuration
# backup to /apim/config as uid 1001.
#
# Usage: packaging/test-image.sh [BINARY]   (default: target/debug/outpost,
# built when missing). Needs root (chroot, mount namespace), buildah, umoci,
# curl, python3; installs buildah and umoci with apt-get when missing.
set -euo pipefail
cd "$(dirname "$0")/.."
say() { echo "test-image: $*"; }
fail() { echo "test-image: FAIL: $*" >&2; exit 1; }

BIN=${1:-target/debug/outpost}
if [ ! -x "$BIN" ]; then
    cargo build --bin outpost
fi
skip() {
    echo "################################################################" >&2
    echo "test-image: SKIPPED: $* -- the container image was NOT tested" >&2
    echo "################################################################" >&2
    exit 0
}
[ "$(id -u)" = 0 ] || skip "needs root (buildah, chroot and a private mount namespace)"
if ! command -v buildah >/dev/null || ! command -v umoci >/dev/null; then
    say "installing buildah and umoci"
    { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq buildah umoci; } >/dev/null 2>&1 \
        || skip "buildah/umoci cannot be installed here"
fi
buildah --version >/dev/null 2>&1 || skip "buildah does not run here"
unshare -m true 2>/dev/null || skip "no mount namespaces here"

WORK=$(mktemp -d /tmp/outpost-image-test.XXXXXX)
PID= CP_PID=
cleanup() {
    if [ -n "$PID" ]; then kill -KILL "$PID" 2>/dev/null || true; fi
    if [ -n "$CP_PID" ]; then kill -KILL "$CP_PID" 2>/dev/null || true; fi
    rm -rf "$WORK"
}
trap cleanup EXIT
BUILDAH=(buildah --root "$WORK/storage" --runroot "$WORK/run" --storage-driver vfs)

# 1. The stand-in for the build stage.
mkdir -p "$WORK/build/src/target/release" "$WORK/build/out/apim/config" "$WORK/build/out/data"
objcopy --strip-debug "$BIN" "$WORK/build/src/target/release/outpost"
cp -r config "$WORK/build/src/config"
printf 'FROM scratch\nCOPY . /\n' > "$WORK/build/Containerfile"
"${BUILDAH[@]}" bud -q -f "$WORK/build/Containerfile" -t localhost/outpost-test-build "$WORK/build" >/dev/null

# 2. The stand-in for the distroless base: shared libraries, CA bundle, users.
B="$WORK/base"
mkdir -p "$B/etc/ssl/certs" "$B/tmp"
chmod 1777 "$B/tmp"
for l in /lib /lib64; do
    if [ -L "$l" ]; then ln -s "$(readlink "$l")" "$B$l"; fi
done
for lib in $(ldd "$BIN" | grep -o '/[^ ]*'); do
    real="$(readlink -f "$(dirname "$lib")")/$(basename "$lib")"
    mkdir -p "$B$(dirname "$real")"
    cp -L "$lib" "$B$real"
done
cp -L /etc/ssl/certs/ca-certificates.crt "$B/etc/ssl/certs/" 2>/dev/null || true
printf 'root:x:0:0:root:/root:/sbin/nologin\nnobody:x:65534:65534:nobody:/nonexistent:/sbin/nologin\n' > "$B/etc/passwd"
printf 'root:x:0:\nnogroup:x:65534:\n' > "$B/etc/group"
printf 'FROM scratch\nCOPY . /\n' > "$WORK/Containerfile.base"
"${BUILDAH[@]}" bud -q -f "$WORK/Containerfile.base" -t localhost/outpost-test-base "$B" >/dev/null

# 3. Dockerfile.linux's runtime stage, with only its base images replaced.
awk 'BEGIN { n = 0 } /^FROM / { n++ } n == 2' Dockerfile.linux > "$WORK/runtime-stage"
[ -s "$WORK/runtime-stage" ] || fail "Dockerfile.linux has no second (runtime) stage"
if grep -q '^RUN' "$WORK/runtime-stage"; then
    fail "the runtime stage must not RUN anything (the offline base has no shell)"
fi
{
    echo "FROM localhost/outpost-test-build AS build"
    sed '1s|^FROM .*|FROM localhost/outpost-test-base|' "$WORK/runtime-stage"
} > "$WORK/Containerfile"
diff <(tail -n +2 "$WORK/runtime-stage") <(tail -n +3 "$WORK/Containerfile") >/dev/null \
    || fail "the offline Containerfile differs from Dockerfile.linux beyond its base images"
"${BUILDAH[@]}" bud -q --format docker --build-arg VERSION=9.8.7-test \
    -f "$WORK/Containerfile" -t localhost/outpost:test "$WORK/build" >/dev/null
say "image built from Dockerfile.linux's runtime stage"

# 4. The image's metadata is what the README promises.
"${BUILDAH[@]}" inspect --type image localhost/outpost:test > "$WORK/inspect.json"
python3 - "$WORK/inspect.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
c = d["Docker"]["config"]
def check(ok, what):
    if not ok:
        sys.exit(f"test-image: FAIL: {what}: {json.dumps(c, indent=1)}")
check(c.get("User") == "1001:1001", "runs as uid 1001")
check(set(c.get("ExposedPorts", {})) == {"8080/tcp", "8081/tcp"}, "exposes 8080 and 8081")
check("config.backup.path=/apim/config" in c.get("Env", []), "backup path in the environment")
check("/apim/config" in (c.get("Volumes") or {}), "backup volume declared")
hc = (c.get("Healthcheck") or {}).get("Test", [])
check(hc[-1:] == ["probe"] and "outpost" in hc[1], "HEALTHCHECK runs outpost probe")
check(c.get("Labels", {}).get("org.opencontainers.image.version") == "9.8.7-test", "version label from VERSION")
check(c.get("Entrypoint") == ["/usr/local/bin/outpost"], "entrypoint")
PY
say "metadata: uid 1001, ports 8080/8081, /apim/config volume, HEALTHCHECK, version label"

# 5. Unpack and run it the way a runtime would, on a read-only root.
"${BUILDAH[@]}" push -q localhost/outpost:test "oci:$WORK/oci:test" >/dev/null
umoci unpack --image "$WORK/oci:test" "$WORK/bundle" >/dev/null
ROOTFS="$WORK/bundle/rootfs"
[ -x "$ROOTFS/usr/local/bin/outpost" ] || fail "no binary in the unpacked image"
for d in /apim/config /data; do
    [ "$(stat -c %u "$ROOTFS$d")" = 1001 ] || fail "$d is not owned by uid 1001"
done
# Entrypoint + command, environment, user and cwd from the runtime spec.
python3 - "$WORK/bundle/config.json" > "$WORK/spec" <<'PY'
import json, shlex, sys
p = json.load(open(sys.argv[1]))["process"]
print("ARGS=(" + " ".join(shlex.quote(a) for a in p["args"]) + ")")
print("ENVS=(" + " ".join(shlex.quote(e) for e in p["env"]) + ")")
print(f"USERSPEC={p['user']['uid']}:{p['user']['gid']}")
print(f"CWD={shlex.quote(p.get('cwd', '/'))}")
PY
# shellcheck disable=SC1090
. "$WORK/spec"
[ "$USERSPEC" = 1001:1001 ] || fail "runtime user is $USERSPEC"
[ "$CWD" = / ] || fail "working directory $CWD (chroot starts in /)"
mkdir -p "$WORK/backup" && chown 1001:1001 "$WORK/backup"
# Port 0 and loopback: this test must not take a fixed port on the machine.
ENVS+=("net.server.http.port=0" "net.server.http.address=127.0.0.1")

# Starts the image's command as its user, chrooted into a read-only bind
# mount of the root filesystem with only /apim/config writable, with the
# image's environment plus "$@"; sets PID and PORT once it is ready.
start_image() {
    local log=$1; shift
    unshare -m --propagation private sh -c '
        set -e
        rootfs=$1; backup=$2; shift 2
        mount --bind "$rootfs" "$rootfs"
        mount -o remount,bind,ro "$rootfs"
        mount --bind "$backup" "$rootfs/apim/config"
        exec "$@"' sh "$ROOTFS" "$WORK/backup" \
        env -i "${ENVS[@]}" "$@" chroot --userspec="$USERSPEC" "$ROOTFS" "${ARGS[@]}" \
        > "$log" 2>&1 &
    PID=$!
    PORT=
    for _ in $(seq 1 300); do
        PORT=$(sed -n 's/.*outpost gateway ready.* listener=[^ ]*:\([0-9][0-9]*\).*/\1/p' "$log" | head -1)
        [ -n "$PORT" ] && return 0
        kill -0 "$PID" 2>/dev/null || break
        sleep 0.1
    done
    cat "$log" >&2
    fail "the gateway in the image did not become ready"
}

stop_image() {
    local log=$1 status=0
    kill -TERM "$PID"
    wait "$PID" || status=$?
    PID=
    [ "$status" = 0 ] || { cat "$log" >&2; fail "SIGTERM exit status $status"; }
}

# 5a. Standalone: the echo demo of the image's default configuration.
start_image "$WORK/gateway.log"
say "gateway from the image is ready on 127.0.0.1:$PORT ($(grep -o 'driver="[^"]*"' "$WORK/gateway.log" | head -1))"
body=$(curl -sS --max-time 10 -o - -w '\n%{http_code}' -d hi "http://127.0.0.1:$PORT/echo/hello")
[ "$(tail -n 1 <<<"$body")" = 200 ] || fail "echo demo answered: $body"
grep -q '"path":"/echo/hello"' <<<"$body" || fail "echo demo body: $body"
say "echo demo: 200 $(head -n 1 <<<"$body" | cut -c1-80)…"

HC=$(python3 -c 'import json,sys; print(" ".join(json.load(open(sys.argv[1]))["Docker"]["config"]["Healthcheck"]["Test"][1:]))' "$WORK/inspect.json")
# shellcheck disable=SC2086
env -i "${ENVS[@]}" chroot --userspec="$USERSPEC" "$ROOTFS" $HC --port "$PORT" >/dev/null \
    || fail "the image's HEALTHCHECK ($HC) failed"
say "HEALTHCHECK ($HC) passes"
stop_image "$WORK/gateway.log"
say "SIGTERM: clean exit"

# 5b. From a management plane (run from the same binary, outside the image):
# the image's config.backup.path=/apim/config must be writable as uid 1001
# on the read-only root.
"$BIN" control-plane --data "$WORK/cp" --listen 127.0.0.1:0 > "$WORK/cp.log" 2>&1 &
CP_PID=$!
CP=
for _ in $(seq 1 300); do
    CP=$(sed -n 's|^outpost control-plane listening on \(http://127.0.0.1:[0-9]*\).*|\1|p' "$WORK/cp.log" | head -1)
    [ -n "$CP" ] && break
    sleep 0.1
done
[ -n "$CP" ] || { cat "$WORK/cp.log" >&2; kill "$CP_PID"; fail "the control plane did not start"; }
ADMIN="Authorization: Bearer $(cat "$WORK/cp/admin-token")"
api() { curl -sS --fail --max-time 10 -H "$ADMIN" -X "$1" "$CP/mgmt$2" -d "$3"; }
api PUT /gateways/gw1 '{"description":"image test"}' >/dev/null
api PUT /apis/hello '{"displayName":"Hello","path":"hello","serviceUrl":"echo://"}' >/dev/null
api PUT /apis/hello/operations/get '{"method":"GET","urlTemplate":"/*"}' >/dev/null
api PUT /gateways/gw1/apis/hello '' >/dev/null
TOKEN=$(api POST /gateways/gw1/generateToken \
    "{\"keyType\":\"primary\",\"expiry\":\"$(date -u -d '+1 day' +%Y-%m-%dT%H:%M:%SZ)\"}" \
    | python3 -c 'import json,sys; print(json.load(sys.stdin)["value"])')
start_image "$WORK/managed.log" "config.service.endpoint=$CP" "config.service.auth=$TOKEN"
code=
for _ in $(seq 1 300); do
    code=$(curl -s --max-time 5 -o /dev/null -w '%{http_code}' "http://127.0.0.1:$PORT/hello/x")
    [ "$code" = 200 ] && [ -s "$WORK/backup/snapshot.lock.json" ] && break
    sleep 0.1
done
kill "$CP_PID" 2>/dev/null || true
[ "$code" = 200 ] || { cat "$WORK/managed.log" >&2; fail "API from the management plane answered $code"; }
[ -s "$WORK/backup/snapshot.lock.json" ] || { cat "$WORK/managed.log" >&2; fail "no backup in /apim/config"; }
[ "$(stat -c '%u %a' "$WORK/backup/snapshot.lock.json")" = "1001 600" ] \
    || fail "backup owner/mode: $(stat -c '%u %a' "$WORK/backup/snapshot.lock.json")"
stop_image "$WORK/managed.log"
say "from a management plane: API served, backup written to /apim/config as uid 1001 (0600)"
say "OK"
