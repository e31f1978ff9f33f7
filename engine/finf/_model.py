"""Model: a normalizer followed by a sequence of layers."""

import math
import numbers

from . import _fast, _ops
from ._activations import Activation


class Model:
    """A trained network: raw features in, class probabilities out."""

    def __init__(self, normalizer, layers, version=2):
        self.normalizer = normalizer
        self.layers = list(layers)
        self.version = version
        linears = [layer for layer in self.layers if not isinstance(layer, Activation)]
        if not linears:
            raise ValueError("a model needs at least one Linear layer")
        width = normalizer.n_features
        for layer in linears:
            if layer.in_features != width:
                raise ValueError(f"{layer!r} does not follow a layer of width {width}")
            width = layer.out_features
        self.n_features = normalizer.n_features
        self.n_outputs = width
        # The layout is computed once here, so a Model is not meant to be changed after construction.
        self._steps = _fast.plan(normalizer, self.layers)

    def parameters(self):
        """All weights and biases, layer by layer, as flat lists."""
        params = []
        for layer in self.layers:
            if not isinstance(layer, Activation):
                params.append([w for row in layer.weight for w in row])
                params.append(list(layer.bias))
        return params

    def forward(self, x):
        """The reference forward pass: normalize, then each layer in turn."""
        x = self.normalizer(x)
        for layer in self.layers:
            x = layer(x)
        return x

    def predict_proba(self, row):
        """Class probabilities for one row of raw feature values."""
        x = self._check_row(row)
        for step in self._steps:  # the fast path: forward() laid out for speed, see _fast.py
            x = step(x)
        return x

    def predict(self, row):
        """Index of the most probable class for one row."""
        return _ops.argmax(self.predict_proba(row))

    def predict_proba_batch(self, rows):
        """predict_proba for each row of an iterable of rows."""
        return [self.predict_proba(row) for row in rows]

    def predict_batch(self, rows):
        """predict for each row of an iterable of rows."""
        return [self.predict(row) for row in rows]

    def _check_row(self, row):
        # Fast path: a list or tuple of finite floats is used as it is (v - v is nan for nan and inf).
        if type(row) in (list, tuple) and len(row) == self.n_features:
            for v in row:
                if type(v) is not float or v - v != 0.0:
                    break
            else:
                return row
        return self._convert_row(row)

    def _convert_row(self, row):
        try:
            values = list(row)
        except TypeError:
            raise ValueError(f"expected a sequence of {self.n_features} numbers, got {type(row).__name__}") from None
        if len(values) != self.n_features:
            raise ValueError(f"expected {self.n_features} features, got {len(values)}")
        for i, value in enumerate(values):
            if isinstance(value, bool) or not isinstance(value, numbers.Real):
                raise ValueError(f"feature {i}: expected a number, got {value!r}")
            if not math.isfinite(value):
                raise ValueError(f"feature {i}: expected a finite number, got {value!r}")
        return [float(v) for v in values]

    def __repr__(self):
        inner = ", ".join(repr(layer) for layer in self.layers)
        return f"Model({self.normalizer!r}, [{inner}])"
