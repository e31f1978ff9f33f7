"""MeanPool and TextClassifier: a batch of token-id sequences in, class logits out; twins of finf.MeanPool and a
text model's layers (Embedding -> MeanPool -> an MLP)."""

import numpy as np

from .embedding import Embedding
from .mlp import MLP
from .module import Module, Sequential


class MeanPool(Module):
    """The mean of each sequence's first lengths[b] vectors: (B, T, D) -> (B, D); the zero vector for length 0."""

    def forward(self, x, lengths):
        positions = np.arange(x.shape[1])
        # (B, T): 1/length at the real positions, 0 at the padding and for an empty sequence.
        self.scale = (positions < lengths[:, None]) / np.maximum(lengths, 1)[:, None]
        return np.einsum("btd,bt->bd", x, self.scale)

    def backward(self, grad_out):
        return grad_out[:, None, :] * self.scale[:, :, None]  # (B, T, D); the padding gets none


class TextClassifier(Sequential):
    """Embedding(vocabulary, dim) -> MeanPool -> MLP([dim, *hidden, n_classes]); forward takes (ids, lengths).

    ids is (B, T) int with any id at the padding (MeanPool gives it no weight, so it gets no gradient either).
    The embeddings start at N(0, init_std²), not nn.Embedding's N(0, 1): from unit variance, the first epochs
    fit rare words hard (SMS spam, validation spam F1 0.89 with 1.0, 0.91 to 0.92 over three seeds with 0.1).
    """

    def __init__(self, vocabulary_size, embedding_dim, hidden, n_classes, activation="relu", rng=None,
                 init_std=0.1):
        rng = np.random.default_rng() if rng is None else rng
        embedding = Embedding(vocabulary_size, embedding_dim, rng)
        embedding.weight *= init_std
        mlp = MLP([embedding_dim, *hidden, n_classes], activation, rng)
        mlp[0].input_grad = True  # its input is the pooled embeddings, which train
        super().__init__(embedding, MeanPool(), mlp)
        self.embedding, self.pool, self.mlp = embedding, self._modules[1], mlp

    def forward(self, batch):
        ids, lengths = batch
        return self.mlp.forward(self.pool.forward(self.embedding.forward(ids), lengths))

    def backward(self, grad_out):
        self.embedding.backward(self.pool.backward(self.mlp.backward(grad_out)))
