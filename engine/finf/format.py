"""FINF: the model file, byte by byte (versions 2 and 3).

All integers are unsigned little-endian; all floats are IEEE 754 binary32
(float32), little-endian. Both versions start with

    offset  size  field
    0       4     magic, the bytes MAGIC = b"FINF"
    4       4     u32 version, one of SUPPORTED_VERSIONS = (2, 3)

Version 2: numeric features, a classifier
    8       4     u32 N, byte length of the normalizer text (1..MAX_NORMALIZER_BYTES)
    12      N     normalizer: UTF-8 (in practice ASCII) text
                  "mean0,std0;mean1,std1;...", one pair per input feature
    12+N    ...   the layer list (below)

Each normalizer number matches NUMBER_PATTERN, a strict ASCII grammar (no
whitespace, "+", "_", "nan", "inf" or non-ASCII digits), and lies in the
float32 range; every std is > 0 as a float32. A v2 file names nothing: its
features read as x0, x1, ... and its classes as None.

Version 3: named features of any kind, a classifier or a regressor
    8       ...   three sections, in the order of SECTIONS: b"FEAT", b"TRGT", b"LAYR".
                  Each is a 4-byte ASCII id, a u32 length S, then S bytes that
                  its fields fill exactly.
    or, a language model: two sections, LANGUAGE_SECTIONS: b"LANG", b"LAYR" (below).

    FEAT    u32 F, the number of features (1..MAX_FEATURES), then per feature:
              text name (names are unique)
              u8 kind: 0 numeric, 1 categorical, 2 text
              u8 flags: bit 0 HAS_FILL (a fill value follows); other bits 0
              numeric:     f32 mean, f32 std (> 0), [f32 fill]
              categorical: u32 C (1..MAX_CATEGORIES), C texts (unique, in one-hot
                           order), [u32 fill, the index of a category]
              text:        (flags 0) the vocabulary: text tokenizer name, u32
                           tokenizer version (a pair in TOKENIZERS: "words" 1),
                           u32 V (2..MAX_VOCABULARY), u32 UNK id (< V), then V
                           texts in id order, unique: every one but UNK's is a
                           token the tokenizer gives for that text alone, UNK's
                           one it never gives (finf writes "<unk>"). The
                           tokenizer is specified in finf._tokens. A text
                           feature is its model's only feature.
    TRGT    text name, u8 task, then
              task 0, classification: u32 K (2..MAX_CLASSES), K texts (unique class names)
              task 1, regression:     f32 mean, f32 std (> 0); prediction = output * std + mean
    LAYR    the layer list (below)

    A text is a u32 length (1..MAX_TEXT_BYTES) then that many bytes of UTF-8 with
    no control characters (U+0000-U+001F, U+007F-U+009F).

    The network's input is the encoded row: per feature in order, a numeric
    value standardized as (x - mean) / std, or a categorical value one-hot
    encoded over its C categories. A missing value (None or NaN) takes the
    feature's fill (before standardizing) or is refused when it has none. The
    network's output has K values (classification) or 1 (regression).
    A text feature's input is instead the ids of its words (UNK's for a word
    not in the vocabulary): token ids, which only an Embedding takes, and the
    input width is V.

Version 3, a language model (a file whose first section is b"LANG")
    LANG    u8 vocabulary kind: 0 CHARACTERS (each token is one Unicode character)
            u32 block size B (1..MAX_BLOCK_SIZE): the most tokens the model sees at once
            u32 V, the vocabulary size (1..MAX_CHARACTERS), then V u32 code points
              (each a Unicode scalar value: at most 0x10FFFF and not a surrogate;
              unique); token id k is the k-th character. Control characters such
              as newline are allowed here: they are part of the text.
    LAYR    the layer list, read as token ids in, one logit per vocabulary entry out:
              layer 0 is an Embedding (tag 2) of V rows; a PositionEmbedding (tag 4)
              may follow it, directly, with num_positions B; then TransformerBlock,
              LayerNorm and Linear layers; the last layer gives V outputs. A character
              bigram is one Embedding(V, V); a GPT is Embedding(V, D),
              PositionEmbedding(B, D), n TransformerBlock(D), LayerNorm(D), Linear(D, V).

The layer list (both versions)
    4       u32 L, number of layers (1..MAX_LAYERS), then L layers, each a u8
            tag followed by its parameters (finf._registry lists the tags):

    tag 0, Linear       u32 in_features, u32 out_features (both >= 1),
                        f32 weight[out_features][in_features] (row-major,
                        the PyTorch layout: row j feeds output j),
                        f32 bias[out_features]
    tag 1, Activation   u8 kind: 0 Identity, 1 ReLU, 2 Sigmoid, 3 Tanh,
                        4 Softmax
    tag 2, Embedding    u32 num_embeddings (= the input width V), u32
                        embedding_dim (>= 1), f32 weight[V][embedding_dim]:
                        token ids in, the sequence of their rows out
    tag 3, MeanPool     u32 features (= the width of its input): a sequence
                        in, the mean of its vectors out (zeros for none)
    tag 4, PositionEmbedding  u32 num_positions (1..4096), u32 embedding_dim
                        (the input width), f32 weight[num_positions][embedding_dim]:
                        position t adds row t
    tag 5, LayerNorm    u32 normalized_shape (the input width), f32 weight[D],
                        f32 bias[D]; eps 1e-5, biased variance (PyTorch's)
    tag 6, TransformerBlock  u32 n_embd D (the input width), u32 n_head (divides
                        D), u32 mlp_width M (>= 1), then f32 arrays, row-major,
                        in this order (nanoGPT's names and torch's (out, in)):
                        ln_1.weight[D], ln_1.bias[D], attn.c_attn.weight[3D][D],
                        attn.c_attn.bias[3D], attn.c_proj.weight[D][D],
                        attn.c_proj.bias[D], ln_2.weight[D], ln_2.bias[D],
                        mlp.c_fc.weight[M][D], mlp.c_fc.bias[M],
                        mlp.c_proj.weight[D][M], mlp.c_proj.bias[D].
                        x += c_proj(attention(ln_1(x))); x += mlp(ln_2(x)), with
                        causal multi-head attention (q, k, v the thirds of c_attn's
                        output, head h their columns h*D/n_head..(h+1)*D/n_head,
                        scores q.k / sqrt(D/n_head)) and a tanh-approximated GELU.

    Linear and Activation take a vector of values and give one. In a model of
    features (v2, or v3 with FEAT) the layers chain by shape (finf._registry):
    a model of numbers starts from a vector of values; a text model from token
    ids, so its first layer is an Embedding, and its next a MeanPool; every
    such model ends with a vector. Tags 4, 5 and 6 belong to language models
    (LANG, above), which apply Linear at every position, and are refused in a
    model of features.

The file ends exactly after the last layer and is at most MAX_FILE_BYTES long.
Weights, biases and every f32 are finite. There is at least one layer with
parameters. The first layer's input (a Linear's in_features, an Embedding's
num_embeddings) is the input width (v2: the number of normalizer pairs; v3:
the encoded row's width, or V), and each layer's input is the width the one
before it gives (a Linear's out_features, an Embedding's embedding_dim).

The reader is a forward-only cursor: it checks every count and length against
the bytes that are left, and against its cap, before it reads or allocates,
so a file never makes it allocate more than its own size justifies. Every
problem raises FormatError "byte OFFSET: FIELD: expected X, found Y".

v2 can hold a model of numeric features without fill values that classifies.
Asked for version 2, the writer writes such a model as v2 and leaves out its
names (the trainer does this for such models, whose names live in the model
card, so their files are the same as ever). Left to choose, it writes v2 only
for a model with nothing to lose (features named x0, x1, ..., no target or
class names) and v3 otherwise, so no name is ever dropped unasked.
"""

