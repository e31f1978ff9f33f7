#!/usr/bin/env bash
# Installs what the demo and the tests need, into the repo: .venv (Python) and
# web/node_modules (the Pyodide runtime). Safe to run again: it only redoes
# what changed. Usage: scripts/setup.sh [EXTRA ...]   (pip extras, e.g. bench)
set -euo pipefail
cd "$(dirname "$0")/.."

python=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
    echo "setup: creating .venv with $($python --version)"
    "$python" -m venv .venv
fi

extras="train,dev${1:+,$(IFS=,; echo "$*")}"
stamp=".venv/.finf-installed"
want="$extras $(sha256sum pyproject.toml | cut -c1-16)"
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
    echo "setup: pip install -e .[$extras]"
    .venv/bin/python -m pip install --quiet --upgrade pip
    .venv/bin/python -m pip install --quiet -e ".[$extras]"
    echo "$want" > "$stamp"
fi

lock_hash=$(sha256sum web/package-lock.json | cut -c1-16)
if [ "$(cat web/node_modules/.finf-installed 2>/dev/null)" != "$lock_hash" ]; then
    echo "setup: npm ci (web/package-lock.json)"
    npm ci --prefix web --no-audit --no-fund --silent
    echo "$lock_hash" > web/node_modules/.finf-installed
fi
