"""to_onnx: ONNX Runtime, given the same raw rows, returns what finf predicts."""

import json
import warnings

import numpy as np
import onnx
import onnxruntime
import pytest

import finf
from convert_data import ROOT, assert_agrees, finf_rows, iris, penguins, random_numbers, random_penguins
from finf_train import train
from finf_train.convert import from_sklearn, to_onnx


def session(model):
    return onnxruntime.InferenceSession(to_onnx(model), providers=["CPUExecutionProvider"])


def feeds(model, rows):
    """The graph's inputs for finf rows (mappings by name, None for missing): x with NaN, categories with ''."""
    numeric = [f.name for f in model.features if f.kind == "numeric"]
    categorical = [f.name for f in model.features if f.kind == "categorical"]
    inputs = {}
    if numeric:
        inputs["x"] = np.array([[np.nan if row[n] is None else row[n] for n in numeric] for row in rows], np.float32)
    if categorical:
        inputs["categories"] = np.array([["" if row[n] is None else row[n] for n in categorical] for row in rows],
                                        dtype=object)
    return inputs


def run(model, rows):
    out = session(model).run(None, feeds(model, rows))[0]
    return out if model.task == "classification" else out[:, 0]


def test_iris_takes_one_float_tensor():
    model = finf.load(ROOT / "tests" / "golden" / "iris.bin")
    X, _, _ = iris()
    inputs = session(model).get_inputs()
    assert [(i.name, i.type, i.shape) for i in inputs] == [("x", "tensor(float)", [None, 4])]
    rows = np.vstack([X, random_numbers(X)])
    out = session(model).run(["probabilities"], {"x": rows.astype(np.float32)})[0]
    assert_agrees(model, out, rows.tolist())


@pytest.fixture(scope="module")
def penguin_model():
    return train(ROOT / "data" / "penguins.csv", "species", missing="impute").model


def test_penguins_categories_and_missing_values(penguin_model):
    model = penguin_model
    X, _ = penguins()
    inputs = {i.name: (i.type, i.shape) for i in session(model).get_inputs()}
    assert inputs == {"x": ("tensor(float)", [None, 5]), "categories": ("tensor(string)", [None, 2])}
    rows = random_penguins(X)  # every category, a fifth of the cells missing, numbers in and out of range
    for frame in (X, rows):
        finf_input = finf_rows(model, frame)
        assert_agrees(model, run(model, finf_input), finf_input)
    missing_everywhere = [{f.name: None for f in model.features}]
    assert_agrees(model, run(model, missing_everywhere), missing_everywhere)


def test_regression_gives_the_value_in_the_target_units():
    result = train(ROOT / "data" / "diabetes.csv", "progression")
    model, X = result.model, result.dataset.X
    rows = np.vstack([X, random_numbers(X)])
    out = session(model).run(["value"], {"x": rows.astype(np.float32)})[0]
    assert out.shape == (len(rows), 1)
    assert_agrees(model, out[:, 0], rows.tolist(), result.dataset.y)


def test_a_converted_scikit_learn_pipeline_round_trips_through_onnx():
    from sklearn.compose import ColumnTransformer
    from sklearn.impute import SimpleImputer
    from sklearn.neural_network import MLPClassifier
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import OneHotEncoder, StandardScaler

    X, species = penguins()
    columns = ColumnTransformer([
        ("num", make_pipeline(SimpleImputer(), StandardScaler()), ["bill_length_mm", "flipper_length_mm"]),
        ("cat", make_pipeline(SimpleImputer(strategy="most_frequent"), OneHotEncoder(drop="first")), ["sex"])])
    pipe = make_pipeline(columns, MLPClassifier(hidden_layer_sizes=(8,), max_iter=200, random_state=0))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        pipe.fit(X, species)
    model = from_sklearn(pipe, target="species")
    rows = random_penguins(X)
    finf_input = finf_rows(model, rows)
    assert_agrees(model, run(model, finf_input), finf_input)
    assert np.max(np.abs(run(model, finf_input) - pipe.predict_proba(rows))) <= 2e-5  # two float32 steps


def test_metadata_names_features_classes_and_target(penguin_model):
    props = {p.key: p.value for p in onnx.load_from_string(to_onnx(penguin_model)).metadata_props}
    features = json.loads(props["finf:features"])
    assert [f["name"] for f in features] == [f.name for f in penguin_model.features]
    assert features[0] == {"name": "island", "kind": "categorical", "categories": ["Biscoe", "Dream", "Torgersen"],
                           "fill": penguin_model.features[0].fill}
    assert json.loads(props["finf:classes"]) == ["Adelie", "Chinstrap", "Gentoo"]
    assert props["finf:target"] == "species" and props["finf:task"] == "classification"


def test_what_finf_refuses_the_graph_does_not_check():
    # documented: a missing value without a fill gives NaN; an unknown category encodes as none of them
    model = finf.Model([finf.NumericFeature("a", 1.0, 2.0), finf.CategoricalFeature("b", ["p", "q"])],
                       [finf.Linear(3, 2, [[1.0, 2.0, 3.0], [0.5, -1.0, 0.0]], [0.0, 0.1]), finf.Softmax()],
                       finf.Classification("t", ["u", "v"]))
    out = session(model).run(None, {"x": np.float32([[np.nan], [3.0]]), "categories": np.array([["p"], ["zzz"]],
                                                                                                 dtype=object)})[0]
    assert np.isnan(out[0]).all()
    logits = np.array([1.0 * 1.0, 0.5 * 1.0 + 0.1])  # z = (3 - 1) / 2 = 1, no category
    assert out[1] == pytest.approx(np.exp(logits) / np.exp(logits).sum(), abs=1e-6)
