"""The page with other sites: broken ones show the error in words, another model gets its own sliders."""

import hashlib
import json
import random
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import finf
from conftest import CHROMIUM_ARGS, Visit, build_site
from test_page import assert_matches_cpython, random_positions, step_decimals

expect = pytest.importorskip("playwright.sync_api").expect

pytestmark = pytest.mark.browser

GOLDEN = Path(__file__).resolve().parent / "golden"


def replace_file(path, data):
    """Write a new file at path (the variant's files are hard links to the built site's)."""
    path.unlink()
    path.write_bytes(data)


def corrupt_model(site):
    model = site / "iris.bin"
    replace_file(model, b"X" + model.read_bytes()[1:])


def corrupt_model_and_card(site):
    """A truncated model whose card was updated to match, so only the engine can tell."""
    model, card_path = site / "iris.bin", site / "iris.json"
    data = model.read_bytes()[:-1]
    replace_file(model, data)
    card = json.loads(card_path.read_text(encoding="utf-8"))
    card.update(size_bytes=len(data), sha256=hashlib.sha256(data).hexdigest())
    replace_file(card_path, json.dumps(card).encode())


def truncated_model_error():
    try:
        finf.load((GOLDEN / "iris.bin").read_bytes()[:-1])
    except finf.FormatError as error:
        return str(error)
    raise AssertionError("the truncated golden model loaded")


def remove(key):
    """Delete the site file the manifest names under key (or the file named key)."""
    return lambda site, manifest: (site / manifest.get(key, key)).unlink()


def without_snapshot(change):
    """change, on a site whose snapshot is deleted, so that the page takes the micropip path."""

    def apply(site, manifest):
        (site / manifest["snapshot"]["file"]).unlink()
        change(site, manifest)

    return apply


FAILURES = {
    "corrupt-model": (lambda site, _: corrupt_model(site), ["iris.bin does not match its model card", "SHA-256"]),
    "corrupt-model-matching-card": (lambda site, _: corrupt_model_and_card(site),
                                    ["iris.bin is not a valid finf model: ", "<engine>"]),
    "missing-model": (remove("iris.bin"), ["Could not download the model file", "iris.bin", "HTTP 404"]),
    "missing-wheel": (without_snapshot(remove("wheel")), ["the finf engine wheel", "<wheel>", "HTTP 404"]),
    "missing-micropip": (without_snapshot(remove("micropip")), ["micropip", "<micropip>", "HTTP 404"]),
    "missing-glue": (without_snapshot(remove("glue.py")), ["the engine's Python glue", "glue.py", "HTTP 404"]),
    "missing-runtime-module": (remove("pyodide/pyodide.mjs"), [
        "Could not load the Python runtime (pyodide/pyodide.mjs): pyodide/pyodide.mjs answered HTTP 404"]),
    "missing-runtime": (remove("pyodide/pyodide.asm.wasm"),
                        ["Python runtime", "pyodide/pyodide.asm.wasm answered HTTP 404"]),
    "corrupt-runtime": (lambda site, _: replace_file(site / "pyodide" / "pyodide.asm.wasm", b"\0asm not a module"),
                        ["The Python runtime failed to start: pyodide/pyodide.asm.wasm: CompileError"]),
}


@pytest.mark.parametrize("failure", FAILURES)
def test_failure_is_shown_in_words_with_sliders_disabled(visit, site_dir, site_variant, failure):
    change, expected = FAILURES[failure]
    manifest = json.loads((site_dir / "site.json").read_text(encoding="utf-8"))
    names = {"<wheel>": manifest["wheel"], "<micropip>": manifest["micropip"], "<engine>": truncated_model_error()}
    v = visit(site_variant(lambda site: change(site, manifest)))
    text = v.wait_error()
    assert text.startswith("Error: ")
    for part in expected:
        assert names.get(part, part) in text
    expect(v.status).to_have_class(re.compile(r"\berror\b"))
    expect(v.status).to_be_visible()
    expect(v.page.locator("h1")).to_be_visible()
    # The card is intact, so its sliders are built, and stay disabled.
    expect(v.sliders).to_have_count(4)
    expect(v.page.locator("#features input:enabled")).to_have_count(0)
    # The one live region announces the failure.
    expect(v.page.locator("#prediction")).to_have_text(f"No prediction: {text.removeprefix('Error: ')}")
    assert v.page.evaluate("window.cspViolations") == []


