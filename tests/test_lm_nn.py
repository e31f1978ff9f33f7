"""The transformer's layer modules: gradients against central finite differences, values against PyTorch."""

import numpy as np
import pytest

from finf_train import nn
from test_nn import check_module, compare_with_torch, torch  # noqa: F401 (torch is a fixture)


def rng(seed=0):
    return np.random.default_rng(seed)


def scaled_layer_norm():
    """A LayerNorm whose weight and bias are not 1 and 0, so their gradients are checked in general."""
    module = nn.LayerNorm(6)
    module.weight[...] = rng(3).normal(size=6)
    module.bias[...] = rng(4).normal(size=6)
    return module


@pytest.mark.parametrize("make, shape", [
    (lambda: nn.GELU(), (3, 4, 5)),
    (scaled_layer_norm, (2, 3, 6)),
    (lambda: nn.CausalSelfAttention(8, 2, rng()), (2, 5, 8)),
    (lambda: nn.FeedForward(4, rng()), (2, 3, 4)),
    (lambda: nn.Block(8, 2, rng()), (2, 4, 8)),
], ids=["gelu", "layernorm", "attention", "feedforward", "block"])
def test_gradients_match_finite_differences(make, shape):
    check_module(make(), rng(1).normal(size=shape))


def test_attention_is_causal():
    attention = nn.CausalSelfAttention(8, 2, rng())
    x = rng(1).normal(size=(1, 6, 8))
    before = attention.forward(x.copy())
    x[0, 4:] += 10.0  # changing later positions leaves the earlier outputs as they were
    after = attention.forward(x)
    np.testing.assert_allclose(after[0, :4], before[0, :4], rtol=1e-12, atol=1e-12)
    assert not np.allclose(after[0, 4:], before[0, 4:])


def test_attention_rejects_heads_that_do_not_divide_the_width():
    with pytest.raises(ValueError, match="multiple of the number of heads"):
        nn.CausalSelfAttention(10, 3)


def test_sequence_cross_entropy_matches_its_definition():
    logits, targets = rng(0).normal(size=(2, 3, 5)), rng(1).integers(0, 5, size=(2, 3))
    loss, grad = nn.sequence_cross_entropy(logits, targets)
    flat = logits.reshape(-1, 5)
    log_p = flat - np.log(np.exp(flat).sum(axis=1, keepdims=True))
    assert loss == pytest.approx(-log_p[np.arange(6), targets.reshape(-1)].mean(), rel=1e-12)
    expected = (np.exp(log_p) - np.eye(5)[targets.reshape(-1)]) / 6
    np.testing.assert_allclose(grad.reshape(-1, 5), expected, rtol=1e-12, atol=1e-15)


def test_gelu_matches_torch(torch):  # noqa: F811
    gelu = torch.nn.GELU(approximate="tanh")
    compare_with_torch(torch, nn.GELU(), gelu, rng(1).normal(size=(4, 5)) * 3)


def test_layer_norm_matches_torch(torch):  # noqa: F811
    ours = scaled_layer_norm()
    theirs = torch.nn.LayerNorm(6, eps=1e-5, dtype=torch.float64)
    with torch.no_grad():
        theirs.weight.copy_(torch.tensor(ours.weight))
        theirs.bias.copy_(torch.tensor(ours.bias))
    compare_with_torch(torch, ours, theirs, rng(1).normal(size=(2, 3, 6)), ours.gradients(),
                       [theirs.weight, theirs.bias])


def test_named_parameters_use_attribute_names_and_list_indices():
    block = nn.Block(4, 2, rng())
    names = [name for name, _ in block.named_parameters()]
    assert names == ["ln_1.weight", "ln_1.bias", "attn.c_attn.weight", "attn.c_attn.bias", "attn.c_proj.weight",
                     "attn.c_proj.bias", "ln_2.weight", "ln_2.bias", "mlp.c_fc.weight", "mlp.c_fc.bias",
                     "mlp.c_proj.weight", "mlp.c_proj.bias"]
    assert [p.shape for _, p in block.named_parameters()] == [p.shape for p in block.parameters()]