import struct
from collections import namedtuple

from . import _io, _registry
from ._errors import FormatError
from ._features import (
    CATEGORICAL,
    CLASSIFICATION,
    HAS_FILL,
    MAX_CATEGORIES,
    NUMERIC,
    REGRESSION,
    Classification,
    NumericFeature,
    Regression,
)
from ._features import FEATURE_KINDS as _TABLE_KINDS
from ._io import MAX_FILE_BYTES, MAX_TEXT_BYTES, NUMBER_PATTERN, check_file_size, format_number
from ._layers import Embedding
from ._sequence import MAX_POSITIONS, LayerNorm, PositionEmbedding, TransformerBlock
from ._text import TextFeature
from ._tokens import MAX_VOCABULARY, TOKENIZERS

__all__ = [
    "MAGIC", "SUPPORTED_VERSIONS", "SECTIONS", "MAX_FILE_BYTES", "MAX_TEXT_BYTES", "MAX_NORMALIZER_BYTES",
    "MAX_FEATURES", "MAX_CLASSES", "MAX_LAYERS", "MAX_CATEGORIES", "MAX_VOCABULARY", "TOKENIZERS",
    "NUMBER_PATTERN", "ModelRecord", "decode", "encode", "LANGUAGE_SECTIONS", "MAX_BLOCK_SIZE", "MAX_CHARACTERS",
    "CHARACTERS", "LanguageRecord", "check_file_size", "format_number", "float32", "FormatError",
]

