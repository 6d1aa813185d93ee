#!/usr/bin/env bash
# Syscalls and io_uring submissions per request of outpost (1 worker).
#   perf/syscalls.sh [REQUESTS=20000] [CONNECTIONS=1]
# Runs twice: the epoll driver under `strace -c -f` (attached after warm-up),
# then the io_uring driver counted with perf tracepoints
# (raw_syscalls:sys_enter, io_uring:io_uring_submit_req, ...). NO_BUILD=1 skips the build.
source "$(dirname "$0")/common.sh"
N="${1:-20000}"; CONNS="${2:-1}"; WARM=500
need strace strace
need perf linux-perf
build_outpost
start_backend

echo "=== epoll driver: strace -c -f, $N requests over $CONNS keep-alive connection(s)"
export OUTPOST_RUNTIME_DRIVER=epoll
start_outpost
python3 "$PERF_DIR/client.py" "$OUTPOST_PORT" "$WARM" / "$CONNS" >/dev/null
tids=(); for t in /proc/"$OUTPOST_PID"/task/*; do tids+=(-p "${t##*/}"); done
strace -c -f -o "$WORK/strace.txt" "${tids[@]}" 2>/dev/null &
ST=$!; sleep 1
done_n="$(taskset -c "$LOAD_CPU" python3 "$PERF_DIR/client.py" "$OUTPOST_PORT" "$N" / "$CONNS")"
kill -INT "$ST"; wait "$ST" 2>/dev/null || true
awk -v n="$done_n" '
  /^[ ]*[0-9.]+ +[0-9.]+ +[0-9]+ +[0-9]+/ { name=($NF == "total") ? "TOTAL" : $NF; printf "  %-22s %10d calls  %6.3f per request\n", name, $4, $4/n }
' "$WORK/strace.txt"
kill -9 "$OUTPOST_PID" 2>/dev/null || true; { wait "$OUTPOST_PID"; } 2>/dev/null || true

echo "=== io_uring driver: perf stat tracepoints, $N requests over $CONNS keep-alive connection(s)"
export OUTPOST_RUNTIME_DRIVER=io_uring
start_outpost
python3 "$PERF_DIR/client.py" "$OUTPOST_PORT" "$WARM" / "$CONNS" >/dev/null
EVENTS=raw_syscalls:sys_enter,syscalls:sys_enter_io_uring_enter,io_uring:io_uring_submit_req,io_uring:io_uring_complete,io_uring:io_uring_task_work_run,io_uring:io_uring_poll_arm,io_uring:io_uring_queue_async_work
perf stat -x, -e "$EVENTS" -p "$OUTPOST_PID" -o "$WORK/perfstat.txt" &
PS=$!; sleep 1
done_n="$(taskset -c "$LOAD_CPU" python3 "$PERF_DIR/client.py" "$OUTPOST_PORT" "$N" / "$CONNS")"
kill -INT "$PS"; wait "$PS" 2>/dev/null || true
awk -F, -v n="$done_n" '/^[0-9]/ { printf "  %-40s %10d  %6.3f per request\n", $3, $1, $1/n }' "$WORK/perfstat.txt"
grep -q "io_uring is unavailable" "$WORK/outpost.log" && echo "  (outpost fell back to epoll: io_uring unavailable)"
echo "requests: $done_n (warm-up $WARM not counted; the control thread's 1 s config poll is included)"
