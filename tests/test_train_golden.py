"""The golden case in tests/golden: the engine reproduces the trainer's numbers, and training reproduces the file."""

import hashlib
import json
from pathlib import Path

import pytest

import finf

GOLDEN = Path(__file__).parent / "golden"
ROOT = Path(__file__).parent.parent


@pytest.fixture(scope="module")
def expected():
    return json.loads((GOLDEN / "expected.json").read_text())


def test_engine_reproduces_the_golden_probabilities(expected):
    model = finf.load(GOLDEN / "iris.bin")
    assert len(expected["rows"]) >= 12
    for row, want in zip(expected["rows"], expected["probabilities"], strict=True):
        got = model.predict_proba(row)
        assert got == pytest.approx(want, abs=1e-6), row


def test_golden_textbook_samples(expected):
    model = finf.load(GOLDEN / "iris.bin")
    classes = expected["classes"]
    assert classes[model.predict([5.1, 3.5, 1.4, 0.2])] == "setosa"
    assert classes[model.predict([6.3, 3.3, 6.0, 2.5])] == "virginica"


def test_golden_probabilities_come_from_the_numpy_forward_pass(expected):
    np = pytest.importorskip("numpy")
    from finf_train import predict_proba

    got = predict_proba(finf.load(GOLDEN / "iris.bin"), expected["rows"])
    np.testing.assert_allclose(got, expected["probabilities"], rtol=0, atol=1e-12)


def test_golden_card_describes_the_golden_model():
    data = (GOLDEN / "iris.bin").read_bytes()
    card = json.loads((GOLDEN / "iris.json").read_text())
    assert card["model_file"] == "iris.bin"
    assert card["size_bytes"] == len(data) <= 1200
    assert card["sha256"] == hashlib.sha256(data).hexdigest()
    assert card["classes"] == ["setosa", "versicolor", "virginica"]


def test_retraining_with_defaults_reproduces_the_golden_model_byte_for_byte():
    pytest.importorskip("numpy")
    from finf_train import train

    result = train(ROOT / "data" / "iris.csv", "species")
    assert result.model_bytes == (GOLDEN / "iris.bin").read_bytes()
