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


def load(tmp_path, data, name="model.bin"):
    path = tmp_path / name
    path.write_bytes(data)
    return json.loads(glue.load_model(str(path), name))


def regressor():
    """A small v3 regressor: a category with a fill, a number; prediction = output * 10 + 100."""
    features = [finf.CategoricalFeature("colour", ["red", "green"], fill="green"), finf.NumericFeature("size", 5, 2)]
    layers = [finf.Linear(3, 1, [[0.5, -0.25, 1.5]], [0.125])]
    return finf.Model(features, layers, finf.Regression("weight (kg)", 100, 10))


def test_load_model_reports_the_task_and_shape(golden_loaded, tmp_path):
    assert golden_loaded == {"task": "classification", "n_features": 4, "n_outputs": 3, "categories": [None] * 4,
                             "kinds": ["numeric"] * 4, "explainable": False}
    assert load(tmp_path, finf.dumps(regressor())) == {"task": "regression", "n_features": 2, "n_outputs": 1,
                                                       "categories": [["red", "green"], None],
                                                       "kinds": ["categorical", "numeric"], "explainable": False}


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


def test_predict_takes_category_names_and_null_for_missing(tmp_path):
    """A row as the page sends it: numbers, category names, null where the model fills the value."""
    data = (GOLDEN / "penguins-small.bin").read_bytes()
    assert load(tmp_path, data) == {"task": "classification", "n_features": 3, "n_outputs": 3,
                                    "categories": [["Biscoe", "Dream", "Torgersen"], None, ["female", "male"]],
                                    "kinds": ["categorical", "numeric", "categorical"], "explainable": False}
    model = finf.load(data)
    rows = [["Dream", 40.5, "female"], [None, 40.5, "male"], ["Torgersen", None, None], ["Biscoe", 59.75, "male"]]
    for row in rows:
        assert json.loads(glue.predict(json.dumps(row))) == {"probabilities": model.predict_proba(row)}
    # None is the fill: the same answer as the fill value given by name.
    filled = json.loads(glue.predict(json.dumps(["Biscoe", 40.5, "male"])))
    assert json.loads(glue.predict(json.dumps([None, 40.5, "male"]))) == filled
    answer = json.loads(glue.predict(json.dumps(["Atlantis", 40.5, "male"])))
    assert answer["error"].startswith("the engine refused the input: ") and "Atlantis" in answer["error"]


def test_predict_gives_a_regressor_value(tmp_path):
    model = regressor()
    load(tmp_path, finf.dumps(model))
    for row in (["red", 5.0], ["green", 9.5], [None, 1]):
        answer = json.loads(glue.predict(json.dumps(row)))
        assert answer == {"value": model.predict(row)}
    # By hand: one-hot red (1, 0) and size (9 - 5) / 2 = 2 -> 0.5 + 3.0 + 0.125 = 3.625 -> 136.25.
    assert json.loads(glue.predict(json.dumps(["red", 9]))) == {"value": 136.25}


def test_reseed_sets_the_random_state():
    glue.reseed("00ff" * 8)
    first = random.random()
    glue.reseed("00ff" * 8)
    assert random.random() == first
    glue.reseed("01ff" * 8)
    assert random.random() != first


def test_predict_text_gives_probabilities_and_each_word_in_utf16_units(tmp_path):
    import hostile_v3

    loaded = load(tmp_path, hostile_v3.VALID_TEXT)
    assert (loaded["kinds"], loaded["explainable"], loaded["categories"]) == (["text"], True, [None])
    model = finf.load(hostile_v3.VALID_TEXT)
    text = "😀 WIN money, don’t wait"  # the emoji is 2 UTF-16 units in JavaScript, 1 code point in Python
    answer = json.loads(glue.predict_text(json.dumps(text)))
    assert answer["probabilities"] == model.predict_proba(text)
    starts = [start for start, _, _ in answer["words"]]
    assert starts == [3, 7, 14, 20]  # "WIN" after "😀 ", counted as JavaScript counts
    best = model.predict(text)
    assert [push for _, _, push in answer["words"]] == [s[best] - s[1 - best] for _, s in model.explain(text)]
    assert json.loads(glue.predict_text(json.dumps(5)))["error"].startswith("the engine refused the input:")


def test_self_check_passes_the_golden_cards_test_vectors(golden_loaded):
    vectors = json.loads((GOLDEN / "iris.json").read_text(encoding="utf-8"))["test_vectors"]
    report = json.loads(glue.self_check(json.dumps(vectors)))
    assert report["ok"] and report["count"] == 5
    assert 0 <= report["largest"] <= report["tolerance"] == glue.SELF_CHECK_TOLERANCE


def test_self_check_finds_a_tampered_vector_and_says_by_how_much(golden_loaded):
    vectors = json.loads((GOLDEN / "iris.json").read_text(encoding="utf-8"))["test_vectors"]
    vectors["probabilities"][2][1] -= 1e-6
    report = json.loads(glue.self_check(json.dumps(vectors)))
    assert not report["ok"] and report["largest"] == pytest.approx(1e-6, rel=1e-6)
    vectors["rows"][0] = ["a", 1, 2, 3]
    assert "could not be run" in json.loads(glue.self_check(json.dumps(vectors)))["error"]


def test_self_check_of_a_regressor_is_relative_to_the_value(tmp_path):
    load(tmp_path, finf.dumps(regressor()))
    rows = [["red", 5.0], [None, 7.0]]
    values = [glue.model.predict(row) for row in rows]
    assert json.loads(glue.self_check(json.dumps({"rows": rows, "values": values})))["largest"] == 0
    nudged = [values[0] * (1 + 2e-9), values[1]]
    assert not json.loads(glue.self_check(json.dumps({"rows": rows, "values": nudged})))["ok"]


def test_predict_batch_gives_each_rows_answer(golden_loaded):
    rows = [[5.1, 3.5, 1.4, 0.2], [6.3, 3.3, 6.0, 2.5]]
    model = finf.load((GOLDEN / "iris.bin").read_bytes())
    assert json.loads(glue.predict_batch(json.dumps(rows))) == {"probabilities": model.predict_proba_batch(rows)}
    assert "refused" in json.loads(glue.predict_batch(json.dumps([[1, 2, 3]])))["error"]


def test_a_language_model_writes_through_the_glue(tmp_path):
    import hostile_lm

    model = finf.load(hostile_lm.VALID_GPT)
    assert load(tmp_path, hostile_lm.VALID_GPT) == {"task": "generation", "kind": "gpt", "vocab": "ab\n",
                                                    "block_size": 2}
    request = {"prompt": "ab", "length": 7, "temperature": 0.8, "top_k": None, "seed": 4}
    assert json.loads(glue.start_generation(json.dumps(request))) == {}
    steps = [json.loads(glue.next_text(1)) for _ in range(8)]
    assert "".join(step["text"] for step in steps) == "".join(model.generate("ab", 7, 0.8, None, 4))
    assert [step["done"] for step in steps] == [False] * 7 + [True]
    refused = json.loads(glue.start_generation(json.dumps({**request, "prompt": "abc"})))
    assert refused["error"].startswith("the model cannot continue this prompt: ") and "'c'" in refused["error"]
