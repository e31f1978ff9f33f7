"""The installed `finf` command: train, predict, inspect, and one line with exit code 2 for any bad input."""

import importlib.util
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).parent.parent
IRIS = ROOT / "data" / "iris.csv"
GOLDEN = Path(__file__).parent / "golden"
FINF = Path(sys.prefix) / "bin" / "finf"

pytestmark = pytest.mark.skipif(not FINF.exists(), reason="the finf console script is not installed in this venv")


def finf(*args, cwd=None):
    return subprocess.run([str(FINF), *map(str, args)], capture_output=True, text=True, cwd=cwd, timeout=60)


def assert_one_line_error(result, *fragments):
    assert result.returncode == 2, result
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.stderr
    for fragment in fragments:
        assert fragment in lines[0], lines[0]
    return lines[0]


@pytest.fixture
def model(tmp_path):
    """The golden Iris model and its card, copied to a fresh directory."""
    shutil.copy(GOLDEN / "iris.bin", tmp_path / "iris.bin")
    shutil.copy(GOLDEN / "iris.json", tmp_path / "iris.json")
    return tmp_path / "iris.bin"


def test_train_iris_with_defaults(tmp_path):
    out = tmp_path / "build" / "iris.bin"  # the directory is created
    result = finf("train", IRIS, "--target", "species", "--out", out)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    summary = result.stdout
    assert "300 epochs" in summary and "train 99.2%" in summary and "validation 96.7%" in summary
    assert " s\n" in summary  # the training time
    assert out.read_bytes() == (GOLDEN / "iris.bin").read_bytes()
    card = json.loads((tmp_path / "build" / "iris.json").read_text())
    assert card["model_file"] == "iris.bin" and card["classes"] == ["setosa", "versicolor", "virginica"]
    assert sorted(os.listdir(out.parent)) == ["iris.bin", "iris.json"]  # no temporary files left


def test_train_with_every_option(tmp_path):
    xor = tmp_path / "xor.csv"
    xor.write_text("x1,x2,y\n0,0,0\n0,1,1\n1,0,1\n1,1,0\n")
    result = finf("train", xor, "--target", "y", "--out", tmp_path / "xor.bin", "--hidden", "3",
                  "--activation", "sigmoid", "--val-fraction", "0", "--epochs", "300", "--lr", "0.01",
                  "--optimizer", "adam", "--batch-size", "4", "--seed", "1")
    assert result.returncode == 0, result.stderr
    assert "all rows 100.0%" in result.stdout
    card = json.loads((tmp_path / "xor.json").read_text())
    assert card["training"]["hidden"] == [3] and card["training"]["batch_size"] == 4
    assert card["architecture"]["layers"] == ["Linear(2, 3)", "Sigmoid", "Linear(3, 2)", "Softmax"]


def test_xor_from_scratch(tmp_path):
    xor = tmp_path / "xor.csv"
    xor.write_text("x1,x2,y\n0,0,0\n0,1,1\n1,0,1\n1,1,0\n")
    out = tmp_path / "xor.bin"
    result = finf("train", xor, "--target", "y", "--out", out, "--hidden", "3", "--activation", "sigmoid",
                  "--val-fraction", "0")
    assert result.returncode == 0, result.stderr
    assert "all rows 100.0%" in result.stdout
    for x1, x2, want in [(0, 0, "0"), (0, 1, "1"), (1, 0, "1"), (1, 1, "0")]:
        assert json.loads(finf("predict", out, x1, x2, "--json").stdout)["class"] == want


