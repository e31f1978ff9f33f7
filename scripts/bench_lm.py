"""Section 8 of scripts/bench.py: a language model writing text, in CPython and in Pyodide under Node.

The default GPT (2 layers, 64 dimensions, 4 heads, block 64, an 80-character vocabulary) with random weights:
speed does not depend on what the weights learned. Pyodide runs the engine wheel built from this checkout
(tests/pyodide_harness.py), as the page's worker does, with math.sumprod; CPython 3.11 has no sumprod and
takes the engine's plain loop.
"""

import json
import os
import string
import sys
import time

import numpy as np

from bench_common import ROOT, spread, summarize

sys.path.insert(0, str(ROOT / "tests"))
import finf  # noqa: E402
import lm_reference  # noqa: E402 - tests/ holds the numpy reference forward pass
import pyodide_harness  # noqa: E402
from finf import _lm  # noqa: E402
from finf_train.lm.export import to_model  # noqa: E402

PROMPT = "It is a truth"
# 80 characters, about what Jane Austen's novels use.
VOCAB = "".join(sorted(set(string.ascii_letters + string.digits + " .,;:!?'\"-\n()&*_[]")))
TARGET_MS_PER_CHAR = 1000 / 80  # at least 80 characters per second in Pyodide

PYODIDE_CODE = """
import json, math, time
import finf
from finf import _lm
model = finf.load(open("lm.bin", "rb").read())
spec = json.load(open("spec.json"))
out = {"sumprod": _lm.DOT is getattr(math, "sumprod", None), "generate": [], "token_fast": [], "token_loop": []}
for r in range(spec["rounds"]):
    start = time.perf_counter()
    text = "".join(model.generate(spec["prompt"], spec["length"], 0.8, None, r))
    out["generate"].append((time.perf_counter() - start) / spec["length"])
    for name, dot in (("token_fast", _lm.DOT), ("token_loop", _lm.dot_loop)):
        stepper = _lm.Stepper(model, dot=dot)
        start = time.perf_counter()
        for t in range(spec["steps"]):
            stepper.feed(t % len(model.vocab))
        out[name].append((time.perf_counter() - start) / spec["steps"])
out["text0"] = "".join(model.generate(spec["prompt"], 60, 0.8, None, 0))
print(json.dumps(out))
"""


def default_gpt():
    config = lm_reference.gpt_config(VOCAB, n_layer=2, n_head=4, n_embd=64, block_size=64)
    state = lm_reference.gpt_state(config, seed=0, scale=0.1)
    return config, state, to_model(config, state)


PAGE_SCRIPT = """async ([prompt, length, seed]) => {
  const set = (id, value) => { document.getElementById(id).value = value; };
  set("prompt", prompt); set("length", String(length)); set("temperature", "0.8"); set("seed", String(seed));
  document.getElementById("generate").click();
}"""


def in_the_page(model, rounds, length, workdir):
    """Characters per second the site's page reports (data-chars-per-second) in headless Chromium, per round."""
    import shutil as shell
    import tempfile

    from playwright.sync_api import expect, sync_playwright

    import build_site
    import serve
    from finf_train.lm.export import save_lm

    chromium = shell.which("chromium") or shell.which("chromium-browser")
    if chromium is None:
        return None
    with tempfile.TemporaryDirectory(dir=workdir) as tmp:
        config, state, _ = default_gpt()
        save_lm(f"{tmp}/writer.bin", config, state, {"corpus": "random weights"})
        site = build_site.build_site(f"{tmp}/writer.bin", f"{tmp}/site", with_snapshot=False)
        server = serve.serve_in_thread(site, "/finf/")
        speeds = []
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=chromium, args=["--no-sandbox", "--disable-gpu"])
                page = browser.new_page()
                page.goto(server.url)
                expect(page.locator("#generate")).to_be_enabled(timeout=180_000)
                for r in range(rounds):
                    page.evaluate(PAGE_SCRIPT, [PROMPT, length, r])
                    expect(page.locator("html")).to_have_attribute("data-generation", "done", timeout=300_000)
                    speeds.append(float(page.locator("html").get_attribute("data-chars-per-second")))
                browser.close()
        finally:
            server.shutdown()
            server.server_close()
    return summarize(speeds)


