"""`finf convert` and the cards of converted models: a pickled pipeline to FINF and its card, FINF to ONNX."""

import json
import subprocess
import sys
import warnings
from pathlib import Path

import joblib
import numpy as np
import onnxruntime
import pytest
from sklearn.compose import ColumnTransformer
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LinearRegression, LogisticRegression
from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

import finf
from conftest import build_site
from convert_data import PENGUIN_CATEGORIES, PENGUIN_NUMBERS, ROOT, diabetes, finf_rows, iris, penguins
from finf_train import card as model_card
from finf_train.convert import from_sklearn, save

FINF = Path(sys.prefix) / "bin" / "finf"
PENGUINS = ROOT / "data" / "penguins.csv"
WARNING = ("is not a FINF file, so it is read as a pickle, and loading a pickle runs any code it holds: convert only "
           "files you trust")


def finf_cli(*args):
    return subprocess.run([str(FINF), *map(str, args)], capture_output=True, text=True, timeout=120)


def penguin_pipeline():
    X, species = penguins()
    columns = ColumnTransformer([
        ("num", make_pipeline(SimpleImputer(), StandardScaler()), PENGUIN_NUMBERS + ["year"]),
        ("cat", make_pipeline(SimpleImputer(strategy="most_frequent"), OneHotEncoder()), PENGUIN_CATEGORIES)])
    pipe = make_pipeline(columns, MLPClassifier(hidden_layer_sizes=(16,), max_iter=300, random_state=0))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return pipe.fit(X, species), X


@pytest.fixture(scope="module")
def pickled(tmp_path_factory):
    pipe, X = penguin_pipeline()
    path = tmp_path_factory.mktemp("pickle") / "penguins.pkl"
    joblib.dump(pipe, path)
    return path, pipe, X


@pytest.fixture(scope="module")
def converted(pickled, tmp_path_factory):
    """(the FINF file, the finf convert run) of the pickled pipeline, with the penguins data for its card."""
    out = tmp_path_factory.mktemp("converted") / "penguins.bin"
    return out, finf_cli("convert", pickled[0], "--out", out, "--data", PENGUINS, "--target", "species")


def test_convert_a_pickle_with_data_for_its_card(pickled, converted):
    path, pipe, X = pickled
    out, result = converted
    tmp_path = out.parent
    assert result.returncode == 0, result.stderr
    assert result.stderr == f"finf convert: warning: {path} {WARNING}\n"  # said before anything is loaded
    assert result.stdout.splitlines() == [
        f"converted: {path}: scikit-learn Pipeline (columntransformer: ColumnTransformer, mlpclassifier: "
        "MLPClassifier)",
        "model: 7 features (2 categorical), Linear(10, 16) ReLU Linear(16, 3) Softmax, 227 parameters",
        f"card: feature ranges from {PENGUINS}; accuracy on its 344 rows "
        f"{np.mean(pipe.predict(X) == penguins()[1]):.1%}",
        f"wrote {out} ({out.stat().st_size} bytes) and {tmp_path / 'penguins.json'}",
    ]
    model = finf.load(out)
    card = json.loads((tmp_path / "penguins.json").read_text())
    assert model_card.check(card, model, out.read_bytes()) is None  # what finf predict and build_site.py check
    assert card["target"] == "species" and card["classes"] == ["Adelie", "Chinstrap", "Gentoo"]
    bill = card["features"][1]
    assert bill["name"] == "bill_length_mm"  # the data's range, 32.1 to 59.6, snapped outward to whole steps
    assert bill["min"] <= 32.1 < bill["min"] + bill["step"] and bill["max"] - bill["step"] < 59.6 <= bill["max"]
    assert card["features"][0]["default"] == "Biscoe"  # the most frequent island in the data
    assert card["training"] == {"converted_from": "scikit-learn Pipeline (columntransformer: ColumnTransformer, "
                                                  "mlpclassifier: MLPClassifier)"}
    # the file predicts what the pipeline does, through the CLI too
    predicted = finf_cli("predict", out, "Dream", 45.2, "NA", 190, 3600, "female", 2008, "--json")
    expected = pipe.predict_proba(X.iloc[[0]].assign(island="Dream", bill_length_mm=45.2, bill_depth_mm=np.nan,
                                                     flipper_length_mm=190, body_mass_g=3600, sex="female",
                                                     year=2008))[0]
    assert json.loads(predicted.stdout)["probabilities"] == pytest.approx(expected, abs=1e-5)


def test_without_data_the_card_spans_the_scaler_statistics(pickled, tmp_path):
    path, pipe, _ = pickled
    out = tmp_path / "p.bin"
    result = finf_cli("convert", path, "--out", out)
    assert result.returncode == 0, result.stderr
    assert "card: feature ranges from the model's statistics (mean ± 3 std)" in result.stdout
    card = json.loads((tmp_path / "p.json").read_text())
    scaler = pipe[0].named_transformers_["num"][-1]
    bill = card["features"][1]
    low, high = scaler.mean_[0] - 3 * scaler.scale_[0], scaler.mean_[0] + 3 * scaler.scale_[0]
    assert bill["min"] <= low < bill["min"] + bill["step"] and bill["max"] - bill["step"] < high <= bill["max"]
    assert card["target"] == "target" and card["metrics"] == {}


