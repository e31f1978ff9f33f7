"""Scoring whole CSV files with a model: `finf predict --csv` and `finf evaluate`.

Values are matched to the model's features by column name, so a CSV's other columns and its column order
do not matter. A cell that is empty or a missing-value marker (values.MISSING) is a missing value; a
categorical feature takes its category's name; a numeric one the CSV number grammar (values.NUMBER).
Files are read a record at a time, so memory stays constant however long the file.
"""

import csv
import os
import sys

from .files import write_atomic_stream
from .rows import CSVError, check_fields, check_header, stream_records
from .values import is_missing, parse_number, parse_value


def output_columns(model, classes):
    """The columns predict --csv adds: prediction, then p(class) for each class of a classifier."""
    return ["prediction"] + ([f"p({name})" for name in classes] if model.task == "classification" else [])


def _open(path):
    try:
        return open(path, encoding="utf-8-sig", newline="")  # noqa: SIM115 - closed by the caller's with
    except OSError as error:
        raise CSVError(f"{path}: cannot read: {error.strerror or error}") from None


def _columns(path, records, names):
    """The header's names and the column index of each of names; CSVError naming a missing one."""
    header_line, header = next(records, (None, None))
    if header is None:
        raise CSVError(f"{path}: empty file: expected a header row")
    columns = check_header(path, header_line, header)
    for name in names:
        if name not in columns:
            raise CSVError(f"{path}:{header_line}: no column named {name!r}, a feature of the model")
    return columns, [columns.index(name) for name in names]


def predict_csv(model, names, classes, path, out=None):
    """Write path's rows plus the model's prediction columns as CSV to out (a path, or stdout when None).

    names are the model's feature names (from its file, or its card for a v2 file); classes its class names.
    Written to a temporary file beside out and renamed when every row is scored, so an error leaves no
    half-written out.
    """
    path = os.fspath(path)
    with _open(path) as f:
        records = stream_records(path, f)
        header, index = _columns(path, records, names)
        added = output_columns(model, classes)
        clash = [name for name in added if name in header]
        if clash:
            raise CSVError(f"{path}:1: column {clash[0]!r} would be written twice: rename it in the input")

        def rows():
            yield header + added
            for line, fields in records:
                yield fields + _score(model, classes, path, line, fields, header, index)

        if out is None:
            writer = csv.writer(sys.stdout, lineterminator="\n")
            for row in rows():
                writer.writerow(row)
            return
        write_atomic_stream(os.fspath(out), lambda stream: csv.writer(stream, lineterminator="\n").writerows(rows()))


def _predict(model, path, line, fields, header, index):
    """(class index, probabilities) for a classifier, (value, None) for a regressor, from one CSV record."""
    check_fields(path, line, fields, header)
    try:
        row = [parse_value(feature, fields[j], f"column {header[j]!r}")
               for feature, j in zip(model.features, index, strict=True)]
        if model.task == "regression":
            return model.predict(row), None
        probabilities = model.predict_proba(row)
    except ValueError as error:
        raise CSVError(f"{path}:{line}: {error}") from None
    return max(range(len(probabilities)), key=probabilities.__getitem__), probabilities


def _score(model, classes, path, line, fields, header, index):
    """The columns predict --csv adds to one record (see output_columns)."""
    prediction, probabilities = _predict(model, path, line, fields, header, index)
    if probabilities is None:
        return [repr(prediction)]
    return [classes[prediction]] + [repr(p) for p in probabilities]


def evaluate_csv(model, names, classes, target, path):
    """metrics.evaluate of the model on a labelled CSV (rows with a missing target are left out)."""
    import numpy as np  # noqa: I001 (here, not at the top: predict runs without numpy)

    from . import metrics
    path = os.fspath(path)
    truth, predicted = [], []
    with _open(path) as f:
        records = stream_records(path, f)
        header, index = _columns(path, records, names)
        if target not in header:
            raise CSVError(f"{path}:1: no column named {target!r}, the model's target")
        t = header.index(target)
        known = {name: k for k, name in enumerate(classes or [])}
        for line, fields in records:
            if len(fields) > t and is_missing(fields[t]):
                continue
            predicted.append(_predict(model, path, line, fields, header, index)[0])
            truth.append(_truth(model, known, path, line, target, fields[t]))
    if not truth:
        raise CSVError(f"{path}: no rows with a {target!r} value to evaluate on")
    if model.task == "classification":
        return metrics.evaluate("classification", np.array(truth), np.array(predicted), len(classes))
    return metrics.evaluate("regression", np.array(truth, dtype=np.float64), np.array(predicted))


def _truth(model, known, path, line, target, text):
    label = text.strip()
    if model.task == "classification":
        if label not in known:
            shown = ", ".join(repr(name) for name in list(known)[:20])
            raise CSVError(f"{path}:{line}: column {target!r}: {label!r} is not a class of the model ({shown})")
        return known[label]
    try:
        return parse_number(label)
    except ValueError as error:
        raise CSVError(f"{path}:{line}: column {target!r}: {error}") from None


def read_rows(model, names, path, target=None):
    """(rows, targets) of a CSV: each row the model's values (columns matched by names), targets the target
    column's texts (None without a target); rows with a missing target are left out."""
    path = os.fspath(path)
    rows, targets = [], None if target is None else []
    with _open(path) as f:
        records = stream_records(path, f)
        header, index = _columns(path, records, names)
        if target is not None and target not in header:
            raise CSVError(f"{path}:1: no column named {target!r}, the target given")
        t = None if target is None else header.index(target)
        for line, fields in records:
            check_fields(path, line, fields, header)
            if t is not None and is_missing(fields[t]):
                continue
            try:
                rows.append([parse_value(feature, fields[j], f"column {header[j]!r}")
                             for feature, j in zip(model.features, index, strict=True)])
            except ValueError as error:
                raise CSVError(f"{path}:{line}: {error}") from None
            if t is not None:
                targets.append(fields[t].strip())
    if not rows:
        raise CSVError(f"{path}: no rows")
    return rows, targets
