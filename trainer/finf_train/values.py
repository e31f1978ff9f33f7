"""Values typed by people: the one strict grammar for CSV cells and command-line values.

A cell is a missing-value marker (MISSING), a number (NUMBER) or, for a categorical feature, a category's
name. This module imports nothing heavy, so `finf predict` with values on its command line starts fast.
"""

import re

# Plain decimals as spreadsheets write them: "5", "-1.5", ".5", "5.", "1e-3". No "1_000", "nan", "inf",
# hex or non-ASCII digits, all of which float() would accept.
NUMBER = re.compile(r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
WHOLE = re.compile(r"[+-]?[0-9]{1,18}", re.ASCII)  # ASCII digits only: int() would also take "1_000" and "١"
FLOAT32_MAX = 3.4028234663852886e38  # models store float32, so larger magnitudes cannot be represented
MISSING = frozenset({"", "na", "n/a", "nan", "null", "none"})  # compared lower-cased, spaces stripped
_NON_FINITE = {"nan", "inf", "infinity"}
_SHOW_CHARS = 40


def show(text):
    """repr(text), shortened so an error message stays on one readable line."""
    if len(text) <= _SHOW_CHARS:
        return repr(text)
    return f"{text[:_SHOW_CHARS]!r}... ({len(text)} characters)"


def parse_number(text):
    """float(text) for a plain finite decimal within float32 range; ValueError saying why not."""
    stripped = text.strip()
    if not stripped:
        raise ValueError("missing value")
    if NUMBER.fullmatch(stripped) is None:
        if stripped.lstrip("+-").lower() in _NON_FINITE:
            raise ValueError(f"expected a finite number, found {show(text)}")
        raise ValueError(f"expected a number, found {show(text)}")
    value = float(stripped)
    if not abs(value) <= FLOAT32_MAX:
        raise ValueError(f"expected a number within float32 range (|x| <= 3.4e38), found {show(text)}")
    return value


def is_whole(text):
    """True for a whole number as people type it: an optional sign and 1 to 18 ASCII digits."""
    return WHOLE.fullmatch(text) is not None


def is_missing(cell):
    """True for an empty cell or a missing-value marker (MISSING), in any case, spaces around it or not."""
    return cell.strip().lower() in MISSING


def parse_values(model, names, texts):
    """The row for model.predict from one text per feature; ValueError naming the value that is wrong."""
    if len(texts) != model.n_features:
        raise ValueError(f"expected {model.n_features} feature values, got {len(texts)}")
    return [parse_value(feature, text, f"value {i + 1} of {len(texts)} ({name!r})")
            for i, (feature, name, text) in enumerate(zip(model.features, names, texts, strict=True))]


def parse_value(feature, text, where):
    """The engine's value for one cell of a model feature: None (missing), a category's name or a number; a text
    feature's cell is its text as it is (an empty cell is an empty text)."""
    if feature.kind == "text":
        return text
    if is_missing(text):
        if feature.fill is None:
            raise ValueError(f"{where}: missing value {text!r}, and the model was not trained to fill it "
                             "(finf train --missing impute does)")
        return None
    if feature.kind == "categorical":
        return text.strip()
    try:
        return parse_number(text)
    except ValueError as error:
        raise ValueError(f"{where}: {error}") from None
