"""`finf` on real tables: penguins (categories, missing values), diabetes (regression), CSV scoring and evaluation."""

import csv
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).parent.parent
PENGUINS = ROOT / "data" / "penguins.csv"
DIABETES = ROOT / "data" / "diabetes.csv"
FINF = Path(sys.prefix) / "bin" / "finf"

pytestmark = pytest.mark.skipif(not FINF.exists(), reason="the finf console script is not installed in this venv")


def finf(*args):
    return subprocess.run([str(FINF), *map(str, args)], capture_output=True, text=True, timeout=120)


def one_line_error(result):
    assert result.returncode == 2 and result.stdout == "", result
    assert len(result.stderr.splitlines()) == 1 and "Traceback" not in result.stderr, result.stderr
    return result.stderr.strip()


@pytest.fixture(scope="module")
def penguins(tmp_path_factory):
    out = tmp_path_factory.mktemp("penguins") / "penguins.bin"
    result = finf("train", PENGUINS, "--target", "species", "--missing", "impute", "--out", out)
    assert result.returncode == 0, result.stderr
    return out, result.stdout


@pytest.fixture(scope="module")
def diabetes(tmp_path_factory):
    out = tmp_path_factory.mktemp("diabetes") / "diabetes.bin"
    result = finf("train", DIABETES, "--target", "progression", "--out", out)
    assert result.returncode == 0, result.stderr
    return out, result.stdout


def test_penguins_stop_at_missing_values_naming_the_options(tmp_path):
    message = one_line_error(finf("train", PENGUINS, "--target", "species", "--out", tmp_path / "p.bin"))
    assert message == (f"finf train: error: {PENGUINS}:5: column 'bill_length_mm': 2 cells are missing (the first "
                       "here); use --missing drop to leave out rows with missing values, or --missing impute to fill "
                       "them from the training rows")
    assert not list(tmp_path.iterdir())


def test_penguins_train_with_imputation(penguins):
    model, summary = penguins
    lines = summary.splitlines()
    assert lines[0] == (f"data: {PENGUINS}: 344 rows (275 train, 69 validation), 7 features (2 categorical), "
                        "3 classes")
    assert lines[1].startswith("missing: 11 rows with missing values filled from the training rows")
    assert lines[2] == "task: classification ('species' holds text; --task regression to override)"
    assert "always guessing 'Adelie'" in lines[5]
    card = json.loads(model.with_suffix(".json").read_text())
    assert card["version"] == 3 and card["metrics"]["val_accuracy"] >= 0.97
    island = card["features"][0]
    assert island["kind"] == "categorical" and island["categories"] == ["Biscoe", "Dream", "Torgersen"]
    assert island["default"] == "Biscoe" and island["fill"] == "Biscoe"


def test_penguins_with_dropped_rows_and_ignored_columns(tmp_path):
    out = tmp_path / "p.bin"
    result = finf("train", PENGUINS, "--target", "species", "--missing", "drop", "--ignore", "year", "island",
                  "--out", out)
    assert result.returncode == 0, result.stderr
    assert "missing: left out 11 rows with missing values (--missing drop)" in result.stdout
    assert "333 rows" in result.stdout and "5 features (1 categorical)" in result.stdout


def test_predict_takes_category_names_and_na(penguins):
    model, _ = penguins
    result = finf("predict", model, "Torgersen", "39.1", "18.7", "181", "3750", "male", "2007")
    assert result.returncode == 0 and result.stdout.startswith("Adelie\n"), result
    filled = finf("predict", model, "Dream", "NA", "NA", "NA", "NA", "NA", "2008", "--json")
    assert filled.returncode == 0, filled.stderr
    assert set(json.loads(filled.stdout)) == {"class_index", "class", "probabilities"}
    message = one_line_error(finf("predict", model, "Atlantis", "39.1", "18.7", "181", "3750", "male", "2007"))
    assert "feature 'island': unknown category 'Atlantis'; expected one of 'Biscoe', 'Dream', 'Torgersen'" in message


def test_inspect_shows_features_kinds_fills_and_classes(penguins):
    model, _ = penguins
    text = finf("inspect", model).stdout
    assert "FINF version 3" in text and "features: 7" in text
    assert "island             categorical, 3 categories: 'Biscoe', 'Dream', 'Torgersen', fill 'Biscoe'" in text
    assert "bill_length_mm     numeric, mean " in text and ", fill " in text
    assert "task: classification of 'species'" in text and "classes: Adelie, Chinstrap, Gentoo" in text


