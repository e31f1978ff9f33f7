"""The model card: the JSON beside a model file (model.bin -> model.json) that the page and CLI read."""

import hashlib
import json
import os
import re

from finf import Linear

_NAME_WITH_UNIT = re.compile(r"(.*\S)\s*\(([^()]*)\)")


def card_path(model_path):
    """Where the card of a model file lives: the same name with .json in place of its suffix."""
    return os.path.splitext(os.fspath(model_path))[0] + ".json"


def label_and_unit(name):
    """'sepal length (cm)' -> ('sepal length', 'cm'); a name without '(unit)' is its own label."""
    match = _NAME_WITH_UNIT.fullmatch(name)
    return (match.group(1), match.group(2).strip()) if match else (name, "")


def feature_info(dataset):
    """Per feature: name, label, unit, min, max, mean, std (all rows) and the slider step 10**-decimals."""
    features = []
    for j, name in enumerate(dataset.feature_names):
        column = dataset.X[:, j]
        places = dataset.decimals[j]
        label, unit = label_and_unit(name)
        features.append({
            "name": name, "label": label, "unit": unit,
            "min": float(column.min()), "max": float(column.max()),
            # two more decimals than the data has: enough to show, short enough to read
            "mean": round(float(column.mean()), places + 2), "std": round(float(column.std()), places + 2),
            "step": 10.0**-places if places else 1,
        })
    return features


def describe_layers(model):
    """['Linear(4, 32)', 'ReLU', ...]: the architecture in PyTorch's words."""
    names = {"identity": "Identity", "relu": "ReLU", "sigmoid": "Sigmoid", "tanh": "Tanh", "softmax": "Softmax"}
    return [
        f"Linear({layer.in_features}, {layer.out_features})" if isinstance(layer, Linear) else names[layer.kind]
        for layer in model.layers
    ]


def make_card(dataset, model, model_bytes, settings, metrics, model_file="model.bin"):
    """The model card as a dict, in the key order the JSON file shows."""
    return {
        "format": "FINF",
        "version": model.version,
        "model_file": model_file,
        "size_bytes": len(model_bytes),
        "sha256": hashlib.sha256(model_bytes).hexdigest(),
        "target": dataset.target,
        "features": feature_info(dataset),
        "classes": list(dataset.classes),
        "architecture": {"layers": describe_layers(model), "parameters": sum(len(p) for p in model.parameters())},
        "training": settings,
        "metrics": metrics,
    }


def dumps(card):
    """The card's JSON text: indented, UTF-8 safe, ending in a newline."""
    return json.dumps(card, indent=2, ensure_ascii=False) + "\n"
