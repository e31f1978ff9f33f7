"""Layers: Linear, Embedding and MeanPool, and the Normalizer of v2 files.

A layer kind knows its tag, how its parameters are read from a file (read) and written
(write), its output width and its forward pass (__call__); _registry lists the kinds.
"""

from . import _io, _ops


class Normalizer:
    """z-score: (x - mean) / std per feature, with statistics from the training data."""

    def __init__(self, mean, std):
        if len(mean) != len(std):
            raise ValueError(f"mean has {len(mean)} values but std has {len(std)}")
        self.mean = tuple(float(m) for m in mean)
        self.std = tuple(float(s) for s in std)

    @property
    def n_features(self):
        return len(self.mean)

    def __call__(self, x):
        return [(v - m) / s for v, m, s in zip(x, self.mean, self.std, strict=True)]

    def __repr__(self):
        return f"Normalizer(mean={list(self.mean)}, std={list(self.std)})"


class Linear:
    """y = weight @ x + bias, with weight of shape (out_features, in_features) as in PyTorch.

    In a file: tag 0, u32 in_features, u32 out_features, f32 weight[out][in] row-major, f32 bias[out].
    """

    tag = 0
    takes = gives = "values"  # what it reads and what it gives: see _registry.SHAPES
    out_features_at = 5  # bytes from the tag to u32 out_features, for messages about the output width

    def __init__(self, in_features, out_features, weight, bias):
        self.in_features = in_features
        self.out_features = out_features
        self.weight = tuple(tuple(float(w) for w in row) for row in weight)
        self.bias = tuple(float(b) for b in bias)
        if len(self.weight) != out_features or any(len(row) != in_features for row in self.weight):
            raise ValueError(f"weight must have shape ({out_features}, {in_features})")
        if len(self.bias) != out_features:
            raise ValueError(f"bias must have {out_features} values, not {len(self.bias)}")

    @classmethod
    def read(cls, cursor, i, width, source):
        """The Linear whose parameters come next in cursor; its in_features must be width (named by source)."""
        start = cursor.offset
        n_in = cursor.u32(f"layer {i} in_features")
        n_out = cursor.u32(f"layer {i} out_features")
        if n_in != width:
            cursor.fail(f"layer {i} in_features", f"{width} ({source})", n_in, start)
        if n_out == 0:
            cursor.fail(f"layer {i} out_features", "at least 1", 0, start + 4)
        # Check the declared size against what is left before building any list (Python ints do not overflow).
        needed = (n_in * n_out + n_out) * _io.F32_BYTES
        if needed > cursor.left():
            cursor.fail(f"layer {i} parameters", f"{needed} bytes for {n_out}x{n_in}", cursor.bytes_left())
        flat = cursor.f32s(n_in * n_out, f"layer {i} weight")
        bias = cursor.f32s(n_out, f"layer {i} bias")
        return cls(n_in, n_out, (flat[j * n_in : (j + 1) * n_in] for j in range(n_out)), bias)

    def write(self):
        flat = [w for row in self.weight for w in row]
        return b"".join([_io.pack_u32(self.in_features), _io.pack_u32(self.out_features),
                         _io.pack_f32s(flat, "weight"), _io.pack_f32s(self.bias, "bias")])

    def out_width(self, width):
        return self.out_features

    def parameters(self):
        """[weight as a flat row-major list, bias]."""
        return [[w for row in self.weight for w in row], list(self.bias)]

    def describe(self):
        return f"Linear({self.in_features}, {self.out_features})"

    def __call__(self, x):
        return _ops.add(_ops.matvec(self.weight, x), self.bias)

    def __eq__(self, other):
        return type(other) is type(self) and (self.weight, self.bias) == (other.weight, other.bias)

    __hash__ = None

    def __repr__(self):
        return f"Linear(in_features={self.in_features}, out_features={self.out_features})"


