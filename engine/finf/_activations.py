"""Element-wise and vector activations, named as in PyTorch.

In a file an activation is the layer tag TAG followed by one byte, its kind's index in KINDS.
"""

import math

from . import _ops

TAG = 1
KINDS = ("identity", "relu", "sigmoid", "tanh", "softmax")  # the kind byte indexes this tuple


class Activation:
    """Base class: an activation is known by its kind alone and has no parameters."""

    tag = TAG
    takes = gives = "values"
    kind = ""

    @staticmethod
    def read(cursor, i, width, source):
        """The activation whose kind byte comes next in cursor (after the tag); width passes through."""
        at = cursor.offset
        code = cursor.u8(f"layer {i} activation kind")
        if code >= len(KINDS):
            cursor.fail(f"layer {i} activation kind", f"0 to {len(KINDS) - 1}", code, at)
        return ACTIVATIONS[KINDS[code]]()

    def write(self):
        return bytes([KINDS.index(self.kind)])

    def out_width(self, width):
        return width

    def parameters(self):
        return []

    def describe(self):
        return type(self).__name__

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
