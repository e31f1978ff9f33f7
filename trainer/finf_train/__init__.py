"""finf's trainer: numpy training that writes FINF models the engine reads.

Importing this package does not import numpy, so the `finf` command starts fast for predict and inspect;
the names below load their module (and numpy) on first use.
"""

import importlib

_EXPORTS = {
    "train": "training",
    "TrainResult": "training",
    "DEFAULTS": "defaults",
    "fit": "training",
    "stratified_split": "training",
    "predict_proba": "training",
    "predictions": "training",
    "random_split": "training",
    "confusion_matrix": "metrics",
    "MODEL_DEFAULTS": "defaults",
    "to_finf": "export",
    "from_finf": "export",
    "engine_layers": "export",
    "network_from_layers": "export",
    "Network": "network",
    "save": "files",
    "read_csv": "data",
    "Dataset": "data",
    "CSVError": "data",
    "fit_normalizer": "normalize",
    "apply_normalizer": "normalize",
    "fit_features": "preprocess",
    "encode": "preprocess",
    "MLP": "nn",
    "softmax_cross_entropy": "nn",
    "mse_loss": "nn",
    "SGD": "optim",
    "Adam": "optim",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name):
    if name not in _EXPORTS:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{_EXPORTS[name]}", __name__), name)
    globals()[name] = value
    return value


def __dir__():
    return sorted(set(globals()) | set(__all__))
