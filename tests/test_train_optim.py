"""SGD with momentum and Adam follow torch.optim's update rules."""

import numpy as np
import pytest

from finf_train.optim import SGD, Adam, make_optimizer

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
