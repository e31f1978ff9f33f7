"""Sections 2, 3 and 5: one row in CPython, 10,000 rows through the batch APIs, and model sizes."""

import io
import itertools
import zlib

import numpy as np

import bench_common
from bench_common import (
    agree,
    interleaved,
    numpy_forward,
    onnx_graph,
    ort_session,
    skl2onnx_graph,
    sklearn_pipeline,
    spread,
    summarize,
    torch_module,
    us,
)

ONE_ROW_TARGETS = {"onnxruntime": 0.75, "scikit-learn": 0.05, "penguins": 1.5}
PENGUINS = "finf predict_proba, penguins v3 row (categories, a missing value)"


def competitors(model, iris):
    """{name: predict_proba(rows (n, 4) float64) -> (n, 3)} for every implementation, finf first."""
    import torch

    pipe = sklearn_pipeline(model, iris)
    helper_session, skl_session = ort_session(onnx_graph(model)), ort_session(skl2onnx_graph(pipe))
    single_session = ort_session(onnx_graph(model), threads=1)
    skl_input, skl_output = skl_session.get_inputs()[0].name, skl_session.get_outputs()[1].name
    module = torch_module(model)

    def run_torch(rows):
        with torch.no_grad():
            return module(torch.tensor(rows, dtype=torch.float32))

    return {
        "finf": lambda rows: model.predict_proba_batch(np.asarray(rows).tolist()),
        "numpy": numpy_forward(model),
        "scikit-learn pipeline": pipe.predict_proba,
        "onnxruntime, onnx.helper graph": lambda rows: helper_session.run(None, {"x": np.float32(rows)})[0],
        "onnxruntime, onnx.helper graph, 1 thread": lambda rows: single_session.run(None, {"x": np.float32(rows)})[0],
        "onnxruntime, skl2onnx graph": lambda rows: skl_session.run([skl_output], {skl_input: np.float32(rows)})[0],
        "torch no_grad": run_torch,
    }


def check_agreement(impls, model, rows):
    """Every competitor against finf on rows, before anything is timed: {name: largest difference}."""
    expected = np.array(model.predict_proba_batch(rows.tolist()))
    reference = np.array([model.forward(row) for row in rows.tolist()])
    diffs = {"finf reference forward": agree("finf's fast path vs Model.forward", expected, reference)}
    for name, predict_proba in impls.items():
        if name != "finf":
            diffs[name] = agree(name, np.asarray(predict_proba(rows)), expected)
    return diffs


def one_row(model, iris, rounds, budget):
    """Median time of one predict_proba call on one row given as a Python list, cycling through Iris."""
    impls = competitors(model, iris)
    diffs = check_agreement(impls, model, iris.X)
    rows = iris.X.tolist()
    it = itertools.cycle(rows)
    penguins, penguin_rows = bench_common.penguins()
    penguin_diff = agree("the penguins model's fast path vs Model.forward",
                         [penguins.predict_proba(row) for row in penguin_rows],
                         np.array([penguins.forward(penguins.encode(row)) for row in penguin_rows]))
    penguin_it = itertools.cycle(penguin_rows)
    fns = {"finf predict_proba": lambda: model.predict_proba(next(it)),
           PENGUINS: lambda: penguins.predict_proba(next(penguin_it))}
    fns["finf reference forward"] = lambda: model.forward(next(it))  # Model.forward: no checks, no layout
    for name, predict_proba in impls.items():
        if name != "finf":
            fns[name] = lambda predict_proba=predict_proba: predict_proba([next(it)])
    results = {name: summarize(times) for name, times in interleaved(fns, rounds, budget).items()}
    finf_time = results["finf predict_proba"].median
    arch = " ".join(layer.describe() for layer in penguins.layers)
    table = [["implementation", "median per call", "spread (min – max)", "finf / this", "max |Δp| vs finf"]]
    for name, summary in results.items():
        diff = f"{diffs[name]:.1e}" if name in diffs else ""
        table.append([name, us(summary.median), spread(summary, us), f"{finf_time / summary.median:.3f}", diff])
    ort = min(s.median for name, s in results.items() if name.startswith("onnxruntime"))
    sklearn = results["scikit-learn pipeline"].median
    targets = [
        ("one row: finf / onnxruntime (fastest of its rows)", finf_time / ort, ONE_ROW_TARGETS["onnxruntime"]),
        ("one row: finf / scikit-learn pipeline", finf_time / sklearn, ONE_ROW_TARGETS["scikit-learn"]),
        ("one row: finf penguins v3 row / finf Iris row", results[PENGUINS].median / finf_time,
         ONE_ROW_TARGETS["penguins"]),
    ]
    return {
        "lines": [
            "One `predict_proba` call on one row given as a Python list of 4 floats, cycling through the 150 Iris",
            "rows (so ReLU sparsity varies as in use). Competitors get the row as `[row]` and convert it the way",
            "their API needs (numpy array, float32 array for onnxruntime, `torch.tensor` for torch): that is",
            "the cost a caller with one row pays. torch runs on one thread. Rounds are interleaved so machine",
            "drift hits every row alike. finf / this below 1 means finf is faster.",
            "",
            "The penguins row runs a v3 model: `finf train data/penguins.csv --target species --missing impute`",
            f"on all 7 feature columns (island and sex categorical, five numbers, fill values stored), {arch}.",
            "Its fast path folds the one-hot columns into the first layer's bias, one bias per combination of",
            f"categories, so it computes 5 -> 32 -> 3 on the numbers. It cycles through the {len(penguin_rows)}",
            "penguins rows, each a list of category names and numbers with one number, a different one in turn,",
            "given as None for the model to fill.",
            "",
            *table_lines(table),
        ],
        "checks": [f"{name}: max |Δp| = {diff:.1e} <= 1e-5 on all 150 Iris rows" for name, diff in diffs.items()]
        + [f"{PENGUINS} vs its Model.forward: max |Δp| = {penguin_diff:.1e} <= 1e-5 on all {len(penguin_rows)} "
           "rows"],
        "targets": targets,
    }


