"""Reading a training CSV strictly: every problem names the file, the line, the column and the value.

The file is UTF-8 (a byte-order mark is skipped) with a header row; line ends may be LF or CRLF and fields
may be quoted. Blank lines are skipped. A column is numeric when every value in it is a number (see
values.NUMBER), categorical when none is (or when named in `categorical`); a column mixing the two is an
error naming its first odd cell. Empty cells and the MISSING markers are missing values: `missing` says
whether they are an error (the default), drop their rows, or stay (NaN) to be imputed. Rows whose target is
missing are always dropped. Anything else is a CSVError, raised on the first problem.
"""

import math
import os
import re
from array import array
from typing import NamedTuple

import numpy as np

from .rows import MISSING, CSVError, check_fields, check_header, is_missing, read_records
from .values import is_whole, parse_number, show

__all__ = ["CSVError", "Dataset", "MISSING", "read_csv"]

MAX_CATEGORIES = 50  # distinct values a categorical column may have; more is an id, a name or free text
MISSING_POLICIES = ("error", "drop", "impute")
TASKS = ("auto", "classification", "regression")
# A numeric target with at most this many distinct whole numbers is a class label; with more than
# REGRESSION_LEAST distinct values (or any fraction) it is a quantity. In between, the user says which.
CLASSIFICATION_MOST = 10
REGRESSION_LEAST = 30


class Dataset(NamedTuple):
    X: np.ndarray  # (n_rows, n_features) float64: numbers, or category codes into categories[j]; NaN is missing
    y: np.ndarray  # (n_rows,) int64 class indices into classes, or float64 target values
    feature_names: list  # header names of the feature columns, in file order
    classes: list  # class labels as text, in class-index order; None for regression
    target: str  # header name of the target column
    categories: list  # per feature, its categories in code order (a categorical column), or None (numeric)
    lines: np.ndarray  # (n_rows,) 1-based line number of each row in the file
    source: str  # the path the data came from
    task: str = "classification"  # or "regression"
    dropped: dict = {}  # {"missing_target": rows, "missing_values": rows} left out while reading

    @property
    def kinds(self):
        return ["numeric" if c is None else "categorical" for c in self.categories]


class _Column:
    """What reading has seen of one feature column: numbers and text, each with where it first appeared."""

    def __init__(self, name, categorical):
        self.name, self.categorical = name, categorical
        self.values = array("d")  # the number, or the text's code in self.codes; NaN when missing
        self.codes = {}  # text -> code, in order of first appearance
        self.numbers = self.texts = 0
        self.first_number = self.first_text = self.first_missing = None  # (line, cell)
        self.missing = 0

    def add(self, source, line, cell):
        text = cell.strip()
        if is_missing(text):
            self.missing += 1
            self.first_missing = self.first_missing or (line, cell)
            self.values.append(math.nan)
        elif not self.categorical and (number := _number(source, line, self.name, cell)) is not None:
            self.numbers += 1
            self.first_number = self.first_number or (line, cell)
            self.values.append(number)
        else:
            self.texts += 1
            self.first_text = self.first_text or (line, cell)
            code = self.codes.get(text)
            if code is None:
                if len(self.codes) >= MAX_CATEGORIES and self.categorical:
                    raise CSVError(_too_many(source, line, self.name))
                # Past the cap only the count matters: the column is refused when reading ends.
                code = self.codes.setdefault(text, len(self.codes)) if len(self.codes) <= MAX_CATEGORIES else -1
            self.values.append(code)

    def finish(self, source):
        """(values, categories): categories None for a numeric column; CSVError for a mixed or empty one."""
        if self.numbers and self.texts:
            return self._mixed(source)
        if not self.numbers and not self.texts:
            line = self.first_missing[0]
            raise CSVError(f"{source}:{line}: column {self.name!r}: every value is missing; "
                           f"leave it out with --ignore {_arg(self.name)}")
        values = np.frombuffer(self.values, dtype=np.float64)
        if self.numbers:
            return values, None
        if len(self.codes) > MAX_CATEGORIES:
            raise CSVError(_too_many(source, self.first_text[0], self.name))
        categories = label_order(self.codes)
        recode = np.array([categories.index(text) for text in self.codes], dtype=np.float64)
        present = ~np.isnan(values)
        values = values.copy()
        values[present] = recode[values[present].astype(np.int64)]
        return values, categories

    def _mixed(self, source):
        # The rarer kind is the odd one out: a typo in a numeric column, or a number among categories.
        if self.texts <= self.numbers:
            line, cell = self.first_text
            what = f"expected a number, found {show(cell)} (the column's other values are numbers"
        else:
            line, cell = self.first_number
            what = f"expected a category, found the number {show(cell)} (the column's other values are text"
        raise CSVError(f"{source}:{line}: column {self.name!r}: {what}; if the column holds categories, "
                       f"use --categorical {_arg(self.name)})")


def _number(source, line, column, cell):
    """cell as a float, None if it is text; CSVError for numbers a model cannot hold (inf, 1e400)."""
    try:
        return parse_number(cell)
    except ValueError as error:
        if str(error).startswith("expected a number,"):
            return None
        raise CSVError(f"{source}:{line}: column {column!r}: {error}") from None


def _too_many(source, line, column):
    return (f"{source}:{line}: column {column!r}: more than {MAX_CATEGORIES} distinct values, too many for a "
            f"categorical feature (an id, a name or free text?); leave it out with --ignore {_arg(column)}")


def _arg(name):
    """A column name as the shell would need it after an option."""
    return name if re.fullmatch(r"[\w.-]+", name) else repr(name)


