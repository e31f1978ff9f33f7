"""The model card: labels and units from headers, slider steps, and its JSON text."""

import hashlib
import json

import pytest

from finf_train import train
from finf_train.card import dumps, label_and_unit, sha256


@pytest.mark.parametrize(("name", "label", "unit"), [
    ("sepal length (cm)", "sepal length", "cm"),
    ("temperature(°C)", "temperature", "°C"),
    ("mass ( kg )", "mass", "kg"),
    ("age", "age", ""),
    ("(cm)", "(cm)", ""),  # a unit needs a name before it
    ("ratio (a) (b)", "ratio (a)", "b"),
])
def test_label_and_unit(name, label, unit):
    assert label_and_unit(name) == (label, unit)


@pytest.mark.parametrize("data", [b"", b"abc", bytes(range(256)) * 4099])
def test_the_cards_sha256_is_hashlibs(data):
    assert sha256(data).hexdigest() == hashlib.sha256(data).hexdigest()


def test_features_steps_and_statistics(tmp_path):
    path = tmp_path / "d.csv"
    path.write_text("count,weight (kg),ratio,label\n1,2.5,0.125,a\n3,3.75,0.5,b\n5,4,0.25,a\n7,1.25,1e-1,b\n")
    card = train(path, "label", val_fraction=0, epochs=5).card
    count, weight, ratio = card["features"]
    assert count == {"name": "count", "label": "count", "unit": "", "kind": "numeric", "min": 1.0, "max": 7.0,
                     "mean": 4.0, "std": 2.23607, "step": 0.05, "fill": None}  # 120 positions from 1 to 7
    assert weight["label"] == "weight" and weight["unit"] == "kg" and weight["step"] == 0.025  # 110 positions
    assert weight["min"] == 1.25 and weight["max"] == 4.0 and weight["mean"] == 2.875
    assert ratio["step"] == 0.0025 and (ratio["min"], ratio["max"]) == (0.1, 0.5)  # 160 positions
    assert card["classes"] == ["a", "b"] and card["target"] == "label"


def test_card_json_is_readable_text(tmp_path):
    path = tmp_path / "d.csv"
    path.write_text("größe (m),label\n1,ja\n2,nein\n", encoding="utf-8")
    text = dumps(train(path, "label", val_fraction=0, epochs=5).card)
    assert text.endswith("}\n") and "größe" in text
    assert json.loads(text)["features"][0]["label"] == "größe"


def test_a_constant_column_trains_and_its_card_says_so(tmp_path):
    path = tmp_path / "d.csv"
    path.write_text("x,always,label\n" + "".join(f"{i},5,{'ab'[i % 2]}\n" for i in range(20)))
    result = train(path, "label", epochs=5)
    feature = result.card["features"][1]
    assert (feature["min"], feature["max"], feature["step"]) == (5.0, 5.0, 1.0)  # a fixed value, not a slider
    constant = result.model.features[1]
    assert (constant.mean, constant.std) == (5.0, 1.0)  # centred, not scaled, as StandardScaler does
    assert len(result.model.predict_proba([3.0, 5.0])) == 2
