#!/usr/bin/env bash
# Deterministic user-space instructions per request of outpost (1 worker)
# under valgrind --tool=callgrind, plus the top functions.
#   perf/callgrind.sh [REQUESTS=2000] [WARMUP=200]
# Env: OUTPOST_RUNTIME_DRIVER=epoll|io_uring (default auto), NO_BUILD=1, OUT=DIR
source "$(dirname "$0")/common.sh"
N="${1:-2000}"; WARM="${2:-200}"
OUT="${OUT:-$PERF_DIR/out/callgrind-$(date +%Y%m%d-%H%M%S)}"
mkdir -p "$OUT"
need valgrind valgrind
build_outpost
start_backend
export OUTPOST_START_TIMEOUT=120
start_outpost valgrind --tool=callgrind --callgrind-out-file="$OUT/callgrind.out" --compress-strings=no --compress-pos=no
log "outpost under callgrind: pid $OUTPOST_PID port $OUTPOST_PORT"
python3 "$PERF_DIR/client.py" "$OUTPOST_PORT" "$WARM" / 1 >/dev/null
callgrind_control -z "$OUTPOST_PID" >/dev/null            # zero the counters after warm-up
done_n="$(python3 "$PERF_DIR/client.py" "$OUTPOST_PORT" "$N" / 1)"
callgrind_control -d "$OUTPOST_PID" >/dev/null            # dump: counts of the N requests only
sleep 0.5
kill -9 "$OUTPOST_PID" 2>/dev/null || true
{ wait "$OUTPOST_PID"; } 2>/dev/null || true
# The dump made by -d is callgrind.out.N (one per dump; the highest is ours).
dump="$(ls -1v "$OUT"/callgrind.out.* 2>/dev/null | tail -n1)"
[ -n "$dump" ] || { log "no callgrind dump found"; exit 1; }
ir="$(awk '/^(summary|totals):/ {print $2; exit}' "$dump")"
echo "requests: $done_n"
echo "instructions (Ir, user space, all threads): $ir"
echo "instructions per request: $(( ir / done_n ))"
# After `callgrind_control -z`, call arcs made before the zeroing are written
# with a call count of 0, which callgrind_annotate 3.19 misreads as self cost
# of the caller (everything lands on `clone`): give them a count of 1.
sed 's/^calls=0 /calls=1 /' "$dump" > "$dump.fixed"
callgrind_annotate --auto=no --threshold=90 --inclusive=no "$dump.fixed" 2>/dev/null \
  | grep -E '^ *[0-9,]+ \(' | head -n 31 | cut -c1-200 | tee "$OUT/top-self.txt"
callgrind_annotate --auto=no --threshold=99 --inclusive=yes "$dump.fixed" 2>/dev/null \
  | grep -E '^ *[0-9,]+ \(' | head -n 61 | cut -c1-200 > "$OUT/top-inclusive.txt"
echo "dump: $dump.fixed  (kcachegrind/callgrind_annotate); top functions: $OUT/top-self.txt, $OUT/top-inclusive.txt"
