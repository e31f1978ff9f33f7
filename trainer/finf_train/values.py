"""Numbers typed by people: the one strict grammar for CSV cells and command-line values."""

import re

# Plain decimals as spreadsheets write them: "5", "-1.5", ".5", "5.", "1e-3". No "1_000", "nan", "inf",
# hex or non-ASCII digits, all of which float() would accept.
NUMBER = re.compile(r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
FLOAT32_MAX = 3.4028234663852886e38  # models store float32, so larger magnitudes cannot be represented
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