class Embedding:
    """One vector of embedding_dim per token id, as PyTorch's nn.Embedding: called on ids, it returns their rows.

    In a file: tag 2, u32 num_embeddings, u32 embedding_dim, f32 weight[num_embeddings][embedding_dim] row-major.
    Its input width is the number of ids (a vocabulary's size) and its output width embedding_dim.
    """

    tag = 2
    takes, gives = "tokens", "sequence"
    out_features_at = 5  # bytes from the tag to u32 embedding_dim

    def __init__(self, num_embeddings, embedding_dim, weight):
        self.num_embeddings = num_embeddings
        self.embedding_dim = embedding_dim
        self.weight = tuple(tuple(float(w) for w in row) for row in weight)
        if len(self.weight) != num_embeddings or any(len(row) != embedding_dim for row in self.weight):
            raise ValueError(f"weight must have shape ({num_embeddings}, {embedding_dim})")

    @classmethod
    def read(cls, cursor, i, width, source):
        """The Embedding whose parameters come next in cursor; num_embeddings must be width (named by source)."""
        start = cursor.offset
        n_ids = cursor.u32(f"layer {i} num_embeddings")
        dim = cursor.u32(f"layer {i} embedding_dim")
        if n_ids != width:
            cursor.fail(f"layer {i} num_embeddings", f"{width} ({source})", n_ids, start)
        if dim == 0:
            cursor.fail(f"layer {i} embedding_dim", "at least 1", 0, start + 4)
        needed = n_ids * dim * _io.F32_BYTES  # checked before any list is built
        if needed > cursor.left():
            cursor.fail(f"layer {i} weight", f"{needed} bytes for {n_ids}x{dim}", cursor.bytes_left())
        flat = cursor.f32s(n_ids * dim, f"layer {i} weight")
        return cls(n_ids, dim, (flat[j * dim : (j + 1) * dim] for j in range(n_ids)))

    def write(self):
        flat = [w for row in self.weight for w in row]
        return b"".join([_io.pack_u32(self.num_embeddings), _io.pack_u32(self.embedding_dim),
                         _io.pack_f32s(flat, "weight")])

    def out_width(self, width):
        return self.embedding_dim

    def parameters(self):
        """[weight as a flat row-major list]."""
        return [[w for row in self.weight for w in row]]

    def describe(self):
        return f"Embedding({self.num_embeddings}, {self.embedding_dim})"

    def __call__(self, ids):
        return [self.weight[i] for i in ids]

    def __eq__(self, other):
        return type(other) is type(self) and self.weight == other.weight

    __hash__ = None

    def __repr__(self):
        return f"Embedding(num_embeddings={self.num_embeddings}, embedding_dim={self.embedding_dim})"


class MeanPool:
    """The mean of a sequence of vectors, one vector out; the zero vector for an empty sequence (a text of no words).

    In a file: tag 3, u32 features, the width of each vector (the Embedding's embedding_dim before it).
    """

    tag = 3
    takes, gives = "sequence", "values"

    def __init__(self, features):
        self.features = features
        if not (isinstance(features, int) and features >= 1):
            raise ValueError(f"features must be a whole number >= 1, not {features!r}")

    @classmethod
    def read(cls, cursor, i, width, source):
        start = cursor.offset
        features = cursor.u32(f"layer {i} features")
        if features != width:
            cursor.fail(f"layer {i} features", f"{width} ({source})", features, start)
        return cls(features)

    def write(self):
        return _io.pack_u32(self.features)

    def out_width(self, width):
        return width

    def parameters(self):
        return []

    def describe(self):
        return "MeanPool"

    def __call__(self, rows):
        if not rows:
            return [0.0] * self.features
        n = len(rows)
        return [_ops.add_up(column) / n for column in zip(*rows, strict=True)]

    def __eq__(self, other):
        return type(other) is type(self) and other.features == self.features

    __hash__ = None

    def __repr__(self):
        return f"MeanPool(features={self.features})"
