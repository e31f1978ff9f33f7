"""SGD with momentum, Adam and AdamW follow torch.optim's update rules; clipping and the schedule."""

import numpy as np
import pytest

from finf_train.optim import SGD, Adam, AdamW, clip_grad_norm, cosine_lr, make_optimizer

torch = pytest.importorskip("torch")


def run_both(ours, theirs, steps=25):
    """Minimise sum(p**2 * c) from the same start with our optimizer and torch's; return both results."""
    rng = np.random.default_rng(0)
    start, c = rng.normal(size=10), rng.uniform(0.5, 3.0, size=10)
    p = start.copy()
    opt = ours([p])
    tp = torch.tensor(start, dtype=torch.float64, requires_grad=True)
    topt = theirs([tp])
    for _ in range(steps):
        opt.step([2 * c * p])
        topt.zero_grad()
        (tp**2 * torch.tensor(c)).sum().backward()
        topt.step()
    return p, tp.detach().numpy()


def test_sgd_momentum_matches_torch():
    ours, theirs = run_both(lambda ps: SGD(ps, lr=0.05, momentum=0.9),
                            lambda ps: torch.optim.SGD(ps, lr=0.05, momentum=0.9))
    np.testing.assert_allclose(ours, theirs, rtol=1e-12, atol=1e-14)


def test_adam_matches_torch():
    ours, theirs = run_both(lambda ps: Adam(ps, lr=0.01), lambda ps: torch.optim.Adam(ps, lr=0.01))
    np.testing.assert_allclose(ours, theirs, rtol=1e-12, atol=1e-14)


def test_make_optimizer_defaults_and_errors():
    p = [np.zeros(3)]
    assert make_optimizer("adam", p).lr == 0.01
    assert make_optimizer("sgd", p).lr == 0.1
    assert make_optimizer("sgd", p, lr=0.5).lr == 0.5
    with pytest.raises(ValueError, match="optimizer must be one of"):
        make_optimizer("rmsprop", p)


def test_adamw_matches_torch_with_weight_decay_on_some_parameters():
    rng = np.random.default_rng(1)
    start_w, start_b = rng.normal(size=(4, 3)), rng.normal(size=3)
    w, b = start_w.copy(), start_b.copy()
    ours = AdamW([w, b], lr=0.02, betas=(0.9, 0.99), weight_decay=[0.1, 0.0])
    tw, tb = (torch.tensor(a, requires_grad=True) for a in (start_w, start_b))
    theirs = torch.optim.AdamW([{"params": [tw], "weight_decay": 0.1}, {"params": [tb], "weight_decay": 0.0}],
                               lr=0.02, betas=(0.9, 0.99))
    for step in range(30):
        lr = cosine_lr(step, 0.02, 30, 5, 0.002)
        ours.lr = lr
        for group in theirs.param_groups:
            group["lr"] = lr
        ours.step([np.sin(w) + 2 * w, 3 * b**2 - 1])  # gradients of sum(-cos w + w^2) + sum(b^3 - b)
        theirs.zero_grad()
        ((-torch.cos(tw) + tw**2).sum() + (tb**3 - tb).sum()).backward()
        theirs.step()
    np.testing.assert_allclose(w, tw.detach().numpy(), rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(b, tb.detach().numpy(), rtol=1e-12, atol=1e-14)


def test_adamw_takes_a_weight_decay_array_per_element():
    p = np.ones(4)
    AdamW([p], lr=0.1, weight_decay=[np.array([0.5, 0.5, 0.0, 0.0])]).step([np.zeros(4)])
    np.testing.assert_allclose(p, [0.95, 0.95, 1.0, 1.0])  # with a zero gradient only the decay moves p


@pytest.mark.parametrize("max_norm", [0.5, 100.0])
def test_clip_grad_norm_matches_torch(max_norm):
    rng = np.random.default_rng(2)
    grads = [rng.normal(size=(3, 4)), rng.normal(size=5)]
    tparams = [torch.zeros(g.shape, dtype=torch.float64, requires_grad=True) for g in grads]
    for t, g in zip(tparams, grads, strict=True):
        t.grad = torch.tensor(g)
    expected_norm = torch.nn.utils.clip_grad_norm_(tparams, max_norm).item()
    assert clip_grad_norm(grads, max_norm) == pytest.approx(expected_norm, rel=1e-12)
    for g, t in zip(grads, tparams, strict=True):
        np.testing.assert_allclose(g, t.grad.numpy(), rtol=1e-12)


def test_cosine_lr_warms_up_then_decays_to_its_floor():
    rates = [cosine_lr(step, 1.0, 110, 10, 0.1) for step in range(110)]
    assert rates[:3] == pytest.approx([0.1, 0.2, 0.3]) and rates[9] == 1.0
    assert rates[10] == 1.0 and rates[60] == pytest.approx(0.55)
    assert all(a >= b for a, b in zip(rates[9:], rates[10:], strict=False))
    assert rates[-1] == pytest.approx(0.1, abs=1e-3) and cosine_lr(500, 1.0, 110, 10, 0.1) == 0.1
