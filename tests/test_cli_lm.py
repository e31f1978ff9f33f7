"""finf generate, evaluate and inspect on language-model files written by finf_train.lm.export.save_lm."""

import json
import subprocess

import numpy as np
import pytest

import finf as engine
from finf_train.lm.export import save_lm
from lm_reference import TEXT, bigram_counts, gpt_config, gpt_state
from test_cli import FINF, assert_one_line_error, finf

pytestmark = pytest.mark.skipif(not FINF.exists(), reason="the finf console script is not installed in this venv")

VOCAB = "".join(sorted(set(TEXT)))


@pytest.fixture(scope="module")
def lm_files(tmp_path_factory):
    """{"gpt": path, "bigram": path}, each with its card."""
    out = tmp_path_factory.mktemp("lm")
    config = gpt_config(VOCAB)
    save_lm(out / "gpt.bin", config, gpt_state(config), {"corpus": "tiny.txt", "val_loss": 2.5, "steps": 10})
    _, weight = bigram_counts(TEXT, VOCAB)
    save_lm(out / "bigram.bin", {"kind": "bigram", "vocab": VOCAB, "block_size": 1, "n_layer": 0, "n_head": 0,
                                 "n_embd": len(VOCAB)}, {"wte.weight": weight}, {"corpus": "tiny.txt"})
    (out / "text.txt").write_text(TEXT, encoding="utf-8")
    return {"gpt": out / "gpt.bin", "bigram": out / "bigram.bin", "text": out / "text.txt"}


def test_save_lm_writes_the_model_and_its_card(lm_files):
    data = lm_files["gpt"].read_bytes()
    card = json.loads(lm_files["gpt"].with_suffix(".json").read_text())
    model = engine.load(data)
    assert (card["task"], card["kind"], card["vocab"], card["block_size"], card["size_bytes"]) == (
        "generation", "gpt", VOCAB, 6, len(data))
    assert card["training"] == {"corpus": "tiny.txt", "steps": 10} and card["metrics"] == {"val_loss": 2.5}
    assert card["architecture"]["parameters"] == sum(len(p) for p in model.parameters())
    assert card["model_file"] == "gpt.bin"


@pytest.mark.parametrize("kind", ["gpt", "bigram"])
def test_generate_prints_the_prompt_and_the_seeded_text(lm_files, kind):
    model = engine.load(lm_files[kind])
    result = finf("generate", lm_files[kind], "--prompt", "it is a", "--length", "50", "--seed", "4",
                  "--temperature", "0.9", "--top-k", "8")
    expected = "it is a" + "".join(model.generate("it is a", 50, 0.9, 8, 4))
    assert result.returncode == 0 and result.stdout.rstrip("\n") == expected.rstrip("\n")
    assert result.stdout == finf("generate", lm_files[kind], "--prompt", "it is a", "--length", "50", "--seed",
                                 "4", "--temperature", "0.9", "--top-k", "8").stdout


def test_generate_streams_before_it_ends(lm_files):
    process = subprocess.Popen([str(FINF), "generate", str(lm_files["gpt"]), "--prompt", "a", "--length",
                                "1000000", "--seed", "1"], stdout=subprocess.PIPE, text=True)
    try:
        first = process.stdout.read(20)
        assert len(first) == 20 and process.poll() is None  # text arrived while it was still generating
    finally:
        process.kill()
        process.wait()


def test_generate_names_unknown_prompt_characters(lm_files):
    assert_one_line_error(finf("generate", lm_files["gpt"], "--prompt", "Quite", "--length", "5"),
                          "finf generate: error:", "'Q'", "vocabulary")


@pytest.mark.parametrize(("option", "value"), [("--length", "-1"), ("--temperature", "-0.5"), ("--top-k", "0"),
                                                ("--seed", "x")])
def test_generate_refuses_bad_options(lm_files, option, value):
    result = finf("generate", lm_files["gpt"], "--prompt", "a", option, value)
    assert result.returncode == 2 and option in result.stderr and "Traceback" not in result.stderr


def test_evaluate_reports_nats_per_character(lm_files):
    model = engine.load(lm_files["gpt"])
    result = finf("evaluate", lm_files["gpt"], lm_files["text"], "--json")
    scores = json.loads(result.stdout)
    assert scores["loss"] == pytest.approx(model.loss(TEXT), abs=1e-12) and scores["characters"] == len(TEXT)
    assert scores["bits_per_char"] == pytest.approx(scores["loss"] / np.log(2))
    line = finf("evaluate", lm_files["bigram"], lm_files["text"]).stdout
    assert f"{len(TEXT)} characters, loss {engine.load(lm_files['bigram']).loss(TEXT):.4f} nats/char" in line
    short = json.loads(finf("evaluate", lm_files["gpt"], lm_files["text"], "--json", "--max-chars", "20").stdout)
    assert short["loss"] == pytest.approx(model.loss(TEXT[:20]), abs=1e-12)


def test_evaluate_names_characters_outside_the_vocabulary(lm_files, tmp_path):
    text = tmp_path / "other.txt"
    text.write_text("Zebra", encoding="utf-8")
    assert_one_line_error(finf("evaluate", lm_files["gpt"], text), f"{text}:", "'Z'")
    text.write_bytes(b"ab\xff")
    assert_one_line_error(finf("evaluate", lm_files["gpt"], text), "not UTF-8")


def test_inspect_shows_the_vocabulary_training_and_layers(lm_files):
    out = finf("inspect", lm_files["gpt"]).stdout
    assert f"language model: gpt, {len(VOCAB)} characters, block size 6" in out
    assert "trained on: tiny.txt, 10 steps" in out and "validation loss: 2.5000 nats/char" in out
    assert "TransformerBlock(n_embd=8, n_head=2, mlp_width=32)" in out and "'\\n'" in out


def test_a_corrupted_language_model_is_refused_in_words(lm_files, tmp_path):
    bad = tmp_path / "bad.bin"
    data = bytearray(lm_files["gpt"].read_bytes())
    data[17:21] = (0).to_bytes(4, "little")  # the block size
    bad.write_bytes(bytes(data))
    assert_one_line_error(finf("generate", bad, "--prompt", "a"), "byte 17: block size: expected 1 to 4096, found 0")
    moved = tmp_path / "gpt.bin"  # a card that describes another file
    moved.write_bytes(lm_files["bigram"].read_bytes())
    moved.with_suffix(".json").write_text(lm_files["gpt"].with_suffix(".json").read_text())
    assert_one_line_error(finf("inspect", moved), "describes a different model file")


def test_predict_points_a_language_model_to_generate(lm_files):
    assert_one_line_error(finf("predict", lm_files["gpt"], "1"), "finf generate")


def test_save_lm_writes_nothing_when_the_state_is_wrong(tmp_path):
    config = gpt_config(VOCAB)
    state = gpt_state(config)
    del state["lm_head.bias"]
    with pytest.raises(ValueError, match="lm_head.bias"):
        save_lm(tmp_path / "lm.bin", config, state)
    (tmp_path / "dir.bin").mkdir()
    with pytest.raises(ValueError, match="is a directory"):
        save_lm(tmp_path / "dir.bin", config, gpt_state(config))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["dir.bin"]
