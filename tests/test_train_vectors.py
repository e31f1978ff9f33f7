"""The rows a card carries: test vectors from the trainer's numpy forward pass, and the optional training sample."""

import copy
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import finf
from finf_train import predict_proba, predictions, train
from finf_train.card import check

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def penguins():
    return train(ROOT / "data" / "penguins.csv", "species", missing="impute", epochs=20)


@pytest.fixture(scope="module")
def diabetes():
    return train(ROOT / "data" / "diabetes.csv", "progression", epochs=5, card_sample=12)


def test_test_vectors_are_rows_of_the_data_and_the_numpy_forward_pass(penguins):
    vectors = penguins.card["test_vectors"]
    assert len(vectors["rows"]) == 5
    # Rows in the card's form: category names, null for a missing value, numbers.
    flat = [v for row in vectors["rows"] for v in row]
    assert any(isinstance(v, str) for v in flat) and all(v is None or isinstance(v, (str, float)) for v in flat)
    encoded = [[np.nan if v is None else (f.categories.index(v) if f.kind == "categorical" else v)
                for v, f in zip(row, penguins.model.features, strict=True)] for row in vectors["rows"]]
    assert vectors["probabilities"] == predict_proba(penguins.model, encoded).tolist()
    # The engine agrees within the tolerance the page states.
    for row, want in zip(vectors["rows"], vectors["probabilities"], strict=True):
        assert max(abs(g - w) for g, w in zip(penguins.model.predict_proba(row), want, strict=True)) < 1e-12


def test_a_regressor_has_values_and_no_sample_unless_asked(diabetes, tmp_path):
    vectors = diabetes.card["test_vectors"]
    assert set(vectors) == {"rows", "values"}
    assert vectors["values"] == predictions(diabetes.model, vectors["rows"]).tolist()
    assert "sample" not in train(ROOT / "data" / "iris.csv", "species", epochs=5).card


def test_the_sample_is_training_rows_with_their_targets(diabetes):
    sample = diabetes.card["sample"]
    assert len(sample["rows"]) == len(sample["targets"]) == 12
    data = np.genfromtxt(ROOT / "data" / "diabetes.csv", delimiter=",", names=True)
    names = data.dtype.names
    train_rows = {tuple(float(data[n][i]) for n in names) for i in diabetes.train_index}
    for row, target in zip(sample["rows"], sample["targets"], strict=True):
        assert (*row, target) in train_rows


BAD = [
    ("test_vectors", lambda c: c["test_vectors"]["rows"].pop(), "test_vectors"),
    ("test_vectors", lambda c: c["test_vectors"]["probabilities"][0].append(0.5), "test_vectors"),
    ("test_vectors", lambda c: c["test_vectors"].update(probabilities=[["x", 0, 0]] * 5), "test_vectors"),
    ("test_vectors", lambda c: c["test_vectors"]["rows"][0].pop(), "test_vectors"),
    ("sample", lambda c: c.update(sample={"rows": [[1, 2, 3, 4]], "targets": []}), "sample"),
    ("sample", lambda c: c.update(sample=[]), "sample"),
]


@pytest.mark.parametrize(("key", "damage", "named"), BAD)
def test_the_card_check_refuses_malformed_rows(key, damage, named):
    data = (ROOT / "tests" / "golden" / "iris.bin").read_bytes()
    card = json.loads((ROOT / "tests" / "golden" / "iris.json").read_text(encoding="utf-8"))
    assert check(card, finf.load(data), data) is None
    damaged = copy.deepcopy(card)
    damage(damaged)
    assert f"model card '{named}'" in check(damaged, finf.load(data), data)


def test_finf_train_card_sample_option(tmp_path):
    finf_cli = Path(sys.executable).with_name("finf")
    out = tmp_path / "iris.bin"
    command = [str(finf_cli), "train", str(ROOT / "data" / "iris.csv"), "--target", "species", "--epochs", "5",
               "--out", str(out)]
    subprocess.run([*command, "--card-sample", "30"], check=True, capture_output=True)
    card = json.loads(out.with_suffix(".json").read_text(encoding="utf-8"))
    assert len(card["sample"]["rows"]) == 30 and set(card["sample"]["targets"]) <= set(card["classes"])
    refused = subprocess.run([*command, "--card-sample", "5000"], capture_output=True, text=True)
    assert refused.returncode == 2 and "--card-sample: expected at most 1000 rows, found '5000'" in refused.stderr
