"""The page for real tables: selects for categories with a "missing" choice, fixed values for constant features,
a compact grid with a sticky prediction for many features, and a regressor's value on its range; each page's
predictions checked against CPython's engine for the same inputs."""

import hashlib
import json
import math
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import finf
from conftest import build_site
from test_page import live_regions, percent

expect = pytest.importorskip("playwright.sync_api").expect

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parent.parent
PHONE = {"width": 390, "height": 844}

# The control of each feature, by name, as the page shows it: a slider's value, a select's choice, or null for
# a feature with no control (a fixed value).
CONTROLS = """(names) => names.map((name) => {
  const control = document.querySelector(`#features [name="${CSS.escape(name)}"]`);
  if (control === null) return null;
  if (control.tagName !== "SELECT") return control.value;
  return { value: control.value, missing: control.selectedOptions[0].classList.contains("missing") };
})"""


def train(work, csv, *args):
    """Train with the finf CLI as a user would; (model path, card, CPython model)."""
    out = work / f"{Path(csv).stem}.bin"
    subprocess.run([str(Path(sys.executable).with_name("finf")), "train", str(csv), *args, "--out", str(out)],
                   check=True, capture_output=True, text=True)
    return out, json.loads(out.with_suffix(".json").read_text(encoding="utf-8")), finf.load(out.read_bytes())


def write_digits_csv(path):
    """scikit-learn's digits: 8x8 images, 64 pixel columns (3 always 0) and the digit."""
    digits = pytest.importorskip("sklearn.datasets").load_digits()
    lines = [",".join([*digits.feature_names, "digit"])]
    pairs = zip(digits.data, digits.target, strict=True)
    lines += [",".join([*(str(int(v)) for v in row), str(y)]) for row, y in pairs]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


class Site:
    def __init__(self, work, model_path, card, model, serve_site, engine_wheel):
        self.dir = build_site(work / "site", model_path, engine_wheel)
        self.url = serve_site(self.dir)
        self.card, self.model = card, model


@pytest.fixture(scope="module")
def digits(tmp_path_factory, engine_wheel, serve_site):
    work = tmp_path_factory.mktemp("digits")
    write_digits_csv(work / "digits.csv")
    return Site(work, *train(work, work / "digits.csv", "--target", "digit", "--hidden", "16", "--epochs", "100"),
                serve_site, engine_wheel)


@pytest.fixture(scope="module")
def penguins(tmp_path_factory, engine_wheel, serve_site):
    work = tmp_path_factory.mktemp("penguins")
    trained = train(work, ROOT / "data" / "penguins.csv", "--target", "species", "--missing", "impute")
    return Site(work, *trained, serve_site, engine_wheel)


@pytest.fixture(scope="module")
def diabetes(tmp_path_factory, engine_wheel, serve_site):
    work = tmp_path_factory.mktemp("diabetes")
    return Site(work, *train(work, ROOT / "data" / "diabetes.csv", "--target", "progression"), serve_site, engine_wheel)


def shown_row(v, card):
    """The row the page's inputs stand for, as CPython's engine takes it."""
    names = [f["name"] for f in card["features"]]
    row = []
    for f, control in zip(card["features"], v.page.evaluate(CONTROLS, names), strict=True):
        if f["kind"] == "categorical":
            row.append(None if control["missing"] else control["value"])
        elif control is None:
            assert f["min"] == f["max"], f"{f['name']} has no input"
            row.append(f["min"])
        else:
            row.append(float(control))
    return row


def assert_classes_match_cpython(v, site):
    """The prediction line and every bar show what CPython's engine gives for the page's inputs, bit for bit."""
    row = shown_row(v, site.card)
    probabilities = site.model.predict_proba(row)
    best = probabilities.index(max(probabilities))
    expect(v.page.locator("#prediction")).to_have_text(f"{site.card['classes'][best]} {percent(probabilities[best])}")
    bars = v.page.locator("#bars .bar")
    assert bars.evaluate_all("(rows) => rows.map((r) => r.dataset.class)") == site.card["classes"]
    assert [float(p) for p in bars.evaluate_all("(rows) => rows.map((r) => r.dataset.probability)")] == probabilities
    assert bars.locator(".bar-value").all_text_contents() == [percent(p) for p in probabilities]
    return row


def control(v, name):
    return v.page.locator(f'#features [name="{name}"]')


def assert_titles(v, summary, inputs_heading, result_heading):
    expect(v.page).to_have_title(f"{summary} · finf")
    expect(v.page.locator("h1")).to_have_text(summary)
    expect(v.page.locator("#inputs-heading")).to_have_text(inputs_heading)
    expect(v.page.locator("#result-heading")).to_have_text(result_heading)
    description = v.page.locator('meta[name="description"]').get_attribute("content")
    assert summary.replace("Predicting", "predicting") in description


