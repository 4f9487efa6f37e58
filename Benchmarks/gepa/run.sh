#!/usr/bin/env bash
# GEPA side by side: DSPy 3.4.1 (gepa 0.1.4) and DSPEx against one `dspex sim`, in one session.
#
#   Benchmarks/gepa/run.sh                 # 3 runs each, alternating DSPy, DSPEx, DSPy, ...
#   RUNS=1 BUDGET=500 Benchmarks/gepa/run.sh
#
# Both optimize `question -> answer: int` (Predict, ChatAdapter, exact match with expected/answered
# feedback) on data/arithmetic_train.jsonl, validate on data/arithmetic_dev.jsonl, with the same budget
# in metric calls, reflection minibatch 3, 16 examples at once and seed 0; the task model and the
# reflection model are the same simulator (50 ms per call). Caches are off on both sides, so every call
# is paid for. Printed per run: wall time of the whole process (start-up and imports included), LM calls
# (the simulator's /stats request count before and after), the best validation score, and what the
# optimizer did (iterations, candidates, full evaluations, merges where known).
#
# Env: DSPEX (a release binary; default: this checkout built into /tmp/dspex-release),
#      DSPY_VENV (a venv with dspy==3.4.1; default: a throwaway one is created as
#      scripts/golden/make_fixtures.sh does and removed at the end), PYTHON (for that venv, default
#      python3), DSPEX_COMMIT (the commit the binary was built from, for the header), RUNS (3),
#      BUDGET (max metric calls, 1000), LATENCY_MS (50), CONCURRENCY (16),
#      MINIBATCH (3), SEED (0), KEEP_WORK=1 to keep the logs, stores and programs.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
HERE="$ROOT/Benchmarks/gepa"
RUNS="${RUNS:-3}"
BUDGET="${BUDGET:-1000}"
LATENCY_MS="${LATENCY_MS:-50}"
CONCURRENCY="${CONCURRENCY:-16}"
MINIBATCH="${MINIBATCH:-3}"
SEED="${SEED:-0}"
TRAIN="$ROOT/data/arithmetic_train.jsonl"
VAL="$ROOT/data/arithmetic_dev.jsonl"
PIPELINE="$ROOT/pipelines/arithmetic.yaml"

WORK="$(mktemp -d "${TMPDIR:-/tmp}/dspex-gepa-bench.XXXXXX")"
SIM_PID=""
cleanup() {
  if [[ -n "$SIM_PID" ]]; then kill "$SIM_PID" 2>/dev/null || true; wait "$SIM_PID" 2>/dev/null || true; fi
  if [[ "${KEEP_WORK:-0}" == "1" ]]; then echo "logs, stores and programs kept in $WORK" >&2; else rm -rf "$WORK"; fi
}
trap cleanup EXIT INT TERM

# --- the DSPEx binary ---------------------------------------------------------------------------
# Without DSPEX the checkout's sources are built (incrementally, so never a stale binary).
if [[ -z "${DSPEX:-}" ]]; then
  DSPEX=/tmp/dspex-release/release/dspex
  echo "building $DSPEX (release, static Swift runtime) ..." >&2
  (cd "$ROOT" && swift build -c release --static-swift-stdlib --product dspex --scratch-path /tmp/dspex-release)
fi

# --- the DSPy venv (as scripts/golden/make_fixtures.sh makes it) --------------------------------
if [[ -n "${DSPY_VENV:-}" && -x "$DSPY_VENV/bin/python" ]]; then
  VENV="$DSPY_VENV"
else
  VENV="${DSPY_VENV:-$WORK/venv}"
  echo "creating a venv with dspy==3.4.1 in $VENV ..." >&2
  "${PYTHON:-python3}" -m venv "$VENV"
  "$VENV/bin/pip" install --quiet --disable-pip-version-check "dspy==3.4.1" \
    -c "$ROOT/scripts/golden/constraints.txt"
fi
PY="$VENV/bin/python"

