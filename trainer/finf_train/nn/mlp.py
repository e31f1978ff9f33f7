"""MLP: Linear layers with the same activation between them, and no activation after the last."""

import numpy as np

from .activations import ACTIVATIONS
from .linear import Linear
from .module import Sequential


class MLP(Sequential):
    """Linear(sizes[0], sizes[1]), activation, ..., Linear(sizes[-2], sizes[-1]); two sizes make a linear model.

    Layers are initialised in order from rng, each weight before its bias. The first Linear skips the
    gradient with respect to the network's input, which training never needs.
    """

    def __init__(self, sizes, activation="relu", rng=None):
        if activation not in ACTIVATIONS:
            raise ValueError(f"activation must be one of {', '.join(ACTIVATIONS)}, not {activation!r}")
        rng = np.random.default_rng() if rng is None else rng
        self.sizes, self.activation = [int(n) for n in sizes], activation
        modules = []
        for n_in, n_out in zip(self.sizes[:-1], self.sizes[1:], strict=True):
            if modules:
                modules.append(ACTIVATIONS[activation](inplace=True))  # its input is the Linear's fresh output
            modules.append(Linear(n_in, n_out, rng))
        modules[0].input_grad = False
        super().__init__(*modules)