@pytest.mark.parametrize("module", ["finf_train", "finf_train.cli"])
def test_python_dash_m_runs_the_same_command(model, module):
    result = subprocess.run([sys.executable, "-m", module, "predict", str(model), "5.1", "3.5", "1.4", "0.2"],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0 and result.stdout.startswith("setosa\n")
    bad = subprocess.run([sys.executable, "-m", module, "predict", str(model), "5.1"], capture_output=True, text=True,
                         timeout=60)
    assert_one_line_error(bad, "expected 4 feature values, got 1")


def test_cli_defaults_are_the_trainers_defaults():
    from finf_train import DEFAULTS
    from finf_train.cli import build_parser

    args = build_parser().parse_args(["train", "d.csv", "--target", "t", "--out", "m.bin"])
    for name, value in DEFAULTS.items():
        if name == "hidden":  # None on the command line: DEFAULTS' for a table, TEXT_DEFAULTS' for --text
            assert args.hidden is None
            continue
        assert getattr(args, name) == (list(value) if isinstance(value, tuple) else value), name


def test_predict_textbook_samples(model):
    setosa = finf("predict", model, "5.1", "3.5", "1.4", "0.2")
    assert setosa.returncode == 0 and setosa.stdout.splitlines()[0] == "setosa"
    assert [line.split()[0] for line in setosa.stdout.splitlines()[1:]] == ["setosa", "versicolor", "virginica"]
    virginica = finf("predict", model, "6.3", "3.3", "6.0", "2.5", "--json")
    assert virginica.returncode == 0
    answer = json.loads(virginica.stdout)
    assert answer["class_index"] == 2 and answer["class"] == "virginica"
    assert len(answer["probabilities"]) == 3 and abs(sum(answer["probabilities"]) - 1) < 1e-12


def test_predict_json_matches_the_golden_probabilities(model):
    expected = json.loads((GOLDEN / "expected.json").read_text())
    for row, probabilities in zip(expected["rows"][:3], expected["probabilities"], strict=False):
        answer = json.loads(finf("predict", "--json", model, *row).stdout)
        assert answer["probabilities"] == pytest.approx(probabilities, abs=1e-6)


@pytest.mark.parametrize("values", [
    ["-1.5", "2", "-3", "-.5"],
    ["-1e3", "-2E-1", "0", "-0"],  # argparse alone would read these as options
    ["--", "-1", "2", "3", "4"],
])
def test_predict_negative_values(model, values):
    result = finf("predict", model, *values, "--json")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["class"] in ("setosa", "versicolor", "virginica")


def test_predict_without_a_card_uses_class_indices(model):
    model.with_suffix(".json").unlink()
    result = finf("predict", model, "5.1", "3.5", "1.4", "0.2")
    assert result.returncode == 0 and result.stdout.splitlines()[0] == "class 0"
    assert json.loads(finf("predict", model, "5.1", "3.5", "1.4", "0.2", "--json").stdout)["class"] is None


def test_inspect(model):
    result = finf("inspect", model)
    assert result.returncode == 0, result.stderr
    text = result.stdout
    size = model.stat().st_size
    assert f"FINF version 2, {size} bytes" in text
    assert "Linear(4, 32)  160 parameters" in text and "Linear(32, 3)  99 parameters" in text
    assert "ReLU" in text and "Softmax" in text and "parameters: 259" in text
    assert "sepal length (cm)  numeric, mean 5.8483334, std 0.8204656" in text
    assert "features: 4 (names from the card)" in text
    assert "classes: setosa, versicolor, virginica" in text


def test_predict_and_inspect_work_without_numpy(model):
    path = repr(str(model))
    code = ("import sys; sys.modules['numpy'] = None; from finf_train.cli import main; "
            f"sys.exit(main(['predict', {path}, '5.1', '3.5', '1.4', '0.2']) or main(['inspect', {path}]))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("setosa\n")


def test_predict_loads_only_what_it_uses(model):
    """Start-up: predict with a card and --json loads no numpy, no CSV scorer, and no OpenSSL where CPython
    has its own SHA-256 (json and the sha256 check of the card it does need)."""
    code = ("import sys; from finf_train.cli import main; "
            f"main(['predict', {str(model)!r}, '5.1', '3.5', '1.4', '0.2', '--json']); print(*sorted(sys.modules))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    loaded = set(result.stdout.splitlines()[-1].split())
    assert {"json", "finf_train.card"} <= loaded
    assert not loaded & {"numpy", "csv", "tempfile", "shutil", "finf_train.scoring", "finf_train.files"}
    if importlib.util.find_spec("_sha2") or importlib.util.find_spec("_sha256"):
        assert "_hashlib" not in loaded


@pytest.mark.parametrize(("make_csv", "fragments"), [
    (lambda d: d / "missing.csv", ["missing.csv: cannot read: No such file or directory"]),
    (lambda d: d, ["cannot read: Is a directory"]),
    (lambda d: _csv(d, ""), ["d.csv: empty file"]),
    (lambda d: _csv(d, "a,b,species\n"), ["d.csv:1: header only"]),
    (lambda d: _csv(d, "a,b,species\n1,2,x\n3,,y\n"), ["d.csv:3: column 'b': 1 cell is missing", "--missing drop"]),
    (lambda d: _csv(d, "a,b,species\n1,2,x\n3,four,y\n"), ["d.csv:3: column 'b': expected a number, found 'four'"]),
    (lambda d: _csv(d, "a,b,species\n1,2,x\ninf,4,y\n"), ["d.csv:3: column 'a': expected a finite number"]),
    (lambda d: _csv(d, "a,b,species\n1,2,x\n3,4\n"), ["d.csv:3: column 'species': missing field"]),
    (lambda d: _csv(d, "a,b,species\n1,2,x,7\n"), ["d.csv:2: column 4", "unexpected field '7'"]),
    (lambda d: _csv(d, "a,b,label\n1,2,x\n"), ["d.csv:1: no column named 'species'"]),
    (lambda d: _csv(d, "a,a,species\n1,2,x\n"), ["d.csv:1: column 'a' appears twice"]),
    (lambda d: _csv(d, "a,b,species\n1,2,x\n3,4,x\n"), ["d.csv:2-3: column 'species': only one class, 'x'"]),
    (lambda d: _csv(d, "a,species\n1,x\n2,x\n3,y\n"), ["d.csv:4: column 'species': class 'y' has only 1 row"]),
    (lambda d: _csv(d, b"a,species\n1,x\n2,\xff\n"), ["d.csv:3: not UTF-8 text"]),
    (lambda d: _csv(d, "a,species\n1,x\n2," + "y" * 200000 + "\n"), ["d.csv:3: column 2: field longer than"]),
])
def test_train_rejects_bad_csv_and_leaves_no_files(tmp_path, make_csv, fragments):
    out = tmp_path / "out" / "model.bin"
    result = finf("train", make_csv(tmp_path), "--target", "species", "--out", out)
    assert_one_line_error(result, "finf train: error: ", *fragments)
    assert not out.exists() and not out.with_suffix(".json").exists()


def _csv(directory, content):
    path = directory / "d.csv"
    path.write_bytes(content.encode() if isinstance(content, str) else content)
    return path


def test_failed_training_leaves_an_existing_model_untouched(tmp_path, model):
    before = model.read_bytes(), model.with_suffix(".json").read_bytes()
    result = finf("train", _csv(tmp_path, "a,species\n1,x\n2,x\n"), "--target", "species", "--out", model)
    assert_one_line_error(result, "only one class")
    assert (model.read_bytes(), model.with_suffix(".json").read_bytes()) == before
    assert sorted(os.listdir(tmp_path)) == ["d.csv", "iris.bin", "iris.json"]


def test_successful_training_replaces_an_existing_model(tmp_path, model):
    xor = _csv(tmp_path, "x1,x2,species\n0,0,0\n0,1,1\n1,0,1\n1,1,0\n")
    result = finf("train", xor, "--target", "species", "--out", model, "--val-fraction", "0", "--hidden", "3")
    assert result.returncode == 0, result.stderr
    assert json.loads(model.with_suffix(".json").read_text())["features"][0]["name"] == "x1"
    assert model.stat().st_size == json.loads(model.with_suffix(".json").read_text())["size_bytes"]


@pytest.mark.parametrize(("options", "fragment"), [
    (["--epochs", "0"], "argument --epochs: expected a whole number >= 1, found '0'"),
    (["--epochs", "ten"], "argument --epochs: expected a whole number, found 'ten'"),
    (["--lr", "nan"], "argument --lr: expected a finite number, found 'nan'"),
    (["--lr", "0"], "argument --lr: expected a number > 0, found '0'"),
    (["--val-fraction", "1"], "argument --val-fraction: expected a number in [0, 1), found '1'"),
    (["--hidden", "-1"], "argument --hidden: expected a whole number >= 0, found '-1'"),
    (["--hidden", "32", "0"], "--hidden: 0 means no hidden layer and stands alone, found 32 0"),
    (["--hidden", "99999999"], "argument --hidden: expected a layer size of at most 65536"),
    (["--batch-size", "-3"], "argument --batch-size: expected a whole number >= 1, found '-3'"),
    (["--activation", "gelu"], "argument --activation: invalid choice: 'gelu'"),
    (["--optimizer", "rmsprop"], "argument --optimizer: invalid choice: 'rmsprop'"),
    (["--seed", "-1"], "argument --seed: expected a whole number >= 0, found '-1'"),
    (["--seed", "1.5"], "argument --seed: expected a whole number, found '1.5'"),
    (["--epochs", "1_000"], "argument --epochs: expected a whole number, found '1_000'"),
    (["--frobnicate"], "unrecognized arguments: --frobnicate"),
    (["--lr", "1e30", "--optimizer", "sgd", "--epochs", "5"], "training diverged"),
])
def test_train_rejects_bad_options(tmp_path, options, fragment):
    out = tmp_path / "m.bin"
    assert_one_line_error(finf("train", IRIS, "--target", "species", "--out", out, *options), fragment)
    assert not out.exists()


def test_train_rejects_an_out_path_that_is_a_directory_or_json(tmp_path):
    assert_one_line_error(finf("train", IRIS, "--target", "species", "--out", tmp_path), "is a directory")
    assert_one_line_error(finf("train", IRIS, "--target", "species", "--out", tmp_path / "m.json"),
                          "cannot end in .json")
    (tmp_path / "file").write_text("")
    assert_one_line_error(finf("train", IRIS, "--target", "species", "--out", tmp_path / "file" / "sub" / "m.bin"),
                          f"cannot create the file: {tmp_path / 'file'} is not a directory")
    (tmp_path / "m.json").mkdir()
    assert_one_line_error(finf("train", IRIS, "--target", "species", "--out", tmp_path / "m.bin"),
                          "m.json: is a directory")
    assert not (tmp_path / "m.bin").exists()


def test_help_lists_every_command_and_each_command_its_options():
    top = finf("--help")
    assert top.returncode == 0
    for command in ("train", "predict", "inspect"):
        assert f"\n    {command} " in top.stdout, top.stdout
    expected = {"train": ["DATA.csv", "--target", "--val-fraction"], "predict": ["MODEL.bin", "--json"],
                "inspect": ["MODEL.bin"]}
    for command, options in expected.items():
        result = finf(command, "--help")
        assert result.returncode == 0 and result.stdout.startswith(f"usage: finf {command} "), result
        assert all(option in result.stdout for option in options), result.stdout


def test_unknown_command_names_the_choices():
    assert_one_line_error(finf("fit", "x.csv"), "invalid choice: 'fit'",
                          "'train', 'train-lm', 'predict', 'evaluate', 'inspect'")


def test_missing_arguments_are_one_line():
    assert_one_line_error(finf(), "finf: error: the following arguments are required")
    assert_one_line_error(finf("train", IRIS), "required: --target, --out")
    assert_one_line_error(finf("predict"), "required: MODEL.bin")


@pytest.mark.parametrize(("values", "fragment"), [
    (["5.1", "3.5", "1.4"], "iris.bin: expected 4 feature values, got 3"),
    (["5.1", "3.5", "1.4", "0.2", "9"], "expected 4 feature values, got 5"),
    (["5.1", "abc", "1.4", "0.2"], "value 2 of 4 ('sepal width (cm)'): expected a number, found 'abc'"),
    (["5.1", "3.5", "nan", "0.2"], "value 3 of 4 ('petal length (cm)'): missing value 'nan', and the model was not "
                                   "trained to fill it (finf train --missing impute does)"),
    (["5.1", "3.5", "1.4", "-inf"], "value 4 of 4 ('petal width (cm)'): expected a finite number, found '-inf'"),
    (["5.1", "3.5", "1.4", "1e999"], "value 4 of 4 ('petal width (cm)'): expected a number within float32 range"),
    (["true", "3.5", "1.4", "0.2"], "value 1 of 4 ('sepal length (cm)'): expected a number, found 'true'"),
    (["5.1", "3.5", "1.4", ""], "value 4 of 4 ('petal width (cm)'): missing value"),
])
def test_predict_rejects_bad_values(model, values, fragment):
    assert_one_line_error(finf("predict", model, *values), "finf predict: error: ", fragment)


@pytest.mark.parametrize("command", ["predict", "inspect"])
def test_bad_model_files(tmp_path, model, command):
    values = ["1", "2", "3", "4"] if command == "predict" else []
    assert_one_line_error(finf(command, tmp_path / "none.bin", *values), "none.bin: cannot read: No such file")
    assert_one_line_error(finf(command, tmp_path, *values), "cannot read: Is a directory")
    garbage = tmp_path / "garbage.bin"
    garbage.write_bytes(b"GIF89a not a model")
    assert_one_line_error(finf(command, garbage, *values), "garbage.bin: byte 0: magic: expected b'FINF'")
    truncated = tmp_path / "truncated.bin"
    truncated.write_bytes(model.read_bytes()[:500])
    assert_one_line_error(finf(command, truncated, *values), "truncated.bin: byte ")
    empty = tmp_path / "empty.bin"
    empty.write_bytes(b"")
    assert_one_line_error(finf(command, empty, *values), "empty.bin: byte 0: magic")


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root can read any file")
def test_unreadable_model(model):
    model.chmod(0)
    assert_one_line_error(finf("inspect", model), "iris.bin: cannot read: Permission denied")


@pytest.mark.parametrize(("card", "fragment"), [
    ("{not json", "iris.json: not a valid model card: "),
    ("[1, 2]", "iris.json: not a valid model card: expected a JSON object"),
    (b"\xff\xfe", "iris.json: not a valid model card: "),
    ('{"sha256": "0000"}', "iris.json: the model card describes a different model file"),
])
def test_bad_model_card_beside_the_model(model, card, fragment):
    path = model.with_suffix(".json")
    path.write_bytes(card.encode() if isinstance(card, str) else card)
    assert_one_line_error(finf("predict", model, "1", "2", "3", "4"), fragment)
    assert_one_line_error(finf("inspect", model), fragment)


def test_card_with_the_wrong_classes(model):
    path = model.with_suffix(".json")
    card = json.loads(path.read_text())
    card["classes"] = ["a", "b"]
    path.write_text(json.dumps(card))
    assert_one_line_error(finf("predict", model, "1", "2", "3", "4"), "model card 'classes': expected 3 class names")


def test_a_closed_pipe_is_not_an_error_message(model):
    process = subprocess.Popen([str(FINF), "inspect", str(model)], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    process.stdout.close()  # like `finf inspect m.bin | head -0`
    _, stderr = process.communicate(timeout=60)
    assert stderr == b"" and process.returncode in (0, 1)
