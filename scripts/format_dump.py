"""Print an annotated hex dump of a FINF file, as shown in docs/FORMAT.md.

    .venv/bin/python scripts/format_dump.py tests/golden/iris.bin           # print the dump
    .venv/bin/python scripts/format_dump.py tests/golden/iris.bin --write   # refresh docs/FORMAT.md

Offsets are decimal, like the byte offsets in FormatError messages. Floats are shown as the shortest
decimal that reads back as the same float32.
"""

import argparse
import sys
from pathlib import Path

from finf import _format

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "FORMAT.md"
BEGIN, END = "<!-- begin dump -->", "<!-- end dump -->"
KIND_NAMES = {"identity": "Identity", "relu": "ReLU", "sigmoid": "Sigmoid", "tanh": "Tanh", "softmax": "Softmax"}


def annotated_dump(data):
    """The dump as text: one line per field, or per 16 bytes of a longer field."""
    record = _format.decode(data)  # only valid files are dumped
    lines = ["offset  bytes (hex)                                       field"]

    def add(offset, size, note):
        lines.append(f"{offset:>6}  {data[offset:offset + size].hex(' '):<48}  {note}")
        return offset + size

    def add_floats(offset, values, name):
        for k in range(0, len(values), 4):
            shown = ", ".join(_format.format_number(v) for v in values[k:k + 4])
            offset = add(offset, 4 * len(values[k:k + 4]), f"{name}[{k}:{k + len(values[k:k + 4])}] = {shown}")
        return offset

    offset = add(0, 4, 'magic "FINF"')
    offset = add(offset, 4, f"version {record.version}")
    size = int.from_bytes(data[8:12], "little")
    offset = add(offset, 4, f"normalizer length {size}")
    for start in range(0, size, 16):
        text = data[offset:offset + min(16, size - start)].decode("ascii")
        offset = add(offset, len(text), f'normalizer text "{text}"')
    offset = add(offset, 4, f"layer count {len(record.layers)}")
    for i, layer in enumerate(record.layers):
        if isinstance(layer, _format.Linear):
            offset = add(offset, 9, f"layer {i}: tag 0 Linear, in_features {layer.in_features}, "
                                    f"out_features {layer.out_features}")
            for j, row in enumerate(layer.weight):
                offset = add_floats(offset, row, f"  weight[{j}]")
            offset = add_floats(offset, layer.bias, "  bias")
        else:
            kind = _format.ACTIVATION_KINDS.index(layer.kind)
            offset = add(offset, 2, f"layer {i}: tag 1 Activation, kind {kind} {KIND_NAMES[layer.kind]}")
    assert offset == len(data)
    return "\n".join(lines) + "\n"


def doc_block(data):
    return f"{BEGIN}\n```text\n{annotated_dump(data)}```\n{END}"


def replace_block(doc, block):
    start, end = doc.index(BEGIN), doc.index(END) + len(END)
    return doc[:start] + block + doc[end:]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("model", type=Path)
    parser.add_argument("--write", action="store_true", help=f"replace the dump in {DOC.relative_to(ROOT)}")
    args = parser.parse_args()
    data = args.model.read_bytes()
    if not args.write:
        sys.stdout.write(annotated_dump(data))
        return
    DOC.write_text(replace_block(DOC.read_text(), doc_block(data)))
    print(f"{DOC.relative_to(ROOT)}: dump of {args.model} ({len(data)} bytes) written")


if __name__ == "__main__":
    main()
