"""LayerNorm over the last axis, as torch.nn.LayerNorm: biased variance, eps inside the square root."""

import numpy as np

from .module import Module


class LayerNorm(Module):
    """y = (x - mean) / sqrt(var + eps) * weight + bias over the last axis; weight starts at 1, bias at 0."""

    param_names = ("weight", "bias")

    def __init__(self, normalized_shape, eps=1e-5):
        self.normalized_shape, self.eps = int(normalized_shape), eps
        self.weight = np.ones(self.normalized_shape)
        self.bias = np.zeros(self.normalized_shape)
        self.weight_grad = np.zeros_like(self.weight)
        self.bias_grad = np.zeros_like(self.bias)

    def forward(self, x):
        mean = x.mean(axis=-1, keepdims=True)
        xc = x - mean
        var = np.mean(xc * xc, axis=-1, keepdims=True)
        self.rstd = 1.0 / np.sqrt(var + self.eps)  # (..., 1)
        self.xhat = xc
        self.xhat *= self.rstd  # (..., C)
        out = self.xhat * self.weight
        out += self.bias
        return out

    def backward(self, grad_out):
        xhat, c = self.xhat, self.normalized_shape
        rows, xrows = grad_out.reshape(-1, c), xhat.reshape(-1, c)
        self.weight_grad[...] = np.einsum("ij,ij->j", rows, xrows)
        self.bias_grad[...] = rows.sum(axis=0)
        g = grad_out * self.weight  # dloss/dxhat
        # dx = rstd * (g - mean(g) - xhat * mean(g * xhat)): the mean and the scale both depend on every x.
        dx = g - g.mean(axis=-1, keepdims=True)
        dx -= xhat * np.mean(g * xhat, axis=-1, keepdims=True)
        dx *= self.rstd
        return dx

    def __repr__(self):
        return f"LayerNorm({self.normalized_shape})"
