"""What a preprocessing chain does to each raw input column, and how the first Linear layer absorbs it.

A converted model's preprocessing (scalers, imputers, one-hot encoders) is followed column by column: every
column the chain outputs is `offset + scale * v`, where v is a raw input's value (its fill when missing) or
its one-hot indicator of one category, or 1 for a constant column. FINF's features then do what they always
do (fill, standardize, one-hot) and fold() rewrites the first Linear layer so that, fed FINF's encoded row,
it computes what it computed on the chain's columns. Standardization that a column had is kept as the FINF
feature's mean and std, so the file reads like a trained one; anything else is folded into the weights.
"""

import math
from typing import NamedTuple

import numpy as np

import finf
from finf.format import float32


class Column(NamedTuple):
    """One output column: offset + scale * (raw input `source`'s value, or its indicator of `category`)."""

    source: int | None  # index of the raw input column; None for a constant column (offset alone)
    category: str | None = None  # the category whose indicator this is; None: the value itself
    scale: float = 1.0
    offset: float = 0.0

    def then(self, scale, offset):
        """This column after y = offset + scale * x."""
        return Column(self.source, self.category, self.scale * scale, self.offset * scale + offset)

    @property
    def raw(self):
        return self.source is not None and self.category is None and self.scale == 1.0 and self.offset == 0.0


class Inputs:
    """The raw input columns (names), what is known of each (fill value, categories) and the current columns."""

    def __init__(self, names):
        self.names = list(names)
        self.columns = [Column(j) for j in range(len(self.names))]
        self.fills = {}  # raw column -> its fill, in raw units (a number or a category)
        self.categories = {}  # raw column -> its categories (text), for a one-hot encoded column

    def name(self, column):
        return repr(self.names[column.source]) if column.source is not None else "a constant column"

    def fold(self, weight, bias):
        """(FINF features, weight, bias) for FINF's encoded row, from a first layer (out, n) over self.columns.

        Raw columns no output column comes from are left out of the features.
        """
        weight, bias = np.asarray(weight, dtype=np.float64), np.array(bias, dtype=np.float64)
        if weight.shape[1] != len(self.columns):
            raise ValueError(f"the estimator takes {weight.shape[1]} columns but the steps before it give "
                             f"{len(self.columns)}")
        used = sorted({c.source for c in self.columns if c.source is not None})
        features, position = [], {}
        width = 0
        for j in used:
            position[j] = width
            feature = self._feature(j)
            features.append(feature)
            width += feature.width
        folded = np.zeros((weight.shape[0], width))
        bias = bias.copy()
        for column, w in zip(self.columns, weight.T, strict=True):
            j = column.source
            if j is None:
                bias += column.offset * w
            elif column.category is not None:
                folded[:, position[j] + self.categories[j].index(column.category)] += column.scale * w
                bias += column.offset * w
            else:
                feature = features[used.index(j)]
                # x = mean + std * z, z being what FINF feeds the network; exact when the column was standardized
                folded[:, position[j]] += column.scale * feature.std * w
                bias += (column.offset + column.scale * feature.mean) * w
        return features, folded, bias

    def _feature(self, j):
        name, fill = self.names[j], self.fills.get(j)
        if j in self.categories:
            if any(c.source == j and c.category is None for c in self.columns):
                raise ValueError(f"input {name!r} is used both one-hot encoded and as a number: FINF encodes each "
                                 "input one way")
            return finf.CategoricalFeature(name, self.categories[j], fill)
        if isinstance(fill, str):
            raise ValueError(f"input {name!r} is filled with the text {fill!r} but is not one-hot encoded")
        # The first standardizing column of this input gives the feature's mean and std, as float32 as the
        # file stores them; fold() then compensates for that rounding in the weights.
        first = next((c for c in self.columns if c.source == j and c.category is None and c.scale > 0), None)
        mean, std = 0.0, 1.0
        if first is not None:
            m, s = float32(-first.offset / first.scale), float32(1.0 / first.scale)
            if m is not None and s is not None and s > 0:
                mean, std = m, s
        if fill is not None and not math.isfinite(float(fill)):
            raise ValueError(f"input {name!r}: its fill value {fill!r} is not a finite number")
        return finf.NumericFeature(name, mean, std, None if fill is None else float(fill))


def build_model(inputs, layers, target):
    """The finf Model, as its file holds it (float32), of inputs and layers: (weight (out, in), bias) or activations.

    The first Linear layer absorbs the preprocessing of inputs (fold).
    """
    layers = list(layers)
    first = next(i for i, layer in enumerate(layers) if isinstance(layer, tuple))
    features, weight, bias = inputs.fold(*layers[first])
    layers[first] = (weight, bias)
    engine = []
    for layer in layers:
        if isinstance(layer, tuple):
            w, b = layer
            engine.append(finf.Linear(w.shape[1], w.shape[0], w.tolist(), b.tolist()))
        else:
            engine.append(layer)
    return finf.load(finf.dumps(finf.Model(features, engine, target)))
