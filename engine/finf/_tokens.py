"""Tokenizers, specified exactly, and the Vocabulary that maps their tokens to ids.

A model stores its tokenizer by name and version (TOKENIZERS), so CPython 3.11, Pyodide's 3.14 and the
page split a text into the same tokens. The one tokenizer so far, "words" version 1:

1. A word is a maximal run of word characters; runs joined by one apostrophe (' U+0027 or ’ U+2019)
   are one word ("don't", "rock'n'roll"). Word characters are the ASCII letters and digits and the
   code points in WORD_RANGES: letters, marks and digits of the world's scripts by block. Everything
   else separates words: ASCII punctuation, spaces and controls, U+0080-U+00BF (Latin-1 symbols and
   the no-break space), × and ÷, U+1680, U+2000-U+2BFF (punctuation, symbols, arrows), U+2E00-U+303F,
   surrogates, private use, variation selectors, fullwidth punctuation and U+1F000 up (emoji).
   The ranges are fixed code points, not Unicode properties, which change between Python versions.
2. Each word is lower-cased. A word whose code points are all below U+0530 (Latin, IPA, combining
   marks, Greek, Cyrillic) is first put in Unicode NFC, so "é" typed as e + U+0301 is "é", then
   lower-cased with str.lower(). In any other word only the code points below U+0530 are lower-cased.
   (Below U+0530 every code point was assigned by Unicode 7, so its NFC and lower case are the same
   in every Python finf runs in; beyond it, new Unicode versions add letters and case pairs.)
   U+2019 becomes U+0027.
3. Only the first MAX_TOKENS words count; the rest of a longer text is not read.

A Vocabulary lists its entries in id order and names its UNK id, which every token not listed maps to.
In a file (a text feature of FEAT, see format.py): text tokenizer name, u32 tokenizer version, u32 V
(2..MAX_VOCABULARY), u32 UNK id (< V), then V texts, unique. Every entry but UNK's is a token the
tokenizer gives for that text alone; UNK's is a text it never gives as one token (such as "<unk>").
"""

import itertools
import re
import unicodedata

from . import _io

MAX_TOKENS = 512
MAX_VOCABULARY = 262144
UNK = "<unk>"  # the text the trainer gives UNK's entry
WORD_RANGES = (
    "\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u167f\u1681-\u1fff"  # Latin, IPA, marks, Greek, Cyrillic ... Greek Extended
    "\u2c00-\u2dff\u3040-\u9fff\ua000-\ud7ff\uf900-\ufdff\ufe70-\ufefe"  # Glagolitic ... Hangul, presentation forms
    "\uff10-\uff19\uff21-\uff3a\uff41-\uff5a\uff66-\uffdc"  # fullwidth digits and letters, halfwidth kana
    "\U00010000-\U0001efff\U00020000-\U0003ffff"  # historic scripts, mathematical letters, CJK extensions
)
_CHARS = f"0-9A-Za-z{WORD_RANGES}"
_WORD = re.compile(f"[{_CHARS}]+(?:['\u2019][{_CHARS}]+)*")
_ASCII_WORD = re.compile("[0-9a-z]+(?:'[0-9a-z]+)*")
_SHORT = 4096  # characters: a text this short is split in one findall; a longer one match by match, up to the cap
_STABLE = "\u0530"  # code points below it lower-case and compose the same in every Python finf supports


def words(text):
    """The "words" version 1 tokens of text (see the module docstring)."""
    if text.isascii():
        lowered = text.lower()
        if len(text) <= _SHORT:
            return _ASCII_WORD.findall(lowered)[:MAX_TOKENS]
        return [m.group() for m in itertools.islice(_ASCII_WORD.finditer(lowered), MAX_TOKENS)]
    return [_lower(m.group()) for m in itertools.islice(_WORD.finditer(text), MAX_TOKENS)]


def word_spans(text):
    """(start, end) in text of each token words(text) gives, in order."""
    return [m.span() for m in itertools.islice(_WORD.finditer(text), MAX_TOKENS)]


def _lower(word):
    word = word.replace("\u2019", "'")
    if max(word) < _STABLE:
        return unicodedata.normalize("NFC", word).lower()
    return "".join(c.lower() if c < _STABLE else c for c in word)


TOKENIZERS = {("words", 1): words}  # (name, version) -> tokenize(text) -> list of str
SPANS = {("words", 1): word_spans}


