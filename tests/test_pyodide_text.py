"""Text in real Pyodide (Python 3.14): the tokenizer gives CPython 3.11's tokens, and a text model the same bits."""

import json

import pytest

import finf
import hostile_v3
from pyodide_harness import run_in_pyodide
from test_text import TRICKY, text_model

pytestmark = pytest.mark.pyodide

# Beyond the pinned cases: scripts and symbols whose Unicode properties differ between the two Pythons' Unicode
# versions, a long text past the cap, and every code point from U+0000 to U+2FFF in one text.
EXTRA = ["Garay \U00010d50\U00010d70 Latin \ua7cb\ua7cc Kawi \U00011f04 x", "Spam! " * 170_000,
         "".join(chr(c) for c in range(0x3000) if not 0xD800 <= c < 0xE000)]

PYODIDE_CODE = """
import json, sys
import finf
from finf._tokens import words
spec = json.load(open("spec.json"))
model = finf.load(open("text.bin", "rb").read())
hidden = finf.load(open("hidden.bin", "rb").read())
print(json.dumps({
    "version": sys.version_info[:2],
    "tokens": [words(text) for text in spec["texts"]],
    "probabilities": [repr(model.predict_proba(text)) for text in spec["texts"]],
    "hidden": [repr(hidden.predict_proba(text)) for text in spec["texts"]],
    "explained": [[[token, [repr(x) for x in shares]] for token, shares in model.explain(text)]
                  for text in spec["texts"]],
}))
"""


def test_pyodide_tokenizes_and_predicts_text_as_cpython_does():
    from finf._tokens import words

    texts = [text for text, _ in TRICKY] + EXTRA
    model, hidden = finf.load(hostile_v3.VALID_TEXT), text_model(hidden=True)
    files = {"spec.json": json.dumps({"texts": texts}).encode(), "text.bin": hostile_v3.VALID_TEXT,
             "hidden.bin": finf.dumps(hidden)}
    result = json.loads(run_in_pyodide(PYODIDE_CODE, files))
    assert tuple(result["version"]) >= (3, 12)  # a different Python, with a newer Unicode database
    assert result["tokens"] == [words(text) for text in texts]
    assert result["probabilities"] == [repr(model.predict_proba(text)) for text in texts]
    hidden = finf.load(finf.dumps(hidden))
    assert result["hidden"] == [repr(hidden.predict_proba(text)) for text in texts]
    # Tokens compared as strings (repr() escapes what each Python's Unicode database calls unprintable).
    assert result["explained"] == [[[token, [repr(x) for x in shares]] for token, shares in model.explain(text)]
                                   for text in texts]
