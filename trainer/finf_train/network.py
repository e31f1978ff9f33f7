"""Network: a trained nn.MLP and its task, with the scikit-learn style predictions of each task."""

import numpy as np

from . import nn

TASKS = ("classification", "regression")


class Network:
    """`layers` (an nn.MLP) maps normalized X (n, n_features) to logits (classification) or values (regression)."""

    def __init__(self, layers, task="classification"):
        if task not in TASKS:
            raise ValueError(f"task must be one of {', '.join(TASKS)}, not {task!r}")
        self.layers, self.task = layers, task
        self.epochs_run = None  # set by fit: fewer than its epochs when tol stopped it

    @property
    def n_features(self):
        return self.layers.sizes[0]

    @property
    def n_outputs(self):
        return self.layers.sizes[-1]

    def parameters(self):
        """The weight and bias arrays, layer by layer: views into layers.flat."""
        return self.layers.parameters()

    def forward(self, X):
        """The network's raw output (n, n_outputs): logits for a classifier, values for a regressor."""
        return self.layers.forward(np.asarray(X, dtype=np.float64))

    def predict_proba(self, X):
        """Class probabilities (n, n_classes) for normalized X; classifiers only."""
        if self.task != "classification":
            raise ValueError(f"predict_proba needs a classifier; this network's task is {self.task}")
        return nn.softmax(self.forward(X))

    def predict(self, X):
        """Class indices (n,) for a classifier; values (n,), or (n, n_outputs) for several targets, for a regressor."""
        out = self.forward(X)
        if self.task == "classification":
            return out.argmax(axis=1)
        return out[:, 0] if out.shape[1] == 1 else out

    def __repr__(self):
        return f"Network({self.layers!r}, task={self.task!r})"
