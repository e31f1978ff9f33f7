"""Model: construction checks, the reference forward pass, and input validation of every predict method."""

import math
import re
from decimal import Decimal
from fractions import Fraction

import numpy as np
import pytest

import finf


def tiny_model():
    """2 -> 2 Identity-free model whose outputs are easy to work out by hand."""
    return finf.Model(
        finf.Normalizer([1.0, 2.0], [2.0, 4.0]),
        [finf.Linear(2, 2, [[1.0, 0.0], [0.0, 1.0]], [0.0, 0.0]), finf.Softmax()],
    )


def test_forward_by_hand():
    # normalized row: [(3 - 1) / 2, (2 - 2) / 4] = [1, 0]; softmax([1, 0]) = [e / (e + 1), 1 / (e + 1)]
    e = math.e
    assert tiny_model().forward([3.0, 2.0]) == pytest.approx([e / (e + 1), 1 / (e + 1)], abs=1e-15)
    assert tiny_model().predict_proba([3.0, 2.0]) == pytest.approx([e / (e + 1), 1 / (e + 1)], abs=1e-15)
    assert tiny_model().predict([3.0, 2.0]) == 0
    assert tiny_model().predict([-3.0, 2.0]) == 1


def test_shape_and_parameters():
    model = tiny_model()
    assert (model.n_features, model.n_outputs) == (2, 2)
    assert model.parameters() == [[1.0, 0.0, 0.0, 1.0], [0.0, 0.0]]


def test_a_model_needs_a_linear_layer():
    with pytest.raises(ValueError, match="at least one Linear"):
        finf.Model(finf.Normalizer([0.0], [1.0]), [finf.ReLU()])


def test_widths_must_chain():
    with pytest.raises(ValueError, match="does not follow a layer of width 3"):
        finf.Model(finf.Normalizer([0.0] * 3, [1.0] * 3), [finf.Linear(2, 1, [[1.0, 1.0]], [0.0])])


@pytest.mark.parametrize(
    "row",
    [[1.0, 2.0], (1.0, 2.0), [1, 2], [np.float64(1.0), 2.0], np.array([1.0, 2.0]), np.array([1, 2], dtype=np.int32),
     [Fraction(1), 2.0], iter([1.0, 2.0]), [np.float32(1.0), 2]],
)
def test_accepts_any_real_numbers(row):
    assert tiny_model().predict_proba(row) == tiny_model().forward([1.0, 2.0])


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ([1.0], "expected 2 features, got 1"),
        ([1.0, 2.0, 3.0], "expected 2 features, got 3"),
        ([], "expected 2 features, got 0"),
        (5.0, "expected a sequence of 2 values, got float"),
        (None, "expected a sequence of 2 values, got NoneType"),
        ([1.0, "2"], "feature 'x1': expected a number, got '2'"),
        (["1.0", 2.0], "feature 'x0': expected a number, got '1.0'"),
        ([True, 2.0], "feature 'x0': expected a number, got True"),
        ([1.0, None], "feature 'x1': missing value"),
        ([1.0, 1j], "feature 'x1': expected a number, got 1j"),
        ([1.0, Decimal("2")], "feature 'x1': expected a number, got Decimal"),
        ([math.nan, 2.0], "feature 'x0': missing value, and the model was not trained to fill it"),
        ([1.0, math.inf], "feature 'x1': expected a finite number, got inf"),
        ([1.0, -math.inf], "feature 'x1': expected a finite number, got -inf"),
        ((1.0, math.nan), "feature 'x1': missing value, and the model was not trained to fill it"),
        (np.array([1.0, np.nan]), "feature 'x1': missing value"),
        ([np.bool_(True), 2.0], "feature 'x0': expected a number"),
    ],
)
def test_rejects_bad_rows_in_every_predict_method(row, message):
    model = tiny_model()
    for predict in (model.predict_proba, model.predict):
        with pytest.raises(ValueError, match=re.escape(message)):
            predict(row)
    for predict in (model.predict_proba_batch, model.predict_batch):
        with pytest.raises(ValueError, match=re.escape(message)):
            predict([[1.0, 2.0], row])


def test_float_subclasses_and_ints_come_back_as_floats():
    class Celsius(float):
        pass

    model = tiny_model()
    assert model.predict_proba([Celsius(3.0), 2]) == model.predict_proba([3.0, 2.0])


def test_batches_accept_any_iterable_of_rows():
    model = tiny_model()
    rows = ([3.0, 2.0] for _ in range(3))
    assert model.predict_batch(rows) == [0, 0, 0]
    assert model.predict_proba_batch([]) == []


def test_repr_names_the_layers():
    assert repr(tiny_model()) == (
        "Model([NumericFeature('x0', mean=1.0, std=2.0), NumericFeature('x1', mean=2.0, std=4.0)], "
        "[Linear(in_features=2, out_features=2), Softmax()], Classification(None, None))"
    )
