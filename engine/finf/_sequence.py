"""Layers of a language model that see a sequence: PositionEmbedding, LayerNorm and TransformerBlock.

Each is called on a list of vectors, one per position (a LayerNorm also on one vector), and is the
reference forward pass; _lm.Stepper computes the same one position at a time with a KV cache.
Shapes follow nanoGPT and PyTorch: a weight is (out, in), y = W x + b.
"""

import math

from . import _io, _ops

EPS = 1e-5  # LayerNorm's epsilon, PyTorch's default
MAX_POSITIONS = 4096
GELU_C = math.sqrt(2.0 / math.pi)


def _rows(flat, n_in):
    return tuple(tuple(flat[j : j + n_in]) for j in range(0, len(flat), n_in))


def _floats(values):
    return tuple(float(v) for v in values)


def _matrix(weight, n_out, n_in, name):
    rows = tuple(_floats(row) for row in weight)
    if len(rows) != n_out or any(len(row) != n_in for row in rows):
        raise ValueError(f"{name} must have shape ({n_out}, {n_in})")
    return rows


def _vector(values, n, name):
    values = _floats(values)
    if len(values) != n:
        raise ValueError(f"{name} must have {n} values, not {len(values)}")
    return values


def _read_dim(cursor, i, field, width, source):
    """A u32 that must equal the width of the layer before (named by source)."""
    at = cursor.offset
    dim = cursor.u32(f"layer {i} {field}")
    if dim != width:
        cursor.fail(f"layer {i} {field}", f"{width} ({source})", dim, at)
    return dim


def _check_room(cursor, i, count, what):
    """Checked before any list is built: count f32s must fit in the bytes left."""
    if count * _io.F32_BYTES > cursor.left():
        cursor.fail(f"layer {i} parameters", f"{count * _io.F32_BYTES} bytes for {what}", cursor.bytes_left())


def layer_norm(x, weight, bias):
    """(x - mean) / sqrt(var + EPS) * weight + bias over one vector (biased variance, as PyTorch)."""
    n = len(x)
    mean = _ops.add_up(x) / n
    centred = [v - mean for v in x]
    scale = 1.0 / math.sqrt(_ops.add_up([c * c for c in centred]) / n + EPS)
    return [c * scale * w + b for c, w, b in zip(centred, weight, bias, strict=True)]


def gelu(v):
    """GELU, tanh approximation (torch.nn.GELU(approximate="tanh"))."""
    return 0.5 * v * (1.0 + math.tanh(GELU_C * (v + 0.044715 * v * v * v)))


class PositionEmbedding:
    """x[t] + weight[t]: one learned vector per position 0..num_positions-1 (nanoGPT's wpe).

    In a file: tag 4, u32 num_positions (the model's block size), u32 embedding_dim, f32 weight[P][D].
    """

    tag = 4
    takes = gives = "sequence"
    language_only = True  # refused in a model of features (finf._registry)
    sequence = True

    def __init__(self, num_positions, embedding_dim, weight):
        self.num_positions, self.embedding_dim = num_positions, embedding_dim
        self.weight = _matrix(weight, num_positions, embedding_dim, "weight")

    @classmethod
    def read(cls, cursor, i, width, source):
        at = cursor.offset
        positions = cursor.u32(f"layer {i} num_positions")
        if not 1 <= positions <= MAX_POSITIONS:
            cursor.fail(f"layer {i} num_positions", f"1 to {MAX_POSITIONS}", positions, at)
        dim = _read_dim(cursor, i, "embedding_dim", width, source)
        _check_room(cursor, i, positions * dim, f"{positions}x{dim}")
        return cls(positions, dim, _rows(cursor.f32s(positions * dim, f"layer {i} weight"), dim))

    def write(self):
        flat = [w for row in self.weight for w in row]
        return _io.pack_u32(self.num_positions) + _io.pack_u32(self.embedding_dim) + _io.pack_f32s(flat, "weight")

    def out_width(self, width):
        return width

    def parameters(self):
        return [[w for row in self.weight for w in row]]

    def describe(self):
        return f"PositionEmbedding({self.num_positions}, {self.embedding_dim})"

    def __call__(self, xs):
        if len(xs) > self.num_positions:
            raise ValueError(f"{len(xs)} positions, but the model has {self.num_positions}")
        return [_ops.add(x, p) for x, p in zip(xs, self.weight, strict=False)]

    def __eq__(self, other):
        return type(other) is type(self) and self.weight == other.weight

    __hash__ = None

    def __repr__(self):
        return f"PositionEmbedding(num_positions={self.num_positions}, embedding_dim={self.embedding_dim})"


