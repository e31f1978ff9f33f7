"""The fast forward pass: Model.forward, laid out once for CPython's interpreter.

Model.forward is the reference; this module computes the same function with a
precomputed layout (tests/test_fast_path.py checks the two agree):

- The normalizer is folded into the first Linear: w'[j][i] = w[j][i] / std[i]
  and b'[j] = b[j] - sum_i(w[j][i] * mean[i] / std[i]).
- Weights are regrouped into tuples of four, zero-padded, so each inner loop is
  straight-line float arithmetic on unpacked locals, with no call per element.
- A ReLU followed by a Linear is fused into it: that Linear walks its inputs
  and adds only the units that are > 0, so zeroed units cost one comparison.
  A small Linear -> ReLU -> Linear (Iris's 4 -> 32 -> 3) runs as one loop.
- Identity layers are dropped; Softmax subtracts the max before exp().
- Sums add left to right (_ops.add_up), not with sum(), whose rounding changed
  in Python 3.12, so CPython 3.11 and Pyodide's 3.14 do the same arithmetic.
  (Their math.exp can still differ in the last bit for some arguments.)

plan() turns a model into a tuple of steps, each taking and returning a list of
floats: closures over their weight tuples, and the model's own activation
layers; Model.predict_proba runs them in turn. Nothing here generates or
executes source code.
"""

from . import _ops
from ._activations import Identity, ReLU
from ._layers import Linear

_GROUP = 4  # values per weight tuple: inputs in dense_rows, outputs in dense_relu_cols
# small_hidden_block's outputs: most small classifiers have two or three classes, and every padded output
# would cost a multiply-add per active hidden unit.
_SMALL_OUTPUTS = 3


def plan(normalizer, layers):
    """The steps that compute normalizer then layers, for a row of finite floats."""
    layers = [layer for layer in layers if not isinstance(layer, Identity)]
    steps = []
    if isinstance(layers[0], Linear):
        layers[0] = fold_normalizer(normalizer, layers[0])
    else:
        steps.append(normalize(normalizer))
    return tuple(steps) + plan_rest(layers, 0)


def plan_rest(layers, i):
    """The steps for layers[i:] (already without Identity layers)."""
    steps = []
    while i < len(layers):
        step, covered = _next_step(layers, i)
        steps.append(step)
        i += covered
    return tuple(steps)


def _next_step(layers, i):
    """The step that computes layers[i:i + covered], and covered."""
    block = [type(layer) for layer in layers[i:i + 3]]
    small = block == [Linear, ReLU, Linear] and layers[i + 2].out_features <= _SMALL_OUTPUTS
    if small and layers[i].in_features <= _GROUP:
        return small_hidden_block(layers[i], layers[i + 2]), 3
    if small and layers[i].in_features == _GROUP + 1:
        return small_hidden_block5(layers[i], layers[i + 2]), 3
    if small and layers[i].in_features <= 2 * _GROUP:
        return small_hidden_block8(layers[i], layers[i + 2]), 3
    if block[:2] == [ReLU, Linear]:
        return dense_relu_cols(layers[i + 1]), 2
    if block[0] is Linear:
        return dense_rows(layers[i]), 1
    return layers[i], 1  # an activation is already a function of a list


def fold_normalizer(normalizer, linear):
    """The Linear that computes linear(normalizer(x)) from raw x."""
    weight = [[w / s for w, s in zip(row, normalizer.std, strict=True)] for row in linear.weight]
    shift = [_ops.add_up([w * m for w, m in zip(row, normalizer.mean, strict=True)]) for row in weight]
    bias = [b - t for b, t in zip(linear.bias, shift, strict=True)]
    return Linear(linear.in_features, linear.out_features, weight, bias)


def _padded(values):
    return list(values) + [0.0] * (-len(values) % _GROUP)


def dense_rows(linear):
    """Step for y = W x + b: one output unit per loop turn, its inputs four at a time."""
    rows = [_padded(row) for row in linear.weight]
    # (w0, w1, w2, w3, bias) per output unit for inputs 0..3, then (k, units) for inputs k..k+3.
    first = [tuple(row[:_GROUP]) + (b,) for row, b in zip(rows, linear.bias, strict=True)]
    rest = [(k, [tuple(row[k:k + _GROUP]) for row in rows]) for k in range(_GROUP, len(rows[0]), _GROUP)]
    pad = [0.0] * (-linear.in_features % _GROUP)

    def step(x):
        if pad:
            x = [*x, *pad]
        x0, x1, x2, x3 = x[:_GROUP]
        y = [w0 * x0 + w1 * x1 + w2 * x2 + w3 * x3 + b for w0, w1, w2, w3, b in first]
        for k, units in rest:
            x0, x1, x2, x3 = x[k:k + _GROUP]
            y = [a + w0 * x0 + w1 * x1 + w2 * x2 + w3 * x3 for a, (w0, w1, w2, w3) in zip(y, units, strict=True)]
        return y

    return step


