"""CSV records read strictly, without numpy: shared by training (data.py) and scoring (scoring.py).

Every problem is a CSVError whose one-line message names the file, the line, the column and the value.
"""

import csv
import io

from .values import MISSING, is_missing, show

__all__ = ["MISSING", "CSVError", "is_missing", "read_records", "stream_records", "check_header", "check_fields"]

MAX_CSV_BYTES = 64 * 1024 * 1024  # read at most this much, so memory stays bounded whatever the file


class CSVError(ValueError):
    """A CSV that cannot be trained on; the message names the file, line, column and value."""


def read_records(name):
    """(first line number, fields) for each non-blank record of the file, read whole (at most MAX_CSV_BYTES)."""
    return _records(name, _read_text(name))


def _read_text(name):
    try:
        with open(name, "rb") as f:
            data = f.read(MAX_CSV_BYTES + 1)
    except OSError as error:
        raise CSVError(f"{name}: cannot read: {error.strerror or error}") from None
    if len(data) > MAX_CSV_BYTES:
        raise CSVError(f"{name}: file too large: expected at most {MAX_CSV_BYTES} bytes")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise CSVError(f"{name}:1: UTF-16 text: save the file as UTF-8 CSV")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        bad = data[error.start]
        raise CSVError(
            f"{name}:{line}: not UTF-8 text: byte {bad:#04x} at byte offset {error.start}; save the file as UTF-8 CSV"
        ) from None


def _records(name, text):
    """Yield (first line number, fields) for each non-blank record; quoted fields may span lines."""
    return stream_records(name, io.StringIO(text, newline=""), text)


def stream_records(name, f, text=None):
    """(first line number, fields) for each non-blank record of an open text file, read a record at a time.

    text, the whole file when it is at hand, lets a field over the csv module's size limit be named.
    """
    reader = csv.reader(f, strict=True)
    start = 1
    while True:
        try:
            fields = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            raise CSVError(_malformed(name, text, start, error)) from None
        except UnicodeDecodeError as error:
            raise CSVError(f"{name}:{reader.line_num + 1}: not UTF-8 text: byte {error.object[error.start]:#04x}; "
                           "save the file as UTF-8 CSV") from None
        if fields:
            yield start, fields
        start = reader.line_num + 1


def _malformed(name, text, line, error):
    """The message for a csv.Error; a field over the csv module's size limit is found and named."""
    limit = csv.field_size_limit()
    if text is None or "field larger than field limit" not in str(error):
        return f"{name}:{line}: malformed CSV: {error}"
    # Re-read just this record with the limit lifted to learn which field it was.
    lines = io.StringIO(text, newline="").readlines()[line - 1 :]
    csv.field_size_limit(len(text) + 1)
    try:
        fields = next(csv.reader(lines), [])
    except csv.Error:
        fields = []
    finally:
        csv.field_size_limit(limit)
    column = next((j for j, field in enumerate(fields) if len(field) > limit), None)
    where = f"column {column + 1}" if column is not None else "a field"
    value = f": {show(fields[column])}" if column is not None else ""
    return f"{name}:{line}: {where}: field longer than the CSV limit of {limit} characters{value}"


def check_header(name, line, header, target=None):
    """The header's column names, stripped; CSVError for an empty or repeated name."""
    names = [column.strip() for column in header]
    seen = {}
    for j, column in enumerate(names):
        if not column:
            raise CSVError(f"{name}:{line}: column {j + 1}: empty header name")
        if column in seen:
            what = "the target column" if column == target else "column"
            raise CSVError(f"{name}:{line}: {what} {column!r} appears twice (columns {seen[column] + 1} and {j + 1})")
        seen[column] = j
    return names


def check_fields(name, line, fields, names):
    if len(fields) > len(names):
        extra = fields[len(names)]
        raise CSVError(
            f"{name}:{line}: column {len(names) + 1} (after {names[-1]!r}): unexpected field {show(extra)}; "
            f"the row has {len(fields)} fields, the header {len(names)}"
        )
    if len(fields) < len(names):
        raise CSVError(
            f"{name}:{line}: column {names[len(fields)]!r}: missing field; "
            f"the row has {len(fields)} fields, the header {len(names)}"
        )
