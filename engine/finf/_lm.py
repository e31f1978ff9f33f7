"""LanguageModel: a character vocabulary, a block size and layers that turn token ids into next-token logits.

forward() is the reference: each layer on the whole sequence. _step.Stepper computes the same logits one
token at a time with a KV cache, and slides the window past block_size; generate() and loss() run on it.

Sampling: logits / temperature, the top_k largest kept (ties at the k-th kept, as nanoGPT), softmax, then
the first id whose running sum of probabilities (in id order) exceeds u, a float from the engine's
SplitMix64 (_random.py) seeded with seed. One u per token; temperature 0 takes the largest logit and
draws nothing. A seed gives the same text in CPython 3.11 and Pyodide unless a sum lands within rounding
(about 1e-16) of u.
"""

import math

from . import _ops
from ._layers import Embedding, Linear
from ._random import SplitMix64
from ._sequence import MAX_POSITIONS, LayerNorm, PositionEmbedding, TransformerBlock
from ._step import DOT, Stepper, dot_loop, kept_context

__all__ = ["DOT", "LanguageModel", "Stepper", "dot_loop", "kept_context", "sample"]


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