MAGIC = b"FINF"
SUPPORTED_VERSIONS = (2, 3)
SECTIONS = (b"FEAT", b"TRGT", b"LAYR")
LANGUAGE_SECTIONS = (b"LANG", b"LAYR")
CHARACTERS = 0  # the vocabulary kind of a character-level language model
MAX_BLOCK_SIZE = MAX_POSITIONS
MAX_CHARACTERS = 65536  # a language model's vocabulary
MAX_CODE_POINT = 0x10FFFF
TAG_LINEAR = 0
TAG_ACTIVATION = 1
_LANGUAGE_BODY = {TAG_LINEAR, LayerNorm.tag, TransformerBlock.tag}  # what may follow a language model's embeddings
MAX_NORMALIZER_BYTES = 256 * 1024  # about 13,000 features at 20 bytes a pair
MAX_FEATURES = 16384
MAX_CLASSES = 65536
MAX_LAYERS = _registry.MAX_LAYERS
TEXT = 2  # the kind byte of a text feature
FEATURE_KINDS = {**_TABLE_KINDS, TEXT: TextFeature}
_KIND_NAMES = f"{NUMERIC} (numeric), {CATEGORICAL} (categorical) or {TEXT} (text)"
float32 = _io.float32

_SMALLEST_FEATURE = 4 + 1 + 2 + 8  # a 1-byte name, kind, flags, mean and std
_SMALLEST_TEXT = 4 + 1

# features: a tuple of NumericFeature and CategoricalFeature; layers: a tuple of registry layers;
# target: a Classification or a Regression.
ModelRecord = namedtuple("ModelRecord", "features layers target version")
# A language model: vocab, a str whose k-th character is token id k; block_size, an int; layers as above.
LanguageRecord = namedtuple("LanguageRecord", "vocab block_size layers version")


def decode(data):
    """Parse FINF bytes into a ModelRecord (or a LanguageRecord), or raise FormatError."""
    view = memoryview(data)
    check_file_size(view.nbytes)  # before copying anything
    cursor = _io.Cursor(view.tobytes())
    magic = cursor.take(len(MAGIC), "magic")
    if magic != MAGIC:
        cursor.fail("magic", repr(MAGIC), repr(magic), 0)
    version = cursor.u32("version")
    if version not in SUPPORTED_VERSIONS:
        swapped = {int.from_bytes(struct.pack("<I", v), "big"): v for v in SUPPORTED_VERSIONS}
        hint = f" (byte-swapped {swapped[version]}: FINF is little-endian)" if version in swapped else ""
        cursor.fail("version", f"one of {SUPPORTED_VERSIONS}", f"{version}{hint}", 4)
    record = _decode_v2(cursor) if version == 2 else _decode_v3(cursor)
    if cursor.left():
        cursor.fail("end of file", "no more bytes", f"{_io.plural(cursor.left(), 'byte')} more")
    return record


