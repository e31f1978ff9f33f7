"""`finf train-lm`: its arguments, its one-line errors, and its training path up to the model file.

The file itself is written by finf_train.lm.export.save_lm, tested with the engine's language models.
"""

import re
import sys
import types

import pytest

from finf_train import commands
from finf_train.cli import build_parser
from test_cli import FINF, assert_one_line_error, finf
from test_lm_train import TEXT


def parse(*argv):
    return build_parser("train-lm").parse_args(["train-lm", *map(str, argv)])


@pytest.fixture
def corpus(tmp_path):
    path = tmp_path / "corpus.txt"
    path.write_text(TEXT, encoding="utf-8")
    return path


def test_defaults_leave_the_gpt_shape_to_the_defaults_table():
    args = parse("c.txt", "--out", "lm.bin")
    assert (args.model, args.steps, args.lr, args.seed) == ("gpt", None, None, 0)
    assert commands.lm_shape(args) == {"layers": 2, "embedding_dim": 64, "heads": 4, "block": 64, "batch_size": 32}


def test_train_language_model_trains_and_prints_progress_and_summary(corpus):
    lines = []
    args = parse(corpus, "--out", "lm.bin", "--layers", "1", "--embedding-dim", "16", "--heads", "2", "--block",
                 "16", "--batch-size", "8", "--steps", "150", "--lr", "0.01", "--seed", "2")
    config, state, summary = commands.train_language_model(args, out=lambda line, **_: lines.append(line))
    assert lines[0] == f"corpus: {corpus}: {len(TEXT)} characters, {len(set(TEXT))} distinct; the first 90% trains, " \
                       "the rest validates"
    steps = [line for line in lines if line.startswith("step ")]
    assert [s.split()[1] for s in steps] == ["1/150", "100/150", "150/150"]
    assert re.fullmatch(r"step 150/150  train \d\.\d{4}  val \d\.\d{4}  [\d.]+ steps/s  0s left", steps[-1])
    assert lines[-3] == (f"model: gpt: 1 layers, 2 heads, embedding 16, block 16, {summary['parameters']} parameters, "
                         f"{len(set(TEXT))} characters")
    assert re.fullmatch(r"training: 150 steps in [\d.]+ s \([\d.]+ steps/s\), seed 2", lines[-2])
    assert lines[-1].startswith(f"loss: train {summary['train_loss']:.4f}, validation {summary['val_loss']:.4f}")
    assert config["n_embd"] == 16 and summary["steps"] == 150


def test_bigram_through_the_command_path(corpus):
    lines = []
    args = parse(corpus, "--out", "lm.bin", "--model", "bigram", "--steps", "300")
    config, _, summary = commands.train_language_model(args, out=lambda line, **_: lines.append(line))
    assert config["kind"] == "bigram"
    assert lines[-3] == f"model: bigram, {len(set(TEXT)) ** 2} parameters, {len(set(TEXT))} characters"


def test_bad_corpus_is_an_error_naming_it(tmp_path):
    bad = tmp_path / "latin1.txt"
    bad.write_bytes(b"na\xefve")
    with pytest.raises(ValueError, match="latin1.txt: not UTF-8 text: byte 2 is 0xef"):
        commands.train_language_model(parse(bad, "--out", "lm.bin", "--model", "bigram"))


@pytest.mark.skipif(not FINF.exists(), reason="the finf console script is not installed in this venv")
@pytest.mark.parametrize("argv, fragments", [
    (["--model", "bigram", "--layers", "3"], ["--layers applies to --model gpt"]),
    (["--heads", "5"], ["--heads 5 must divide --embedding-dim 64"]),
    (["--block", "0"], ["--block", "expected a whole number >= 1, found '0'"]),
    (["--block", "5000"], ["--block", "at most 4096"]),
    (["--lr", "-1"], ["--lr", "expected a number > 0"]),
    (["--model", "rnn"], ["--model", "invalid choice: 'rnn'"]),
])
def test_bad_settings_are_one_line_errors(tmp_path, argv, fragments):
    result = finf("train-lm", tmp_path / "c.txt", "--out", tmp_path / "lm.bin", *argv)
    assert_one_line_error(result, "train-lm", *fragments)


def test_run_train_lm_hands_the_trained_model_to_save_lm(corpus, tmp_path, monkeypatch, capsys):
    """The command's last step, with lm.export.save_lm (the engine side's) replaced by a recorder."""
    calls = []

    def save_lm(path, config, state, card_extra=None):
        calls.append((path, config, state, card_extra))
        with open(path, "wb") as f:
            f.write(b"model")

    monkeypatch.setitem(sys.modules, "finf_train.lm.export", types.SimpleNamespace(save_lm=save_lm))
    out = tmp_path / "lm.bin"
    commands.run_train_lm(parse(corpus, "--out", out, "--model", "bigram", "--steps", "20"))
    [(path, config, state, card_extra)] = calls
    assert path == str(out) and config["kind"] == "bigram" and set(state) == {"wte.weight"}
    assert card_extra["corpus"] == "corpus.txt" and card_extra["steps"] == 20
    assert set(card_extra) == {"corpus", "train_loss", "val_loss", "steps", "seconds"}
    assert capsys.readouterr().out.splitlines()[-1] == f"wrote {out} (5 bytes) and {tmp_path / 'lm.json'}"


def test_bad_settings_stop_before_the_corpus_is_read(tmp_path):
    with pytest.raises(ValueError, match="--heads 5 must divide --embedding-dim 64"):
        commands.run_train_lm(parse(tmp_path / "missing.txt", "--out", tmp_path / "lm.bin", "--heads", "5"))
