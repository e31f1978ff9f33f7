"""The engine's language models against a numpy forward pass written from the contract (tests/lm_reference.py)."""

import math

import numpy as np
import pytest

import finf
from finf import _lm
from finf._random import SplitMix64
from finf_train.lm.export import to_model
from lm_reference import TEXT, bigram_counts, cross_entropy, gpt_config, gpt_logits, gpt_state

VOCAB = "".join(sorted(set(TEXT)))


@pytest.fixture(scope="module")
def gpt():
    config = gpt_config(VOCAB)
    state = gpt_state(config)
    return config, state, to_model(config, state)


def test_forward_matches_numpy(gpt):
    config, state, model = gpt
    ids = model.encode("it is ")
    expected = gpt_logits(config, state, ids)
    np.testing.assert_allclose(model.forward(ids), expected, atol=1e-4)
    np.testing.assert_allclose(model.forward(ids), expected, atol=1e-9)  # float64 arithmetic on float32 weights


@pytest.mark.parametrize("heads", [2, 3])  # head sizes 4 and 6 (1 / sqrt(6) is not exact)
def test_stepper_gives_forward_logits_token_by_token(heads):
    config = gpt_config(VOCAB, n_head=heads, n_embd=12)
    model = to_model(config, gpt_state(config, seed=heads))
    ids = model.encode("a man\n")
    stepper = _lm.Stepper(model)
    stepped = [stepper.feed(token) for token in ids]
    np.testing.assert_allclose(stepped, model.forward(ids), rtol=0, atol=1e-12)
    np.testing.assert_allclose(stepped, gpt_logits(config, gpt_state(config, seed=heads), ids), atol=1e-9)


def test_loop_and_sumprod_paths_agree(gpt):
    _, _, model = gpt
    ids = model.encode("must be in ")
    loop = _lm.Stepper(model, dot=_lm.dot_loop)
    by_loop = [loop.feed(token) for token in ids]
    if hasattr(math, "sumprod"):  # Python 3.12+; tests/test_lm_pyodide.py runs this in Pyodide's 3.14
        fast = _lm.Stepper(model, dot=math.sumprod)
        np.testing.assert_allclose([fast.feed(token) for token in ids], by_loop, rtol=0, atol=1e-12)
    else:
        assert _lm.DOT is _lm.dot_loop
        reference = _lm.Stepper(model)
        assert [reference.feed(token) for token in ids] == by_loop


def test_window_slides_past_the_block_size(gpt):
    config, state, model = gpt
    ids = model.encode("in possession of a good fortune")  # 31 tokens, block 6
    stepper, context = _lm.Stepper(model), []
    assert _lm.kept_context(6) == 1 and _lm.kept_context(64) == 16
    for token in ids:
        if len(context) == config["block_size"]:
            context = context[len(context) - _lm.kept_context(config["block_size"]):]  # the rule in _lm's docstring
        context.append(token)
        logits = stepper.feed(token)
        np.testing.assert_allclose(logits, gpt_logits(config, state, context)[-1], atol=1e-9)


def test_loss_is_the_mean_cross_entropy_over_windows(gpt):
    config, state, model = gpt
    text = TEXT[:40]
    ids = np.array(model.encode(text))
    block, losses = config["block_size"], []
    for start in range(0, len(ids) - 1, block):
        inputs, targets = ids[start:start + block], ids[start + 1:start + block + 1]
        losses += list(cross_entropy(gpt_logits(config, state, inputs[:len(targets)]), targets))
    assert model.loss(text) == pytest.approx(np.mean(losses), abs=1e-9)


def test_bigram_loss_is_the_counted_conditional_entropy():
    counts, weight = bigram_counts(TEXT, VOCAB)
    model = to_model({"kind": "bigram", "vocab": VOCAB}, {"wte.weight": weight})
    assert (model.kind, model.block_size, [layer.describe() for layer in model.layers]) == (
        "bigram", 1, [f"Embedding({len(VOCAB)}, {len(VOCAB)})"])
    log_probs = weight - np.log(np.exp(weight).sum(axis=1, keepdims=True))  # float32 rows sum to 1 +- 1e-7
    assert model.loss(TEXT) == pytest.approx(-(counts * log_probs).sum() / counts.sum(), abs=1e-12)
    frequencies = counts / np.maximum(counts.sum(axis=1, keepdims=True), 1)
    entropy = -(counts * np.log(np.where(counts > 0, frequencies, 1))).sum() / counts.sum()
    assert model.loss(TEXT) == pytest.approx(entropy, abs=0.01)  # the counts' smoothing costs a little


def test_generate_is_a_seeded_stream_of_characters(gpt):
    _, _, model = gpt
    stream = model.generate("it is", 30, seed=7)
    assert not isinstance(stream, (list, str)) and next(stream) in VOCAB
    text = next(stream) and "".join(model.generate("it is", 30, seed=7))
    assert len(text) == 30 and set(text) <= set(VOCAB)
    assert text == "".join(model.generate("it is", 30, seed=7))
    assert text != "".join(model.generate("it is", 30, seed=8))
    # Longer than the block: the window slides and generation goes on.
    assert len("".join(model.generate("it is", 40, seed=1, top_k=3, temperature=0.8))) == 40


