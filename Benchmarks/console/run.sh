#!/usr/bin/env bash
# The console on a run of N examples (default 100,000): evaluates N arithmetic rows against the built-in simulator
# with every stage record kept, serves the store with `dspex serve`, and times each page (median of 5, curl's total
# time, loopback). Usage: Benchmarks/console/run.sh [N]   (DSPEX=path/to/dspex to use another build)
set -euo pipefail
cd "$(dirname "$0")/../.."
count="${1:-100000}"
dspex="${DSPEX:-}"
if [ -z "$dspex" ]; then
    swift build -c release --static-swift-stdlib --product dspex
    dspex=.build/release/dspex
fi
work="$(mktemp -d)"
trap 'kill "$(cat "$work/serve.pid" 2>/dev/null)" 2>/dev/null || true; rm -rf "$work"' EXIT
python3 Benchmarks/eval/make_rows.py "$count" > "$work/rows.jsonl"
/usr/bin/time -f "eval of $count examples: %e s wall, %U s user" "$dspex" eval pipelines/arithmetic.yaml \
    --data "$work/rows.jsonl" --lm sim --run big --keep-prompts all --store "$work/s.sqlite" --no-cache > /dev/null
ls -l "$work/s.sqlite" | awk '{printf "store: %.0f MB\n", $5 / 1048576}'
"$dspex" serve --store "$work/s.sqlite" --port 0 > "$work/serve.log" 2>&1 &
echo $! > "$work/serve.pid"
for _ in $(seq 50); do grep -q console: "$work/serve.log" && break; sleep 0.1; done
port="$(grep -o '127.0.0.1:[0-9]*' "$work/serve.log" | cut -d: -f2)"
last="$(python3 -c "import sys; print('r%d' % (int(sys.argv[1]) - 1))" "$count")"
for path in "/" "/runs/big" "/runs/big?outcome=wrong" "/runs/big?order=score" "/runs/big?order=-score" \
    "/runs/big?q=1234" "/runs/big?offset=$((count - 50))" "/runs/big?outcome=wrong&order=-score&offset=$((count / 3))" \
    "/runs/big/examples/$last"; do
    median="$(for _ in 1 2 3 4 5; do curl -s -o /dev/null -w "%{time_total}\n" "http://127.0.0.1:$port$path"; done \
        | sort -n | sed -n 3p)"
    printf "%-60s %6.0f ms\n" "$path" "$(python3 -c "print(float('$median') * 1000)")"
done
