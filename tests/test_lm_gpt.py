"""The GPT: its whole forward and backward against a PyTorch model written from the LM contract, names and shapes."""

import numpy as np
import pytest

from finf_train import nn
from finf_train.lm.gpt import GPT
from test_nn import numeric_grad, torch  # noqa: F401 (torch is a fixture)

TOL = 1e-5  # float64 on both sides; the sums run in different orders
CONFIG = {"vocab_size": 7, "block_size": 6, "n_layer": 2, "n_head": 2, "n_embd": 8}


def small_gpt(seed=0):
    gpt = GPT(**CONFIG, rng=np.random.default_rng(seed))
    # Move every parameter off its initial value (LayerNorms at 1 and 0, zero biases) so that each one matters.
    gpt.flat[...] += np.random.default_rng(seed + 1).normal(0, 0.1, gpt.flat.size)
    return gpt


def ids_and_targets(seed=2, batch=3, t=CONFIG["block_size"]):
    r = np.random.default_rng(seed)
    return r.integers(0, CONFIG["vocab_size"], (batch, t)), r.integers(0, CONFIG["vocab_size"], (batch, t))


def test_state_has_the_contracts_names_and_shapes():
    state = small_gpt().state()
    v, t, d = CONFIG["vocab_size"], CONFIG["block_size"], CONFIG["n_embd"]
    expected = {"wte.weight": (v, d), "wpe.weight": (t, d), "ln_f.weight": (d,), "ln_f.bias": (d,),
                "lm_head.weight": (v, d), "lm_head.bias": (v,)}
    for i in range(CONFIG["n_layer"]):
        expected |= {f"h.{i}.ln_1.weight": (d,), f"h.{i}.ln_1.bias": (d,), f"h.{i}.attn.c_attn.weight": (3 * d, d),
                     f"h.{i}.attn.c_attn.bias": (3 * d,), f"h.{i}.attn.c_proj.weight": (d, d),
                     f"h.{i}.attn.c_proj.bias": (d,), f"h.{i}.ln_2.weight": (d,), f"h.{i}.ln_2.bias": (d,),
                     f"h.{i}.mlp.c_fc.weight": (4 * d, d), f"h.{i}.mlp.c_fc.bias": (4 * d,),
                     f"h.{i}.mlp.c_proj.weight": (d, 4 * d), f"h.{i}.mlp.c_proj.bias": (d,)}
    assert {name: a.shape for name, a in state.items()} == expected
    assert all(a.dtype == np.float64 for a in state.values())
    assert small_gpt().config("abcdefg") == {"kind": "gpt", "vocab": "abcdefg", "block_size": 6, "n_layer": 2,
                                              "n_head": 2, "n_embd": 8}


def test_initialisation_follows_nanogpt():
    gpt = GPT(50, 16, 4, 4, 64, np.random.default_rng(0))
    state = gpt.state()
    assert state["h.0.ln_1.weight"].tolist() == [1.0] * 64 and not state["h.0.attn.c_attn.bias"].any()
    assert np.std(state["wte.weight"]) == pytest.approx(0.02, rel=0.05)
    assert np.std(state["h.3.mlp.c_proj.weight"]) == pytest.approx(0.02 / np.sqrt(8), rel=0.05)


def test_gpt_gradients_match_finite_differences():
    gpt = GPT(**(CONFIG | {"n_layer": 1}), rng=np.random.default_rng(0))
    gpt.flat[...] += np.random.default_rng(1).normal(0, 0.1, gpt.flat.size)
    x, y = ids_and_targets(batch=2, t=4)

    def loss():
        return nn.sequence_cross_entropy(gpt.forward(x), y)[0]

    gpt.backward(nn.sequence_cross_entropy(gpt.forward(x), y)[1])
    analytic = gpt.flat_grad.copy()
    np.testing.assert_allclose(analytic, numeric_grad(loss, gpt.flat), rtol=1e-5, atol=1e-8)


def test_gpt_rejects_sequences_longer_than_its_block():
    with pytest.raises(ValueError, match="longer than the block size 6"):
        small_gpt().forward(np.zeros((1, 7), dtype=np.int64))


def torch_gpt(torch, state, n_layer, n_head):  # noqa: F811
    """A functional PyTorch GPT straight from the contract's description: returns logits(ids) and its parameters."""
    params = {name: torch.tensor(a, requires_grad=True) for name, a in state.items()}
    F = torch.nn.functional

    def linear(x, name):
        return x @ params[name + ".weight"].T + params[name + ".bias"]

    def layer_norm(x, name):
        return F.layer_norm(x, x.shape[-1:], params[name + ".weight"], params[name + ".bias"], eps=1e-5)

    def logits(ids):
        b, t = ids.shape
        x = params["wte.weight"][ids] + params["wpe.weight"][torch.arange(t)]
        for i in range(n_layer):
            q, k, v = linear(layer_norm(x, f"h.{i}.ln_1"), f"h.{i}.attn.c_attn").split(x.shape[-1], dim=2)
            q, k, v = (z.view(b, t, n_head, -1).transpose(1, 2) for z in (q, k, v))
            y = F.scaled_dot_product_attention(q, k, v, is_causal=True).transpose(1, 2).reshape(b, t, -1)
            x = x + linear(y, f"h.{i}.attn.c_proj")
            hidden = F.gelu(linear(layer_norm(x, f"h.{i}.ln_2"), f"h.{i}.mlp.c_fc"), approximate="tanh")
            x = x + linear(hidden, f"h.{i}.mlp.c_proj")
        return linear(layer_norm(x, "ln_f"), "lm_head")

    return logits, params


def test_gpt_forward_and_backward_match_torch(torch):  # noqa: F811
    gpt = small_gpt()
    x, y = ids_and_targets()
    logits = gpt.forward(x)
    loss, grad = nn.sequence_cross_entropy(logits, y)
    gpt.backward(grad)
    ours_grads = {name: g.copy() for name, g in zip(gpt.state(), gpt.gradients(), strict=True)}

    their_logits, params = torch_gpt(torch, gpt.state(), CONFIG["n_layer"], CONFIG["n_head"])
    tlogits = their_logits(torch.tensor(x))
    tloss = torch.nn.functional.cross_entropy(tlogits.reshape(-1, CONFIG["vocab_size"]), torch.tensor(y).reshape(-1))
    tloss.backward()
    np.testing.assert_allclose(logits, tlogits.detach().numpy(), rtol=TOL, atol=TOL)
    assert loss == pytest.approx(tloss.item(), rel=TOL)
    for name, param in params.items():
        np.testing.assert_allclose(ours_grads[name], param.grad.numpy(), rtol=TOL, atol=TOL, err_msg=name)
