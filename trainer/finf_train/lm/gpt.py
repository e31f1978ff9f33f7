"""A character GPT: nanoGPT's model (pre-LayerNorm transformer, no dropout) with hand-written numpy backward."""

import numpy as np

from ..nn import Block, Embedding, LayerNorm, Linear, Module, flatten

INIT_STD = 0.02


class GPT(Module):
    """ids (B, T) -> logits (B, T, vocab_size); parameters named as nanoGPT's (see state()).

    Initialised as nanoGPT: N(0, 0.02) weights and embeddings, zero biases, the residual projections
    (attn.c_proj, mlp.c_proj) N(0, 0.02 / sqrt(2 n_layer)); LayerNorms at weight 1, bias 0.
    """

    def __init__(self, vocab_size, block_size, n_layer, n_head, n_embd, rng=None, dtype=np.float64):
        rng = np.random.default_rng() if rng is None else rng
        self.vocab_size, self.block_size = int(vocab_size), int(block_size)
        self.n_layer, self.n_head, self.n_embd = int(n_layer), int(n_head), int(n_embd)
        self.wte = Embedding(vocab_size, n_embd, rng)
        self.wpe = Embedding(block_size, n_embd, rng)
        self.h = [Block(n_embd, n_head, rng) for _ in range(n_layer)]
        self.ln_f = LayerNorm(n_embd)
        self.lm_head = Linear(n_embd, vocab_size, rng)
        for name, p in self.named_parameters():
            if name.endswith("c_proj.weight"):
                p[...] = rng.normal(0.0, INIT_STD / np.sqrt(2 * n_layer), p.shape)
            elif name.endswith(".bias") and "ln_" not in name:
                p[...] = 0.0
            elif p.ndim == 2:
                p[...] = rng.normal(0.0, INIT_STD, p.shape)
        flatten(self, dtype)  # float32 trains about twice as fast; state() is float64 either way

    @classmethod
    def from_state(cls, config, state):
        """The float64 GPT that a contract config and state describe (e.g. to compare the engine's logits with)."""
        model = cls(len(config["vocab"]), config["block_size"], config["n_layer"], config["n_head"],
                    config["n_embd"], np.random.default_rng(0))
        for name, p in model.named_parameters():
            p[...] = state[name]
        return model

    def children(self):
        return (self.wte, self.wpe, *self.h, self.ln_f, self.lm_head)

    def forward(self, ids):
        b, t = ids.shape
        if t > self.block_size:
            raise ValueError(f"a sequence of {t} is longer than the block size {self.block_size}")
        x = self.wte.forward(ids) + self.wpe.forward(np.arange(t))  # (B, T, D)
        for block in self.h:
            x = block.forward(x)
        return self.lm_head.forward(self.ln_f.forward(x))  # (B, T, V)

    def backward(self, grad_logits):
        grad = self.ln_f.backward(self.lm_head.backward(grad_logits))
        for block in reversed(self.h):
            grad = block.backward(grad)
        self.wte.backward(grad)
        self.wpe.backward(grad.sum(axis=0))  # every sequence uses positions 0..T-1
        return None

    def decay_mask(self):
        """1 for each element of flat that weight decay applies to (matrices and embeddings), else 0."""
        flags = [np.full(p.size, 1.0 if p.ndim == 2 else 0.0, self.flat.dtype) for p in self.parameters()]
        return np.concatenate(flags)

    def config(self, vocab):
        """The model description of the LM contract (kind, vocab, block_size, n_layer, n_head, n_embd)."""
        return {"kind": "gpt", "vocab": vocab, "block_size": self.block_size, "n_layer": self.n_layer,
                "n_head": self.n_head, "n_embd": self.n_embd}

    def state(self):
        """{name: float64 array}, a copy of every parameter under nanoGPT's names."""
        return {name: np.array(p, dtype=np.float64) for name, p in self.named_parameters()}
