"""Section 4: start-up, a fresh process that loads the model from disk and predicts one row.

Files are written beforehand into a scratch directory: FINF (with the card `finf train` writes beside it),
ONNX, and numpy .npz for numpy, scikit-learn and torch. scikit-learn's and torch's own formats are pickles
(joblib, torch.save), and nothing in this repository loads a pickle, so those two rebuild the same model from
the .npz weights: the cost measured is importing the library, building the model and predicting.
"""

import os
import random
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

from bench_common import DATA, ms, onnx_graph, spread, summarize, weights
from bench_inference import table_lines

TARGET_MS = 15.0  # the Python API may add at most this to a bare `python -c pass`
CLI_TARGET = 2.5  # `finf predict` may take at most this many times a bare `python -c pass`
QUICK_SECONDS, QUICK_REPEATS = 0.1, 5  # a process faster than this runs this many times per round
ROW = [5.1, 3.5, 1.4, 0.2]
SHOW = "print(*[round(float(p), 6) for p in probabilities])"  # one line of numbers, the same for every snippet
SNIPPETS = {
    "bare python -c pass": "pass",
    "finf (Python API)": f"""
import finf
probabilities = finf.load("iris.bin").predict_proba({ROW})
{SHOW}""",
    "numpy (.npz)": f"""
import numpy as np
p = np.load("iris.npz")
h = np.maximum(p["w1"] @ ((np.array({ROW}) - p["mean"]) / p["std"]) + p["b1"], 0.0)
z = p["w2"] @ h + p["b2"]
e = np.exp(z - z.max())
probabilities = e / e.sum()
{SHOW}""",
    "onnxruntime (.onnx)": f"""
import numpy as np
import onnxruntime
session = onnxruntime.InferenceSession("iris.onnx", providers=["CPUExecutionProvider"])
probabilities = session.run(None, {{"x": np.array([{ROW}], dtype=np.float32)}})[0][0]
{SHOW}""",
    "scikit-learn (pipeline from .npz)": f"""
import warnings
import numpy as np
from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
p = np.load("iris.npz")
pipe = make_pipeline(StandardScaler(), MLPClassifier(hidden_layer_sizes=(32,), max_iter=1))
with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    pipe.fit(np.zeros((3, 4)) + np.arange(3)[:, None], [0, 1, 2])  # creates the fitted attributes
pipe[0].mean_, pipe[0].scale_ = p["mean"], p["std"]
pipe[1].coefs_, pipe[1].intercepts_ = [p["w1"].T, p["w2"].T], [p["b1"], p["b2"]]
probabilities = pipe.predict_proba([{ROW}])[0]
{SHOW}""",
    "torch (module from .npz)": f"""
import numpy as np
import torch
p = {{k: torch.tensor(v, dtype=torch.float32) for k, v in np.load("iris.npz").items()}}
net = torch.nn.Sequential(torch.nn.Linear(4, 32), torch.nn.ReLU(), torch.nn.Linear(32, 3), torch.nn.Softmax(-1))
net.load_state_dict({{"0.weight": p["w1"], "0.bias": p["b1"], "2.weight": p["w2"], "2.bias": p["b2"]}})
with torch.no_grad():
    probabilities = net((torch.tensor([{ROW}]) - p["mean"]) / p["std"])[0]
{SHOW}""",
}


def write_files(model, workdir):
    """The model in every competitor's format, in workdir; the FINF file and its card as `finf train` writes them."""
    from finf_train import save, train

    result = train(str(DATA), "species")
    assert result.model_bytes == bench_model_bytes(model), "finf train's defaults give the benchmark model"
    save(result, os.path.join(workdir, "iris.bin"))
    mean, std, w1, b1, w2, b2 = weights(model)
    np.savez(os.path.join(workdir, "iris.npz"), mean=mean, std=std, w1=w1, b1=b1, w2=w2, b2=b2)
    Path(workdir, "iris.onnx").write_bytes(onnx_graph(model))


def bench_model_bytes(model):
    import finf

    return finf.dumps(model)


