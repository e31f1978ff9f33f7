"""The model card: the JSON beside a model file (model.bin -> model.json) that the page and the CLI read.

Its schema, key by key (docs/ARCHITECTURE.md shows an example; check() is the one Python check of it and
web/worker.js's checkCard mirrors it):

    format "FINF", version 2 or 3, model_file (a plain file name), size_bytes, sha256 (of the model file)
    task "classification" or "regression"; target, the target column's name
    features, one per model input in order:
        {name, label, unit, kind: "numeric", min, max, mean, std, step, fill}   min <= max (equal: a constant);
            step > 0 a round number giving 100 to 200 positions from min to max; fill a number or null
        {name, label, unit, kind: "categorical", categories, default, fill}     default: the most frequent
            category; fill a category or null
        {name, label, unit, kind: "text", tokenizer, tokenizer_version, vocabulary_size, explainable}
            a text model's one feature; explainable: the model has no hidden layer, so Model.explain works
    classes (classification): the class names, in output order
    target_values (regression): {label, unit, min, max, mean} of the target in the data
    architecture {layers, parameters}, training (the settings), metrics (see training.py); a converted model's
    card (convert/card.py) has training {converted_from} and metrics on the rows it was given, if any
    test_vectors (optional): {rows, probabilities} of a classifier or {rows, values} of a regressor: a few rows
        of the data (numbers, category names, null for missing) and what the trainer's numpy forward pass
        computed for them; whoever serves the model (the page at load) checks it computes the same
    sample (optional, `finf train --card-sample N`): {rows, targets}: training rows as above and their class
        names or target values, which the page draws on its map

A language model's card (finf_train.lm.export.make_card) has task "generation" and, instead of features and a
target, kind ("bigram" or "gpt"), vocab (its characters in id order) and block_size; training holds what
training knows (corpus, steps, ...) and metrics its val_loss and train_loss in nats per character.

json is imported where it is used: `finf predict` on a model with no card does not need it.
"""

import math
import os
import re

# CPython's own SHA-256 (_sha2 since 3.12, _sha256 before): importing hashlib would load OpenSSL's libcrypto,
# about a tenth of the instructions `finf predict` runs. Any of the three gives the same digest.
try:
    from _sha2 import sha256
except ImportError:
    try:
        from _sha256 import sha256
    except ImportError:
        from hashlib import sha256

_NAME_WITH_UNIT = r"(.*\S)\s*\(([^()]*)\)"  # a pattern, compiled (and cached by re) on first use
_STEPS = (5.0, 2.5, 2.0, 1.0)  # times a power of ten: consecutive ones differ at most 2x, so 100-200 positions
MIN_POSITIONS = 100
MAX_CARD_BYTES = 1024 * 1024


def card_path(model_path):
    """Where the card of a model file lives: the same name with .json in place of its suffix."""
    return os.path.splitext(os.fspath(model_path))[0] + ".json"


def label_and_unit(name):
    """'sepal length (cm)' -> ('sepal length', 'cm'); a name without '(unit)' is its own label."""
    match = re.fullmatch(_NAME_WITH_UNIT, name)
    return (match.group(1), match.group(2).strip()) if match else (name, "")


def slider_step(low, high):
    """The largest round step (1, 2, 2.5 or 5 times a power of ten) that gives at least 100 positions."""
    span = high - low
    if not span > 0:
        return 1.0
    power = 10.0 ** math.floor(math.log10(span / MIN_POSITIONS))
    for mantissa in _STEPS:
        step = mantissa * power
        if span / step >= MIN_POSITIONS * (1 - 1e-9):
            return _tidy(step)
    return _tidy(power)


def _tidy(value, digits=12):
    """value without binary noise: 0.30000000000000004 -> 0.3."""
    return float(f"{value:.{digits}g}")


def _numeric_info(values, name, feature, label, unit):
    import numpy as np  # only where a card is made, so predict and inspect start without numpy

    present = values[~np.isnan(values)]
    return range_info(float(present.min()), float(present.max()), float(present.mean()), float(present.std()),
                       name, feature, label, unit)


