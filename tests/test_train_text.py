"""Text models from training to the command line, on a small corpus made here: finf train --text, predict, evaluate."""

import csv
import json
import os
import pty
import random
import subprocess
import sys
from pathlib import Path

import pytest

import finf
from finf_train import card as model_card
from finf_train.text import build_vocabulary, read_text_csv, train_text

FINF = Path(sys.prefix) / "bin" / "finf"
SPAM = ["win", "free", "prize", "cash", "claim", "urgent", "call", "txt", "£1000"]
HAM = ["lunch", "see", "you", "tonight", "mum", "home", "later", "love", "sorry"]
FILLER = ["the", "a", "to", "now", "ok", "and", "it's"]


def corpus(rows=160, seed=0):
    """(label, text) pairs: each text mixes its class's words with filler, in varied case and punctuation."""
    rng = random.Random(seed)
    pairs = []
    for k in range(rows):
        label = "spam" if k % 3 == 0 else "ham"
        words = rng.sample(SPAM if label == "spam" else HAM, 3) + rng.sample(FILLER, rng.randint(1, 4))
        rng.shuffle(words)
        text = " ".join(w.upper() if rng.random() < 0.2 else w for w in words) + rng.choice(["!", ".", "?", " 😀", ""])
        pairs.append((label, text))
    return pairs


