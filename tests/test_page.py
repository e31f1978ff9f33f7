"""The demo page in headless Chromium: built once, served from /finf/ on 127.0.0.1, checked against CPython."""

import hashlib
import json
import random
import re
import statistics
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import pytest

import finf
from conftest import build_site

expect = pytest.importorskip("playwright.sync_api").expect

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = Path(__file__).resolve().parent / "golden"
READY_TIMEOUT_MS = 90_000  # a cold Pyodide boot on a busy 2-core machine
RESULT_TIMEOUT_MS = 15_000

# Runs in the page before its own scripts (Playwright injects it outside the page's CSP).
WATCH_CSP = """
window.cspViolations = [];
document.addEventListener("securitypolicyviolation",
  (e) => window.cspViolations.push(`${e.violatedDirective} blocked ${e.blockedURI}`));
"""
SHOWN = """() => ({
  prediction: document.getElementById("prediction").textContent,
  bars: [...document.querySelectorAll("#bars .bar")].map((row) =>
    [row.dataset.class, row.querySelector(".bar-value").textContent, row.dataset.probability]),
  values: [...document.querySelectorAll("#features input")].map((input) => input.value),
  outputs: [...document.querySelectorAll("#features output")].map((output) => output.textContent),
})"""
SET_VALUE = """([index, value]) => {
  const input = document.querySelectorAll("#features input")[index];
  input.value = value;
  input.dispatchEvent(new Event("input", { bubbles: true }));
}"""


class Visit:
    """A page opened in a fresh context, with what it logged and fetched."""

    def __init__(self, browser, url):
        self.url = url
        self.console_errors = []
        self.page_errors = []
        self.requests = []
        self.context = browser.new_context()
        self.context.on("request", lambda request: self.requests.append(request.url))
        self.page = self.context.new_page()
        self.page.add_init_script(WATCH_CSP)
        self.page.on("console", self._on_console)
        self.page.on("pageerror", lambda error: self.page_errors.append(str(error)))
        self.page.on("worker", lambda worker: worker.on("console", self._on_console))
        self.html = self.page.locator("html")
        self.status = self.page.locator("#status")
        self.sliders = self.page.locator("#features input[type=range]")
        self.page.goto(url)

    def _on_console(self, message):
        if message.type == "error" or "Content Security Policy" in message.text:
            self.console_errors.append(f"{message.type}: {message.text}")

    def wait_ready(self):
        expect(self.html).to_have_attribute("data-state", re.compile("ready|error"), timeout=READY_TIMEOUT_MS)
        assert self.html.get_attribute("data-state") == "ready", self.status.text_content()
        expect(self.html).to_have_attribute("data-results", re.compile(r"\d+"), timeout=RESULT_TIMEOUT_MS)
        return self

    def wait_error(self):
        expect(self.html).to_have_attribute("data-state", "error", timeout=READY_TIMEOUT_MS)
        return self.status.text_content()

    def after_result(self, action):
        """Run action (one slider input) and wait until the page shows the result it caused."""
        before = self.html.get_attribute("data-results")
        action()
        expect(self.html).not_to_have_attribute("data-results", before, timeout=RESULT_TIMEOUT_MS)
        assert self.html.get_attribute("data-state") == "ready", self.status.text_content()

    def set_value(self, index, value):
        self.after_result(lambda: self.page.evaluate(SET_VALUE, [index, value]))

    def shown(self):
        return self.page.evaluate(SHOWN)

    def close(self):
        self.context.close()


@pytest.fixture
def visit(browser):
    visits = []

    def open_page(url):
        visits.append(Visit(browser, url))
        return visits[-1]

    yield open_page
    for v in visits:
        v.close()


@pytest.fixture(scope="module")
def golden_model():
    return finf.load((GOLDEN / "iris.bin").read_bytes())


def percent(p):
    return f"{p * 100:.1f}%"


