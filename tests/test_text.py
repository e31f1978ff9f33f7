"""Text models in the engine: the "words" tokenizer, the vocabulary, MeanPool, predict and explain on a string."""

import math
import random

import pytest

import finf
import hostile_v3
from finf._io import Cursor
from finf._tokens import MAX_TOKENS, words

# (text, its "words" version 1 tokens): the cases the tokenizer's spec names, each one pinned.
TRICKY = [
    ("Win MONEY now!!", ["win", "money", "now"]),
    ("", []),
    ("   \t\n ", []),
    ("Don't stop—it’s 4:30pm, £100 or $5.50", ["don't", "stop", "it's", "4", "30pm", "100", "or", "5", "50"]),
    ("'quoted' rock'n'roll ''double''", ["quoted", "rock'n'roll", "double"]),
    ("Café CAFÉ cafe\u0301 naïve", ["café", "café", "café", "naïve"]),  # composed, upper, decomposed: one token
    ("İstanbul ÄÖÜ Straße ΣΟΦΙΑ Москва", ["i̇stanbul", "äöü", "straße", "σοφια", "москва"]),
    ("emoji 😀 here👍🏽ok ❤️ text", ["emoji", "here", "ok", "text"]),
    ("日本語のテキスト、です。", ["日本語のテキスト", "です"]),
    ("x×y÷z a\u00a0b c\u2003d", ["x", "y", "z", "a", "b", "c", "d"]),
    ("call 08002986906 txt WIN to 87121", ["call", "08002986906", "txt", "win", "to", "87121"]),
    ("ＦＵＬＬ Width ١٢٣", ["ＦＵＬＬ", "width", "١٢٣"]),  # above U+0530 case is kept
    ("a\x00b\x1bc\ud800d", ["a", "b", "c", "d"]),  # controls and a lone surrogate separate words
]


@pytest.mark.parametrize(("text", "tokens"), TRICKY, ids=range(len(TRICKY)))
def test_words_tokenizes_the_tricky_strings_as_specified(text, tokens):
    assert words(text) == tokens