@pytest.fixture(scope="module")
def messages(tmp_path_factory):
    path = tmp_path_factory.mktemp("text") / "messages.csv"
    with open(path, "w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["id", "label", "message"])
        writer.writerows([k, label, text] for k, (label, text) in enumerate(corpus()))
    return path


def test_read_text_csv_keeps_the_texts_and_orders_the_classes(messages):
    data = read_text_csv(messages, "label", "message")
    assert data.classes == ["ham", "spam"] and len(data.texts) == 160
    assert data.texts[0] == corpus()[0][1]
    assert data.y.tolist()[:3] == [1, 0, 0]


def test_the_vocabulary_is_unk_then_words_by_frequency_with_caps():
    tokens = [["b", "a", "b"], ["c", "b", "a"], ["d"]]
    assert build_vocabulary(tokens, 10, 1).tokens == ("<unk>", "b", "a", "c", "d")  # ties in first-seen order
    assert build_vocabulary(tokens, 10, 2).tokens == ("<unk>", "b", "a")  # c and d are below min_count
    assert build_vocabulary(tokens, 2, 1).tokens == ("<unk>", "b")
    with pytest.raises(ValueError, match="no word appears at least 9 times"):
        build_vocabulary(tokens, 10, 9)


def test_train_text_learns_the_corpus_and_writes_the_same_bytes_twice(messages):
    result = train_text(messages, "label", "message", vocab_size=24, min_count=1, lr=0.01, epochs=40, seed=3)
    model = finf.load(result.model_bytes)
    assert model.text and model.explainable
    vocabulary = model.features[0].vocabulary
    assert len(vocabulary) == 24 and vocabulary.tokens[0] == "<unk>" and vocabulary.unk == 0
    assert [layer.describe() for layer in model.layers] == ["Embedding(24, 16)", "MeanPool", "Linear(16, 2)", "Softmax"]
    assert result.metrics["val_accuracy"] >= 0.9 and result.metrics["f1"]["spam"] >= 0.9
    assert model_card.check(result.card, model, result.model_bytes) is None
    assert result.card["features"] == [{"name": "message", "label": "message", "unit": "", "kind": "text",
                                        "tokenizer": "words", "tokenizer_version": 1, "vocabulary_size": 24,
                                        "explainable": True}]
    again = {"vocab_size": 24, "min_count": 1, "lr": 0.01, "epochs": 40}
    assert train_text(messages, "label", "message", **again, seed=3).model_bytes == result.model_bytes
    assert train_text(messages, "label", "message", **again, seed=4).model_bytes != result.model_bytes


def test_a_hidden_layer_makes_a_model_that_predicts_but_does_not_explain(messages):
    result = train_text(messages, "label", "message", hidden=(8,), epochs=5)
    assert result.card["architecture"]["layers"][2:4] == ["Linear(16, 8)", "ReLU"]
    assert result.card["features"][0]["explainable"] is False
    assert len(result.model.predict_proba("win cash now")) == 2


def finf_cli(*args, stdin=None):
    return subprocess.run([str(FINF), *map(str, args)], capture_output=True, text=True, timeout=120, input=stdin)


@pytest.fixture(scope="module")
def spam_model(messages):
    out = messages.parent / "spam.bin"
    result = finf_cli("train", messages, "--target", "label", "--text", "message", "--out", out, "--epochs", "40",
                      "--lr", "0.01", "--vocab-size", "20", "--min-count", "1", "--embedding-dim", "8")
    assert result.returncode == 0, result.stderr
    assert "text column 'message' (20 vocabulary entries, UNK's included)" in result.stdout
    assert "model: Embedding(20, 8) MeanPool Linear(8, 2) Softmax" in result.stdout
    assert "F1 (validation): ham" in result.stdout
    return out


def test_predict_a_text_from_the_command_line(spam_model):
    result = finf_cli("predict", spam_model, "WIN a FREE prize, call now!")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "spam" and lines[1].split()[0] == "ham" and lines[2].split()[0] == "spam"
    model = finf.load(spam_model)
    answer = json.loads(finf_cli("predict", spam_model, "see", "you", "tonight", "--json").stdout)
    assert answer == {"class_index": 0, "class": "ham", "probabilities": model.predict_proba("see you tonight")}


def test_predict_reads_one_text_a_line_from_stdin(spam_model):
    result = finf_cli("predict", spam_model, stdin="claim your cash prize\nlove you mum\n\n")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert [line.split()[0] for line in lines] == ["spam", "ham", finf.load(spam_model).classes[
        finf.load(spam_model).predict("")]]
    assert lines[0].startswith("spam  (ham 0.")


def test_predict_on_a_terminal_is_an_interactive_prompt(spam_model):
    controller, terminal = pty.openpty()
    process = subprocess.Popen([str(FINF), "predict", str(spam_model)], stdin=terminal, stdout=terminal,
                               stderr=terminal, close_fds=True)
    os.close(terminal)
    os.write(controller, b"urgent: txt WIN to claim\n")
    os.write(controller, b"see you at home later\n\x04")
    output = b""
    while True:
        try:
            chunk = os.read(controller, 4096)
        except OSError:  # the terminal closed: the process has exited
            break
        if not chunk:
            break
        output += chunk
    assert process.wait(timeout=60) == 0
    text = output.decode()
    assert "Type a message" in text and "> " in text
    answers = [line.removeprefix("> ").split()[0] for line in text.splitlines() if "(ham " in line]
    assert answers == ["spam", "ham"], text


def test_predict_csv_and_evaluate_score_the_text_column(spam_model, messages):
    result = finf_cli("predict", spam_model, "--csv", messages)
    assert result.returncode == 0, result.stderr
    rows = list(csv.reader(result.stdout.splitlines()))
    assert rows[0] == ["id", "label", "message", "prediction", "p(ham)", "p(spam)"]
    model = finf.load(spam_model)
    assert [float(p) for p in rows[1][4:]] == model.predict_proba(rows[1][2])
    evaluated = json.loads(finf_cli("evaluate", spam_model, messages, "--json").stdout)
    assert evaluated["rows"] == 160 and evaluated["accuracy"] >= 0.9


def test_inspect_describes_the_vocabulary(spam_model):
    result = finf_cli("inspect", spam_model)
    assert "message  text, tokenizer 'words' version 1, 20 vocabulary entries (UNK id 0)" in result.stdout
    assert "  1  MeanPool" in result.stdout


@pytest.mark.parametrize(("args", "message"), [
    (["--text", "body"], "--text: no column named 'body'"),
    (["--text", "label"], "--text: 'label' is the target column"),
    (["--text", "message", "--task", "regression"], "--text trains a classifier"),
    (["--text", "message", "--vocab-size", "1"], "argument --vocab-size: expected a whole number >= 2"),
    (["--text", "message", "--missing", "impute"], "--text trains on the text column alone: --missing does not"),
])
def test_bad_text_options_are_one_line_errors(messages, tmp_path, args, message):
    result = finf_cli("train", messages, "--target", "label", "--out", tmp_path / "m.bin", *args)
    assert result.returncode == 2 and message in result.stderr and len(result.stderr.splitlines()) == 1, result