def _decode_v2(cursor):
    mean, std = _decode_normalizer(cursor)
    layers = _registry.read_layers(cursor, len(mean), "the normalizer width")
    features = tuple(NumericFeature(f"x{i}", m, s) for i, (m, s) in enumerate(zip(mean, std, strict=True)))
    return ModelRecord(features, layers, Classification(), 2)


def _decode_normalizer(cursor):
    size = cursor.u32("normalizer length")
    if not 1 <= size <= MAX_NORMALIZER_BYTES:
        cursor.fail("normalizer length", f"1 to {MAX_NORMALIZER_BYTES}", size, cursor.offset - 4)
    if size > cursor.left():
        cursor.fail("normalizer length", f"at most the {cursor.left()} bytes left", size, cursor.offset - 4)
    start = cursor.offset
    text = cursor.take(size, "normalizer")
    try:
        text.decode("utf-8")
    except UnicodeDecodeError as error:
        cursor.fail("normalizer", "UTF-8 text", f"byte {text[error.start]:#04x}", start + error.start)
    mean, std = [], []
    for i, (at, pair) in enumerate(_pairs(text)):
        offset = start + at
        values = pair.split(b",", 2)  # at most 3 pieces, however many commas a hostile pair holds
        if len(values) != 2:
            cursor.fail(f"normalizer pair {i}", "'mean,std'", _io.show(pair), offset)
        std_offset = offset + len(values[0]) + 1
        mean.append(_parse_number(cursor, values[0], "mean", i, offset))
        std.append(_parse_number(cursor, values[1], "std", i, std_offset))
        if not float32(std[-1]) > 0:
            cursor.fail(f"normalizer std {i}", "a number > 0 (as float32)", _io.show(values[1]), std_offset)
    return tuple(mean), tuple(std)


def _pairs(text):
    """(offset, pair) for each ";"-separated pair of text, one at a time rather than as a list."""
    start = 0
    while (end := text.find(b";", start)) >= 0:
        yield start, text[start:end]
        start = end + 1
    yield start, text[start:]


def _parse_number(cursor, text, name, i, offset):
    # The grammar is checked first so float() never sees "nan", "1_000", " 1" or "١".
    if NUMBER_PATTERN.fullmatch(text) is None:
        cursor.fail(f"normalizer {name} {i}", "a decimal number", _io.show(text), offset)
    value = float(text)
    if float32(value) is None:
        cursor.fail(f"normalizer {name} {i}", "a number in the float32 range", _io.show(text), offset)
    return value


def _decode_v3(cursor):
    if cursor.data[cursor.offset : cursor.offset + 4] == LANGUAGE_SECTIONS[0]:
        return _decode_language(cursor)
    with _section(cursor, b"FEAT"):
        features = _decode_features(cursor)
    with _section(cursor, b"TRGT"):
        target = _decode_target(cursor)
    with _section(cursor, b"LAYR"):
        width = sum(feature.width for feature in features)
        why = "the class count" if target.task == "classification" else "a regressor's one value"
        text = features[0].kind == "text"
        source = "the vocabulary size" if text else "the width of the encoded features"
        layers = _registry.read_layers(cursor, width, source, (target.n_outputs(), why),
                                       "tokens" if text else "values")
    return ModelRecord(features, layers, target, 3)


def _decode_language(cursor):
    with _section(cursor, b"LANG"):
        at = cursor.offset
        kind = cursor.u8("vocabulary kind")
        if kind != CHARACTERS:
            cursor.fail("vocabulary kind", f"{CHARACTERS} (characters)", kind, at)
        at = cursor.offset
        block_size = cursor.u32("block size")
        if not 1 <= block_size <= MAX_BLOCK_SIZE:
            cursor.fail("block size", f"1 to {MAX_BLOCK_SIZE}", block_size, at)
        count = cursor.count("vocabulary size", 1, MAX_CHARACTERS, 4)
        vocab, seen = [], {}
        for k in range(count):
            at = cursor.offset
            code = cursor.u32(f"character {k}")
            if code > MAX_CODE_POINT or 0xD800 <= code <= 0xDFFF:
                cursor.fail(f"character {k}", "a Unicode scalar value (at most 0x10FFFF, not a surrogate)",
                            f"{code:#x}", at)
            if chr(code) in seen:
                cursor.fail(f"character {k}", "a character not used before", f"{chr(code)!r} (character "
                            f"{seen[chr(code)]})", at)
            seen[chr(code)] = k
            vocab.append(chr(code))
    with _section(cursor, b"LAYR"):
        layers = _registry.read_layers(cursor, count, "the vocabulary size", (count, "the vocabulary size"),
                                       shape=None, rules=_language_rules(block_size))
    return LanguageRecord("".join(vocab), block_size, layers, 3)


