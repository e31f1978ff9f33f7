"""The fast path for models whose rows need encoding: categories, fill values, rows given as mappings.

Model.encode is the reference: numbers (missing ones filled) and one-hot categories, in feature
order. Here the categorical features never become one-hots. A row is read into its numbers and
one combination index (the categories' indices in mixed radix), and each combination has its own
first Linear over the numbers alone, whose bias already holds the one-hot columns' weights:

    W x + b = W_num x_num + (b + sum over categorical features f of W[:, column of f's category])

The rest of the network is planned once and shared. Models with more than MAX_COMBINATIONS
combinations, or whose first layer is not a Linear, go through Model.encode instead.
"""

import math

from . import _fast, _ops
from ._activations import Identity
from ._layers import Linear

MAX_COMBINATIONS = 64


def plan(features, layers, encoded):
    """(read, first_steps, steps) for the fast path, or None when it does not apply.

    read(values) -> (numbers, combination); first_steps[combination] computes the first block from
    the numbers; steps compute the rest. encoded is the Normalizer over the encoded columns.
    """
    sizes = [f.width for f in features if f.kind == "categorical"]
    combinations = math.prod(sizes)
    layers = [layer for layer in layers if not isinstance(layer, Identity)]
    if combinations > MAX_COMBINATIONS or not isinstance(layers[0], Linear):
        return None
    folded = _fast.fold_normalizer(encoded, layers[0])
    numeric, onehots, column = [], [], 0
    for feature in features:
        if feature.kind == "numeric":
            numeric.append(column)
        else:
            onehots.append(range(column, column + feature.width))
        column += feature.width
    first_steps, covered = [], 1
    for combination in range(combinations):
        linear = _linear_for(folded, numeric, onehots, sizes, combination)
        step, covered = _fast._next_step([linear, *layers[1:]], 0)
        first_steps.append(step)
    return _reader(features), tuple(first_steps), _fast.plan_rest(layers, covered)


def _linear_for(folded, numeric, onehots, sizes, combination):
    """The folded first Linear restricted to the numeric columns, for one combination of categories."""
    picked = []
    for columns, size in zip(reversed(onehots), reversed(sizes), strict=True):
        combination, k = divmod(combination, size)
        picked.append(columns[k])
    # A model of categories alone reads one constant 0.0 (see read), so its first step still has an input.
    weight = [[row[j] for j in numeric] or [0.0] for row in folded.weight]
    bias = [b + _ops.add_up([row[j] for j in picked]) for row, b in zip(folded.weight, folded.bias, strict=True)]
    return Linear(len(weight[0]), folded.out_features, weight, bias)


def _reader(features):
    """read(values) -> (numbers, combination) for values in feature order, each checked as Feature.encode does."""
    numeric = [i for i, feature in enumerate(features) if feature.kind == "numeric"]
    encoders = [features[i].encode for i in numeric]
    categorical, radix = [], 1
    for i in reversed(range(len(features))):
        feature = features[i]
        if feature.kind == "categorical":
            categorical.append((i, {c: k * radix for k, c in enumerate(feature.categories)}, radix))
            radix *= feature.width
    start = [] if numeric else [0.0]

    def read(values):
        numbers = [values[i] for i in numeric] if numeric else list(start)
        for k, v in enumerate(numbers):
            if type(v) is not float or v - v != 0.0:  # not a plain finite float: fill, convert or refuse
                numbers[k] = encoders[k](v)[0]
        combination = 0
        for i, offsets, weight in categorical:
            offset = offsets.get(values[i]) if type(values[i]) is str else None
            if offset is None:  # missing (the fill's index) or not a category (raises naming the feature)
                offset = features[i].encode(values[i]).index(1.0) * weight
            combination += offset
        return numbers, combination

    return read
