"""Training: the stratified split, the fit loop, metrics, and train() which ties them to a model file."""

import contextlib
import time
from itertools import pairwise
from typing import NamedTuple

import numpy as np

import finf

from . import card as model_card
from .data import CSVError, Dataset, read_csv
from .mlp import MLP, cross_entropy_grad, one_hot
from .normalize import apply_normalizer, fit_normalizer
from .optim import DEFAULT_LR, make_optimizer

DEFAULTS = {
    "hidden": (32,),
    "activation": "relu",
    "optimizer": "adam",
    "lr": None,  # the optimizer's default: 0.01 for Adam, 0.1 for SGD
    "epochs": 300,
    "batch_size": None,  # full batch
    "val_fraction": 0.2,
    "seed": 0,
}
MAX_PARAMETERS = finf.format.MAX_FILE_BYTES // 4 // 2  # float32 each, with room for the rest of the file
_THREADED_BLAS_WORK = 50_000  # batch rows x widest layer below which BLAS stays single-threaded anyway
_FINF_ACTIVATIONS = {"relu": finf.ReLU, "tanh": finf.Tanh, "sigmoid": finf.Sigmoid}


class TrainResult(NamedTuple):
    model_bytes: bytes  # the FINF v2 file
    card: dict  # the model card (see card.py); model_file names "model.bin" until save() sets it
    metrics: dict  # the card's "metrics"
    model: finf.Model  # the engine's view of model_bytes
    train_index: np.ndarray  # rows of the dataset used for training
    val_index: np.ndarray  # rows held out for validation (empty when val_fraction is 0)


def stratified_split(y, val_fraction=0.2, seed=0):
    """Row indices (train, val), each class split in proportion; round(n_c * val_fraction) of class c is held out."""
    if not 0 <= val_fraction < 1:
        raise ValueError(f"val_fraction must be in [0, 1), not {val_fraction}")
    rng = np.random.default_rng(seed)
    train, val = [], []
    for c in np.unique(y):
        rows = rng.permutation(np.flatnonzero(y == c))
        n_val = int(round(len(rows) * val_fraction))
        if val_fraction > 0:
            if len(rows) < 2:
                raise ValueError(f"class {c} has {len(rows)} row; a validation split needs at least 2 per class")
            n_val = min(max(n_val, 1), len(rows) - 1)  # at least one row of each class on each side
        val.append(rows[:n_val])
        train.append(rows[n_val:])
    return np.sort(np.concatenate(train)), np.sort(np.concatenate(val))


def fit(X, y, n_classes=None, hidden=(32,), activation="relu", optimizer="adam", lr=None, epochs=300,
        batch_size=None, seed=0):
    """Train an MLP on normalized X (n, n_features) and class indices y (n,); full batch when batch_size is None."""
    X, y = np.asarray(X, dtype=np.float64), np.asarray(y, dtype=np.int64)
    n_classes = int(y.max()) + 1 if n_classes is None else n_classes
    _check_settings([X.shape[1], *hidden, n_classes], epochs, batch_size, lr)
    rng = np.random.default_rng(seed)
    mlp = MLP([X.shape[1], *hidden, n_classes], activation, rng)
    opt = make_optimizer(optimizer, [mlp.flat], lr)
    onehot = one_hot(y, n_classes)  # (n, n_classes)
    n = len(y)
    batch = n if batch_size is None else min(batch_size, n)
    with _blas_threads(batch * max(mlp.sizes)):
        for _ in range(epochs):
            order = rng.permutation(n) if batch < n else None
            for start in range(0, n, batch):
                rows = order[start : start + batch] if order is not None else slice(None)
                logits, inputs = mlp.forward(X[rows])
                opt.step([mlp.backward(inputs, cross_entropy_grad(logits, onehot[rows]))])
    return mlp


def _blas_threads(work):
    """Run BLAS on one thread for matrices this small (when threadpoolctl is installed; otherwise a no-op).

    Multi-threaded BLAS spends more time waking threads than multiplying: on a busy 2-core machine a
    (3200, 10) network trained 6x slower with two threads than with one. Tiny batches never start threads.
    """
    if work < _THREADED_BLAS_WORK:
        return contextlib.nullcontext()
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        return contextlib.nullcontext()
    return threadpool_limits(1, user_api="blas")


def _check_settings(sizes, epochs, batch_size, lr):
    if any(int(n) < 1 for n in sizes):
        raise ValueError(f"layer sizes must be at least 1, not {list(sizes)}")
    n_params = sum((n_in + 1) * n_out for n_in, n_out in pairwise(sizes))
    if n_params > MAX_PARAMETERS:
        raise ValueError(f"layer sizes {list(sizes)} give {n_params} parameters; a model file holds at most "
                         f"{MAX_PARAMETERS}")
    if epochs < 1:
        raise ValueError(f"epochs must be at least 1, not {epochs}")
    if batch_size is not None and batch_size < 1:
        raise ValueError(f"batch_size must be at least 1, not {batch_size}")
    if lr is not None and not 0 < lr < float("inf"):
        raise ValueError(f"lr must be a positive finite number, not {lr}")


