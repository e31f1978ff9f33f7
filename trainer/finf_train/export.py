"""The trainer's networks as engine layers and models, and back: each nn module has one engine twin."""

import numpy as np

import finf

from . import nn
from .network import Network

# nn activation -> its engine twin; finf.Linear, which carries weights, is built in engine_layers.
_TWINS = {nn.ReLU: finf.ReLU, nn.Tanh: finf.Tanh, nn.Sigmoid: finf.Sigmoid, nn.Identity: finf.Identity,
          nn.Softmax: finf.Softmax}
_HIDDEN_KINDS = {_TWINS[cls].kind: name for name, cls in nn.ACTIVATIONS.items()}  # "relu": "relu", ...
_OUTPUT_TASKS = {"softmax": "classification", "identity": "regression"}  # a last layer after the last Linear


def engine_layers(network):
    """The engine layers computing what network does: finf.Linear and activations, then finf.Softmax for a
    classifier (a regressor's last layer is its Linear). Weights become float32 when the model is written."""
    layers = []
    for module in network.layers:
        if isinstance(module, nn.Linear):
            layers.append(finf.Linear(module.in_features, module.out_features, module.weight.tolist(),
                                      module.bias.tolist()))
        else:
            layers.append(_TWINS[type(module)]())
    if network.task == "classification":
        layers.append(finf.Softmax())
    return layers


def network_from_layers(layers):
    """The Network (float64 numpy) computing what a list of engine layers does: the inverse of engine_layers.

    A last Softmax makes a classifier; a last Linear (or Identity) a regressor.
    """
    body, task = list(layers), "regression"
    if body and not isinstance(body[-1], finf.Linear) and body[-1].kind in _OUTPUT_TASKS:
        task = _OUTPUT_TASKS[body.pop().kind]
    linears, activations = body[0::2], body[1::2]
    kinds = {getattr(layer, "kind", None) for layer in activations}
    if (len(linears) != len(activations) + 1 or not all(isinstance(layer, finf.Linear) for layer in linears)
            or len(kinds) > 1 or not kinds <= set(_HIDDEN_KINDS)):
        raise ValueError(f"expected Linear layers with one hidden activation between them, found {list(layers)}")
    mlp = nn.MLP([linears[0].in_features] + [layer.out_features for layer in linears],
                 _HIDDEN_KINDS[kinds.pop()] if kinds else "relu")
    for module, layer in zip(mlp[0::2], linears, strict=True):
        module.weight[...] = layer.weight
        module.bias[...] = layer.bias
    return Network(mlp, task)


def to_finf(network, mean, std):
    """The engine Model for a trained network and its normalizer (a finf.Model; finf.dumps makes its bytes)."""
    return finf.Model(finf.Normalizer(mean.tolist(), std.tolist()), engine_layers(network))


def from_finf(model):
    """(Network, mean, std) in float64 numpy from an engine Model: the trainer's view of a model file."""
    return network_from_layers(model.layers), np.array(model.normalizer.mean), np.array(model.normalizer.std)
