"""What each `finf` command does, once cli.py has parsed its arguments.

numpy and json are imported by the commands that need them, so `finf predict` starts fast.
"""

import os

import finf

from . import card as model_card
from .lm import commands as lm_commands
from .values import is_whole, parse_values


def run_train(args):
    # One BLAS thread: these networks are too small to gain from more, and threads fight on a busy machine.
    # This only takes effect because numpy is imported here, after it, and only for training.
    for name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(name, "1")
    from .files import check_out, save  # noqa: I001 (imported here: training needs numpy, predict does not)
    from .training import train

    check_out(args.out)
    hidden = _hidden_sizes(args.hidden)
    result = train(args.data, args.target, task=args.task, ignore=args.ignore, categorical=args.categorical,
                   missing=args.missing, hidden=hidden, activation=args.activation, optimizer=args.optimizer,
                   lr=args.lr, epochs=args.epochs, batch_size=args.batch_size, val_fraction=args.val_fraction,
                   seed=args.seed)
    card = save(result, args.out)
    for line in summary(args, result.dataset, card):
        print(line)


def _hidden_sizes(sizes):
    if 0 in sizes and sizes != [0]:
        raise ValueError(f"--hidden: 0 means no hidden layer and stands alone, found {' '.join(map(str, sizes))}")
    return () if sizes == [0] else tuple(sizes)


def summary(args, dataset, card):
    """The lines `finf train` prints: data, task, model, training, scores beside the baseline, files."""
    settings, metrics = card["training"], card["metrics"]
    n_cat = sum(f["kind"] == "categorical" for f in card["features"])
    kinds = f" ({n_cat} categorical)" if n_cat else ""
    outputs = f"{len(card['classes'])} classes" if card["task"] == "classification" else f"target {card['target']!r}"
    lines = [f"data: {args.data}: {settings['train_rows'] + settings['val_rows']} rows ({settings['train_rows']} "
             f"train, {settings['val_rows']} validation), {len(card['features'])} features{kinds}, {outputs}"]
    lines += _dropped_lines(dataset, args)
    lines.append(f"task: {card['task']} ({_task_reason(dataset, args.task)})")
    lines.append(f"model: {' '.join(card['architecture']['layers'])}, {card['architecture']['parameters']} parameters")
    batch = "full batch" if settings["batch_size"] is None else f"batch size {settings['batch_size']}"
    lines.append(f"training: {settings['optimizer']} lr {settings['lr']:g}, {settings['epochs']} epochs, {batch}, "
                 f"seed {settings['seed']}, {metrics['train_seconds']:.3f} s")
    lines.append(_score_line(card))
    lines.append(f"wrote {args.out} ({card['size_bytes']} bytes) and {model_card.card_path(args.out)}")
    return lines


def _dropped_lines(dataset, args):
    lines = []
    if dataset.dropped.get("missing_target"):
        lines.append(f"missing: left out {dataset.dropped['missing_target']} rows with no {dataset.target!r}")
    if dataset.dropped.get("missing_values"):
        lines.append(f"missing: left out {dataset.dropped['missing_values']} rows with missing values (--missing drop)")
    if args.missing == "impute":
        import numpy as np

        rows = int(np.isnan(dataset.X).any(axis=1).sum())
        lines.append(f"missing: {rows} rows with missing values filled from the training rows (--missing impute); "
                     "the fill values are stored in the model")
    return lines


def _task_reason(dataset, asked):
    if asked != "auto":
        return f"--task {asked}"
    other = "regression" if dataset.task == "classification" else "classification"
    if dataset.task == "regression":
        what = f"{len(set(dataset.y.tolist()))} distinct numbers"
    elif all(is_whole(c) for c in dataset.classes):
        what = f"{len(dataset.classes)} distinct whole numbers"
    else:
        what = "text"
    return f"{dataset.target!r} holds {what}; --task {other} to override"


def _score_line(card):
    metrics = card["metrics"]
    if card["task"] == "classification":
        val = "" if metrics["val_accuracy"] is None else f", validation {metrics['val_accuracy']:.1%}"
        majority = card["classes"][metrics["baseline_class"]]
        return (f"accuracy: train {metrics['train_accuracy']:.1%}{val}, all rows {metrics['accuracy']:.1%} "
                f"(always guessing {majority!r}: {metrics['baseline_accuracy']:.1%})")
    shown = "validation" if metrics["validation"]["r2"] is not None else "all_rows"
    scores, base = metrics[shown], metrics["baseline"]
    where = "validation" if shown == "validation" else "all rows"
    return (f"R²: train {metrics['train']['r2']:.3f}, {where} {scores['r2']:.3f}; {where} MAE {scores['mae']:.4g}, "
            f"RMSE {scores['rmse']:.4g} (predicting the mean: R² {base['r2']:.3f}, MAE {base['mae']:.4g}, "
            f"RMSE {base['rmse']:.4g})")


