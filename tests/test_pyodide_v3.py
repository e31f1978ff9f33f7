"""FINF v3 in real Pyodide: categories, fill values and a regressor predict exactly as in CPython."""

import csv
import json
from pathlib import Path

import pytest

import finf
from pyodide_harness import run_in_pyodide

ROOT = Path(__file__).resolve().parent.parent
PENGUINS = ROOT / "data" / "penguins.csv"
SMALL = ROOT / "tests" / "golden" / "penguins-small.bin"

pytestmark = pytest.mark.pyodide

PYODIDE_CODE = """
import json
import finf
spec = json.load(open("spec.json"))
out = {}
for name, rows in spec["rows"].items():
    model = finf.load(open(name, "rb").read())
    predict = model.predict if model.task == "regression" else model.predict_proba
    out[name] = {"task": model.task, "features": [f.name for f in model.features],
                 "predictions": [predict(row) for row in rows],
                 "by_name": predict(dict(zip([f.name for f in model.features], rows[0])))}
    errors = []
    for bad in spec["bad"][name]:
        try:
            predict(bad)
        except ValueError as error:
            errors.append(str(error))
    out[name]["errors"] = errors
print(json.dumps(out))
"""


def cell(text, kind):
    if text.strip().upper() in ("NA", ""):
        return None
    return float(text) if kind == "numeric" else text


def penguin_rows(model):
    with PENGUINS.open(newline="") as f:
        records = list(csv.DictReader(f))
    return [[cell(r[feature.name], feature.kind) for feature in model.features] for r in records]


@pytest.fixture(scope="module")
def models():
    """The golden small v3 classifier and a v3 regressor trained here, as {file name: bytes}."""
    from finf_train import train

    regressor = train(ROOT / "data" / "diabetes.csv", "progression").model_bytes
    return {"small.bin": SMALL.read_bytes(), "regressor.bin": regressor}


@pytest.fixture(scope="module")
def rows(models):
    small = finf.load(models["small.bin"])
    with (ROOT / "data" / "diabetes.csv").open(newline="") as f:
        diabetes = [[float(v) for v in r[:10]] for r in list(csv.reader(f))[1:]]
    diabetes[0][2] = None  # not trained to fill: refused, in bad below
    return {"small.bin": penguin_rows(small), "regressor.bin": diabetes[1:]}


BAD = {
    "small.bin": [["Atlantis", 40.0, "male"], ["Dream", "40", "male"], ["Dream", 40.0]],
    "regressor.bin": [[59.0, 2.0, None, 101.0, 157.0, 93.2, 38.0, 4.0, 4.8598, 87.0]],
}


@pytest.fixture(scope="module")
def pyodide_result(models, rows):
    files = dict(models, **{"spec.json": json.dumps({"rows": rows, "bad": BAD}).encode()})
    return json.loads(run_in_pyodide(PYODIDE_CODE, files))


@pytest.mark.parametrize("name", ["small.bin", "regressor.bin"])
def test_v3_predictions_are_bit_identical_to_cpython(models, rows, pyodide_result, name):
    model = finf.load(models[name])
    predict = model.predict if model.task == "regression" else model.predict_proba
    got = pyodide_result[name]
    assert got["task"] == model.task and got["features"] == [f.name for f in model.features]
    assert got["predictions"] == [predict(row) for row in rows[name]]  # JSON floats round-trip: every bit
    assert got["by_name"] == predict(rows[name][0])
    assert len({json.dumps(p) for p in got["predictions"]}) > 10


def test_missing_values_and_categories_were_exercised(rows):
    small = rows["small.bin"]
    assert any(None in row for row in small)
    assert {row[0] for row in small} == {"Biscoe", "Dream", "Torgersen"}


@pytest.mark.parametrize("name", ["small.bin", "regressor.bin"])
def test_bad_rows_give_the_same_messages(models, pyodide_result, name):
    model = finf.load(models[name])
    predict = model.predict if model.task == "regression" else model.predict_proba
    expected = []
    for bad in BAD[name]:
        with pytest.raises(ValueError) as info:
            predict(bad)
        expected.append(str(info.value))
    assert pyodide_result[name]["errors"] == expected
