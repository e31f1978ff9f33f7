"""Language models in real Pyodide (Python 3.14, math.sumprod): the same text for a seed as CPython 3.11."""

import json
import math

import pytest

import finf
import hostile_lm
from finf import _lm
from finf_train.lm.export import to_model
from lm_reference import TEXT, gpt_config, gpt_state
from pyodide_harness import run_in_pyodide

pytestmark = pytest.mark.pyodide

VOCAB = "".join(sorted(set(TEXT)))
PROMPT = "it is a truth"

PYODIDE_CODE = """
import json, math
import finf
from finf import _lm
model = finf.load(open("lm.bin", "rb").read())
ids = model.encode("must be in want")
fast, loop = _lm.Stepper(model), _lm.Stepper(model, dot=_lm.dot_loop)
out = {
    "dot": _lm.DOT is math.sumprod,
    "gap": max(abs(a - b) for t in ids for a, b in zip(fast.feed(t), loop.feed(t))),
    "texts": {str(seed): "".join(model.generate(PROMPT, 60, seed=seed)) for seed in (0, 1, 2)},
    "top_k": "".join(model.generate(PROMPT, 30, temperature=0.7, top_k=5, seed=9)),
    "greedy": "".join(model.generate(PROMPT, 30, temperature=0)),
    "loss": model.loss(TEXT),
    "errors": [],
}
for name in CASES:
    try:
        finf.load(open(name, "rb").read())
    except finf.FormatError as error:
        out["errors"].append(str(error))
try:
    model.generate("Zut", 3)
except ValueError as error:
    out["errors"].append(str(error))
print(json.dumps(out))
"""


def test_pyodide_generates_the_cpython_text_for_a_seed():
    config = gpt_config(VOCAB, n_embd=16, n_head=4, block_size=8)
    model = to_model(config, gpt_state(config, seed=3))
    cases = hostile_lm.cases()
    files = {"lm.bin": finf.dumps(model)} | {case.name: case.data for case in cases}
    code = f"PROMPT = {PROMPT!r}\nTEXT = {TEXT!r}\nCASES = {[c.name for c in cases]!r}\n" + PYODIDE_CODE
    out = json.loads(run_in_pyodide(code, files).strip().splitlines()[-1])
    assert out["dot"] is True and out["gap"] < 1e-12  # sumprod and the plain loop differ by rounding alone
    assert not hasattr(math, "sumprod") or _lm.DOT is math.sumprod
    for seed, text in out["texts"].items():  # 60 characters from a block of 8: the window slides many times
        assert text == "".join(model.generate(PROMPT, 60, seed=int(seed)))
    assert len(set(out["texts"].values())) == 3
    assert out["top_k"] == "".join(model.generate(PROMPT, 30, temperature=0.7, top_k=5, seed=9))
    assert out["greedy"] == "".join(model.generate(PROMPT, 30, temperature=0))
    assert out["loss"] == pytest.approx(model.loss(TEXT), abs=1e-12)
    expected = []
    for case in cases:
        with pytest.raises(finf.FormatError) as error:
            finf.load(case.data)
        expected.append(str(error.value))
    with pytest.raises(ValueError) as error:
        model.generate("Zut", 3)
    assert out["errors"] == expected + [str(error.value)]
