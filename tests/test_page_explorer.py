"""The page as an explorer: the map over two inputs and the response curves beside each input, computed in the
worker with batched requests and checked against CPython's engine for the same rows; and the self-check of the
card's test vectors."""

import json
import random
import re
import time

import pytest

import finf
from conftest import GOLDEN_MODEL, RESULT_TIMEOUT_MS

expect = pytest.importorskip("playwright.sync_api").expect

pytestmark = pytest.mark.browser

GRID = "() => JSON.parse(document.getElementById('map').dataset.grid)"
CURVES = "() => [...document.querySelectorAll('#features svg.curve')].map((svg) => JSON.parse(svg.dataset.curve))"


@pytest.fixture(scope="module")
def iris_card():
    return json.loads(GOLDEN_MODEL.with_suffix(".json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def iris():
    return finf.load(GOLDEN_MODEL.read_bytes())


def wait_map(v, drawn_before=None):
    """Wait for a map drawn after drawn_before (the canvas's data-drawn count) and return its grid."""
    canvas = v.page.locator("#map")
    if drawn_before is None:
        expect(canvas).to_have_attribute("data-drawn", re.compile(r"\d+"), timeout=RESULT_TIMEOUT_MS)
    else:
        expect(canvas).not_to_have_attribute("data-drawn", drawn_before, timeout=RESULT_TIMEOUT_MS)
    return v.page.evaluate(GRID)


def wait_curves(v, base):
    """The curves once every one is drawn around the row base (they follow the inputs)."""
    deadline = time.monotonic() + RESULT_TIMEOUT_MS / 1000
    while time.monotonic() < deadline:
        curves = v.page.evaluate(CURVES)
        if all(c["base"] == base for c in curves):
            return curves
        time.sleep(0.05)
    raise AssertionError(f"the curves were not drawn around {base}: {[c['base'] for c in curves]}")


def grid_rows(grid):
    for j, y in enumerate(grid["ys"]):
        for i, x in enumerate(grid["xs"]):
            row = list(grid["base"])
            row[grid["x"]], row[grid["y"]] = x, y
            yield j * len(grid["xs"]) + i, row


def assert_grid_matches(grid, model, samples=200, seed=0):
    """Sampled cells of the page's map hold what CPython's engine predicts for their rows (Pyodide's math.exp may
    differ from CPython's in the last bit, so to 1e-12)."""
    assert len(grid["xs"]) == len(grid["ys"]) == 64
    assert len(grid["answers"]) == 64 * 64
    rows = list(grid_rows(grid))
    for k, row in random.Random(seed).sample(rows, samples):
        assert grid["answers"][k] == pytest.approx(model.predict_proba(row), rel=0, abs=1e-12), (k, row)


def test_the_map_shows_the_two_inputs_with_most_effect_and_matches_cpython_and_the_self_check_passes(
        visit, site_url, iris):
    v = visit(site_url).wait_ready()
    grid = wait_map(v)
    base = [float(x) for x in v.shown()["values"]]
    assert grid["base"] == base
    assert_grid_matches(grid, iris)
    # The default axes: the two inputs whose response curves move the most at the current point.
    curves = v.page.evaluate(CURVES)
    spread = sorted(((max(c["ys"]) - min(c["ys"]), c["feature"]) for c in curves), reverse=True)
    assert sorted([grid["x"], grid["y"]]) == sorted(i for _, i in spread[:2])
    expect(v.page.locator("#map-x")).to_have_value(str(grid["x"]))
    expect(v.page.locator("label[for=map-x]")).to_have_text("Across")
    expect(v.page.locator("label[for=map-y]")).to_have_text("Up")
    summary = v.page.locator("#map-summary")
    expect(summary).to_contain_text("covers most of it")
    expect(v.page.locator("#map")).to_have_attribute("aria-describedby", "map-summary")
    # The self-check of the card's test vectors, at load.
    expect(v.html).to_have_attribute("data-self-check", "verified", timeout=RESULT_TIMEOUT_MS)
    expect(v.page.locator("#self-check")).to_have_text(re.compile(
        r"^Verified against the trainer: the 5 test vectors in the model card give the trainer's answers here, "
        r"the largest difference (0|\d\.\de-\d+) \(tolerance 1\.0e-9\)\.$"))
    assert float(v.html.get_attribute("data-self-check-largest")) <= 1e-9
    assert v.console_errors == []


def test_changing_an_axis_redraws_the_map_and_a_click_sets_its_inputs(visit, site_url, iris, iris_card):
    v = visit(site_url).wait_ready()
    first = wait_map(v)
    other = next(i for i in range(4) if i not in (first["x"], first["y"]))
    drawn = v.page.locator("#map").get_attribute("data-drawn")
    v.page.select_option("#map-x", str(other))
    grid = wait_map(v, drawn)
    assert (grid["x"], grid["y"]) == (other, first["y"])
    assert_grid_matches(grid, iris, samples=50)
    # Choosing the other axis's input swaps them: the map never plots an input against itself.
    drawn = v.page.locator("#map").get_attribute("data-drawn")
    v.page.select_option("#map-y", str(other))
    grid = wait_map(v, drawn)
    assert (grid["x"], grid["y"]) == (first["y"], other)
    # Clicking the map sets its two inputs.
    box = v.page.locator("#map").bounding_box()
    fx, fy = 0.25, 0.75
    at = {"x": fx * box["width"], "y": (1 - fy) * box["height"]}
    v.after_result(lambda: v.page.locator("#map").click(position=at))
    values = [float(x) for x in v.shown()["values"]]
    for index, t in ((grid["x"], fx), (grid["y"], fy)):
        f = iris_card["features"][index]
        expected = f["min"] + round(t * (f["max"] - f["min"]) / f["step"]) * f["step"]
        assert values[index] == pytest.approx(expected, abs=f["step"] / 2 + 1e-9)


def test_moving_a_held_input_redraws_the_map_and_an_axis_input_moves_the_marker(visit, site_url, iris):
    v = visit(site_url).wait_ready()
    grid = wait_map(v)
    held = next(i for i in range(4) if i not in (grid["x"], grid["y"]))
    drawn = v.page.locator("#map").get_attribute("data-drawn")
    v.set_value(held, v.page.locator("#features input").nth(held).get_attribute("min"))
    grid = wait_map(v, drawn)
    assert grid["base"] == [float(x) for x in v.shown()["values"]]
    assert_grid_matches(grid, iris, samples=50)
    drawn = v.page.locator("#map").get_attribute("data-drawn")
    v.set_value(grid["x"], v.page.locator("#features input").nth(grid["x"]).get_attribute("max"))
    point = json.loads(v.page.locator("#map").get_attribute("data-point"))
    assert point[0] == float(v.shown()["values"][grid["x"]])
    assert v.page.locator("#map").get_attribute("data-drawn") == drawn  # the same slice: not recomputed


def test_a_curve_beside_each_numeric_input_matches_cpython(visit, site_url, iris, iris_card):
    v = visit(site_url).wait_ready()
    expect(v.page.locator("#features svg.curve")).to_have_count(4)
    v.set_value(2, "5")
    v.set_value(3, "2.2")
    base = [float(x) for x in v.shown()["values"]]
    curves = wait_curves(v, base)
    best = iris.predict_proba(base).index(max(iris.predict_proba(base)))
    classes = iris_card["classes"]
    for curve in curves:
        assert curve["class"] == classes[best]
        for x, y in zip(curve["xs"], curve["ys"], strict=True):
            row = list(base)
            row[curve["feature"]] = x
            assert y == pytest.approx(iris.predict_proba(row)[best], rel=0, abs=1e-12)
    label = v.page.locator("#features svg.curve").nth(2).get_attribute("aria-label")
    assert label.startswith(f"Probability of {classes[best]} across petal length: from ")


def test_a_tampered_test_vector_is_shown_as_a_warning(visit, site_variant):
    def tamper(site):
        card = json.loads((site / "iris.json").read_text(encoding="utf-8"))
        card["test_vectors"]["probabilities"][1][0] += 0.001
        (site / "iris.json").unlink()  # hard-linked to the original: replace it, do not edit it
        (site / "iris.json").write_text(json.dumps(card), encoding="utf-8")

    v = visit(site_variant(tamper)).wait_ready()
    expect(v.html).to_have_attribute("data-self-check", "mismatch", timeout=RESULT_TIMEOUT_MS)
    expect(v.page.locator("#self-check")).to_contain_text(
        "Warning: this engine and the trainer disagree on the model card's 5 test vectors: the largest difference "
        "is 1.0e-3, beyond the tolerance of 1.0e-9.")
    assert v.html.get_attribute("data-state") == "ready"  # a warning, not a refusal: the page still predicts


def test_a_link_opens_the_page_at_its_values_and_map_axes(visit, site_url, iris, iris_card):
    v = visit(site_url + "#values=6.3,3.3,6,2.5&map=0,1").wait_ready()
    assert v.shown()["values"] == ["6.3", "3.3", "6", "2.5"]
    probabilities = iris.predict_proba([6.3, 3.3, 6.0, 2.5])
    assert v.shown()["prediction"].startswith(iris_card["classes"][probabilities.index(max(probabilities))])
    grid = wait_map(v)
    assert (grid["x"], grid["y"]) == (0, 1)
    expect(v.page.locator("#link-note")).to_be_hidden()
    # Moving an input writes the new state back into the link, without a new history entry.
    history = v.page.evaluate("history.length")
    v.set_value(0, "5")
    expect(v.page).to_have_url(re.compile(r"#values=5,3\.3,6,2\.5&map=0,1$"), timeout=RESULT_TIMEOUT_MS)
    assert v.page.evaluate("history.length") == history
    # Editing the fragment in the same tab applies it.
    v.after_result(lambda: v.page.evaluate("location.hash = '#values=5.1,3.5,1.4,0.2'"))
    assert v.shown()["values"] == ["5.1", "3.5", "1.4", "0.2"]


def test_a_link_with_bad_values_is_clamped_or_ignored_with_a_note(visit, site_url, iris_card):
    v = visit(site_url + "#values=abc,99,1.4&map=2,2").wait_ready()
    values = v.shown()["values"]
    width = iris_card["features"][1]
    assert float(values[1]) == width["max"]  # clamped
    assert values[2] == "1.4"
    assert float(values[0]) == pytest.approx(iris_card["features"][0]["mean"], abs=iris_card["features"][0]["step"])
    expect(v.page.locator("#link-note")).to_have_text(
        "The link gives 3 values for 4 inputs; the others keep their defaults. "
        'The link\'s value for sepal length, "abc", is not a number; it is ignored. '
        "The link's value for sepal width, 99, is above its range; it is set to 4.4 cm. "
        "The link's map axes are not two inputs of this map; they are ignored.")
    assert v.html.get_attribute("data-state") == "ready"
    wait_map(v)


PHONE = {"width": 390, "height": 844}
PAGE_WIDTH = "() => document.scrollingElement.scrollWidth"


def test_on_a_phone_the_prediction_stays_in_view_while_the_first_input_has_focus(visit, site_url, iris, iris_card):
    v = visit(site_url)
    v.page.set_viewport_size(PHONE)
    v.wait_ready()
    wait_map(v)
    first = v.sliders.first
    first.focus()
    v.after_result(lambda: v.page.keyboard.press("ArrowRight"))
    expect(v.page.locator("#prediction")).to_be_in_viewport(ratio=1)
    expect(first).to_be_in_viewport(ratio=1)
    prediction, slider = v.page.locator("#prediction").bounding_box(), first.bounding_box()
    assert prediction["y"] >= 0 and prediction["y"] + prediction["height"] <= slider["y"]  # not covering it
    assert v.page.evaluate(PAGE_WIDTH) <= PHONE["width"]
    probabilities = iris.predict_proba([float(x) for x in v.shown()["values"]])
    assert v.shown()["prediction"].startswith(iris_card["classes"][probabilities.index(max(probabilities))])


def test_a_long_error_wraps_inside_a_phone_screen(visit, site_variant):
    def corrupt(site):  # the error names two SHA-256 digests: 64 characters that do not break by themselves
        model = site / "iris.bin"
        data = b"X" + model.read_bytes()[1:]
        model.unlink()
        model.write_bytes(data)

    v = visit(site_variant(corrupt))
    v.page.set_viewport_size(PHONE)
    assert "does not match its model card: its SHA-256 is " in v.wait_error()
    assert v.page.evaluate(PAGE_WIDTH) <= PHONE["width"]


# Every map drawn: the values it holds fixed (those it was computed for, and those of the inputs as it is drawn).
WATCH_MAPS = """() => {
  window.drawnMaps = [];
  new MutationObserver(() => {
    const grid = JSON.parse(document.getElementById("map").dataset.grid);
    const values = [...document.querySelectorAll("#features input")].map((input) => Number(input.value));
    const held = (row) => row.filter((_, i) => i !== grid.x && i !== grid.y);
    window.drawnMaps.push([held(grid.asked), held(values), grid.base]);
  }).observe(document.getElementById("map"), { attributes: true, attributeFilter: ["data-drawn"] });
}"""


def test_a_map_out_of_date_is_never_drawn(visit, site_url, iris):
    v = visit(site_url).wait_ready()
    grid = wait_map(v)
    held = next(i for i in range(4) if i not in (grid["x"], grid["y"]))
    v.page.evaluate(WATCH_MAPS)
    slider = v.sliders.nth(held)
    slider.focus()
    for key in ["ArrowRight"] * 6 + ["ArrowLeft"] * 3:  # each asks for a new map, before the last one is done
        v.after_result(lambda key=key: v.page.keyboard.press(key))
    final = [float(x) for x in v.shown()["values"]]
    deadline = time.monotonic() + RESULT_TIMEOUT_MS / 1000
    while v.page.evaluate(GRID)["base"] != final and time.monotonic() < deadline:
        time.sleep(0.05)
    drawn = v.page.evaluate("window.drawnMaps")
    assert drawn and drawn[-1][2] == final
    assert all(asked == now for asked, now, _ in drawn), drawn
    assert_grid_matches(v.page.evaluate(GRID), iris, samples=50)
