"""The self-check in real Pyodide: web/glue.py runs the golden cards' test vectors through the installed engine,
as the page does at load, and agrees with the trainer as CPython does (tests/test_glue.py)."""

import json
import sys
from pathlib import Path

import pytest

from pyodide_harness import run_in_pyodide

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = ROOT / "tests" / "golden"
sys.path.insert(0, str(ROOT / "web"))
import glue  # noqa: E402 - web/ is not a package

pytestmark = pytest.mark.pyodide

CODE = """
import json, sys
sys.path.insert(0, ".")
import glue
reports = {}
for name in ("iris", "penguins-small"):
    glue.load_model(f"{name}.bin", f"{name}.bin")
    vectors = json.load(open(f"{name}.json"))["test_vectors"]
    reports[name] = json.loads(glue.self_check(json.dumps(vectors)))
print(json.dumps({"python": list(sys.version_info[:2]), "reports": reports}))
"""


def test_the_golden_cards_vectors_pass_in_pyodide_as_in_cpython(engine_wheel, tmp_path):
    names = ("iris", "penguins-small")
    files = {"glue.py": (ROOT / "web" / "glue.py").read_bytes()}
    for name in names:
        files[f"{name}.bin"] = (GOLDEN / f"{name}.bin").read_bytes()
        files[f"{name}.json"] = (GOLDEN / f"{name}.json").read_bytes()
    result = json.loads(run_in_pyodide(CODE, files, wheel=engine_wheel))
    assert result["python"] >= [3, 12]  # Pyodide's Python, not the host's
    for name in names:
        path = tmp_path / f"{name}.bin"
        path.write_bytes(files[f"{name}.bin"])
        glue.load_model(str(path), path.name)
        vectors = json.loads(files[f"{name}.json"])["test_vectors"]
        host = json.loads(glue.self_check(json.dumps(vectors)))
        report = result["reports"][name]
        assert report["ok"] and report["count"] == host["count"] == 5, report
        assert report["largest"] <= glue.SELF_CHECK_TOLERANCE
