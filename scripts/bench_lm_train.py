"""Section 9: a GPT training step in finf's numpy trainer against PyTorch, and train-lm's quality on Austen.

The step is the same computation on both sides: the default GPT (2 layers, 64 wide, 4 heads, block 64, 81
characters), a batch of 32 windows, forward, cross-entropy, backward, gradient clipping and AdamW, on one
thread each. Before timing, both compute the same loss and gradients from the same weights (float64, 1e-5).
The quality runs train with `finf train-lm`'s defaults on build/data/austen.txt (scripts/fetch_austen.py).
"""

import math
import time

import numpy as np

from bench_common import ROOT, ms, spread, summarize
from bench_inference import table_lines
from finf_train.defaults import LM_DEFAULTS
from finf_train.lm import corpus
from finf_train.lm.gpt import GPT
from finf_train.lm.train import BETAS, GRAD_CLIP, WEIGHT_DECAY, train_lm
from finf_train.nn import sequence_cross_entropy
from finf_train.optim import AdamW, clip_grad_norm

TARGET = 4.0  # finf's step at most this many times PyTorch's, both in float32
AUSTEN = ROOT / "build" / "data" / "austen.txt"
VOCAB = 81  # the characters of Austen's novels
SHAPE = {name: LM_DEFAULTS[name] for name in ("layers", "embedding_dim", "heads", "block", "batch_size")}


def finf_step(dtype, seed=0):
    """One training step of finf's GPT in dtype, as train_lm takes it; returns step()."""
    model = GPT(VOCAB, SHAPE["block"], SHAPE["layers"], SHAPE["heads"], SHAPE["embedding_dim"],
                np.random.default_rng(seed), dtype)
    opt = AdamW([model.flat], lr=1e-3, betas=BETAS, weight_decay=[WEIGHT_DECAY * model.decay_mask()])
    rng = np.random.default_rng(seed)

    def step():
        x = rng.integers(0, VOCAB, (SHAPE["batch_size"], SHAPE["block"]))
        loss, grad = sequence_cross_entropy(model.forward(x), np.roll(x, -1, axis=1))
        model.backward(grad)
        clip_grad_norm([model.flat_grad], GRAD_CLIP)
        opt.step([model.flat_grad])

    return step


def torch_gpt(torch, dtype):
    """nanoGPT's model in PyTorch (no dropout), parameters named as finf's state; and its optimizer."""
    nn, F = torch.nn, torch.nn.functional
    d, heads = SHAPE["embedding_dim"], SHAPE["heads"]

    class Attention(nn.Module):
        def __init__(self):
            super().__init__()
            self.c_attn, self.c_proj = nn.Linear(d, 3 * d), nn.Linear(d, d)

        def forward(self, x):
            b, t, _ = x.shape
            q, k, v = (z.view(b, t, heads, -1).transpose(1, 2) for z in self.c_attn(x).split(d, dim=2))
            return self.c_proj(F.scaled_dot_product_attention(q, k, v, is_causal=True).transpose(1, 2).reshape(b, t, d))

    class MLP(nn.Module):
        def __init__(self):
            super().__init__()
            self.c_fc, self.c_proj = nn.Linear(d, 4 * d), nn.Linear(4 * d, d)

        def forward(self, x):
            return self.c_proj(F.gelu(self.c_fc(x), approximate="tanh"))

    class Block(nn.Module):
        def __init__(self):
            super().__init__()
            self.ln_1, self.attn, self.ln_2, self.mlp = nn.LayerNorm(d), Attention(), nn.LayerNorm(d), MLP()

        def forward(self, x):
            x = x + self.attn(self.ln_1(x))
            return x + self.mlp(self.ln_2(x))

    class Model(nn.Module):
        def __init__(self):
            super().__init__()
            self.wte, self.wpe = nn.Embedding(VOCAB, d), nn.Embedding(SHAPE["block"], d)
            self.h = nn.ModuleList([Block() for _ in range(SHAPE["layers"])])
            self.ln_f, self.lm_head = nn.LayerNorm(d), nn.Linear(d, VOCAB)

        def forward(self, ids):
            x = self.wte(ids) + self.wpe(torch.arange(ids.shape[1]))
            for block in self.h:
                x = block(x)
            return self.lm_head(self.ln_f(x))

    model = Model().to(dtype)
    decay = [p for p in model.parameters() if p.dim() == 2]
    other = [p for p in model.parameters() if p.dim() != 2]
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": WEIGHT_DECAY}, {"params": other, "weight_decay": 0.0}],
                            lr=1e-3, betas=BETAS)
    return model, opt


def torch_step(torch, dtype, seed=0):
    model, opt = torch_gpt(torch, dtype)
    gen = torch.Generator().manual_seed(seed)

    def step():
        x = torch.randint(0, VOCAB, (SHAPE["batch_size"], SHAPE["block"]), generator=gen)
        loss = torch.nn.functional.cross_entropy(model(x).view(-1, VOCAB), torch.roll(x, -1, 1).view(-1))
        opt.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), GRAD_CLIP)
        opt.step()

    return step


