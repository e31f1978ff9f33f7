"""Saving a model and its card: all or nothing, whatever fails."""

import json
import os

import pytest

from finf_train import files, train
from finf_train.card import card_path

XOR = "x1,x2,y\n0,0,0\n0,1,1\n1,0,1\n1,1,0\n"


@pytest.fixture(scope="module")
def result(tmp_path_factory):
    path = tmp_path_factory.mktemp("data") / "xor.csv"
    path.write_text(XOR)
    return train(path, "y", hidden=[3], val_fraction=0)


def test_card_path():
    assert card_path("build/iris.bin") == "build/iris.json"
    assert card_path("model") == "model.json"
    assert card_path("a.b/model") == "a.b/model.json"
    assert card_path("m.v2.bin") == "m.v2.json"


def test_save_writes_model_and_card(tmp_path, result):
    card = files.save(result, tmp_path / "xor.bin")
    assert (tmp_path / "xor.bin").read_bytes() == result.model_bytes
    assert json.loads((tmp_path / "xor.json").read_text()) == card
    assert card["model_file"] == "xor.bin" and card["size_bytes"] == len(result.model_bytes)
    assert oct((tmp_path / "xor.bin").stat().st_mode & 0o777) == "0o644"
    assert sorted(os.listdir(tmp_path)) == ["xor.bin", "xor.json"]


def test_failure_before_renaming_leaves_nothing(tmp_path, result, monkeypatch):
    def broken_fsync(fd):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", broken_fsync)
    with pytest.raises(OSError, match="No space left"):
        files.save(result, tmp_path / "xor.bin")
    assert os.listdir(tmp_path) == []


def test_failure_between_renames_restores_the_old_files(tmp_path, result, monkeypatch):
    (tmp_path / "xor.bin").write_bytes(b"old model")
    (tmp_path / "xor.json").write_bytes(b"old card")
    real_replace, calls = os.replace, []

    def replace_once(source, target):
        calls.append(target)
        if len(calls) == 2:  # the model is renamed into place, then renaming the card fails
            raise OSError(5, "Input/output error")
        real_replace(source, target)

    monkeypatch.setattr(os, "replace", replace_once)
    with pytest.raises(OSError, match="Input/output error"):
        files.save(result, tmp_path / "xor.bin")
    monkeypatch.setattr(os, "replace", real_replace)
    assert (tmp_path / "xor.bin").read_bytes() == b"old model"
    assert (tmp_path / "xor.json").read_bytes() == b"old card"
    assert sorted(os.listdir(tmp_path)) == ["xor.bin", "xor.json"]


def test_failure_between_renames_removes_a_new_model(tmp_path, result, monkeypatch):
    real_replace = os.replace
    calls = []

    def replace_once(source, target):
        calls.append(target)
        if len(calls) == 2:
            raise OSError(5, "Input/output error")
        real_replace(source, target)

    monkeypatch.setattr(os, "replace", replace_once)
    with pytest.raises(OSError):
        files.save(result, tmp_path / "xor.bin")
    assert os.listdir(tmp_path) == []


@pytest.mark.parametrize("name", ["model.json", "dir"])
def test_bad_out_names(tmp_path, result, name):
    (tmp_path / "dir").mkdir()
    with pytest.raises(ValueError, match="cannot end in .json|is a directory"):
        files.save(result, tmp_path / name)
    assert sorted(os.listdir(tmp_path)) == ["dir"]
