"""PyTorch modules as finf Models: from_torch(module) for an nn.Sequential of Linear layers and activations.

The module reads the standardized row (x - mean) / std that `normalizer` describes (or the raw numbers when
there is none), as FINF's network does. A last Softmax makes a classifier; so do raw outputs (logits) when
`classes` names them, and one output (a logit, or a last Sigmoid) read as the second of two classes.
Without either, one output is a regressor's value.
"""

import numpy as np

import finf

from .columns import Column, Inputs, build_model

SUPPORTED = ("Linear", "ReLU", "Sigmoid", "Tanh", "Softmax (over the last dimension)", "Identity", "Dropout",
             "nn.Sequential")
_ACTIVATIONS = {"ReLU": finf.ReLU, "Sigmoid": finf.Sigmoid, "Tanh": finf.Tanh, "Softmax": finf.Softmax}


def from_torch(module, normalizer=None, classes=None, feature_names=None, target="target"):
    """The finf Model computing what module does on standardized rows, as its file holds it.

    normalizer: None (the module reads raw numbers), a finf.Normalizer, (mean, std) sequences, or finf
    features (NumericFeature, CategoricalFeature) that encode the row the module reads.
    classes names a classifier's outputs; feature_names its inputs (x0, x1, ... by default).
    """
    layers = _layers("module", module)
    linears = [layer for layer in layers if isinstance(layer, tuple)]
    if not linears:
        raise ValueError("module: no Linear layer; FINF needs at least one")
    inputs = _inputs(normalizer, feature_names, linears[0][0].shape[1])
    layers, output = _output(layers, classes, target)
    return build_model(inputs, layers, output)


def _layers(name, module):
    """[(weight (out, in), bias) or an engine activation, ...] for module, nested Sequentials flattened."""
    import torch

    if isinstance(module, torch.nn.Sequential):
        return [layer for i, child in enumerate(module) for layer in _layers(f"{name}[{i}]", child)]
    kind = type(module).__name__
    if isinstance(module, torch.nn.Linear):
        weight = module.weight.detach().cpu().double().numpy()
        bias = np.zeros(weight.shape[0]) if module.bias is None else module.bias.detach().cpu().double().numpy()
        return [(weight, bias)]
    if isinstance(module, (torch.nn.Identity, torch.nn.Dropout)):
        return []  # nothing at inference
    if isinstance(module, torch.nn.Softmax) and module.dim not in (-1, 1, None):
        raise ValueError(f"{name}: Softmax(dim={module.dim}) is not supported; FINF's Softmax runs over the outputs "
                         "(dim=-1)")
    if kind in _ACTIVATIONS and type(module) is getattr(torch.nn, kind):
        return [_ACTIVATIONS[kind]()]
    raise ValueError(f"{name}: {kind} is not supported; supported: {', '.join(SUPPORTED)}")


def _inputs(normalizer, feature_names, width):
    """The Inputs (columns.py) whose columns are the rows the module reads."""
    if normalizer is None:
        mean, std = np.zeros(width), np.ones(width)
    elif isinstance(normalizer, finf.Normalizer):
        mean, std = np.array(normalizer.mean), np.array(normalizer.std)
    elif all(isinstance(f, (finf.NumericFeature, finf.CategoricalFeature)) for f in normalizer):
        return _feature_inputs(list(normalizer), feature_names, width)
    elif len(normalizer) == 2:
        mean, std = (np.asarray(v, dtype=np.float64).ravel() for v in normalizer)
    else:
        raise ValueError("normalizer: expected None, a finf.Normalizer, (mean, std), or finf features")
    if not (len(mean) == len(std) == width):
        raise ValueError(f"normalizer: expected {width} means and stds (the first Linear's in_features), found "
                         f"{len(mean)} and {len(std)}")
    if not (np.all(np.isfinite(mean)) and np.all(np.isfinite(std)) and np.all(std > 0)):
        raise ValueError("normalizer: expected finite means and finite stds > 0")
    names = _names(feature_names, width)
    inputs = Inputs(names)
    inputs.columns = [Column(j, None, 1.0 / s, -m / s) for j, (m, s) in enumerate(zip(mean, std, strict=True))]
    return inputs


def _feature_inputs(features, feature_names, width):
    """Inputs for finf features: each encodes its value as FINF does; the module reads the encoded row."""
    if feature_names is not None:
        raise ValueError("feature_names: the features given as the normalizer name themselves")
    if sum(f.width for f in features) != width:
        raise ValueError(f"normalizer: the features encode {sum(f.width for f in features)} columns but the first "
                         f"Linear reads {width}")
    inputs = Inputs([f.name for f in features])
    inputs.columns = []
    for j, feature in enumerate(features):
        if feature.fill is not None:
            inputs.fills[j] = feature.fill
        if feature.kind == "categorical":
            inputs.categories[j] = list(feature.categories)
            inputs.columns += [Column(j, c) for c in feature.categories]
        else:
            inputs.columns.append(Column(j, None, 1.0 / feature.std, -feature.mean / feature.std))
    return inputs


def _names(feature_names, width):
    names = [f"x{i}" for i in range(width)] if feature_names is None else [str(n) for n in feature_names]
    if len(names) != width:
        raise ValueError(f"feature_names: expected {width} names (the first Linear's in_features), found {len(names)}")
    return names


def _output(layers, classes, target):
    """The layers as FINF runs them and the target: a classifier's Softmax, or a regressor's one output."""
    width = next(layer[0].shape[0] for layer in reversed(layers) if isinstance(layer, tuple))
    last = layers[-1]
    if classes is None:
        if isinstance(last, finf.Softmax):
            return layers, finf.Classification(target, [str(k) for k in range(width)])
        if width != 1:
            raise ValueError(f"module: {width} outputs and no Softmax; give classes to read them as a classifier's "
                             "logits (a regressor has one output)")
        if not isinstance(last, tuple):
            raise ValueError(f"module: a regressor's output after {type(last).__name__}; FINF's regressors end with "
                             "a Linear layer (give classes for a classifier)")
        return layers, finf.Regression(target, 0.0, 1.0)
    classes = [str(c) for c in classes]
    if width == 1 and len(classes) == 2 and (isinstance(last, tuple) or isinstance(last, finf.Sigmoid)):
        # one logit (or its sigmoid) is the second class's: softmax([0, z]) = [1 - sigmoid(z), sigmoid(z)]
        body = layers[:-1] if isinstance(last, finf.Sigmoid) else layers
        weight, bias = body[-1]
        body[-1] = (np.vstack([np.zeros_like(weight), weight]), np.concatenate([[0.0], bias]))
        return body + [finf.Softmax()], finf.Classification(target, classes)
    if width != len(classes):
        raise ValueError(f"classes: expected {width} names (the module's outputs), found {len(classes)}")
    if isinstance(last, tuple):  # logits
        return layers + [finf.Softmax()], finf.Classification(target, classes)
    if not isinstance(last, finf.Softmax):
        raise ValueError(f"module: a classifier's outputs after {type(last).__name__}; expected logits or Softmax")
    return layers, finf.Classification(target, classes)
