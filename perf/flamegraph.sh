#!/usr/bin/env bash
# CPU flame graph of outpost (1 worker) under wrk load.
#   perf/flamegraph.sh [SECONDS=10] [CONNECTIONS=50]
# Env: OUTPOST_RUNTIME_DRIVER=epoll|io_uring, NO_BUILD=1, OUT=DIR, FREQ=997
source "$(dirname "$0")/common.sh"
SECS="${1:-10}"; CONNS="${2:-50}"
OUT="${OUT:-$PERF_DIR/out/flame-$(date +%Y%m%d-%H%M%S)}"
mkdir -p "$OUT"
need perf linux-perf
need wrk wrk
export PATH="$HOME/.cargo/bin:$PATH"
if ! command -v inferno-flamegraph >/dev/null; then
  log "cargo install inferno --locked (once)"; cargo install inferno --locked
fi
build_outpost
start_backend
start_outpost
taskset -c "$LOAD_CPU" wrk -t1 -c"$CONNS" -d1s "http://127.0.0.1:$OUTPOST_PORT/" >/dev/null   # warm-up
taskset -c "$LOAD_CPU" wrk -t1 -c"$CONNS" -d"$((SECS + 2))s" "http://127.0.0.1:$OUTPOST_PORT/" > "$OUT/wrk.txt" &
WRK=$!; PIDS+=("$WRK")
sleep 1
# cpu-clock: hardware counters are not available on these VMs. --call-graph dwarf
# gives full Rust stacks without frame pointers (bigger files); set CALLGRAPH=fp
# if the binary is built with -C force-frame-pointers=yes.
if [ "${CALLGRAPH:-dwarf}" = dwarf ]; then CG=(--call-graph dwarf,16384); else CG=(-g); fi
perf record -e cpu-clock -F "${FREQ:-997}" "${CG[@]}" -p "$OUTPOST_PID" -o "$OUT/perf.data" -- sleep "$SECS" 2> "$OUT/perf-record.log"
wait "$WRK" || true
perf script -i "$OUT/perf.data" 2>/dev/null | inferno-collapse-perf > "$OUT/stacks.folded"
inferno-flamegraph --title "outpost, 1 worker, wrk -c$CONNS small GET (cpu-clock)" < "$OUT/stacks.folded" > "$OUT/flamegraph.svg"
grep -E "Requests/sec" "$OUT/wrk.txt" || true
echo "sampled cpu-clock: $(awk '{s+=$NF} END {printf "%.2f s", s/1e9}' "$OUT/stacks.folded")"
echo "top self frames:"
awk '{n=$NF; $NF=""; k=split($0,f,";"); sub(/ +$/,"",f[k]); s[f[k]]+=n; t+=n} END {for (x in s) printf "%6.2f%%  %s\n", 100*s[x]/t, x}' "$OUT/stacks.folded" | sort -rn | head -n 15
echo "flame graph: $OUT/flamegraph.svg"
