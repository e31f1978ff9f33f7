"""The layer modules and losses: gradients against central finite differences, and values against PyTorch."""

import numpy as np
import pytest

from finf_train import nn

EPS = 1e-6  # central differences: truncation error ~EPS**2, rounding error ~1e-16 / EPS
RTOL, ATOL = 1e-6, 1e-8
TORCH_TOL = 1e-10  # both sides compute in float64; only the order of the sums differs


def numeric_grad(f, x):
    """d f() / d x by central differences, perturbing x in place one element at a time."""
    grad = np.zeros_like(x)
    for index in np.ndindex(x.shape):
        saved = x[index]
        x[index] = saved + EPS
        plus = f()
        x[index] = saved - EPS
        minus = f()
        x[index] = saved
        grad[index] = (plus - minus) / (2 * EPS)
    return grad


def check_module(module, x, seed=0):
    """backward's input and parameter gradients of sum(forward(x) * r) against finite differences."""
    r = np.random.default_rng(seed).normal(size=module.forward(x.copy()).shape)  # dloss/doutput

    def loss():
        return float((module.forward(x.copy()) * r).sum())  # a copy: an inplace module overwrites its input

    module.forward(x.copy())
    grad_in = module.backward(r.copy())
    analytic = [g.copy() for g in module.gradients()]
    np.testing.assert_allclose(grad_in, numeric_grad(loss, x), rtol=RTOL, atol=ATOL)
    for param, grad in zip(module.parameters(), analytic, strict=True):
        np.testing.assert_allclose(grad, numeric_grad(loss, param), rtol=RTOL, atol=ATOL)


def away_from_zero(shape, seed=1):
    """Inputs at least 0.1 from ReLU's kink, so a step of EPS never crosses it."""
    x = np.random.default_rng(seed).normal(size=shape)
    return x + 0.1 * np.sign(x)


@pytest.mark.parametrize("module", [nn.ReLU(), nn.ReLU(inplace=True), nn.Tanh(), nn.Tanh(inplace=True), nn.Sigmoid(),
                                    nn.Sigmoid(inplace=True), nn.Identity(), nn.Softmax()], ids=repr)
def test_activation_gradients_match_finite_differences(module):
    check_module(module, away_from_zero((5, 4)))


def test_linear_gradients_match_finite_differences():
    check_module(nn.Linear(4, 3, np.random.default_rng(0)), away_from_zero((6, 4)))


def test_linear_over_a_sequence_treats_every_position_as_a_row():
    check_module(nn.Linear(4, 3, np.random.default_rng(0)), away_from_zero((2, 5, 4)))  # (B, T, C)


def test_embedding_gradient_scatter_adds_over_repeated_ids():
    embedding = nn.Embedding(5, 3, np.random.default_rng(0))
    ids = np.array([[0, 2, 2], [4, 2, 0]])  # (B, T), ids 0 and 2 repeated
    r = np.random.default_rng(1).normal(size=(2, 3, 3))

    def loss():
        return float((embedding.forward(ids) * r).sum())

    embedding.forward(ids)
    assert embedding.backward(r.copy()) is None
    np.testing.assert_allclose(embedding.weight_grad, numeric_grad(loss, embedding.weight), rtol=RTOL, atol=ATOL)
    assert not embedding.weight_grad[[1, 3]].any()  # ids never used get no gradient


def test_embedding_backward_assigns_rather_than_accumulates():
    embedding = nn.Embedding(4, 2, np.random.default_rng(0))
    ids = np.array([1, 1, 3])
    for _ in range(2):
        embedding.forward(ids)
        embedding.backward(np.ones((3, 2)))
    np.testing.assert_array_equal(embedding.weight_grad, [[0, 0], [2, 2], [0, 0], [1, 1]])


@pytest.mark.parametrize("activation", ["relu", "tanh", "sigmoid"])
def test_mlp_gradients_match_finite_differences(activation):
    mlp = nn.MLP([4, 6, 5, 3], activation, np.random.default_rng(1))
    mlp[0].input_grad = True  # check the input gradient too
    check_module(mlp, away_from_zero((7, 4)))


def test_the_first_layer_of_an_mlp_skips_the_input_gradient():
    mlp = nn.MLP([4, 6, 3], "relu", np.random.default_rng(1))
    mlp.forward(np.ones((2, 4)))
    assert mlp.backward(np.ones((2, 3))) is None
    assert np.abs(mlp.flat_grad).sum() > 0


