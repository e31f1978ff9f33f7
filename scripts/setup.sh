#!/usr/bin/env bash
# Installs finf with the pip extras asked for, into the repo: .venv (Python) and
# web/node_modules (the Pyodide runtime). `train` is always installed: it is
# all the demo needs; scripts/test adds `dev bench`. Safe to run again: it only
# redoes what changed. --dry-run prints the pip install a fresh checkout would
# run, and changes nothing.
# Usage: scripts/setup.sh [--dry-run] [EXTRA ...]   (pip extras, e.g. dev bench)
set -euo pipefail
cd "$(dirname "$0")/.."

dry_run=""
if [ "${1:-}" = "--dry-run" ]; then
    dry_run=1
    shift
fi
extras="train $*"

python=${PYTHON:-python3}
if ! "$python" -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
    echo "setup: finf needs Python 3.11 or newer; set PYTHON=/path/to/python3.11" >&2
    exit 1
fi
if [ ! -x .venv/bin/python ] && [ -z "$dry_run" ]; then
    echo "setup: creating .venv with $($python --version)"
    "$python" -m venv .venv
fi

# The stamp holds pyproject.toml's hash and the extras installed with it, one per line; a run
# that asks for no extra beyond those (e.g. the demo after the tests) installs nothing.
stamp=".venv/.finf-installed"
project=$(sha256sum pyproject.toml | cut -c1-16)
installed=$(cat "$stamp" 2>/dev/null || true)
[ "$(head -n 1 <<<"$installed")" = "$project" ] && [ -z "$dry_run" ] || installed=""
missing=""
for extra in $extras; do
    grep -qx "$extra" <<<"$installed" || missing="$missing $extra"
done
if [ -n "$missing" ]; then
    all=$( (tail -n +2 <<<"$installed"; tr ' ' '\n' <<<"$extras") | grep . | sort -u | paste -sd, -)
    echo "setup: pip install -e .[$all]"
    [ -z "$dry_run" ] || exit 0
    # The machine's pip.conf may list local indexes that are absent; their warnings are noise.
    .venv/bin/python -m pip install --quiet -e ".[$all]" 2> >(grep -v "is ignored: it is neither" >&2)
    { echo "$project"; tr ',' '\n' <<<"$all"; } > "$stamp"
fi

lock_hash=$(sha256sum web/package-lock.json | cut -c1-16)
if [ "$(cat web/node_modules/.finf-installed 2>/dev/null)" != "$lock_hash" ]; then
    echo "setup: npm ci (web/package-lock.json)"
    npm ci --prefix web --no-audit --no-fund --silent
    echo "$lock_hash" > web/node_modules/.finf-installed
fi
