"""Section 1: training to the same validation accuracy on the same split (finf vs scikit-learn vs PyTorch).

Every trainer sees the same normalized training rows (finf's normalizer on finf's stratified split) and is
timed from initialisation to the trained weights; accuracy is then measured on the same validation rows.
"""

import time
import warnings

import numpy as np

from bench_common import ms, spread, summarize
from bench_inference import table_lines
from finf_train import apply_normalizer, fit

TARGET = 0.5  # finf at most this fraction of the time of the fastest scikit-learn setting as accurate
DEFAULT = ("adam", 0.01, 300)  # finf train's defaults
# The same small grid for finf and scikit-learn; scikit-learn's own defaults (adam, lr 0.001, max_iter 200) too.
GRID = [(o, lr, n) for o, lr in [("adam", 0.01), ("adam", 0.03), ("sgd", 0.1)] for n in (50, 100, 200, 300)]
SKLEARN_DEFAULTS = ("adam", 0.001, 200)
TORCH_GRID = [("adam", lr, n) for lr in (0.01, 0.03) for n in (50, 100, 300)]


def finf_trainer(optimizer, lr, epochs):
    def train(x, y, n_classes):
        network = fit(x, y, n_classes, hidden=(32,), optimizer=optimizer, lr=lr, epochs=epochs, seed=0)
        return network.predict

    return train


def sklearn_trainer(solver, lr, max_iter):
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.neural_network import MLPClassifier

    def train(x, y, n_classes):
        mlp = MLPClassifier(hidden_layer_sizes=(32,), solver=solver, learning_rate_init=lr, max_iter=max_iter,
                            batch_size=len(x), momentum=0.9, random_state=0)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            mlp.fit(x, y)
        return mlp.predict

    return train


def torch_trainer(optimizer, lr, epochs):
    import torch

    def train(x, y, n_classes):
        torch.set_num_threads(1)
        torch.manual_seed(0)
        net = torch.nn.Sequential(torch.nn.Linear(x.shape[1], 32), torch.nn.ReLU(), torch.nn.Linear(32, n_classes))
        opt = torch.optim.Adam(net.parameters(), lr=lr)
        inputs, targets = torch.tensor(x, dtype=torch.float32), torch.tensor(y)
        loss_fn = torch.nn.CrossEntropyLoss()
        for _ in range(epochs):  # full batch
            opt.zero_grad()
            loss_fn(net(inputs), targets).backward()
            opt.step()

        def predict(rows):
            with torch.no_grad():
                return net(torch.tensor(rows, dtype=torch.float32)).argmax(dim=1).numpy()

        return predict

    return train


def trainers():
    """{name: train(x, y, n_classes) -> predict(rows)}; finf's default first."""
    runs = {f"finf {o} lr {lr:g}, {n} epochs": finf_trainer(o, lr, n) for o, lr, n in [DEFAULT, *GRID]}
    runs |= {f"scikit-learn {o} lr {lr:g}, max_iter {n}": sklearn_trainer(o, lr, n)
             for o, lr, n in [SKLEARN_DEFAULTS, *GRID]}
    runs |= {f"torch {o} lr {lr:g}, {n} epochs": torch_trainer(o, lr, n) for o, lr, n in TORCH_GRID}
    return runs


def training(iris, rounds, quick):
    z = apply_normalizer(iris.X, iris.mean, iris.std)
    x_train, y_train, x_val, y_val = z[iris.train], iris.y[iris.train], z[iris.val], iris.y[iris.val]
    n_classes = len(iris.classes)
    runs = trainers()
    times = {name: [] for name in runs}
    accuracy = {}
    for train in runs.values():
        train(x_train, y_train, n_classes)  # warm-up: lazy imports and first-call set-up are not training
    for _ in range(1 if quick else rounds):
        for name, train in runs.items():  # interleaved, like every other section
            start = time.perf_counter()
            predict = train(x_train, y_train, n_classes)
            times[name].append(time.perf_counter() - start)
            accuracy[name] = (float(np.mean(predict(x_train) == y_train)), float(np.mean(predict(x_val) == y_val)))
    results = {name: summarize(samples) for name, samples in times.items()}
    default = next(iter(runs))
    table = [["trainer and setting", "median time", "spread (min – max)", "train acc", "val acc",
              "finf default / this"]]
    for name, s in results.items():
        table.append([name, ms(s.median), spread(s, ms), f"{accuracy[name][0]:.3f}", f"{accuracy[name][1]:.3f}",
                      f"{results[default].median / s.median:.3f}"])
    lines = [
        f"{len(iris.train)} training rows, {len(iris.val)} validation rows (finf's stratified split, seed 0), the",
        "same normalizer for all; 4 -> 32 ReLU -> 3, full batch everywhere (scikit-learn's batch_size set to the",
        "training rows; its default tol and n_iter_no_change may stop it early, as they would for a user; torch",
        "on one thread, its fastest here). Times run from initialisation to trained weights, after one untimed",
        "warm-up run of every setting; accuracy is on the rows named. The same grid of optimizer, learning rate",
        "and epochs runs for finf and scikit-learn.",
        "",
        *table_lines(table),
        "",
    ]
    return {"lines": lines + verdict(results, accuracy, default), "checks": [],
            "targets": targets(results, accuracy)}


def _fastest(results, accuracy, prefix, goal):
    names = [name for name in results if name.startswith(prefix) and accuracy[name][1] >= goal]
    return min(names, key=lambda name: results[name].median) if names else None


def targets(results, accuracy):
    goal = max(accuracy[name][1] for name in results if name.startswith("scikit-learn"))
    sklearn, finf = _fastest(results, accuracy, "scikit-learn", goal), _fastest(results, accuracy, "finf", goal)
    found = []
    if finf:
        found.append((f"training: fastest finf / fastest scikit-learn, both at val acc >= {goal:.3f}",
                      results[finf].median / results[sklearn].median, TARGET))
    return found


def verdict(results, accuracy, default):
    goal = max(accuracy[name][1] for name in results if name.startswith("scikit-learn"))
    sklearn, finf = _fastest(results, accuracy, "scikit-learn", goal), _fastest(results, accuracy, "finf", goal)
    lines = [f"The best validation accuracy any scikit-learn setting reaches is {goal:.3f}; the fastest to reach it "
             f"is {sklearn} ({ms(results[sklearn].median)})."]
    if finf:
        lines.append(f"The fastest finf setting at least as accurate is {finf} ({ms(results[finf].median)}): "
                     f"{results[finf].median / results[sklearn].median:.3f}x the time.")
    else:
        lines.append("No finf setting in the grid reaches it.")
    lines.append(f"finf's default ({default}) reaches {accuracy[default][1]:.3f} in {ms(results[default].median)}: "
                 f"{results[default].median / results[sklearn].median:.3f}x the time.")
    return [" ".join(lines)]