def write_rows(path, header, rows):
    with open(path, "w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(header)
        writer.writerows(rows)


def test_predict_csv_matches_columns_by_name_and_keeps_the_rest(penguins, tmp_path):
    model, _ = penguins
    source = tmp_path / "in.csv"
    header = ["year", "id", "sex", "body_mass_g", "flipper_length_mm", "bill_depth_mm", "bill_length_mm", "island"]
    rows = [["2007", "a", "male", "3750", "181", "18.7", "39.1", "Torgersen"],
            ["2008", "b", "NA", "", "NA", "NA", "NA", "Dream"]]
    write_rows(source, header, rows)
    out = tmp_path / "out.csv"
    result = finf("predict", model, "--csv", source, "--out", out)
    assert result.returncode == 0 and result.stdout == "", result
    got = list(csv.reader(out.open()))
    assert got[0] == header + ["prediction", "p(Adelie)", "p(Chinstrap)", "p(Gentoo)"]
    assert got[1][:8] == rows[0] and got[1][8] == "Adelie"
    single = json.loads(finf("predict", model, "Torgersen", "39.1", "18.7", "181", "3750", "male", "2007",
                             "--json").stdout)
    assert [float(p) for p in got[1][9:]] == single["probabilities"]
    to_stdout = finf("predict", model, "--csv", source)
    assert list(csv.reader(to_stdout.stdout.splitlines())) == got


def test_a_bad_row_leaves_nothing_at_out(penguins, tmp_path):
    model, _ = penguins
    source = tmp_path / "in.csv"
    header = ["island", "bill_length_mm", "bill_depth_mm", "flipper_length_mm", "body_mass_g", "sex", "year"]
    write_rows(source, header, [["Dream", "39", "18", "181", "3750", "male", "2007"],
                                ["Dream", "39", "18", "oops", "3750", "male", "2007"]])
    out = tmp_path / "out.csv"
    out.write_text("kept\n")
    message = one_line_error(finf("predict", model, "--csv", source, "--out", out))
    assert f"{source}:3: column 'flipper_length_mm': expected a number, found 'oops'" in message
    assert out.read_text() == "kept\n" and sorted(os.listdir(tmp_path)) == ["in.csv", "out.csv"]
    write_rows(source, header[1:], [["39", "18", "181", "3750", "male", "2007"]])
    assert "no column named 'island', a feature of the model" in one_line_error(finf("predict", model, "--csv",
                                                                                     source))


def test_evaluate_prints_the_metrics_beside_the_baseline(penguins, diabetes):
    text = finf("evaluate", penguins[0], PENGUINS)
    assert text.returncode == 0, text.stderr
    assert text.stdout.startswith(f"{PENGUINS}: 344 rows, accuracy ")
    assert "(always guessing 'Adelie': 44.2%)" in text.stdout
    scores = json.loads(finf("evaluate", diabetes[0], DIABETES, "--json").stdout)
    assert scores["rows"] == 442 and scores["r2"] > 0.4 and abs(scores["baseline"]["r2"]) < 1e-12
    assert scores["mae"] < scores["baseline"]["mae"]


def test_regression_summary_prediction_and_inspect(diabetes):
    model, summary = diabetes
    assert "task: regression ('progression' holds 214 distinct numbers; --task classification to override)" in summary
    assert "model: Linear(10, 32) ReLU Linear(32, 1), 385 parameters" in summary
    assert "(predicting the mean: R² " in summary
    value = finf("predict", model, "59", "2", "32.1", "101", "157", "93.2", "38", "4", "4.8598", "87")
    assert value.returncode == 0 and 25 < float(value.stdout) < 346  # within the target's range in the data
    as_json = json.loads(finf("predict", model, "59", "2", "32.1", "101", "157", "93.2", "38", "4", "4.8598", "87",
                              "--json").stdout)
    assert f"{as_json['prediction']:.6g}" == value.stdout.strip()
    text = finf("inspect", model).stdout
    assert "task: regression of 'progression', prediction = output * " in text


def test_an_ambiguous_target_asks_for_the_task(tmp_path):
    data = tmp_path / "d.csv"
    data.write_text("x,score\n" + "".join(f"{i},{i % 15}\n" for i in range(60)))
    message = one_line_error(finf("train", data, "--target", "score", "--out", tmp_path / "m.bin"))
    assert "15 distinct whole numbers could be classes or a quantity" in message
    result = finf("train", data, "--target", "score", "--task", "regression", "--out", tmp_path / "m.bin")
    assert result.returncode == 0 and "task: regression (--task regression)" in result.stdout
