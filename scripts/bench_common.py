"""What every benchmark section shares: the Iris split, one trained model, its competitors, and timing.

Every competitor computes the same function: the normalizer fitted on the training rows of the same
stratified split, then 4 -> 32 ReLU -> 3 softmax with the weights of the one finf model (float32, as the
file holds them). agree() checks their probabilities against finf's on every Iris row before any timing.
"""

import statistics
import sys
import time
import warnings
from pathlib import Path
from typing import NamedTuple

import numpy as np

import finf
from finf_train import apply_normalizer, fit, fit_normalizer, read_csv, stratified_split, to_finf

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data" / "iris.csv"
AGREEMENT = 1e-5  # largest |p_competitor - p_finf| allowed on any Iris row


class Iris(NamedTuple):
    X: np.ndarray  # (150, 4) raw features
    y: np.ndarray  # (150,) class indices
    train: np.ndarray  # row indices of the training split
    val: np.ndarray  # row indices of the validation split
    mean: np.ndarray  # (4,) normalizer, rounded as the model file stores it
    std: np.ndarray  # (4,)
    classes: list


def load_iris(seed=0, val_fraction=0.2):
    """The Iris data, finf's stratified split and the normalizer fitted on its training rows."""
    data = read_csv(DATA, "species")
    train, val = stratified_split(data.y, val_fraction, seed)
    mean, std = fit_normalizer(data.X[train])
    return Iris(data.X, data.y, train, val, mean, std, list(data.classes))


def train_model(iris):
    """The finf model all inference competitors share: the trainer's defaults on the training split."""
    z = apply_normalizer(iris.X, iris.mean, iris.std)
    network = fit(z[iris.train], iris.y[iris.train], len(iris.classes))
    return finf.load(finf.dumps(to_finf(network, iris.mean, iris.std)))


def penguins():
    """(model, rows): `finf train --missing impute` on every column of data/penguins.csv (a v3 model with two
    categorical features and fill values), and its rows as the engine takes them, each with a category per
    categorical feature and one numeric value, a different one in turn, given as None (missing)."""
    from finf_train import train

    result = train(ROOT / "data" / "penguins.csv", "species", missing="impute")
    model, dataset = result.model, result.dataset
    numeric = [j for j, categories in enumerate(dataset.categories) if categories is None]
    rows = []
    for k, values in enumerate(dataset.X.tolist()):
        row = [None if v != v else v if categories is None else categories[int(v)]  # NaN is missing
               for v, categories in zip(values, dataset.categories, strict=True)]
        row[numeric[k % len(numeric)]] = None
        rows.append(row)
    return model, rows


def weights(model):
    """(mean, std, w1 (32, 4), b1, w2 (3, 32), b2) of a finf model as float64 arrays."""
    linears = [layer for layer in model.layers if isinstance(layer, finf.Linear)]
    assert len(linears) == 2, "the benchmarks use one hidden layer"
    (w1, b1), (w2, b2) = [(np.array(layer.weight), np.array(layer.bias)) for layer in linears]
    return np.array(model.normalizer.mean), np.array(model.normalizer.std), w1, b1, w2, b2


# --- the competitors: each builder returns predict_proba(rows (n, 4) float64 array) -> (n, 3) -----------


def numpy_forward(model):
    mean, std, w1, b1, w2, b2 = weights(model)

    def predict_proba(rows):
        h = np.maximum(((np.asarray(rows, dtype=np.float64) - mean) / std) @ w1.T + b1, 0.0)
        logits = h @ w2.T + b2
        e = np.exp(logits - logits.max(axis=-1, keepdims=True))
        return e / e.sum(axis=-1, keepdims=True)

    return predict_proba


def sklearn_pipeline(model, iris):
    """StandardScaler + MLPClassifier with finf's normalizer and weights set in place of fitted ones."""
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.neural_network import MLPClassifier
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    mean, std, w1, b1, w2, b2 = weights(model)
    pipe = make_pipeline(StandardScaler(), MLPClassifier(hidden_layer_sizes=(32,), max_iter=1, random_state=0))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        pipe.fit(iris.X[iris.train], iris.y[iris.train])  # only to create the fitted attributes
    scaler, mlp = pipe[0], pipe[-1]
    scaler.mean_, scaler.scale_, scaler.var_ = mean.copy(), std.copy(), std**2
    mlp.coefs_ = [w1.T.copy(), w2.T.copy()]  # scikit-learn stores (in, out)
    mlp.intercepts_ = [b1.copy(), b2.copy()]
    return pipe