@pytest.mark.parametrize("seed", range(3))
def test_softmax_cross_entropy_gradient_matches_finite_differences(seed):
    rng = np.random.default_rng(seed)
    logits = rng.normal(scale=3.0, size=(5, 4))
    y = rng.integers(0, 4, size=5)
    _, analytic = nn.softmax_cross_entropy(logits, y)
    np.testing.assert_allclose(analytic, numeric_grad(lambda: nn.softmax_cross_entropy(logits, y)[0], logits),
                               rtol=RTOL, atol=ATOL)
    np.testing.assert_array_equal(nn.cross_entropy_grad(logits, nn.one_hot(y, 4)), analytic)


@pytest.mark.parametrize("shape", [(6, 1), (5, 3)])
def test_mse_gradient_matches_finite_differences(shape):
    rng = np.random.default_rng(0)
    output, target = rng.normal(size=shape), rng.normal(size=shape)
    loss, analytic = nn.mse_loss(output, target)
    assert loss == pytest.approx(np.mean((output - target) ** 2), rel=1e-15)
    np.testing.assert_allclose(analytic, numeric_grad(lambda: nn.mse_loss(output, target)[0], output),
                               rtol=RTOL, atol=ATOL)
    np.testing.assert_array_equal(nn.mse_grad(output, target), analytic)


def test_fused_gradient_is_p_minus_onehot_over_batch():
    logits = np.array([[1.0, 2.0, 3.0], [0.0, 0.0, 0.0]])
    y = np.array([2, 0])
    expected = (nn.softmax(logits) - nn.one_hot(y, 3)) / 2
    np.testing.assert_allclose(nn.cross_entropy_grad(logits, nn.one_hot(y, 3)), expected, rtol=0, atol=1e-15)


def test_parameters_and_gradients_are_views_into_the_flat_vectors():
    mlp = nn.MLP([4, 8, 3], "relu", np.random.default_rng(2))
    shapes = [p.shape for p in mlp.parameters()]
    assert shapes == [(8, 4), (8,), (3, 8), (3,)]  # (out, in) as in PyTorch
    assert [g.shape for g in mlp.gradients()] == shapes
    mlp.forward(np.ones((2, 4)))
    mlp.backward(np.ones((2, 3)))
    assert np.concatenate([g.ravel() for g in mlp.gradients()]).tolist() == mlp.flat_grad.tolist()
    mlp[0].weight[0, 0] = 123.0
    assert mlp.flat[0] == 123.0
    mlp.flat[-1] = -7.0
    assert mlp[2].bias[-1] == -7.0


def test_sequential_keeps_the_values_it_was_given_and_a_nested_one_sees_its_slice():
    rng = np.random.default_rng(3)
    inner = nn.Sequential(nn.Linear(3, 4, rng), nn.Tanh())
    before = [p.copy() for p in inner.parameters()]
    outer = nn.Sequential(nn.Linear(2, 3, rng), inner, nn.Linear(4, 1, rng))
    assert all(np.array_equal(a, b) for a, b in zip(before, inner.parameters(), strict=True))
    assert outer.flat.size == (2 + 1) * 3 + (3 + 1) * 4 + (4 + 1) * 1
    inner.flat[0] = 9.0  # inner's vector is now a slice of outer's
    assert inner[0].weight[0, 0] == 9.0 and outer.flat[(2 + 1) * 3] == 9.0
    check_module(outer, away_from_zero((3, 2)))


def test_linear_initialisation_follows_pytorch_and_draws_weight_then_bias():
    layer = nn.Linear(16, 64, np.random.default_rng(0))
    bound = 1 / np.sqrt(16)
    assert np.abs(layer.weight).max() <= bound
    assert np.abs(layer.weight).max() > 0.9 * bound  # uniform over the whole range, not a tiny one
    rng = np.random.default_rng(0)
    np.testing.assert_array_equal(layer.weight, rng.uniform(-bound, bound, (64, 16)))
    np.testing.assert_array_equal(layer.bias, rng.uniform(-bound, bound, 64))


def test_inplace_overwrites_the_input_and_the_default_does_not():
    x = np.array([[-1.0, 2.0]])
    nn.ReLU().forward(x)
    assert x.tolist() == [[-1.0, 2.0]]
    out = nn.ReLU(inplace=True).forward(x)
    assert out is x and x.tolist() == [[0.0, 2.0]]


def test_sigmoid_does_not_overflow():
    with np.errstate(over="raise"):
        out = nn.Sigmoid().forward(np.array([[1e5, -1e5, 0.0]]))
    assert out.tolist() == [[1.0, 0.0, 0.5]]


