"""Layers: the normalizer that every model starts with, and Linear."""

from . import _ops


class Normalizer:
    """z-score: (x - mean) / std per feature, with statistics from the training data."""

    def __init__(self, mean, std):
        if len(mean) != len(std):
            raise ValueError(f"mean has {len(mean)} values but std has {len(std)}")
        self.mean = tuple(float(m) for m in mean)
        self.std = tuple(float(s) for s in std)

    @property
    def n_features(self):
        return len(self.mean)

    def __call__(self, x):
        return [(v - m) / s for v, m, s in zip(x, self.mean, self.std, strict=True)]

    def __repr__(self):
        return f"Normalizer(mean={list(self.mean)}, std={list(self.std)})"


class Linear:
    """y = weight @ x + bias, with weight of shape (out_features, in_features) as in PyTorch."""

    def __init__(self, in_features, out_features, weight, bias):
        self.in_features = in_features
        self.out_features = out_features
        self.weight = tuple(tuple(float(w) for w in row) for row in weight)
        self.bias = tuple(float(b) for b in bias)
        if len(self.weight) != out_features or any(len(row) != in_features for row in self.weight):
            raise ValueError(f"weight must have shape ({out_features}, {in_features})")
        if len(self.bias) != out_features:
            raise ValueError(f"bias must have {out_features} values, not {len(self.bias)}")

    def __call__(self, x):
        return _ops.add(_ops.matvec(self.weight, x), self.bias)

    def __repr__(self):
        return f"Linear(in_features={self.in_features}, out_features={self.out_features})"
