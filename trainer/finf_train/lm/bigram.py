"""The character bigram: Embedding(V, V), the row of the current character being the logits of the next.

Trained by gradient descent on the mean cross-entropy over every (current, next) pair of the training text.
That loss depends on the text only through the bigram counts N (V, V), so each step computes the exact
full-batch gradient from N: row a of dloss/dW is (N[a].sum() * softmax(W[a]) - N[a]) / N.sum(). Its optimum,
softmax(W[a]) = N[a] / N[a].sum(), is the conditional entropy H(next | current) of the counts.
"""

import numpy as np

from ..nn import Embedding, Module, flatten, softmax


class Bigram(Module):
    """ids (...) -> logits (..., V): the weight row of each id. Starts at zero: every next character equally likely."""

    def __init__(self, vocab_size):
        self.wte = Embedding(vocab_size, vocab_size, np.random.default_rng(0))
        self.wte.weight[...] = 0.0
        self.vocab_size = int(vocab_size)
        flatten(self)

    def children(self):
        return (self.wte,)

    def forward(self, ids):
        return self.wte.forward(ids)

    def counts_loss_grad(self, counts):
        """The mean cross-entropy over the pairs counted in counts (V, V), and write its gradient into wte."""
        w, total = self.wte.weight, counts.sum()
        shifted = w - w.max(axis=1, keepdims=True)
        log_p = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
        loss = float(-(counts * log_p).sum() / total)
        self.wte.weight_grad[...] = (counts.sum(axis=1, keepdims=True) * softmax(w) - counts) / total
        return loss

    def config(self, vocab):
        """The model description of the LM contract: block_size 1, n_layer 0, n_head 0, n_embd V."""
        return {"kind": "bigram", "vocab": vocab, "block_size": 1, "n_layer": 0, "n_head": 0,
                "n_embd": self.vocab_size}

    def state(self):
        """{"wte.weight": (V, V) float64}."""
        return {"wte.weight": np.array(self.wte.weight, dtype=np.float64)}


def bigram_counts(ids, vocab_size):
    """N (V, V): N[a, b] is how often id b follows id a in ids."""
    return np.bincount(ids[:-1] * vocab_size + ids[1:], minlength=vocab_size * vocab_size).reshape(
        vocab_size, vocab_size).astype(np.float64)


def conditional_entropy(counts):
    """H(next | current) in nats from bigram counts: the least mean cross-entropy any bigram model can reach."""
    rows = counts.sum(axis=1, keepdims=True)
    nonzero = counts > 0
    p = np.where(nonzero, counts / np.where(rows > 0, rows, 1), 1.0)
    return float(-(counts * np.log(p)).sum() / counts.sum())
