#!/usr/bin/env bash
# Command 2: install everything the test suite needs (the runtime and the project, test
# tools, the Gradio server environments, old versions included) and run the whole suite.
set -euo pipefail
cd "$(dirname "$0")/.."
PY="${PYTHON:-python3}"
[ -x .venv/bin/python ] || "$PY" -m venv .venv
.venv/bin/python -m pip install --quiet --disable-pip-version-check -e ./runtime -e '.[test]' 2>&1 | grep -v '^WARNING: Location' || true
.venv/bin/python tests/servers/envs.py 2>&1 | grep -v '^WARNING: Location' || true
exec .venv/bin/python -m pytest "$@"
