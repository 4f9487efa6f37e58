#!/usr/bin/env bash
# Simulator throughput: a release `dspex sim` at 0 ms latency under wrk (keep-alive, 64 connections),
# POSTing a realistic DSPy ChainOfThought prompt with 4 demos. Needs `apt-get install -y wrk`.
set -euo pipefail
cd "$(dirname "$0")/../.."
PORT="${PORT:-8091}"
swift build -c release --product dspex
./.build/release/dspex sim --port "$PORT" >/dev/null 2>&1 &
SIM=$!
trap 'kill $SIM 2>/dev/null || true' EXIT
for _ in $(seq 50); do curl -sf "http://127.0.0.1:$PORT/health" >/dev/null && break; sleep 0.1; done
wrk -t2 -c64 -d15s -s Benchmarks/sim/dspy-post.lua "http://127.0.0.1:$PORT/v1/chat/completions"