def run_predict(args):
    model, card, data = open_model(args.model)
    if model.task == "generation":
        raise ValueError(f"{args.model}: a language model; use finf generate")
    names, classes = feature_names(model, card), class_names(model, card)
    if args.csv is not None:
        if args.values:
            raise ValueError("give either feature values or --csv, not both")
        from .scoring import predict_csv  # noqa: I001 (numpy only when scoring a file)

        predict_csv(model, names, classes, args.csv, args.out)
        return
    if args.out is not None:
        raise ValueError("--out goes with --csv")
    try:
        row = parse_values(model, names, args.values)
    except ValueError as error:
        raise ValueError(f"{args.model}: {error}") from None
    if model.task == "regression":
        value = model.predict(row)
        print(_json({"prediction": value}) if args.json else _format_value(value, card))
        return
    probabilities = model.predict_proba(row)
    index = max(range(len(probabilities)), key=probabilities.__getitem__)
    if args.json:
        name = classes[index] if (card or model.classes) else None
        print(_json({"class_index": index, "class": name, "probabilities": probabilities}))
        return
    print(classes[index])
    width = max(len(label) for label in classes)
    for label, p in zip(classes, probabilities, strict=True):
        print(f"  {label:<{width}}  {p:.4f}")


def _json(value):
    import json

    return json.dumps(value)


def _format_value(value, card):
    unit = card["target_values"]["unit"] if card else ""
    return f"{value:.6g}" + (f" {unit}" if unit else "")


def run_evaluate(args):
    from .scoring import evaluate_csv  # noqa: I001 (numpy)

    model, card, data = open_model(args.model)
    if model.task == "generation":
        return lm_commands.evaluate(args, model)
    target = (card or {}).get("target") or model.target.name
    if target is None:
        raise ValueError(f"{args.model}: the model does not name its target; put its card beside it")
    classes = class_names(model, card) if model.task == "classification" else None
    scores = evaluate_csv(model, feature_names(model, card), classes, target, args.data)
    if args.json:
        print(_json(scores))
        return
    if model.task == "classification":
        majority = classes[scores["baseline_class"]]
        print(f"{args.data}: {scores['rows']} rows, accuracy {scores['accuracy']:.1%} (always guessing {majority!r}: "
              f"{scores['baseline_accuracy']:.1%})")
        return
    base = scores["baseline"]
    print(f"{args.data}: {scores['rows']} rows, R² {scores['r2']:.3f}, MAE {scores['mae']:.4g}, RMSE "
          f"{scores['rmse']:.4g} (predicting their mean: R² {base['r2']:.3f}, MAE {base['mae']:.4g}, "
          f"RMSE {base['rmse']:.4g})")


def run_inspect(args):
    model, card, data = open_model(args.model)
    digest = model_card.sha256(data).hexdigest()
    if model.task == "generation":
        return lm_commands.inspect(args, model, card, data, digest)
    names = feature_names(model, card)
    print(f"{args.model}: FINF version {model.version}, {len(data)} bytes, sha256 {digest}")
    print(f"features: {model.n_features}" + (" (names from the card)" if model.version == 2 and card else ""))
    width = max(len(name) for name in names)
    for name, feature in zip(names, model.features, strict=True):
        print(f"  {name:<{width}}  {_describe_feature(feature)}")
    target = (card or {}).get("target") or model.target.name
    if model.task == "classification":
        classes = class_names(model, card)
        print(f"task: classification of {target!r}" if target else "task: classification")
        print(f"classes: {', '.join(classes)}")
    else:
        fmt = finf.format.format_number
        print(f"task: regression of {target!r}, prediction = output * {fmt(model.target.std)} + "
              f"{fmt(model.target.mean)}")
    print(f"layers: {len(model.layers)}")
    for i, layer in enumerate(model.layers):
        count = sum(len(p) for p in layer.parameters())
        print(f"  {i}  {layer.describe()}" + (f"  {count} parameters" if count else ""))
    print(f"parameters: {sum(len(p) for p in model.parameters())}")


def _describe_feature(feature):
    fmt = finf.format.format_number  # numbers as the file spells them
    if feature.kind == "numeric":
        fill = "" if feature.fill is None else f", fill {fmt(feature.fill)}"
        return f"numeric, mean {fmt(feature.mean)}, std {fmt(feature.std)}{fill}"
    fill = "" if feature.fill is None else f", fill {feature.fill!r}"
    shown = ", ".join(repr(c) for c in feature.categories[:10])
    more = f" and {len(feature.categories) - 10} more" if len(feature.categories) > 10 else ""
    return f"categorical, {len(feature.categories)} categories: {shown}{more}{fill}"


def feature_names(model, card):
    """The model's feature names: its own (v3), or its card's for a v2 file, which names none."""
    if model.version == 2 and card:
        return [f["name"] for f in card["features"]]
    return [f.name for f in model.features]


def class_names(model, card):
    if card and card.get("classes"):
        return card["classes"]
    return list(model.classes) if model.classes else [f"class {i}" for i in range(model.n_outputs)]


def open_model(path):
    """(model, card or None, bytes) for a model file and the card beside it, each checked."""
    data = read_model_bytes(path)
    try:
        model = finf.load(data)
    except finf.FormatError as error:
        raise finf.FormatError(f"{path}: {error}") from None
    card_file = model_card.card_path(path)
    card = model_card.read(card_file, model, data) if os.path.exists(card_file) else None
    return model, card, data


def read_model_bytes(path):
    """The bytes of a model file, with OS errors turned into one line naming the path."""
    try:
        with open(path, "rb") as f:
            return f.read(finf.format.MAX_FILE_BYTES + 1)
    except OSError as error:
        raise ValueError(f"{path}: cannot read: {error.strerror or error}") from None