def language_model(rounds, quick, workdir=None):
    load_before = os.getloadavg()[0]
    config, state, model = default_gpt()
    ids = model.encode(PROMPT * 4)[:64]
    gap = float(np.max(np.abs(np.array(model.forward(ids)) - lm_reference.gpt_logits(config, state, ids))))
    length, steps = (60, 20) if quick else (300, 64)
    spec = {"rounds": rounds, "prompt": PROMPT, "length": length, "steps": steps}
    out = json.loads(pyodide_harness.run_in_pyodide(
        PYODIDE_CODE, {"lm.bin": finf.dumps(model), "spec.json": json.dumps(spec).encode()}).strip().splitlines()[-1])
    cpython = []
    for r in range(rounds):
        start = time.perf_counter()
        "".join(model.generate(PROMPT, length, 0.8, None, r))
        cpython.append((time.perf_counter() - start) / length)
    same = out["text0"] == "".join(model.generate(PROMPT, 60, 0.8, None, 0))
    generate, fast, loop, host = (summarize(out["generate"]), summarize(out["token_fast"]),
                                  summarize(out["token_loop"]), summarize(cpython))

    kept = _lm.kept_context(64)
    slides = max(0, (length + len(PROMPT) - 64) // (64 - kept) + 1)

    def ms(seconds):
        return f"{seconds * 1e3:.2f} ms"

    lines = [
        f"The default GPT ({sum(len(p) for p in model.parameters()):,} parameters, {len(VOCAB)} characters, "
        f"block 64), random weights; {length} characters from \"{PROMPT}\" at temperature 0.8, seeds 0 to "
        f"{rounds - 1}, so the window slides {slides} times (it keeps its last {kept} characters and re-encodes "
        "them). Per generated character, median (min – max) over rounds:", "",
        "| | per character | characters per second |", "|---|---|---|",
        f"| Pyodide, generate() | {ms(generate.median)} ({spread(generate, ms)}) | {1 / generate.median:.0f} |",
        f"| Pyodide, one token with the KV cache, math.sumprod | {ms(fast.median)} ({spread(fast, ms)}) | "
        f"{1 / fast.median:.0f} |",
        f"| Pyodide, one token, the plain loop (Python 3.11's path) | {ms(loop.median)} ({spread(loop, ms)}) | "
        f"{1 / loop.median:.0f} |",
        f"| CPython {sys.version.split()[0]}, generate() | {ms(host.median)} ({spread(host, ms)}) | "
        f"{1 / host.median:.0f} |",
        "", f"Pyodide's generate() against one cached token: {generate.median / fast.median:.2f}x (the window's "
        "re-encoding and sampling); sumprod against the loop: {:.2f}x faster.".format(loop.median / fast.median),
        "", f"The machine's load average (1 minute) was {load_before:.1f} before and {os.getloadavg()[0]:.1f} after, "
        f"on {os.cpu_count()} cores.",
    ]
    page = None if quick else in_the_page(model, rounds, length, workdir)
    if page is not None:
        lines.insert(5, f"| the site's page in headless Chromium (the worker, one call into Python per character) | "
                        f"{ms(1 / page.median)} ({ms(1 / page.high)} – {ms(1 / page.low)}) | {page.median:.0f} |")
    checks = [f"the engine's logits equal the numpy reference forward pass to {gap:.1e} (limit 1e-4)",
              f"Pyodide uses math.sumprod: {out['sumprod']}",
              f"Pyodide and CPython write the same 60 characters for seed 0: {same}"]
    if gap > 1e-4 or not same:
        raise AssertionError("; ".join(checks))
    targets = [("ms per generated character in Pyodide (>= 80 characters/s)", generate.median * 1e3,
                TARGET_MS_PER_CHAR)]
    return {"lines": lines, "checks": checks, "targets": targets}