def commands():
    cli = Path(sys.executable).with_name("finf")
    found = {name: [sys.executable, "-c", code] for name, code in SNIPPETS.items()}
    found["finf predict (CLI)"] = [str(cli), "predict", "iris.bin", "--json", *map(str, ROW)]
    return found


def run(command, workdir):
    """(wall seconds, stdout, CPU seconds) of one fresh process, with Python's default bytecode caching on."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    result = subprocess.run(command, cwd=workdir, env=env, capture_output=True, text=True, timeout=120, check=False)
    seconds = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if result.returncode != 0:
        sys.exit(f"bench: {command[0]} failed with exit code {result.returncode}: {result.stderr.strip()[-500:]}")
    cpu = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
    return seconds, result.stdout, cpu


def probabilities(name, stdout):
    if name == "finf predict (CLI)":
        import json

        return json.loads(stdout)["probabilities"]
    return [float(v) for v in stdout.split()]


def startup(context, rounds, workdir):
    model = context["model"]
    write_files(model, workdir)
    cmds = commands()
    expected = model.predict_proba(ROW)
    checks, first = [], {}
    for name, command in cmds.items():  # one untimed run each: byte-compiles, fills the page cache, checks output
        first[name], stdout, _ = run(command, workdir)
        if name != "bare python -c pass":
            worst = max(abs(a - b) for a, b in zip(probabilities(name, stdout), expected, strict=True))
            if worst > 1e-5:
                sys.exit(f"bench: {name} printed {stdout.strip()!r}, not finf's {expected}")
            checks.append(f"{name}: prints finf's probabilities to within {max(worst, 1e-6):.0e}")
    # A process started right after torch or scikit-learn finds colder CPU caches, so each round runs the
    # commands in a new order; quick ones run several times a round, for enough samples at little cost.
    times, cpu_times = {name: [] for name in cmds}, {name: [] for name in cmds}
    order = list(cmds)
    shuffle = random.Random(0).shuffle
    for _ in range(rounds):
        shuffle(order)
        for name in order:
            for _ in range(QUICK_REPEATS if first[name] < QUICK_SECONDS else 1):
                wall, _, cpu = run(cmds[name], workdir)
                times[name].append(wall)
                cpu_times[name].append(cpu)
    results = {name: summarize(samples) for name, samples in times.items()}
    cpu = {name: statistics.median(samples) for name, samples in cpu_times.items()}
    bare, bare_cpu = results["bare python -c pass"].median, cpu["bare python -c pass"]
    table = [["process", "median wall time", "spread (min – max)", "minus bare python", "this / bare",
              "median CPU time", "CPU / bare"]]
    for name, s in results.items():
        table.append([name, ms(s.median), spread(s, ms), ms(s.median - bare), f"{s.median / bare:.2f}",
                      ms(cpu[name]), f"{cpu[name] / bare_cpu:.2f}"])
    added = (results["finf (Python API)"].median - bare) * 1e3
    cli = results["finf predict (CLI)"].median / bare
    return {
        "lines": [
            f"Wall time of `{Path(sys.executable).name} -c <snippet>` (and of the `finf predict` console script)",
            "from spawn to exit, loading the model file and printing the probabilities of one row. One untimed",
            "run of each first, so byte-compiled files and the OS page cache are warm, as on any launch after",
            "the first (PYTHONDONTWRITEBYTECODE is removed from the environment: Python caches bytecode by default).",
            f"Each of the {rounds} rounds runs the processes in a new (seeded) order; those under "
            f"{QUICK_SECONDS * 1e3:.0f} ms run {QUICK_REPEATS} times a round. Medians and spreads are over every",
            "launch. CPU time (user + system, from getrusage) moves less than wall time when other work shares",
            "the machine; the targets use wall time.",
            "",
            *table_lines(table),
        ],
        "checks": checks,
        "targets": [("start-up: finf (Python API) minus bare python, ms", added, TARGET_MS),
                    ("start-up: finf predict (CLI) / bare python", cli, CLI_TARGET)],
    }
