"""LanguageModel: a character vocabulary, a block size and layers that turn token ids into next-token logits.

forward() is the reference: each layer on the whole sequence. Stepper computes the same logits one token
at a time, keeping each attention layer's keys and values (a KV cache), which is how generate() and loss()
run. Dot products use math.sumprod where Python has it (3.12+, Pyodide) and a left-to-right loop where it
does not (3.11); the two differ by rounding only (tests/test_lm.py and test_lm_pyodide.py hold them to
1e-12).

The window: a model sees at most block_size tokens. When generation fills the window, the context keeps
its last kept_context(block_size) tokens (a quarter of the window), re-encoded from position 0 (their
cache is recomputed; the last block needs only their keys and values), and grows again. Sliding one token
at a time would re-encode the whole window for every token; this re-encodes a quarter of it once every
three quarters, about a fifth more work than a token alone (docs/BENCHMARKS.md, section 8).

Sampling: logits / temperature, the top_k largest kept (ties at the k-th kept, as nanoGPT), softmax, then
the first id whose running sum of probabilities (in id order) exceeds u, a float from the engine's
SplitMix64 (_random.py) seeded with seed. One u per token; temperature 0 takes the largest logit and
draws nothing. A seed gives the same text in CPython 3.11 and Pyodide unless a sum lands within rounding
(about 1e-16) of u.
"""

import math
from itertools import repeat

from . import _ops
from ._layers import Embedding, Linear
from ._random import SplitMix64
from ._sequence import MAX_POSITIONS, LayerNorm, PositionEmbedding, TransformerBlock, gelu, layer_norm


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
_SHOWN = 10  # unknown characters named in an error message


class LanguageModel:
    """A character-level language model: a bigram (one Embedding(V, V)) or a GPT."""

    task = "generation"

    def __init__(self, vocab, block_size, layers, version=3):
        self.vocab = str(vocab)
        self.block_size = int(block_size)
        self.layers = list(layers)
        self.version = version
        self._ids = {c: k for k, c in enumerate(self.vocab)}
        if not self.vocab or len(self._ids) != len(self.vocab):
            raise ValueError("the vocabulary must be at least one character, each used once")
        if not 1 <= self.block_size <= MAX_POSITIONS:
            raise ValueError(f"block_size must be 1 to {MAX_POSITIONS}, not {block_size}")
        _check_layers(self.layers, len(self.vocab), self.block_size)

    @property
    def kind(self):
        """'gpt' if the model has attention, else 'bigram' (each character predicts the next alone)."""
        return "gpt" if any(isinstance(layer, TransformerBlock) for layer in self.layers) else "bigram"

    def parameters(self):
        """All weights and biases, layer by layer, as flat lists."""
        return [p for layer in self.layers for p in layer.parameters()]

    def encode(self, text):
        """The token ids of text; ValueError naming the characters the vocabulary lacks."""
        ids = [self._ids.get(c) for c in text]
        if None in ids:
            unknown = sorted({c for c in text if c not in self._ids})
            shown = ", ".join(repr(c) for c in unknown[:_SHOWN])
            more = f" and {len(unknown) - _SHOWN} more" if len(unknown) > _SHOWN else ""
            raise ValueError(f"characters not in the model's vocabulary of {len(self.vocab)}: {shown}{more}")
        return ids

    def forward(self, ids):
        """The reference forward pass: the logits after each of ids (at most block_size of them)."""
        if not 1 <= len(ids) <= self.block_size:
            raise ValueError(f"forward takes 1 to {self.block_size} token ids, not {len(ids)}")
        xs = self.layers[0](ids)
        for layer in self.layers[1:]:
            xs = layer(xs) if getattr(layer, "sequence", False) else [layer(x) for x in xs]
        return [list(x) for x in xs]

    def generate(self, prompt, length, temperature=1.0, top_k=None, seed=None):
        """A generator of length characters that follow prompt, sampled with the engine's SplitMix64."""
        ids = self.encode(prompt)
        if not ids:
            raise ValueError("the prompt needs at least one character")
        if isinstance(length, bool) or not isinstance(length, int) or length < 0:
            raise ValueError(f"length must be a whole number >= 0, not {length!r}")
        temperature = float(temperature)
        if not (math.isfinite(temperature) and temperature >= 0):
            raise ValueError(f"temperature must be a finite number >= 0, not {temperature!r}")
        if top_k is not None and (isinstance(top_k, bool) or not isinstance(top_k, int) or top_k < 1):
            raise ValueError(f"top_k must be a whole number >= 1 or None, not {top_k!r}")
        return self._generate(ids, length, temperature, top_k, SplitMix64(seed))

    def _generate(self, ids, length, temperature, top_k, rng):
        stepper = Stepper(self)
        stepper.prefill(ids[-self.block_size:])
        logits = stepper.logits()
        for n in range(length):
            token = sample(logits, temperature, top_k, rng)
            yield self.vocab[token]
            if n + 1 < length:
                logits = stepper.feed(token)

    def loss(self, text):
        """Mean cross-entropy of each character after the first, in nats per character.

        The text is read in windows of block_size + 1 characters that overlap by one, each from position 0.
        """
        ids = self.encode(text)
        if len(ids) < 2:
            raise ValueError("loss needs a text of at least two characters")
        stepper, total = Stepper(self), 0.0
        for start in range(0, len(ids) - 1, self.block_size):
            stepper.reset()
            for token, target in zip(ids[start : start + self.block_size], ids[start + 1 :], strict=False):
                logits = stepper.feed(token)
                top = max(logits)
                total += top + math.log(_ops.add_up([math.exp(v - top) for v in logits])) - logits[target]
        return total / (len(ids) - 1)

    def __repr__(self):
        inner = ", ".join(repr(layer) for layer in self.layers)
        return f"LanguageModel(vocab={self.vocab!r}, block_size={self.block_size}, layers=[{inner}])"