def _language_rules(block_size):
    """The layer order of a language model (see LANG above), checked as the layers are read."""
    names = {kind.tag: kind.__name__ for kind in _registry.LAYER_KINDS.values()}

    def rules(i, tag, layer):
        if layer is None:
            if i == 0 and tag != Embedding.tag:
                return "layer 0 tag", f"{Embedding.tag} (Embedding of the token ids)", f"{tag} ({names[tag]})", 0
            allowed = _LANGUAGE_BODY | ({PositionEmbedding.tag} if i == 1 else set())
            if i > 0 and tag not in allowed:
                shown = " or ".join(f"{t} ({names[t]})" for t in sorted(allowed))
                return f"layer {i} tag", shown, f"{tag} ({names[tag]})", 0
        elif tag == PositionEmbedding.tag and layer.num_positions != block_size:
            return f"layer {i} num_positions", f"{block_size} (the block size)", layer.num_positions, 1
        return None

    return rules


class _section:
    """with _section(cursor, id): reads a section's id and length; the body must fill it exactly."""

    def __init__(self, cursor, name):
        self.cursor, self.name = cursor, name

    def __enter__(self):
        cursor, name = self.cursor, self.name
        at = cursor.offset
        found = cursor.data[at : at + min(len(name), cursor.left())]
        if found != name:
            shown = repr(found) if len(found) == len(name) else f"{found!r} at the end of the file"
            cursor.fail("section id", repr(name), shown if found else "the end of the file", at)
        cursor.offset += len(name)
        at = cursor.offset
        size = cursor.u32(f"{name.decode()} length")
        if size > cursor.left():
            cursor.fail(f"{name.decode()} length", f"at most the {cursor.left()} bytes left", size, at)
        # The body reads only inside the section: a count or length cannot reach past it.
        self.saved = cursor.end
        cursor.end, cursor.region = cursor.offset + size, f" in the {name.decode()} section"
        return self

    def __exit__(self, kind, error, traceback):
        cursor = self.cursor
        left = cursor.left()
        cursor.end, cursor.region = self.saved, ""
        if kind is None and left:
            cursor.fail(f"{self.name.decode()} section", "no more bytes", f"{_io.plural(left, 'byte')} more")
        return False


def _decode_features(cursor):
    count = cursor.count("feature count", 1, MAX_FEATURES, _SMALLEST_FEATURE)
    features, names = [], set()
    for i in range(count):
        at = cursor.offset
        name = cursor.text(f"feature {i} name")
        if name in names:
            cursor.fail(f"feature {i} name", "a name not used before", _io.quote(name), at)
        names.add(name)
        field = f"feature {i} ({_io.quote(name)})"
        at = cursor.offset
        kind = cursor.u8(f"{field} kind")
        if kind not in FEATURE_KINDS:
            cursor.fail(f"{field} kind", _KIND_NAMES, kind, at)
        if (kind == TEXT or features and features[0].kind == "text") and count > 1:
            cursor.fail(f"{field} kind", "a text feature only as a model's one feature", kind, at)
        at = cursor.offset
        flags = cursor.u8(f"{field} flags")
        if flags & ~HAS_FILL:
            cursor.fail(f"{field} flags", f"only bit 0 ({HAS_FILL:#04x}) set", f"{flags:#04x}", at)
        features.append(FEATURE_KINDS[kind].read(cursor, name, field, flags))
    return tuple(features)


