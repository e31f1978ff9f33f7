"""scripts/fetch_austen.py reads R's lazy-load database: checked on a small one built here in R's XDR format."""

import gzip
import struct
import sys
import zlib
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "scripts"))

import fetch_austen  # noqa: E402

HEADER = b"X\n" + struct.pack(">iii", 3, 0x040201, 0x030500) + struct.pack(">i", 5) + b"UTF-8"
STRSXP, VECSXP, INTSXP, LISTSXP, SYMSXP, CHARSXP, NIL = 16, 19, 13, 2, 1, 9, 254
UTF8, HAS_ATTR, HAS_TAG = 1 << 3 << 12, 1 << 9, 1 << 10


def charsxp(text):
    if text is None:
        return struct.pack(">ii", CHARSXP, -1)
    data = text.encode("utf-8")
    return struct.pack(">ii", CHARSXP | UTF8, len(data)) + data


def strsxp(items, attributes=b""):
    flags = STRSXP | (HAS_ATTR if attributes else 0)
    return struct.pack(">ii", flags, len(items)) + b"".join(charsxp(s) for s in items) + attributes


def names_attribute(names):
    """The pairlist (names = c(...)) that R writes after a named vector."""
    symbol = struct.pack(">i", SYMSXP) + charsxp("names")
    return struct.pack(">i", LISTSXP | HAS_TAG) + symbol + strsxp(names) + struct.pack(">i", NIL)


def named_list(items):
    body = b"".join(items.values())
    return struct.pack(">ii", VECSXP | HAS_ATTR, len(items)) + body + names_attribute(list(items))


def intsxp(values):
    return struct.pack(f">ii{len(values)}i", INTSXP, len(values), *values)


def database(tmp_path, objects):
    """Rdata.rdb and Rdata.rdx in tmp_path holding objects {name: serialized body}, as R's lazy-load writes them."""
    rdb, variables = b"", {}
    for name, body in objects.items():
        raw = HEADER + body
        blob = struct.pack(">I", len(raw)) + zlib.compress(raw)
        variables[name] = intsxp([len(rdb), len(blob)])
        rdb += blob
    index = named_list({"variables": named_list(variables), "references": struct.pack(">i", NIL)})
    (tmp_path / "Rdata.rdb").write_bytes(rdb)
    (tmp_path / "Rdata.rdx").write_bytes(gzip.compress(HEADER + index))
    return tmp_path


def test_reads_character_vectors_from_a_lazy_load_database(tmp_path):
    lines = {"emma": ["EMMA", "", "Emma Woodhouse, handsome, clever, and rich, with a comfortable home"],
             "persuasion": ["PERSUASION", "Sir Walter Elliot, of Kellynch Hall, in Somersetshire \u00a3"]}
    objects = fetch_austen.read_objects(database(tmp_path, {name: strsxp(v) for name, v in lines.items()}))
    assert objects == lines


def test_na_strings_and_names_attributes(tmp_path):
    body = strsxp(["a", None], attributes=names_attribute(["first", "second"]))
    assert fetch_austen.read_objects(database(tmp_path, {"x": body})) == {"x": ["a", None]}


def test_writes_the_novels_in_order(tmp_path, monkeypatch):
    novels = {name: strsxp([name.upper(), "", "text of " + name]) for name in reversed(fetch_austen.NOVELS)}
    monkeypatch.setattr(fetch_austen, "package_data", lambda deb, work: database(tmp_path, novels))
    out = tmp_path / "austen.txt"
    assert fetch_austen.main(["--out", str(out)]) == 0
    text = out.read_text(encoding="utf-8")
    assert text.startswith("SENSESENSIBILITY\n\ntext of sensesensibility\n\nPRIDEPREJUDICE\n")
    assert text.endswith("text of persuasion\n")


def test_damaged_data_is_one_error_line(tmp_path, monkeypatch, capsys):
    directory = database(tmp_path, {"emma": strsxp(["EMMA"])})
    (directory / "Rdata.rdb").write_bytes(b"\x00\x00\x00\x10garbage")
    monkeypatch.setattr(fetch_austen, "package_data", lambda deb, work: directory)
    assert fetch_austen.main(["--out", str(tmp_path / "austen.txt")]) == 1
    assert capsys.readouterr().err.startswith("fetch_austen: error: cannot read r-cran-janeaustenr:")
    assert not (tmp_path / "austen.txt").exists()


def test_a_truncated_object_names_where_it_ends():
    with pytest.raises(ValueError, match="R data ends at byte"):
        fetch_austen.RData(HEADER + struct.pack(">ii", STRSXP, 3)).item()