def _check_layers(layers, vocab_size, block_size):
    """ValueError unless layers follow the order format.py gives a language model's LAYR section."""
    if not layers or type(layers[0]) is not Embedding or layers[0].num_embeddings != vocab_size:
        raise ValueError(f"a language model starts with an Embedding of its {vocab_size} characters")
    width = layers[0].embedding_dim
    for i, layer in enumerate(layers[1:], 1):
        if type(layer) is PositionEmbedding and (i != 1 or layer.num_positions != block_size):
            raise ValueError(f"layer {i}: a PositionEmbedding of block_size ({block_size}) positions comes right "
                             "after the Embedding")
        if type(layer) not in _IN_WIDTH:
            raise ValueError(f"layer {i}: {layer!r} is not a layer of a language model")
        if getattr(layer, _IN_WIDTH[type(layer)]) != width:
            raise ValueError(f"layer {i}: {layer!r} does not follow a layer of width {width}")
        width = layer.out_width(width)
    if width != vocab_size:
        raise ValueError(f"the last layer gives {width} outputs, but the vocabulary has {vocab_size} characters")


# What may follow a language model's Embedding, and the attribute that holds its input width.
_IN_WIDTH = {PositionEmbedding: "embedding_dim", TransformerBlock: "n_embd", LayerNorm: "normalized_shape",
             Linear: "in_features"}


def sample(logits, temperature, top_k, rng):
    """A token id drawn from logits as the module's docstring says."""
    if temperature == 0:
        return _ops.argmax(logits)
    scaled = [v / temperature for v in logits]
    if top_k is not None and top_k < len(scaled):
        cutoff = sorted(scaled, reverse=True)[top_k - 1]
        scaled = [v if v >= cutoff else -math.inf for v in scaled]
    probs = _ops.softmax(scaled)
    u = rng.random()
    running, last = 0.0, 0
    for token, p in enumerate(probs):
        if p > 0.0:
            running += p
            last = token
            if u < running:
                return token
    return last  # u above a total that rounded to just under 1


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
        return lambda x, t: [a + b for a, b in zip(x, rows[t], strict=False)]
    if isinstance(layer, LayerNorm):
        return lambda x, t: layer_norm(x, layer.weight, layer.bias)
    if isinstance(layer, Linear):
        return _dense(layer.weight, layer.bias, dot)
    return _block_step(layer, dot)


def _dense(weight, bias, dot):
    return lambda x, t=None: [v + b for v, b in zip(map(dot, weight, repeat(x)), bias, strict=False)]


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
            for column, v in zip(columns[h], kv[d + lo : d + lo + hs], strict=False):
                column.append(v)

    def keys_values(x, t):
        """This position's keys and values alone: enough for a later position to attend to it."""
        remember(c_attn_kv(layer_norm(x, *ln_1)))

    def step(x, t):
        qkv = c_attn(layer_norm(x, *ln_1))
        remember(qkv[d:])
        attended = []
        for h in range(n_head):
            lo = h * hs
            q = qkv[lo : lo + hs]
            weights = _ops.softmax([s * scale for s in map(dot, keys[h], repeat(q))])
            attended += map(dot, columns[h], repeat(weights))
        x = [a + b for a, b in zip(x, c_proj(attended), strict=False)]
        hidden = [gelu(v) for v in c_fc(layer_norm(x, *ln_2))]
        return [a + b for a, b in zip(x, mlp_proj(hidden), strict=False)]

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