def many_rows(model, iris, rounds, n_rows=10_000):
    """Rows per second through each batch API on n_rows jittered Iris rows, arrays prepared in advance."""
    impls = competitors(model, iris)
    rng = np.random.default_rng(0)
    rows = iris.X[rng.integers(0, len(iris.X), n_rows)] + rng.normal(0, 0.05, (n_rows, 4))
    rows = np.round(rows, 2)
    lists, rows32 = rows.tolist(), np.float32(rows)
    diffs = check_agreement({name: f for name, f in impls.items() if name != "finf"}, model, rows)
    fns = {
        "finf predict_proba_batch (list of lists)": lambda: model.predict_proba_batch(lists),
        "numpy (float64 array)": lambda: impls["numpy"](rows),
        "numpy, from the list of lists": lambda: impls["numpy"](np.array(lists)),
        "scikit-learn pipeline (float64 array)": lambda: impls["scikit-learn pipeline"](rows),
    }
    for name in impls:
        if name.startswith(("onnxruntime", "torch")):
            fns[f"{name} (float32 array)"] = lambda f=impls[name]: f(rows32)
    results = {name: summarize(times) for name, times in interleaved(fns, rounds, 0.0).items()}
    finf_rate = n_rows / results["finf predict_proba_batch (list of lists)"].median
    table = [["implementation", "median rows/s", "spread (min – max rows/s)", "finf / this", "µs per row"]]
    for name, s in results.items():
        rate = n_rows / s.median
        table.append([name, f"{rate:,.0f}", f"{n_rows / s.high:,.0f} – {n_rows / s.low:,.0f}",
                      f"{finf_rate / rate:.3f}", f"{s.median / n_rows * 1e6:.2f}"])
    return {
        "lines": [
            f"{n_rows:,} rows (Iris rows with N(0, 0.05) noise, rounded to 2 decimals) in one call. finf takes the",
            "Python list of lists its API works on; the others get the array they work on, prepared outside the",
            "timing (one numpy row shows the cost of building that array from lists).",
            "",
            *table_lines(table),
        ],
        "checks": [f"{name}: max |Δp| = {diff:.1e} <= 1e-5 on {n_rows:,} rows" for name, diff in diffs.items()],
        "targets": [],
    }


def sizes(model, iris, finf_bytes):
    """Bytes of each format for the same model, raw and zlib-compressed (level 9)."""
    import joblib
    import torch

    pipe = sklearn_pipeline(model, iris)
    state = io.BytesIO()
    torch.save(torch_module(model).state_dict(), state)
    joblib_file = io.BytesIO()
    joblib.dump(pipe, joblib_file)
    formats = {
        "FINF (finf.dumps)": finf_bytes,
        "ONNX, onnx.helper graph": onnx_graph(model),
        "ONNX, skl2onnx from the pipeline": skl2onnx_graph(pipe),
        "torch state_dict (torch.save)": state.getvalue(),
        "scikit-learn pipeline (joblib.dump: a pickle, the competitor's own format)": joblib_file.getvalue(),
    }
    table = [["format", "bytes", "zlib -9 bytes", "this / FINF"]]
    for name, data in formats.items():
        table.append([name, f"{len(data):,}", f"{len(zlib.compress(data, 9)):,}", f"{len(data) / len(finf_bytes):.1f}"])
    return {
        "lines": [
            "The same 4 -> 32 -> 3 model (259 parameters) with its normalizer, serialized by each tool.",
            "",
            *table_lines(table),
        ],
        "checks": [],
        "targets": [],
    }


def table_lines(rows):
    header, *body = rows
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join(["---"] * len(header)) + "|"]
    return lines + ["| " + " | ".join(str(cell) for cell in row) + " |" for row in body]