def test_finf_to_onnx_on_the_command_line(pickled, converted, tmp_path):
    _, pipe, X = pickled
    out = converted[0]
    result = finf_cli("convert", out, "--out", tmp_path / "p.onnx")
    assert result.returncode == 0 and result.stderr == "", result.stderr  # a FINF file is no pickle: no warning
    assert result.stdout == (f"wrote {tmp_path / 'p.onnx'} ({(tmp_path / 'p.onnx').stat().st_size} bytes): ONNX, "
                             "inputs x float32 (rows, 5), NaN for missing; categories string (rows, 2), '' for "
                             "missing\n")
    model = finf.load(out)
    rows = finf_rows(model, X)
    numeric = [f.name for f in model.features if f.kind == "numeric"]
    categorical = [f.name for f in model.features if f.kind == "categorical"]
    session = onnxruntime.InferenceSession(str(tmp_path / "p.onnx"), providers=["CPUExecutionProvider"])
    probabilities = session.run(None, {
        "x": np.array([[np.nan if r[n] is None else r[n] for n in numeric] for r in rows], np.float32),
        "categories": np.array([["" if r[n] is None else r[n] for n in categorical] for r in rows], dtype=object)})[0]
    assert np.max(np.abs(probabilities - pipe.predict_proba(X))) <= 2e-5


@pytest.mark.parametrize("args, message", [
    (["--out", "x.bin"], "not a FINF file, and not a pickle that loads: "),
    (["--out", "x.bin", "--data", PENGUINS, "--target", "nope"], f"{PENGUINS}:1: no column named 'nope', the target"),
], ids=["not a pickle", "no such target"])
def test_errors_are_one_line(pickled, tmp_path, args, message):
    path = pickled[0] if "--data" in args else PENGUINS  # a CSV is not a pickle
    args = [str(tmp_path / a) if a == "x.bin" else a for a in args]
    result = finf_cli("convert", path, *args)
    assert result.returncode == 2 and result.stdout == ""
    error = result.stderr.splitlines()[-1]
    assert error.startswith("finf convert: error: ") and message in error, result.stderr
    assert not (tmp_path / "x.bin").exists()


def test_an_unsupported_pickle_names_its_step(tmp_path):
    X, y, _ = iris()
    path = tmp_path / "m.pkl"
    joblib.dump(make_pipeline(StandardScaler(), LogisticRegression()).fit(X, y)[:1], path)  # a scaler alone
    result = finf_cli("convert", path, "--out", tmp_path / "m.bin")
    assert result.returncode == 2
    assert result.stderr.splitlines()[-1] == ("finf convert: error: step 'standardscaler': StandardScaler is not "
                                              "supported; supported estimators: MLPClassifier, MLPRegressor, "
                                              "LogisticRegression, LinearRegression, Ridge")


def test_onnx_needs_an_onnx_name(tmp_path):
    result = finf_cli("convert", ROOT / "tests" / "golden" / "iris.bin", "--out", tmp_path / "iris.bin")
    assert result.returncode == 2
    assert result.stderr == (f"finf convert: error: {tmp_path / 'iris.bin'}: a FINF file converts to ONNX: expected a "
                             "name ending in .onnx\n")


def test_a_pickle_converts_to_finf_first(pickled, tmp_path):
    result = finf_cli("convert", pickled[0], "--out", tmp_path / "p.onnx")
    assert result.returncode == 2 and not (tmp_path / "p.onnx").exists()
    assert result.stderr == (f"finf convert: error: {tmp_path / 'p.onnx'}: a scikit-learn model converts to FINF "
                             "(MODEL.bin), which then converts to ONNX\n")  # refused before the pickle is loaded


def test_a_regressor_card_has_its_target_range(tmp_path):
    X, y = diabetes()
    model = from_sklearn(LinearRegression().fit(X, y), target="progression (score)")
    card = save(model, tmp_path / "d.bin", X, y, "scikit-learn LinearRegression")
    assert card["target_values"]["min"] == y.min() and card["target_values"]["label"] == "progression"
    assert card["metrics"]["r2"] == pytest.approx(LinearRegression().fit(X, y).score(X, y), abs=1e-6)
    no_data = save(model, tmp_path / "e.bin")  # from predictions over random rows inside the card's ranges
    assert no_data["target_values"]["min"] < no_data["target_values"]["mean"] < no_data["target_values"]["max"]
    for out, saved in ((tmp_path / "d.bin", card), (tmp_path / "e.bin", no_data)):
        assert model_card.check(saved, finf.load(out), out.read_bytes()) is None


def test_the_site_builder_takes_a_converted_model(converted, tmp_path, engine_wheel):
    out = converted[0]
    site = build_site(tmp_path / "site", out, engine_wheel)
    manifest = json.loads((site / "site.json").read_text())
    card = json.loads((site / manifest["card"]).read_text())
    assert card["training"]["converted_from"].startswith("scikit-learn Pipeline") and card["classes"][0] == "Adelie"
    assert (site / "penguins.bin").read_bytes() == out.read_bytes()


def test_rows_and_targets_for_a_card_must_fit_the_model(tmp_path):
    X, y, names = iris()
    model = from_sklearn(LogisticRegression(max_iter=500).fit(X, y), names, "species")
    with pytest.raises(ValueError, match=r"rows: row 0: expected the model's 4 features \(sepal length \(cm\), "):
        save(model, tmp_path / "m.bin", X[:, :3])
    with pytest.raises(ValueError, match=r"y: 'daisy' is not a class of the model \(setosa, versicolor, virginica\)"):
        save(model, tmp_path / "m.bin", X, ["daisy"] * len(X))
    with pytest.raises(ValueError, match=r"y: expected one target per row of rows \(150\), found 3"):
        save(model, tmp_path / "m.bin", X, y[:3])
    assert not list(tmp_path.iterdir())  # nothing written
    card = save(model, tmp_path / "m.bin", [dict(zip(names, row, strict=True)) for row in X.tolist()], y)
    assert card["metrics"]["accuracy"] == pytest.approx(np.mean(model.predict_batch(X.tolist()) ==
                                                                np.searchsorted(model.classes, y)))
