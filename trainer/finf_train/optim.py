"""Optimizers that update numpy parameters in place, with torch.optim's update rules."""

import math

import numpy as np

OPTIMIZERS = ("adam", "sgd")
DEFAULT_LR = {"adam": 0.01, "sgd": 0.1}


class SGD:
    """Stochastic gradient descent with momentum: v = momentum * v + g; p -= lr * v."""

    def __init__(self, params, lr=DEFAULT_LR["sgd"], momentum=0.9):
        self.params, self.lr, self.momentum = params, lr, momentum
        self.velocity = [np.zeros_like(p) for p in params]

    def step(self, grads):
        """Apply one update from grads, which match params one to one."""
        for p, g, v in zip(self.params, grads, self.velocity, strict=True):
            v *= self.momentum
            v += g
            p -= self.lr * v


class Adam:
    """Adam (Kingma and Ba, 2015), the update of torch.optim.Adam: eps is added after bias-correcting sqrt(v)."""

    def __init__(self, params, lr=DEFAULT_LR["adam"], betas=(0.9, 0.999), eps=1e-8):
        self.params, self.lr, self.betas, self.eps = params, lr, betas, eps
        self.m = [np.zeros_like(p) for p in params]
        self.v = [np.zeros_like(p) for p in params]
        self.t = 0

    def step(self, grads):
        """Apply one update from grads, which match params one to one."""
        beta1, beta2 = self.betas
        self.t += 1
        step_size = self.lr / (1.0 - beta1**self.t)
        v_scale = 1.0 / math.sqrt(1.0 - beta2**self.t)
        for p, g, m, v in zip(self.params, grads, self.m, self.v, strict=True):
            m *= beta1
            m += (1.0 - beta1) * g
            v *= beta2
            v += (1.0 - beta2) * (g * g)
            denominator = np.sqrt(v)
            denominator *= v_scale
            denominator += self.eps
            p -= step_size * m / denominator


def make_optimizer(name, params, lr=None):
    """An optimizer by name ('adam' or 'sgd'); lr None means that optimizer's default."""
    if name not in OPTIMIZERS:
        raise ValueError(f"optimizer must be one of {', '.join(OPTIMIZERS)}, not {name!r}")
    lr = DEFAULT_LR[name] if lr is None else lr
    return Adam(params, lr=lr) if name == "adam" else SGD(params, lr=lr)
