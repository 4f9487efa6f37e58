#!/usr/bin/env python3
"""Writes the bundled tool-using task: additions of two 9-digit numbers ("What is A + B?"), which an agent should
hand to its calculator tool. data/bignum_train.jsonl (60) and data/bignum_dev.jsonl (100), fixed seed."""
import json
import random
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
rng = random.Random(20261207)
for name, count in [("bignum_train", 60), ("bignum_dev", 100)]:
    with open(ROOT / "data" / f"{name}.jsonl", "w") as out:
        for index in range(count):
            a, b = rng.randrange(10**8, 10**9), rng.randrange(10**8, 10**9)
            row = {"id": f"{name.split('_')[1]}-{index + 1:04d}", "question": f"What is {a} + {b}?", "answer": a + b}
            out.write(json.dumps(row) + "\n")
