"""Linear: y = x @ weight.T + bias, the trainable twin of finf.Linear."""

import numpy as np

from .module import Module


class Linear(Module):
    """A fully connected layer; weight is (out_features, in_features) and initialised as PyTorch's nn.Linear is."""

    param_names = ("weight", "bias")

    def __init__(self, in_features, out_features, rng=None):
        rng = np.random.default_rng() if rng is None else rng
        self.in_features, self.out_features = int(in_features), int(out_features)
        bound = 1.0 / np.sqrt(self.in_features)  # U(-1/sqrt(in), 1/sqrt(in)), weight drawn before bias
        self.weight = rng.uniform(-bound, bound, (self.out_features, self.in_features))
        self.bias = rng.uniform(-bound, bound, (self.out_features,))
        self.weight_grad = np.zeros_like(self.weight)
        self.bias_grad = np.zeros_like(self.bias)
        # The network's input needs no gradient, so the first layer of a network may skip computing it.
        self.input_grad = True

    def forward(self, x):
        self.x = x  # (..., in)
        out = x @ self.weight.T  # (..., out)
        out += self.bias
        return out

    def backward(self, grad_out):
        rows, x = grad_out, self.x
        if grad_out.ndim > 2:  # a sequence (B, T, out): every position is one more row
            rows, x = grad_out.reshape(-1, self.out_features), x.reshape(-1, self.in_features)
        # Plain assignment: numpy's matmul(..., out=) can fall off the fast BLAS path.
        self.bias_grad[...] = rows.sum(axis=0)  # (out,)
        self.weight_grad[...] = rows.T @ x  # (out, in)
        return grad_out @ self.weight if self.input_grad else None  # (..., in)

    def __repr__(self):
        return f"Linear(in_features={self.in_features}, out_features={self.out_features})"