def agreement(torch):
    """Check that finf's and PyTorch's models give the same loss and gradients from the same float64 weights."""
    ours = GPT(VOCAB, SHAPE["block"], SHAPE["layers"], SHAPE["heads"], SHAPE["embedding_dim"],
               np.random.default_rng(1))
    theirs, _ = torch_gpt(torch, torch.float64)
    params = dict(theirs.named_parameters())
    with torch.no_grad():
        for name, value in ours.state().items():
            params[name].copy_(torch.tensor(value))
    x = np.random.default_rng(2).integers(0, VOCAB, (4, SHAPE["block"]))
    loss, grad = sequence_cross_entropy(ours.forward(x), np.roll(x, -1, axis=1))
    ours.backward(grad)
    tx = torch.tensor(x)
    tloss = torch.nn.functional.cross_entropy(theirs(tx).view(-1, VOCAB), torch.roll(tx, -1, 1).view(-1))
    tloss.backward()
    worst = max(float(np.abs(g - params[name].grad.numpy()).max())
                for (name, _), g in zip(ours.named_parameters(), ours.gradients(), strict=True))
    if abs(loss - tloss.item()) > 1e-5 or worst > 1e-5:
        raise SystemExit(f"bench: finf's GPT and PyTorch's disagree: loss {loss} vs {tloss.item()}, "
                         f"largest gradient difference {worst:.2e}")
    return f"finf's GPT and PyTorch's give the same loss and gradients from the same float64 weights (largest " \
           f"gradient difference {worst:.1e})"


def step_times(rounds, quick):
    import torch

    torch.set_num_threads(1)
    from threadpoolctl import threadpool_limits

    check = agreement(torch)
    steps = {"finf float32": finf_step(np.float32), "PyTorch float32": torch_step(torch, torch.float32),
             "finf float64": finf_step(np.float64), "PyTorch float64": torch_step(torch, torch.float64)}
    calls = 2 if quick else 10
    times = {name: [] for name in steps}
    with threadpool_limits(1, user_api="blas"):
        for step in steps.values():
            step()  # warm-up
        for _ in range(rounds):
            for name, step in steps.items():  # interleaved, so that the machine's load hits all alike
                start = time.perf_counter()
                for _ in range(calls):
                    step()
                times[name].append((time.perf_counter() - start) / calls)
    return {name: summarize(samples) for name, samples in times.items()}, calls, check


def quality(quick):
    """(lines, {kind: summary}): train_lm with the defaults on Austen (quick: a few steps on a small text)."""
    if quick:
        text, source = ("It is a truth universally acknowledged, that a single man in possession of a good fortune, "
                        "must be in want of a wife. " * 40), "a repeated sentence, for --quick"
        settings = {"bigram": {"steps": 50}, "gpt": {"steps": 5, "block": 16, "batch_size": 4}}
    else:
        if not AUSTEN.exists():
            raise SystemExit(f"bench: {AUSTEN} is missing: run scripts/fetch_austen.py first")
        text, source = corpus.read_text(AUSTEN), "build/data/austen.txt"
        settings = {"bigram": {}, "gpt": {}}
    results = {kind: train_lm(text, kind, **settings[kind])[2] for kind in ("bigram", "gpt")}
    return source, results


def lm_training(rounds, quick):
    times, calls, check = step_times(rounds, quick)
    source, results = quality(quick)
    ratio32 = times["finf float32"].median / times["PyTorch float32"].median
    ratio64 = times["finf float64"].median / times["PyTorch float64"].median
    gpt, bigram = results["gpt"], results["bigram"]
    table = [["trainer", "median per step", "spread (min – max)", "finf / this"]]
    for name, s in times.items():
        same = times["finf " + name.split()[-1]]
        table.append([name, ms(s.median), spread(s, ms), f"{same.median / s.median:.2f}"])
    quality_table = [["model", "steps", "train loss", "validation loss", "bits/char", "training time"],
                     ["bigram (Embedding(V, V), full-batch Adam)", str(bigram["steps"]), f"{bigram['train_loss']:.4f}",
                      f"{bigram['val_loss']:.4f}", f"{bigram['val_loss'] / math.log(2):.3f}",
                      f"{bigram['seconds']:.1f} s"],
                     [f"GPT ({gpt['parameters']} parameters)", str(gpt["steps"]), f"{gpt['train_loss']:.4f}",
                      f"{gpt['val_loss']:.4f}", f"{gpt['val_loss'] / math.log(2):.3f}", f"{gpt['seconds']:.0f} s"]]
    torch_total = times["PyTorch float32"].median * gpt["steps"]
    lines = [
        "One training step of the default GPT (2 layers, 64 wide, 4 heads, block 64, 81 characters, batch 32:",
        "forward, cross-entropy, backward, clipping, AdamW), one thread each, the four trainers interleaved over",
        f"{rounds} rounds of {calls} steps after a warm-up. finf trains in float32 (as `train_lm` does); float64",
        "for reference.",
        "",
        *table_lines(table),
        "",
        f"Quality with `finf train-lm`'s defaults on {source} (the first 90% trains, the last 10% validates; the",
        "GPT's validation loss is over the whole validation text, its training loss over 32 random batches of",
        "32 windows; the bigram's both exact):",
        "",
        *table_lines(quality_table),
        "",
        f"PyTorch at its median float32 step would take {torch_total:.0f} s for the GPT's {gpt['steps']} steps "
        f"(finf: {gpt['seconds']:.0f} s, with its progress evaluations).",
    ]
    targets = [("lm training: finf GPT step time / PyTorch's, float32", ratio32, TARGET)]
    if not quick:
        targets += [("lm training: GPT validation loss on Austen, nats/char", gpt["val_loss"], 1.55),
                    ("lm training: GPT training time with the defaults, minutes", gpt["seconds"] / 60, 15.0)]
    checks = [check, f"float64: finf / PyTorch {ratio64:.2f} per step"]
    return {"lines": lines, "checks": checks, "targets": targets}
