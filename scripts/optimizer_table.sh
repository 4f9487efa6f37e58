#!/usr/bin/env bash
# Compiles the arithmetic pipeline with every optimizer against the built-in simulator (trainset only), evaluates
# each program on the dev set, and prints the README's optimizer table. Usage: scripts/optimizer_table.sh [dspex]
set -euo pipefail
cd "$(dirname "$0")/.."
DSPEX=${1:-.build/debug/dspex}
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
score() { sed -n 's/^score *\([0-9.]*\)%.*/\1/p'; }
before=$("$DSPEX" eval pipelines/arithmetic.yaml --data data/arithmetic_dev.jsonl --store "$WORK/s.sqlite" \
    --run before 2>/dev/null | score)
echo "| optimizer | dev score before | dev score after | LM calls (compile) | compile time |"
echo "| --- | --- | --- | --- | --- |"
for optimizer in labeled bootstrap random-search mipro copro simba gepa; do
    start=$(date +%s%N)
    log=$("$DSPEX" compile pipelines/arithmetic.yaml --optimizer "$optimizer" --trainset data/arithmetic_train.jsonl \
        --store "$WORK/s.sqlite" --run "$optimizer" --out "$WORK/$optimizer.json" 2>&1)
    ms=$(( ($(date +%s%N) - start) / 1000000 ))
    calls=$(echo "$log" | sed -n 's/.*: \([0-9]*\) LM calls.*/\1/p' | tail -1)
    after=$("$DSPEX" eval pipelines/arithmetic.yaml --data data/arithmetic_dev.jsonl --program "$WORK/$optimizer.json" \
        --store "$WORK/s.sqlite" --run "eval-$optimizer" 2>/dev/null | score)
    printf '| %s | %s%% | %s%% | %s | %d.%d s |\n' "$optimizer" "$before" "$after" "${calls:-0}" $((ms / 1000)) \
        $((ms % 1000 / 100))
done