def onnx_graph(model):
    """The same network as an ONNX graph built with onnx.helper: Sub, Div, Gemm, Relu, Gemm, Softmax (float32)."""
    from onnx import TensorProto, helper, numpy_helper

    arrays = dict(zip(["mean", "std", "w1", "b1", "w2", "b2"], weights(model), strict=True))
    inits = [numpy_helper.from_array(a.astype(np.float32), name) for name, a in arrays.items()]
    nodes = [
        helper.make_node("Sub", ["x", "mean"], ["centered"]),
        helper.make_node("Div", ["centered", "std"], ["z"]),
        helper.make_node("Gemm", ["z", "w1", "b1"], ["h0"], transB=1),
        helper.make_node("Relu", ["h0"], ["h"]),
        helper.make_node("Gemm", ["h", "w2", "b2"], ["logits"], transB=1),
        helper.make_node("Softmax", ["logits"], ["probabilities"], axis=1),
    ]
    graph = helper.make_graph(
        nodes, "finf_iris",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [None, 4])],
        [helper.make_tensor_value_info("probabilities", TensorProto.FLOAT, [None, 3])],
        inits,
    )
    onnx_model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    onnx_model.ir_version = 9  # the newest onnx writes IR versions onnxruntime may not read yet
    return onnx_model.SerializeToString()


def skl2onnx_graph(pipe):
    """The scikit-learn pipeline converted by skl2onnx (probabilities as a plain tensor, no ZipMap)."""
    from skl2onnx import to_onnx

    onnx_model = to_onnx(pipe, np.zeros((1, 4), dtype=np.float32), options={"zipmap": False}, target_opset=17)
    return onnx_model.SerializeToString()


def ort_session(onnx_bytes, threads=None):
    import onnxruntime

    options = onnxruntime.SessionOptions()
    if threads:
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = threads
    return onnxruntime.InferenceSession(onnx_bytes, options, providers=["CPUExecutionProvider"])


def torch_module(model):
    """torch.nn.Sequential(Linear, ReLU, Linear, Softmax) after the normalizer, in float32, weights from finf."""
    import torch

    class Normalized(torch.nn.Module):
        def __init__(self, mean, std, net):
            super().__init__()
            self.register_buffer("mean", mean)
            self.register_buffer("std", std)
            self.net = net

        def forward(self, x):
            return self.net((x - self.mean) / self.std)

    torch.set_num_threads(1)  # its fastest setting for this size on this 2-core machine
    mean, std, w1, b1, w2, b2 = (torch.tensor(a, dtype=torch.float32) for a in weights(model))
    net = torch.nn.Sequential(torch.nn.Linear(4, 32), torch.nn.ReLU(), torch.nn.Linear(32, 3), torch.nn.Softmax(-1))
    with torch.no_grad():
        for layer, (w, b) in zip([net[0], net[2]], [(w1, b1), (w2, b2)], strict=True):
            layer.weight.copy_(w)
            layer.bias.copy_(b)
    return Normalized(mean, std, net).eval()


def agree(name, probabilities, expected):
    """Check a competitor's (n, 3) probabilities against finf's; return the largest difference."""
    worst = float(np.max(np.abs(np.asarray(probabilities, dtype=np.float64) - expected)))
    if not worst <= AGREEMENT:
        sys.exit(f"bench: {name} disagrees with finf by {worst:.3g} (allowed {AGREEMENT}): not timing it")
    return worst


# --- timing ----------------------------------------------------------------------------------------------


def per_call(fn, calls):
    """Seconds per call of fn() over calls calls."""
    start = time.perf_counter()
    for _ in range(calls):
        fn()
    return (time.perf_counter() - start) / calls


def interleaved(fns, rounds, budget):
    """{name: [seconds per call, one per round]}, each fn run in turn every round so that drift hits all alike.

    Each fn gets as many calls per round as fit in budget seconds (at least one), judged from a warm-up.
    """
    calls = {}
    for name, fn in fns.items():
        estimate = per_call(fn, 3)  # also warms caches and lazy initialisation
        calls[name] = max(1, min(100_000, int(budget / max(estimate, 1e-9))))
    times = {name: [] for name in fns}
    for _ in range(rounds):
        for name, fn in fns.items():
            times[name].append(per_call(fn, calls[name]))
    return times


class Summary(NamedTuple):
    median: float
    low: float
    high: float


def summarize(samples):
    return Summary(statistics.median(samples), min(samples), max(samples))


def us(seconds):
    return f"{seconds * 1e6:.2f} µs"


def ms(seconds):
    return f"{seconds * 1e3:.1f} ms"


def spread(summary, unit):
    return f"{unit(summary.low)} – {unit(summary.high)}"


def finf_bytes(model):
    """The FINF file of model."""
    return finf.dumps(model)
