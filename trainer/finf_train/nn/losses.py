"""Losses, each returning (loss, dloss/doutput): softmax cross-entropy for classes, mean squared error for values.

The training loop needs only the gradient, so each also has a gradient-only form that skips the loss value.
"""

import numpy as np

from .activations import softmax


def softmax_cross_entropy(logits, y):
    """Mean cross-entropy of softmax(logits) (n, k) against class indices y (n,), and its gradient (p - onehot)/n."""
    n = len(y)
    z = logits - logits.max(axis=1, keepdims=True)
    log_p = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
    loss = -log_p[np.arange(n), y].mean()
    return loss, cross_entropy_grad(logits, one_hot(y, logits.shape[1]))


def sequence_cross_entropy(logits, targets):
    """Mean cross-entropy of softmax(logits) (..., k) against class indices targets (...), and its gradient."""
    k = logits.shape[-1]
    rows, y = logits.reshape(-1, k), targets.reshape(-1)
    n = len(y)
    p = rows - rows.max(axis=1, keepdims=True)
    np.exp(p, out=p)
    total = p.sum(axis=1, keepdims=True)
    picked = p[np.arange(n), y] / total[:, 0]
    loss = float(-np.log(picked).mean())
    p *= 1.0 / (n * total)  # (softmax - onehot) / n
    p[np.arange(n), y] -= 1.0 / n
    return loss, p.reshape(logits.shape)


def cross_entropy_grad(logits, onehot):
    """The fused gradient of mean softmax cross-entropy w.r.t. logits (n, k): (softmax(logits) - onehot) / n."""
    p = softmax(logits)
    p -= onehot
    p *= 1.0 / len(onehot)
    return p


def one_hot(y, n_classes):
    """(n, n_classes) float64 rows with a 1 in column y[i]."""
    onehot = np.zeros((len(y), n_classes))
    onehot[np.arange(len(y)), y] = 1.0
    return onehot


def mse_loss(output, target):
    """Mean of (output - target)**2 over all elements (torch's MSELoss), and its gradient 2 (output - target) / size."""
    diff = output - target
    loss = float(np.mean(diff * diff))
    return loss, _scaled(diff)


def mse_grad(output, target):
    """The gradient of mse_loss alone."""
    return _scaled(output - target)


def _scaled(diff):
    diff *= 2.0 / diff.size
    return diff
