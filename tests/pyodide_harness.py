"""Run Python snippets in real Pyodide under Node, with the engine wheel built from this checkout."""

import atexit
import base64
import functools
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))
import build_site  # noqa: E402 - scripts/ is not a package

PYODIDE_DIR = ROOT / "web" / "node_modules" / "pyodide"
RUNNER = Path(__file__).resolve().parent / "pyodide_run.mjs"


class PyodideError(RuntimeError):
    """The snippet raised, or Node/Pyodide failed; the message holds Node's stderr."""


@functools.cache
def engine_wheel() -> Path:
    """The wheel the page installs, built once per process from this checkout (removed at exit)."""
    out_dir = Path(tempfile.mkdtemp(prefix="finf-wheel-"))
    atexit.register(shutil.rmtree, out_dir, ignore_errors=True)
    return build_site.build_engine_wheel(out_dir)


@functools.cache
def micropip_wheel() -> Path:
    """The micropip wheel the site ships, downloaded once with pip into build/micropip."""
    return build_site.micropip_wheel()


def run_in_pyodide(code: str, files: dict[str, bytes] | None = None, *, wheel=None, timeout: float = 300) -> str:
    """Run code in a fresh Pyodide (one Node boot) with finf installed by micropip; return what it printed.

    code runs with top-level await allowed. files maps paths (absolute, or relative to Pyodide's working
    directory /home/pyodide) to bytes written into Pyodide's file system first. wheel defaults to the
    wheel built from this checkout. To get data back, print json.dumps(...) and json.loads the result.
    Raises PyodideError, with Node's stderr, if the snippet raises or Node fails or times out.
    """
    node = shutil.which("node")
    if node is None:
        raise PyodideError("node is not on PATH; Pyodide tests need Node 18 or later")
    if not (PYODIDE_DIR / "pyodide.mjs").exists():
        raise PyodideError(f"{PYODIDE_DIR} is missing; run scripts/setup.sh (npm ci --prefix web)")
    spec = {
        "indexURL": PYODIDE_DIR.as_posix() + "/",
        "micropip": str(micropip_wheel()),
        "wheel": str(wheel or engine_wheel()),
        "code": code,
        "files": {path: base64.b64encode(data).decode("ascii") for path, data in (files or {}).items()},
    }
    try:
        result = subprocess.run(
            [node, str(RUNNER)], input=json.dumps(spec), capture_output=True, text=True, timeout=timeout, check=False,
        )
    except subprocess.TimeoutExpired as error:
        raise PyodideError(f"Pyodide run timed out after {timeout} s; stderr:\n{error.stderr}") from None
    if result.returncode != 0:
        raise PyodideError(f"Pyodide run failed (exit {result.returncode}); stderr:\n{result.stderr}")
    return result.stdout
