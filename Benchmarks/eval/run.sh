#!/usr/bin/env bash
# Peak memory of `dspex eval` vs dataset size (streamed), store write rate, and resume time.
# Needs GNU time (apt-get install -y time). Usage: Benchmarks/eval/run.sh [sizes...]
set -euo pipefail
cd "$(dirname "$0")/../.."
swift build -c release --product dspex
BIN=.build/release/dspex
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
for N in "${@:-10000 200000}"; do
    python3 Benchmarks/eval/make_rows.py "$N" > "$WORK/rows-$N.jsonl"
    /usr/bin/time -f "eval $N rows: %e s wall, %M KB peak RSS" "$BIN" eval pipelines/arithmetic.yaml \
        --data "$WORK/rows-$N.jsonl" --store "$WORK/store-$N.sqlite" --run "bench-$N" --json > "$WORK/out-$N.json"
    python3 -c "import json,sys; d=json.load(open('$WORK/out-$N.json')); print('  examples', d['examples'], 'lm_calls', d['lm_calls'])"
    /usr/bin/time -f "resume of $N finished rows: %e s wall, %M KB peak RSS" "$BIN" eval pipelines/arithmetic.yaml \
        --data "$WORK/rows-$N.jsonl" --store "$WORK/store-$N.sqlite" --resume "bench-$N" --json > /dev/null
done
