"""Reading a training CSV strictly: every problem names the file, the line, the column and the value.

The file is UTF-8 (a byte-order mark is skipped) with a header row; line ends may be LF or CRLF and fields
may be quoted. Every column but the target must hold numbers (see values.NUMBER); the target holds class
labels, text or integers. Blank lines are skipped. Anything else is a CSVError, raised on the first problem.
"""

import csv
import io
import os
import re
from array import array
from typing import NamedTuple

import numpy as np

from .values import decimals, parse_number, show

MAX_CSV_BYTES = 64 * 1024 * 1024  # read at most this much, so memory stays bounded whatever the file
_INTEGER = re.compile(r"[+-]?[0-9]{1,18}", re.ASCII)


class CSVError(ValueError):
    """A CSV that cannot be trained on; the message names the file, line, column and value."""


class Dataset(NamedTuple):
    X: np.ndarray  # (n_rows, n_features) float64 feature values
    y: np.ndarray  # (n_rows,) int64 class indices into classes
    feature_names: list  # header names of the feature columns, in file order
    classes: list  # class labels as text, in class-index order
    target: str  # header name of the label column
    decimals: list  # per feature, the most digits seen after the decimal point
    lines: np.ndarray  # (n_rows,) 1-based line number of each row in the file
    source: str  # the path the data came from


def read_csv(path, target):
    """Read a CSV with a header row into a Dataset, or raise CSVError naming file, line, column and value."""
    name = os.fspath(path)
    text = _read_text(name)
    records = _records(name, text)
    header_line, header = next(records, (None, None))
    if header is None:
        raise CSVError(f"{name}: empty file: expected a header row and data rows")
    names = _check_header(name, header_line, header, target)
    target_index = names.index(target)
    # array("d") keeps 8 bytes per value (a list of floats would take 32), so memory stays near the file size.
    features, labels, places, lines = array("d"), [], [0] * (len(names) - 1), []
    for line, fields in records:
        cells, values, label = _parse_row(name, line, fields, names, target_index)
        for j, cell in enumerate(cells):
            places[j] = max(places[j], decimals(cell))
        features.extend(values)
        labels.append(label)
        lines.append(line)
    if not labels:
        raise CSVError(f"{name}:{header_line}: header only: expected data rows after it")
    classes, y = _encode_labels(name, target, labels, lines)
    X = np.frombuffer(features, dtype=np.float64).reshape(len(labels), len(names) - 1)
    feature_names = names[:target_index] + names[target_index + 1 :]
    return Dataset(X, y, feature_names, classes, target, places, np.array(lines), name)


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
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    start = 1
    while True:
        try:
            fields = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            raise CSVError(_malformed(name, text, start, error)) from None
        if fields:
            yield start, fields
        start = reader.line_num + 1


def _malformed(name, text, line, error):
    """The message for a csv.Error; a field over the csv module's size limit is found and named."""
    limit = csv.field_size_limit()
    if "field larger than field limit" not in str(error):
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


def _check_header(name, line, header, target):
    names = [column.strip() for column in header]
    seen = {}
    for j, column in enumerate(names):
        if not column:
            raise CSVError(f"{name}:{line}: column {j + 1}: empty header name")
        if column in seen:
            what = "the target column" if column == target else "column"
            raise CSVError(f"{name}:{line}: {what} {column!r} appears twice (columns {seen[column] + 1} and {j + 1})")
        seen[column] = j
    if target not in seen:
        listed = ", ".join(repr(column) for column in names[:20])
        raise CSVError(f"{name}:{line}: no column named {target!r}; the header has {listed}")
    if len(names) < 2:
        raise CSVError(f"{name}:{line}: no feature columns: the header has only the target {target!r}")
    return names


def _parse_row(name, line, fields, names, target_index):
    """Check one record; return its feature cells, their values and its label."""
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
    label = fields[target_index].strip()
    if not label:
        raise CSVError(f"{name}:{line}: column {names[target_index]!r}: missing label {show(fields[target_index])}")
    cells = fields[:target_index] + fields[target_index + 1 :]
    columns = names[:target_index] + names[target_index + 1 :]
    values = []
    for cell, column in zip(cells, columns, strict=True):
        try:
            values.append(parse_number(cell))
        except ValueError as error:
            detail = f"missing value {show(cell)}" if str(error) == "missing value" else str(error)
            raise CSVError(f"{name}:{line}: column {column!r}: {detail}") from None
    return cells, values, label


def _encode_labels(name, target, labels, lines):
    """Class order: numeric for integer labels ('2' before '10'), otherwise sorted text."""
    unique = set(labels)
    if all(_INTEGER.fullmatch(label) for label in unique):
        classes = sorted(unique, key=lambda label: (int(label), label))
    else:
        classes = sorted(unique)
    if len(classes) < 2:
        raise CSVError(
            f"{name}:{lines[0]}-{lines[-1]}: column {target!r}: only one class, {show(classes[0])}; "
            "training needs at least 2"
        )
    index = {label: i for i, label in enumerate(classes)}
    return classes, np.array([index[label] for label in labels], dtype=np.int64)
