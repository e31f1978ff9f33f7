"""Bytes in and out: the reader's cursor, float32 rounding and the number text of v2 files.

Every read goes through Cursor, which never reads past the end and names the field,
the byte offset, what was expected and what was found when it refuses.
"""

import math
import re
import struct

from ._errors import FormatError

MAX_FILE_BYTES = 16 * 1024 * 1024  # 4M parameters: far past "tiny", well inside Pyodide's memory
MAX_TEXT_BYTES = 1024  # a name, category or class label
NUMBER_PATTERN = re.compile(rb"-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?")
F32_BYTES = 4
_FLOAT32 = struct.Struct("<f")
_U32 = struct.Struct("<I")
_SHOWN_CHARS = 40  # longest piece of the file quoted in an error message
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")  # the control characters a text may not hold


class Cursor:
    """Reads a byte string front to back, never past its end (or the end of the section being read)."""

    def __init__(self, data):
        self.data = data
        self.offset = 0
        self.end = len(data)  # a section lowers it, so its body cannot read past the section
        self.region = ""  # " in the FEAT section": where the bytes left are counted, for messages

    def left(self):
        return self.end - self.offset

    def bytes_left(self):
        """The bytes left, as messages say it: "12 bytes left in the FEAT section"."""
        return f"{plural(self.left(), 'byte')} left{self.region}"

    def fail(self, field, expected, found, offset=None):
        at = self.offset if offset is None else offset
        raise FormatError(f"byte {at}: {field}: expected {expected}, found {found}")

    def take(self, size, field):
        if size > self.left():
            self.fail(field, plural(size, "byte"), self.bytes_left())
        start = self.offset
        self.offset += size
        return self.data[start : self.offset]

    def u8(self, field):
        return self.take(1, field)[0]

    def u32(self, field):
        return _U32.unpack(self.take(4, field))[0]

    def f32s(self, count, field):
        start = self.offset
        values = struct.unpack(f"<{count}f", self.take(count * F32_BYTES, field))
        for i, value in enumerate(values):
            if not math.isfinite(value):
                self.fail(f"{field}[{i}]", "a finite number", value, start + i * F32_BYTES)
        return values

    def f32(self, field):
        start = self.offset
        (value,) = _FLOAT32.unpack(self.take(F32_BYTES, field))
        if not math.isfinite(value):
            self.fail(field, "a finite number", value, start)
        return value

    def count(self, field, least, most, item_bytes):
        """A u32 count in least..most whose items, item_bytes each at the least, fit in the bytes left."""
        start = self.offset
        n = self.u32(field)
        if not least <= n <= most:
            self.fail(field, f"{least} to {most}", n, start)
        # Checked before anything is allocated, so a count can never ask for more than the file holds.
        if n * item_bytes > self.left():
            self.fail(field, f"at most {self.left() // item_bytes} in the {self.bytes_left()}", n, start)
        return n

    def text(self, field):
        """A u32 length, then that many bytes of UTF-8: 1 to MAX_TEXT_BYTES bytes, no control characters."""
        start = self.offset
        size = self.u32(f"{field} length")
        if not 1 <= size <= MAX_TEXT_BYTES:
            self.fail(f"{field} length", f"1 to {MAX_TEXT_BYTES}", size, start)
        raw = self.take(size, field)
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as error:
            self.fail(field, "UTF-8 text", f"byte {raw[error.start]:#04x}", start + 4 + error.start)
        control = _CONTROL.search(text)
        if control is not None:
            at = start + 4 + len(text[: control.start()].encode("utf-8"))
            self.fail(field, "printable text", f"control character {control.group()!r}", at)
        return text

    def unique_texts(self, count, field, expected):
        """count texts in a row, none repeated; field(k) names the k-th, expected says what a repeat should be."""
        texts, seen = [], set()
        for k in range(count):
            at = self.offset
            text = self.text(field(k))
            if text in seen:
                self.fail(field(k), expected, quote(text), at)
            seen.add(text)
            texts.append(text)
        return texts


def plural(count, noun):
    return f"1 {noun}" if count == 1 else f"{count} {noun}s"


def show(text):
    """A short, printable quote of some bytes from the file."""
    return quote(text.decode("utf-8", "replace"))


def quote(text):
    """A short, printable quote of a text from the file (repr escapes what cannot be printed)."""
    return repr(text[:_SHOWN_CHARS] + "..." if len(text) > _SHOWN_CHARS else text)


def check_file_size(size):
    """Raise FormatError if a file of size bytes is over MAX_FILE_BYTES."""
    if size > MAX_FILE_BYTES:
        raise FormatError(f"byte 0: file size: expected at most {MAX_FILE_BYTES} bytes, found {size}")


def float32(value):
    """value rounded to float32, or None if float32 cannot hold it."""
    try:
        (single,) = _FLOAT32.unpack(_FLOAT32.pack(value))
    except OverflowError:
        return None
    return single if math.isfinite(single) else None


def pack_u32(n):
    return _U32.pack(n)


def pack_f32s(values, field):
    try:
        return struct.pack(f"<{len(values)}f", *values)
    except (OverflowError, struct.error) as error:
        raise ValueError(f"{field}: cannot be stored as float32 ({error})") from None


def pack_text(text, field):
    """The u32 length and UTF-8 bytes of text, refused as ValueError where Cursor.text would refuse it."""
    raw = str(text).encode("utf-8")
    if not 1 <= len(raw) <= MAX_TEXT_BYTES:
        raise ValueError(f"{field}: expected 1 to {MAX_TEXT_BYTES} bytes of UTF-8, found {len(raw)}: {text!r}")
    if _CONTROL.search(text):
        raise ValueError(f"{field}: expected printable text, found {text!r}")
    return _U32.pack(len(raw)) + raw


def format_number(value) -> str:
    """The shortest %g text of value's float32 that reads back as that same float32."""
    single = float32(value)
    if single is None:
        raise ValueError(f"{value!r} is not a finite number in the float32 range")
    target = _FLOAT32.pack(single)
    # Formatting the float32 (not value itself) makes the text depend on the float32 alone, so
    # format_number(float(format_number(x))) == format_number(x) and write -> read -> write is stable.
    for digits in range(1, 10):
        text = f"{single:.{digits}g}"
        candidate = float32(float(text))  # None when rounding up went past the float32 range
        if candidate is not None and _FLOAT32.pack(candidate) == target:
            return _canonical(text)
    raise AssertionError("9 significant digits always identify a float32")


def _canonical(text):
    """Python's %g writes 1e-05 and 1e+20; keep the exponent short so the grammar stays simple."""
    if "e" not in text:
        return text
    mantissa, exponent = text.split("e")
    return f"{mantissa}e{int(exponent)}"
