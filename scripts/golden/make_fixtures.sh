#!/usr/bin/env bash
# Regenerate the DSPy golden fixtures in Tests/DSPExTests/Fixtures/golden/.
#
# Creates a throwaway venv, installs dspy==3.4.1 (transitive versions pinned by
# scripts/golden/constraints.txt so error texts / schemas stay byte-identical),
# and runs make_fixtures.py. Needs only PyPI access; no LM, no API keys.
#
#   scripts/golden/make_fixtures.sh
#
# Env: PYTHON (default python3; fixtures record "python": "3.11" in saved-program
#      metadata, so use 3.11 to reproduce byte-for-byte), GOLDEN_VENV (venv dir),
#      GOLDEN_NO_CONSTRAINTS=1 to skip the constraints file, GOLDEN_KEEP_VENV=1
#      to reuse an existing venv.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
PYTHON="${PYTHON:-python3}"
VENV="${GOLDEN_VENV:-${TMPDIR:-/tmp}/dspex-golden-venv}"

if [[ "${GOLDEN_KEEP_VENV:-0}" != "1" || ! -x "$VENV/bin/python" ]]; then
  rm -rf "$VENV"
  "$PYTHON" -m venv "$VENV"
  CONSTRAINTS=()
  if [[ "${GOLDEN_NO_CONSTRAINTS:-0}" != "1" ]]; then
    CONSTRAINTS=(-c "$ROOT/scripts/golden/constraints.txt")
  fi
  "$VENV/bin/pip" install --quiet --disable-pip-version-check "dspy==3.4.1" "${CONSTRAINTS[@]}"
fi

cd "$ROOT"
"$VENV/bin/python" "$ROOT/scripts/golden/make_fixtures.py"