def test_greedy_generation_follows_the_numpy_argmax(gpt):
    config, state, model = gpt
    ids = model.encode("a goo")
    text = "".join(model.generate("a goo", 4, temperature=0))
    for char in text:  # 5 + 4 tokens stay within... the window: check each against numpy on the same context
        context = ids[-config["block_size"]:]
        expected = int(np.argmax(gpt_logits(config, state, context)[-1]))
        assert char == VOCAB[expected]
        ids.append(expected)
    assert text == "".join(model.generate("a goo", 4, top_k=1, seed=3))


def test_sampling_follows_the_probabilities():
    logits = [math.log(p) for p in (0.5, 0.3, 0.2)]
    rng = SplitMix64(1)
    draws = [_lm.sample(logits, 1.0, None, rng) for _ in range(4000)]
    assert [round(draws.count(k) / 4000, 1) for k in range(3)] == [0.5, 0.3, 0.2]
    top2 = [_lm.sample(logits, 1.0, 2, rng) for _ in range(4000)]
    assert 2 not in top2 and round(top2.count(0) / 4000, 2) == pytest.approx(0.625, abs=0.03)
    cold = [_lm.sample(logits, 0.1, None, rng) for _ in range(200)]
    assert cold.count(0) > 190


def test_splitmix64_matches_the_reference_outputs():
    rng = SplitMix64(0)
    assert [rng.next_u64() for _ in range(3)] == [0xE220A8397B1DCDAF, 0x6E789E6AA1B965F4, 0x06C45D188009454F]
    assert SplitMix64(-1).state == 2**64 - 1 and 0 <= SplitMix64(5).random() < 1
    with pytest.raises(ValueError, match="seed must be an integer"):
        SplitMix64(1.5)


def test_unknown_prompt_characters_are_named(gpt):
    _, _, model = gpt
    with pytest.raises(ValueError, match=r"not in the model's vocabulary of \d+: 'Q', 'Z', 'é'"):
        model.generate("Zut, Qé", 5)
    with pytest.raises(ValueError, match="at least one character"):
        model.generate("", 5)


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"length": -1}, "length"), ({"length": 2.5}, "length"), ({"temperature": -1}, "temperature"),
    ({"temperature": float("nan")}, "temperature"), ({"top_k": 0}, "top_k"), ({"seed": "x"}, "seed"),
])
def test_generate_checks_its_arguments_before_the_first_character(gpt, kwargs, message):
    _, _, model = gpt
    with pytest.raises(ValueError, match=message):
        model.generate("it", **{"length": 3, **kwargs})


def test_file_round_trip(gpt, tmp_path):
    config, state, model = gpt
    data = finf.dumps(model)
    loaded = finf.load(data)
    assert isinstance(loaded, finf.LanguageModel) and loaded.vocab == VOCAB and loaded.block_size == 6
    assert loaded.layers == model.layers and finf.dumps(loaded) == data
    assert "".join(loaded.generate("it", 20, seed=2)) == "".join(model.generate("it", 20, seed=2))
    assert [layer.describe() for layer in loaded.layers] == [
        f"Embedding({len(VOCAB)}, 8)", "PositionEmbedding(6, 8)", "TransformerBlock(n_embd=8, n_head=2, mlp_width=32)",
        "TransformerBlock(n_embd=8, n_head=2, mlp_width=32)", "LayerNorm(8)", f"Linear(8, {len(VOCAB)})"]
    # Newline and non-ASCII characters are part of the vocabulary.
    odd = to_model({"kind": "bigram", "vocab": "\né☃"}, {"wte.weight": np.zeros((3, 3))})
    assert finf.load(finf.dumps(odd)).vocab == "\né☃"


def test_layers_must_make_a_language_model(gpt):
    _, _, model = gpt
    embedding, position, block, norm, head = model.layers[0], model.layers[1], model.layers[2], *model.layers[-2:]
    with pytest.raises(ValueError, match="starts with an Embedding"):
        finf.LanguageModel(VOCAB, 6, [position, block, norm, head])
    with pytest.raises(ValueError, match="comes right after"):
        finf.LanguageModel(VOCAB, 6, [embedding, block, position, norm, head])
    with pytest.raises(ValueError, match="comes right after"):
        finf.LanguageModel(VOCAB, 5, [embedding, position, block, norm, head])
    with pytest.raises(ValueError, match="last layer gives 8 outputs"):
        finf.LanguageModel(VOCAB, 6, [embedding, position, block])
    with pytest.raises(ValueError, match="not a layer of a language model"):
        finf.LanguageModel(VOCAB, 6, [embedding, finf.ReLU(), head])


def test_to_model_names_a_missing_or_misshapen_array(gpt):
    config, state, _ = gpt
    with pytest.raises(ValueError, match="no 'h.1.ln_2.bias'"):
        to_model(config, {k: v for k, v in state.items() if k != "h.1.ln_2.bias"})
    with pytest.raises(ValueError, match=r"'wpe.weight': expected shape \(6, 8\)"):
        to_model(config, state | {"wpe.weight": np.zeros((5, 8))})
    with pytest.raises(ValueError, match="'kind'"):
        to_model(config | {"kind": "rnn"}, state)
