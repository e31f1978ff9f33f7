"""Vector arithmetic on plain lists: the few operations a forward pass needs."""

import math


def matvec(weight, x):
    """weight (out, in) @ x (in,) -> (out,)."""
    return [add_up([w * v for w, v in zip(row, x, strict=True)]) for row in weight]


def add(x, y):
    return [a + b for a, b in zip(x, y, strict=True)]


def argmax(x):
    best = 0
    for i, value in enumerate(x):
        if value > x[best]:
            best = i
    return best


def softmax(x):
    # Subtracting the max keeps exp() from overflowing; the result is unchanged.
    top = max(x)
    exps = [math.exp(v - top) for v in x]
    total = add_up(exps)
    return [e / total for e in exps]


def sigmoid(v):
    # Two branches so that exp() only ever sees a non-positive argument.
    if v >= 0:
        return 1.0 / (1.0 + math.exp(-v))
    e = math.exp(v)
    return e / (1.0 + e)


def add_up(values):
    """Left-to-right sum. sum() of floats rounds differently since Python 3.12, and the
    engine must give the same bits in CPython 3.11 and in Pyodide's 3.14."""
    total = 0.0
    for v in values:
        total += v
    return total