# --- one simulator for every run ----------------------------------------------------------------
"$DSPEX" sim --port 0 --latency-ms "$LATENCY_MS" --seed "$SEED" >"$WORK/sim.log" 2>&1 &
SIM_PID=$!
PORT=""
for _ in $(seq 1 100); do
  PORT="$(grep -o '127\.0\.0\.1:[0-9]*' "$WORK/sim.log" 2>/dev/null | head -1 | cut -d: -f2 || true)"
  [[ -n "$PORT" ]] && break
  sleep 0.05
done
[[ -n "$PORT" ]] || { echo "the simulator did not start:" >&2; cat "$WORK/sim.log" >&2; exit 1; }
BASE="http://127.0.0.1:$PORT/v1"

requests() { curl -sf "http://127.0.0.1:$PORT/stats" | "$PY" -c 'import json,sys; print(json.load(sys.stdin)["requests"])'; }
now() { date +%s.%N; }

echo "GEPA side by side: budget $BUDGET metric calls, minibatch $MINIBATCH, concurrency $CONCURRENCY, seed $SEED"
echo "simulator: $DSPEX sim --latency-ms $LATENCY_MS --seed $SEED on port $PORT"
echo "dspex: $("$DSPEX" --version), binary $DSPEX built $(date -u -r "$DSPEX" '+%F %H:%M UTC') (${DSPEX_COMMIT:-tree at $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo '?')}); dspy: $("$PY" -c 'import dspy; print(dspy.__version__)'), gepa $("$PY" -c 'import importlib.metadata as m; print(m.version("gepa"))')"
echo "load at start: $(cut -d' ' -f1-3 /proc/loadavg)"
echo

RESULTS="$WORK/results.tsv"
: >"$RESULTS"

run_dspy() {
  local i="$1" log="$WORK/dspy-$1.log" before after start end
  before="$(requests)"; start="$(now)"
  (cd "$ROOT" && "$PY" "$HERE/dspy_gepa.py" --port "$PORT" --max-metric-calls "$BUDGET" \
    --threads "$CONCURRENCY" --minibatch "$MINIBATCH" --seed "$SEED" --train "$TRAIN" --val "$VAL") \
    >"$log" 2>&1 || { echo "DSPy run $i failed:" >&2; tail -30 "$log" >&2; exit 1; }
  end="$(now)"; after="$(requests)"
  local json
  json="$(grep '^RESULT ' "$log" | tail -1 | cut -d' ' -f2-)"
  "$PY" - "$i" "$start" "$end" "$before" "$after" "$json" >>"$RESULTS" <<'EOF'
import json, sys
i, start, end, before, after, payload = sys.argv[1:]
r = json.loads(payload)
wall = float(end) - float(start)
calls = int(after) - int(before)
note = (f"iterations {r['iterations']}, candidates {r['candidates']}, full evals {r['full_val_evals']}, "
        f"merges accepted {r['merges_accepted']}, metric calls {r['metric_calls']}; "
        + ", ".join(f"{k} {v}" for k, v in sorted(r["outcomes"].items())) + f"; compile {r['compile_seconds']:.2f} s")
print("\t".join(["dspy", i, f"{wall:.3f}", str(calls), f"{r['best_val']:.4f}", note]))
EOF
  tail -1 "$RESULTS" | awk -F'\t' '{printf "DSPy  run %s: %7.2f s, %5d LM calls, best val %.3f  (%s)\n", $2, $3, $4, $5, $6}'
}

