#!/usr/bin/env bash
# Does serving the console slow an evaluation down? Runs the same evaluation (N arithmetic rows, default 20,000,
# every stage record kept, caches off) against a `dspex sim` in another process, alternately alone and while
# `dspex serve` serves its store to a client that keeps the runs page's event stream open and loads the runs page
# and the run page every 100 ms (far more than a person watching). Prints each run's wall time and the medians.
# Usage: Benchmarks/console/concurrent.sh [N] [ROUNDS]   (DSPEX=path/to/dspex to use another build; LATENCY_MS=20)
set -euo pipefail
cd "$(dirname "$0")/../.."
count="${1:-20000}"
rounds="${2:-3}"
latency="${LATENCY_MS:-20}"
dspex="${DSPEX:-}"
if [ -z "$dspex" ]; then
    swift build -c release --static-swift-stdlib --product dspex
    dspex=.build/release/dspex
fi
work="$(mktemp -d)"
cleanup() {
    for pid_file in "$work"/*.pid; do [ -e "$pid_file" ] && kill "$(cat "$pid_file")" 2>/dev/null || true; done
    rm -rf "$work"
}
trap cleanup EXIT
python3 Benchmarks/eval/make_rows.py "$count" > "$work/rows.jsonl"
"$dspex" sim --port 0 --latency-ms "$latency" > "$work/sim.log" 2>&1 &
echo $! > "$work/sim.pid"
for _ in $(seq 50); do grep -q 127.0.0.1 "$work/sim.log" && break; sleep 0.1; done
sim_url="http://$(grep -o '127.0.0.1:[0-9]*' "$work/sim.log" | head -1)/v1"

evaluate() {  # $1: run name; prints the wall time in seconds
    local start end
    start=$(date +%s.%N)
    "$dspex" eval pipelines/arithmetic.yaml --data "$work/rows.jsonl" --lm dspex-sim --base-url "$sim_url" \
        --run "$1" --keep-prompts all --store "$work/s.sqlite" --no-cache --concurrency 64 > /dev/null 2>&1
    end=$(date +%s.%N)
    python3 -c "print(f'{$end - $start:.2f}')"
}

watch() {  # keeps the event stream open and loads pages every 100 ms until killed
    local port="$1"
    curl -s -N "http://127.0.0.1:$port/events" > /dev/null &
    echo $! > "$work/events.pid"
    while true; do
        curl -s -o /dev/null "http://127.0.0.1:$port/"
        curl -s -o /dev/null "http://127.0.0.1:$port/runs/$2"
        sleep 0.1
    done
}

alone=()
served=()
for round in $(seq "$rounds"); do
    alone+=("$(evaluate "alone-$round")")
    "$dspex" serve --store "$work/s.sqlite" --port 0 > "$work/serve.log" 2>&1 &
    echo $! > "$work/serve.pid"
    for _ in $(seq 50); do grep -q console: "$work/serve.log" && break; sleep 0.1; done
    port="$(grep -o '127.0.0.1:[0-9]*' "$work/serve.log" | cut -d: -f2)"
    watch "$port" "served-$round" &
    echo $! > "$work/watch.pid"
    served+=("$(evaluate "served-$round")")
    kill "$(cat "$work/watch.pid")" "$(cat "$work/events.pid")" "$(cat "$work/serve.pid")" 2>/dev/null || true
    wait "$(cat "$work/serve.pid")" 2>/dev/null || true
    echo "round $round: alone ${alone[-1]} s, while served ${served[-1]} s"
done
python3 - "${alone[*]}" "${served[*]}" <<'EOF'
import statistics, sys
alone = [float(x) for x in sys.argv[1].split()]
served = [float(x) for x in sys.argv[2].split()]
a, s = statistics.median(alone), statistics.median(served)
print(f"median alone {a:.2f} s, while served {s:.2f} s: {s / a:.3f} x")
EOF
