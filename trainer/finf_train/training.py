"""Training: the stratified split, the fit loop, metrics, and train() which ties them to a model file."""

import contextlib
import time
from itertools import pairwise
from typing import NamedTuple

import numpy as np

import finf

from . import card as model_card
from . import metrics, nn, preprocess, vectors
from .data import CSVError, Dataset, read_csv
from .defaults import DEFAULTS, MODEL_DEFAULTS
from .export import engine_layers, network_from_layers
from .network import TASKS, Network
from .optim import DEFAULT_LR, make_optimizer

MAX_PARAMETERS = finf.format.MAX_FILE_BYTES // 4 // 2  # float32 each, with room for the rest of the file
_THREADED_BLAS_WORK = 50_000  # batch rows x widest layer below which BLAS stays single-threaded anyway


class TrainResult(NamedTuple):
    model_bytes: bytes  # the FINF file (v2 when v2 can hold the model, else v3)
    card: dict  # the model card (see card.py); model_file names "model.bin" until save() sets it
    metrics: dict  # the card's "metrics"
    model: finf.Model  # the engine's view of model_bytes
    train_index: np.ndarray  # rows of the dataset used for training
    val_index: np.ndarray  # rows held out for validation (empty when val_fraction is 0)
    dataset: Dataset  # the data as read


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


def fit(X, y, n_classes=None, *, task="classification", hidden=DEFAULTS["hidden"], activation=DEFAULTS["activation"],
        optimizer=DEFAULTS["optimizer"], lr=DEFAULTS["lr"], epochs=None, batch_size=DEFAULTS["batch_size"],
        seed=DEFAULTS["seed"], tol=None):
    """Train a Network on normalized X (n, n_features) and y: class indices (n,), or standardized values (n,) or
    (n, n_targets) for task "regression". hidden=() is logistic or linear regression. Full batch when batch_size
    is None; epochs and tol None take MODEL_DEFAULTS; tol stops full-batch training once every element of the
    gradient is below it."""
    X, y = np.asarray(X, dtype=np.float64), np.asarray(y)
    if X.ndim != 2 or len(X) != len(y) or len(X) == 0:
        raise ValueError(f"X must be (n, n_features) with a row for each of the {len(y)} targets, not {X.shape}")
    target, loss_grad = _target(task, y, n_classes)
    hidden = [int(h) for h in hidden]
    epochs, tol = _stopping(task, hidden, epochs, tol)
    _check_settings([X.shape[1], *hidden, target.shape[1]], epochs, batch_size, lr, tol)
    rng = np.random.default_rng(seed)
    network = Network(nn.MLP([X.shape[1], *hidden, target.shape[1]], activation, rng), task)
    layers = network.layers
    batch = len(X) if batch_size is None else min(batch_size, len(X))
    with _blas_threads(batch * max(layers.sizes)):
        network.epochs_run = _train(layers, make_optimizer(optimizer, [layers.flat], lr), X, target, loss_grad,
                                    batch, epochs, tol, rng)
    return network


def _train(layers, opt, X, target, loss_grad, batch, epochs, tol, rng):
    """The training loop; returns the number of epochs run."""
    n, grads = len(X), [layers.flat_grad]
    for epoch in range(epochs):
        order = rng.permutation(n) if batch < n else None
        for start in range(0, n, batch):
            rows = order[start : start + batch] if order is not None else slice(None)
            layers.backward(loss_grad(layers.forward(X[rows]), target[rows]))
            opt.step(grads)
        if tol and batch == n and np.abs(layers.flat_grad).max() < tol:
            return epoch + 1
    return epochs


def _stopping(task, hidden, epochs, tol):
    """(epochs, tol) with None replaced by MODEL_DEFAULTS for this kind of model."""
    defaults = MODEL_DEFAULTS["linear" if len(hidden) == 0 else task]
    return (defaults["epochs"] if epochs is None else epochs), (defaults["tol"] if tol is None else tol)


def _target(task, y, n_classes):
    """The (n, n_outputs) float64 target the loss compares the network's output with, and the loss's gradient."""
    if task == "classification":
        y = y.astype(np.int64)
        n_classes = int(y.max()) + 1 if n_classes is None else n_classes
        if y.ndim != 1 or not 0 <= y.min() <= y.max() < n_classes:
            raise ValueError(f"class indices y must be (n,) in [0, {n_classes}), found {y.shape} from {y.min()} to "
                             f"{y.max()}")
        return nn.one_hot(y, n_classes), nn.cross_entropy_grad
    if task == "regression":
        if n_classes is not None:
            raise ValueError("n_classes is for classification; a regression target's width comes from y")
        y = y.astype(np.float64)
        if y.ndim not in (1, 2) or not np.isfinite(y).all():
            raise ValueError(f"a regression target y must be finite numbers (n,) or (n, n_targets), not {y.shape}")
        return (y[:, None] if y.ndim == 1 else y), nn.mse_grad
    raise ValueError(f"task must be one of {', '.join(TASKS)}, not {task!r}")


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


def _check_settings(sizes, epochs, batch_size, lr, tol):
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
    if not 0 <= tol < float("inf"):
        raise ValueError(f"tol must be a finite number >= 0, not {tol}")


def random_split(n, val_fraction=0.2, seed=0):
    """Row indices (train, val) for a regression target: round(n * val_fraction) rows held out at random."""
    if not 0 <= val_fraction < 1:
        raise ValueError(f"val_fraction must be in [0, 1), not {val_fraction}")
    rows = np.random.default_rng(seed).permutation(n)
    n_val = int(round(n * val_fraction))
    if val_fraction > 0:
        if n < 2:
            raise ValueError(f"{n} row: a validation split needs at least 2")
        n_val = min(max(n_val, 1), n - 1)
    return np.sort(rows[n_val:]), np.sort(rows[:n_val])


