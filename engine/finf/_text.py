"""Text models: the text feature, and the forward pass from a string to the network's output.

A TextFeature is one text, tokenized and mapped to ids by its Vocabulary (see _tokens.py). Its model's
layers are Embedding -> MeanPool -> the layers of a model of numbers: the mean of the words' vectors
goes through them as a row of numbers would.

With no hidden layer (Embedding -> MeanPool -> Linear -> activations) the logits are linear in the mean,
so the Embedding and the Linear fold into one row of class scores per vocabulary entry,
score[t] = W @ E[t], computed once at load:

    logits = W @ (sum over the n words of E[id]) / n + b = b + sum over the words of score[id] / n

That is the fast path, and also the explanation: each word adds score[id] / n to the logits, exactly.
A text of no words has logits b. With hidden layers the mean is computed and the rest planned as in _fast.
"""

from collections.abc import Mapping

from . import _fast, _ops
from ._activations import Activation, Identity
from ._features import HAS_FILL
from ._layers import Linear
from ._tokens import SPANS, Vocabulary

MAX_TEXT_CHARS = 1024 * 1024  # a text given to predict; its first _tokens.MAX_TOKENS words are all that count


class TextFeature:
    """A text: its words' ids from vocabulary, the input of an Embedding."""

    kind = "text"
    fill = None

    def __init__(self, name, vocabulary):
        self.name = str(name)
        self.vocabulary = vocabulary

    @property
    def width(self):
        return len(self.vocabulary)

    @classmethod
    def read(cls, cursor, name, field, flags):
        if flags & HAS_FILL:
            cursor.fail(f"{field} flags", "0x00 (a text feature has no fill value)", f"{flags:#04x}", cursor.offset - 1)
        return cls(name, Vocabulary.read(cursor, f"{field} vocabulary"))

    def write(self):
        return self.vocabulary.write()

    def text(self, value):
        """value checked as this feature's text."""
        if not isinstance(value, str):
            raise ValueError(f"feature {self.name!r}: expected a text (str), got {type(value).__name__}")
        if len(value) > MAX_TEXT_CHARS:
            raise ValueError(f"feature {self.name!r}: expected at most {MAX_TEXT_CHARS} characters, got {len(value)}")
        return value

    def encode(self, value):
        """The ids of value's words."""
        return self.vocabulary.ids(self.text(value))

    def __eq__(self, other):
        return type(other) is type(self) and (self.name, self.vocabulary) == (other.name, other.vocabulary)

    def __repr__(self):
        return f"TextFeature({self.name!r}, {self.vocabulary!r})"


def text_of(feature, row):
    """The text in row: a str, a one-item sequence, or a mapping from the feature's name."""
    if isinstance(row, str):
        return feature.text(row)
    if isinstance(row, Mapping):
        unknown = [key for key in row if key != feature.name]
        if unknown:
            raise ValueError(f"unknown feature {unknown[0]!r}; the model's feature is {feature.name!r}")
        if feature.name not in row:
            raise ValueError(f"missing feature {feature.name!r}")
        return feature.text(row[feature.name])
    if isinstance(row, (list, tuple)) and len(row) == 1:
        return feature.text(row[0])
    raise ValueError(f"expected a text (str) for feature {feature.name!r}, got {type(row).__name__}")


class TextPlan:
    """run(text) -> the network's output; explain(text) for a model without hidden layers."""

    def __init__(self, feature, layers):
        self.vocabulary = feature.vocabulary
        embedding, pool, *rest = [layer for layer in layers if not isinstance(layer, Identity)]
        self.rows = embedding.weight
        self.features = pool.features
        self.folded = bool(rest) and isinstance(rest[0], Linear) and all(isinstance(x, Activation) for x in rest[1:])
        if self.folded:
            linear = rest[0]
            self.scores = tuple(tuple(_ops.matvec(linear.weight, row)) for row in embedding.weight)
            self.bias = linear.bias
            self.steps = _fast.plan_rest(rest, 1)
        else:
            self.steps = _fast.plan_rest(rest, 0)

    def run(self, text):
        ids = self.vocabulary.ids(text)
        n = len(ids)
        if self.folded:
            if n:
                columns = zip(*[self.scores[i] for i in ids], strict=True)
                x = [b + _ops.add_up(column) / n for b, column in zip(self.bias, columns, strict=True)]
            else:
                x = list(self.bias)
        elif n:
            x = [_ops.add_up(column) / n for column in zip(*[self.rows[i] for i in ids], strict=True)]
        else:
            x = [0.0] * self.features
        for step in self.steps:
            x = step(x)
        return x

    def explain(self, text):
        """(token, its contribution to each class's logit) per word of text, in order; see the module docstring."""
        if not self.folded:
            raise ValueError("explain needs a model without hidden layers (Embedding, MeanPool, Linear, activations)")
        tokens = self.vocabulary.tokenize(text)
        n = len(tokens)
        get, unk = self.vocabulary.index.get, self.vocabulary.unk
        return [(token, [s / n for s in self.scores[get(token, unk)]]) for token in tokens]

    def spans(self, text):
        """(start, end) of each word of text, in code points; explain's words in the same order."""
        return SPANS[self.vocabulary.tokenizer, self.vocabulary.version](text)
