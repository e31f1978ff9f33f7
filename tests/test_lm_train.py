"""Character corpora, the bigram trained by gradient descent, and train_lm's contract: config, state, summary."""

import numpy as np
import pytest

from finf_train.lm import corpus
from finf_train.lm.bigram import bigram_counts, conditional_entropy
from finf_train.lm.gpt import GPT
from finf_train.lm.train import sequence_loss, train_lm

# A small corpus with structure a model can learn: a few sentences in a varying order.
SENTENCES = ["the cat sat on the mat. ", "a dog ran to the park! ", "she said: no, not today. ",
             "it is a truth universally acknowledged. ", "Emma Woodhouse, handsome, clever, and rich. "]
TEXT = "".join(np.random.default_rng(0).choice(SENTENCES, 150))


def test_vocabulary_is_sorted_and_encoding_round_trips():
    vocab = corpus.vocabulary("banana!")
    assert vocab == "!abn"
    assert corpus.encode("banana", vocab).tolist() == [2, 1, 3, 1, 3, 1]
    with pytest.raises(ValueError, match="not in the vocabulary: 'x', 'z'"):
        corpus.encode("zax", vocab)


def test_split_keeps_the_text_in_order():
    train, val = corpus.split(np.arange(100))
    assert train.tolist() == list(range(90)) and val.tolist() == list(range(90, 100))


def test_read_text_names_the_file_and_byte_that_is_not_utf8(tmp_path):
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"caf\xe9 au lait")
    with pytest.raises(ValueError, match=r"bad.txt: not UTF-8 text: byte 3 is 0xe9"):
        corpus.read_text(bad)
    (tmp_path / "empty.txt").write_bytes(b"")
    with pytest.raises(ValueError, match="empty.txt: the file is empty"):
        corpus.read_text(tmp_path / "empty.txt")
    (tmp_path / "bom.txt").write_bytes("\ufeffhé".encode())
    assert corpus.read_text(tmp_path / "bom.txt") == "hé"


def test_conditional_entropy_of_counts():
    # After 'a': 'a' or 'b' half the time each (1 bit); after 'b': always 'a' (0 bits).
    counts = np.array([[2.0, 2.0], [4.0, 0.0]])
    assert conditional_entropy(counts) == pytest.approx(0.5 * np.log(2))
    assert bigram_counts(np.array([0, 1, 0, 0]), 2).tolist() == [[1, 1], [1, 0]]


def test_bigram_by_gradient_descent_reaches_the_conditional_entropy():
    config, state, summary = train_lm(TEXT, "bigram", steps=500)
    vocab = config["vocab"]
    train_ids, val_ids = corpus.split(corpus.encode(TEXT, vocab))
    optimum = conditional_entropy(bigram_counts(train_ids, len(vocab)))
    assert optimum < summary["train_loss"] < optimum + 0.01
    # The state's own loss over the training pairs, computed here from the logits, agrees with the summary.
    w = state["wte.weight"]
    log_p = w - np.log(np.exp(w - w.max(axis=1, keepdims=True)).sum(axis=1, keepdims=True)) - w.max(axis=1,
                                                                                                       keepdims=True)
    assert -log_p[train_ids[:-1], train_ids[1:]].mean() == pytest.approx(summary["train_loss"], rel=1e-9)
    assert -log_p[val_ids[:-1], val_ids[1:]].mean() == pytest.approx(summary["val_loss"], rel=1e-9)
    assert config == {"kind": "bigram", "vocab": vocab, "block_size": 1, "n_layer": 0, "n_head": 0,
                      "n_embd": len(vocab)}
    assert list(state) == ["wte.weight"] and w.shape == (len(vocab), len(vocab)) and w.dtype == np.float64


def small_gpt_run(seed=0, progress=None):
    return train_lm(TEXT, "gpt", layers=1, embedding_dim=16, heads=2, block=16, steps=60, batch_size=8, lr=1e-2,
                    seed=seed, progress=progress)


def test_gpt_learns_and_reports_progress():
    reports = []
    config, state, summary = small_gpt_run(progress=reports.append)
    assert config == {"kind": "gpt", "vocab": corpus.vocabulary(TEXT), "block_size": 16, "n_layer": 1,
                      "n_head": 2, "n_embd": 16}
    assert all(a.dtype == np.float64 for a in state.values())
    assert [r["step"] for r in reports] == [1, 60]
    assert set(reports[0]) == {"step", "steps", "train_loss", "val_loss", "steps_per_second", "seconds_left"}
    uniform = np.log(len(config["vocab"]))
    assert reports[0]["val_loss"] == pytest.approx(uniform, abs=0.2)  # at initialisation: about uniform
    assert summary["val_loss"] < uniform - 1.0  # learned much of the structure in 60 steps
    assert summary["steps"] == 60 and summary["seconds"] > 0 and summary["parameters"] == sum(
        a.size for a in state.values())
    assert summary["train_chars"] + summary["val_chars"] == len(TEXT)


def test_the_summarys_validation_loss_is_the_states_loss_on_the_validation_text():
    config, state, summary = small_gpt_run()
    gpt = GPT.from_state(config, state)
    assert all(gpt.state()[name].tobytes() == state[name].tobytes() for name in state)
    _, val_ids = corpus.split(corpus.encode(TEXT, config["vocab"]))
    assert sequence_loss(gpt, val_ids) == pytest.approx(summary["val_loss"], rel=1e-4)  # float64 vs float32


def test_same_seed_same_state_bytes_and_another_seed_differs():
    _, first, _ = small_gpt_run(seed=3)
    _, again, _ = small_gpt_run(seed=3)
    _, other, _ = small_gpt_run(seed=4)
    assert all(first[name].tobytes() == again[name].tobytes() for name in first)
    assert first["wte.weight"].tobytes() != other["wte.weight"].tobytes()


def test_sequence_loss_counts_every_next_character_once():
    gpt = GPT(5, 4, 1, 1, 4, np.random.default_rng(0))
    ids = np.random.default_rng(1).integers(0, 5, 11)  # 10 predictions: two windows of 4 and one of 2
    expected = []
    for start in (0, 4, 8):
        window = ids[start:start + 5]
        logits = gpt.forward(window[None, :-1])[0]
        log_p = logits - np.log(np.exp(logits).sum(axis=1, keepdims=True))
        expected += list(-log_p[np.arange(len(window) - 1), window[1:]])
    assert len(expected) == 10
    assert sequence_loss(gpt, ids, windows_per_batch=1) == pytest.approx(np.mean(expected), rel=1e-12)


def test_bad_settings_are_clear_errors():
    with pytest.raises(ValueError, match="the model must be one of bigram, gpt, not 'rnn'"):
        train_lm(TEXT, "rnn")
    with pytest.raises(ValueError, match=r"too few for a validation split .* \(--block 64\)"):
        train_lm("abcdefghij" * 20, "gpt", steps=1)
