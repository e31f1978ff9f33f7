"""Causal multi-head self-attention, as nanoGPT's CausalSelfAttention (without dropout)."""

import functools
import math

import numpy as np

from .linear import Linear
from .module import Module


class CausalSelfAttention(Module):
    """q, k, v from one Linear(D, 3D); per head, softmax(q k^T / sqrt(hs)) over positions up to each; c_proj joins.

    Head h uses columns h*hs:(h+1)*hs of each of q, k and v, with hs = D / n_head.
    """

    def __init__(self, n_embd, n_head, rng=None):
        if n_embd % n_head:
            raise ValueError(f"the embedding size {n_embd} must be a multiple of the number of heads {n_head}")
        self.n_embd, self.n_head = int(n_embd), int(n_head)
        self.c_attn = Linear(n_embd, 3 * n_embd, rng)
        self.c_proj = Linear(n_embd, n_embd, rng)

    def children(self):
        return (self.c_attn, self.c_proj)

    def _heads(self, x):
        b, t, _ = x.shape  # (B, T, D) -> (B, nh, T, hs)
        return x.reshape(b, t, self.n_head, -1).transpose(0, 2, 1, 3)

    def forward(self, x):
        b, t, d = x.shape
        q, k, v = np.split(self.c_attn.forward(x), 3, axis=-1)
        self.q, self.k, self.v = self._heads(q), self._heads(k), self._heads(v)  # (B, nh, T, hs)
        scores = self.q @ self.k.transpose(0, 1, 3, 2)  # (B, nh, T, T)
        scores *= 1.0 / math.sqrt(d // self.n_head)
        scores += _causal_mask(t, scores.dtype)  # position i sees positions <= i
        scores -= scores.max(axis=-1, keepdims=True)
        np.exp(scores, out=scores)
        scores /= scores.sum(axis=-1, keepdims=True)
        self.att = scores
        y = self.att @ self.v  # (B, nh, T, hs)
        return self.c_proj.forward(y.transpose(0, 2, 1, 3).reshape(b, t, d))

    def backward(self, grad_out):
        b, t, d = grad_out.shape
        dy = self._heads(self.c_proj.backward(grad_out))  # (B, nh, T, hs)
        att = self.att
        dv = att.transpose(0, 1, 3, 2) @ dy
        datt = dy @ self.v.transpose(0, 1, 3, 2)  # (B, nh, T, T)
        # Softmax's Jacobian: ds = att * (datt - sum(datt * att)); masked entries have att 0, so no gradient.
        datt -= np.einsum("bhij,bhij->bhi", datt, att)[..., None]
        datt *= att
        datt *= 1.0 / math.sqrt(d // self.n_head)
        dq = datt @ self.k
        dk = datt.transpose(0, 1, 3, 2) @ self.q
        dqkv = np.concatenate([g.transpose(0, 2, 1, 3).reshape(b, t, d) for g in (dq, dk, dv)], axis=-1)
        return self.c_attn.backward(dqkv)

    def __repr__(self):
        return f"CausalSelfAttention(n_embd={self.n_embd}, n_head={self.n_head})"


@functools.cache
def _causal_mask(t, dtype):
    """(t, t): 0 on and below the diagonal, -inf above it; added to the scores, faster than a boolean index."""
    return np.triu(np.full((t, t), -np.inf, dtype), k=1)
