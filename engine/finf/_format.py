"""FINF v2: the model file, byte by byte.

All integers are unsigned little-endian; all floats are IEEE 754 binary32
(float32), little-endian.

    offset  size  field
    0       4     magic, the bytes MAGIC = b"FINF"
    4       4     u32 version, one of SUPPORTED_VERSIONS = (2,)
    8       4     u32 N, byte length of the normalizer text (1..MAX_NORMALIZER_BYTES)
    12      N     normalizer: UTF-8 (in practice ASCII) text
                  "mean0,std0;mean1,std1;...", one pair per input feature
    12+N    4     u32 L, number of layers (1..MAX_LAYERS)
    16+N    ...   L layers, each a u8 tag followed by its parameters:

    tag 0, Linear       u32 in_features, u32 out_features (both >= 1),
                        f32 weight[out_features][in_features] (row-major,
                        the PyTorch layout: row j feeds output j),
                        f32 bias[out_features]
    tag 1, Activation   u8 kind: 0 Identity, 1 ReLU, 2 Sigmoid, 3 Tanh,
                        4 Softmax

The file ends exactly after the last layer and is at most MAX_FILE_BYTES long.
Each normalizer number matches NUMBER_PATTERN, a strict ASCII grammar (no
whitespace, "+", "_", "nan", "inf" or non-ASCII digits), and lies in the
float32 range; every std is > 0 as a float32. Weights and biases are finite.
There is at least one Linear; the normalizer width equals the first Linear's
in_features, and each Linear's in_features equals the previous Linear's
out_features.

The reader is a forward-only cursor: it checks every count and length against
the bytes that are left, and against its cap, before it reads or allocates,
so a file never makes it allocate more than its own size justifies. Every
problem raises FormatError "byte OFFSET: FIELD: expected X, found Y".
"""

import math
import re
import struct
from collections import namedtuple

from ._errors import FormatError

MAGIC = b"FINF"
VERSION = 2
SUPPORTED_VERSIONS = (2,)
TAG_LINEAR = 0
TAG_ACTIVATION = 1
ACTIVATION_KINDS = ("identity", "relu", "sigmoid", "tanh", "softmax")

MAX_FILE_BYTES = 16 * 1024 * 1024  # 4M parameters: far past "tiny", well inside Pyodide's memory
MAX_NORMALIZER_BYTES = 256 * 1024  # about 13,000 features at 20 bytes a pair
MAX_LAYERS = 1024

NUMBER_PATTERN = re.compile(rb"-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?")
_F32_BYTES = 4
_FLOAT32 = struct.Struct("<f")
_SHOWN_CHARS = 40  # longest piece of the file quoted in an error message


# Plain records of what the file holds. collections.namedtuple rather than
# typing.NamedTuple: importing typing would add milliseconds to every start.
# weight is a tuple of out_features rows of in_features floats; bias has out_features.
Linear = namedtuple("Linear", "in_features out_features weight bias")
# kind is one of ACTIVATION_KINDS.
Activation = namedtuple("Activation", "kind")
# mean and std have one float per input feature; layers is a tuple of Linear and Activation.
ModelRecord = namedtuple("ModelRecord", "mean std layers version", defaults=(VERSION,))


class _Cursor:
    """Reads a byte string front to back, never past its end."""

    def __init__(self, data):
        self.data = data
        self.offset = 0

    def left(self):
        return len(self.data) - self.offset

    def fail(self, field, expected, found, offset=None):
        at = self.offset if offset is None else offset
        raise FormatError(f"byte {at}: {field}: expected {expected}, found {found}")

    def take(self, size, field):
        if size > self.left():
            self.fail(field, _bytes(size), f"{_bytes(self.left())} left")
        start = self.offset
        self.offset += size
        return self.data[start : self.offset]

    def u8(self, field):
        return self.take(1, field)[0]

    def u32(self, field):
        return struct.unpack("<I", self.take(4, field))[0]

    def f32s(self, count, field):
        start = self.offset
        values = struct.unpack(f"<{count}f", self.take(count * _F32_BYTES, field))
        for i, value in enumerate(values):
            if not math.isfinite(value):
                self.fail(f"{field}[{i}]", "a finite number", value, start + i * _F32_BYTES)
        return values