def train(data, target=None, *, task=DEFAULTS["task"], ignore=DEFAULTS["ignore"],
          categorical=DEFAULTS["categorical"], missing=DEFAULTS["missing"], hidden=DEFAULTS["hidden"],
          activation=DEFAULTS["activation"], optimizer=DEFAULTS["optimizer"], lr=DEFAULTS["lr"],
          epochs=DEFAULTS["epochs"], batch_size=DEFAULTS["batch_size"], val_fraction=DEFAULTS["val_fraction"],
          seed=DEFAULTS["seed"], card_sample=DEFAULTS["card_sample"]):
    """Train on a CSV path (with target) or a Dataset; return the model bytes, card and metrics as a TrainResult.

    missing="impute" fills missing values from the training rows and stores the fill values in the model;
    card_sample > 0 puts that many training rows in the card (for the page's map).
    """
    if not isinstance(data, Dataset) and not isinstance(target, str):
        raise ValueError("target: the name of the target column is needed to read a CSV")
    dataset = data if isinstance(data, Dataset) else read_csv(data, target, task=task, ignore=ignore,
                                                               categorical=categorical, missing=missing)
    train_index, val_index = _split(dataset, val_fraction, seed)
    impute = missing == "impute"
    version = preprocess.file_version(dataset, impute)  # v2 for what v2 can hold: its names go in the card
    features = preprocess.fit_features(dataset, train_index, impute, version)
    X = preprocess.encode(dataset.X, features)
    y, target_spec = _fit_target(dataset, train_index)
    hidden = tuple(int(h) for h in hidden)
    n_classes = len(dataset.classes) if dataset.task == "classification" else None
    start = time.perf_counter()
    network = fit(X[train_index], y[train_index], n_classes, task=dataset.task, hidden=hidden,
                  activation=activation, optimizer=optimizer, lr=lr, epochs=epochs, batch_size=batch_size, seed=seed)
    seconds = time.perf_counter() - start
    settings = {"task": dataset.task, "missing": missing, "optimizer": optimizer,
                "lr": DEFAULT_LR.get(optimizer) if lr is None else lr, "epochs": network.epochs_run,
                "batch_size": batch_size, "hidden": list(hidden), "activation": activation, "seed": seed}
    model_bytes = _encode(network, features, target_spec, version)
    model = finf.load(model_bytes)
    metrics = _metrics(model, dataset, train_index, val_index)
    metrics["train_seconds"] = round(seconds, 4)
    settings.update(val_fraction=val_fraction, train_rows=len(train_index), val_rows=len(val_index))
    card = model_card.make_card(dataset, model, model_bytes, settings, metrics)
    card["test_vectors"] = _test_vectors(model, dataset)
    if card_sample:
        card["sample"] = vectors.sample(dataset, model, train_index, card_sample, seed)
    return TrainResult(model_bytes, card, metrics, model, train_index, val_index, dataset)


def _test_vectors(model, dataset):
    """A few rows spread over the data and what this numpy forward pass predicts for them (the card's)."""
    index = vectors.spread(len(dataset.y))
    X = dataset.X[index]
    outputs = predict_proba(model, X) if model.task == "classification" else predictions(model, X)
    return vectors.test_vectors(dataset, model, index, outputs)


def _fit_target(dataset, train_index):
    """What the network is fitted to (class indices, or the standardized target) and the engine's target."""
    if dataset.task == "classification":
        return dataset.y, finf.Classification(dataset.target, dataset.classes)
    mean, std = preprocess.target_scaling(dataset.y[train_index])
    return (dataset.y - mean) / std, finf.Regression(dataset.target, mean, std)


def _split(dataset, val_fraction, seed):
    if dataset.task == "regression":
        try:
            return random_split(len(dataset.y), val_fraction, seed)
        except ValueError as error:
            if not 0 <= val_fraction < 1:
                raise
            raise CSVError(f"{dataset.source}: {error} (or use val_fraction 0)") from None
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


def _encode(network, features, target, version):
    params = network.layers.flat
    # The file holds float32: anything beyond its range (or NaN) means training blew up.
    with np.errstate(over="ignore"):
        finite = np.isfinite(params.astype(np.float32)).all()
    if not finite:
        raise ValueError("training diverged (weights are not finite in float32); try a smaller learning rate")
    return finf.dumps(finf.Model(features, engine_layers(network), target), version)


def predictions(model, X):
    """What the model as written (float32 weights) predicts for raw columns X, computed in numpy: class
    indices (n,) for a classifier, values in the target's units (n,) for a regressor."""
    network = network_from_layers(model.layers)
    encoded = preprocess.encode(np.asarray(X, dtype=np.float64), model.features)
    if model.task == "classification":
        return network.predict(encoded)
    return network.predict(encoded) * model.target.std + model.target.mean


def predict_proba(model, X):
    """Class probabilities (n, n_classes) from an engine Model for raw X (n, n_features), computed in numpy."""
    network = network_from_layers(model.layers)
    return network.predict_proba(preprocess.encode(np.asarray(X, dtype=np.float64), model.features))


def _metrics(model, dataset, train_index, val_index):
    """The card's metrics from the model as written, evaluated with the numpy forward pass."""
    predicted = predictions(model, dataset.X)
    if model.task == "classification":
        return metrics.classification_metrics(dataset.y, predicted, train_index, val_index, len(dataset.classes))
    return metrics.regression_metrics(dataset.y, predicted, train_index, val_index)