def dense_relu_cols(linear):
    """Step for y = W relu(x) + b: one input unit per loop turn, skipped if <= 0, outputs four at a time."""
    columns = [_padded(column) for column in zip(*linear.weight, strict=True)]
    bias = _padded(linear.bias)
    # (bias of outputs g..g+3, [(w0, w1, w2, w3) from input i to them, for each i]) per group g.
    groups = [
        (tuple(bias[g:g + _GROUP]), [tuple(column[g:g + _GROUP]) for column in columns])
        for g in range(0, len(bias), _GROUP)
    ]
    out_features = linear.out_features

    def step(x):
        y = []
        for (y0, y1, y2, y3), units in groups:
            for v, (w0, w1, w2, w3) in zip(x, units, strict=True):
                if v > 0.0:
                    y0 += w0 * v
                    y1 += w1 * v
                    y2 += w2 * v
                    y3 += w3 * v
            y += (y0, y1, y2, y3)
        del y[out_features:]
        return y

    return step


def _hidden_units(first, second, inputs):
    """What the small hidden blocks loop over, for second(relu(first(x))) with x zero-padded to `inputs` values.

    units: per hidden unit, its `inputs` input weights, its bias and its weights to each of the (padded)
    _SMALL_OUTPUTS outputs; bias: the outputs' biases, padded; out_features: how many outputs are real.
    """
    pad = [0.0] * (inputs - first.in_features)
    columns = [[*column, 0.0, 0.0][:_SMALL_OUTPUTS] for column in zip(*second.weight, strict=True)]
    units = [(*row, *pad, b, *column) for row, b, column in zip(first.weight, first.bias, columns, strict=True)]
    return units, (*second.bias, 0.0, 0.0)[:_SMALL_OUTPUTS], second.out_features


def small_hidden_block(first, second):
    """Step for second(relu(first(x))) when x has at most four values and the output at most three.

    The shape of a small classifier such as Iris's 4 -> 32 -> 3: one loop turn per
    hidden unit computes it and, if it is positive, adds it straight into the
    outputs, so the hidden layer is never stored.
    """
    pad = [0.0] * (_GROUP - first.in_features)
    # (w0, w1, w2, w3, bias, v0, v1, v2): a hidden unit's input weights, bias and output weights.
    units, bias, out_features = _hidden_units(first, second, _GROUP)

    def step(x):
        x0, x1, x2, x3 = [*x, *pad] if pad else x
        y0, y1, y2 = bias
        for w0, w1, w2, w3, b, v0, v1, v2 in units:
            h = w0 * x0 + w1 * x1 + w2 * x2 + w3 * x3 + b
            if h > 0.0:
                y0 += v0 * h
                y1 += v1 * h
                y2 += v2 * h
        return [y0, y1, y2][:out_features]

    return step


def small_hidden_block5(first, second):
    """small_hidden_block for exactly five inputs (a penguins model's numeric features, say).

    Five inputs are common in small tables, and padding them to eight makes every hidden unit do
    three useless multiply-adds: this takes about two thirds of small_hidden_block8's time.
    """
    units, bias, out_features = _hidden_units(first, second, 5)

    def step(x):
        x0, x1, x2, x3, x4 = x
        y0, y1, y2 = bias
        for w0, w1, w2, w3, w4, b, v0, v1, v2 in units:
            h = w0 * x0 + w1 * x1 + w2 * x2 + w3 * x3 + w4 * x4 + b
            if h > 0.0:
                y0 += v0 * h
                y1 += v1 * h
                y2 += v2 * h
        return [y0, y1, y2][:out_features]

    return step


def small_hidden_block8(first, second):
    """small_hidden_block for six to eight inputs."""
    pad = [0.0] * (2 * _GROUP - first.in_features)
    units, bias, out_features = _hidden_units(first, second, 2 * _GROUP)

    def step(x):
        x0, x1, x2, x3, x4, x5, x6, x7 = [*x, *pad] if pad else x
        y0, y1, y2 = bias
        for w0, w1, w2, w3, w4, w5, w6, w7, b, v0, v1, v2 in units:
            h = w0 * x0 + w1 * x1 + w2 * x2 + w3 * x3 + w4 * x4 + w5 * x5 + w6 * x6 + w7 * x7 + b
            if h > 0.0:
                y0 += v0 * h
                y1 += v1 * h
                y2 += v2 * h
        return [y0, y1, y2][:out_features]

    return step


def normalize(normalizer):
    """Step for the normalizer, when it cannot be folded into a first Linear."""
    stats = tuple(zip(normalizer.mean, normalizer.std, strict=True))
    return lambda x: [(v - m) / s for v, (m, s) in zip(x, stats, strict=True)]