def test_softmax_is_stable_for_huge_logits():
    p = nn.softmax(np.array([[1000.0, 0.0, -1000.0], [-1e308, -1e308, -1e308]]))
    assert np.isfinite(p).all()
    np.testing.assert_allclose(p.sum(axis=1), 1.0)
    assert p[0, 0] == 1.0
    loss, grad = nn.softmax_cross_entropy(np.array([[1000.0, -1000.0]]), np.array([1]))
    assert loss == pytest.approx(2000.0) and np.isfinite(grad).all()


def test_unknown_activation_is_rejected():
    with pytest.raises(ValueError, match="activation must be one of relu, tanh, sigmoid, not 'gelu'"):
        nn.MLP([2, 2], "gelu")


def test_an_mlp_without_hidden_layers_is_one_linear():
    mlp = nn.MLP([5, 2], "relu", np.random.default_rng(0))
    assert len(mlp) == 1 and isinstance(mlp[0], nn.Linear) and mlp.flat.size == 12


# --- against PyTorch, forward and backward, as micrograd and tinygrad test theirs ---------------------------


@pytest.fixture(scope="module")
def torch():
    return pytest.importorskip("torch")


def compare_with_torch(torch, ours, theirs, x, ours_params=(), theirs_params=()):
    """Forward values, input gradient and parameter gradients of sum(out * r), ours against torch's."""
    r = np.random.default_rng(5).normal(size=ours.forward(x.copy()).shape)
    out = ours.forward(x.copy())
    grad_in = ours.backward(r.copy())
    tx = torch.tensor(x, requires_grad=True)
    tout = theirs(tx)
    (tout * torch.tensor(r)).sum().backward()
    np.testing.assert_allclose(out, tout.detach().numpy(), rtol=TORCH_TOL, atol=TORCH_TOL)
    np.testing.assert_allclose(grad_in, tx.grad.numpy(), rtol=TORCH_TOL, atol=TORCH_TOL)
    for grad, param in zip(ours_params, theirs_params, strict=True):
        np.testing.assert_allclose(grad, param.grad.numpy(), rtol=TORCH_TOL, atol=TORCH_TOL)


@pytest.mark.parametrize(("ours", "name"), [(nn.ReLU(), "relu"), (nn.Tanh(), "tanh"), (nn.Sigmoid(), "sigmoid"),
                                            (nn.Identity(), None), (nn.Softmax(), "softmax")], ids=repr)
def test_activations_match_torch(torch, ours, name):
    functions = {"relu": torch.relu, "tanh": torch.tanh, "sigmoid": torch.sigmoid, None: lambda t: t * 1.0,
                 "softmax": lambda t: torch.softmax(t, dim=-1)}
    compare_with_torch(torch, ours, functions[name], away_from_zero((6, 5)) * 3)


@pytest.mark.parametrize("shape", [(7, 4), (2, 3, 4)])
def test_linear_matches_torch(torch, shape):
    ours = nn.Linear(4, 3, np.random.default_rng(0))
    theirs = torch.nn.Linear(4, 3, dtype=torch.float64)
    with torch.no_grad():
        theirs.weight.copy_(torch.tensor(ours.weight))
        theirs.bias.copy_(torch.tensor(ours.bias))
    compare_with_torch(torch, ours, theirs, away_from_zero(shape), ours.gradients(), [theirs.weight, theirs.bias])


@pytest.mark.parametrize("activation", ["relu", "tanh", "sigmoid"])
def test_mlp_and_its_loss_match_torch(torch, activation):
    ours = nn.MLP([4, 8, 6, 3], activation, np.random.default_rng(4))
    ours[0].input_grad = True
    layers = []
    for module in ours:
        if isinstance(module, nn.Linear):
            layer = torch.nn.Linear(module.in_features, module.out_features, dtype=torch.float64)
            with torch.no_grad():
                layer.weight.copy_(torch.tensor(module.weight))
                layer.bias.copy_(torch.tensor(module.bias))
            layers.append(layer)
        else:
            layers.append({"relu": torch.nn.ReLU, "tanh": torch.nn.Tanh, "sigmoid": torch.nn.Sigmoid}[activation]())
    theirs = torch.nn.Sequential(*layers)
    compare_with_torch(torch, ours, theirs, away_from_zero((9, 4)), ours.gradients(), list(theirs.parameters()))


def test_losses_match_torch(torch):
    rng = np.random.default_rng(6)
    logits, y = rng.normal(size=(8, 5)), rng.integers(0, 5, size=8)
    values, target = rng.normal(size=(8, 2)), rng.normal(size=(8, 2))
    for ours, theirs, (a, b) in [(nn.softmax_cross_entropy, torch.nn.functional.cross_entropy, (logits, y)),
                                 (nn.mse_loss, torch.nn.functional.mse_loss, (values, target))]:
        loss, grad = ours(a, b)
        ta = torch.tensor(a, requires_grad=True)
        tloss = theirs(ta, torch.tensor(b))
        tloss.backward()
        assert loss == pytest.approx(tloss.item(), rel=TORCH_TOL)
        np.testing.assert_allclose(grad, ta.grad.numpy(), rtol=TORCH_TOL, atol=TORCH_TOL)


