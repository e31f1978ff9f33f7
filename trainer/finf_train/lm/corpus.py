"""A character corpus: UTF-8 text read whole, its vocabulary (the distinct characters, sorted), ids and the split."""

import numpy as np

VAL_FRACTION = 0.1


def read_text(path):
    """The text of a UTF-8 file, with a ValueError naming the file and the byte offset when it is not UTF-8."""
    with open(path, "rb") as f:
        data = f.read()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise ValueError(f"{path}: not UTF-8 text: byte {error.start} is {data[error.start]:#04x}") from None
    if not text:
        raise ValueError(f"{path}: the file is empty")
    return text.removeprefix("\ufeff")  # a byte-order mark is not part of the text


def vocabulary(text):
    """The distinct characters of text in code-point order: character i has id i."""
    return "".join(sorted(set(text)))


def encode(text, vocab):
    """text as an int64 array of ids in vocab; a ValueError names any character not in it."""
    index = {c: i for i, c in enumerate(vocab)}
    missing = sorted(set(text) - index.keys())
    if missing:
        raise ValueError(f"characters not in the vocabulary: {', '.join(repr(c) for c in missing[:10])}")
    return np.fromiter((index[c] for c in text), dtype=np.int64, count=len(text))


def split(ids, val_fraction=VAL_FRACTION):
    """(train, validation): the first 1 - val_fraction of the ids and the rest, in order (no shuffling of text)."""
    n_val = int(round(len(ids) * val_fraction))
    return ids[: len(ids) - n_val], ids[len(ids) - n_val :]