# Each page boots Pyodide once (seconds), so each test below visits its page once and checks it in turns.


def test_penguins_page(visit, penguins):
    """Selects with a "missing" choice, sliders, predictions as CPython's, focus order; then what is refused."""
    v = visit(penguins.url).wait_ready()
    assert_titles(v, "Predicting species from 7 features", "7 features", "Predicted species")
    check_penguins_inputs(v, penguins)
    check_penguins_predictions(v, penguins)
    check_focus_order(v, penguins.card)
    assert v.console_errors == [] and v.page_errors == []
    assert v.page.evaluate("window.cspViolations") == []
    # Last, as each one ends the page: the worker's own check of the values, then the page's.
    check_worker_refuses(v, ["Atlantis", 40, 18, 200, 4000, "male", 2008],
                         'island: "Atlantis" is not one of its categories')
    check_page_refuses_a_choice_outside_the_card(v)


def check_penguins_inputs(v, site):
    categorical = [f for f in site.card["features"] if f["kind"] == "categorical"]
    assert [f["name"] for f in categorical] == ["island", "sex"] and all(f["fill"] for f in categorical)
    expect(v.page.locator("#features select")).to_have_count(2)
    expect(v.sliders).to_have_count(5)
    for f in categorical:
        select = v.page.get_by_label(f["label"], exact=True)  # the <label> names it
        expect(select).to_be_enabled()
        assert select.locator("option").all_text_contents() == [*f["categories"], f"missing (filled with {f['fill']})"]
        expect(select).to_have_value(f["default"])
    for f in site.card["features"]:
        if f["kind"] == "numeric":
            slider = control(v, f["name"])
            assert [float(slider.get_attribute(a)) for a in ("min", "max", "step")] == [f["min"], f["max"], f["step"]]


def check_penguins_predictions(v, site):
    """A select, a slider, then "missing": each result is CPython's for the row the page shows."""
    assert_classes_match_cpython(v, site)
    v.after_result(lambda: control(v, "island").select_option("Dream"))
    v.after_result(lambda: control(v, "bill_length_mm").fill("50"))
    row = assert_classes_match_cpython(v, site)
    assert row[:2] == ["Dream", 50.0]
    v.after_result(lambda: control(v, "sex").select_option(label="missing (filled with male)"))
    row = assert_classes_match_cpython(v, site)
    assert row[5] is None
    # Missing is the fill value: the engine gives the same as for the fill chosen by name.
    assert site.model.predict_proba(row) == site.model.predict_proba([*row[:5], "male", row[6]])
    v.after_result(lambda: control(v, "island").select_option(label="missing (filled with Biscoe)"))
    v.after_result(lambda: control(v, "flipper_length_mm").fill("231"))
    row = assert_classes_match_cpython(v, site)
    assert row[0] is None and row[3] == 231.0
    # The worker's answer to a row with null where the card has fills, captured in the worker.
    row = [None, 40.5, 18, 200, 4000, None, 2008]
    assert worker_answer(v, row) == [{"type": "result", "id": 1000, "probabilities": site.model.predict_proba(row)}]


def check_focus_order(v, card):
    """Tab moves through the inputs in the card's order."""
    names = [f["name"] for f in card["features"] if f["kind"] == "categorical" or f["min"] < f["max"]]
    control(v, names[0]).focus()
    order = [v.page.evaluate("document.activeElement.name")]
    for _ in names[1:]:
        v.page.keyboard.press("Tab")
        order.append(v.page.evaluate("document.activeElement.name"))
    assert order == names


def worker_answer(v, values):
    """The messages the worker posts for {type: "predict", id: 1000, values}, kept from the page."""
    return v.page.workers[0].evaluate("""(values) => {
      const sent = [];
      const post = self.postMessage;
      self.postMessage = (message) => sent.push(message);
      try {
        self.dispatchEvent(new MessageEvent("message", { data: { type: "predict", id: 1000, values } }));
      } finally {
        self.postMessage = post;
      }
      return sent;
    }""", values)


def check_worker_refuses(v, values, refusal):
    """The worker's own check stands between any message and Python."""
    assert worker_answer(v, values) == [{"type": "error", "text": f"Input rejected: {refusal}."}]


