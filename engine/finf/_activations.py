"""Element-wise and vector activations, named as in PyTorch."""

import math

from . import _ops


class Activation:
    """Base class: an activation is known by its kind alone."""

    kind = ""

    def __repr__(self):
        return f"{type(self).__name__}()"

    def __eq__(self, other):
        return type(self) is type(other)

    def __hash__(self):
        return hash(self.kind)


class Identity(Activation):
    kind = "identity"

    def __call__(self, x):
        return list(x)


class ReLU(Activation):
    kind = "relu"

    def __call__(self, x):
        return [v if v > 0.0 else 0.0 for v in x]


class Sigmoid(Activation):
    kind = "sigmoid"

    def __call__(self, x):
        return [_ops.sigmoid(v) for v in x]


class Tanh(Activation):
    kind = "tanh"

    def __call__(self, x):
        return [math.tanh(v) for v in x]


class Softmax(Activation):
    kind = "softmax"

    def __call__(self, x):
        return _ops.softmax(x)


ACTIVATIONS = {cls.kind: cls for cls in (Identity, ReLU, Sigmoid, Tanh, Softmax)}
