"""The z-score normalizer of a numeric table, fitted on training rows and rounded as a v2 file stores it.

train() fits its features with preprocess.py, which also handles categories and missing values; this is
the plain numeric case on its own, as the benchmarks use it.
"""

import numpy as np

from .preprocess import stored


def fit_normalizer(X):
    """Per-feature (mean, std) of X (n_rows, n_features), each rounded to the decimal text the model file holds."""
    mean = X.mean(axis=0)
    std = X.std(axis=0)  # population std (ddof=0), so the training rows come out with std exactly 1
    # The engine reads these numbers back from text, so train with the very same values.
    mean = np.array([stored(m, 2) for m in mean])
    std = np.array([stored(s, 2) for s in std])
    # A constant column (or one too narrow for float32) would divide by zero; leave it unscaled.
    std[~(std > 0)] = 1.0
    return mean, std


def apply_normalizer(X, mean, std):
    """(X - mean) / std, feature by feature: the first thing the engine does to every row."""
    return (X - mean) / std
