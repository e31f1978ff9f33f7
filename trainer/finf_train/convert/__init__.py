"""Models in and out: from scikit-learn and PyTorch into finf Models, and finf Models to ONNX.

Each conversion imports its library (scikit-learn, torch, onnx) only when called.
"""


def from_sklearn(estimator, feature_names=None, target="target"):
    """The finf Model of a fitted scikit-learn estimator or Pipeline (see convert/sklearn.py)."""
    from .sklearn import from_sklearn

    return from_sklearn(estimator, feature_names, target)


def from_torch(module, normalizer=None, classes=None, feature_names=None, target="target"):
    """The finf Model of a PyTorch nn.Sequential of Linear layers and activations (see convert/torch.py)."""
    from .torch import from_torch

    return from_torch(module, normalizer, classes, feature_names, target)


def to_onnx(model):
    """The ONNX model (bytes) of a finf Model, preprocessing included (see convert/onnx.py for its inputs)."""
    from .onnx import to_onnx

    return to_onnx(model)


def save(model, out, rows=None, y=None, source=""):
    """Write a converted model and its card (out.bin -> out.json), atomically; return the card (convert/card.py)."""
    from .card import save

    return save(model, out, rows, y, source)


__all__ = ["from_sklearn", "from_torch", "save", "to_onnx"]
