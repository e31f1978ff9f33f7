"""The one table of layer kinds: a layer's tag in a file names the class that reads, writes and runs it.

Every kind has: tag (its byte in a file), read(cursor, i, width, source) -> layer, write() -> bytes
after the tag, out_width(width), parameters() -> flat lists, describe() -> its name in PyTorch's
words, __call__ (its forward pass), and takes and gives: the shape of what it reads and what it returns,
one of SHAPES. Layers chain only where one gives what the next takes: a model of numbers starts from
"values", a model of text from "tokens" (so an Embedding only follows a text input), and every model
ends in "values". The kinds a language model alone uses (language_only) keep their order by the rules of
format.py's LANG instead. A new kind is one entry here.
"""

from . import _io
from ._activations import Activation
from ._layers import Embedding, Linear, MeanPool
from ._sequence import LayerNorm, PositionEmbedding, TransformerBlock

MAX_LAYERS = 1024
LAYER_KINDS = {kind.tag: kind for kind in (Linear, Activation, Embedding, MeanPool, PositionEmbedding, LayerNorm,
                                           TransformerBlock)}
SHAPES = {"values": "a vector of values", "tokens": "token ids", "sequence": "a sequence of vectors"}
_SMALLEST_LAYER = 2  # bytes: an activation's tag and kind


def read_layers(cursor, width, source, outputs=None, shape="values", rules=None):
    """A u32 layer count, then that many layers, the first taking width inputs (named by source) of shape.

    shape None leaves the order of the layers to rules alone (a language model's, which apply Linear at every
    position of a sequence); otherwise a language_only kind is refused, as in check_layers.

    outputs, if given, is (n, why): the last layer must give n outputs, or the error names its out_features.
    rules, if given, is called as rules(i, tag, layer) with layer None before layer i is read and with the
    layer after; it returns None, or (field, expected, found, bytes from the tag to the field) for the error.
    """
    start = cursor.offset
    count = cursor.count("layer count", 1, MAX_LAYERS, _SMALLEST_LAYER)
    layers = []
    for i in range(count):
        tag_offset = cursor.offset
        tag = cursor.u8(f"layer {i} tag")
        if tag not in LAYER_KINDS:
            known = " or ".join(f"{t} ({kind.__name__})" for t, kind in LAYER_KINDS.items())
            cursor.fail(f"layer {i} tag", known, tag, tag_offset)
        kind = LAYER_KINDS[tag]
        if shape is not None and getattr(kind, "language_only", False):
            cursor.fail(f"layer {i} tag", "a layer of a model of features", f"{tag} ({kind.__name__})", tag_offset)
        _apply(cursor, rules, i, tag, None, tag_offset)
        if shape is not None and kind.takes != shape:
            cursor.fail(f"layer {i} tag", f"a layer that takes {SHAPES[shape]}",
                        f"{tag} ({kind.__name__}), which takes {SHAPES[kind.takes]}", tag_offset)
        layer = kind.read(cursor, i, width, source)
        _apply(cursor, rules, i, tag, layer, tag_offset)
        shape = shape and kind.gives
        if hasattr(layer, "out_features_at"):
            width, source = layer.out_width(width), f"layer {i} out_features"
            source_at = tag_offset + layer.out_features_at
        layers.append(layer)
    if not any(layer.parameters() for layer in layers):
        cursor.fail("layers", "at least one Linear layer", "none", start)
    if shape not in ("values", None):
        cursor.fail("layers", f"a last layer that gives {SHAPES['values']}", SHAPES[shape], start)
    if outputs is not None and width != outputs[0]:
        cursor.fail(source, f"{outputs[0]} ({outputs[1]})", width, source_at)
    return tuple(layers)


def _apply(cursor, rules, i, tag, layer, tag_offset):
    problem = rules and rules(i, tag, layer)
    if problem:
        field, expected, found, offset = problem
        cursor.fail(field, expected, found, tag_offset + offset)


def write_layers(layers):
    """The u32 count and each layer's tag and bytes."""
    parts = [_io.pack_u32(len(layers))]
    for i, layer in enumerate(layers):
        try:
            parts += [bytes([layer.tag]), layer.write()]
        except ValueError as error:
            raise ValueError(f"layer {i} {error}") from None
    return b"".join(parts)


def check_layers(layers, width, shape="values"):
    """The output width of layers applied to width inputs of shape; ValueError if their shapes do not chain."""
    if not any(layer.parameters() for layer in layers):
        raise ValueError("a model needs at least one Linear layer")
    for layer in layers:
        kind = LAYER_KINDS.get(getattr(layer, "tag", None))
        if kind is None or not isinstance(layer, kind):
            raise ValueError(f"{layer!r} is not a layer finf can store")
        if getattr(kind, "language_only", False):
            raise ValueError(f"{layer!r} belongs in a language model, not in a model of features")
        if kind.takes != shape:
            raise ValueError(f"{layer!r} takes {SHAPES[kind.takes]}, not {SHAPES[shape]}")
        expected = getattr(layer, "in_features", getattr(layer, "num_embeddings", getattr(layer, "features", width)))
        if expected != width:
            raise ValueError(f"{layer!r} does not follow a layer of width {width}")
        width, shape = layer.out_width(width), kind.gives
    if shape != "values":
        raise ValueError(f"a model's last layer gives {SHAPES['values']}, not {SHAPES[shape]}")
    return width
