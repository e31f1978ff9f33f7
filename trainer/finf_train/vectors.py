"""Rows the card carries: test vectors, so a server of the model can check it computes what the trainer did,
and, when asked for, a small sample of training rows the page draws on its map.

Rows are in the card's form: numbers, category names, null for a missing value (as `finf predict` and the
page take them).
"""

import numpy as np

TEST_VECTORS = 5  # enough to cover the range of the data; each is a few dozen bytes of the card


def card_rows(dataset, features, index):
    """The rows dataset.X[index] in the card's form, for the model's features."""
    rows = []
    for x in dataset.X[index]:
        row = []
        for value, feature in zip(x.tolist(), features, strict=True):
            if value != value:  # NaN: missing
                row.append(None)
            else:
                row.append(feature.categories[int(value)] if feature.kind == "categorical" else value)
        rows.append(row)
    return rows


def spread(n, count=TEST_VECTORS):
    """count row indices spread evenly over n rows, first and last included."""
    return np.unique(np.linspace(0, n - 1, min(count, n)).round().astype(np.int64))


def test_vectors(dataset, model, index, outputs):
    """The card's test_vectors: {rows, probabilities} of a classifier or {rows, values} of a regressor."""
    key = "probabilities" if model.task == "classification" else "values"
    return {"rows": card_rows(dataset, model.features, index), key: np.asarray(outputs).tolist()}


def sample(dataset, model, train_index, count, seed):
    """The card's sample: {rows, targets} of count training rows drawn at random (all when fewer)."""
    rng = np.random.default_rng(seed)
    index = np.sort(rng.choice(train_index, size=min(count, len(train_index)), replace=False))
    targets = dataset.y[index].tolist()
    if dataset.task == "classification":
        targets = [dataset.classes[t] for t in targets]
    return {"rows": card_rows(dataset, model.features, index), "targets": targets}
