#!/usr/bin/env bash
# Command 1: install gradio-codegen and run the main job end to end on the bundled
# demo app (no internet needed once packages are installed).
set -euo pipefail
cd "$(dirname "$0")/.."
PY="${PYTHON:-python3}"
[ -x .venv/bin/python ] || "$PY" -m venv .venv
.venv/bin/python -m pip install --quiet --disable-pip-version-check -e ./runtime -e . 2>&1 | grep -v '^WARNING: Location' || true
.venv/bin/python tests/servers/envs.py 6.31.0 2>&1 | grep -v '^WARNING: Location' || true
exec .venv/bin/python demo/run.py
