#!/usr/bin/env bash
# Installs what the demo and the tests need, into the repo: .venv (Python) and
# web/node_modules (the Pyodide runtime). Safe to run again: it only redoes
# what changed. Usage: scripts/setup.sh [EXTRA ...]   (pip extras, e.g. bench)
set -euo pipefail
cd "$(dirname "$0")/.."

python=${PYTHON:-python3}
if ! "$python" -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
    echo "setup: finf needs Python 3.11 or newer; set PYTHON=/path/to/python3.11" >&2
    exit 1
fi
if [ ! -x .venv/bin/python ]; then
    echo "setup: creating .venv with $($python --version)"
    "$python" -m venv .venv
fi

extras="train,dev${1:+,$(IFS=,; echo "$*")}"
stamp=".venv/.finf-installed"
want="$extras $(sha256sum pyproject.toml | cut -c1-16)"
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
    echo "setup: pip install -e .[$extras]"
    # The machine's pip.conf may list local indexes that are absent; their warnings are noise.
    .venv/bin/python -m pip install --quiet -e ".[$extras]" 2> >(grep -v "is ignored: it is neither" >&2)
    echo "$want" > "$stamp"
fi

lock_hash=$(sha256sum web/package-lock.json | cut -c1-16)
if [ "$(cat web/node_modules/.finf-installed 2>/dev/null)" != "$lock_hash" ]; then
    echo "setup: npm ci (web/package-lock.json)"
    npm ci --prefix web --no-audit --no-fund --silent
    echo "$lock_hash" > web/node_modules/.finf-installed
fi
