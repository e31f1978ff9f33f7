"""Layer kinds on their own: each one's bytes round-trip, and bad bytes are refused before anything is allocated."""

import re
import struct

import pytest

from finf import FormatError
from finf._io import Cursor
from finf._layers import Embedding


def embedding_bytes(n_ids, dim, values):
    return struct.pack("<II", n_ids, dim) + struct.pack(f"<{len(values)}f", *values)


def test_embedding_round_trips_and_looks_up_rows():
    layer = Embedding(3, 2, [[0.5, -1.0], [2.0, 0.25], [0.0, 4.0]])
    read = Embedding.read(Cursor(layer.write()), 0, 3, "the vocabulary")
    assert read == layer
    assert read([2, 0, 2]) == [(0.0, 4.0), (0.5, -1.0), (0.0, 4.0)]
    assert (read.out_width(3), read.describe()) == (2, "Embedding(3, 2)")
    assert read.parameters() == [[0.5, -1.0, 2.0, 0.25, 0.0, 4.0]]


@pytest.mark.parametrize(("data", "message"), ids=["count", "zero-dim", "huge-dim", "nan"], argvalues=[
    (embedding_bytes(4, 2, [0.0] * 8), "byte 0: layer 0 num_embeddings: expected 3 (the vocabulary), found 4"),
    (embedding_bytes(3, 0, []), "byte 4: layer 0 embedding_dim: expected at least 1, found 0"),
    (embedding_bytes(3, 2**31, []), "layer 0 weight: expected 25769803776 bytes for 3x2147483648, found 0 bytes"),
    (embedding_bytes(3, 1, [0.0, float("nan"), 0.0]), "byte 12: layer 0 weight[1]: expected a finite number"),
])
def test_embedding_refuses_bad_bytes(data, message):
    with pytest.raises(FormatError, match=re.escape(message)):
        Embedding.read(Cursor(data), 0, 3, "the vocabulary")


def test_embedding_checks_its_shape():
    with pytest.raises(ValueError, match=r"weight must have shape \(2, 2\)"):
        Embedding(2, 2, [[1.0, 2.0]])