def range_value(text):
    """A float as an <input type=range> writes its value: 5 not 5.0."""
    return text[:-2] if text.endswith(".0") else text


def assert_matches_cpython(shown, model, classes):
    """The page shows what the CPython engine predicts for the values on its sliders."""
    probabilities = model.predict_proba([float(v) for v in shown["values"]])
    best = probabilities.index(max(probabilities))
    assert shown["prediction"] == f"{classes[best]} {percent(probabilities[best])}"
    assert [(name, text) for name, text, _ in shown["bars"]] == [
        (name, percent(p)) for name, p in zip(classes, probabilities, strict=True)
    ]
    # The wheel in Pyodide computes the same bits as CPython; the page keeps the full number in data-probability.
    assert [float(p) for _, _, p in shown["bars"]] == probabilities
    return classes[best]


def random_positions(card, count, seed):
    """count rows of slider values on each slider's step grid, as range strings."""
    rng = random.Random(seed)
    rows = []
    for _ in range(count):
        row = []
        for f in card["features"]:
            steps = round((f["max"] - f["min"]) / f["step"])
            decimals = max(0, -int(f"{f['step']:e}".split("e")[1]))
            row.append(range_value(f"{f['min'] + rng.randint(0, steps) * f['step']:.{decimals}f}"))
        rows.append(row)
    return rows


@pytest.fixture(scope="module")
def card():
    return json.loads((GOLDEN / "iris.json").read_text(encoding="utf-8"))


def test_page_becomes_ready_quietly_under_its_csp(visit, site_url, card, golden_model):
    v = visit(site_url).wait_ready()
    expect(v.status).to_contain_text(re.compile(r"^Ready in \d+\.\d s"))
    expect(v.sliders).to_have_count(4)
    for i in range(4):
        expect(v.sliders.nth(i)).to_be_enabled()
    assert_matches_cpython(v.shown(), golden_model, card["classes"])
    assert v.page.evaluate("window.cspViolations") == []
    assert v.console_errors == []
    assert v.page_errors == []
    hosts = {urlsplit(url).hostname for url in v.requests}
    assert hosts == {"127.0.0.1"}, v.requests
    # The worker's downloads are seen too, so the host check covers the runtime and the wheel.
    assert any(url.endswith("pyodide.asm.wasm") for url in v.requests)
    assert all(urlsplit(url).path.startswith("/finf/") for url in v.requests), v.requests


def test_each_slider_moves_by_keyboard_and_by_value(visit, site_url, card, golden_model):
    v = visit(site_url).wait_ready()
    for i, feature in enumerate(card["features"]):
        slider = v.sliders.nth(i)
        start = float(slider.input_value())
        slider.focus()
        moves = [("ArrowRight", start + feature["step"]), ("End", feature["max"]), ("Home", feature["min"])]
        for key, value in moves:
            v.after_result(lambda key=key: v.page.keyboard.press(key))
            shown = v.shown()
            assert float(shown["values"][i]) == pytest.approx(value)
            assert shown["outputs"][i] == f"{value:.1f} {feature['unit']}"
            assert_matches_cpython(shown, golden_model, card["classes"])
        # Direct value: set it and fire the input event, as a script or assistive tool would.
        middle = range_value(f"{(feature['min'] + feature['max']) / 2:.1f}")
        v.set_value(i, middle)
        shown = v.shown()
        assert shown["values"][i] == middle
        assert shown["outputs"][i] == f"{float(middle):.1f} {feature['unit']}"
        assert_matches_cpython(shown, golden_model, card["classes"])
    assert v.console_errors == []


@pytest.mark.parametrize(("sample", "species"), [
    (["5.1", "3.5", "1.4", "0.2"], "setosa"),
    (["6.3", "3.3", "6", "2.5"], "virginica"),
])
def test_textbook_samples(visit, site_url, card, golden_model, sample, species):
    v = visit(site_url).wait_ready()
    for i, value in enumerate(sample):
        v.after_result(lambda i=i, value=value: v.sliders.nth(i).fill(value))
    shown = v.shown()
    assert shown["values"] == sample
    assert assert_matches_cpython(shown, golden_model, card["classes"]) == species


