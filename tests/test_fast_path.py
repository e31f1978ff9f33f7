"""The fast path (predict_proba, laid out by _fast.plan) against the reference Model.forward.

Tolerance: the two compute the same function in float64 but in a different order
(the normalizer folded into the first Linear, sums regrouped four at a time), so
they differ only by rounding. A float64 sum of n products is off by at most about
n * 2.2e-16 * (sum of |products|); with the weights and inputs below those sums stay
under ~1e2 and n under 20, so 1e-12 absolute (or relative, for large outputs) leaves
room (the largest difference seen over 15,000 random rows was 8e-15) while any real
mistake, such as a wrong fold or a dropped unit, shows up at 1e-3 or more.
"""

import csv
import itertools
import math
import pathlib
import random

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import finf
from finf import _fast

TOLERANCE = 1e-12
DATA = pathlib.Path(__file__).resolve().parents[1] / "data" / "iris.csv"
GOLDEN = pathlib.Path(__file__).resolve().parent / "golden" / "iris.bin"
ACTIVATIONS = [finf.Identity, finf.ReLU, finf.Sigmoid, finf.Tanh, finf.Softmax]


def assert_close(fast, reference):
    assert len(fast) == len(reference)
    for a, b in zip(fast, reference, strict=True):
        assert math.isclose(a, b, rel_tol=TOLERANCE, abs_tol=TOLERANCE), (fast, reference)


def iris_rows():
    with open(DATA, newline="") as f:
        return [[float(v) for v in row[:4]] for row in list(csv.reader(f))[1:]]


def iris_labels():
    with open(DATA, newline="") as f:
        names = [row[4] for row in list(csv.reader(f))[1:]]
    return [sorted(set(names)).index(name) for name in names]


@pytest.fixture(scope="module")
def iris_model():
    """A 4 -> 32 ReLU -> 3 softmax model trained on Iris with numpy, read back through FINF."""
    x = np.array(iris_rows())
    y = np.array(iris_labels())
    mean, std = x.mean(axis=0), x.std(axis=0)
    z = (x - mean) / std
    rng = np.random.default_rng(0)
    w1, b1 = rng.normal(0, 0.5, (32, 4)), np.zeros(32)
    w2, b2 = rng.normal(0, 0.5, (3, 32)), np.zeros(3)
    onehot = np.eye(3)[y]
    for _ in range(300):  # full-batch gradient descent on cross-entropy
        h = np.maximum(z @ w1.T + b1, 0.0)
        logits = h @ w2.T + b2
        p = np.exp(logits - logits.max(axis=1, keepdims=True))
        p /= p.sum(axis=1, keepdims=True)
        d_logits = (p - onehot) / len(x)
        d_h = (d_logits @ w2) * (h > 0)
        w2 -= 0.5 * d_logits.T @ h
        b2 -= 0.5 * d_logits.sum(axis=0)
        w1 -= 0.5 * d_h.T @ z
        b1 -= 0.5 * d_h.sum(axis=0)
    model = finf.Model(
        finf.Normalizer(mean.tolist(), std.tolist()),
        [finf.Linear(4, 32, w1.tolist(), b1.tolist()), finf.ReLU(), finf.Linear(32, 3, w2.tolist(), b2.tolist()),
         finf.Softmax()],
    )
    return finf.load(finf.dumps(model))


def test_iris_model_is_trained(iris_model):
    predictions = iris_model.predict_batch(iris_rows())
    accuracy = sum(p == t for p, t in zip(predictions, iris_labels(), strict=True)) / 150
    assert accuracy > 0.95


def test_every_iris_row_matches_the_reference(iris_model):
    for row in iris_rows():
        assert_close(iris_model.predict_proba(row), iris_model.forward(row))


def test_every_iris_row_matches_the_reference_on_the_golden_model():
    if not GOLDEN.exists():
        pytest.skip("tests/golden/iris.bin is not there")
    model = finf.load(GOLDEN)
    for row in iris_rows():
        assert_close(model.predict_proba(row), model.forward(row))
        assert model.predict(row) == finf._ops.argmax(model.forward(row))


def test_iris_shape_runs_as_one_loop_and_a_softmax(iris_model):
    block, softmax = iris_model._steps
    assert block.__qualname__.split(".")[0] == "small_hidden_block"
    assert isinstance(softmax, finf.Softmax)


