"""finf.load, finf.dumps and the input checks of predict_proba."""

import array
import math
import os
import pathlib

import numpy as np
import pytest

import finf
import hostile
from finf import format as fmt


@pytest.fixture
def model():
    return finf.load(hostile.VALID)


@pytest.fixture
def model_file(tmp_path):
    path = tmp_path / "small.bin"
    path.write_bytes(hostile.VALID)
    return path


# --- load -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", [bytes, bytearray, memoryview])
def test_load_from_bytes_like(kind):
    model = finf.load(kind(hostile.VALID))
    assert (model.n_features, model.n_outputs) == (2, 2)


@pytest.mark.parametrize("kind", [str, pathlib.Path])
def test_load_from_a_path(model_file, kind):
    model = finf.load(kind(model_file))
    assert finf.dumps(model) == hostile.VALID


def test_bytes_are_file_content_not_a_path(model_file):
    with pytest.raises(finf.FormatError, match="byte 0: magic"):
        finf.load(os.fsencode(model_file))


def test_load_from_a_path_like_object(model_file):
    class PathLike:
        def __fspath__(self):
            return str(model_file)

    assert finf.dumps(finf.load(PathLike())) == hostile.VALID


def test_load_missing_file(tmp_path):
    with pytest.raises(FileNotFoundError):
        finf.load(tmp_path / "missing.bin")
    assert issubclass(FileNotFoundError, OSError)


def test_load_directory(tmp_path):
    with pytest.raises(IsADirectoryError):
        finf.load(tmp_path)


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() == 0, reason="root reads any file")
def test_load_unreadable_file(model_file):
    model_file.chmod(0)
    with pytest.raises(PermissionError):
        finf.load(model_file)


@pytest.mark.parametrize("source", [3, None, 1.5, ["FINF"]])
def test_load_refuses_what_is_neither_bytes_nor_a_path(source):
    # An int would otherwise be taken as an open file descriptor.
    with pytest.raises(TypeError):
        finf.load(source)


def test_format_error_names_the_path(tmp_path):
    path = tmp_path / "bad.bin"
    path.write_bytes(hostile.model(version=4))
    with pytest.raises(finf.FormatError) as info:
        finf.load(path)
    assert str(info.value) == f"{path}: byte 4: version: expected one of (2, 3), found 4"


def test_format_error_is_a_value_error():
    assert issubclass(finf.FormatError, ValueError)
    with pytest.raises(ValueError, match="byte 0: magic"):
        finf.load(b"")


def test_an_oversized_file_is_refused_without_reading_it(tmp_path):
    path = tmp_path / "huge.bin"
    with path.open("wb") as f:
        f.write(hostile.VALID)
        f.truncate(2**40)  # a sparse 1 TiB file: reading it would not finish
    with pytest.raises(finf.FormatError) as info:
        finf.load(path)
    cap = fmt.MAX_FILE_BYTES
    assert str(info.value) == f"{path}: byte 0: file size: expected at most {cap} bytes, found {2**40}"


@pytest.mark.skipif(not os.path.exists("/dev/zero"), reason="needs /dev/zero")
def test_a_file_with_no_size_is_read_only_up_to_the_cap():
    with pytest.raises(finf.FormatError, match=f"file size: expected at most {fmt.MAX_FILE_BYTES} bytes, found"):
        finf.load("/dev/zero")


def test_dumps_then_load_gives_the_same_predictions(model):
    again = finf.load(finf.dumps(model))
    assert again.predict_proba([0.3, -2.0]) == model.predict_proba([0.3, -2.0])


# --- predict_proba input checks ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "row",
    [[1.0, 2.0], (1.0, 2.0), [1, 2], array.array("d", [1.0, 2.0]), array.array("f", [1.0, 2.0]),
     np.array([1.0, 2.0]), np.array([1.0, 2.0], dtype=np.float32), np.array([1, 2]), range(1, 3)],
    ids=["list", "tuple", "ints", "array-d", "array-f", "numpy", "numpy-float32", "numpy-int", "range"],
)
def test_predict_proba_accepts_any_sequence_of_numbers(model, row):
    proba = model.predict_proba(row)
    assert len(proba) == 2 and math.isclose(sum(proba), 1.0)
    assert proba == pytest.approx(model.predict_proba([1.0, 2.0]), rel=1e-6)
    assert model.predict(row) in (0, 1)


@pytest.mark.parametrize(
    "row, message",
    [
        ([1.0], "expected 2 features, got 1"),
        ([1.0, 2.0, 3.0], "expected 2 features, got 3"),
        ([], "expected 2 features, got 0"),
        (["1.0", 2.0], "feature 'x0': expected a number, got '1.0'"),
        ([1.0, None], "feature 'x1': missing value"),
        ([True, 2.0], "feature 'x0': expected a number, got True"),
        ([1.0, math.nan], "feature 'x1': missing value, and the model was not trained to fill it"),
        ([math.inf, 1.0], "feature 'x0': expected a finite number, got inf"),
        ([1.0, -math.inf], "feature 'x1': expected a finite number, got -inf"),
        ([1.0, 1j], "feature 'x1': expected a number, got 1j"),
        (np.array([1.0, np.nan]), "feature 'x1': missing value"),
        (None, "expected a sequence of 2 values, got NoneType"),
        (3.0, "expected a sequence of 2 values, got float"),
    ],
)
def test_predict_proba_rejects_bad_rows_with_a_clear_message(model, row, message):
    with pytest.raises(ValueError) as info:
        model.predict_proba(row)
    assert message in str(info.value)
    assert "\n" not in str(info.value)


def test_predict_batch_checks_every_row(model):
    with pytest.raises(ValueError, match="expected a finite number"):
        model.predict_proba_batch([[1.0, 2.0], [1.0, math.inf]])
    assert model.predict_batch([[1.0, 2.0], (3, 4)]) == [model.predict([1.0, 2.0]), model.predict([3, 4])]
