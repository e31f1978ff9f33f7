"""Layer modules with forward and backward passes in numpy, named as in PyTorch, and the losses that train them.

Each layer is the trainable twin of an engine layer (finf.Linear, finf.ReLU, ...); see finf_train.export for
the mapping. To add a layer kind, subclass Module: list its parameters in `param_names` (the gradient of
`weight` lives in `weight_grad`), cache in forward what backward needs, and return dloss/dinput from backward.
"""

from .activations import ACTIVATIONS, GELU, Identity, ReLU, Sigmoid, Softmax, Tanh, softmax
from .attention import CausalSelfAttention
from .embedding import Embedding
from .layernorm import LayerNorm
from .linear import Linear
from .losses import cross_entropy_grad, mse_grad, mse_loss, one_hot, sequence_cross_entropy, softmax_cross_entropy
from .mlp import MLP
from .module import Module, Sequential, flatten
from .text import MeanPool, TextClassifier
from .transformer import Block, FeedForward

__all__ = [
    "ACTIVATIONS",
    "Block",
    "CausalSelfAttention",
    "Embedding",
    "FeedForward",
    "GELU",
    "Identity",
    "LayerNorm",
    "Linear",
    "MLP",
    "MeanPool",
    "Module",
    "ReLU",
    "Sequential",
    "Sigmoid",
    "Softmax",
    "Tanh",
    "TextClassifier",
    "cross_entropy_grad",
    "flatten",
    "mse_grad",
    "mse_loss",
    "one_hot",
    "sequence_cross_entropy",
    "softmax",
    "softmax_cross_entropy",
]

