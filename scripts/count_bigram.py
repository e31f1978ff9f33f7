#!/usr/bin/env python3
"""Write a character bigram language model counted from a text: the model `finf train-lm --model bigram` fits.

Usage: scripts/count_bigram.py CORPUS.txt --out build/writer.bin

The weights are the log of the smoothed next-character frequencies (the exact optimum a bigram trained by
gradient descent approaches), counted on the first 90% of the text; the card reports the loss on the last 10%.
"""

import argparse
import sys
from pathlib import Path

import numpy as np

from finf_train.lm.export import save_lm

SMOOTHING = 0.01  # added to every count, so a pair never seen in training keeps a small probability


def count_bigram(text, val_fraction=0.1):
    """(config, state, val_loss) of the counted bigram of text."""
    vocab = "".join(sorted(set(text)))
    index = {c: k for k, c in enumerate(vocab)}
    ids = np.array([index[c] for c in text])
    split = int(len(ids) * (1 - val_fraction))
    counts = np.full((len(vocab), len(vocab)), SMOOTHING)
    np.add.at(counts, (ids[:split - 1], ids[1:split]), 1)
    log_probs = np.log(counts / counts.sum(axis=1, keepdims=True))
    val = ids[split:]
    val_loss = float(-log_probs[val[:-1], val[1:]].mean()) if len(val) > 1 else None
    config = {"kind": "bigram", "vocab": vocab, "block_size": 1, "n_layer": 0, "n_head": 0, "n_embd": len(vocab)}
    return config, {"wte.weight": log_probs}, val_loss


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", type=Path, metavar="CORPUS.txt", help="UTF-8 text")
    parser.add_argument("--out", type=Path, required=True, metavar="LM.bin")
    args = parser.parse_args(argv)
    try:
        text = args.corpus.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        print(f"count_bigram: {args.corpus}: cannot read UTF-8 text: {error}", file=sys.stderr)
        return 2
    if len(text) < 20:
        print(f"count_bigram: {args.corpus}: at least 20 characters needed, found {len(text)}", file=sys.stderr)
        return 2
    config, state, val_loss = count_bigram(text)
    extra = {"corpus": args.corpus.name, "method": "counted bigram", "characters": len(text)}
    if val_loss is not None:
        extra["val_loss"] = round(val_loss, 4)
    save_lm(args.out, config, state, extra)
    print(f"count_bigram: {args.out}: {len(config['vocab'])} characters, validation loss {val_loss:.4f} nats/char")
    return 0


if __name__ == "__main__":
    sys.exit(main())
