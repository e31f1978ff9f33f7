"""Quality on this repository's tables, against scikit-learn on the very same split (train()'s own)."""

import warnings
from pathlib import Path

import numpy as np
import pytest

from finf_train import train

DATA = Path(__file__).parent.parent / "data"
sklearn = pytest.importorskip("sklearn")


def test_penguins_with_imputation_reach_97_percent():
    result = train(DATA / "penguins.csv", "species", missing="impute")
    assert result.model.version == 3
    assert result.metrics["val_accuracy"] >= 0.97
    assert result.metrics["baseline_accuracy"] < 0.5


def test_linear_regression_is_within_0_02_of_scikit_learns_r2():
    from sklearn.linear_model import LinearRegression

    result = train(DATA / "diabetes.csv", "progression", hidden=())
    ds, tr, va = result.dataset, result.train_index, result.val_index
    reference = LinearRegression().fit(ds.X[tr], ds.y[tr]).score(ds.X[va], ds.y[va])
    assert result.card["architecture"]["layers"] == ["Linear(10, 1)"]
    assert result.metrics["validation"]["r2"] >= reference - 0.02


@pytest.mark.slow
def test_default_mlp_regression_is_as_good_as_mlp_regressor():
    from sklearn.compose import TransformedTargetRegressor
    from sklearn.neural_network import MLPRegressor
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    result = train(DATA / "diabetes.csv", "progression")
    ds, tr, va = result.dataset, result.train_index, result.val_index
    scores = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # MLPRegressor's convergence warnings
        for seed in range(5):  # scaled inputs and target, as finf does; the median of five initialisations
            network = make_pipeline(StandardScaler(), MLPRegressor(hidden_layer_sizes=(32,), random_state=seed))
            model = TransformedTargetRegressor(network, transformer=StandardScaler()).fit(ds.X[tr], ds.y[tr])
            scores.append(model.score(ds.X[va], ds.y[va]))
    assert result.metrics["validation"]["r2"] >= np.median(scores)


def test_linear_regression_predictions_are_the_least_squares_fit():
    result = train(DATA / "diabetes.csv", "progression", hidden=())
    ds, tr = result.dataset, result.train_index
    mean, std = ds.X[tr].mean(axis=0), ds.X[tr].std(axis=0)
    A = np.c_[(ds.X - mean) / std, np.ones(len(ds.X))]
    ty = (ds.y - ds.y[tr].mean()) / ds.y[tr].std()
    coef, *_ = np.linalg.lstsq(A[tr], ty[tr], rcond=None)
    fitted = A @ coef
    model = result.model
    got = np.array([(model.predict(row) - model.target.mean) / model.target.std for row in ds.X.tolist()])
    # float32 statistics and weights in the file: agreement to 1e-4 on the standardized scale
    assert np.abs(got - fitted).max() < 1e-4
