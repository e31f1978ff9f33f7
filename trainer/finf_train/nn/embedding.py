"""Embedding: token ids in, one learned vector per id out; the trainable twin of finf.Embedding."""

import numpy as np

from .module import Module


class Embedding(Module):
    """A lookup table of num_embeddings vectors of embedding_dim, initialised N(0, 1) as PyTorch's nn.Embedding is."""

    param_names = ("weight",)

    def __init__(self, num_embeddings, embedding_dim, rng=None):
        rng = np.random.default_rng() if rng is None else rng
        self.num_embeddings, self.embedding_dim = int(num_embeddings), int(embedding_dim)
        self.weight = rng.standard_normal((self.num_embeddings, self.embedding_dim))
        self.weight_grad = np.zeros_like(self.weight)

    def forward(self, ids):
        self.ids = ids  # integer array of any shape (...)
        return self.weight[ids]  # (..., embedding_dim)

    def backward(self, grad_out):
        # Scatter-add: an id used several times collects the gradient of every place it was used.
        self.weight_grad[...] = 0.0
        np.add.at(self.weight_grad, self.ids.reshape(-1), grad_out.reshape(-1, self.embedding_dim))
        return None  # ids are not differentiable

    def __repr__(self):
        return f"Embedding({self.num_embeddings}, {self.embedding_dim})"
