"""Measures each optimizer on the bundled real-model task and prints the README's table.

For every configuration: `dspex compile` on the training set (candidates scored on the training set,
so the dev set stays unseen), then `dspex eval` of the compiled program on the dev set. LM calls are
counted by a small loopback proxy in front of the server, so calls whose replies could not be parsed
are counted too.

    scripts/real-model.sh start            # port 8080
    swift build --product dspex
    .venv-llm/bin/python scripts/realmodel/measure_optimizers.py [mipro copro ...]   # all, or only these
"""

import http.server
import json
import os
import re
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DSPEX = os.environ.get("DSPEX", os.path.join(ROOT, ".build", "debug", "dspex"))
UPSTREAM = os.environ.get("DSPEX_REAL_MODEL_URL", "http://127.0.0.1:8080/v1")
PIPELINE = os.path.join(ROOT, "pipelines", "realmodel_names.yaml")
TRAIN = os.path.join(ROOT, "data", "realmodel_names_train.jsonl")
DEV = os.path.join(ROOT, "data", "realmodel_names_dev.jsonl")

CONFIGURATIONS = [
    ("`labeled` (LabeledFewShot, k = 16, the default)", ["--optimizer", "labeled"]),
    ("`labeled --max-demos 3`", ["--optimizer", "labeled", "--max-demos", "3"]),
    ("`bootstrap --max-demos 3 --max-bootstrapped-demos 2`",
     ["--optimizer", "bootstrap", "--max-demos", "3", "--max-bootstrapped-demos", "2"]),
    ("`random-search --max-demos 3 --max-bootstrapped-demos 2`",
     ["--optimizer", "random-search", "--max-demos", "3", "--max-bootstrapped-demos", "2"]),
    ("`mipro --auto light --max-demos 3 --max-bootstrapped-demos 2`",
     ["--optimizer", "mipro", "--auto", "light", "--max-demos", "3", "--max-bootstrapped-demos", "2"]),
    ("`copro --breadth 3 --depth 2` (instructions only)",
     ["--optimizer", "copro", "--breadth", "3", "--depth", "2"]),
    ("`simba --bsize 6 --num-candidates 3 --max-steps 3 --max-demos 3`",
     ["--optimizer", "simba", "--bsize", "6", "--num-candidates", "3", "--max-steps", "3", "--max-demos", "3"]),
    ("`gepa --max-metric-calls 150` (instructions only)",
     ["--optimizer", "gepa", "--max-metric-calls", "150"]),
    ("`gepa --max-metric-calls 150 --reflection-prompt gepa` (instructions only)",
     ["--optimizer", "gepa", "--max-metric-calls", "150", "--reflection-prompt", "gepa"]),
]


class Counter:
    def __init__(self):
        self.lock = threading.Lock()
        self.calls = 0

    def take(self):
        with self.lock:
            calls, self.calls = self.calls, 0
            return calls


COUNTER = Counter()


class Proxy(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        with COUNTER.lock:
            COUNTER.calls += 1
        request = urllib.request.Request(UPSTREAM + self.path.removeprefix("/v1"), data=body,
                                         headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=300) as reply:
                status, payload = reply.status, reply.read()
        except urllib.error.HTTPError as error:
            status, payload = error.code, error.read()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, *args):
        pass


def dspex(args, base_url):
    started = time.monotonic()
    output = subprocess.run([DSPEX] + args + ["--lm", "smollm2", "--base-url", base_url],
                            capture_output=True, text=True, check=True)
    return output, time.monotonic() - started


def evaluate(base_url, store, run, program=None):
    args = ["eval", PIPELINE, "--data", DEV, "--store", store, "--run", run, "--json"]
    if program:
        args += ["--program", program]
    output, _ = dspex(args, base_url)
    summary = json.loads(output.stdout)
    return summary["score"], summary["errors"], COUNTER.take()


def main():
    proxy = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Proxy)
    threading.Thread(target=proxy.serve_forever, daemon=True).start()
    base_url = f"http://127.0.0.1:{proxy.server_address[1]}/v1"
    with tempfile.TemporaryDirectory() as scratch:
        store = os.path.join(scratch, "runs.sqlite")
        score, errors, calls = evaluate(base_url, store, "zero-shot")
        print(f"zero-shot: {score:.1f}% ({errors} errors, {calls} LM calls)", file=sys.stderr)
        rows = []
        wanted = sys.argv[1:]  # optional: only configurations whose arguments include one of these words
        for index, (label, args) in enumerate(CONFIGURATIONS):
            if wanted and not any(word in args for word in wanted):
                continue
            program = os.path.join(scratch, f"program-{index}.json")
            COUNTER.take()
            _, seconds = dspex(
                ["compile", PIPELINE, "--trainset", TRAIN, "--out", program, "--store", store] + args, base_url)
            compile_calls = COUNTER.take()
            demos = len(json.load(open(program))["extract"]["demos"])
            after, after_errors, _ = evaluate(base_url, store, f"after-{index}", program)
            rows.append((label, score, after, demos, compile_calls, seconds))
            print(f"{label}: {after:.1f}% with {demos} demos; {compile_calls} calls, {seconds:.1f} s",
                  file=sys.stderr)
    print("| optimizer | dev score before | after | demos | LM calls to compile | compile time |")
    print("| --- | --- | --- | --- | --- | --- |")
    for label, before, after, demos, calls, seconds in rows:
        print(f"| {label} | {before:.1f}% | {after:.1f}% | {demos} | {calls} | {seconds:.1f} s |")
    proxy.shutdown()


if __name__ == "__main__":
    main()
