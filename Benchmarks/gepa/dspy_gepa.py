"""DSPy 3.4.1's GEPA on the arithmetic task against `dspex sim` (Benchmarks/gepa/run.sh runs it).

The same task as `pipelines/arithmetic.yaml`: `dspy.Predict("question -> answer: int")`, ChatAdapter,
exact match on the int answer, with the feedback DSPEx's exact match gives GEPA
("The expected answer is X; the program answered Y." / "The program answered X, which is the expected answer.").
Both caches are off, so every call reaches the simulator.

    python dspy_gepa.py --port 8000 --max-metric-calls 1000 --threads 16 --minibatch 3 --seed 0 \
        --train data/arithmetic_train.jsonl --val data/arithmetic_dev.jsonl

Prints one line, "RESULT " and JSON: compile seconds, best validation score, candidates, merges, full evaluations,
metric calls and the last iteration number gepa logged.
"""

import argparse
import json
import logging
import re
import time

import dspy


class IterationCounter(logging.Handler):
    """Counts what gepa logs through DSPy's logger: the last iteration number and what each iteration did."""

    pattern = re.compile(r"Iteration (\d+):")
    kinds = (
        ("skipped_perfect", "All subsample scores perfect"),
        ("proposed", "Proposed new text for"),
        ("accepted", "Accepted candidate"),
        ("rejected", "is not better than old score"),
        ("merge_tried", "Merged programs"),
        ("merge_rejected", "skipping merge"),
        ("errors", "Exception"),
    )

    def __init__(self):
        super().__init__(level=logging.INFO)
        self.last_iteration = 0
        self.counts = {name: 0 for name, _ in self.kinds}

    def emit(self, record):
        message = record.getMessage()
        match = self.pattern.search(message)
        if not match:
            return
        self.last_iteration = max(self.last_iteration, int(match.group(1)))
        for name, text in self.kinds:
            if text in message:
                self.counts[name] += 1


def load(path):
    examples = []
    with open(path) as handle:
        for line in handle:
            if line.strip():
                row = json.loads(line)
                examples.append(dspy.Example(question=row["question"], answer=row["answer"]).with_inputs("question"))
    return examples


def answer_text(value):
    return str(value).strip() if value is not None else None


def metric(gold, pred, trace=None, pred_name=None, pred_trace=None):
    answered = answer_text(getattr(pred, "answer", None))
    expected = answer_text(gold.answer)
    score = 1.0 if answered is not None and answered == expected else 0.0
    if score >= 1:
        feedback = f"The program answered {answered}, which is the expected answer."
    elif answered is not None:
        feedback = f"The expected answer is {expected}; the program answered {answered}."
    else:
        feedback = f"The expected answer is {expected}; the program gave no answer."
    return dspy.Prediction(score=score, feedback=feedback)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--max-metric-calls", type=int, default=1000)
    parser.add_argument("--threads", type=int, default=16)
    parser.add_argument("--minibatch", type=int, default=3)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--train", required=True)
    parser.add_argument("--val", required=True)
    args = parser.parse_args()

    dspy.configure_cache(enable_disk_cache=False, enable_memory_cache=False)
    base = f"http://127.0.0.1:{args.port}/v1"
    lm = dspy.LM("openai/dspex-sim", api_base=base, api_key="x", cache=False, temperature=0.0)
    reflection_lm = dspy.LM("openai/dspex-sim", api_base=base, api_key="x", cache=False, temperature=0.0)
    dspy.configure(lm=lm, adapter=dspy.ChatAdapter())

    counter = IterationCounter()
    gepa_logger = logging.getLogger("dspy.teleprompt.gepa.gepa")  # gepa logs through it (DSPy's LoggerAdapter)
    gepa_logger.addHandler(counter)
    gepa_logger.setLevel(logging.INFO)

    train, val = load(args.train), load(args.val)
    program = dspy.Predict("question -> answer: int")
    optimizer = dspy.GEPA(
        metric=metric,
        max_metric_calls=args.max_metric_calls,
        reflection_lm=reflection_lm,
        reflection_minibatch_size=args.minibatch,
        num_threads=args.threads,
        seed=args.seed,
        track_stats=True,
    )
    start = time.monotonic()
    optimized = optimizer.compile(program, trainset=train, valset=val)
    seconds = time.monotonic() - start

    results = optimized.detailed_results
    scores = list(results.val_aggregate_scores)
    merges = sum(1 for parents in results.parents if len([p for p in parents if p is not None]) > 1)
    print("RESULT " + json.dumps({
        "compile_seconds": round(seconds, 3),
        "best_val": max(scores),
        "seed_val": scores[0],
        "candidates": len(scores),
        "merges_accepted": merges,
        "full_val_evals": results.num_full_val_evals,
        "metric_calls": results.total_metric_calls,
        "iterations": counter.last_iteration,
        "outcomes": counter.counts,
        "instruction": optimized.signature.instructions,
    }))


if __name__ == "__main__":
    main()