def check_page_refuses_a_choice_outside_the_card(v):
    v.page.evaluate("""() => {
      const select = document.querySelector('#features [name="island"]');
      select.append(new Option("Atlantis", "Atlantis", false, true));
      select.dispatchEvent(new Event("change", { bubbles: true }));
    }""")
    refused = 'island has the value "Atlantis", expected one of Biscoe, Dream, Torgersen.'
    expect(v.status).to_have_text(f"Error: {refused}")
    expect(v.page.locator("#prediction")).to_have_text(f"No prediction: {refused}")
    expect(v.page.locator("#features select:enabled, #features input:enabled")).to_have_count(0)


def break_card(change):
    def apply(site):
        card_path = next(site.glob("*.json"))
        card = json.loads(card_path.read_text(encoding="utf-8"))
        change(card)
        card_path.unlink()  # a hard link to the built site's card: replace it, not edit it
        card_path.write_text(json.dumps(card), encoding="utf-8")
    return apply


CARD_PROBLEMS = {
    "default-not-a-category": (lambda c: c["features"][0].update(default="Atlantis"),
                               "features[0].default must be one of its categories"),
    "unknown-kind": (lambda c: c["features"][1].update(kind="ordinal"),
                     'features[1].kind must be "numeric", "categorical" or "text", not "ordinal"'),
    "min-above-max": (lambda c: c["features"][1].update(min=60, max=30), "features[1]: min (60) must not be above max"),
    "regression-without-range": (lambda c: c.update(task="regression"), "target_values must be"),
}


@pytest.mark.parametrize("problem", CARD_PROBLEMS)
def test_a_card_that_breaks_the_schema_is_refused_in_words(visit, penguins, tmp_path, serve_site, problem):
    change, text = CARD_PROBLEMS[problem]
    copy = tmp_path / "site"
    shutil.copytree(penguins.dir, copy, copy_function=os.link)
    break_card(change)(copy)
    v = visit(serve_site(copy))
    message = v.wait_error()
    assert message.startswith("Error: The model card penguins.json is not usable: ") and text in message, message
    # The card is checked before the page builds anything from it.
    expect(v.page.locator("#features > *")).to_have_count(0)


def test_digits_page(visit, digits):
    """64 features: a compact grid, fixed values for the 3 constant pixels, and a prediction that stays in view."""
    constant = [f["name"] for f in digits.card["features"] if f["min"] == f["max"]]
    assert constant == ["pixel_0_0", "pixel_4_0", "pixel_4_7"]
    v = visit(digits.url).wait_ready()
    assert_titles(v, "Predicting digit from 64 measurements", "64 measurements", "Predicted digit")
    check_digits_inputs(v, digits, constant)
    row = assert_classes_match_cpython(v, digits)
    assert [row[i] for i, f in enumerate(digits.card["features"]) if f["name"] in constant] == [0.0] * 3
    v.after_result(lambda: control(v, "pixel_3_3").fill("16"))
    v.after_result(lambda: control(v, "pixel_7_6").fill("0"))
    row = assert_classes_match_cpython(v, digits)
    assert row[27] == 16.0 and row[62] == 0.0
    check_sticky_on_a_phone(v, digits)
    check_sticky_when_wide(v, digits)
    assert v.console_errors == [] and v.page_errors == []
    check_worker_refuses(v, [0] * 63 + [17], "pixel_7_7: 17 is outside 0 to 16")


def check_digits_inputs(v, site, constant):
    expect(v.page.locator("#features")).to_have_class(re.compile(r"\bcompact\b"))
    expect(v.sliders).to_have_count(61)
    for name in constant:
        expect(control(v, name)).to_have_count(0)
    fixed = v.page.locator("#features .fixed")
    assert fixed.locator(".feature-label").all_text_contents() == constant
    assert fixed.locator(".feature-value").all_text_contents() == ["0"] * 3
    expect(fixed.first).to_contain_text("fixed: the same in every row of the data")
    expect(fixed.locator("input, select")).to_have_count(0)
    # Every slider is labelled and steps as its card says.
    steps = v.page.evaluate("""() => Object.fromEntries([...document.querySelectorAll("#features input")].map(
      (input) => [input.labels[0].textContent, Number(input.step)]))""")
    assert steps == {f["label"]: f["step"] for f in site.card["features"] if f["min"] < f["max"]}


def panel_box(v):
    box = v.page.locator("#result-panel").bounding_box()
    return box, box["y"] + box["height"]