class Vocabulary:
    """Entries in id order, one of them UNK's; ids(text) tokenizes a text and maps each token to its id."""

    def __init__(self, tokens, unk=0, tokenizer="words", version=1):
        self.tokens = tuple(str(t) for t in tokens)
        self.unk, self.tokenizer, self.version = unk, tokenizer, version
        if (tokenizer, version) not in TOKENIZERS:
            raise ValueError(f"unknown tokenizer {tokenizer!r} version {version}; finf knows {_known()}")
        self.tokenize = TOKENIZERS[tokenizer, version]
        if not 2 <= len(self.tokens) <= MAX_VOCABULARY:
            raise ValueError(f"a vocabulary has 2 to {MAX_VOCABULARY} entries, not {len(self.tokens)}")
        if not (isinstance(unk, int) and 0 <= unk < len(self.tokens)):
            raise ValueError(f"the UNK id must be an entry's id, 0 to {len(self.tokens) - 1}, not {unk!r}")
        self.index = {}
        for i, token in enumerate(self.tokens):
            problem = self.problem(i, token)
            if problem:
                raise ValueError(f"vocabulary entry {i} {token!r}: {problem}")
            self.index[token] = i
        del self.index[self.tokens[unk]]  # UNK's text is not a token: no text maps to it by name

    def problem(self, i, token):
        """What is wrong with token as entry i (None if nothing): the one rule the reader and the writer share."""
        if token in self.index:
            return "expected an entry not listed before"
        single = self.tokenize(token) == [token]
        if i == self.unk and single:
            return "expected an UNK text that the tokenizer never gives as a token"
        if i != self.unk and not single:
            return f"expected a token of {self.tokenizer!r} version {self.version} (its own tokens: " \
                   f"{self.tokenize(token)[:3]!r})"
        return None

    def __len__(self):
        return len(self.tokens)

    def ids(self, text):
        """The id of each token of text, UNK's for a token not in the vocabulary."""
        get, unk = self.index.get, self.unk
        return [get(token, unk) for token in self.tokenize(text)]

    @classmethod
    def read(cls, cursor, field):
        """The vocabulary that comes next in cursor; field names it in messages."""
        at = cursor.offset
        name = cursor.text(f"{field} tokenizer")
        version = cursor.u32(f"{field} tokenizer version")
        if (name, version) not in TOKENIZERS:
            cursor.fail(f"{field} tokenizer", f"one finf knows: {_known()}", f"{_io.quote(name)} version {version}", at)
        size = cursor.count(f"{field} size", 2, MAX_VOCABULARY, 5)  # an entry takes 5 bytes at least
        at = cursor.offset
        unk = cursor.u32(f"{field} UNK id")
        if unk >= size:
            cursor.fail(f"{field} UNK id", f"an entry's id, 0 to {size - 1}", unk, at)
        vocabulary = cls.__new__(cls)
        vocabulary.tokens, vocabulary.unk, vocabulary.tokenizer, vocabulary.version = (), unk, name, version
        vocabulary.tokenize, vocabulary.index = TOKENIZERS[name, version], {}
        tokens = []
        for i in range(size):
            at = cursor.offset
            token = cursor.text(f"{field} entry {i}")
            problem = vocabulary.problem(i, token)
            if problem:
                cursor.fail(f"{field} entry {i}", problem.removeprefix("expected "), _io.quote(token), at)
            vocabulary.index[token] = i
            tokens.append(token)
        vocabulary.tokens = tuple(tokens)
        del vocabulary.index[tokens[unk]]
        return vocabulary

    def write(self):
        parts = [_io.pack_text(self.tokenizer, "tokenizer"), _io.pack_u32(self.version), _io.pack_u32(len(self)),
                 _io.pack_u32(self.unk)]
        parts += [_io.pack_text(token, f"vocabulary entry {i}") for i, token in enumerate(self.tokens)]
        return b"".join(parts)

    def __eq__(self, other):
        return type(other) is type(self) and (self.tokens, self.unk, self.tokenizer, self.version) == (
            other.tokens, other.unk, other.tokenizer, other.version)

    __hash__ = None

    def __repr__(self):
        return f"Vocabulary({len(self)} entries, unk={self.unk}, tokenizer={self.tokenizer!r} v{self.version})"


def _known():
    return ", ".join(f"{name!r} version {version}" for name, version in TOKENIZERS)
