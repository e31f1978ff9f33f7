"""A converted scikit-learn pipeline's page: built from its card like a trained model's, predicting what
scikit-learn predicts for the row the page shows."""

import json

import pandas as pd
import pytest

import finf
from convert_data import penguins
from finf_train.convert import from_sklearn, save
from test_convert_cli import penguin_pipeline
from test_page_tables import Site, assert_classes_match_cpython, control

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def converted(tmp_path_factory, engine_wheel, serve_site):
    work = tmp_path_factory.mktemp("converted")
    pipe, X = penguin_pipeline()
    out = work / "penguins.bin"
    save(from_sklearn(pipe, target="species"), out, X, penguins()[1], "scikit-learn Pipeline")
    card = json.loads(out.with_suffix(".json").read_text(encoding="utf-8"))
    return Site(work, out, card, finf.load(out.read_bytes()), serve_site, engine_wheel), pipe


def scikit_learn(pipe, card, row):
    """scikit-learn's probabilities for a row as the engine takes it (None missing)."""
    frame = pd.DataFrame([{f["name"]: value for f, value in zip(card["features"], row, strict=True)}])
    for f in card["features"]:
        if f["kind"] == "categorical":
            frame[f["name"]] = frame[f["name"]].astype(object).where(frame[f["name"]].notna(), float("nan"))
        else:
            frame[f["name"]] = frame[f["name"]].astype(float)
    return pipe.predict_proba(frame)[0]


def test_the_page_of_a_converted_pipeline_predicts_what_scikit_learn_does(visit, converted):
    site, pipe = converted
    v = visit(site.url).wait_ready()
    expect_selects = [f["name"] for f in site.card["features"] if f["kind"] == "categorical"]
    assert expect_selects == ["island", "sex"]
    for change in (lambda: control(v, "island").select_option("Torgersen"),
                   lambda: control(v, "body_mass_g").fill("5200"),
                   lambda: control(v, "sex").select_option(label="missing (filled with male)")):
        v.after_result(change)
        row = assert_classes_match_cpython(v, site)  # the bars are the engine's, bit for bit
        assert max(abs(a - b) for a, b in zip(site.model.predict_proba(row), scikit_learn(pipe, site.card, row),
                                              strict=True)) <= 1e-5
    assert row[0] == "Torgersen" and row[4] == 5200.0 and row[5] is None
    assert v.console_errors == [] and v.page_errors == []
