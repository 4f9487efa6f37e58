#!/usr/bin/env python3
"""Writes N arithmetic rows ("What is A + B?") as JSONL to stdout, deterministically, for the eval benchmarks."""
import json
import random
import sys

count = int(sys.argv[1])
rng = random.Random(7)
for index in range(count):
    a, b = rng.randint(0, 9999), rng.randint(0, 9999)
    sys.stdout.write(json.dumps({"id": f"r{index}", "question": f"What is {a} + {b}?", "answer": a + b}) + "\n")
