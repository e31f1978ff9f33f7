"""Section 8: conversion. Time to convert scikit-learn pipelines and a PyTorch module to FINF and FINF to ONNX,
and the bytes of each model as FINF, as the scikit-learn pickle (joblib.dump) and as ONNX (finf's to_onnx, and
skl2onnx from the pipeline itself).

Models: the Iris MLP (StandardScaler + MLPClassifier(32)), the penguins pipeline (a ColumnTransformer of
SimpleImputer + StandardScaler on the numbers and SimpleImputer + OneHotEncoder on island and sex, then
LogisticRegression) and a diabetes regression (StandardScaler + MLPRegressor(32)). Each converted model is
checked against scikit-learn on every row of its data, and its ONNX graph against finf, before anything is timed.
"""

import io
import time
import warnings

import numpy as np

from bench_common import AGREEMENT, ROOT, ms, spread, summarize
from bench_inference import table_lines


def _pipelines():
    """{name: (fitted pipeline, X as scikit-learn takes it, finf rows of X)}."""
    import pandas as pd
    from sklearn.compose import ColumnTransformer
    from sklearn.impute import SimpleImputer
    from sklearn.linear_model import LogisticRegression
    from sklearn.neural_network import MLPClassifier, MLPRegressor
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import OneHotEncoder, StandardScaler

    iris = pd.read_csv(ROOT / "data" / "iris.csv")
    penguins = pd.read_csv(ROOT / "data" / "penguins.csv")
    diabetes = pd.read_csv(ROOT / "data" / "diabetes.csv")
    numbers = ["bill_length_mm", "bill_depth_mm", "flipper_length_mm", "body_mass_g", "year"]
    columns = ColumnTransformer([
        ("num", make_pipeline(SimpleImputer(), StandardScaler()), numbers),
        ("cat", make_pipeline(SimpleImputer(strategy="most_frequent"), OneHotEncoder()), ["island", "sex"])])
    made = {
        "Iris, StandardScaler + MLPClassifier(32)": (
            make_pipeline(StandardScaler(), MLPClassifier(hidden_layer_sizes=(32,), max_iter=500, random_state=0)),
            iris.drop(columns="species"), iris["species"]),
        "penguins, ColumnTransformer + LogisticRegression": (
            make_pipeline(columns, LogisticRegression(max_iter=2000)), penguins.drop(columns="species"),
            penguins["species"]),
        "diabetes, StandardScaler + MLPRegressor(32)": (
            make_pipeline(StandardScaler(), MLPRegressor(hidden_layer_sizes=(32,), max_iter=500, random_state=0)),
            diabetes.drop(columns="progression"), diabetes["progression"]),
    }
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # ConvergenceWarning
        return {name: (pipe.fit(X, y), X, y) for name, (pipe, X, y) in made.items()}


def _finf_rows(X):
    return [[None if v is None or (isinstance(v, float) and v != v) else v for v in row]
            for row in X.itertuples(index=False)]


def _check(name, model, pipe, X):
    """The largest difference between finf and scikit-learn on every row of X (probabilities, or relative values)."""
    rows = _finf_rows(X)
    if model.task == "classification":
        worst = float(np.max(np.abs(np.array(model.predict_proba_batch(rows)) - pipe.predict_proba(X))))
    else:
        expected = pipe.predict(X)
        scale = np.maximum(np.abs(expected), 1.0)
        worst = float(np.max(np.abs(np.array(model.predict_batch(rows)) - expected) / scale))
    if not worst <= AGREEMENT:
        raise SystemExit(f"bench: {name}: the converted model disagrees with scikit-learn by {worst:.3g}")
    return worst


def _check_onnx(name, model, onnx_bytes, X):
    import onnxruntime

    session = onnxruntime.InferenceSession(onnx_bytes, providers=["CPUExecutionProvider"])
    rows = _finf_rows(X)
    numeric = [j for j, f in enumerate(model.features) if f.kind == "numeric"]
    categorical = [j for j, f in enumerate(model.features) if f.kind == "categorical"]
    feeds = {"x": np.array([[np.nan if r[j] is None else r[j] for j in numeric] for r in rows], np.float32)}
    if categorical:
        feeds["categories"] = np.array([["" if r[j] is None else r[j] for j in categorical] for r in rows], object)
    out = session.run(None, feeds)[0]
    if model.task == "classification":
        worst = float(np.max(np.abs(out - np.array(model.predict_proba_batch(rows)))))
    else:
        expected = np.array(model.predict_batch(rows))
        worst = float(np.max(np.abs(out[:, 0] - expected) / np.maximum(np.abs(expected), 1.0)))
    if not worst <= AGREEMENT:
        raise SystemExit(f"bench: {name}: its ONNX graph disagrees with finf by {worst:.3g}")
    return worst