def check_sticky_on_a_phone(v, site):
    v.page.set_viewport_size(PHONE)
    last = v.sliders.last
    last.focus()  # scrolls it into view, far below the top of the page
    v.after_result(lambda: v.page.keyboard.press("End"))
    assert v.page.evaluate("scrollY") > 1500
    panel, panel_bottom = panel_box(v)
    assert panel["y"] >= -0.5 and panel_bottom <= PHONE["height"], panel
    assert panel["height"] < PHONE["height"] / 2, panel  # room left for the inputs
    expect(v.page.locator("#prediction")).to_be_in_viewport()
    assert_classes_match_cpython(v, site)
    # An input that takes the focus under the panel, or above the viewport, is scrolled to below the panel.
    for index in (40, 30, 1):
        slider = v.sliders.nth(index)
        if index == 40:  # scrolled to just under the panel: in the viewport, but hidden
            v.page.evaluate("(y) => window.scrollBy(0, y)", slider.bounding_box()["y"] - 60)
            assert slider.bounding_box()["y"] < panel_box(v)[1]
        slider.focus()
        v.after_result(lambda: v.page.keyboard.press("ArrowRight"))
        panel, panel_bottom = panel_box(v)
        box = slider.bounding_box()
        assert panel["y"] >= -0.5 and box["y"] >= panel_bottom - 0.5 and box["y"] + box["height"] <= PHONE["height"]
    assert_classes_match_cpython(v, site)


def check_sticky_when_wide(v, site):
    """Wide, the panel sits beside the inputs and stays in view too."""
    v.page.set_viewport_size({"width": 1280, "height": 720})
    last = v.sliders.last
    last.focus()
    v.after_result(lambda: v.page.keyboard.press("Home"))
    assert v.page.evaluate("scrollY") > 500
    panel, panel_bottom = panel_box(v)
    assert panel["y"] >= -0.5 and panel_bottom <= 720 and panel["x"] > last.bounding_box()["x"]
    assert_classes_match_cpython(v, site)


def value_text(value, target):
    """The regressor's value as the page shows it: about a thousand distinct values across the target's range."""
    decimals = max(0, 3 - math.floor(math.log10(target["max"] - target["min"])))
    return f"{value:.{decimals}f}" + (f" {target['unit']}" if target["unit"] else "")


def assert_value_matches_cpython(v, site):
    target = site.card["target_values"]
    value = site.model.predict(shown_row(v, site.card))
    text = value_text(value, target)
    prediction = v.page.locator("#prediction")
    expect(prediction).to_have_text(text)
    assert float(prediction.get_attribute("data-value")) == value  # the engine's float, bit for bit
    fraction = (value - target["min"]) / (target["max"] - target["min"])
    position = v.page.locator("#position")
    assert float(position.get_attribute("data-fraction")) == min(1.0, max(0.0, fraction))
    words = position.locator(".position-words")
    if 0 <= fraction <= 1:
        expect(words).to_have_text(f"{text} is {math.floor(fraction * 100 + 0.5)}% of the way from the lowest "
                                   "progression in the data, 25, to the highest, 346; the mean is 152.1.")
    else:
        side = "below" if fraction < 0 else "above"
        expect(words).to_have_text(f"{text} is {side} the range of the data: the lowest progression in the data is "
                                   "25 and the highest 346; the mean is 152.1.")
    return value


def test_diabetes_page(visit, diabetes):
    """A regressor: the value with its place in the target's range, in a bar and in words; no class bars."""
    assert diabetes.card["target_values"] | {"mean": 152.1} == {"label": "progression", "unit": "", "min": 25.0,
                                                                  "max": 346.0, "mean": 152.1}
    v = visit(diabetes.url)
    v.page.emulate_media(reduced_motion="reduce")  # the marker jumps to its place: no transition to wait for
    v.wait_ready()
    assert_titles(v, "Predicting progression from 10 measurements", "10 measurements", "Predicted progression")
    expect(v.page.locator("#bars li")).to_have_count(0)
    expect(v.page.locator("#position")).to_be_visible()
    scale = v.page.locator(".position-scale")
    expect(scale).to_have_attribute("aria-hidden", "true")  # the sentence says it in words
    assert scale.locator(".position-min, .position-max").all_text_contents() == ["25", "346"]
    values = {assert_value_matches_cpython(v, diabetes)}
    for name, text in [("bmi", "42.2"), ("ltg", "6.125"), ("bmi", "18"), ("ltg", "3.25"), ("bp", "133")]:
        v.after_result(lambda name=name, text=text: control(v, name).fill(text))
        values.add(assert_value_matches_cpython(v, diabetes))
    assert len(values) == 6
    # The marker sits at the value's place on the track.
    track, marker = (v.page.locator(s).bounding_box() for s in (".position-track", ".position-marker"))
    fraction = float(v.page.locator("#position").get_attribute("data-fraction"))
    assert marker["x"] + marker["width"] / 2 == pytest.approx(track["x"] + fraction * track["width"], abs=1.5)
    assert live_regions(v.page) == ["prediction"]
    assert v.console_errors == [] and v.page_errors == []
    row = [59, 2, 32.1, 101, 157, 93.2, 38, 4, 4.8598, 87]
    assert worker_answer(v, row) == [{"type": "result", "id": 1000, "value": diabetes.model.predict(row)}]
    check_worker_refuses(v, [*row[:9], None], "glu: null is not a number")


