#!/usr/bin/env python3
"""Write Jane Austen's six novels to build/data/austen.txt, from Debian's package r-cran-janeaustenr.

The package stores each novel as an R character vector (one element per line of the book) in R's lazy-load
database, data/Rdata.rdx (a gzipped serialized index: name -> offset and length in the .rdb) and
data/Rdata.rdb (per object, a 4-byte big-endian length then a zlib stream of the serialized object). R is not
needed: this script reads the XDR serialization format (R Internals, "Serialization Formats") for the few
types the data uses. The .deb comes from `apt-get download` (no root, no install) unless --deb names one,
or the package is installed already.

Usage: scripts/fetch_austen.py [--deb FILE.deb] [--out build/data/austen.txt]
"""

import argparse
import gzip
import os
import struct
import subprocess
import sys
import tempfile
import zlib

PACKAGE = "r-cran-janeaustenr"
INSTALLED = "/usr/lib/R/site-library/janeaustenr"
# The novels in publication order, by the names the package gives them.
NOVELS = ("sensesensibility", "prideprejudice", "mansfieldpark", "emma", "northangerabbey", "persuasion")
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# SEXP types (R Internals, section 1.1) and the serializer's pseudo-types.
SYMSXP, LISTSXP, CLOSXP, PROMSXP, LANGSXP, CHARSXP, LGLSXP, INTSXP, REALSXP, STRSXP, VECSXP = (
    1, 2, 3, 5, 6, 9, 10, 13, 14, 16, 19)
REFSXP, NILVALUE_SXP, GLOBALENV_SXP, EMPTYENV_SXP, BASEENV_SXP = 255, 254, 253, 242, 241
PAIRLISTS = (LISTSXP, CLOSXP, PROMSXP, LANGSXP)
NA_INTEGER = -(2**31)
LATIN1_MASK = 1 << 2


class RData:
    """A reader of one XDR-serialized R object, enough for character, integer, real and list vectors."""

    def __init__(self, data):
        self.data, self.pos, self.refs = data, 0, []
        if data[:2] != b"X\n":
            raise ValueError(f"expected R's XDR serialization ('X\\n'), found {data[:2]!r}")
        self.pos = 2
        version = self.int()
        self.int(), self.int()  # the writer's R version and the oldest that can read it
        if version == 3:
            self.bytes(self.int())  # the native encoding's name
        elif version != 2:
            raise ValueError(f"R serialization version {version} is not supported (2 or 3)")

    def bytes(self, n):
        if self.pos + n > len(self.data):
            raise ValueError(f"R data ends at byte {len(self.data)}, expected {n} bytes at {self.pos}")
        chunk = self.data[self.pos:self.pos + n]
        self.pos += n
        return chunk

    def int(self):
        return struct.unpack(">i", self.bytes(4))[0]

    def length(self):
        n = self.int()
        return n if n != -1 else (self.int() << 32) + self.int()  # a long vector's length takes two ints

    def item(self):
        """The next object: a str (None for NA) for a CHARSXP, a list for a vector, a dict for a named list."""
        flags = self.int()
        kind, has_attr, has_tag = flags & 0xFF, flags & (1 << 9), flags & (1 << 10)
        if kind in (NILVALUE_SXP, GLOBALENV_SXP, EMPTYENV_SXP, BASEENV_SXP):
            return None
        if kind == REFSXP:
            index = flags >> 8 or self.int()
            return self.refs[index - 1]
        if kind == SYMSXP:
            name = self.item()
            self.refs.append(name)
            return name
        if kind in PAIRLISTS:
            if has_attr:
                self.item()
            tag = self.item() if has_tag else None
            head = {tag: self.item()}
            rest = self.item()  # the CDR: the next cell of the pairlist, or NULL
            return head | (rest or {})
        if kind == CHARSXP:
            n = self.int()
            if n == -1:
                return None  # NA_character_
            encoding = "latin-1" if (flags >> 12) & LATIN1_MASK else "utf-8"
            return self.bytes(n).decode(encoding)
        value = self.vector(kind)
        names = (self.item() or {}).get("names") if has_attr else None
        return dict(zip(names, value, strict=True)) if names and kind == VECSXP else value

    def vector(self, kind):
        n = self.length()
        if kind in (STRSXP, VECSXP):
            return [self.item() for _ in range(n)]
        if kind in (INTSXP, LGLSXP):
            return [None if v == NA_INTEGER else v for v in struct.unpack(f">{n}i", self.bytes(4 * n))]
        if kind == REALSXP:
            return list(struct.unpack(f">{n}d", self.bytes(8 * n)))
        raise ValueError(f"R object type {kind} at byte {self.pos} is not supported")


def read_objects(directory):
    """{name: value} for every object in a lazy-load database: directory's Rdata.rdx index and Rdata.rdb."""
    with open(os.path.join(directory, "Rdata.rdx"), "rb") as f:
        index = RData(gzip.decompress(f.read())).item()  # a named list: variables, references, compressed
    with open(os.path.join(directory, "Rdata.rdb"), "rb") as f:
        rdb = f.read()
    objects = {}
    for name, (offset, length) in index["variables"].items():
        blob = rdb[offset:offset + length]
        size = struct.unpack(">I", blob[:4])[0]  # then a zlib stream (the database's compress = TRUE)
        raw = zlib.decompress(blob[4:])
        if len(raw) != size:
            raise ValueError(f"{name}: expected {size} bytes after decompressing, found {len(raw)}")
        objects[name] = RData(raw).item()
    return objects


def package_data(deb, work):
    """The package's data directory: installed, or unpacked into the directory work from deb (downloaded if None)."""
    if deb is None and os.path.isdir(os.path.join(INSTALLED, "data")):
        return os.path.join(INSTALLED, "data")
    if deb is None:
        subprocess.run(["apt-get", "download", PACKAGE], cwd=work, check=True, capture_output=True)
        deb = os.path.join(work, next(f for f in os.listdir(work) if f.endswith(".deb")))
    subprocess.run(["dpkg-deb", "-x", deb, work], check=True)
    return os.path.join(work, INSTALLED.lstrip("/"), "data")


def main(argv=None):
    parser = argparse.ArgumentParser(description="Write Jane Austen's six novels to one UTF-8 text file.")
    parser.add_argument("--deb", help=f"a downloaded {PACKAGE} .deb (default: apt-get download it)")
    parser.add_argument("--out", default=os.path.join(ROOT, "build", "data", "austen.txt"))
    args = parser.parse_args(argv)
    try:
        with tempfile.TemporaryDirectory(prefix="finf-austen-") as work:
            objects = read_objects(package_data(args.deb, work))
    except (OSError, subprocess.CalledProcessError, ValueError, zlib.error) as error:
        print(f"fetch_austen: error: cannot read {PACKAGE}: {error}", file=sys.stderr)
        return 1
    missing = [name for name in NOVELS if name not in objects]
    if missing:
        print(f"fetch_austen: error: {PACKAGE} lacks {', '.join(missing)}", file=sys.stderr)
        return 1
    # Each novel is a vector of lines; NA never occurs in them, but an empty string is a blank line.
    text = "\n\n".join("\n".join(line or "" for line in objects[name]) for name in NOVELS) + "\n"
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    with open(args.out, "w", encoding="utf-8", newline="\n") as f:
        f.write(text)
    print(f"fetch_austen: wrote {args.out}: {len(NOVELS)} novels, {len(text)} characters, {len(set(text))} distinct")
    return 0


if __name__ == "__main__":
    sys.exit(main())