def test_embedding_matches_torch(torch):
    ours = nn.Embedding(6, 4, np.random.default_rng(2))
    theirs = torch.nn.Embedding(6, 4, dtype=torch.float64)
    with torch.no_grad():
        theirs.weight.copy_(torch.tensor(ours.weight))
    ids = np.array([[5, 0, 5], [1, 1, 2]])
    r = np.random.default_rng(3).normal(size=(2, 3, 4))
    out = ours.forward(ids)
    ours.backward(r)
    (theirs(torch.tensor(ids)) * torch.tensor(r)).sum().backward()
    np.testing.assert_allclose(out, theirs(torch.tensor(ids)).detach().numpy(), rtol=TORCH_TOL, atol=TORCH_TOL)
    np.testing.assert_allclose(ours.weight_grad, theirs.weight.grad.numpy(), rtol=TORCH_TOL, atol=TORCH_TOL)


# --- text: MeanPool and TextClassifier ------------------------------------------------------------------------

LENGTHS = np.array([3, 1, 0, 2])  # the third sequence is empty: its mean is the zero vector


def test_mean_pool_gradient_matches_finite_differences_with_an_empty_sequence():
    pool = nn.MeanPool()
    x = away_from_zero((4, 3, 2))
    r = np.random.default_rng(0).normal(size=(4, 2))

    def loss():
        return float((pool.forward(x, LENGTHS) * r).sum())

    out = pool.forward(x, LENGTHS)
    np.testing.assert_allclose(out[0], x[0].mean(axis=0))
    np.testing.assert_array_equal(out[2], [0.0, 0.0])
    np.testing.assert_allclose(pool.backward(r.copy()), numeric_grad(loss, x), rtol=RTOL, atol=ATOL)


def test_text_classifier_gradients_match_finite_differences():
    network = nn.TextClassifier(6, 3, (4,), 2, "tanh", np.random.default_rng(0), init_std=1.0)
    ids = np.array([[1, 5, 5], [2, 0, 0], [0, 0, 0], [3, 4, 0]])  # padded with 0 past each length
    r = np.random.default_rng(1).normal(size=(4, 2))

    def loss():
        return float((network.forward((ids, LENGTHS)) * r).sum())

    network.forward((ids, LENGTHS))
    network.backward(r.copy())
    analytic = network.flat_grad.copy()
    np.testing.assert_allclose(analytic, numeric_grad(loss, network.flat), rtol=RTOL, atol=ATOL)
    assert not network.embedding.weight_grad[0].any()  # id 0 appears only as padding: no gradient


def test_text_classifier_matches_torch_embedding_bag(torch):
    ours = nn.TextClassifier(6, 3, (), 2, rng=np.random.default_rng(0), init_std=1.0)
    ids = np.array([[1, 5, 5], [2, 0, 0], [3, 4, 1]])
    lengths = np.array([3, 1, 2])
    bag = torch.nn.EmbeddingBag(6, 3, mode="mean", dtype=torch.float64)
    linear = torch.nn.Linear(3, 2, dtype=torch.float64)
    with torch.no_grad():
        bag.weight.copy_(torch.tensor(ours.embedding.weight))
        linear.weight.copy_(torch.tensor(ours.mlp[0].weight))
        linear.bias.copy_(torch.tensor(ours.mlp[0].bias))
    flat = torch.tensor(np.concatenate([row[:n] for row, n in zip(ids, lengths, strict=True)]))
    offsets = torch.tensor(np.concatenate([[0], np.cumsum(lengths)[:-1]]))
    r = np.random.default_rng(5).normal(size=(3, 2))
    out = ours.forward((ids, lengths))
    ours.backward(r.copy())
    theirs = linear(bag(flat, offsets))
    (theirs * torch.tensor(r)).sum().backward()
    np.testing.assert_allclose(out, theirs.detach().numpy(), rtol=TORCH_TOL, atol=TORCH_TOL)
    np.testing.assert_allclose(ours.embedding.weight_grad, bag.weight.grad.numpy(), rtol=TORCH_TOL, atol=TORCH_TOL)
    np.testing.assert_allclose(ours.mlp[0].weight_grad, linear.weight.grad.numpy(), rtol=TORCH_TOL, atol=TORCH_TOL)
