"""The forward pass one token at a time: a KV cache per attention layer and the window that slides.

Stepper computes LanguageModel.forward's logits for one more token, keeping each attention layer's keys and
values. Dot products use math.sumprod where Python has it (3.12+, Pyodide) and a left-to-right loop where it
does not (3.11); the two differ by rounding only (tests/test_lm.py and test_lm_pyodide.py hold them to
1e-12).

The window: a model sees at most block_size tokens. When generation fills the window, the context keeps
its last kept_context(block_size) tokens (a quarter of the window), re-encoded from position 0 (their
cache is recomputed; the last block needs only their keys and values), and grows again. Sliding one token
at a time would re-encode the whole window for every token; this re-encodes a quarter of it once every
three quarters, about a fifth more work than a token alone (docs/BENCHMARKS.md, section 8).
"""

import math
from itertools import repeat
from math import tanh
from operator import add

from . import _ops
from ._layers import Linear
from ._sequence import GELU_C, LayerNorm, PositionEmbedding, layer_norm


def dot_loop(a, b):
    """Sum of products, left to right: the path for Pythons without math.sumprod."""
    total = 0.0
    for x, y in zip(a, b, strict=False):
        total += x * y
    return total


DOT = getattr(math, "sumprod", dot_loop)


def kept_context(block_size):
    """How many tokens the context keeps when generation fills the window."""
    return block_size // 4


class Stepper:
    """The model one token at a time: feed(id) returns the logits after it, from its KV cache."""

    def __init__(self, model, dot=None):
        self.model = model
        dot = dot or DOT
        layers = model.layers[1:]
        # body: up to the last layer that sees other positions; head: the per-token layers after it.
        split = max((i + 1 for i, layer in enumerate(layers) if getattr(layer, "sequence", False)), default=0)
        self.body = [_step_for(layer, dot) for layer in layers[:split]]
        self.head = [_step_for(layer, dot) for layer in layers[split:]]
        # Re-encoding the window needs only the last block's keys and values, not its output.
        last = self.body[-1:]
        self.refill = self.body[:-1] + [last[0].keys_values] if last and hasattr(last[0], "keys_values") else self.body
        self.embedding = model.layers[0].weight
        self.context = []
        self.x = None

    def reset(self):
        self.context = []
        for step in self.body:
            getattr(step, "cache", []).clear()

    def feed(self, token, logits=True):
        """Append token to the context (sliding the window when it is full); the logits after it if asked."""
        size = self.model.block_size
        if len(self.context) == size:
            kept = self.context[size - kept_context(size) :]
            self.prefill(kept + [token])
        else:
            self._body(token, self.body)
        return self.logits() if logits else None

    def prefill(self, ids):
        """A new context of ids (at most block_size); logits() then gives the logits after the last."""
        self.reset()
        for token in ids[:-1]:
            self._body(token, self.refill)
        self._body(ids[-1], self.body)

    def logits(self):
        """The logits after the last token fed."""
        x = self.x
        for step in self.head:
            x = step(x, None)
        return list(x)

    def _body(self, token, steps):
        t = len(self.context)
        self.context.append(token)
        x = self.embedding[token]
        for step in steps:
            x = step(x, t)
        self.x = x


def _step_for(layer, dot):
    """step(x, t): layer on the vector x of position t."""
    if isinstance(layer, PositionEmbedding):
        rows = layer.weight
        return lambda x, t: list(map(add, x, rows[t]))
    if isinstance(layer, LayerNorm):
        return lambda x, t: layer_norm(x, layer.weight, layer.bias)
    if isinstance(layer, Linear):
        return _dense(layer.weight, layer.bias, dot)
    return _block_step(layer, dot)


def _dense(weight, bias, dot):
    # map(add, ...) adds in C: the same sums as a comprehension, without a bytecode loop per output.
    return lambda x, t=None: list(map(add, map(dot, weight, repeat(x)), bias))


def _block_step(block, dot):
    """A TransformerBlock for one position, its keys and values kept per head in step.cache."""
    p = block.params
    ln_1, ln_2 = (p["ln_1.weight"], p["ln_1.bias"]), (p["ln_2.weight"], p["ln_2.bias"])
    c_attn = _dense(p["attn.c_attn.weight"], p["attn.c_attn.bias"], dot)
    d = block.n_embd
    c_attn_kv = _dense(p["attn.c_attn.weight"][d:], p["attn.c_attn.bias"][d:], dot)
    c_proj = _dense(p["attn.c_proj.weight"], p["attn.c_proj.bias"], dot)
    c_fc = _dense(p["mlp.c_fc.weight"], p["mlp.c_fc.bias"], dot)
    mlp_proj = _dense(p["mlp.c_proj.weight"], p["mlp.c_proj.bias"], dot)
    n_head = block.n_head
    hs = d // n_head
    scale = 1.0 / math.sqrt(hs)
    # Per head: its keys (one hs-list per position) and its values by column (hs lists, one value per position).
    keys = [[] for _ in range(n_head)]
    columns = [[[] for _ in range(hs)] for _ in range(n_head)]

    def remember(kv):
        """Append each head's key and value for this position (kv: the k and v thirds of c_attn's output)."""
        for h in range(n_head):
            lo = h * hs
            keys[h].append(kv[lo : lo + hs])
            for _ in map(list.append, columns[h], kv[d + lo : d + lo + hs]):  # each value onto its column, in C
                pass

    def keys_values(x, t):
        """This position's keys and values alone: enough for a later position to attend to it."""
        remember(c_attn_kv(layer_norm(x, *ln_1)))

    def step(x, t):
        qkv = c_attn(layer_norm(x, *ln_1))
        remember(qkv[d:])
        attended = []
        for h in range(n_head):
            lo = h * hs
            q = [v * scale for v in qkv[lo : lo + hs]]  # scaled once rather than each score
            weights = _ops.softmax(list(map(dot, keys[h], repeat(q))))
            attended += map(dot, columns[h], repeat(weights))
        x = list(map(add, x, c_proj(attended)))
        # _sequence.gelu written out, the same arithmetic without a function call per hidden unit.
        hidden = [0.5 * v * (1.0 + tanh(GELU_C * (v + 0.044715 * v * v * v))) for v in c_fc(layer_norm(x, *ln_2))]
        return list(map(add, x, mlp_proj(hidden)))

    step.cache = _Cache(keys, columns)
    step.keys_values = keys_values
    return step


class _Cache:
    """A block's keys and value columns; clear() empties them for a new context."""

    def __init__(self, keys, columns):
        self.keys, self.columns = keys, columns

    def clear(self):
        for head_keys in self.keys:
            head_keys.clear()
        for head in self.columns:
            for column in head:
                column.clear()
