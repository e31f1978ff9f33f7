"""Model cards for converted models, and writing them beside their files: save(model, out, rows, y).

A converted model has no training data of its own, so its card (card.py's schema) takes its feature ranges
from rows the user passes, or, without them, from the model's own statistics: a numeric feature's slider
spans its mean ± 3 std (a StandardScaler's, for a converted pipeline). With `y` (the targets of those rows)
the card's metrics are the model's scores on them. A regressor's target range is that of y, else of its
predictions on the rows, else of its predictions on random rows inside the feature ranges.
"""

import os

import numpy as np

import finf

from .. import card as model_card
from .. import metrics
from ..files import check_out, write_atomic

SPREAD = 3.0  # without data, a numeric slider spans mean ± SPREAD * std
SAMPLED_ROWS = 500  # rows that give a regressor's target range when neither y nor rows are given


def table(model, rows):
    """rows (a DataFrame, mappings by feature name, or sequences in feature order) as lists in feature order.

    Values are None for missing (None or NaN), text for a category, a float for a number.
    """
    if hasattr(rows, "to_dict") and hasattr(rows, "columns"):  # a pandas DataFrame
        rows = rows.to_dict("records")
    names = [f.name for f in model.features]
    out = []
    for i, row in enumerate(rows):
        values = [row.get(name) for name in names] if isinstance(row, dict) else list(row)
        if len(values) != len(names) or (isinstance(row, dict) and any(name not in row for name in names)):
            raise ValueError(f"rows: row {i}: expected the model's {len(names)} features ({', '.join(names[:5])}"
                             f"{', ...' if len(names) > 5 else ''})")
        out.append([_value(feature, value, i) for feature, value in zip(model.features, values, strict=True)])
    if not out:
        raise ValueError("rows: expected at least one row")
    return out


def _value(feature, value, i):
    if value is None or (isinstance(value, float) and value != value):
        return None
    if feature.kind == "categorical":  # a category by name, or a whole number as its digits (from_sklearn's names)
        return str(int(value)) if not isinstance(value, str) and float(value).is_integer() else str(value)
    return float(value)


def converted_card(model, model_bytes, rows=None, y=None, source="", model_file="model.bin"):
    """The model card (card.py's schema) of a converted model; rows and y as in this module's docstring."""
    rows = None if rows is None else table(model, rows)
    card = {"format": "FINF", "version": model.version, "model_file": model_file, "size_bytes": len(model_bytes),
            "sha256": model_card.sha256(model_bytes).hexdigest(), "task": model.task,
            "target": model.target.name or "target", "features": _features(model, rows)}
    if model.task == "classification":
        card["classes"] = list(model.classes) if model.classes else [str(k) for k in range(model.n_outputs)]
    else:
        card["target_values"] = _target_values(model, card, rows, y)
    card["architecture"] = {"layers": model_card.describe_layers(model),
                            "parameters": sum(len(p) for p in model.parameters())}
    card["training"] = {"converted_from": source}
    card["metrics"] = _scores(model, rows, y) if y is not None else {}
    return card


def _features(model, rows):
    info = []
    for j, feature in enumerate(model.features):
        label, unit = model_card.label_and_unit(feature.name)
        present = [] if rows is None else [row[j] for row in rows if row[j] is not None]
        if feature.kind == "categorical":
            counts = {c: 0 for c in feature.categories}
            for value in present:
                counts[value] = counts.get(value, 0) + 1
            default = max(counts, key=counts.get) if present else (feature.fill or feature.categories[0])
            info.append({"name": feature.name, "label": label, "unit": unit, "kind": "categorical",
                         "categories": list(feature.categories), "default": default, "fill": feature.fill})
            continue
        if present:
            values = np.array(present)
            low, high, mean, std = values.min(), values.max(), values.mean(), values.std()
        else:  # the model's own statistics: a scaler's mean and std for a converted pipeline
            mean, std = feature.mean, feature.std
            low, high = mean - SPREAD * std, mean + SPREAD * std
        info.append(model_card.range_info(float(low), float(high), float(mean), float(std), feature.name, feature,
                                          label, unit))
    return info


def _target_values(model, card, rows, y):
    if y is not None:
        values = np.asarray(y, dtype=np.float64)
    else:
        values = np.array(model.predict_batch(rows if rows is not None else _sample(card)))
    label, unit = model_card.label_and_unit(card["target"])
    return {"label": label, "unit": unit, "min": float(values.min()), "max": float(values.max()),
            "mean": float(f"{values.mean():.6g}")}


def _sample(card):
    """SAMPLED_ROWS rows drawn uniformly inside the card's feature ranges (a fixed seed)."""
    rng = np.random.default_rng(0)
    columns = [rng.choice(f["categories"], SAMPLED_ROWS).tolist() if f["kind"] == "categorical"
               else rng.uniform(f["min"], f["max"], SAMPLED_ROWS).tolist() for f in card["features"]]
    return [list(row) for row in zip(*columns, strict=True)]


def _scores(model, rows, y):
    if rows is None or len(rows) != len(y):
        raise ValueError(f"y: expected one target per row of rows ({0 if rows is None else len(rows)}), "
                         f"found {len(y)}")
    if model.task == "regression":
        truth = np.asarray(y, dtype=np.float64)
        return {"data_rows": len(rows), **metrics.regression_scores(truth, np.array(model.predict_batch(rows)))}
    classes = list(model.classes or [])
    truth = [str(v) for v in y]
    unknown = sorted(set(truth) - set(classes))
    if unknown:
        raise ValueError(f"y: {unknown[0]!r} is not a class of the model ({', '.join(classes[:20])})")
    predicted = [classes[i] for i in model.predict_batch(rows)]
    return {"data_rows": len(rows), "accuracy": float(np.mean([p == t for p, t in zip(predicted, truth, strict=True)]))}


def save(model, out, rows=None, y=None, source=""):
    """Write model's FINF file to out and its card beside it (out.bin -> out.json), atomically; return the card."""
    out = check_out(out)
    data = finf.dumps(model)
    card = converted_card(finf.load(data), data, rows, y, source, os.path.basename(out))
    write_atomic({out: data, model_card.card_path(out): model_card.dumps(card).encode("utf-8")})
    return card