def label_order(labels):
    """Numeric order for whole numbers ('2' before '10'), otherwise sorted text."""
    unique = set(labels)
    if all(is_whole(label) for label in unique):
        return sorted(unique, key=lambda label: (int(label), label))
    return sorted(unique)


def read_csv(path, target, *, task="auto", ignore=(), categorical=(), missing="error"):
    """Read a CSV with a header row into a Dataset, or raise CSVError naming file, line, column and value."""
    if task not in TASKS:
        raise ValueError(f"task must be one of {', '.join(TASKS)}, not {task!r}")
    if missing not in MISSING_POLICIES:
        raise ValueError(f"missing must be one of {', '.join(MISSING_POLICIES)}, not {missing!r}")
    name = os.fspath(path)
    records = read_records(name)
    header_line, header = next(records, (None, None))
    if header is None:
        raise CSVError(f"{name}: empty file: expected a header row and data rows")
    names = _check_header(name, header_line, header, target, set(ignore), set(categorical))
    target_index = names.index(target)
    used = [j for j, column in enumerate(names) if j != target_index and column not in set(ignore)]
    columns = [_Column(names[j], names[j] in set(categorical)) for j in used]
    labels, lines, no_target = [], array("q"), 0
    for line, fields in records:
        check_fields(name, line, fields, names)
        label = fields[target_index].strip()
        if is_missing(label):
            no_target += 1
            continue
        for column, j in zip(columns, used, strict=True):
            column.add(name, line, fields[j])
        labels.append(label)
        lines.append(line)
    if not labels:
        what = "header only: expected data rows after it" if not no_target else f"every row's {target!r} is missing"
        raise CSVError(f"{name}:{header_line}: {what}")
    finished = [column.finish(name) for column in columns]
    X = np.column_stack([values for values, _ in finished]) if finished else np.empty((len(labels), 0))
    dataset = Dataset(X, None, [c.name for c in columns], None, target, [cats for _, cats in finished],
                      np.frombuffer(lines, dtype=np.int64), name, dropped={"missing_target": no_target})
    dataset = _with_target(dataset, labels, task)
    return _apply_missing(dataset, columns, missing)


def _with_target(dataset, labels, task):
    if task == "auto":
        task = _infer_task(dataset, labels)
    if task == "regression":
        values = [_target_number(dataset, label, line) for label, line in zip(labels, dataset.lines, strict=True)]
        return dataset._replace(y=np.array(values, dtype=np.float64), task="regression")
    classes = label_order(labels)
    if len(classes) < 2:
        lines = dataset.lines
        raise CSVError(f"{dataset.source}:{lines[0]}-{lines[-1]}: column {dataset.target!r}: only one class, "
                       f"{show(classes[0])}; training needs at least 2")
    index = {label: i for i, label in enumerate(classes)}
    y = np.array([index[label] for label in labels], dtype=np.int64)
    return dataset._replace(y=y, classes=classes, task="classification")


def _infer_task(dataset, labels):
    """classification for text or a few whole numbers, regression for many numbers; CSVError when unclear."""
    distinct = set(labels)
    numbers = [_parse_or_none(label) for label in distinct]
    if any(number is None for number in numbers):
        return "classification"
    whole = all(number == int(number) for number in numbers)
    if whole and len(distinct) <= CLASSIFICATION_MOST:
        return "classification"
    if not whole or len(distinct) > REGRESSION_LEAST:
        return "regression"
    raise CSVError(
        f"{dataset.source}:{dataset.lines[0]}: column {dataset.target!r}: {len(distinct)} distinct whole numbers "
        "could be classes or a quantity; say which with --task classification or --task regression")


def _parse_or_none(text):
    try:
        return parse_number(text)
    except ValueError:
        return None


def _target_number(dataset, label, line):
    try:
        return parse_number(label)
    except ValueError as error:
        raise CSVError(f"{dataset.source}:{line}: column {dataset.target!r}: {error} "
                       "(a regression target holds numbers)") from None


def _apply_missing(dataset, columns, policy):
    missing = np.isnan(dataset.X)
    rows = missing.any(axis=1)
    if not rows.any() or policy == "impute":
        return dataset
    if policy == "error":
        j = int(np.flatnonzero(missing.any(axis=0))[0])
        count, (line, _) = int(missing[:, j].sum()), columns[j].first_missing
        cells = "1 cell is" if count == 1 else f"{count} cells are"
        raise CSVError(f"{dataset.source}:{line}: column {dataset.feature_names[j]!r}: {cells} missing (the first "
                       "here); use --missing drop to leave out rows with missing values, or --missing impute to "
                       "fill them from the training rows")
    keep = ~rows
    if not keep.any():
        raise CSVError(f"{dataset.source}: every row has a missing value; use --missing impute to fill them")
    dropped = dict(dataset.dropped, missing_values=int(rows.sum()))
    return dataset._replace(X=dataset.X[keep], y=dataset.y[keep], lines=dataset.lines[keep], dropped=dropped)


def _check_header(name, line, header, target, ignore, categorical):
    names = check_header(name, line, header, target)
    listed = ", ".join(repr(column) for column in names[:20])
    for option, wanted in (("", [target]), ("--ignore: ", sorted(ignore)), ("--categorical: ", sorted(categorical))):
        for column in wanted:
            if column not in names:
                raise CSVError(f"{name}:{line}: {option}no column named {column!r}; the header has {listed}")
    if target in ignore | categorical:
        option = "--ignore" if target in ignore else "--categorical"
        raise CSVError(f"{name}:{line}: {option}: {target!r} is the target column")
    if len(set(names) - ignore - {target}) == 0:
        raise CSVError(f"{name}:{line}: no feature columns: the header has only the target {target!r}"
                       + (" and ignored columns" if ignore else ""))
    return names


