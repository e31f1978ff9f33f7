"""Activations, the twins of the engine's: each caches its output, from which its derivative follows."""

import math

import numpy as np

from .module import Module


class Identity(Module):
    def forward(self, x):
        return x

    def backward(self, grad_out):
        return grad_out


class _InPlace(Module):
    """With inplace=True, forward overwrites its input rather than allocate (as torch's ReLU(inplace=True) does).

    A network sets it where the input is a fresh array nobody else reads: the output of a Linear.
    """

    def __init__(self, inplace=False):
        self.inplace = inplace

    def __repr__(self):
        return f"{type(self).__name__}({'inplace=True' if self.inplace else ''})"


class ReLU(_InPlace):
    def forward(self, x):
        self.out = np.maximum(x, 0.0, out=x if self.inplace else None)
        return self.out

    def backward(self, grad_out):
        return grad_out * (self.out > 0)


class Tanh(_InPlace):
    def forward(self, x):
        self.out = np.tanh(x, out=x if self.inplace else None)
        return self.out

    def backward(self, grad_out):
        return grad_out * (1.0 - self.out * self.out)


class Sigmoid(_InPlace):
    def forward(self, x):
        e = np.exp(-np.abs(x))  # exp() only ever sees a non-positive argument, so it cannot overflow
        self.out = np.divide(np.where(x >= 0, 1.0, e), 1.0 + e, out=x if self.inplace else None)
        return self.out

    def backward(self, grad_out):
        return grad_out * (self.out * (1.0 - self.out))


class Softmax(Module):
    """Softmax over the last axis. Training uses the fused softmax_cross_entropy instead; this one is for outputs."""

    def forward(self, x):
        self.out = softmax(x)
        return self.out

    def backward(self, grad_out):
        # The Jacobian of softmax is diag(s) - s s^T, so J^T g = s * (g - <g, s>).
        return self.out * (grad_out - (grad_out * self.out).sum(axis=-1, keepdims=True))


def softmax(logits):
    """Softmax over the last axis, max-subtracted so exp() cannot overflow; a new array."""
    p = logits - logits.max(axis=-1, keepdims=True)
    np.exp(p, out=p)
    p /= p.sum(axis=-1, keepdims=True)
    return p


# The hidden-layer activations a network can be built with, by the names the trainer and its card use.
ACTIVATIONS = {"relu": ReLU, "tanh": Tanh, "sigmoid": Sigmoid}


class GELU(Module):
    """GELU with the tanh approximation (torch.nn.GELU(approximate="tanh")): 0.5 x (1 + tanh(c (x + 0.044715 x^3)))."""

    C = math.sqrt(2.0 / math.pi)  # a Python float, so that float32 inputs stay float32

    def forward(self, x):
        self.x = x
        x2 = x * x
        u = x2 * (self.C * 0.044715)
        u += self.C
        u *= x  # c (x + 0.044715 x^3)
        self.t = np.tanh(u, out=u)
        out = self.t + 1.0
        out *= x
        out *= 0.5
        self.x2 = x2
        return out

    def backward(self, grad_out):
        # d/dx = 0.5 (1 + t) + 0.5 x (1 - t^2) c (1 + 3 * 0.044715 x^2), in place to spare temporaries.
        x, t, d = self.x, self.t, self.x2
        d *= 3 * 0.044715 * self.C
        d += self.C
        d *= x
        d *= 1.0 - t * t
        d += t
        d += 1.0
        d *= 0.5
        d *= grad_out
        return d
