"""The worker's Python side: load the model, predict; JSON in, JSON out, so no Python objects cross into JavaScript.

web/worker.js imports this module as `glue` in Pyodide: from the site's memory snapshot, where it is already
imported, or from this file, fetched and written beside the installed engine. Host tests import it directly.
"""

import itertools
import json
import math
import random

import finf

model = None  # the finf.Model (or finf.LanguageModel) load_model read
writer = None  # the generator of characters start_generation made
# How far the engine may be from the trainer on the card's test vectors: an absolute difference for
# probabilities, relative to max(1, |value|) for a regressor's values. Both compute in float64 from the same
# float32 weights, so they differ by rounding alone, around 1e-16.
SELF_CHECK_TOLERANCE = 1e-9


def load_model(path, name):
    """Load the model file at path (name is how errors call it); JSON with its task and shape, or an error."""
    global model
    try:
        with open(path, "rb") as f:
            model = finf.load(f.read())
    except finf.FormatError as error:
        return json.dumps({"error": f"{name} is not a valid finf model: {error}"})
    if model.task == "generation":
        return json.dumps({"task": model.task, "kind": model.kind, "vocab": model.vocab,
                           "block_size": model.block_size})
    # The categories too, so the worker can check the card's against the model's (null for a numeric feature).
    categories = [list(f.categories) if f.kind == "categorical" else None for f in model.features]
    return json.dumps({"task": model.task, "n_features": model.n_features, "n_outputs": model.n_outputs,
                       "categories": categories, "kinds": [f.kind for f in model.features],
                       "explainable": model.explainable})


def predict(values_json):
    """One row's prediction as JSON: {"probabilities"} of a classifier, {"value"} of a regressor, or the refusal.

    The row is a list in feature order: numbers, category names, null for a value the model fills.
    """

    def answer(row):
        if model.task == "regression":
            return {"value": model.predict(row)}
        return {"probabilities": model.predict_proba(row)}

    return _answer(answer, values_json)


def predict_text(text_json):
    """A text model's prediction as JSON: {"probabilities", "words"}, or the refusal.

    words, for a model that explains itself (else []): per word of the text, [start, end, push], start and
    end in UTF-16 code units as JavaScript indexes strings, push what the word added to the predicted class's
    logit minus the mean of what it added to the others' (> 0: toward the predicted class).
    """

    def answer(text):
        probabilities = model.predict_proba(text)
        return {"probabilities": probabilities, "words": _words(text, probabilities)}

    return _answer(answer, text_json)


def predict_batch(rows_json):
    """Many rows' predictions as JSON: {"probabilities": [...]} of a classifier, {"values": [...]} of a regressor.

    The rows are lists as predict takes them; the first row the engine refuses refuses the batch.
    """

    def answer(rows):
        if model.task == "regression":
            return {"values": model.predict_batch(rows)}
        return {"probabilities": model.predict_proba_batch(rows)}

    return _answer(answer, rows_json)


def _answer(compute, request_json):
    """compute(the request, decoded) as JSON, or the engine's refusal in words."""
    try:
        return json.dumps(compute(json.loads(request_json)))
    except ValueError as error:
        return json.dumps({"error": f"the engine refused the input: {error}"})


def _words(text, probabilities):
    if not model.explainable:
        return []
    best = max(range(len(probabilities)), key=probabilities.__getitem__)
    others = len(probabilities) - 1
    words, at, units = [], 0, 0
    for (start, end), (_, shares) in zip(model.spans(text), model.explain(text), strict=True):
        units += _utf16(text[at:start])
        length = _utf16(text[start:end])
        push = shares[best] - (sum(shares) - shares[best]) / others
        words.append([units, units + length, push])
        at, units = end, units + length
    return words


def _utf16(text):
    return len(text.encode("utf-16-le")) // 2


