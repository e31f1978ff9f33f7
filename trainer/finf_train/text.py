"""Training on text: one text column of a CSV, its vocabulary, and Embedding -> MeanPool -> MLP trained on it.

The vocabulary is the most frequent tokens of the training rows (finf's "words" tokenizer), at most
vocab_size entries with UNK's (id 0, written "<unk>") among them; a token seen fewer than min_count times
is UNK. Ties in frequency go in text order, so the same data always gives the same vocabulary and, with
the same seed, the same bytes. Other columns of the CSV are not used.
"""

import time
from collections import Counter
from typing import NamedTuple

import numpy as np

import finf

from . import card as model_card
from . import metrics, nn
from .data import label_order
from .defaults import TEXT_DEFAULTS
from .optim import DEFAULT_LR, make_optimizer
from .rows import CSVError, check_fields, check_header, is_missing, read_records
from .values import show

TOKENIZER = ("words", 1)
UNK = "<unk>"
class TextData(NamedTuple):
    texts: list  # the text of each row
    y: np.ndarray  # (n,) class indices into classes
    feature_names: list  # [the text column's name]
    classes: list
    target: str
    lines: np.ndarray  # (n,) the line each row starts on
    source: str
    task: str = "classification"
    dropped: dict = {}


def read_text_csv(path, target, text):
    """The text column and the class labels of a CSV (rows with a missing label are left out)."""
    records = read_records(path)
    header_line, header = next(records, (None, None))
    if header is None:
        raise CSVError(f"{path}: empty file: expected a header row and data rows")
    names = check_header(path, header_line, header, target)
    for option, column in (("", target), ("--text: ", text)):
        if column not in names:
            listed = ", ".join(repr(name) for name in names[:20])
            raise CSVError(f"{path}:{header_line}: {option}no column named {column!r}; the header has {listed}")
    if text == target:
        raise CSVError(f"{path}:{header_line}: --text: {text!r} is the target column")
    t, j = names.index(target), names.index(text)
    texts, labels, lines, no_target = [], [], [], 0
    for line, fields in records:
        check_fields(path, line, fields, names)
        if is_missing(fields[t]):
            no_target += 1
            continue
        texts.append(fields[j])
        labels.append(fields[t].strip())
        lines.append(line)
    classes = label_order(labels)
    if len(classes) < 2:
        raise CSVError(f"{path}: column {target!r}: {len(classes)} class{'es' if not classes else ''}"
                       f"{' ' + show(classes[0]) if classes else ''}; training needs at least 2")
    index = {label: k for k, label in enumerate(classes)}
    return TextData(texts, np.array([index[label] for label in labels], dtype=np.int64), [text], classes, target,
                    np.array(lines, dtype=np.int64), str(path), dropped={"missing_target": no_target})


def build_vocabulary(token_lists, vocab_size, min_count):
    """The vocabulary of the training rows' tokens: UNK, then up to vocab_size - 1 tokens by frequency."""
    if vocab_size < 2:
        raise ValueError(f"vocab_size must be at least 2 (UNK and one word), not {vocab_size}")
    counts = Counter(token for tokens in token_lists for token in tokens)
    # Counter keeps first-seen order, and sorted() is stable: equal counts stay in the order the text has them.
    frequent = [token for token, n in sorted(counts.items(), key=lambda item: -item[1]) if n >= min_count]
    if not frequent:
        raise ValueError(f"no word appears at least {min_count} times (--min-count) in the training rows")
    return finf.Vocabulary([UNK, *frequent[: vocab_size - 1]], unk=0, tokenizer=TOKENIZER[0], version=TOKENIZER[1])


def encode(vocabulary, texts):
    """(ids (n, T) int64, lengths (n,)): each text's token ids, padded with 0 to the longest."""
    id_lists = [vocabulary.ids(text) for text in texts]
    lengths = np.array([len(ids) for ids in id_lists], dtype=np.int64)
    padded = np.zeros((len(texts), max(1, int(lengths.max(initial=0)))), dtype=np.int64)
    for row, ids in enumerate(id_lists):
        padded[row, : len(ids)] = ids
    return padded, lengths


