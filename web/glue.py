"""The worker's Python side: load the model, predict; JSON in, JSON out, so no Python objects cross into JavaScript.

web/worker.js imports this module as `glue` in Pyodide: from the site's memory snapshot, where it is already
imported, or from this file, fetched and written beside the installed engine. Host tests import it directly.
"""

import itertools
import json
import random

import finf

model = None  # the finf.Model (or finf.LanguageModel) load_model read
writer = None  # the generator of characters start_generation made


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
                       "categories": categories})


def predict(values_json):
    """One row's prediction as JSON: {"probabilities"} of a classifier, {"value"} of a regressor, or the refusal.

    The row is a list in feature order: numbers, category names, null for a value the model fills.
    """
    try:
        row = json.loads(values_json)
        if model.task == "regression":
            return json.dumps({"value": model.predict(row)})
        return json.dumps({"probabilities": model.predict_proba(row)})
    except ValueError as error:
        return json.dumps({"error": f"the engine refused the input: {error}"})


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
