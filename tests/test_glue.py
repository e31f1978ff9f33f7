"""web/glue.py, the worker's Python side, in CPython: the same functions the page calls in Pyodide."""

import json
import random
import sys
from pathlib import Path

import pytest

import finf

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = Path(__file__).resolve().parent / "golden"
sys.path.insert(0, str(ROOT / "web"))
import glue  # noqa: E402 - web/ is not a package


@pytest.fixture
def golden_loaded(tmp_path):
    path = tmp_path / "model.bin"
    path.write_bytes((GOLDEN / "iris.bin").read_bytes())
    return json.loads(glue.load_model(str(path), "iris.bin"))


def test_load_model_reports_the_model_shape(golden_loaded):
    assert golden_loaded == {"n_features": 4, "n_outputs": 3}


def test_load_model_names_the_file_it_refuses(tmp_path):
    path = tmp_path / "model.bin"
    path.write_bytes(b"X" + (GOLDEN / "iris.bin").read_bytes()[1:])
    answer = json.loads(glue.load_model(str(path), "iris.bin"))
    assert answer["error"].startswith("iris.bin is not a valid finf model: ")


def test_predict_gives_the_engine_probabilities(golden_loaded):
    expected = json.loads((GOLDEN / "expected.json").read_text(encoding="utf-8"))
    model = finf.load(GOLDEN / "iris.bin")
    for row in expected["rows"]:
        assert json.loads(glue.predict(json.dumps(row))) == {"probabilities": model.predict_proba(row)}


def test_predict_passes_on_the_engine_refusal(golden_loaded):
    answer = json.loads(glue.predict(json.dumps([1.0, 2.0])))
    assert answer["error"].startswith("the engine refused the input: ")


def test_reseed_sets_the_random_state():
    glue.reseed("00ff" * 8)
    first = random.random()
    glue.reseed("00ff" * 8)
    assert random.random() == first
    glue.reseed("01ff" * 8)
    assert random.random() != first
