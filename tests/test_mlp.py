"""The MLP's calculus against finite differences, in float64 with explicit tolerances."""

import numpy as np
import pytest

from finf_train.mlp import MLP, cross_entropy_grad, one_hot, softmax, softmax_cross_entropy

EPS = 1e-6  # central differences: truncation error ~EPS**2, rounding error ~1e-16 / EPS
RTOL, ATOL = 1e-6, 1e-8


def loss_of(mlp, X, y):
    logits, _ = mlp.forward(X)
    return softmax_cross_entropy(logits, y)[0]


@pytest.fixture
def batch():
    rng = np.random.default_rng(42)
    X = rng.normal(size=(7, 4))  # (n, n_features)
    y = np.array([0, 1, 2, 1, 0, 2, 2])
    return X, y


def test_loss_gradient_wrt_logits_matches_finite_differences():
    rng = np.random.default_rng(0)
    logits = rng.normal(scale=3.0, size=(5, 4))
    y = np.array([3, 0, 1, 1, 2])
    _, analytic = softmax_cross_entropy(logits, y)
    numeric = np.zeros_like(logits)
    for index in np.ndindex(logits.shape):
        step = np.zeros_like(logits)
        step[index] = EPS
        plus, _ = softmax_cross_entropy(logits + step, y)
        minus, _ = softmax_cross_entropy(logits - step, y)
        numeric[index] = (plus - minus) / (2 * EPS)
    np.testing.assert_allclose(analytic, numeric, rtol=RTOL, atol=ATOL)


def test_fused_gradient_is_p_minus_onehot_over_batch():
    logits = np.array([[1.0, 2.0, 3.0], [0.0, 0.0, 0.0]])
    y = np.array([2, 0])
    expected = (softmax(logits.copy()) - one_hot(y, 3)) / 2
    np.testing.assert_allclose(cross_entropy_grad(logits, one_hot(y, 3)), expected, rtol=0, atol=1e-15)


@pytest.mark.parametrize("activation", ["relu", "tanh", "sigmoid"])
def test_backprop_matches_finite_differences_for_every_weight(batch, activation):
    X, y = batch
    mlp = MLP([4, 6, 5, 3], activation, np.random.default_rng(1))
    logits, inputs = mlp.forward(X)
    _, dlogits = softmax_cross_entropy(logits, y)
    mlp.backward(inputs, dlogits)
    analytic = mlp.flat_grad.copy()
    numeric = np.zeros_like(analytic)
    for i in range(len(mlp.flat)):
        saved = mlp.flat[i]
        mlp.flat[i] = saved + EPS
        plus = loss_of(mlp, X, y)
        mlp.flat[i] = saved - EPS
        minus = loss_of(mlp, X, y)
        mlp.flat[i] = saved
        numeric[i] = (plus - minus) / (2 * EPS)
    np.testing.assert_allclose(analytic, numeric, rtol=RTOL, atol=ATOL)


def test_gradients_are_views_matching_parameters(batch):
    X, y = batch
    mlp = MLP([4, 8, 3], "relu", np.random.default_rng(2))
    logits, inputs = mlp.forward(X)
    mlp.backward(inputs, softmax_cross_entropy(logits, y)[1])
    shapes = [p.shape for p in mlp.parameters()]
    assert shapes == [(8, 4), (8,), (3, 8), (3,)]  # (out, in) as in PyTorch
    assert [g.shape for g in mlp.gradients()] == shapes
    assert np.concatenate([g.ravel() for g in mlp.gradients()]).tolist() == mlp.flat_grad.tolist()
    mlp.weights[0][0, 0] = 123.0
    assert mlp.flat[0] == 123.0


def test_softmax_is_stable_for_huge_logits():
    p = softmax(np.array([[1000.0, 0.0, -1000.0], [-1e308, -1e308, -1e308]]))
    assert np.isfinite(p).all()
    np.testing.assert_allclose(p.sum(axis=1), 1.0)
    assert p[0, 0] == 1.0
    loss, grad = softmax_cross_entropy(np.array([[1000.0, -1000.0]]), np.array([1]))
    assert loss == pytest.approx(2000.0) and np.isfinite(grad).all()


def test_sigmoid_does_not_overflow():
    mlp = MLP([1, 2, 2], "sigmoid", np.random.default_rng(0))
    with np.errstate(over="raise"):
        logits, _ = mlp.forward(np.array([[1e5], [-1e5]]))
    assert np.isfinite(logits).all()


def test_unknown_activation_is_rejected():
    with pytest.raises(ValueError, match="activation must be one of"):
        MLP([2, 2], "gelu")


def test_initialisation_follows_pytorch_bounds():
    mlp = MLP([16, 64, 3], "relu", np.random.default_rng(0))
    assert np.abs(mlp.weights[0]).max() <= 1 / np.sqrt(16)
    assert np.abs(mlp.weights[1]).max() <= 1 / np.sqrt(64)
    assert np.abs(mlp.weights[0]).max() > 0.9 / np.sqrt(16)  # uniform over the whole range, not a tiny one
