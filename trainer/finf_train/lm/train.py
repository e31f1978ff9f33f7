"""train_lm: a bigram or a GPT trained on a text's characters, returned as the LM contract's (config, state, summary).

The GPT trains as nanoGPT's character models do: random windows of `block` characters from the first 90% of
the text, AdamW (betas 0.9, 0.99; weight decay 0.1 on matrices and embeddings only), gradients clipped to a
global norm of 1, the learning rate warmed up linearly then decayed along a cosine to a tenth of itself.
"""

import contextlib
import time

import numpy as np

from ..defaults import LM_DEFAULTS
from ..nn import sequence_cross_entropy
from ..optim import Adam, AdamW, clip_grad_norm, cosine_lr
from . import corpus
from .bigram import Bigram, bigram_counts
from .gpt import GPT

KINDS = ("bigram", "gpt")
DEFAULT_LR = {"bigram": 0.1, "gpt": 3e-3}  # lr None means these (Adam for the bigram, AdamW for the GPT)
DEFAULT_STEPS = {"bigram": 500, "gpt": 3000}  # steps None means these
WEIGHT_DECAY, BETAS, GRAD_CLIP, WARMUP = 0.1, (0.9, 0.99), 1.0, 100
EVAL_BATCHES = 8  # the progress line's losses: the mean over this many fixed batches of each split
PROGRESS_EVERY = 100  # steps between progress reports (and at the first and the last step)
TRAIN_DTYPE = np.float32  # the GPT trains in float32 (about 2.5x faster than float64); its state is float64


def train_lm(text, kind, *, layers=LM_DEFAULTS["layers"], embedding_dim=LM_DEFAULTS["embedding_dim"],
             heads=LM_DEFAULTS["heads"], block=LM_DEFAULTS["block"], steps=LM_DEFAULTS["steps"],
             batch_size=LM_DEFAULTS["batch_size"], lr=LM_DEFAULTS["lr"], seed=LM_DEFAULTS["seed"], progress=None):
    """Train a character model of kind "bigram" or "gpt" on text; return (config, state, summary).

    The first 90% of the text trains, the rest validates. The bigram uses only steps and lr (each of its
    steps is the exact full-batch gradient). steps and lr None take DEFAULT_STEPS and DEFAULT_LR for the kind.
    progress, if given, is called with a dict (step, steps, train_loss, val_loss, steps_per_second,
    seconds_left) at the first step, every PROGRESS_EVERY steps and at the last.
    summary: train_loss, val_loss (the bigram's both exact; the GPT's validation loss over the whole validation
    text, its training loss over 4 * EVAL_BATCHES random batches), steps, seconds, parameters, vocab_size,
    train_chars, val_chars. The same text, settings and seed give the same state, to the bit.
    """
    if kind not in KINDS:
        raise ValueError(f"the model must be one of {', '.join(KINDS)}, not {kind!r}")
    vocab = corpus.vocabulary(text)
    train_ids, val_ids = corpus.split(corpus.encode(text, vocab))
    need = 2 if kind == "bigram" else block + 1
    if min(len(train_ids), len(val_ids)) < need:
        raise ValueError(f"the text has {len(text)} characters: too few for a validation split of 10% with at "
                         f"least {need} characters on each side" + ("" if kind == "bigram" else f" (--block {block})"))
    lr = DEFAULT_LR[kind] if lr is None else lr
    steps = DEFAULT_STEPS[kind] if steps is None else steps
    start = time.perf_counter()
    with _one_blas_thread():
        if kind == "bigram":
            model, losses = _train_bigram(len(vocab), train_ids, val_ids, steps, lr, progress)
        else:
            model = GPT(len(vocab), block, layers, heads, embedding_dim, np.random.default_rng(seed), TRAIN_DTYPE)
            losses = _train_gpt(model, train_ids, val_ids, steps, batch_size, lr, seed, progress)
    summary = {**losses, "steps": steps, "seconds": time.perf_counter() - start, "parameters": int(model.flat.size),
               "vocab_size": len(vocab), "train_chars": len(train_ids), "val_chars": len(val_ids)}
    return model.config(vocab), model.state(), summary


def _train_bigram(vocab_size, train_ids, val_ids, steps, lr, progress):
    model = Bigram(vocab_size)
    counts, val_counts = bigram_counts(train_ids, vocab_size), bigram_counts(val_ids, vocab_size)
    opt = Adam([model.flat], lr=lr)
    progress = _Progress(progress, steps)
    for step in range(steps):
        opt.lr = cosine_lr(step, lr, steps, 0, lr / 10)
        loss = model.counts_loss_grad(counts)
        opt.step([model.flat_grad])
        if progress.due(step):
            progress.report(step, lambda loss=loss: (loss, _bigram_loss(model, val_counts)))
    return model, {"train_loss": model.counts_loss_grad(counts), "val_loss": _bigram_loss(model, val_counts)}


