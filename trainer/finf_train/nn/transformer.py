"""The transformer block of a GPT: pre-LayerNorm attention and feed-forward, each added back to its input."""

from .activations import GELU
from .attention import CausalSelfAttention
from .layernorm import LayerNorm
from .linear import Linear
from .module import Module


class FeedForward(Module):
    """c_fc Linear(D, 4D), GELU (tanh approximation), c_proj Linear(4D, D): nanoGPT's MLP."""

    def __init__(self, n_embd, rng=None):
        self.c_fc = Linear(n_embd, 4 * n_embd, rng)
        self.gelu = GELU()
        self.c_proj = Linear(4 * n_embd, n_embd, rng)

    def children(self):
        return (self.c_fc, self.c_proj)

    def forward(self, x):
        return self.c_proj.forward(self.gelu.forward(self.c_fc.forward(x)))

    def backward(self, grad_out):
        return self.c_fc.backward(self.gelu.backward(self.c_proj.backward(grad_out)))


class Block(Module):
    """x = x + attn(ln_1(x)); x = x + mlp(ln_2(x))."""

    def __init__(self, n_embd, n_head, rng=None):
        self.ln_1 = LayerNorm(n_embd)
        self.attn = CausalSelfAttention(n_embd, n_head, rng)
        self.ln_2 = LayerNorm(n_embd)
        self.mlp = FeedForward(n_embd, rng)

    def children(self):
        return (self.ln_1, self.attn, self.ln_2, self.mlp)

    def forward(self, x):
        x = x + self.attn.forward(self.ln_1.forward(x))
        return x + self.mlp.forward(self.ln_2.forward(x))

    def backward(self, grad_out):
        # Each residual passes its gradient straight through and adds the branch's.
        grad = grad_out + self.ln_2.backward(self.mlp.backward(grad_out))
        return grad + self.ln_1.backward(self.attn.backward(grad))
