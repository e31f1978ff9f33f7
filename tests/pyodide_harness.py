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
PYODIDE_DIR = ROOT / "web" / "node_modules" / "pyodide"
RUNNER = Path(__file__).resolve().parent / "pyodide_run.mjs"
MICROPIP_VERSION = "0.11.1"
MICROPIP_CACHE = ROOT / "build" / "micropip"


class PyodideError(RuntimeError):
    """The snippet raised, or Node/Pyodide failed; the message holds Node's stderr."""


def build_engine_wheel(out_dir) -> Path:
    """Build the finf wheel from this checkout into out_dir and return its path."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    result = subprocess.run(
        [sys.executable, "-m", "build", "--wheel", "--outdir", str(out_dir), str(ROOT)],
        capture_output=True, text=True, check=False,
    )
    wheels = sorted(out_dir.glob("finf-*.whl"))
    if result.returncode != 0 or len(wheels) != 1:
        raise RuntimeError(f"building the finf wheel failed:\n{result.stdout}\n{result.stderr}")
    return wheels[0]


@functools.cache
def engine_wheel() -> Path:
    """The finf wheel built once per process from this checkout (removed at exit)."""
    out_dir = Path(tempfile.mkdtemp(prefix="finf-wheel-"))
    atexit.register(shutil.rmtree, out_dir, ignore_errors=True)
    return build_engine_wheel(out_dir)


@functools.cache
def micropip_wheel() -> Path:
    """The micropip wheel, downloaded once with pip into build/micropip."""
    name = f"micropip-{MICROPIP_VERSION}-py3-none-any.whl"
    if not (MICROPIP_CACHE / name).exists():
        with tempfile.TemporaryDirectory() as tmp:
            subprocess.run(
                [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--only-binary=:all:",
                 "--python-version", "3.14", f"micropip=={MICROPIP_VERSION}", "-d", tmp],
                check=True,
            )
            MICROPIP_CACHE.mkdir(parents=True, exist_ok=True)
            # Rename into place so a parallel run never sees half a file.
            shutil.move(Path(tmp) / name, MICROPIP_CACHE / f"{name}.part")
            (MICROPIP_CACHE / f"{name}.part").replace(MICROPIP_CACHE / name)
    return MICROPIP_CACHE / name


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