def test_random_positions_match_cpython(visit, site_url, card, golden_model):
    v = visit(site_url).wait_ready()
    for row in random_positions(card, 5, seed=3):
        for i, value in enumerate(row):
            v.set_value(i, value)
        shown = v.shown()
        assert shown["values"] == row
        assert_matches_cpython(shown, golden_model, card["classes"])


def live_regions(page):
    """Ids of the elements Chromium's accessibility tree treats as live regions (aria-live, role=status...)."""
    cdp = page.context.new_cdp_session(page)
    ids = []
    for node in cdp.send("Accessibility.getFullAXTree")["nodes"]:
        live = {p["name"]: p["value"].get("value") for p in node.get("properties", [])}.get("live")
        if live not in (None, "off"):
            attributes = cdp.send("DOM.describeNode", {"backendNodeId": node["backendDOMNodeId"]})["node"]["attributes"]
            ids.append(dict(zip(attributes[::2], attributes[1::2], strict=True)).get("id"))
    cdp.detach()
    return ids


def test_only_the_prediction_is_announced(visit, site_url, card, golden_model):
    v = visit(site_url).wait_ready()
    v.set_value(2, "5")
    assert live_regions(v.page) == ["prediction"]
    best = assert_matches_cpython(v.shown(), golden_model, card["classes"])
    region = v.page.locator("[aria-live=polite]")
    expect(region).to_have_text(re.compile(rf"^{best} \d+\.\d%$"))
    # The per-class bars sit outside it.
    assert v.page.evaluate("document.getElementById('bars').closest('[aria-live]')") is None
    expect(region.locator(".bar")).to_have_count(0)


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


FAILURES = {
    "corrupt-model": (lambda site, _: corrupt_model(site), ["iris.bin does not match its model card", "SHA-256"]),
    "corrupt-model-matching-card": (lambda site, _: corrupt_model_and_card(site),
                                    ["iris.bin is not a valid finf model: ", "<engine>"]),
    "missing-model": (remove("iris.bin"), ["Could not download the model file", "iris.bin", "HTTP 404"]),
    "missing-wheel": (remove("wheel"), ["the finf engine wheel", "<wheel>", "HTTP 404"]),
    "missing-micropip": (remove("micropip"), ["micropip", "<micropip>", "HTTP 404"]),
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
    expect(v.page.locator("#prediction")).to_have_text("")
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
        assert shown["outputs"][0].endswith(" mm") and shown["outputs"][2] == row[2]
        assert_matches_cpython(shown, model, card["classes"])
    assert v.console_errors == []


def test_screenshot_and_timings(visit, site_url, capsys):
    """Save the ready page as artifacts/page-ready.png; print (never assert) how long the page takes."""
    v = visit(site_url).wait_ready()
    first_ms = v.page.evaluate("performance.getEntriesByName('finf:first-prediction')[0].duration")
    (ROOT / "artifacts").mkdir(exist_ok=True)
    v.page.screenshot(path=ROOT / "artifacts" / "page-ready.png", full_page=True)
    slider = v.sliders.nth(2)
    slider.focus()
    for i in range(20):
        v.after_result(lambda key=("ArrowRight" if i % 2 == 0 else "ArrowLeft"): v.page.keyboard.press(key))
    latencies = v.page.evaluate("performance.getEntriesByName('finf:input-to-result').map((e) => e.duration)")
    assert len(latencies) == 20
    with capsys.disabled():
        print(f"\npage timings: navigation -> first prediction {first_ms:.0f} ms; slider input -> result "
              f"median {statistics.median(latencies):.1f} ms over {len(latencies)} inputs "
              f"(min {min(latencies):.1f}, max {max(latencies):.1f})")
