#!/usr/bin/env bash
# Every benchmark scenario with one command: builds the release `dspex` binary, then the harness (in the same
# scratch folder, so the library is compiled once), and runs it.
# Usage: Benchmarks/run.sh [--runs N] [--list] [scenario or group ...]
#   groups: throughput cpu react startup memory store cache (no argument: all of them)
set -euo pipefail
cd "$(dirname "$0")/.."
# The Swift runtime and Foundation linked statically, as a CLI is shipped: no dynamic loading and symbol binding at
# every start (`dspex --version` 12.7 → 9 ms) and direct calls into the runtime (≈ 4% less CPU per LM call). Both
# builds use the same flags, so the library is compiled once.
swift build -c release --static-swift-stdlib --product dspex
cd Benchmarks
swift build -c release --static-swift-stdlib --scratch-path ../.build --product dspex-bench
exec ../.build/release/dspex-bench "$@"
