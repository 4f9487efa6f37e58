#!/usr/bin/env bash
# Every benchmark scenario with one command: builds the release `dspex` binary, then the harness (in the same
# scratch folder, so the library is compiled once), and runs it.
# Usage: Benchmarks/run.sh [--runs N] [--list] [scenario or group ...]
#   groups: throughput cpu startup memory store cache (no argument: all of them)
set -euo pipefail
cd "$(dirname "$0")/.."
swift build -c release --product dspex
cd Benchmarks
swift build -c release --scratch-path ../.build --product dspex-bench
exec ../.build/release/dspex-bench "$@"
