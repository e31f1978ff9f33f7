"""fit for regression and for linear models: least squares reached by training, MSE networks, bad input."""

import warnings

import numpy as np
import pytest

import finf
from finf_train import MODEL_DEFAULTS, engine_layers, fit

datasets = pytest.importorskip("sklearn.datasets")


def standardize(train, *others):
    mean, std = train.mean(axis=0), train.std(axis=0)
    return [(a - mean) / std for a in (train, *others)]


@pytest.fixture(scope="module")
def diabetes():
    """scikit-learn's diabetes data with X and y standardized over all rows."""
    X, y = datasets.load_diabetes(return_X_y=True)
    return standardize(X)[0], standardize(y)[0]


@pytest.fixture(scope="module")
def diabetes_split():
    """An 80/20 split of the diabetes data, X and y standardized with the training rows' statistics."""
    from sklearn.model_selection import train_test_split

    X, y = datasets.load_diabetes(return_X_y=True)
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.2, random_state=0)
    X_train, X_test = standardize(X_train, X_test)
    y_train, y_test = standardize(y_train, y_test)
    return X_train, X_test, y_train, y_test


def least_squares(X, y):
    A = np.c_[X, np.ones(len(X))]  # with an intercept
    coef, *_ = np.linalg.lstsq(A, y, rcond=None)
    return A @ coef


def r2(y, predicted):
    return 1 - np.sum((y - predicted) ** 2) / np.sum((y - y.mean()) ** 2)


@pytest.mark.parametrize("seed", [0, 1])
def test_linear_regression_with_defaults_trains_to_the_least_squares_solution(diabetes, seed):
    X, y = diabetes
    network = fit(X, y, task="regression", hidden=(), seed=seed)
    np.testing.assert_allclose(network.predict(X), least_squares(X, y), rtol=0, atol=1e-4)
    assert network.epochs_run < MODEL_DEFAULTS["linear"]["epochs"]  # stopped by tol, converged


def test_linear_regression_as_engine_layers_keeps_the_least_squares_fit(diabetes):
    X, y = diabetes
    network = fit(X, y, task="regression", hidden=())
    layers = engine_layers(network)
    assert [type(layer) for layer in layers] == [finf.Linear]
    model = finf.load(finf.dumps(finf.Model(finf.Normalizer([0.0] * 10, [1.0] * 10), layers)))  # float32 weights
    got = np.array([model.forward(row)[0] for row in X.tolist()])
    np.testing.assert_allclose(got, least_squares(X, y), rtol=0, atol=1e-4)


def test_default_mlp_regression_is_at_least_as_good_as_scikit_learns(diabetes_split):
    from sklearn.neural_network import MLPRegressor

    X_train, X_test, y_train, y_test = diabetes_split
    ours, theirs = [], []
    for seed in range(3):
        ours.append(r2(y_test, fit(X_train, y_train, task="regression", seed=seed).predict(X_test)))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # its ConvergenceWarning: the default max_iter is what a user gets
            sklearn = MLPRegressor(hidden_layer_sizes=(32,), random_state=seed).fit(X_train, y_train)
        theirs.append(r2(y_test, sklearn.predict(X_test)))
    assert np.mean(ours) >= np.mean(theirs) > 0.2, (ours, theirs)


def test_regression_learns_a_nonlinear_function_with_several_targets():
    rng = np.random.default_rng(0)
    X = rng.uniform(-2, 2, size=(400, 2))
    y = np.c_[np.sin(X[:, 0]) * X[:, 1], X[:, 0] ** 2 - 1.3]
    y = (y - y.mean(axis=0)) / y.std(axis=0)
    network = fit(X, y, task="regression", epochs=500)
    predicted = network.predict(X)
    assert predicted.shape == (400, 2)
    assert r2(y[:, 0], predicted[:, 0]) > 0.95 and r2(y[:, 1], predicted[:, 1]) > 0.95
    assert fit(X, y, task="regression", hidden=()).predict(X).shape == (400, 2)


def test_each_kind_of_model_trains_for_its_default_epochs():
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(30, 3)), rng.normal(size=30)
    assert fit(X, y, task="regression").epochs_run == MODEL_DEFAULTS["regression"]["epochs"] == 50
    assert fit(X, y > 0).epochs_run == MODEL_DEFAULTS["classification"]["epochs"] == 300
    assert fit(X, y, task="regression", hidden=(), epochs=3).epochs_run == 3
    # tol is a full-batch test; with mini-batches every epoch runs
    assert fit(X, y, task="regression", hidden=(), epochs=40, batch_size=8, tol=1.0).epochs_run == 40
    assert fit(X, y, task="regression", hidden=(), tol=100.0).epochs_run == 1


def test_logistic_regression_is_a_linear_layer_and_softmax():
    X, y = datasets.load_iris(return_X_y=True)
    X = standardize(X)[0]
    network = fit(X, y, hidden=())
    assert (network.predict(X) == y).mean() >= 0.95
    assert [type(layer) for layer in engine_layers(network)] == [finf.Linear, finf.Softmax]
    np.testing.assert_allclose(network.predict_proba(X).sum(axis=1), 1.0)


def test_a_regressor_has_no_class_probabilities():
    network = fit(np.zeros((4, 1)), np.arange(4.0), task="regression", epochs=1)
    with pytest.raises(ValueError, match="predict_proba needs a classifier; this network's task is regression"):
        network.predict_proba(np.zeros((1, 1)))


@pytest.mark.parametrize(("X", "y", "settings", "message"), [
    (np.zeros((3, 2)), [0.0, 1.0, 2.0], {"task": "ranking"}, "task must be one of classification, regression"),
    (np.zeros((3, 2)), [0.0, 1.0, 2.0], {"task": "regression", "n_classes": 3}, "n_classes is for classification"),
    (np.zeros((3, 2)), [0.0, np.nan, 2.0], {"task": "regression"}, "a regression target y must be finite"),
    (np.zeros((3, 2)), [0.0, 1.0], {"task": "regression"}, r"a row for each of the 2 targets, not \(3, 2\)"),
    (np.zeros(3), [0, 1, 0], {}, r"X must be \(n, n_features\)"),
    (np.zeros((0, 2)), [], {}, r"X must be \(n, n_features\)"),
    (np.zeros((3, 2)), [0, 1, 2], {"n_classes": 2}, r"must be \(n,\) in \[0, 2\), found \(3,\) from 0 to 2"),
    (np.zeros((3, 2)), [0, -1, 1], {}, r"must be \(n,\) in \[0, 2\), found \(3,\) from -1 to 1"),
    (np.zeros((3, 2)), [[0], [1], [0]], {}, r"class indices y must be \(n,\)"),
    (np.zeros((3, 2)), [0, 1, 0], {"tol": -1.0}, "tol must be a finite number >= 0"),
])
def test_bad_input_is_rejected_with_a_clear_message(X, y, settings, message):
    with pytest.raises(ValueError, match=message):
        fit(X, np.array(y), **settings)
