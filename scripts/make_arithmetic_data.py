#!/usr/bin/env python3
"""Writes the bundled arithmetic datasets (data/arithmetic_{train,dev}.jsonl), deterministically.

Each row is {"id": ..., "question": "What is A + B?", "answer": A + B}. Rerunning gives identical files.
Usage: python3 scripts/make_arithmetic_data.py [--seed 2026] [--train 200] [--dev 200]
"""
import argparse
import json
import os
import random


def rows(rng, count, prefix, seen):
    out = []
    while len(out) < count:
        a, b = rng.randint(-99, 999), rng.randint(0, 999)
        if (a, b) in seen:
            continue
        seen.add((a, b))
        out.append({"id": f"{prefix}-{len(out) + 1:04d}", "question": f"What is {a} + {b}?", "answer": a + b})
    return out


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--train", type=int, default=200)
    parser.add_argument("--dev", type=int, default=200)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    seen = set()  # shared, so no question is in both train and dev
    root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "data")
    os.makedirs(root, exist_ok=True)
    for name, count in (("train", args.train), ("dev", args.dev)):
        with open(os.path.join(root, f"arithmetic_{name}.jsonl"), "w", encoding="utf-8") as handle:
            for row in rows(rng, count, name, seen):
                handle.write(json.dumps(row, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
