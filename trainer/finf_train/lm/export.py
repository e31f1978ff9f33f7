"""A trained language model as an engine LanguageModel, and its file and card written together.

The trainer describes a model as config (kind, vocab, block_size, n_layer, n_head, n_embd) and state (name ->
float64 numpy array, nanoGPT's names and shapes); docs/ARCHITECTURE.md's language-model section lists them.
"""

import os

import numpy as np

import finf

from .. import card as model_card
from .. import files
from ..card import sha256

KINDS = ("bigram", "gpt")


def _f32(array):
    """Rounded to float32 as the file stores it, so the model in memory is the model read back."""
    return np.asarray(array, dtype=np.float32).astype(np.float64).tolist()


def _shape(state, name, shape):
    if name not in state:
        raise ValueError(f"state has no {name!r}")
    if tuple(np.shape(state[name])) != shape:
        raise ValueError(f"state {name!r}: expected shape {shape}, found {tuple(np.shape(state[name]))}")
    return _f32(state[name])


def to_model(config, state):
    """The finf.LanguageModel computing what config and state describe; ValueError naming a missing or bad array."""
    kind, vocab = config.get("kind"), config.get("vocab")
    if kind not in KINDS:
        raise ValueError(f"config 'kind': expected one of {KINDS}, found {kind!r}")
    if not isinstance(vocab, str) or not vocab:
        raise ValueError("config 'vocab': expected the characters, in id order")
    size = len(vocab)
    if kind == "bigram":
        return finf.LanguageModel(vocab, 1, [finf.Embedding(size, size, _shape(state, "wte.weight", (size, size)))])
    d, block, n_head = int(config["n_embd"]), int(config["block_size"]), int(config["n_head"])
    layers = [finf.Embedding(size, d, _shape(state, "wte.weight", (size, d))),
              finf.PositionEmbedding(block, d, _shape(state, "wpe.weight", (block, d)))]
    mlp = 4 * d
    for i in range(int(config["n_layer"])):
        params = {name: _shape(state, f"h.{i}.{name}", shape(d, mlp))
                  for name, shape in finf.TransformerBlock.PARAMETERS}
        layers.append(finf.TransformerBlock(d, n_head, mlp, params))
    layers.append(finf.LayerNorm(d, _shape(state, "ln_f.weight", (d,)), _shape(state, "ln_f.bias", (d,))))
    layers.append(finf.Linear(d, size, _shape(state, "lm_head.weight", (size, d)),
                              _shape(state, "lm_head.bias", (size,))))
    return finf.LanguageModel(vocab, block, layers)


def make_card(model, model_bytes, card_extra=None, model_file="model.bin"):
    """The card of a language model: what the page and the CLI show, and what training knows (card_extra)."""
    extra = dict(card_extra or {})
    metrics = {key: extra.pop(key) for key in ("val_loss", "train_loss") if key in extra}
    return {
        "format": "FINF",
        "version": model.version,
        "model_file": model_file,
        "size_bytes": len(model_bytes),
        "sha256": sha256(model_bytes).hexdigest(),
        "task": "generation",
        "kind": model.kind,
        "vocab": model.vocab,
        "block_size": model.block_size,
        "architecture": {"layers": [layer.describe() for layer in model.layers],
                         "parameters": sum(len(p) for p in model.parameters())},
        "training": extra,
        "metrics": metrics,
    }


def save_lm(path, config, state, card_extra=None):
    """Write the model file and its card (path.bin -> path.json) atomically; return the card.

    card_extra holds what training knows, e.g. {"corpus": "austen.txt", "val_loss": 1.48, "train_loss": 1.41,
    "steps": 3000}; val_loss and train_loss go under the card's metrics, the rest under training.
    """
    path = files.check_out(path)
    model = to_model(config, state)
    data = finf.dumps(model)
    card = make_card(model, data, card_extra, model_file=os.path.basename(path))
    files.write_atomic({path: data, model_card.card_path(path): model_card.dumps(card).encode("utf-8")})
    return card