@pytest.mark.parametrize(("widths", "kernel"), [
    ([3, 8, 2], "small_hidden_block"),
    ([5, 8, 2], "small_hidden_block5"),
    ([6, 8, 3], "small_hidden_block8"),
    ([8, 8, 3], "small_hidden_block8"),
    ([9, 8, 3], "dense_rows"),
])
def test_small_networks_take_the_kernel_for_their_input_width(widths, kernel):
    model = random_model(random.Random(0), widths, [[], [finf.ReLU()], []])
    assert model._steps[0].__qualname__.split(".")[0] == kernel


def test_batch_matches_one_row_at_a_time(iris_model):
    rows = iris_rows()
    assert iris_model.predict_proba_batch(rows) == [iris_model.predict_proba(row) for row in rows]
    assert iris_model.predict_batch(rows) == [iris_model.predict(row) for row in rows]


def test_folded_normalizer_equals_normalizer_then_linear():
    normalizer = finf.Normalizer([1.5, -2.0], [0.5, 4.0])
    linear = finf.Linear(2, 3, [[1.0, 2.0], [-3.0, 0.5], [0.0, 1.0]], [0.1, 0.2, 0.3])
    folded = _fast.fold_normalizer(normalizer, linear)
    for x in ([0.0, 0.0], [1.5, -2.0], [3.25, 7.0]):
        assert_close(folded(x), linear(normalizer(x)))


def random_model(rng, widths, kinds):
    """Linear layers of the given widths, each followed by the activations in kinds[i] (a list, maybe empty)."""
    mean = [rng.uniform(-5, 5) for _ in range(widths[0])]
    std = [rng.uniform(0.2, 5) for _ in range(widths[0])]
    layers = list(kinds[0])
    for i, (n_in, n_out) in enumerate(itertools.pairwise(widths)):
        scale = 2 / math.sqrt(n_in)
        weight = [[rng.uniform(-scale, scale) for _ in range(n_in)] for _ in range(n_out)]
        bias = [rng.uniform(-1, 1) for _ in range(n_out)]
        layers.append(finf.Linear(n_in, n_out, weight, bias))
        layers.extend(kinds[i + 1])
    return finf.Model(finf.Normalizer(mean, std), layers)


def random_row(rng, model):
    mean, std = model.normalizer.mean, model.normalizer.std
    return [m + s * rng.uniform(-3, 3) for m, s in zip(mean, std, strict=True)]


activation_runs = st.lists(st.sampled_from(ACTIVATIONS).map(lambda cls: cls()), max_size=2)


@settings(max_examples=300, deadline=None)
@given(
    widths=st.lists(st.integers(1, 11), min_size=2, max_size=5),
    data=st.data(),
    seed=st.integers(0, 2**32 - 1),
)
def test_random_models_match_the_reference(widths, data, seed):
    kinds = [data.draw(activation_runs) for _ in widths]
    rng = random.Random(seed)
    model = random_model(rng, widths, kinds)
    for _ in range(5):
        row = random_row(rng, model)
        assert_close(model.predict_proba(row), model.forward(row))


# Iris's shape, one output more than the one-loop block takes, and shapes that take each kernel.
WIDTHS = [[4, 32, 3], [4, 32, 4], [2, 8, 1], [3, 5, 2], [5, 32, 3], [5, 6, 2], [7, 32, 3], [8, 16, 16, 10], [1, 1],
          [5, 4, 4, 4, 6]]


@pytest.mark.parametrize("kind", ACTIVATIONS)
@pytest.mark.parametrize("widths", WIDTHS)
def test_seeded_models_of_each_activation_match_the_reference(widths, kind):
    rng = random.Random(f"{widths}{kind.__name__}")
    kinds = [[]] + [[kind()] for _ in widths[1:]]
    model = random_model(rng, widths, kinds)
    for _ in range(50):
        row = random_row(rng, model)
        assert_close(model.predict_proba(row), model.forward(row))


def test_models_without_a_final_softmax_return_raw_outputs():
    rng = random.Random(1)
    model = random_model(rng, [4, 32, 3], [[], [finf.ReLU()], []])
    row = random_row(rng, model)
    output = model.predict_proba(row)
    assert_close(output, model.forward(row))
    assert not math.isclose(sum(output), 1.0)




def test_softmax_adds_left_to_right_on_every_python_version():
    # sum() compensates rounding from Python 3.12 on and would give 1.0000000000000002 here; adding left to
    # right gives 1.0 on CPython 3.11 and Pyodide's 3.14 alike.
    assert finf._ops.add_up([1.0, 1e-16, 1e-16]) == 1.0
    assert finf._ops.softmax([0.0, math.log(1e-16), math.log(1e-16)])[0] == 1.0
