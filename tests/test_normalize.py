"""The normalizer: fitted on training rows, rounded as the model file stores it."""

import numpy as np
import pytest

from finf.format import format_number
from finf_train.normalize import apply_normalizer, fit_normalizer


@pytest.fixture
def X():
    rng = np.random.default_rng(3)
    return rng.normal(loc=[5.0, -300.0, 0.001], scale=[0.8, 40.0, 0.0002], size=(200, 3))


def test_zero_mean_unit_std_on_training_data(X):
    mean, std = fit_normalizer(X)
    Z = apply_normalizer(X, mean, std)
    # Only the float32 rounding of mean and std separates these from exactly 0 and 1.
    np.testing.assert_allclose(Z.mean(axis=0), 0.0, atol=1e-5)
    np.testing.assert_allclose(Z.std(axis=0), 1.0, rtol=1e-6)


def test_statistics_are_rounded_like_the_model_file(X):
    mean, std = fit_normalizer(X)
    for value in (*mean, *std):
        assert value == float(format_number(value))
    np.testing.assert_allclose(mean, X.mean(axis=0), rtol=1e-7)
    np.testing.assert_allclose(std, X.std(axis=0), rtol=1e-7)


def test_constant_column_is_left_unscaled():
    X = np.array([[1.0, 7.0], [2.0, 7.0], [3.0, 7.0]])
    mean, std = fit_normalizer(X)
    assert std[1] == 1.0
    assert apply_normalizer(X, mean, std)[:, 1].tolist() == [0.0, 0.0, 0.0]
