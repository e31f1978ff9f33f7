"""Section 7: regression on data/diabetes.csv, finf's MLP and linear models against scikit-learn's.

Each seed is one run of train(): its 80/20 random split and its initialisation. scikit-learn gets the same
training rows and is set up as a careful user would: StandardScaler on X and, through
TransformedTargetRegressor, on the target (finf standardizes both), MLPRegressor(hidden_layer_sizes=(32,))
with its other defaults and random_state=seed; LinearRegression on the raw columns. Every R² is on the
seed's validation rows. Fit times are from raw columns to a trained model on seed 0's split: finf's
fit_features, encode and fit, scikit-learn's pipeline fit.
"""

import statistics
import time
import warnings

import numpy as np

from bench_common import ROOT, ms, spread, summarize
from bench_inference import table_lines
from finf_train import encode, fit, fit_features, train
from finf_train.preprocess import target_scaling

DATA = ROOT / "data" / "diabetes.csv"
TARGET = "progression"
SEEDS = tuple(range(10))
QUICK_SEEDS = (0, 1)
LINEAR_SLACK = 0.02  # finf's linear model may trail LinearRegression's validation R² by at most this
MODELS = ("finf MLP (default: 32 hidden, 50 epochs)", "scikit-learn MLPRegressor(32), scaled X and y",
          "finf linear (--hidden 0)", "scikit-learn LinearRegression")
FINF_MLP, SKLEARN_MLP, FINF_LINEAR, SKLEARN_LINEAR = MODELS


def finf_trainer(hidden):
    def train_on(dataset, rows, seed):
        """predict(X raw columns) -> values, trained on dataset's rows the way train() does it."""
        features = fit_features(dataset, rows, impute=False, version=3)
        y = dataset.y[rows]
        mean, std = target_scaling(y)
        network = fit(encode(dataset.X[rows], features), (y - mean) / std, task="regression", hidden=hidden,
                      seed=seed)
        return lambda X: network.predict(encode(X, features)).ravel() * std + mean

    return train_on


def sklearn_mlp(dataset, rows, seed):
    from sklearn.compose import TransformedTargetRegressor
    from sklearn.neural_network import MLPRegressor
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    network = make_pipeline(StandardScaler(), MLPRegressor(hidden_layer_sizes=(32,), random_state=seed))
    model = TransformedTargetRegressor(network, transformer=StandardScaler())
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # its ConvergenceWarning at max_iter 200, as a user would see
        model.fit(dataset.X[rows], dataset.y[rows])
    return model.predict


def sklearn_linear(dataset, rows, seed):
    from sklearn.linear_model import LinearRegression

    return LinearRegression().fit(dataset.X[rows], dataset.y[rows]).predict


TRAINERS = dict(zip(MODELS, [finf_trainer((32,)), sklearn_mlp, finf_trainer(()), sklearn_linear], strict=True))


def r2(y, predicted):
    return 1.0 - float(np.sum((y - predicted) ** 2)) / float(np.sum((y - y.mean()) ** 2))


def scores(seeds):
    """({model: [validation R², one per seed]}, checks): finf's from train() itself, as `finf train` reports it."""
    found = {name: [] for name in MODELS}
    for seed in seeds:
        for name, hidden in ((FINF_MLP, (32,)), (FINF_LINEAR, ())):
            result = train(DATA, TARGET, hidden=hidden, seed=seed)
            reported = result.metrics["validation"]["r2"]
            ds, tr, va = result.dataset, result.train_index, result.val_index  # the split depends on seed alone
            # The timed trainer redoes train()'s fit; the file's float32 weights move R² a little.
            mine = r2(ds.y[va], TRAINERS[name](ds, tr, seed)(ds.X[va]))
            if not abs(mine - reported) <= 1e-3:
                raise SystemExit(f"bench: {name}, seed {seed}: the timed fit scores R² {mine:.4f}, train() "
                                 f"{reported:.4f}")
            found[name].append(reported)
        for name in (SKLEARN_MLP, SKLEARN_LINEAR):
            found[name].append(r2(ds.y[va], TRAINERS[name](ds, tr, seed)(ds.X[va])))
    checks = [f"the timed finf fits give train()'s validation R² to within 1e-3 on seeds {list(seeds)}",
              f"every model sees the same {len(tr)} training and {len(va)} validation rows per seed "
              "(train()'s random split)"]
    return found, checks


def fit_times(rounds):
    """{model: [seconds to fit, one per round]} on seed 0's split, models interleaved in every round."""
    result = train(DATA, TARGET, seed=0)
    ds, tr = result.dataset, result.train_index
    for trainer in TRAINERS.values():
        trainer(ds, tr, 0)  # warm-up: imports and first-call set-up are not fitting
    times = {name: [] for name in MODELS}
    for _ in range(rounds):
        for name, trainer in TRAINERS.items():
            start = time.perf_counter()
            trainer(ds, tr, 0)
            times[name].append(time.perf_counter() - start)
    return times


def regression(rounds, quick):
    seeds = QUICK_SEEDS if quick else SEEDS
    r2s, checks = scores(seeds)
    n = 1 if quick else rounds
    times = {name: summarize(samples) for name, samples in fit_times(n).items()}
    median = {name: statistics.median(values) for name, values in r2s.items()}
    table = [["model", "median fit time", "spread (min – max)", "median val R²", "val R² (min – max)",
              "finf MLP time / this"]]
    for name in MODELS:
        s, values = times[name], r2s[name]
        table.append([name, ms(s.median), spread(s, ms), f"{median[name]:.3f}",
                      f"{min(values):.3f} – {max(values):.3f}", f"{times[FINF_MLP].median / s.median:.3f}"])
    per_seed = [["seed", *MODELS]]
    per_seed += [[str(seed), *(f"{r2s[name][i]:.3f}" for name in MODELS)] for i, seed in enumerate(seeds)]
    rows = len(train(DATA, TARGET, hidden=(), seed=0).dataset.y)
    lines = [
        f"data/diabetes.csv ({rows} rows, 10 numeric features, target `{TARGET}`), seeds {list(seeds)}: each",
        "seed is one train() run, its own 80/20 random split and initialisation, and scikit-learn fits the same",
        "training rows with random_state=seed. MLPRegressor gets StandardScaler on X and, through",
        "TransformedTargetRegressor, on the target, as finf does itself; its other settings are its defaults",
        "(adam, lr 0.001, max_iter 200, batches of 200). R² is on each seed's validation rows; finf's is the one",
        "train() reports. Fit times run from raw columns to a trained model on seed 0's split (finf:",
        f"fit_features, encode and fit; scikit-learn: the pipeline's fit), {n} interleaved round{'s' * (n > 1)}",
        "after one untimed warm-up of each.",
        "",
        *table_lines(table),
        "",
        "Validation R² per seed:",
        "",
        *table_lines(per_seed),
        "",
        f"Median over seeds: finf's MLP {median[FINF_MLP]:.3f} against MLPRegressor's {median[SKLEARN_MLP]:.3f}; "
        f"finf's linear model {median[FINF_LINEAR]:.3f} against LinearRegression's {median[SKLEARN_LINEAR]:.3f}.",
    ]
    linear_gap = max(b - a for a, b in zip(r2s[FINF_LINEAR], r2s[SKLEARN_LINEAR], strict=True))
    targets = [("regression: MLPRegressor(32) val R² minus finf MLP's, medians over seeds",
                median[SKLEARN_MLP] - median[FINF_MLP], 0.0),
               ("regression: LinearRegression val R² minus finf linear's, worst seed", linear_gap, LINEAR_SLACK)]
    return {"lines": lines, "checks": checks, "targets": targets}