def fit(ids, lengths, y, n_classes, vocabulary_size, *, embedding_dim, hidden, activation, optimizer, lr, epochs,
        batch_size, seed):
    """A TextClassifier trained on padded ids with softmax cross-entropy, in shuffled mini-batches."""
    rng = np.random.default_rng(seed)
    network = nn.TextClassifier(vocabulary_size, embedding_dim, hidden, n_classes, activation, rng)
    opt = make_optimizer(optimizer, [network.flat], lr)
    target = nn.one_hot(y, n_classes)
    for _ in range(epochs):
        order = rng.permutation(len(y))
        for start in range(0, len(y), batch_size):
            rows = order[start : start + batch_size]
            width = max(1, int(lengths[rows].max()))
            batch = (ids[rows, :width], lengths[rows])
            network.backward(nn.cross_entropy_grad(network.forward(batch), target[rows]))
            opt.step([network.flat_grad])
    return network


def engine_layers(network):
    """The engine layers computing what a TextClassifier does, ending in finf.Softmax."""
    from .export import engine_layers as mlp_layers
    from .network import Network

    embedding = network.embedding
    return [finf.Embedding(embedding.num_embeddings, embedding.embedding_dim, embedding.weight.tolist()),
            finf.MeanPool(embedding.embedding_dim), *mlp_layers(Network(network.mlp, "classification"))]


def f1_scores(y, predicted, n_classes):
    """{class index: F1} on these rows (None for a class neither present nor predicted)."""
    scores = {}
    for c in range(n_classes):
        true_positive = int(np.sum((y == c) & (predicted == c)))
        both = int(np.sum(y == c) + np.sum(predicted == c))
        scores[c] = 2 * true_positive / both if both else None
    return scores


def train_text(path, target, text, *, embedding_dim=TEXT_DEFAULTS["embedding_dim"],
               vocab_size=TEXT_DEFAULTS["vocab_size"], min_count=TEXT_DEFAULTS["min_count"],
               hidden=TEXT_DEFAULTS["hidden"], activation="relu", optimizer="adam", lr=TEXT_DEFAULTS["lr"],
               epochs=TEXT_DEFAULTS["epochs"], batch_size=TEXT_DEFAULTS["batch_size"], val_fraction=0.2, seed=0):
    """Train a text classifier on a CSV; the model bytes, card and metrics as a training.TrainResult."""
    from .training import TrainResult, stratified_split

    data = read_text_csv(path, target, text)
    try:
        train_index, val_index = stratified_split(data.y, val_fraction, seed)
    except ValueError as error:
        raise CSVError(f"{data.source}: {error} (or use val_fraction 0)") from None
    tokenize = finf.format.TOKENIZERS[TOKENIZER]
    vocabulary = build_vocabulary([tokenize(data.texts[i]) for i in train_index], vocab_size, min_count)
    ids, lengths = encode(vocabulary, data.texts)
    start = time.perf_counter()
    network = fit(ids[train_index], lengths[train_index], data.y[train_index], len(data.classes), len(vocabulary),
                  embedding_dim=embedding_dim, hidden=tuple(hidden), activation=activation, optimizer=optimizer,
                  lr=lr, epochs=epochs, batch_size=batch_size, seed=seed)
    seconds = time.perf_counter() - start
    if not np.isfinite(network.flat.astype(np.float32)).all():
        raise ValueError("training diverged (weights are not finite in float32); try a smaller learning rate")
    model = finf.Model([finf.TextFeature(text, vocabulary)], engine_layers(network),
                       finf.Classification(target, data.classes))
    model_bytes = finf.dumps(model)
    model = finf.load(model_bytes)
    predicted = np.array([model.predict(t) for t in data.texts], dtype=np.int64)  # the file's float32 weights
    scores = metrics.classification_metrics(data.y, predicted, train_index, val_index, len(data.classes))
    shown = val_index if len(val_index) else np.arange(len(data.y))
    f1 = f1_scores(data.y[shown], predicted[shown], len(data.classes))
    scores["f1"] = {data.classes[c]: value for c, value in f1.items()}
    scores["train_seconds"] = round(seconds, 4)
    settings = {"task": "classification", "text": text, "embedding_dim": embedding_dim, "vocab_size": vocab_size,
                "min_count": min_count, "optimizer": optimizer, "lr": DEFAULT_LR.get(optimizer) if lr is None else lr,
                "epochs": epochs, "batch_size": batch_size, "hidden": list(hidden), "activation": activation,
                "seed": seed, "val_fraction": val_fraction, "train_rows": len(train_index),
                "val_rows": len(val_index)}
    card = model_card.make_card(data, model, model_bytes, settings, scores)
    return TrainResult(model_bytes, card, scores, model, train_index, val_index, data)