def check_file_size(size):
    """Raise FormatError if a file of size bytes is over MAX_FILE_BYTES."""
    if size > MAX_FILE_BYTES:
        raise FormatError(f"byte 0: file size: expected at most {MAX_FILE_BYTES} bytes, found {size}")


def decode(data) -> ModelRecord:
    """Parse FINF bytes into a ModelRecord, or raise FormatError."""
    view = memoryview(data)
    check_file_size(view.nbytes)  # before copying anything
    cursor = _Cursor(view.tobytes())
    magic = cursor.take(len(MAGIC), "magic")
    if magic != MAGIC:
        cursor.fail("magic", repr(MAGIC), repr(magic), 0)
    version = cursor.u32("version")
    if version not in SUPPORTED_VERSIONS:
        swapped = int.from_bytes(struct.pack("<I", VERSION), "big")
        hint = f" (byte-swapped {VERSION}: FINF is little-endian)" if version == swapped else ""
        cursor.fail("version", f"one of {SUPPORTED_VERSIONS}", f"{version}{hint}", 4)
    mean, std = _decode_normalizer(cursor)
    layers = _decode_layers(cursor, len(mean))
    if cursor.left():
        cursor.fail("end of file", "no more bytes", f"{_bytes(cursor.left())} more")
    return ModelRecord(mean, std, layers, version)


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
            cursor.fail(f"normalizer pair {i}", "'mean,std'", _show(pair), offset)
        std_offset = offset + len(values[0]) + 1
        mean.append(_parse_number(cursor, values[0], "mean", i, offset))
        std.append(_parse_number(cursor, values[1], "std", i, std_offset))
        if not _float32(std[-1]) > 0:
            cursor.fail(f"normalizer std {i}", "a number > 0 (as float32)", _show(values[1]), std_offset)
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
        cursor.fail(f"normalizer {name} {i}", "a decimal number", _show(text), offset)
    value = float(text)
    if _float32(value) is None:
        cursor.fail(f"normalizer {name} {i}", "a number in the float32 range", _show(text), offset)
    return value


def _float32(value):
    """value rounded to float32, or None if float32 cannot hold it."""
    try:
        (single,) = _FLOAT32.unpack(_FLOAT32.pack(value))
    except OverflowError:
        return None
    return single if math.isfinite(single) else None


def _bytes(count):
    return "1 byte" if count == 1 else f"{count} bytes"


def _show(text):
    """A short, printable quote of some bytes from the file."""
    shown = text.decode("utf-8", "replace")
    if len(shown) > _SHOWN_CHARS:
        shown = shown[:_SHOWN_CHARS] + "..."
    return repr(shown)


def _decode_layers(cursor, width):
    start = cursor.offset
    count = cursor.u32("layer count")
    if not 1 <= count <= MAX_LAYERS:
        cursor.fail("layer count", f"1 to {MAX_LAYERS}", count, start)
    # Every layer takes at least two bytes, so a count the file cannot hold is rejected up front.
    if count > cursor.left() // 2:
        room = f"at most {cursor.left() // 2} layers in the {cursor.left()} bytes left"
        cursor.fail("layer count", room, count, start)
    layers = []
    expected, source = width, "the normalizer width"
    for i in range(count):
        tag_offset = cursor.offset
        tag = cursor.u8(f"layer {i} tag")
        if tag == TAG_LINEAR:
            layer = _decode_linear(cursor, i, expected, source)
            expected, source = layer.out_features, f"layer {i} out_features"
        elif tag == TAG_ACTIVATION:
            kind = cursor.u8(f"layer {i} activation kind")
            if kind >= len(ACTIVATION_KINDS):
                cursor.fail(f"layer {i} activation kind", f"0 to {len(ACTIVATION_KINDS) - 1}", kind, tag_offset + 1)
            layer = Activation(ACTIVATION_KINDS[kind])
        else:
            cursor.fail(f"layer {i} tag", f"{TAG_LINEAR} (Linear) or {TAG_ACTIVATION} (Activation)", tag, tag_offset)
        layers.append(layer)
    if not any(isinstance(layer, Linear) for layer in layers):
        cursor.fail("layers", "at least one Linear layer", "none", start)
    return tuple(layers)