def describe_model(name):
    """A model card for the loaded model from its file alone (a model dropped on the page without its card), JSON.

    A v3 file names its features (a text model's one text feature), categories, classes and target; a v2 file
    has generic names (x0, x1, ..., class 0, ...). A number's range is its normalizer's mean +- 3 std, as the
    file holds no minimum or maximum.
    """
    target = model.target
    card = {"format": "FINF", "version": model.version, "model_file": name, "task": model.task,
            "target": target.name, "features": [_describe_feature(f) for f in model.features]}
    if model.task == "regression":
        low, high = target.mean - 3 * target.std, target.mean + 3 * target.std
        card["target_values"] = {"label": target.name or "value", "unit": "", "min": low, "max": high,
                                 "mean": target.mean}
    else:
        card["classes"] = list(model.classes or (f"class {i}" for i in range(model.n_outputs)))
    card["architecture"] = {"layers": [layer.describe() for layer in model.layers],
                            "parameters": sum(len(p) for p in model.parameters())}
    return json.dumps(card)


def _describe_feature(feature):
    base = {"name": feature.name, "label": feature.name, "unit": "", "kind": feature.kind}
    if feature.kind == "text":
        vocabulary = feature.vocabulary
        return {**base, "tokenizer": vocabulary.tokenizer, "tokenizer_version": vocabulary.version,
                "vocabulary_size": len(vocabulary), "explainable": model.explainable}
    if feature.kind == "categorical":
        default = feature.fill if feature.fill is not None else feature.categories[0]
        return {**base, "categories": list(feature.categories), "default": default, "fill": feature.fill}
    step = _slider_step(6 * feature.std)
    # Whole steps, outward, so the mean +- 3 std is inside.
    low = round(math.floor((feature.mean - 3 * feature.std) / step) * step, 12)
    high = round(math.ceil((feature.mean + 3 * feature.std) / step) * step, 12)
    return {**base, "min": low, "max": high, "mean": feature.mean, "std": feature.std, "step": step,
            "fill": feature.fill}


def _slider_step(span):
    """The largest step of 1, 2, 2.5 or 5 times a power of ten giving at least 100 positions (as the trainer's card)."""
    power = 10.0 ** math.floor(math.log10(span / 100))
    for mantissa in (5.0, 2.5, 2.0, 1.0):
        if span / (mantissa * power) >= 100 * (1 - 1e-9):
            return float(f"{mantissa * power:.12g}")
    return float(f"{power:.12g}")


def self_check(vectors_json):
    """The card's test_vectors through the engine: JSON {count, largest, tolerance, ok}, or {error} in words."""
    try:
        vectors = json.loads(vectors_json)
        rows = vectors["rows"]
        if model.task == "regression":
            pairs = zip(model.predict_batch(rows), vectors["values"], strict=True)
            differences = [abs(got - want) / max(1.0, abs(want)) for got, want in pairs]
        else:
            pairs = zip(model.predict_proba_batch(rows), vectors["probabilities"], strict=True)
            differences = [abs(g - w) for got, want in pairs for g, w in zip(got, want, strict=True)]
    except (ValueError, KeyError, TypeError) as error:
        return json.dumps({"error": f"the card's test vectors could not be run: {error}"})
    largest = max(differences, default=0.0)
    return json.dumps({"count": len(rows), "largest": largest, "tolerance": SELF_CHECK_TOLERANCE,
                       "ok": largest <= SELF_CHECK_TOLERANCE})


def reseed(seed_hex):
    """Seed `random` afresh: every restore of a memory snapshot starts from the state it was taken in."""
    random.seed(int(seed_hex, 16))


def start_generation(request_json):
    """Start writing: {prompt, length, temperature, top_k, seed} in; {} or the refusal in words out."""
    global writer
    request = json.loads(request_json)
    try:
        writer = model.generate(request["prompt"], request["length"], request["temperature"], request["top_k"],
                                request["seed"])
    except ValueError as error:
        writer = None
        return json.dumps({"error": f"the model cannot continue this prompt: {error}"})
    return json.dumps({})


def next_text(count):
    """The next count characters (fewer at the end) as {"text", "done"}; one call is one step the page can stop."""
    text = "".join(itertools.islice(writer, count))
    return json.dumps({"text": text, "done": len(text) < count})