def write_six_feature_csv(path):
    """60 rows, six features (with and without units, integer and decimal), two classes split by a plane."""
    rng = random.Random(7)
    lines = ["height (mm),weight (g),age,score,ratio,count,label"]
    for _ in range(60):
        row = [rng.uniform(10, 20), rng.uniform(100, 300), rng.randint(1, 9), rng.uniform(-1, 1),
               rng.uniform(0, 1), rng.randint(0, 50)]
        label = "big" if row[0] / 20 + row[1] / 300 + row[3] > 1.1 else "small"
        lines.append(f"{row[0]:.1f},{row[1]:.0f},{row[2]},{row[3]:.2f},{row[4]:.3f},{row[5]},{label}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


@pytest.fixture(scope="module")
def six_feature_site(tmp_path_factory, engine_wheel, serve_site):
    """A site for a model trained with `finf train` on another CSV: six features, two classes."""
    work = tmp_path_factory.mktemp("six")
    write_six_feature_csv(work / "six.csv")
    finf_cli = Path(sys.executable).with_name("finf")
    subprocess.run([str(finf_cli), "train", str(work / "six.csv"), "--target", "label", "--out",
                    str(work / "six.bin"), "--hidden", "8", "--epochs", "100"],
                   check=True, capture_output=True, text=True)
    site = build_site(work / "site", work / "six.bin", engine_wheel)
    card = json.loads((work / "six.json").read_text(encoding="utf-8"))
    return serve_site(site), card, finf.load((work / "six.bin").read_bytes())


def test_another_model_gets_its_own_sliders_and_classes(visit, six_feature_site):
    url, card, model = six_feature_site
    assert (len(card["features"]), len(card["classes"])) == (6, 2)
    v = visit(url).wait_ready()
    expect(v.sliders).to_have_count(6)
    expect(v.page.locator("#bars .bar")).to_have_count(2)
    labels = v.page.locator("#features label").all_text_contents()
    assert labels == [f["label"] for f in card["features"]]
    for i, f in enumerate(card["features"]):
        slider = v.sliders.nth(i)
        assert [float(slider.get_attribute(a)) for a in ("min", "max", "step")] == [f["min"], f["max"], f["step"]]
    assert_matches_cpython(v.shown(), model, card["classes"])
    for row in random_positions(card, 3, seed=11):
        for i, value in enumerate(row):
            v.set_value(i, value)
        shown = v.shown()
        assert shown["values"] == row
        # Each value with the decimals its step needs (the card's step, not the CSV's digits), and its unit.
        age_decimals = step_decimals(card["features"][2]["step"])
        assert shown["outputs"][0].endswith(" mm") and shown["outputs"][2] == f"{float(row[2]):.{age_decimals}f}"
        assert_matches_cpython(shown, model, card["classes"])
    assert v.console_errors == []



@pytest.fixture(scope="module")
def plain_http_browser(browser):
    """Chromium that reaches 127.0.0.1 under the name finf.test. Plain http there is not a secure context,
    so the worker has no crypto.subtle, as on a site served over http from a LAN address."""
    chromium = browser.browser_type.launch(executable_path=shutil.which("chromium"),
                                           args=[*CHROMIUM_ARGS, "--host-resolver-rules=MAP finf.test 127.0.0.1"])
    yield chromium
    chromium.close()


def test_without_crypto_subtle_python_checks_the_model_sha256(plain_http_browser, site_url, site_variant):
    v = Visit(plain_http_browser, site_url.replace("127.0.0.1", "finf.test"))
    try:
        assert v.page.evaluate("isSecureContext") is False
        v.wait_ready()
        assert v.page.workers[0].evaluate("self.crypto.subtle === undefined")
        # No service worker either, and the page says so instead of offering to work offline.
        expect(v.page.locator("#offline")).to_have_text(re.compile(r"^Online only: .* https or from localhost\.$"))
    finally:
        v.close()
    corrupted = b"X" + (GOLDEN / "iris.bin").read_bytes()[1:]  # what corrupt_model leaves in the site
    v = Visit(plain_http_browser, site_variant(corrupt_model).replace("127.0.0.1", "finf.test"))
    try:
        digest = hashlib.sha256(corrupted).hexdigest()
        assert f"iris.bin does not match its model card: its SHA-256 is {digest}," in v.wait_error()
    finally:
        v.close()
