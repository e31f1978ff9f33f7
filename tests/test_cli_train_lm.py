"""`finf train-lm`: its arguments, its one-line errors, its training path, and the file it writes, which the
engine runs as the trainer's numpy GPT does.
"""

import json
import re

import numpy as np
import pytest

from finf import load
from finf_train import commands
from finf_train.cli import build_parser
from finf_train.lm.gpt import GPT
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


def test_train_lm_writes_a_model_the_engine_runs_as_the_trainer_does(corpus, tmp_path):
    """End to end: finf train-lm writes the file and its card; the engine's logits are the numpy GPT's to 1e-4."""
    out = tmp_path / "lm.bin"
    result = finf("train-lm", corpus, "--out", out, "--layers", "1", "--embedding-dim", "16", "--heads", "2",
                  "--block", "16", "--batch-size", "8", "--steps", "30", "--seed", "3")
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1] == f"wrote {out} ({out.stat().st_size} bytes) and {tmp_path / 'lm.json'}"
    card = json.loads((tmp_path / "lm.json").read_text(encoding="utf-8"))
    assert card["task"] == "generation" and card["training"]["corpus"] == "corpus.txt"
    assert card["training"]["steps"] == 30 and card["metrics"]["val_loss"] > 0

    model = load(out.read_bytes())
    args = parse(corpus, "--out", out, "--layers", "1", "--embedding-dim", "16", "--heads", "2", "--block", "16",
                 "--batch-size", "8", "--steps", "30", "--seed", "3")
    config, state, summary = commands.train_language_model(args, out=lambda *_, **__: None)  # the same run again
    gpt = GPT.from_state(config, state)
    ids = model.encode(TEXT[:16])
    np.testing.assert_allclose(model.forward(ids), gpt.forward(np.array([ids]))[0], rtol=0, atol=1e-4)
    assert model.loss(TEXT[-200:]) == pytest.approx(_numpy_loss(gpt, [model.encode(c)[0] for c in TEXT[-200:]]),
                                                    abs=1e-4)
    assert card["metrics"]["val_loss"] == pytest.approx(summary["val_loss"], abs=1e-9)


def _numpy_loss(gpt, ids):
    """Mean cross-entropy of each id after the first, in windows of block_size + 1 that overlap by one."""
    total, count, block = 0.0, 0, gpt.block_size
    for start in range(0, len(ids) - 1, block):
        window = ids[start : start + block + 1]
        logits = gpt.forward(np.array([window[:-1]]))[0]
        logits = logits - logits.max(axis=1, keepdims=True)
        log_p = logits - np.log(np.exp(logits).sum(axis=1, keepdims=True))
        total -= log_p[np.arange(len(window) - 1), window[1:]].sum()
        count += len(window) - 1
    return total / count


def test_bigram_from_train_lm_generates_the_same_text_for_a_seed(corpus, tmp_path):
    out = tmp_path / "bigram.bin"
    assert finf("train-lm", corpus, "--out", out, "--model", "bigram", "--steps", "50").returncode == 0
    first = finf("generate", out, "--prompt", "th", "--length", "40", "--seed", "7")
    again = finf("generate", out, "--prompt", "th", "--length", "40", "--seed", "7")
    model = load(out.read_bytes())
    assert first.stdout == again.stdout == "th" + "".join(model.generate("th", 40, seed=7)) + "\n"


def test_bad_settings_stop_before_the_corpus_is_read(tmp_path):
    with pytest.raises(ValueError, match="--heads 5 must divide --embedding-dim 64"):
        commands.run_train_lm(parse(tmp_path / "missing.txt", "--out", tmp_path / "lm.bin", "--heads", "5"))