def _decode_target(cursor):
    name = cursor.text("target name")
    at = cursor.offset
    task = cursor.u8("target task")
    if task == REGRESSION:
        mean = cursor.f32("target mean")
        at = cursor.offset
        std = cursor.f32("target std")
        if not std > 0:
            cursor.fail("target std", "a number > 0", std, at)
        return Regression(name, mean, std)
    if task != CLASSIFICATION:
        cursor.fail("target task", f"{CLASSIFICATION} (classification) or {REGRESSION} (regression)", task, at)
    count = cursor.count("class count", 2, MAX_CLASSES, _SMALLEST_TEXT)
    return Classification(name, cursor.unique_texts(count, lambda k: f"class {k}", "a class name not used before"))


def v2_can_express(record):
    """True if a v2 file can hold record's model: numeric features without fill values, a classifier."""
    return record.target.task == "classification" and all(
        type(f) is NumericFeature and f.fill is None for f in record.features)


def v2_loses_nothing(record):
    """True if v2 holds all of record: v2_can_express, and no names but those a v2 file reads as."""
    target = record.target
    return (v2_can_express(record) and target.name is None and target.classes is None
            and all(f.name == f"x{i}" for i, f in enumerate(record.features)))


def encode(record, version=None) -> bytes:
    """Serialize a ModelRecord (or a LanguageRecord, always v3) to FINF bytes; the inverse of decode.

    version None writes v2 when v2 loses nothing (v2_loses_nothing), else v3; version 2 writes any model v2
    can express as v2, without its names.
    """
    if isinstance(record, LanguageRecord):
        if version not in (None, 3):
            raise ValueError("a language model is stored as FINF version 3")
        data = MAGIC + struct.pack("<I", 3) + _encode_language(record)
        decode(data)
        return data
    if version is None:
        version = 2 if v2_loses_nothing(record) else 3
    if version not in SUPPORTED_VERSIONS:
        raise ValueError(f"version must be one of {SUPPORTED_VERSIONS}, not {version!r}")
    if version == 2 and not v2_can_express(record):
        raise ValueError("FINF v2 holds only numeric features without fill values and a classifier; use version 3")
    body = _encode_v2(record) if version == 2 else _encode_v3(record)
    data = MAGIC + struct.pack("<I", version) + body
    decode(data)  # never write a file the reader would refuse
    return data


def _encode_v2(record):
    pairs = ";".join(f"{format_number(f.mean)},{format_number(f.std)}" for f in record.features)
    normalizer = pairs.encode("ascii")
    return struct.pack("<I", len(normalizer)) + normalizer + _registry.write_layers(record.layers)


def _encode_v3(record):
    features = [_io.pack_u32(len(record.features))]
    for feature in record.features:
        kind = {"numeric": NUMERIC, "categorical": CATEGORICAL, "text": TEXT}[feature.kind]
        flags = 0 if feature.fill is None else HAS_FILL
        features += [_io.pack_text(feature.name, "feature name"), bytes([kind, flags]), feature.write()]
    target = record.target
    if target.name is None:
        raise ValueError("a v3 file names its target: set the target's name")
    if target.task == "regression":
        body = bytes([REGRESSION]) + _io.pack_f32s([target.mean, target.std], "target mean and std")
    else:
        if target.classes is None:
            raise ValueError("a v3 classifier names its classes: set the target's classes")
        body = bytes([CLASSIFICATION]) + _io.pack_u32(len(target.classes))
        body += b"".join(_io.pack_text(c, "class name") for c in target.classes)
    sections = {
        b"FEAT": b"".join(features),
        b"TRGT": _io.pack_text(target.name, "target name") + body,
        b"LAYR": _registry.write_layers(record.layers),
    }
    return b"".join(name + _io.pack_u32(len(data)) + data for name, data in sections.items())


def _encode_language(record):
    header = bytes([CHARACTERS]) + _io.pack_u32(record.block_size) + _io.pack_u32(len(record.vocab))
    header += b"".join(_io.pack_u32(ord(c)) for c in record.vocab)
    sections = {b"LANG": header, b"LAYR": _registry.write_layers(record.layers)}
    return b"".join(name + _io.pack_u32(len(data)) + data for name, data in sections.items())
