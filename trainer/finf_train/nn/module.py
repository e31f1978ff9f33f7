"""Module, the base of every layer, and Sequential, which chains layers and keeps their parameters in one vector.

A module's forward(x) returns its output and caches what its backward pass needs; backward(grad_out) takes
dloss/doutput, writes dloss/dparameter into the module's gradient arrays (it assigns, it does not add) and
returns dloss/dinput. A module names its parameters in `param_names`; the gradient of `weight` is `weight_grad`.
"""

import numpy as np


class Module:
    """Base class: parameters() and gradients() match one to one; children() are the modules inside this one."""

    param_names = ()

    def parameters(self):
        """This module's parameter arrays, then its children's, depth first."""
        own = [getattr(self, name) for name in self.param_names]
        return own + [p for child in self.children() for p in child.parameters()]

    def gradients(self):
        """The gradient arrays, in the order of parameters()."""
        own = [getattr(self, name + "_grad") for name in self.param_names]
        return own + [g for child in self.children() for g in child.gradients()]

    def children(self):
        return ()

    def named_parameters(self, prefix=""):
        """(dotted name, array) pairs as PyTorch names them: attribute names, list items by index ("h.0.attn...")."""
        for name in self.param_names:
            yield prefix + name, getattr(self, name)
        for attr, value in vars(self).items():
            items = enumerate(value) if isinstance(value, list) else [(None, value)]
            for index, child in items:
                if isinstance(child, Module):
                    where = attr if index is None else f"{attr}.{index}"
                    yield from child.named_parameters(f"{prefix}{where}.")

    def forward(self, x):
        raise NotImplementedError

    def backward(self, grad_out):
        raise NotImplementedError

    def __call__(self, x):
        return self.forward(x)

    def __repr__(self):
        return f"{type(self).__name__}()"


class Sequential(Module):
    """Modules applied in order; all their parameters live in one flat vector `flat`, gradients in `flat_grad`.

    With one vector, an optimizer step is a handful of numpy calls however many layers there are; each
    module's parameters and gradients become views into the two vectors.
    """

    def __init__(self, *modules):
        self._modules = modules
        flatten(self)

    def children(self):
        return self._modules

    def forward(self, x):
        for module in self._modules:
            x = module.forward(x)
        return x

    def backward(self, grad_out):
        for module in reversed(self._modules):
            grad_out = module.backward(grad_out)
        return grad_out

    def __getitem__(self, index):
        return self._modules[index]

    def __iter__(self):
        return iter(self._modules)

    def __len__(self):
        return len(self._modules)

    def __repr__(self):
        inner = "".join(f"\n  {module!r}," for module in self._modules)
        return f"Sequential({inner}\n)"


def flatten(module, dtype=np.float64):
    """Move module's parameters into one vector, module.flat, and its gradients into module.flat_grad; return it.

    The parameters and gradients stay where they were, as views into the two vectors, of dtype.
    """
    flat, flat_grad = _allocate(module.parameters(), dtype)
    _bind(module, flat, flat_grad, 0)
    return module


def _allocate(params, dtype=np.float64):
    size = sum(p.size for p in params)
    return np.empty(size, dtype), np.zeros(size, dtype)


def _bind(module, flat, flat_grad, start):
    """Copy module's parameters into flat from start on and make them (and their gradients) views; return the end."""
    first = start
    for name in module.param_names:
        value = getattr(module, name)
        end = start + value.size
        view = flat[start:end].reshape(value.shape)
        view[...] = value
        setattr(module, name, view)
        setattr(module, name + "_grad", flat_grad[start:end].reshape(value.shape))
        start = end
    for child in module.children():
        start = _bind(child, flat, flat_grad, start)
    if module.children():  # a container nested in a bigger one still sees its own slice as its vectors
        module.flat, module.flat_grad = flat[first:start], flat_grad[first:start]
    return start