class LayerNorm:
    """PyTorch's nn.LayerNorm(normalized_shape) over the last dimension, eps 1e-5, with weight and bias.

    In a file: tag 5, u32 normalized_shape, f32 weight[D], f32 bias[D].
    """

    tag = 5
    takes = gives = "sequence"
    language_only = True  # refused in a model of features (finf._registry)

    def __init__(self, normalized_shape, weight, bias):
        self.normalized_shape = normalized_shape
        self.weight = _vector(weight, normalized_shape, "weight")
        self.bias = _vector(bias, normalized_shape, "bias")

    @classmethod
    def read(cls, cursor, i, width, source):
        dim = _read_dim(cursor, i, "normalized_shape", width, source)
        _check_room(cursor, i, 2 * dim, f"weight and bias of {dim}")
        return cls(dim, cursor.f32s(dim, f"layer {i} weight"), cursor.f32s(dim, f"layer {i} bias"))

    def write(self):
        return _io.pack_u32(self.normalized_shape) + _io.pack_f32s(self.weight + self.bias, "weight and bias")

    def out_width(self, width):
        return width

    def parameters(self):
        return [list(self.weight), list(self.bias)]

    def describe(self):
        return f"LayerNorm({self.normalized_shape})"

    def __call__(self, x):
        """One vector, or a list of vectors (one per position)."""
        if x and isinstance(x[0], (list, tuple)):
            return [layer_norm(v, self.weight, self.bias) for v in x]
        return layer_norm(x, self.weight, self.bias)

    def __eq__(self, other):
        return type(other) is type(self) and (self.weight, self.bias) == (other.weight, other.bias)

    __hash__ = None

    def __repr__(self):
        return f"LayerNorm({self.normalized_shape})"


# TransformerBlock's parameters in file order: (name, shape as a function of D and the MLP's width M).
PARAMETERS = (
    ("ln_1.weight", lambda d, m: (d,)), ("ln_1.bias", lambda d, m: (d,)),
    ("attn.c_attn.weight", lambda d, m: (3 * d, d)), ("attn.c_attn.bias", lambda d, m: (3 * d,)),
    ("attn.c_proj.weight", lambda d, m: (d, d)), ("attn.c_proj.bias", lambda d, m: (d,)),
    ("ln_2.weight", lambda d, m: (d,)), ("ln_2.bias", lambda d, m: (d,)),
    ("mlp.c_fc.weight", lambda d, m: (m, d)), ("mlp.c_fc.bias", lambda d, m: (m,)),
    ("mlp.c_proj.weight", lambda d, m: (d, m)), ("mlp.c_proj.bias", lambda d, m: (d,)),
)