def to_finf(mlp, mean, std):
    """The engine Model for a trained MLP and its normalizer (weights become float32 when written)."""
    layers = []
    for i, (weight, bias) in enumerate(zip(mlp.weights, mlp.biases, strict=True)):
        layers.append(finf.Linear(weight.shape[1], weight.shape[0], weight.tolist(), bias.tolist()))
        layers.append(_FINF_ACTIVATIONS[mlp.activation]() if i < len(mlp.weights) - 1 else finf.Softmax())
    return finf.Model(finf.Normalizer(mean.tolist(), std.tolist()), layers)


def from_finf(model):
    """(MLP, mean, std) in float64 numpy from an engine Model: the trainer's view of a model file."""
    linears = [layer for layer in model.layers if isinstance(layer, finf.Linear)]
    kinds = {layer.kind for layer in model.layers if not isinstance(layer, finf.Linear)}
    hidden_kinds = kinds - {"softmax"}
    mlp = MLP([linears[0].in_features] + [layer.out_features for layer in linears],
              hidden_kinds.pop() if hidden_kinds else "relu")
    for weight, bias, layer in zip(mlp.weights, mlp.biases, linears, strict=True):
        weight[...] = layer.weight
        bias[...] = layer.bias
    return mlp, np.array(model.normalizer.mean), np.array(model.normalizer.std)


def predict_proba(model, X):
    """Class probabilities (n, n_classes) from an engine Model for raw X (n, n_features), computed in numpy."""
    mlp, mean, std = from_finf(model)
    return mlp.predict_proba(apply_normalizer(np.asarray(X, dtype=np.float64), mean, std))


def confusion_matrix(y_true, y_pred, n_classes):
    """Counts (n_classes, n_classes): rows are the true class, columns the predicted class."""
    matrix = np.zeros((n_classes, n_classes), dtype=np.int64)
    np.add.at(matrix, (y_true, y_pred), 1)
    return matrix


def train(data, target=None, *, hidden=DEFAULTS["hidden"], activation=DEFAULTS["activation"],
          optimizer=DEFAULTS["optimizer"], lr=DEFAULTS["lr"], epochs=DEFAULTS["epochs"],
          batch_size=DEFAULTS["batch_size"], val_fraction=DEFAULTS["val_fraction"], seed=DEFAULTS["seed"]):
    """Train on a CSV path (with target) or a Dataset; return the model bytes, card and metrics as a TrainResult."""
    if not isinstance(data, Dataset) and not isinstance(target, str):
        raise ValueError("target: the name of the label column is needed to read a CSV")
    dataset = data if isinstance(data, Dataset) else read_csv(data, target)
    train_index, val_index = _split(dataset, val_fraction, seed)
    mean, std = fit_normalizer(dataset.X[train_index])
    X = apply_normalizer(dataset.X, mean, std)
    settings = {"optimizer": optimizer, "lr": DEFAULT_LR.get(optimizer) if lr is None else lr, "epochs": epochs,
                "batch_size": batch_size, "hidden": [int(h) for h in hidden], "activation": activation, "seed": seed}
    start = time.perf_counter()
    mlp = fit(X[train_index], dataset.y[train_index], len(dataset.classes), **settings)
    seconds = time.perf_counter() - start
    model_bytes = _encode(mlp, mean, std)
    model = finf.load(model_bytes)
    metrics = _metrics(model, dataset, train_index, val_index, seconds)
    settings.update(val_fraction=val_fraction, train_rows=len(train_index), val_rows=len(val_index))
    card = model_card.make_card(dataset, model, model_bytes, settings, metrics)
    return TrainResult(model_bytes, card, metrics, model, train_index, val_index)


def _split(dataset, val_fraction, seed):
    try:
        return stratified_split(dataset.y, val_fraction, seed)
    except ValueError:
        if not 0 <= val_fraction < 1:
            raise
    counts = np.bincount(dataset.y, minlength=len(dataset.classes))
    c = int(np.argmin(counts))
    line = dataset.lines[np.flatnonzero(dataset.y == c)[0]]
    raise CSVError(
        f"{dataset.source}:{line}: column {dataset.target!r}: class {dataset.classes[c]!r} has only "
        f"{counts[c]} row; a validation split needs at least 2 rows per class (or use val_fraction 0)"
    )


def _encode(mlp, mean, std):
    params = np.concatenate([p.ravel() for p in mlp.parameters()])
    # The file holds float32: anything beyond its range (or NaN) means training blew up.
    with np.errstate(over="ignore"):
        finite = np.isfinite(params.astype(np.float32)).all()
    if not finite:
        raise ValueError("training diverged (weights are not finite in float32); try a smaller learning rate")
    return finf.dumps(to_finf(mlp, mean, std))


def _metrics(model, dataset, train_index, val_index, seconds):
    """Accuracies from the model as written (float32 weights), evaluated with the numpy forward pass."""
    predicted = predict_proba(model, dataset.X).argmax(axis=1)
    correct = predicted == dataset.y
    shown = val_index if len(val_index) else np.arange(len(dataset.y))
    matrix = confusion_matrix(dataset.y[shown], predicted[shown], len(dataset.classes))
    return {
        "train_accuracy": float(correct[train_index].mean()),
        "val_accuracy": float(correct[val_index].mean()) if len(val_index) else None,
        "accuracy": float(correct.mean()),
        "confusion_matrix": matrix.tolist(),
        "train_seconds": round(seconds, 4),
    }