def test_words_keeps_the_first_max_tokens_of_a_megabyte_text():
    text = "Free entry, win cash now! " * 40_000  # 1 MB
    assert len(text) >= 1_000_000
    assert words(text) == ["free", "entry", "win", "cash", "now"] * (MAX_TOKENS // 5) + ["free", "entry"]
    assert len(words("é " * 600_000)) == MAX_TOKENS  # the general path stops at the cap too


def test_every_token_is_its_own_only_token():
    for text, tokens in TRICKY:
        for token in tokens:
            assert words(token) == [token], (text, token)


def vocabulary():
    return finf.Vocabulary(hostile_v3.VOCABULARY)


def test_vocabulary_maps_unknown_words_to_unk_and_round_trips():
    vocab = vocabulary()
    assert vocab.ids("Win cash NOW, don’t") == [1, 0, 3, 4]
    assert finf.Vocabulary.read(Cursor(vocab.write()), "vocabulary") == vocab


@pytest.mark.parametrize(("tokens", "unk", "message"), [
    (["<unk>", "win", "win"], 0, "entry 2 'win': expected an entry not listed before"),
    (["<unk>", "Win"], 0, "entry 1 'Win': expected a token"),
    (["unk", "win"], 0, "entry 0 'unk': expected an UNK text that the tokenizer never gives"),
    (["<unk>"], 0, "2 to 262144 entries"),
    (["<unk>", "win"], 2, "the UNK id must be an entry's id"),
])
def test_vocabulary_refuses_what_the_reader_would(tokens, unk, message):
    with pytest.raises(ValueError, match=message):
        finf.Vocabulary(tokens, unk)


def text_model(hidden=False, seed=0):
    rng = random.Random(seed)

    def matrix(rows, cols):
        return [[rng.uniform(-1, 1) for _ in range(cols)] for _ in range(rows)]

    feature = finf.TextFeature("message", vocabulary())
    layers = [finf.Embedding(5, 3, matrix(5, 3)), finf.MeanPool(3)]
    if hidden:
        layers += [finf.Linear(3, 4, matrix(4, 3), [0.1] * 4), finf.ReLU()]
    layers += [finf.Linear(4 if hidden else 3, 2, matrix(2, 4 if hidden else 3), [0.25, -0.5]), finf.Softmax()]
    return finf.Model([feature], layers, finf.Classification("label", ["ham", "spam"]))


def reference(model, text):
    """The model by the book: ids, Embedding rows, their mean, then each later layer."""
    x = model.features[0].vocabulary.ids(text)
    for layer in model.layers:
        x = layer(x)
    return x


MESSAGES = ["Win money now", "win WIN win", "", "nothing known here", "Don't win, money now! " * 30, "😀"]


@pytest.mark.parametrize("hidden", [False, True])
def test_predict_proba_matches_the_reference_forward_pass(hidden):
    model = finf.load(finf.dumps(text_model(hidden)))
    assert model.text and model.version == 3
    for text in MESSAGES:
        got, want = model.predict_proba(text), reference(model, text)
        assert got == pytest.approx(want, rel=1e-12, abs=1e-15), text
        assert model.predict(text) == max(range(2), key=want.__getitem__)
        assert model.forward(model.encode(text)) == pytest.approx(want, rel=1e-12)


def test_an_empty_text_is_the_mean_of_nothing_the_zero_vector():
    model = text_model()
    assert finf.MeanPool(3)([]) == [0.0, 0.0, 0.0]
    linear = model.layers[2]
    assert model.predict_proba("") == pytest.approx(finf.Softmax()(list(linear.bias)))
    assert model.predict_proba("?!") == model.predict_proba("")


def test_rows_may_be_a_string_a_one_item_list_or_a_mapping():
    model = text_model()
    want = model.predict_proba("win money")
    assert model.predict_proba(["win money"]) == model.predict_proba({"message": "win money"}) == want
    assert model.predict_proba_batch(["win money", "now"])[0] == want


@pytest.mark.parametrize(("row", "message"), [
    (5, "expected a text \\(str\\) for feature 'message', got int"),
    ([1.5], "feature 'message': expected a text \\(str\\), got float"),
    ({"text": "hi"}, "unknown feature 'text'; the model's feature is 'message'"),
    ({}, "missing feature 'message'"),
    ("x" * (1024 * 1024 + 1), "expected at most 1048576 characters"),
])
def test_bad_rows_are_refused_in_words(row, message):
    with pytest.raises(ValueError, match=message):
        text_model().predict_proba(row)


def logits(model, text):
    """The last Linear's output, before the softmax."""
    x = model.features[0].vocabulary.ids(text)
    for layer in model.layers[:-1]:
        x = layer(x)
    return x


@pytest.mark.parametrize("text", MESSAGES)
def test_explain_adds_up_to_the_logits(text):
    model = finf.load(finf.dumps(text_model(seed=3)))
    explanation = model.explain(text)
    assert [token for token, _ in explanation] == words(text)
    bias = model.layers[2].bias
    summed = [b + math.fsum(c[k] for _, c in explanation) for k, b in enumerate(bias)]
    assert summed == pytest.approx(logits(model, text), rel=1e-12, abs=1e-14)


def test_explain_gives_an_unknown_word_unk_s_share():
    model = text_model()
    (_, known), (_, unknown) = model.explain("win zebra")
    embedding, linear = model.layers[0], model.layers[2]
    scores = [[math.fsum(w * e for w, e in zip(row, embedding.weight[t], strict=True))
                                 for row in linear.weight] for t in (1, 0)]  # W @ E[win], W @ E[UNK]
    assert known == pytest.approx([s / 2 for s in scores[0]]) and unknown == pytest.approx([s / 2 for s in scores[1]])


def test_explain_needs_a_model_without_hidden_layers():
    with pytest.raises(ValueError, match="without hidden layers"):
        text_model(hidden=True).explain("win")
    with pytest.raises(TypeError, match="does not take text"):
        finf.load(hostile_v3.VALID_CLASSIFIER).explain("win")


def test_the_writer_writes_the_hand_built_text_file():
    built = finf.load(hostile_v3.VALID_TEXT)
    model = finf.Model([finf.TextFeature("message", vocabulary())], built.layers,
                       finf.Classification("label", ["ham", "spam"]))
    assert finf.dumps(model) == hostile_v3.VALID_TEXT
    assert built.features[0] == model.features[0]
    assert [layer.describe() for layer in built.layers] == ["Embedding(5, 3)", "MeanPool", "Linear(3, 2)", "Softmax"]


@pytest.mark.parametrize(("layers", "message"), [
    (lambda m: [m.layers[0], *m.layers[2:]], "takes a vector of values, not a sequence of vectors"),
    (lambda m: [m.layers[1], *m.layers[2:]], "takes a sequence of vectors, not token ids"),
    (lambda m: m.layers[:1], "last layer gives a vector of values, not a sequence of vectors"),
])
def test_a_model_in_memory_chains_layers_by_shape(layers, message):
    model = text_model()
    with pytest.raises(ValueError, match=message):
        finf.Model(model.features, layers(model), model.target)


def test_a_text_feature_stands_alone():
    model = text_model()
    with pytest.raises(ValueError, match="only feature"):
        finf.Model([*model.features, finf.NumericFeature("x")], model.layers, model.target)


def test_the_golden_text_file_is_the_hand_built_one():
    from pathlib import Path

    assert (Path(__file__).parent / "golden" / "spam-small.bin").read_bytes() == hostile_v3.VALID_TEXT