def _torch_module():
    """The Iris network as torch.nn.Sequential with random weights, and its normalizer: what from_torch reads."""
    import torch

    torch.manual_seed(0)
    net = torch.nn.Sequential(torch.nn.Linear(4, 32), torch.nn.ReLU(), torch.nn.Linear(32, 3),
                              torch.nn.Softmax(dim=-1))
    return net.eval(), (np.array([5.84, 3.06, 3.76, 1.2]), np.array([0.83, 0.43, 1.76, 0.76]))


def _times(fns, rounds):
    """{name: [seconds, one per round]}, the functions interleaved every round after one warm-up call each."""
    for fn in fns.values():
        fn()
    times = {name: [] for name in fns}
    for _ in range(rounds):
        for name, fn in fns.items():
            start = time.perf_counter()
            fn()
            times[name].append(time.perf_counter() - start)
    return times


def conversion(rounds, quick):
    import joblib
    from skl2onnx import to_onnx as skl2onnx

    import finf
    from finf_train.convert import from_sklearn, from_torch, to_onnx

    pipes = _pipelines()
    checks, sizes, fns = [], [["model", "FINF", "scikit-learn pickle (joblib)", "ONNX (finf to_onnx)",
                               "ONNX (skl2onnx)", "pickle / FINF"]], {}
    for name, (pipe, X, _) in pipes.items():
        model = from_sklearn(pipe)
        finf_bytes, onnx_bytes = finf.dumps(model), to_onnx(model)
        worst, worst_onnx = _check(name, model, pipe, X), _check_onnx(name, model, onnx_bytes, X)
        checks.append(f"{name}: finf vs scikit-learn max |Δ| = {worst:.2g}, ONNX Runtime vs finf max |Δ| = "
                      f"{worst_onnx:.2g} <= {AGREEMENT:g} on all {len(X)} rows")
        pickled = io.BytesIO()
        joblib.dump(pipe, pickled)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            options = {"zipmap": False} if model.task == "classification" else None
            try:
                other = len(skl2onnx(pipe, X[:1], options=options, target_opset=17).SerializeToString())
                other = f"{other:,}"
            except Exception as error:  # skl2onnx may not take a pipeline finf does; say so in the table
                other = f"fails: {type(error).__name__}: {str(error)[:90]}"
        sizes.append([name, f"{len(finf_bytes):,}", f"{len(pickled.getvalue()):,}", f"{len(onnx_bytes):,}", other,
                      f"{len(pickled.getvalue()) / len(finf_bytes):.1f}"])
        fns[f"from_sklearn: {name}"] = lambda pipe=pipe: from_sklearn(pipe)
        fns[f"to_onnx: {name}"] = lambda model=model: to_onnx(model)
    net, normalizer = _torch_module()
    fns["from_torch: Iris nn.Sequential(Linear(4, 32), ReLU, Linear(32, 3), Softmax)"] = \
        lambda: from_torch(net, normalizer, ["setosa", "versicolor", "virginica"])
    times = {name: summarize(samples) for name, samples in _times(fns, 1 if quick else rounds).items()}
    table = [["conversion", "median", "spread (min – max)"]]
    table += [[name, ms(s.median), spread(s, ms)] for name, s in times.items()]
    slowest = max(s.median for s in times.values())
    lines = ["Each pipeline is fitted once on all rows of its data; each conversion is timed "
             f"{1 if quick else rounds} time{'s' * (not quick and rounds > 1)}, all interleaved, after one warm-up "
             "call. A conversion includes writing the FINF bytes and reading them back (what its file predicts).",
             "", *table_lines(table), "", "File sizes in bytes:", "", *table_lines(sizes)]
    targets = [("conversion: slowest conversion, seconds", slowest, 1.0)]
    return {"lines": lines, "checks": checks, "targets": targets}