run_dspex() {
  local i="$1" log="$WORK/dspex-$1.log" before after start end
  before="$(requests)"; start="$(now)"
  (cd "$WORK" && "$DSPEX" compile "$PIPELINE" --optimizer gepa --max-metric-calls "$BUDGET" \
    --reflection-minibatch-size "$MINIBATCH" --concurrency "$CONCURRENCY" --seed "$SEED" \
    --trainset "$TRAIN" --valset "$VAL" --lm dspex-sim --base-url "$BASE" --reflection-lm dspex-sim \
    --store "$WORK/dspex-$i.sqlite" --run "gepa-$i" --out "$WORK/dspex-$i.json" --no-cache) \
    >"$log" 2>&1 || { echo "DSPEx run $i failed:" >&2; tail -30 "$log" >&2; exit 1; }
  end="$(now)"; after="$(requests)"
  "$PY" - "$i" "$start" "$end" "$before" "$after" "$log" "$WORK/dspex-$i.sqlite" >>"$RESULTS" <<'EOF'
import json, re, sqlite3, sys
i, start, end, before, after, log, store = sys.argv[1:]
wall = float(end) - float(start)
calls = int(after) - int(before)
text = open(log).read()
best = re.findall(r"best score ([0-9.]+)%", text)  # the CLI's summary; the journal's pool below is exact
best = float(best[-1]) / 100 if best else float("nan")
# What the run did, from its journal: gepa/state (the pool) and gepa/iteration/NNNN (kind and outcome).
note = "journal not read"
try:
    db = sqlite3.connect(store)
    rows = db.execute("select key, value from compileStep where key = 'gepa/state' or key like 'gepa/iteration/____'").fetchall()
    state = next(json.loads(v) for k, v in rows if k == "gepa/state")
    outcomes = {}
    for k, v in rows:
        if k.startswith("gepa/iteration/"):
            it = json.loads(v)
            name = ("merge_" if it.get("kind") == "merge" else "") + str(it.get("outcome", it.get("merge", "none")))
            outcomes[name] = outcomes.get(name, 0) + 1
    means = [c["mean"] for c in state["candidates"]]
    best = max(means)
    merges = sum(1 for c in state["candidates"] if len(c["parents"]) > 1)
    note = (f"iterations {sum(outcomes.values())}, candidates {len(means)}, full evals {state['full_evaluations']}, "
            f"merges accepted {merges}, metric calls {state['metric_calls']}; "
            + ", ".join(f"{k} {v}" for k, v in sorted(outcomes.items())))
except Exception as error:
    note = f"journal not read: {error}"
print("\t".join(["dspex", i, f"{wall:.3f}", str(calls), f"{best:.4f}", note]))
EOF
  tail -1 "$RESULTS" | awk -F'\t' '{printf "DSPEx run %s: %7.2f s, %5d LM calls, best val %.3f  (%s)\n", $2, $3, $4, $5, $6}'
}

for i in $(seq 1 "$RUNS"); do
  run_dspy "$i"
  run_dspex "$i"
done

echo
echo "load at end: $(cut -d' ' -f1-3 /proc/loadavg)"
"$PY" - "$RESULTS" <<'EOF'
import statistics, sys
rows = [line.rstrip("\n").split("\t") for line in open(sys.argv[1]) if line.strip()]
def column(kind, index, cast=float):
    return [cast(r[index]) for r in rows if r[0] == kind]
print(f"{'':6} {'wall median (min-max)':>26} {'LM calls median (min-max)':>28} {'best val (runs)':>22}")
for kind, label in (("dspy", "DSPy"), ("dspex", "DSPEx")):
    wall, calls, best = column(kind, 2), column(kind, 3, int), column(kind, 4)
    print(f"{label:6} {statistics.median(wall):>10.2f} s ({min(wall):.2f}-{max(wall):.2f}) "
          f"{statistics.median(calls):>12.0f} ({min(calls)}-{max(calls)}) "
          f"{'  ' + ' / '.join(f'{b:.3f}' for b in best):>22}")
dspy, dspex = column("dspy", 2), column("dspex", 2)
ratios = [a / b for a, b in zip(dspy, dspex)]
print(f"wall time DSPy / DSPEx: median {statistics.median(dspy) / statistics.median(dspex):.2f} x "
      f"(per round {' / '.join(f'{r:.2f}' for r in ratios)})")
dc, xc = column("dspy", 3, int), column("dspex", 3, int)
per_call = [(a / c) / (b / d) for a, b, c, d in zip(dspy, dspex, dc, xc)]
print(f"wall time per LM call DSPy / DSPEx: {' / '.join(f'{r:.2f}' for r in per_call)}")
EOF
