"""Numbers typed by people: the one strict grammar for CSV cells and command-line values."""

import re

# Plain decimals as spreadsheets write them: "5", "-1.5", ".5", "5.", "1e-3". No "1_000", "nan", "inf",
# hex or non-ASCII digits, all of which float() would accept.
NUMBER = re.compile(r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
FLOAT32_MAX = 3.4028234663852886e38  # models store float32, so larger magnitudes cannot be represented
_NON_FINITE = {"nan", "inf", "infinity"}
_SHOW_CHARS = 40
MAX_DECIMALS = 15


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


def decimals(text):
    """Digits after the decimal point of a valid number, exponent applied, 0 to 15: '5.10' -> 2, '1e-3' -> 3."""
    mantissa, _, exponent = text.strip().lower().partition("e")
    # A long exponent (only possible on zero, e.g. "0e-99999") is clamped before int() sees it.
    shift = int(exponent[:6]) if exponent else 0
    return min(max(len(mantissa.partition(".")[2]) - shift, 0), MAX_DECIMALS)