def _bigram_loss(model, counts):
    saved = model.flat_grad.copy()
    loss = model.counts_loss_grad(counts)
    model.flat_grad[...] = saved
    return loss


def _train_gpt(model, train_ids, val_ids, steps, batch_size, lr, seed, progress):
    rng = np.random.default_rng([seed, 1])  # batches from their own stream, so the model's draws stay the same
    eval_rng = np.random.default_rng([seed, 2])
    block = model.block_size
    eval_sets = [_batches(ids, block, batch_size, EVAL_BATCHES, eval_rng) for ids in (train_ids, val_ids)]
    opt = AdamW([model.flat], lr=lr, betas=BETAS, weight_decay=[WEIGHT_DECAY * model.decay_mask()])
    warmup = min(WARMUP, steps // 10)
    progress = _Progress(progress, steps)
    for step in range(steps):
        opt.lr = cosine_lr(step, lr, steps, warmup, lr / 10)
        x, y = _batch(train_ids, block, batch_size, rng)
        _, grad = sequence_cross_entropy(model.forward(x), y)
        model.backward(grad)
        clip_grad_norm([model.flat_grad], GRAD_CLIP)
        opt.step([model.flat_grad])
        if progress.due(step):
            progress.report(step, lambda: tuple(_mean_loss(model, batches) for batches in eval_sets))
    train_sample = _batches(train_ids, block, batch_size, 4 * EVAL_BATCHES, eval_rng)
    return {"train_loss": _mean_loss(model, train_sample), "val_loss": sequence_loss(model, val_ids)}


def sequence_loss(model, ids, windows_per_batch=64):
    """Mean cross-entropy (nats/char) of predicting ids[1:], in consecutive windows of the model's block size."""
    block, n = model.block_size, len(ids) - 1
    total = 0.0
    full = n // block
    for first in range(0, full, windows_per_batch):
        rows = np.arange(first, min(full, first + windows_per_batch))[:, None] * block + np.arange(block)
        loss, _ = sequence_cross_entropy(model.forward(ids[rows]), ids[rows + 1])
        total += loss * rows.size
    if n % block:  # the last, shorter window
        tail = ids[full * block:]
        loss, _ = sequence_cross_entropy(model.forward(tail[None, :-1]), tail[None, 1:])
        total += loss * (len(tail) - 1)
    return total / n


def _batch(ids, block, batch_size, rng):
    starts = rng.integers(0, len(ids) - block, size=batch_size)[:, None] + np.arange(block)  # (B, T)
    return ids[starts], ids[starts + 1]


def _batches(ids, block, batch_size, count, rng):
    return [_batch(ids, block, batch_size, rng) for _ in range(count)]


def _mean_loss(model, batches):
    return float(np.mean([sequence_cross_entropy(model.forward(x), y)[0] for x, y in batches]))


class _Progress:
    """Calls back at the first step, every PROGRESS_EVERY steps and the last; the rate counts training time only."""

    def __init__(self, callback, steps):
        self.callback, self.steps = callback, steps
        self.start, self.eval_seconds, self.reports = time.perf_counter(), 0.0, 0

    def due(self, step):
        return self.callback is not None and (step == 0 or (step + 1) % PROGRESS_EVERY == 0 or step + 1 == self.steps)

    def report(self, step, losses):
        """Evaluate losses() -> (train, validation) and report them after step (0-based)."""
        before = time.perf_counter()
        train_loss, val_loss = losses()
        now = time.perf_counter()
        self.eval_seconds += now - before
        self.reports += 1
        rate = (step + 1) / max(now - self.start - self.eval_seconds, 1e-9)
        left = self.steps - step - 1
        evals_left = -(-left // PROGRESS_EVERY)  # the reports still to come, each one more evaluation
        self.callback({"step": step + 1, "steps": self.steps, "train_loss": train_loss, "val_loss": val_loss,
                       "steps_per_second": rate,
                       "seconds_left": left / rate + evals_left * self.eval_seconds / self.reports})


def _one_blas_thread():
    """One BLAS thread: these matrices are small, the machine is shared, and one thread sums in one order."""
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        return contextlib.nullcontext()
    return threadpool_limits(1, user_api="blas")
