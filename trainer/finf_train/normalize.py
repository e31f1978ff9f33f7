"""The z-score normalizer, fitted on training rows and rounded exactly as the model file stores it."""

import numpy as np

from finf.format import format_number


def fit_normalizer(X):
    """Per-feature (mean, std) of X (n_rows, n_features), each rounded to the decimal text the model file holds."""
    mean = X.mean(axis=0)
    std = X.std(axis=0)  # population std (ddof=0), so the training rows come out with std exactly 1
    # The engine reads these numbers back from text, so train with the very same values.
    mean = np.array([float(format_number(m)) for m in mean])
    std = np.array([float(format_number(s)) for s in std])
    # A constant column (or one too narrow for float32) would divide by zero; leave it unscaled.
    std[~(std > 0)] = 1.0
    return mean, std


def apply_normalizer(X, mean, std):
    """(X - mean) / std, feature by feature: the first thing the engine does to every row."""
    return (X - mean) / std
