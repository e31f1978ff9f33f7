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


class AdamW(Adam):
    """Adam with decoupled weight decay, the update of torch.optim.AdamW: p *= 1 - lr * weight_decay, then Adam.

    weight_decay is one number for every parameter, or a list matching params one to one whose items are
    numbers or arrays of the parameter's shape (e.g. 1 for matrix elements and 0 for biases, times the rate).
    """

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.01):
        super().__init__(params, lr=lr, betas=betas, eps=eps)
        self.weight_decay = weight_decay if isinstance(weight_decay, list) else [weight_decay] * len(params)

    def step(self, grads):
        """Apply one update from grads, which match params one to one."""
        for p, decay in zip(self.params, self.weight_decay, strict=True):
            p *= 1.0 - self.lr * decay
        super().step(grads)


def clip_grad_norm(grads, max_norm):
    """Scale grads in place so that their global L2 norm is at most max_norm (torch.nn.utils.clip_grad_norm_);
    return the norm before clipping."""
    total = math.sqrt(sum(float(np.dot(g.ravel(), g.ravel())) for g in grads))
    scale = max_norm / (total + 1e-6)
    if scale < 1.0:
        for g in grads:
            g *= scale
    return total


def cosine_lr(step, lr, steps, warmup, min_lr):
    """The learning rate at step (0-based) of steps: linear warm-up over warmup steps, then cosine decay to min_lr."""
    if step < warmup:
        return lr * (step + 1) / warmup
    progress = (step - warmup) / max(1, steps - warmup)
    return min_lr + 0.5 * (1.0 + math.cos(math.pi * min(progress, 1.0))) * (lr - min_lr)


def make_optimizer(name, params, lr=None):
    """An optimizer by name ('adam' or 'sgd'); lr None means that optimizer's default."""
    if name not in OPTIMIZERS:
        raise ValueError(f"optimizer must be one of {', '.join(OPTIMIZERS)}, not {name!r}")
    lr = DEFAULT_LR[name] if lr is None else lr
    return Adam(params, lr=lr) if name == "adam" else SGD(params, lr=lr)
