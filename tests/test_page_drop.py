"""Your own model on the page: a .bin (with or without its .json card) dropped on the page or picked with the
file input is loaded in the tab, without a network request; a bad one is refused and the model in use stays."""

import base64
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

import finf
from conftest import GOLDEN_MODEL, RESULT_TIMEOUT_MS
from test_page import assert_matches_cpython
from test_page_explorer import assert_grid_matches, wait_map

expect = pytest.importorskip("playwright.sync_api").expect

pytestmark = pytest.mark.browser

GOLDEN = GOLDEN_MODEL.parent
DROP = """async (files) => {
  const transfer = new DataTransfer();
  for (const [name, data] of files) {
    transfer.items.add(new File([Uint8Array.from(atob(data), (c) => c.charCodeAt(0))], name));
  }
  document.body.dispatchEvent(new DragEvent("drop", { dataTransfer: transfer, bubbles: true, cancelable: true }));
}"""


def write_wine_csv(path):
    """scikit-learn's wine data: 13 measurements and the cultivar (0, 1 or 2)."""
    wine = pytest.importorskip("sklearn.datasets").load_wine()
    lines = [",".join([*wine.feature_names, "cultivar"])]
    lines += [",".join([*(repr(float(v)) for v in row), str(y)]) for row, y in zip(wine.data, wine.target, strict=True)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


@pytest.fixture(scope="module")
def wine(tmp_path_factory):
    work = tmp_path_factory.mktemp("wine")
    write_wine_csv(work / "wine.csv")
    out = work / "wine.bin"
    subprocess.run([str(Path(sys.executable).with_name("finf")), "train", str(work / "wine.csv"), "--target",
                    "cultivar", "--epochs", "100", "--card-sample", "20", "--out", str(out)],
                   check=True, capture_output=True)
    return out


def drop(v, *paths, names=None):
    """Drop files on the page as a visitor's drag and drop does (a drop event carrying them)."""
    names = names or [p.name for p in paths]
    pairs = zip(names, paths, strict=True)
    files = [[name, base64.b64encode(Path(p).read_bytes()).decode("ascii")] for name, p in pairs]
    v.page.evaluate(DROP, files)


def saved(v):
    """Wait until the service worker has saved the site, so what follows makes no request of its own."""
    expect(v.html).to_have_attribute("data-offline", re.compile("ready|unavailable"), timeout=RESULT_TIMEOUT_MS)


def test_a_dropped_wine_model_with_its_card_rebuilds_the_page_without_a_request(visit, site_url, wine):
    v = visit(site_url).wait_ready()
    saved(v)
    requests = len(v.requests)
    v.after_result(lambda: drop(v, wine, wine.with_suffix(".json")))
    expect(v.page.locator("#own-status")).to_have_text("Loaded wine.bin with its card in this tab.")
    card = json.loads(wine.with_suffix(".json").read_text(encoding="utf-8"))
    model = finf.load(wine.read_bytes())
    expect(v.sliders).to_have_count(13)
    expect(v.page.locator("h1")).to_have_text("Predicting cultivar from 13 measurements")
    assert_matches_cpython(v.shown(), model, card["classes"])
    v.set_value(0, "13.5")
    assert_matches_cpython(v.shown(), model, card["classes"])
    expect(v.page.locator("#features svg.curve")).to_have_count(13)
    grid = wait_map(v)
    assert len(grid["base"]) == 13
    assert_grid_matches(grid, model, samples=40)
    expect(v.page.locator("#map")).to_have_attribute("data-sample", "20")  # the card's training rows, as dots
    expect(v.html).to_have_attribute("data-self-check", "verified", timeout=RESULT_TIMEOUT_MS)
    # The files never left the tab: nothing was asked of any server since the drop (but the browser's own
    # favicon fetch, which comes whenever the browser gets to it).
    assert [url for url in v.requests[requests:] if not url.endswith("/favicon.svg")] == []
    assert v.console_errors == []


def test_a_model_without_its_card_describes_itself(visit, site_url, wine):
    v = visit(site_url).wait_ready()
    v.after_result(lambda: drop(v, wine))
    expect(v.page.locator("#own-status")).to_contain_text("Loaded wine.bin in this tab. It came without its card")
    model = finf.load(wine.read_bytes())
    assert model.version == 2  # numbers alone: a v2 file, which names nothing
    expect(v.sliders).to_have_count(13)
    expect(v.page.locator("#features .feature-label").first).to_have_text("x0")
    first = model.features[0]
    low, high = float(v.sliders.first.get_attribute("min")), float(v.sliders.first.get_attribute("max"))
    step = float(v.sliders.first.get_attribute("step"))
    assert first.mean - 3 * first.std - step < low <= first.mean - 3 * first.std
    assert first.mean + 3 * first.std <= high < first.mean + 3 * first.std + step
    assert_matches_cpython(v.shown(), model, [f"class {i}" for i in range(3)])
    # A v3 file names its features and categories; picked with the labelled file input this time.
    v.after_result(lambda: v.page.get_by_label("Try your own model").set_input_files(GOLDEN / "penguins-small.bin"))
    expect(v.page.locator("#features .feature-label")).to_have_text(["island", "bill_length_mm", "sex"])
    expect(v.page.locator("#features select")).to_have_count(2)
    expect(v.page.locator("#bars .bar")).to_have_count(3)


def test_a_bad_file_is_refused_in_words_and_the_model_in_use_stays(visit, site_url):
    v = visit(site_url).wait_ready()
    iris = finf.load(GOLDEN_MODEL.read_bytes())
    classes = json.loads((GOLDEN / "iris.json").read_text(encoding="utf-8"))["classes"]
    drop(v, GOLDEN / "iris.json", GOLDEN / "iris.json", names=["junk.bin", "iris.json"])
    status = v.page.locator("#own-status")
    expect(status).to_have_text(re.compile(r"^Not loaded: The model file junk\.bin is \d+ bytes but its card says "))
    drop(v, GOLDEN / "iris.json", names=["junk.bin"])
    expect(status).to_have_text(re.compile(
        r"^Not loaded: junk\.bin is not a valid finf model: .+ The model in use is unchanged\.$"))
    drop(v, GOLDEN_MODEL, GOLDEN / "penguins-small.json")
    expect(status).to_contain_text("The model file iris.bin is 1151 bytes but its card says 303")
    expect(v.sliders).to_have_count(4)
    v.set_value(2, "5")
    assert_matches_cpython(v.shown(), iris, classes)
    assert v.html.get_attribute("data-state") == "ready"


def test_a_text_model_gets_a_text_area_and_a_language_model_is_refused(visit, site_url):
    v = visit(site_url).wait_ready()
    status = v.page.locator("#own-status")
    drop(v, GOLDEN / "bigram-tiny.bin")
    expect(status).to_have_text(re.compile(r"^Not loaded: bigram-tiny\.bin is a language model, which writes text on "
                                           r"a page of its own .+ The model in use is unchanged\.$"))
    expect(v.sliders).to_have_count(4)
    v.after_result(lambda: drop(v, GOLDEN / "spam-small.bin"))
    expect(status).to_contain_text("Loaded spam-small.bin in this tab. It came without its card")
    area = v.page.locator("#features textarea")
    expect(area).to_be_enabled()
    expect(v.sliders).to_have_count(0)
    expect(v.page.locator("#explorer")).to_be_hidden()  # a map and curves are for tables
    model = finf.load((GOLDEN / "spam-small.bin").read_bytes())
    v.after_result(lambda: area.fill("win money now"))
    want = model.predict_proba("win money now")
    shown = v.page.evaluate("""() => [...document.querySelectorAll("#bars .bar")].map(
        (row) => Number(row.dataset.probability))""")
    assert shown == want
    expect(v.page.locator(".highlighted mark.word")).to_have_count(3)
