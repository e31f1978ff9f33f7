"""Language models for the tests: random GPT and counted bigram state dicts, and a numpy forward pass.

The forward pass is written from the language-model contract (nanoGPT's pre-LayerNorm GPT, torch's (out, in)
weights), independently of the engine, so the engine's logits can be held to it.
"""

import numpy as np

TEXT = "it is a truth universally acknowledged, that a single man\nin possession of a good fortune must be in want.\n"


def gpt_config(vocab, n_layer=2, n_head=2, n_embd=8, block_size=6):
    return {"kind": "gpt", "vocab": vocab, "block_size": block_size, "n_layer": n_layer, "n_head": n_head,
            "n_embd": n_embd}


def gpt_state(config, seed=0, scale=0.5):
    """Random weights, rounded to float32 (as a file stores them), for config."""
    rng = np.random.default_rng(seed)
    v, d, b = len(config["vocab"]), config["n_embd"], config["block_size"]

    def w(*shape, mean=0.0):
        return rng.normal(mean, scale, shape).astype(np.float32).astype(np.float64)

    state = {"wte.weight": w(v, d), "wpe.weight": w(b, d), "ln_f.weight": w(d, mean=1.0), "ln_f.bias": w(d),
             "lm_head.weight": w(v, d), "lm_head.bias": w(v)}
    for i in range(config["n_layer"]):
        state |= {f"h.{i}.ln_1.weight": w(d, mean=1.0), f"h.{i}.ln_1.bias": w(d),
                  f"h.{i}.attn.c_attn.weight": w(3 * d, d), f"h.{i}.attn.c_attn.bias": w(3 * d),
                  f"h.{i}.attn.c_proj.weight": w(d, d), f"h.{i}.attn.c_proj.bias": w(d),
                  f"h.{i}.ln_2.weight": w(d, mean=1.0), f"h.{i}.ln_2.bias": w(d),
                  f"h.{i}.mlp.c_fc.weight": w(4 * d, d), f"h.{i}.mlp.c_fc.bias": w(4 * d),
                  f"h.{i}.mlp.c_proj.weight": w(d, 4 * d), f"h.{i}.mlp.c_proj.bias": w(d)}
    return state


def bigram_counts(text, vocab):
    """(counts[V, V] of each character pair, wte.weight = log of the counted next-character probabilities)."""
    ids = [vocab.index(c) for c in text]
    counts = np.zeros((len(vocab), len(vocab)))
    np.add.at(counts, (ids[:-1], ids[1:]), 1)
    probs = (counts + 1e-3) / (counts + 1e-3).sum(axis=1, keepdims=True)
    return counts, np.log(probs).astype(np.float32).astype(np.float64)


def layer_norm(x, weight, bias):
    mean = x.mean(-1, keepdims=True)
    var = ((x - mean) ** 2).mean(-1, keepdims=True)
    return (x - mean) / np.sqrt(var + 1e-5) * weight + bias


def gelu(x):
    return 0.5 * x * (1 + np.tanh(np.sqrt(2 / np.pi) * (x + 0.044715 * x**3)))


def gpt_logits(config, state, ids):
    """(T, V) logits after each of ids (T <= block_size)."""
    s, t, d, h = state, len(ids), config["n_embd"], config["n_head"]
    hs = d // h
    x = s["wte.weight"][ids] + s["wpe.weight"][:t]
    mask = np.tril(np.ones((t, t), dtype=bool))
    for i in range(config["n_layer"]):
        p = f"h.{i}."
        qkv = layer_norm(x, s[p + "ln_1.weight"], s[p + "ln_1.bias"]) @ s[p + "attn.c_attn.weight"].T
        q, k, v = np.split(qkv + s[p + "attn.c_attn.bias"], 3, axis=1)
        q, k, v = (m.reshape(t, h, hs).transpose(1, 0, 2) for m in (q, k, v))  # (h, T, hs)
        att = np.where(mask, q @ k.transpose(0, 2, 1) / np.sqrt(hs), -np.inf)
        att = np.exp(att - att.max(-1, keepdims=True))
        att /= att.sum(-1, keepdims=True)
        y = (att @ v).transpose(1, 0, 2).reshape(t, d)
        x = x + y @ s[p + "attn.c_proj.weight"].T + s[p + "attn.c_proj.bias"]
        hidden = gelu(layer_norm(x, s[p + "ln_2.weight"], s[p + "ln_2.bias"]) @ s[p + "mlp.c_fc.weight"].T
                      + s[p + "mlp.c_fc.bias"])
        x = x + hidden @ s[p + "mlp.c_proj.weight"].T + s[p + "mlp.c_proj.bias"]
    return layer_norm(x, s["ln_f.weight"], s["ln_f.bias"]) @ s["lm_head.weight"].T + s["lm_head.bias"]


def cross_entropy(logits, targets):
    top = logits.max(-1, keepdims=True)
    log_probs = logits - top - np.log(np.exp(logits - top).sum(-1, keepdims=True))
    return -log_probs[np.arange(len(targets)), targets]
