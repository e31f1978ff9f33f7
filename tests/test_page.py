"""The demo page in headless Chromium: built once, served from /finf/ on 127.0.0.1, checked against CPython."""

import json
import random
import re
import statistics
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlsplit

import pytest

import finf

expect = pytest.importorskip("playwright.sync_api").expect

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = Path(__file__).resolve().parent / "golden"


@pytest.fixture(scope="module")
def golden_model():
    return finf.load((GOLDEN / "iris.bin").read_bytes())


@pytest.fixture(scope="module")
def card():
    return json.loads((GOLDEN / "iris.json").read_text(encoding="utf-8"))


def percent(p):
    return f"{p * 100:.1f}%"


def range_value(text):
    """A number as an <input type=range> writes its value: 5 not 5.0, 4.3 not 4.300."""
    shortest = repr(float(text))
    return shortest.removesuffix(".0")


def step_decimals(step):
    """The decimals a slider's step needs, as the page shows its value: 0.025 -> 3, 0.5 -> 1, 2.0 -> 0."""
    return max(0, -Decimal(repr(step)).normalize().as_tuple().exponent)


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
            decimals = step_decimals(f["step"])
            row.append(range_value(f"{f['min'] + rng.randint(0, steps) * f['step']:.{decimals}f}"))
        rows.append(row)
    return rows


def test_page_becomes_ready_quietly_under_its_csp(visit, site_url, card, golden_model):
    v = visit(site_url).wait_ready()
    expect(v.status).to_contain_text(re.compile(r"^Ready in \d+\.\d s"))
    # The titles come from the card; index.html itself names no model.
    expect(v.page).to_have_title("Predicting species from 4 measurements · finf")
    expect(v.page.locator("h1")).to_have_text("Predicting species from 4 measurements")
    expect(v.page.locator("#result-heading")).to_have_text("Predicted species")
    assert "Iris" not in (ROOT / "web" / "index.html").read_text(encoding="utf-8")
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
        decimals = step_decimals(feature["step"])
        slider = v.sliders.nth(i)
        start = float(slider.input_value())
        slider.focus()
        moves = [("ArrowRight", start + feature["step"]), ("End", feature["max"]), ("Home", feature["min"])]
        for key, value in moves:
            v.after_result(lambda key=key: v.page.keyboard.press(key))
            shown = v.shown()
            assert float(shown["values"][i]) == pytest.approx(value)
            assert shown["outputs"][i] == f"{value:.{decimals}f} {feature['unit']}"
            assert_matches_cpython(shown, golden_model, card["classes"])
        # Direct value: set it and fire the input event, as a script or assistive tool would.
        middle = range_value(f"{(feature['min'] + feature['max']) / 2:.1f}")
        v.set_value(i, middle)
        shown = v.shown()
        assert shown["values"][i] == middle
        assert shown["outputs"][i] == f"{float(middle):.{decimals}f} {feature['unit']}"
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


def test_a_value_outside_the_card_never_reaches_python(visit, site_url, card):
    v = visit(site_url).wait_ready()
    # A script widens the slider past the card's range; the page refuses the value instead of predicting.
    v.page.evaluate("""() => {
      const input = document.querySelectorAll("#features input")[0];
      input.max = "100";
      input.value = "50";
      input.dispatchEvent(new Event("input", { bubbles: true }));
    }""")
    f = card["features"][0]
    expect(v.html).to_have_attribute("data-state", "error")
    refused = f'{f["name"]} has the value "50", expected a number from {f["min"]} to {f["max"]}.'
    expect(v.status).to_have_text(f"Error: {refused}")
    expect(v.page.locator("#features input:enabled")).to_have_count(0)
    # The last result is not left on screen as if it were current; the live region says why.
    expect(v.page.locator("#prediction")).to_have_text(f"No prediction: {refused}")
    expect(v.page.locator("#bars li")).to_have_count(0)


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


def test_screenshot_and_timings(visit, site_url, capsys):
    """Save the ready page as artifacts/page-ready.png; print (never assert) how long the page takes."""
    v = visit(site_url).wait_ready()
    first_ms = v.page.evaluate("performance.getEntriesByName('finf:first-prediction')[0].duration")
    phases = v.page.evaluate("performance.getEntriesByName('finf:ready')[0].detail")
    assert phases.pop("boot") == "snapshot"
    assert set(phases) == {"runtime_ms", "engine_ms", "model_ms", "total_ms"}
    assert all(isinstance(ms, int) and ms >= 0 for ms in phases.values()), phases
    # Rounded laps that follow one another: together within a few ms of the total, never over it by more.
    assert phases["runtime_ms"] + phases["engine_ms"] + phases["model_ms"] <= phases["total_ms"] + 3, phases
    assert 0 < phases["total_ms"] <= first_ms, (phases, first_ms)
    (ROOT / "artifacts").mkdir(exist_ok=True)
    v.page.screenshot(path=ROOT / "artifacts" / "page-ready.png", full_page=True)
    slider = v.sliders.nth(2)
    slider.focus()
    for i in range(20):
        v.after_result(lambda key=("ArrowRight" if i % 2 == 0 else "ArrowLeft"): v.page.keyboard.press(key))
    latencies = v.page.evaluate("performance.getEntriesByName('finf:input-to-result').map((e) => e.duration)")
    assert len(latencies) == 20
    with capsys.disabled():
        print(f"\npage timings: navigation -> first prediction {first_ms:.0f} ms (in the worker: {phases}); "
              "slider input -> result "
              f"median {statistics.median(latencies):.1f} ms over {len(latencies)} inputs "
              f"(min {min(latencies):.1f}, max {max(latencies):.1f})")