def _decode_linear(cursor, i, expected_in, source):
    start = cursor.offset
    n_in = cursor.u32(f"layer {i} in_features")
    n_out = cursor.u32(f"layer {i} out_features")
    if n_in != expected_in:
        cursor.fail(f"layer {i} in_features", f"{expected_in} ({source})", n_in, start)
    if n_out == 0:
        cursor.fail(f"layer {i} out_features", "at least 1", 0, start + 4)
    # Check the declared size against what is left before building any list (Python ints do not overflow).
    needed = (n_in * n_out + n_out) * _F32_BYTES
    if needed > cursor.left():
        cursor.fail(f"layer {i} parameters", f"{needed} bytes for {n_out}x{n_in}", f"{cursor.left()} bytes left")
    flat = cursor.f32s(n_in * n_out, f"layer {i} weight")
    bias = cursor.f32s(n_out, f"layer {i} bias")
    weight = tuple(flat[j * n_in : (j + 1) * n_in] for j in range(n_out))
    return Linear(n_in, n_out, weight, bias)


def encode(record: ModelRecord) -> bytes:
    """Serialize a ModelRecord to FINF v2 bytes; the inverse of decode."""
    pairs = ";".join(f"{format_number(m)},{format_number(s)}" for m, s in zip(record.mean, record.std, strict=True))
    normalizer = pairs.encode("ascii")
    parts = [MAGIC, struct.pack("<II", VERSION, len(normalizer)), normalizer, struct.pack("<I", len(record.layers))]
    for i, layer in enumerate(record.layers):
        if isinstance(layer, Linear):
            flat = [w for row in layer.weight for w in row]
            parts.append(struct.pack("<BII", TAG_LINEAR, layer.in_features, layer.out_features))
            parts.append(_pack_f32s(flat, f"layer {i} weight"))
            parts.append(_pack_f32s(layer.bias, f"layer {i} bias"))
        else:
            parts.append(struct.pack("<BB", TAG_ACTIVATION, ACTIVATION_KINDS.index(layer.kind)))
    data = b"".join(parts)
    decode(data)  # never write a file the reader would refuse
    return data


def _pack_f32s(values, field):
    try:
        return struct.pack(f"<{len(values)}f", *values)
    except (OverflowError, struct.error) as error:
        raise ValueError(f"{field}: cannot be stored as float32 ({error})") from None


def format_number(value) -> str:
    """The shortest %g text of value's float32 that reads back as that same float32."""
    single = _float32(value)
    if single is None:
        raise ValueError(f"{value!r} is not a finite number in the float32 range")
    target = struct.pack("<f", single)
    # Formatting the float32 (not value itself) makes the text depend on the float32 alone, so
    # format_number(float(format_number(x))) == format_number(x) and write -> read -> write is stable.
    for digits in range(1, 10):
        text = f"{single:.{digits}g}"
        candidate = _float32(float(text))  # None when rounding up went past the float32 range
        if candidate is not None and struct.pack("<f", candidate) == target:
            return _canonical(text)
    raise AssertionError("9 significant digits always identify a float32")


def _canonical(text):
    """Python's %g writes 1e-05 and 1e+20; keep the exponent short so the grammar stays simple."""
    if "e" not in text:
        return text
    mantissa, exponent = text.split("e")
    return f"{mantissa}e{int(exponent)}"