def range_info(low, high, mean, std, name, feature, label, unit):
    """A numeric feature's card entry for values from low to high, with their mean and std."""
    step = slider_step(low, high)
    # Snapped outward to whole steps, so every value in the data is a position of the slider.
    places = max(0, -math.floor(math.log10(step)) + 1)
    low, high = round(math.floor(low / step + 1e-9) * step, places), round(math.ceil(high / step - 1e-9) * step, places)
    return {"name": name, "label": label, "unit": unit, "kind": "numeric", "min": low, "max": high,
            "mean": _tidy(mean, 6), "std": _tidy(std, 6), "step": step, "fill": feature.fill}


def _categorical_info(values, name, feature, label, unit):
    import numpy as np

    codes = values[~np.isnan(values)].astype(np.int64)
    counts = np.bincount(codes, minlength=len(feature.categories))
    return {"name": name, "label": label, "unit": unit, "kind": "categorical",
            "categories": list(feature.categories), "default": feature.categories[int(np.argmax(counts))],
            "fill": feature.fill}


def _text_info(name, feature, model):
    label, unit = label_and_unit(name)
    vocabulary = feature.vocabulary
    return {"name": name, "label": label, "unit": unit, "kind": "text", "tokenizer": vocabulary.tokenizer,
            "tokenizer_version": vocabulary.version, "vocabulary_size": len(vocabulary),
            "explainable": model.explainable}


def feature_info(dataset, model):
    """The card's features: what the page needs to build an input for each (all rows of the data)."""
    if model.text:
        return [_text_info(dataset.feature_names[0], model.features[0], model)]
    info = []
    # Named as in the data: a v2 file calls its features x0, x1, ...
    for j, (name, feature) in enumerate(zip(dataset.feature_names, model.features, strict=True)):
        label, unit = label_and_unit(name)
        describe = _numeric_info if feature.kind == "numeric" else _categorical_info
        info.append(describe(dataset.X[:, j], name, feature, label, unit))
    return info


def target_values(dataset):
    label, unit = label_and_unit(dataset.target)
    y = dataset.y
    return {"label": label, "unit": unit, "min": float(y.min()), "max": float(y.max()),
            "mean": _tidy(float(y.mean()), 6)}


def describe_layers(model):
    """['Linear(4, 32)', 'ReLU', ...]: the architecture in PyTorch's words."""
    return [layer.describe() for layer in model.layers]


def make_card(dataset, model, model_bytes, settings, metrics, model_file="model.bin"):
    """The model card as a dict, in the key order the JSON file shows."""
    card = {
        "format": "FINF",
        "version": model.version,
        "model_file": model_file,
        "size_bytes": len(model_bytes),
        "sha256": sha256(model_bytes).hexdigest(),
        "task": dataset.task,
        "target": dataset.target,
        "features": feature_info(dataset, model),
    }
    if dataset.task == "classification":
        card["classes"] = list(dataset.classes)
    else:
        card["target_values"] = target_values(dataset)
    card["architecture"] = {"layers": describe_layers(model), "parameters": sum(len(p) for p in model.parameters())}
    card["training"] = settings
    card["metrics"] = metrics
    return card


def dumps(card):
    """The card's JSON text: indented, UTF-8 safe, ending in a newline."""
    import json

    return json.dumps(card, indent=2, ensure_ascii=False) + "\n"


def read(path, model, model_bytes):
    """The card at path, checked against the model it describes; ValueError naming the path otherwise."""
    import json

    try:
        with open(path, "rb") as f:
            text = f.read(MAX_CARD_BYTES + 1)
        card = json.loads(text) if len(text) <= MAX_CARD_BYTES else None
    except OSError as error:
        raise ValueError(f"{path}: cannot read the model card: {error.strerror or error}") from None
    except ValueError as error:  # JSONDecodeError and UnicodeDecodeError are ValueErrors
        raise ValueError(f"{path}: not a valid model card: {error}") from None
    problem = check(card, model, model_bytes)
    if problem:
        raise ValueError(f"{path}: {problem}")
    return card