class TransformerBlock:
    """nanoGPT's pre-LayerNorm block: x + attn(ln_1(x)), then x + mlp(ln_2(x)).

    attn: causal multi-head self-attention; q, k, v are the thirds of c_attn(x), head h uses columns
    h*hs:(h+1)*hs of each (hs = D / n_head), softmax(q k / sqrt(hs)) over positions <= t, heads
    concatenated, then c_proj. mlp: c_proj(gelu(c_fc(x))), GELU's tanh approximation.
    In a file: tag 6, u32 n_embd (D), u32 n_head (divides D), u32 mlp_width (M), then f32 arrays in the
    order of PARAMETERS, each row-major.
    """

    tag = 6
    takes = gives = "sequence"
    language_only = True  # refused in a model of features (finf._registry)
    sequence = True
    PARAMETERS = PARAMETERS

    def __init__(self, n_embd, n_head, mlp_width, params):
        """params maps each name in PARAMETERS to its values (a matrix as rows)."""
        if n_head < 1 or n_embd % n_head:
            raise ValueError(f"n_head ({n_head}) must divide n_embd ({n_embd})")
        self.n_embd, self.n_head, self.mlp_width = n_embd, n_head, mlp_width
        self.params = {}
        for name, shape in PARAMETERS:
            dims = shape(n_embd, mlp_width)
            value = params[name]
            self.params[name] = _matrix(value, *dims, name) if len(dims) == 2 else _vector(value, dims[0], name)

    @classmethod
    def read(cls, cursor, i, width, source):
        dim = _read_dim(cursor, i, "n_embd", width, source)
        at = cursor.offset
        heads = cursor.u32(f"layer {i} n_head")
        if heads == 0 or dim % heads:
            cursor.fail(f"layer {i} n_head", f"a divisor of n_embd {dim}", heads, at)
        at = cursor.offset
        mlp = cursor.u32(f"layer {i} mlp_width")
        if mlp == 0:
            cursor.fail(f"layer {i} mlp_width", "at least 1", 0, at)
        shapes = [(name, shape(dim, mlp)) for name, shape in PARAMETERS]
        _check_room(cursor, i, sum(math.prod(s) for _, s in shapes), f"a block of n_embd {dim}, mlp_width {mlp}")
        params = {}
        for name, s in shapes:
            flat = cursor.f32s(math.prod(s), f"layer {i} {name}")
            params[name] = _rows(flat, s[1]) if len(s) == 2 else flat
        return cls(dim, heads, mlp, params)

    def write(self):
        parts = [_io.pack_u32(self.n_embd), _io.pack_u32(self.n_head), _io.pack_u32(self.mlp_width)]
        for name, value in self.parameters_by_name():
            parts.append(_io.pack_f32s(value, name))
        return b"".join(parts)

    def parameters_by_name(self):
        """(name, flat values) in file order."""
        for name, _ in PARAMETERS:
            value = self.params[name]
            yield name, [w for row in value for w in row] if value and isinstance(value[0], tuple) else list(value)

    def out_width(self, width):
        return width

    def parameters(self):
        return [value for _, value in self.parameters_by_name()]

    def describe(self):
        return f"TransformerBlock(n_embd={self.n_embd}, n_head={self.n_head}, mlp_width={self.mlp_width})"

    def __call__(self, xs):
        p = self.params
        h = [layer_norm(x, p["ln_1.weight"], p["ln_1.bias"]) for x in xs]
        qkv = [_ops.add(_ops.matvec(p["attn.c_attn.weight"], v), p["attn.c_attn.bias"]) for v in h]
        d, hs = self.n_embd, self.n_embd // self.n_head
        scale = 1.0 / math.sqrt(hs)
        attended = []
        for t in range(len(xs)):
            out = []
            for head in range(self.n_head):
                lo = head * hs
                q = qkv[t][lo : lo + hs]
                scores = [_ops.add_up([a * b for a, b in zip(q, qkv[s][d + lo : d + lo + hs], strict=True)]) * scale
                          for s in range(t + 1)]
                weights = _ops.softmax(scores)
                values = [qkv[s][2 * d + lo : 2 * d + lo + hs] for s in range(t + 1)]
                out += [_ops.add_up([w * v[c] for w, v in zip(weights, values, strict=True)]) for c in range(hs)]
            attended.append(out)
        xs = [_ops.add(x, _ops.add(_ops.matvec(p["attn.c_proj.weight"], a), p["attn.c_proj.bias"]))
              for x, a in zip(xs, attended, strict=True)]
        out = []
        for x in xs:
            hidden = _ops.add(_ops.matvec(p["mlp.c_fc.weight"], layer_norm(x, p["ln_2.weight"], p["ln_2.bias"])),
                              p["mlp.c_fc.bias"])
            mlp = _ops.add(_ops.matvec(p["mlp.c_proj.weight"], [gelu(v) for v in hidden]), p["mlp.c_proj.bias"])
            out.append(_ops.add(x, mlp))
        return out

    def __eq__(self, other):
        return type(other) is type(self) and self.params == other.params

    __hash__ = None

    def __repr__(self):
        return f"TransformerBlock(n_embd={self.n_embd}, n_head={self.n_head}, mlp_width={self.mlp_width})"
