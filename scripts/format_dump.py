"""Print an annotated hex dump of a FINF file, as shown in docs/FORMAT.md.

    .venv/bin/python scripts/format_dump.py tests/golden/iris.bin           # print the dump
    .venv/bin/python scripts/format_dump.py tests/golden/iris.bin --write   # refresh its dump in docs/FORMAT.md

Offsets are decimal, like the byte offsets in FormatError messages. Floats are shown as the shortest
decimal that reads back as the same float32.
"""

import argparse
import sys
from pathlib import Path

import finf
from finf import format as fmt

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "FORMAT.md"
MARKERS = "<!-- begin dump {name} -->", "<!-- end dump {name} -->"  # one block per dumped file, by its name


def annotated_dump(data):
    """The dump as text: one line per field, or per 16 bytes of a longer field."""
    record = fmt.decode(data)  # only valid files are dumped
    dump = _Dump(data)
    dump.add(4, 'magic "FINF"')
    dump.add(4, f"version {record.version}")
    if record.version == 2:
        dump.normalizer()
    elif isinstance(record, fmt.LanguageRecord):
        dump.section("LANG")
        dump.add(1, f"vocabulary kind {fmt.CHARACTERS} characters")
        dump.add(4, f"block size {record.block_size}")
        dump.add(4, f"vocabulary size {len(record.vocab)}")
        for k, char in enumerate(record.vocab):
            dump.add(4, f"  character {k} {char!r}")
        dump.section("LAYR")
    else:
        dump.section("FEAT")
        dump.add(4, f"feature count {len(record.features)}")
        for i, feature in enumerate(record.features):
            dump.feature(i, feature)
        dump.section("TRGT")
        dump.target(record.target)
        dump.section("LAYR")
    dump.add(4, f"layer count {len(record.layers)}")
    for i, layer in enumerate(record.layers):
        dump.layer(i, layer)
    assert dump.at == len(data)
    return "\n".join(dump.lines) + "\n"


class _Dump:
    """The dump's lines, written field by field from the start of the file."""

    def __init__(self, data):
        self.data, self.at = data, 0
        self.lines = ["offset  bytes (hex)                                       field"]

    def add(self, size, note):
        self.lines.append(f"{self.at:>6}  {self.data[self.at:self.at + size].hex(' '):<48}  {note}")
        self.at += size

    def floats(self, values, name):
        for k in range(0, len(values), 4):
            chunk = values[k:k + 4]
            shown = ", ".join(fmt.format_number(v) for v in chunk)
            self.add(4 * len(chunk), f"{name}[{k}:{k + len(chunk)}] = {shown}")

    def u32(self):
        return int.from_bytes(self.data[self.at:self.at + 4], "little")

    def text(self, name):
        size = self.u32()
        if size <= 12:  # length and text on one line
            self.add(4 + size, f'{name} "{self.data[self.at + 4:self.at + 4 + size].decode()}"')
            return
        self.add(4, f"{name}: length {size}")
        for start in range(0, size, 16):
            chunk = self.data[self.at:self.at + min(16, size - start)]
            self.add(len(chunk), f'  "{chunk.decode("utf-8", "replace")}"')

    def normalizer(self):
        size = self.u32()
        self.add(4, f"normalizer length {size}")
        for start in range(0, size, 16):
            text = self.data[self.at:self.at + min(16, size - start)].decode("ascii")
            self.add(len(text), f'normalizer text "{text}"')

    def section(self, name):
        self.add(8, f"section {name}, length {int.from_bytes(self.data[self.at + 4:self.at + 8], 'little')}")

    def feature(self, i, feature):
        self.text(f"feature {i} name")
        self.add(2, f"  kind {feature.kind}, flags {'0x01 (a fill follows)' if feature.fill is not None else '0x00'}")
        if feature.kind == "numeric":
            fill = "" if feature.fill is None else f", fill {fmt.format_number(feature.fill)}"
            self.add(8 + 4 * bool(fill), f"  mean {fmt.format_number(feature.mean)}, "
                                         f"std {fmt.format_number(feature.std)}{fill}")
            return
        if feature.kind == "text":
            vocabulary = feature.vocabulary
            self.text("  tokenizer")
            self.add(4, f"  tokenizer version {vocabulary.version}")
            self.add(8, f"  vocabulary size {len(vocabulary)}, UNK id {vocabulary.unk}")
            for k in range(len(vocabulary)):
                self.text(f"  entry {k}")
            return
        self.add(4, f"  category count {len(feature.categories)}")
        for k in range(len(feature.categories)):
            self.text(f"  category {k}")
        if feature.fill is not None:
            self.add(4, f"  fill: category {feature.index(feature.fill)} ({feature.fill})")

    def target(self, target):
        self.text("target name")
        if target.task == "regression":
            self.add(9, f"  task 1 regression, mean {fmt.format_number(target.mean)}, "
                        f"std {fmt.format_number(target.std)}")
            return
        self.add(5, f"  task 0 classification, class count {len(target.classes)}")
        for k in range(len(target.classes)):
            self.text(f"  class {k}")

    def layer(self, i, layer):
        if isinstance(layer, finf.Linear):
            self.add(9, f"layer {i}: tag 0 Linear, in_features {layer.in_features}, "
                        f"out_features {layer.out_features}")
            for j, row in enumerate(layer.weight):
                self.floats(row, f"  weight[{j}]")
            self.floats(layer.bias, "  bias")
        elif isinstance(layer, finf.Embedding):
            self.add(9, f"layer {i}: tag 2 Embedding, num_embeddings {layer.num_embeddings}, "
                        f"embedding_dim {layer.embedding_dim}")
            for j, row in enumerate(layer.weight):
                self.floats(row, f"  weight[{j}]")
        elif isinstance(layer, finf.MeanPool):
            self.add(5, f"layer {i}: tag 3 MeanPool, features {layer.features}")
        elif layer.tag == fmt.TAG_ACTIVATION:
            self.add(2, f"layer {i}: tag {layer.tag} Activation, kind {layer.write()[0]} {layer.describe()}")
        else:  # the layers of a language model: their sizes, then each array in file order
            sizes = {finf.PositionEmbedding: 9, finf.LayerNorm: 5, finf.TransformerBlock: 13}
            self.add(sizes[type(layer)], f"layer {i}: tag {layer.tag} {layer.describe()}")
            names = {finf.TransformerBlock: [name for name, _ in finf.TransformerBlock.PARAMETERS],
                     finf.LayerNorm: ["weight", "bias"]}.get(type(layer), ["weight"])
            for name, values in zip(names, layer.parameters(), strict=True):
                self.floats(values, f"  {name}")


def doc_block(data, name):
    begin, end = (marker.format(name=name) for marker in MARKERS)
    return f"{begin}\n```text\n{annotated_dump(data)}```\n{end}"


def replace_block(doc, block, name):
    begin, end = (marker.format(name=name) for marker in MARKERS)
    start, stop = doc.index(begin), doc.index(end) + len(end)
    return doc[:start] + block + doc[stop:]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("model", type=Path)
    parser.add_argument("--write", action="store_true", help=f"replace the dump in {DOC.relative_to(ROOT)}")
    args = parser.parse_args()
    data = args.model.read_bytes()
    if not args.write:
        sys.stdout.write(annotated_dump(data))
        return
    DOC.write_text(replace_block(DOC.read_text(), doc_block(data, args.model.name), args.model.name))
    print(f"{DOC.relative_to(ROOT)}: dump of {args.model} ({len(data)} bytes) written")


if __name__ == "__main__":
    main()
