"""Networks as engine layers and back: one engine twin per module, and the engine computing what numpy does."""

import numpy as np
import pytest

import finf
from finf_train import Network, engine_layers, fit, from_finf, network_from_layers, nn, to_finf


def network(sizes, activation="relu", task="classification", seed=0):
    return Network(nn.MLP(sizes, activation, np.random.default_rng(seed)), task)


@pytest.mark.parametrize("activation", ["relu", "tanh", "sigmoid"])
def test_a_classifier_ends_in_softmax_and_a_regressor_in_its_linear(activation):
    twin = {"relu": finf.ReLU, "tanh": finf.Tanh, "sigmoid": finf.Sigmoid}[activation]
    layers = engine_layers(network([4, 5, 6, 3], activation))
    assert [type(layer) for layer in layers] == [finf.Linear, twin, finf.Linear, twin, finf.Linear, finf.Softmax]
    layers = engine_layers(network([4, 5, 2], activation, "regression"))
    assert [type(layer) for layer in layers] == [finf.Linear, twin, finf.Linear]
    assert (layers[0].in_features, layers[0].out_features, layers[2].out_features) == (4, 5, 2)


@pytest.mark.parametrize("task", ["classification", "regression"])
def test_network_from_layers_inverts_engine_layers(task):
    original = network([3, 7, 2], "tanh", task)
    back = network_from_layers(engine_layers(original))
    assert back.task == task and back.layers.activation == "tanh" and back.layers.sizes == [3, 7, 2]
    assert back.layers.flat.tolist() == original.layers.flat.tolist()  # float64 survives the round trip


def test_a_last_identity_is_a_regressor():
    layers = engine_layers(network([3, 2], task="regression"))
    assert network_from_layers([*layers, finf.Identity()]).task == "regression"


@pytest.mark.parametrize("layers", [
    [],
    [finf.ReLU()],
    [finf.Linear(1, 1, [[1.0]], [0.0]), finf.Linear(1, 1, [[1.0]], [0.0])],
    [finf.Linear(1, 1, [[1.0]], [0.0]), finf.ReLU(), finf.Linear(1, 1, [[1.0]], [0.0]), finf.Tanh(),
     finf.Linear(1, 1, [[1.0]], [0.0])],
    [finf.Linear(1, 1, [[1.0]], [0.0]), finf.Softmax(), finf.Linear(1, 1, [[1.0]], [0.0])],
])
def test_layers_that_are_not_an_mlp_are_rejected(layers):
    with pytest.raises(ValueError, match="expected Linear layers with one hidden activation between them"):
        network_from_layers(layers)


@pytest.mark.parametrize("task", ["classification", "regression"])
def test_the_engine_computes_what_the_numpy_network_computes(task):
    rng = np.random.default_rng(1)
    X = rng.normal(size=(50, 4)) * 3 + 1
    mean, std = X.mean(axis=0), X.std(axis=0)
    y = rng.integers(0, 3, size=50) if task == "classification" else rng.normal(size=(50, 2))
    z = (X - mean) / std
    trained = fit(z, y, task=task, hidden=(8, 8), epochs=30)
    model = finf.load(finf.dumps(to_finf(trained, mean, std)))  # float32 weights, as written
    got = np.array([model.forward(row) for row in X.tolist()])
    expected = trained.predict_proba(z) if task == "classification" else trained.forward(z)
    np.testing.assert_allclose(got, expected, rtol=0, atol=1e-5)
    again, mean_back, std_back = from_finf(model)
    assert again.task == task
    np.testing.assert_allclose(mean_back, mean, rtol=1e-6)
    np.testing.assert_allclose(again.layers.flat, trained.layers.flat, rtol=1e-6, atol=1e-7)  # float32 rounding