MODEL_MISMATCHES = {
    # Without its test vectors, whose values a classifier's card cannot hold, so the card checks out by itself.
    "regressor-called-classifier": ("diabetes", lambda c: c.update(task="classification", classes=["low", "high"],
                                                                   test_vectors=None) or c.pop("test_vectors"),
                                    "The model is a regression model, but its card says classification."),
    "categories-reordered": ("penguins", lambda c: c["features"][0].update(categories=["Dream", "Biscoe", "Torgersen"]),
                             "The model takes one of Biscoe, Dream, Torgersen for island, but its card lists Dream, "
                             "Biscoe, Torgersen."),
}


@pytest.mark.parametrize("mismatch", MODEL_MISMATCHES)
def test_a_card_must_match_its_model(request, visit, tmp_path, serve_site, mismatch):
    """A card that checks out by itself, but not against the model it names (whose sha256 it keeps), is refused."""
    name, change, text = MODEL_MISMATCHES[mismatch]
    site = request.getfixturevalue(name)
    copy = tmp_path / "site"
    shutil.copytree(site.dir, copy, copy_function=os.link)
    break_card(change)(copy)
    v = visit(serve_site(copy))
    assert v.wait_error() == f"Error: {text}"
    assert hashlib.sha256((copy / f"{name}.bin").read_bytes()).hexdigest() == site.card["sha256"]


def test_a_regressors_map_is_a_colour_scale_in_the_targets_units(visit, diabetes):
    from test_page_explorer import grid_rows, wait_map

    v = visit(diabetes.url).wait_ready()
    grid = wait_map(v)
    for k, row in list(grid_rows(grid))[::97]:
        assert grid["answers"][k] == pytest.approx(diabetes.model.predict(row), rel=1e-12)
    legend = v.page.locator(".map-legend")
    assert legend.locator(".map-scale-low, .map-scale-high").all_text_contents() == ["25", "346"]
    expect(v.page.locator("#map-heading")).to_have_text("Map of predicted progression")
    expect(v.page.locator("#map-summary")).to_have_text(re.compile(
        r"^Predicted progression over \w+ across \(.+\) and \w+ up \(.+\): from \d+\.\d\d to \d+\.\d\d\.$"))
    curve = json.loads(v.page.locator("#features svg.curve").first.get_attribute("data-curve"))
    assert curve["class"] is None and len(curve["ys"]) == len(curve["xs"])


def test_categories_get_no_curve_and_are_no_map_axis(visit, penguins):
    v = visit(penguins.url).wait_ready()
    numeric = [i for i, f in enumerate(penguins.card["features"]) if f["kind"] == "numeric" and f["min"] < f["max"]]
    expect(v.page.locator("#features svg.curve")).to_have_count(len(numeric))
    expect(v.page.locator("#features select + svg.curve")).to_have_count(0)
    options = v.page.locator("#map-x option").evaluate_all("(options) => options.map((o) => Number(o.value))")
    assert options == numeric


def test_a_link_sets_categories_and_a_missing_value(visit, penguins):
    v = visit(penguins.url + "#values=Dream,40,18,200,4000,,2008").wait_ready()
    names = [f["name"] for f in penguins.card["features"]]
    shown = v.page.evaluate(CONTROLS, names)
    assert shown[0] == {"value": "Dream", "missing": False}
    assert shown[5] == {"value": "", "missing": True}
    assert shown[1:5] == ["40", "18", "200", "4000"] and shown[6] == "2008"
    expect(v.page.locator("#link-note")).to_be_hidden()
    probabilities = penguins.model.predict_proba(["Dream", 40.0, 18.0, 200.0, 4000.0, None, 2008.0])
    best = max(range(3), key=probabilities.__getitem__)
    expect(v.page.locator("#prediction")).to_have_text(
        f"{penguins.card['classes'][best]} {percent(probabilities[best])}")
    v.after_result(lambda: control(v, "island").select_option("Torgersen"))
    expect(v.page).to_have_url(re.compile(r"#values=Torgersen,40,18,200,4000,,2008(&map=\d+,\d+)?$"))
