"""The hostile FINF corpus gives the same outcome, message for message, in real Pyodide as in CPython."""

import json
import os
from pathlib import Path

import pytest

import hostile
from pyodide_harness import run_in_pyodide

pytestmark = pytest.mark.pyodide

# Runs inside Pyodide, with tests/hostile.py copied into its working directory.
PYODIDE_CODE = """
import json, sys
sys.path.insert(0, ".")
import finf, hostile
print(json.dumps({"outcomes": hostile.outcomes(), "finf_file": finf.__file__, "platform": sys.platform,
                  "python": list(sys.version_info[:2])}))
"""


@pytest.fixture(scope="module")
def pyodide(engine_wheel):
    files = {name: (Path(hostile.__file__).parent / name).read_bytes() for name in ("hostile.py", "hostile_v3.py")}
    return json.loads(run_in_pyodide(PYODIDE_CODE, files, wheel=engine_wheel))


@pytest.fixture(scope="module")
def cpython(tmp_path_factory):
    cwd = os.getcwd()
    os.chdir(tmp_path_factory.mktemp("hostile"))
    try:
        return hostile.outcomes()
    finally:
        os.chdir(cwd)


def test_ran_in_pyodide_with_the_installed_wheel(pyodide):
    assert pyodide["platform"] == "emscripten"
    assert pyodide["python"] >= [3, 12]
    assert "site-packages/finf/" in pyodide["finf_file"]


def test_the_same_cases_ran_on_both(pyodide, cpython):
    assert pyodide["outcomes"].keys() == cpython.keys()
    assert len(cpython) > 1000


@pytest.mark.parametrize("name", [case.name for case in hostile.corpus()])
def test_named_case_gives_the_same_error(pyodide, cpython, name):
    assert cpython[name].startswith("FormatError: byte ")
    assert pyodide["outcomes"][name] == cpython[name]


def test_every_truncation_and_bit_flip_gives_the_same_outcome(pyodide, cpython):
    names = [name for name, _ in hostile.damaged()]
    assert any(name.startswith("v3_regressor_bit_flip_") for name in names)
    differ = [(name, cpython[name], pyodide["outcomes"][name]) for name in names
              if pyodide["outcomes"][name] != cpython[name]]
    assert not differ, differ[:5]
    assert all(cpython[name] == "loaded" or cpython[name].startswith("FormatError: ") for name in names)


def test_paths_give_the_same_outcome(pyodide, cpython):
    for name in [f"path_{name}" for name in hostile.PATH_FILES] + ["path_missing", "path_directory"]:
        assert pyodide["outcomes"][name] == cpython[name], name
    expected = "FormatError: hostile-version-4.bin: byte 4: version: expected one of (2, 3), found 4"
    assert cpython["path_version_4"] == expected
    expected = "FormatError: hostile-v3-section-id.bin: byte 8: section id: expected b'FEAT', found b'FEAX'"
    assert cpython["path_v3_section_id"] == expected
    assert (cpython["path_valid"], cpython["path_v3_classifier"], cpython["path_missing"],
            cpython["path_directory"]) == ("loaded", "loaded", "FileNotFoundError", "IsADirectoryError")


def test_v3_models_predict_the_same_with_their_fills(pyodide, cpython):
    for name in ("v3_classifier_filled", "v3_regressor_filled"):
        assert pyodide["outcomes"][name] == cpython[name], name
    assert len(floats_in(cpython["v3_classifier_filled"])) == 3


def floats_in(text):
    """The floats in the repr of a list of floats."""
    return [float(part) for part in text.strip("[]").split(", ")]
