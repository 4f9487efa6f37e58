#!/usr/bin/env bash
# A distributed evaluation: N examples queued in PostgreSQL (`dspex eval --workers-only`), evaluated by 1, 2 and 4
# `dspex worker` processes, each capped at the same concurrency (standing for a per-machine limit), against one
# simulator at a fixed latency. Prints, per worker count: the wall time, the throughput and its ratio to the ideal
# (workers × concurrency / latency), and the database's own CPU per result (the PostgreSQL server processes' user +
# system time, read from /proc, over the results stored).
#
# Needs the test cluster: scripts/postgres.sh start && eval "$(scripts/postgres.sh env)".
# Usage: Benchmarks/distributed/run.sh [examples (100000)] [concurrency per worker (32)] [latency ms (50)] [workers (1 2 4)]
set -euo pipefail
cd "$(dirname "$0")/../.."
EXAMPLES="${1:-100000}"
CONCURRENCY="${2:-32}"
LATENCY="${3:-50}"
WORKERS="${4:-1 2 4}"
: "${DSPEX_TEST_POSTGRES_URL:?start the cluster: scripts/postgres.sh start && eval \"\$(scripts/postgres.sh env)\"}"
swift build -c release --product dspex
BIN=.build/release/dspex
WORK=$(mktemp -d)
SIM_PORT=$((20000 + RANDOM % 20000))
"$BIN" sim --port "$SIM_PORT" --latency-ms "$LATENCY" > "$WORK/sim.log" 2>&1 &
SIM=$!
trap 'kill $SIM 2>/dev/null || true; rm -rf "$WORK"' EXIT
python3 Benchmarks/eval/make_rows.py "$EXAMPLES" > "$WORK/rows.jsonl"
sleep 1

# CPU seconds (user + system) of every PostgreSQL server process of the cluster, from /proc.
postgres_cpu() {
    python3 - <<'PY'
import os
ticks = os.sysconf("SC_CLK_TCK")
total = 0
for pid in os.listdir("/proc"):
    if not pid.isdigit():
        continue
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        with open(f"/proc/{pid}/comm") as f:
            name = f.read().strip()
    except OSError:
        continue
    if name.startswith("postgres"):
        total += int(fields[11]) + int(fields[12]) + int(fields[13]) + int(fields[14])
print(total / ticks)
PY
}

echo "examples $EXAMPLES, concurrency $CONCURRENCY per worker, simulator latency $LATENCY ms, $(nproc) cores"
for W in $WORKERS; do
    URL="$DSPEX_TEST_POSTGRES_URL?schema=bench_${W}_$(date +%s)"
    "$BIN" eval pipelines/arithmetic.yaml --data "$WORK/rows.jsonl" --lm dspex-sim \
        --base-url "http://127.0.0.1:$SIM_PORT/v1" --no-cache --keep-prompts none --store "$URL" --run "bench" \
        --workers-only --shard-size 1000 > /dev/null 2>&1
    CPU_BEFORE=$(postgres_cpu)
    START=$(date +%s.%N)
    PIDS=()
    for _ in $(seq "$W"); do
        "$BIN" worker --store "$URL" --concurrency "$CONCURRENCY" --exit-when-idle > "$WORK/worker.log" 2>&1 &
        PIDS+=($!)
    done
    for PID in "${PIDS[@]}"; do wait "$PID"; done
    END=$(date +%s.%N)
    CPU_AFTER=$(postgres_cpu)
    STORED=$("$BIN" show bench --store "$URL" --json | python3 -c "import json,sys; print(json.load(sys.stdin)['examples'])")
    python3 - "$W" "$START" "$END" "$CPU_BEFORE" "$CPU_AFTER" "$STORED" "$CONCURRENCY" "$LATENCY" <<'PY'
import sys
workers, start, end, before, after, stored, concurrency, latency = sys.argv[1:]
elapsed = float(end) - float(start)
rate = int(stored) / elapsed
ideal = int(workers) * int(concurrency) * 1000 / float(latency)
cpu = (float(after) - float(before)) / int(stored) * 1e6
print(f"{workers} worker(s): {stored} results in {elapsed:.1f} s = {rate:,.0f}/s; ideal {ideal:,.0f}/s; "
      f"ratio {rate / ideal:.2f}; PostgreSQL CPU {cpu:.0f} µs per result")
PY
    psql "$DSPEX_TEST_POSTGRES_URL" -q -c "DROP SCHEMA \"${URL##*schema=}\" CASCADE" > /dev/null 2>&1 || true
done
