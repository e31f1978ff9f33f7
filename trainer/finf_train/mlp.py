"""A multilayer perceptron in numpy: forward, backward, and the fused softmax cross-entropy loss."""

from itertools import pairwise

import numpy as np

ACTIVATIONS = ("relu", "tanh", "sigmoid")


def relu(z):
    return np.maximum(z, 0.0, out=z)


def tanh(z):
    return np.tanh(z, out=z)


def sigmoid(z):
    # exp() only ever sees a non-positive argument, so it cannot overflow.
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


# Each takes a freshly computed z and may overwrite it (relu and tanh do, to save an allocation per step).
_FORWARD = {"relu": relu, "tanh": tanh, "sigmoid": sigmoid}


def activation_grad(name, h):
    """d activation / dz written in terms of its output h = activation(z)."""
    if name == "relu":
        return h > 0
    if name == "tanh":
        return 1.0 - h * h
    return h * (1.0 - h)


def _views(flat, shapes):
    views, start = [], 0
    for shape in shapes:
        size = int(np.prod(shape))
        views.append(flat[start : start + size].reshape(shape))
        start += size
    return views


class MLP:
    """Linear layers with the same activation after each but the last; each weight is (out, in) as in PyTorch."""

    def __init__(self, sizes, activation="relu", rng=None):
        if activation not in ACTIVATIONS:
            raise ValueError(f"activation must be one of {', '.join(ACTIVATIONS)}, not {activation!r}")
        rng = np.random.default_rng(0) if rng is None else rng
        self.sizes = [int(n) for n in sizes]
        self.activation = activation
        shapes = [s for n_in, n_out in pairwise(self.sizes) for s in ((n_out, n_in), (n_out,))]
        # All parameters live in one flat vector (and the gradients in another), so an optimizer step is a
        # handful of numpy calls however many layers there are; weights and biases are views into it.
        self.flat = np.empty(sum(int(np.prod(shape)) for shape in shapes))
        self.flat_grad = np.zeros_like(self.flat)
        params, grads = _views(self.flat, shapes), _views(self.flat_grad, shapes)
        self.weights, self.biases = params[0::2], params[1::2]
        self._weight_grads, self._bias_grads = grads[0::2], grads[1::2]
        for weight, bias in zip(self.weights, self.biases, strict=True):
            bound = 1.0 / np.sqrt(weight.shape[1])  # PyTorch's default nn.Linear initialisation
            weight[...] = rng.uniform(-bound, bound, weight.shape)
            bias[...] = rng.uniform(-bound, bound, bias.shape)

    def parameters(self):
        """[weight0, bias0, weight1, bias1, ...]: views into the flat parameter vector."""
        return [p for pair in zip(self.weights, self.biases, strict=True) for p in pair]

    def forward(self, X):
        """Logits (n, n_classes) for X (n, n_features), plus the layer inputs that backward needs."""
        inputs = []
        h = X
        last = len(self.weights) - 1
        for i, (weight, bias) in enumerate(zip(self.weights, self.biases, strict=True)):
            inputs.append(h)
            h = h @ weight.T  # (n, out)
            h += bias
            if i < last:
                h = _FORWARD[self.activation](h)
        return h, inputs

    def backward(self, inputs, dlogits):
        """Fill flat_grad with dloss/dparameters from dloss/dlogits (n, n_classes) and forward's inputs; return it."""
        delta = dlogits  # dloss/d(output of layer i), (n, out)
        for i in range(len(self.weights) - 1, -1, -1):
            h = inputs[i]  # (n, in)
            # Plain assignment: numpy's matmul(..., out=) can fall off the fast BLAS path.
            self._bias_grads[i][...] = delta.sum(axis=0)  # (out,)
            self._weight_grads[i][...] = delta.T @ h  # (out, in)
            if i > 0:
                delta = (delta @ self.weights[i]) * activation_grad(self.activation, h)
        return self.flat_grad

    def gradients(self):
        """[dweight0, dbias0, ...]: views into flat_grad, matching parameters()."""
        return [g for pair in zip(self._weight_grads, self._bias_grads, strict=True) for g in pair]

    def predict_proba(self, X):
        """Class probabilities (n, n_classes) for already-normalized X."""
        logits, _ = self.forward(X)
        return softmax(logits)


def softmax(logits):
    """Row-wise softmax of (n, k) logits, max-subtracted so exp() cannot overflow."""
    p = logits - logits.max(axis=1, keepdims=True)
    np.exp(p, out=p)
    p /= p.sum(axis=1, keepdims=True)
    return p


def softmax_cross_entropy(logits, y):
    """Mean cross-entropy of softmax(logits) (n, k) against class indices y (n,), and its gradient (p - onehot)/n."""
    n = len(y)
    z = logits - logits.max(axis=1, keepdims=True)
    log_p = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
    loss = -log_p[np.arange(n), y].mean()
    return loss, cross_entropy_grad(logits, one_hot(y, logits.shape[1]))


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
