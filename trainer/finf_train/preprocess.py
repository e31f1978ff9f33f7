"""From a Dataset's columns to what the network sees, and to the engine features that redo it at prediction time.

Fitted on the training rows alone: a numeric feature's mean and std (std 1 for a constant column, as
scikit-learn's StandardScaler does) and, with imputation, its fill (the mean); a categorical feature's fill
(its most frequent category). Categories come from every row: they describe the column, not the split.
Every statistic is rounded exactly as the model file will store it, so training sees what inference will.
"""

import numpy as np

import finf
from finf.format import float32, format_number


def stored(value, version):
    """value as a FINF file of that version gives it back: v2 writes decimal text, v3 float32."""
    return float(format_number(value)) if version == 2 else float32(value)


def file_version(dataset, impute):
    """2 when a v2 file can hold the model (numeric features, no fill values, a classifier), else 3."""
    plain = dataset.task == "classification" and all(c is None for c in dataset.categories)
    return 2 if plain and not impute else 3


def fit_features(dataset, train_index, impute=False, version=3):
    """The engine features for dataset's columns, their statistics from the rows train_index."""
    features = []
    for j, (name, categories) in enumerate(zip(dataset.feature_names, dataset.categories, strict=True)):
        column = dataset.X[train_index, j]
        present = column[~np.isnan(column)]
        if len(present) == 0:  # every training value missing: the column's values elsewhere stand in
            present = dataset.X[~np.isnan(dataset.X[:, j]), j]
        if categories is None:
            mean, std = stored(present.mean(), version), stored(present.std(), version)
            std = std if std > 0 else 1.0  # a constant (or too narrow for float32) column: centred, not scaled
            fill = mean if impute else None
            features.append(finf.NumericFeature(name, mean, std, fill))
        else:
            counts = np.bincount(present.astype(np.int64), minlength=len(categories))
            fill = categories[int(counts.argmax())] if impute else None
            features.append(finf.CategoricalFeature(name, categories, fill))
    return features


def encode(X, features):
    """The network's input (n, width) for raw columns X (n, n_features): standardized numbers and one-hots.

    A missing value (NaN) takes its feature's fill; callers make sure a feature without one has none missing.
    """
    blocks = []
    for j, feature in enumerate(features):
        column = X[:, j]
        if feature.fill is not None:
            fill = feature.fill if feature.kind == "numeric" else feature.index(feature.fill)
            column = np.where(np.isnan(column), fill, column)
        if feature.kind == "numeric":
            blocks.append(((column - feature.mean) / feature.std)[:, None])
        else:
            onehot = np.zeros((len(column), feature.width))
            onehot[np.arange(len(column)), column.astype(np.int64)] = 1.0
            blocks.append(onehot)
    return np.hstack(blocks) if blocks else np.empty((len(X), 0))


def target_scaling(y):
    """(mean, std) that standardize a regression target, as float32 the file stores; std 1 for a constant."""
    mean, std = float32(y.mean()), float32(y.std())
    return mean, (std if std > 0 else 1.0)
