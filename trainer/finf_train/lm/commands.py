"""The finf commands on language-model files: generate, and evaluate and inspect when the file holds one."""

import json
import sys


def run_generate(args):
    from ..commands import open_model  # the one way a model file and its card are opened

    model, _, _ = open_model(args.model)
    if model.task != "generation":
        raise ValueError(f"{args.model}: a {model.task} model, not a language model; use finf predict")
    stream = model.generate(args.prompt, args.length, args.temperature, args.top_k, args.seed)
    out = sys.stdout
    out.write(args.prompt)
    last = args.prompt[-1:]
    for char in stream:  # a character at a time, as it is generated
        out.write(char)
        out.flush()
        last = char
    if last != "\n":
        out.write("\n")


def evaluate(args, model):
    """finf evaluate on a language model: its loss on a UTF-8 text file, in nats (and bits) per character."""
    try:
        with open(args.data, encoding="utf-8") as f:
            text = f.read() if args.max_chars is None else f.read(args.max_chars)
    except UnicodeDecodeError as error:
        raise ValueError(f"{args.data}: not UTF-8 text (byte {error.start}: {error.reason})") from None
    except OSError as error:
        raise ValueError(f"{args.data}: cannot read: {error.strerror or error}") from None
    try:
        loss = model.loss(text)
    except ValueError as error:
        raise ValueError(f"{args.data}: {error}") from None
    scores = {"characters": len(text), "loss": loss, "bits_per_char": loss / 0.6931471805599453}
    if args.json:
        print(json.dumps(scores))
        return
    print(f"{args.data}: {len(text)} characters, loss {loss:.4f} nats/char ({scores['bits_per_char']:.3f} bits/char)")


def inspect(args, model, card, data, digest):
    """finf inspect on a language model: its vocabulary, window, training and layers."""
    print(f"{args.model}: FINF version {model.version}, {len(data)} bytes, sha256 {digest}")
    shown = " ".join(repr(c) for c in model.vocab[:40]) + (" ..." if len(model.vocab) > 40 else "")
    print(f"language model: {model.kind}, {len(model.vocab)} characters, block size {model.block_size}")
    print(f"vocabulary: {shown}")
    if card:
        training, metrics = card.get("training", {}), card.get("metrics", {})
        if training.get("corpus"):
            print(f"trained on: {training['corpus']}" + (f", {training['steps']} steps" if "steps" in training else ""))
        if isinstance(metrics.get("val_loss"), (int, float)):
            print(f"validation loss: {metrics['val_loss']:.4f} nats/char")
    print(f"layers: {len(model.layers)}")
    for i, layer in enumerate(model.layers):
        print(f"  {i}  {layer.describe()}  {sum(len(p) for p in layer.parameters())} parameters")
    print(f"parameters: {sum(len(p) for p in model.parameters())}")