def check(card, model, model_bytes):
    """None if card is a valid card for this model and file, else what is wrong, in words."""
    if not isinstance(card, dict):
        return f"not a valid model card: expected a JSON object of at most {MAX_CARD_BYTES} bytes"
    if card.get("sha256") != sha256(model_bytes).hexdigest():
        return "the model card describes a different model file (its sha256 does not match)"
    if not (isinstance(card.get("model_file"), str) and re.fullmatch(r"[\w.-]+", card["model_file"])):
        return "model card 'model_file': expected a plain file name"
    if card.get("task", "classification") != model.task:
        return f"model card 'task': expected {model.task!r}, found {card.get('task')!r}"
    if model.task == "generation":  # a language model (finf_train.lm.export.make_card)
        if card.get("vocab") != model.vocab or card.get("block_size") != model.block_size:
            return "model card 'vocab' and 'block_size': expected the model's own"
        return None
    features = card.get("features")
    if not (isinstance(features, list) and len(features) == model.n_features):
        return f"model card 'features': expected {model.n_features} features with names"
    for i, (info, feature) in enumerate(zip(features, model.features, strict=True)):
        problem = _check_feature(info, feature, model.version)
        if problem:
            return f"model card 'features'[{i}]: {problem}"
    return _check_target(card, model) or _check_rows(card, model)


def _check_rows(card, model):
    """The optional test_vectors and sample: rows of the model's width, with one output per row."""
    width = model.n_features
    vectors, sample = card.get("test_vectors"), card.get("sample")
    if vectors is not None:
        key = "values" if model.task == "regression" else "probabilities"
        outputs = vectors.get(key) if isinstance(vectors, dict) else None
        if not (_rows_ok(vectors.get("rows") if outputs is not None else None, width) and isinstance(outputs, list)
                and len(outputs) == len(vectors["rows"])
                and all(_answer_ok(o, key, model.n_outputs) for o in outputs)):
            return f"model card 'test_vectors': expected {{rows, {key}}}: rows of {width} values, one answer each"
    if sample is not None:
        targets = sample.get("targets") if isinstance(sample, dict) else None
        if not (_rows_ok(sample.get("rows") if targets is not None else None, width) and isinstance(targets, list)
                and len(targets) == len(sample["rows"])):
            return f"model card 'sample': expected {{rows, targets}}: rows of {width} values, one target each"
    return None


def _answer_ok(answer, key, n_outputs):
    if key == "values":
        return _number(answer)
    return isinstance(answer, list) and len(answer) == n_outputs and all(_number(p) for p in answer)


def _rows_ok(rows, width):
    return isinstance(rows, list) and all(isinstance(row, list) and len(row) == width for row in rows)


def _check_target(card, model):
    if model.task == "regression":
        if not _range_ok(card.get("target_values")):
            return "model card 'target_values': expected {label, unit, min, max, mean} with min <= max"
        return None
    classes = card.get("classes")
    if not (isinstance(classes, list) and len(classes) == model.n_outputs and all(isinstance(c, str) for c in classes)):
        return f"model card 'classes': expected {model.n_outputs} class names"
    return None


def _check_feature(info, feature, version):
    if not (isinstance(info, dict) and isinstance(info.get("name"), str)):
        return "expected a feature with a name"
    if version == 3 and info["name"] != feature.name:
        return f"expected the name {feature.name!r}, found {info['name']!r}"
    kind = info.get("kind", "numeric")  # cards from before kinds described numeric features alone
    if kind != feature.kind:
        return f"expected kind {feature.kind!r}, found {kind!r}"
    if kind == "categorical":
        if info.get("categories") != list(feature.categories) or info.get("default") not in feature.categories:
            return "expected the model's categories and a default among them"
        return None
    if kind == "text":
        if info.get("vocabulary_size") != feature.width or not isinstance(info.get("explainable"), bool):
            return f"expected vocabulary_size {feature.width} and explainable true or false"
        return None
    if not _range_ok(info):
        return "expected numbers min <= max"
    step = info.get("step", 1)
    if not (_number(step) and step > 0):
        return "expected a step > 0"
    return None


def _number(value):
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def _range_ok(info):
    if not isinstance(info, dict):
        return False
    return _number(info.get("min")) and _number(info.get("max")) and info["min"] <= info["max"]
