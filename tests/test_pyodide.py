"""The built wheel, installed by micropip in real Pyodide, predicts exactly as CPython does."""

import csv
import json
import random
import statistics
import zipfile
from pathlib import Path

import pytest

import finf
from finf.format import format_number
from pyodide_harness import run_in_pyodide

ROOT = Path(__file__).resolve().parent.parent
IRIS_CSV = ROOT / "data" / "iris.csv"
GOLDEN_MODEL = ROOT / "tests" / "golden" / "iris.bin"

pytestmark = pytest.mark.pyodide

# Runs inside Pyodide: the same CSV parsing as iris_rows() below, then the installed engine.
PYODIDE_CODE = """
import csv, json, sys
import finf
with open("iris.csv", newline="") as f:
    rows = [[float(v) for v in r[:4]] for r in list(csv.reader(f))[1:]]
model = finf.load(open("model.bin", "rb").read())
print(json.dumps({
    "proba": model.predict_proba_batch(rows),
    "numpy_imported": "numpy" in sys.modules,
    "finf_file": finf.__file__,
    "python": list(sys.version_info[:2]),
}))
"""


def iris_rows():
    with IRIS_CSV.open(newline="") as f:
        return [[float(v) for v in r[:4]] for r in list(csv.reader(f))[1:]]


def random_model(rows, seed=0):
    """A 4-8-3 model with fixed random weights, for when no trained golden model exists."""
    rng = random.Random(seed)
    columns = list(zip(*rows, strict=True))
    mean = [float(format_number(statistics.fmean(c))) for c in columns]
    std = [float(format_number(statistics.pstdev(c))) for c in columns]

    def linear(n_in, n_out):
        weight = [[rng.uniform(-2, 2) for _ in range(n_in)] for _ in range(n_out)]
        return finf.Linear(n_in, n_out, weight, [rng.uniform(-1, 1) for _ in range(n_out)])

    layers = [linear(4, 8), finf.ReLU(), linear(8, 3), finf.Softmax()]
    return finf.load(finf.dumps(finf.Model(finf.Normalizer(mean, std), layers)))


@pytest.fixture(scope="module")
def model_bytes():
    if GOLDEN_MODEL.exists():
        return GOLDEN_MODEL.read_bytes()
    return finf.dumps(random_model(iris_rows()))


@pytest.fixture(scope="module")
def pyodide_result(engine_wheel, model_bytes):
    files = {"iris.csv": IRIS_CSV.read_bytes(), "model.bin": model_bytes}
    return json.loads(run_in_pyodide(PYODIDE_CODE, files, wheel=engine_wheel))


def test_all_iris_rows_give_exactly_the_cpython_probabilities(pyodide_result, model_bytes):
    rows = iris_rows()
    assert len(rows) == 150
    expected = finf.load(model_bytes).predict_proba_batch(rows)
    assert len(pyodide_result["proba"]) == 150
    # JSON floats round-trip exactly, so == compares every bit of every probability.
    assert pyodide_result["proba"] == expected


def test_predictions_are_not_degenerate(pyodide_result):
    # Guards the comparison above against a model that outputs one constant vector.
    assert len({tuple(p) for p in pyodide_result["proba"]}) > 100


def test_runs_the_micropip_installed_wheel_on_pyodide_python(pyodide_result):
    assert pyodide_result["finf_file"].startswith("/lib/python3.")
    assert "site-packages/finf/" in pyodide_result["finf_file"]
    assert pyodide_result["python"][0] == 3 and pyodide_result["python"][1] >= 12


def test_numpy_is_never_imported(pyodide_result):
    assert pyodide_result["numpy_imported"] is False


def test_wheel_is_pure_python_with_no_dependencies(engine_wheel):
    assert engine_wheel.name.endswith("-py3-none-any.whl")
    with zipfile.ZipFile(engine_wheel) as wheel:
        names = wheel.namelist()
        info = next(n for n in names if n.endswith(".dist-info/WHEEL"))
        metadata = next(n for n in names if n.endswith(".dist-info/METADATA"))
        assert "Tag: py3-none-any" in wheel.read(info).decode()
        requires = [line for line in wheel.read(metadata).decode().splitlines() if line.startswith("Requires-Dist:")]
    assert "finf/format.py" in names
    # The page's wheel is the engine alone: no trainer, nothing that imports numpy, nothing to install with it.
    assert requires == []
    packages = {name.split("/")[0] for name in names if not name.startswith("finf-")}
    assert packages == {"finf"}
    with zipfile.ZipFile(engine_wheel) as wheel:
        sources = [wheel.read(name).decode() for name in names if name.endswith(".py")]
    assert not any("numpy" in source for source in sources)
