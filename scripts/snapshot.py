"""The page's Pyodide memory snapshot: made by scripts/snapshot.mjs under Node, checked before a site ships it.

The page boots from it without micropip (web/snapshot.js). Its key, the engine wheel's sha256 and the glue's,
is stored inside the snapshot and in site.json; the worker refuses a snapshot whose key differs.
"""

import hashlib
import json
import shutil
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "scripts" / "snapshot.mjs"
GLUE = ROOT / "web" / "glue.py"
GOLDEN = ROOT / "tests" / "golden"
TOLERANCE = 1e-12  # the engine reproduces the golden probabilities to this, in CPython and in Pyodide
TIMEOUT_S = 300


class SnapshotError(Exception):
    """The snapshot could not be made, or it does not restore to an engine that predicts the golden rows."""


def snapshot_key(wheel, glue=GLUE):
    """What a snapshot holds: the sha256 of the engine wheel and of the glue it imported."""
    digests = (hashlib.sha256(Path(path).read_bytes()).hexdigest() for path in (wheel, glue))
    return "wheel-{}+glue-{}".format(*digests)


def run_node(command, spec):
    """Run `node scripts/snapshot.mjs command` with spec on stdin; return the JSON it prints."""
    node = shutil.which("node")
    if node is None:
        raise SnapshotError("node is not on PATH; the snapshot needs Node 18 or later (or build with --no-snapshot)")
    try:
        result = subprocess.run([node, str(SCRIPT), command], input=json.dumps(spec), capture_output=True,
                                text=True, timeout=TIMEOUT_S, check=False)
    except subprocess.TimeoutExpired:
        raise SnapshotError(f"snapshot {command} took more than {TIMEOUT_S} s") from None
    if result.returncode != 0:
        reason = result.stderr.strip().splitlines()[-1] if result.stderr.strip() else f"exit {result.returncode}"
        raise SnapshotError(f"snapshot {command} failed: {reason}")
    return json.loads(result.stdout)


def golden_predictions(site, entry, model=GOLDEN / "iris.bin", rows=None):
    """Restore the site's snapshot in a fresh Node process and predict rows (default: the golden rows)."""
    if rows is None:
        rows = json.loads((GOLDEN / "expected.json").read_text(encoding="utf-8"))["rows"]
    spec = {"indexURL": f"{Path(site, 'pyodide').as_posix()}/", "snapshot": str(Path(site, entry["file"])),
            "entry": entry, "model": str(model), "rows": rows}
    return run_node("check", spec)["probabilities"]


def build_snapshot(site, wheel):
    """Write the snapshot for the site's runtime and wheel into site; return its site.json entry once checked."""
    spec = {"indexURL": f"{Path(site, 'pyodide').as_posix()}/", "wheel": str(wheel), "glue": str(GLUE),
            "key": snapshot_key(wheel), "out": str(site)}
    entry = run_node("make", spec)
    expected = json.loads((GOLDEN / "expected.json").read_text(encoding="utf-8"))
    got = golden_predictions(site, entry)
    for row, want, have in zip(expected["rows"], expected["probabilities"], got, strict=True):
        if len(have) != len(want) or any(abs(a - b) > TOLERANCE for a, b in zip(want, have, strict=False)):
            raise SnapshotError(f"the restored snapshot predicts {have} for {row}, the golden answer is {want}")
    return entry
