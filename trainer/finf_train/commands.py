"""What each `finf` command does, once cli.py has parsed its arguments.

numpy and json are imported by the commands that need them, so `finf predict` starts fast.
"""

import math
import os

import finf

from . import card as model_card
from .defaults import DEFAULTS, TEXT_DEFAULTS
from .lm import commands as lm_commands
from .values import is_whole, parse_values


def _one_blas_thread():
    # One BLAS thread: these networks are too small to gain from more, and threads fight on a busy machine.
    # This only takes effect because numpy is imported here, after it, and only for training.
    for name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(name, "1")


def run_train(args):
    _one_blas_thread()
    from .files import check_out, save  # noqa: I001 (imported here: training needs numpy, predict does not)
    from .training import train

    check_out(args.out)
    if args.text is not None:
        _train_text(args, save)
        return
    hidden = DEFAULTS["hidden"] if args.hidden is None else _hidden_sizes(args.hidden)
    result = train(args.data, args.target, task=args.task, ignore=args.ignore, categorical=args.categorical,
                   missing=args.missing, hidden=hidden, activation=args.activation, optimizer=args.optimizer,
                   lr=args.lr, epochs=args.epochs, batch_size=args.batch_size, val_fraction=args.val_fraction,
                   seed=args.seed, card_sample=args.card_sample)
    card = save(result, args.out)
    for line in summary(args, result.dataset, card):
        print(line)


def _train_text(args, save):
    from .text import train_text

    if args.task == "regression":
        raise ValueError("--text trains a classifier: --task regression does not go with it")
    for option, used in (("--missing", args.missing != DEFAULTS["missing"]), ("--ignore", args.ignore),
                         ("--categorical", args.categorical)):
        if used:
            raise ValueError(f"--text trains on the text column alone: {option} does not go with it")
    hidden = TEXT_DEFAULTS["hidden"] if args.hidden is None else _hidden_sizes(args.hidden)
    lr = TEXT_DEFAULTS["lr"] if args.lr is None and args.optimizer == "adam" else args.lr
    epochs = TEXT_DEFAULTS["epochs"] if args.epochs is None else args.epochs
    batch_size = TEXT_DEFAULTS["batch_size"] if args.batch_size is None else args.batch_size
    result = train_text(args.data, args.target, args.text, embedding_dim=args.embedding_dim,
                        vocab_size=args.vocab_size, min_count=args.min_count, hidden=hidden,
                        activation=args.activation, optimizer=args.optimizer, lr=lr, epochs=epochs,
                        batch_size=batch_size, val_fraction=args.val_fraction, seed=args.seed)
    card = save(result, args.out)
    for line in summary(args, result.dataset, card):
        print(line)
    return card
def run_train_lm(args):
    _one_blas_thread()
    from .files import check_out  # noqa: I001 (numpy, for training only)

    check_out(args.out)
    lm_shape(args)  # bad settings are refused before anything else is imported or read
    from .lm.export import save_lm

    config, state, summary = train_language_model(args)
    card_extra = {"corpus": os.path.basename(args.corpus), "train_loss": summary["train_loss"],
                  "val_loss": summary["val_loss"], "steps": summary["steps"], "seconds": round(summary["seconds"], 1)}
    save_lm(args.out, config, state, card_extra)
    print(f"wrote {args.out} ({os.path.getsize(args.out)} bytes) and {model_card.card_path(args.out)}")


def lm_shape(args):
    """The GPT's shape from train-lm's arguments, defaults filled in; ValueError for settings that do not fit."""
    from .defaults import LM_DEFAULTS

    names = ("layers", "embedding_dim", "heads", "block", "batch_size")
    given = [name for name in names if getattr(args, name) is not None]
    if args.model == "bigram" and given:
        raise ValueError(f"--{given[0].replace('_', '-')} applies to --model gpt, not to the bigram")
    shape = {name: LM_DEFAULTS[name] if getattr(args, name) is None else getattr(args, name) for name in names}
    if shape["embedding_dim"] % shape["heads"]:
        raise ValueError(f"--heads {shape['heads']} must divide --embedding-dim {shape['embedding_dim']}")
    return shape


def train_language_model(args, out=print):
    """Train-lm up to the model file: read the corpus, train with a progress line per report, print the summary;
    return train_lm's (config, state, summary)."""
    from .lm.corpus import read_text  # noqa: I001 (numpy)
    from .lm.train import train_lm

    shape = lm_shape(args)
    text = read_text(args.corpus)
    out(f"corpus: {args.corpus}: {len(text)} characters, {len(set(text))} distinct; the first 90% trains, "
        "the rest validates")

    def progress(report):
        out(f"step {report['step']}/{report['steps']}  train {report['train_loss']:.4f}  "
            f"val {report['val_loss']:.4f}  {report['steps_per_second']:.2f} steps/s  "
            f"{_duration(report['seconds_left'])} left", flush=True)

    config, state, summary = train_lm(text, args.model, **shape, steps=args.steps, lr=args.lr, seed=args.seed,
                                      progress=progress)
    if args.model == "gpt":
        what = (f"gpt: {config['n_layer']} layers, {config['n_head']} heads, embedding {config['n_embd']}, "
                f"block {config['block_size']}")
    else:
        what = "bigram"
    out(f"model: {what}, {summary['parameters']} parameters, {summary['vocab_size']} characters")
    out(f"training: {summary['steps']} steps in {summary['seconds']:.1f} s "
        f"({summary['steps'] / summary['seconds']:.2f} steps/s), seed {args.seed}")
    out(f"loss: train {summary['train_loss']:.4f}, validation {summary['val_loss']:.4f} nats/char "
        f"({summary['val_loss'] / math.log(2):.3f} bits/char)")
    return config, state, summary


def _duration(seconds):
    seconds = round(seconds)
    return f"{seconds // 60}m {seconds % 60:02d}s" if seconds >= 60 else f"{seconds}s"


def _hidden_sizes(sizes):
    if 0 in sizes and sizes != [0]:
        raise ValueError(f"--hidden: 0 means no hidden layer and stands alone, found {' '.join(map(str, sizes))}")
    return () if sizes == [0] else tuple(sizes)


def summary(args, dataset, card):
    """The lines `finf train` prints: data, task, model, training, scores beside the baseline, files."""
    settings, metrics = card["training"], card["metrics"]
    n_cat = sum(f["kind"] == "categorical" for f in card["features"])
    kinds = f" ({n_cat} categorical)" if n_cat else ""
    features = f"{len(card['features'])} features{kinds}"
    if card["features"][0]["kind"] == "text":
        text = card["features"][0]
        features = f"text column {text['name']!r} ({text['vocabulary_size']} vocabulary entries, UNK's included)"
    outputs = f"{len(card['classes'])} classes" if card["task"] == "classification" else f"target {card['target']!r}"
    lines = [f"data: {args.data}: {settings['train_rows'] + settings['val_rows']} rows ({settings['train_rows']} "
             f"train, {settings['val_rows']} validation), {features}, {outputs}"]
    lines += _dropped_lines(dataset, args)
    lines.append(f"task: {card['task']} ({_task_reason(dataset, args.task)})")
    lines.append(f"model: {' '.join(card['architecture']['layers'])}, {card['architecture']['parameters']} parameters")
    batch = "full batch" if settings["batch_size"] is None else f"batch size {settings['batch_size']}"
    lines.append(f"training: {settings['optimizer']} lr {settings['lr']:g}, {settings['epochs']} epochs, {batch}, "
                 f"seed {settings['seed']}, {metrics['train_seconds']:.3f} s")
    lines.append(_score_line(card))
    if metrics.get("f1"):
        scores = ", ".join(f"{name} {value:.3f}" for name, value in metrics["f1"].items() if value is not None)
        lines.append(f"F1 ({'validation' if settings['val_rows'] else 'all rows'}): {scores}")
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


def run_convert(args):
    """A pickled scikit-learn model to FINF (with its card), or a FINF file to ONNX."""
    import sys

    from . import convert  # noqa: I001 (numpy, and scikit-learn or onnx, only for a conversion)
    from .files import check_out, write_atomic

    data = read_model_bytes(args.source)
    if data[:4] == finf.format.MAGIC:
        if args.data or args.target:
            raise ValueError("--data and --target describe a model converted to FINF, not one converted from it")
        model, _, _ = open_model(args.source)
        if not args.out.endswith(".onnx"):
            raise ValueError(f"{args.out}: a FINF file converts to ONNX: expected a name ending in .onnx")
        onnx_bytes = convert.to_onnx(model)
        write_atomic({check_out(args.out): onnx_bytes})
        print(f"wrote {args.out} ({len(onnx_bytes)} bytes): ONNX, inputs {_onnx_inputs(model)}")
        return
    if args.out.endswith(".onnx"):
        raise ValueError(f"{args.out}: a scikit-learn model converts to FINF (MODEL.bin), which then converts to ONNX")
    check_out(args.out)  # before the pickle is loaded, which may take long, or run anything
    print(f"finf convert: warning: {args.source} is not a FINF file, so it is read as a pickle, and loading a pickle "
          "runs any code it holds: convert only files you trust", file=sys.stderr)
    from .convert import unpickle

    estimator = unpickle.load(args.source)
    model = convert.from_sklearn(estimator, target=args.target or "target")
    rows = y = None
    if args.data:
        from .scoring import read_rows

        rows, y = read_rows(model, [f.name for f in model.features], args.data, args.target)
        if y is not None and model.task == "regression":
            y = [_target_number(args.data, args.target, text) for text in y]
    card = convert.save(model, args.out, rows, y, _describe(estimator))
    n_cat = sum(f["kind"] == "categorical" for f in card["features"])
    print(f"converted: {args.source}: {card['training']['converted_from']}")
    print(f"model: {len(card['features'])} features" + (f" ({n_cat} categorical)" if n_cat else "") +
          f", {' '.join(card['architecture']['layers'])}, {card['architecture']['parameters']} parameters")
    print(_card_line(args, card))
    print(f"wrote {args.out} ({card['size_bytes']} bytes) and {model_card.card_path(args.out)}")


def _onnx_inputs(model):
    kinds = [f.kind for f in model.features]
    parts = [f"x float32 (rows, {kinds.count('numeric')}), NaN for missing"] if "numeric" in kinds else []
    if "categorical" in kinds:
        parts.append(f"categories string (rows, {kinds.count('categorical')}), '' for missing")
    return "; ".join(parts)


def _describe(estimator):
    """'scikit-learn Pipeline (scale: StandardScaler, mlp: MLPClassifier)' or 'scikit-learn LogisticRegression'."""
    steps = getattr(estimator, "steps", None)
    inner = f" ({', '.join(f'{name}: {type(step).__name__}' for name, step in steps)})" if steps else ""
    return f"scikit-learn {type(estimator).__name__}{inner}"


def _target_number(path, target, text):
    from .values import parse_number

    try:
        return parse_number(text)
    except ValueError as error:
        raise ValueError(f"{path}: column {target!r}: {error}") from None


def _card_line(args, card):
    if not args.data:
        return "card: feature ranges from the model's statistics (mean ± 3 std); --data DATA.csv gives the data's"
    line = f"card: feature ranges from {args.data}"
    metrics = card["metrics"]
    if "accuracy" in metrics:
        line += f"; accuracy on its {metrics['data_rows']} rows {metrics['accuracy']:.1%}"
    elif "r2" in metrics:
        line += f"; on its {metrics['data_rows']} rows R² {metrics['r2']:.3f}, MAE {metrics['mae']:.4g}"
    return line


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
    if model.text:
        _predict_texts(model, classes, args)
        return
    try:
        row = parse_values(model, names, args.values)
    except ValueError as error:
        raise ValueError(f"{args.model}: {error}") from None
    if model.task == "regression":
        value = model.predict(row)
        print(_json({"prediction": value}) if args.json else _format_value(value, card))
        return
    _print_classes(model.predict_proba(row), classes, args.json, named=bool(card or model.classes))


def _print_classes(probabilities, classes, as_json, one_line=False, named=True):
    """The predicted class and every class's probability: a line each, one line, or JSON (class null unnamed)."""
    index = max(range(len(probabilities)), key=probabilities.__getitem__)
    if as_json:
        name = classes[index] if named else None
        print(_json({"class_index": index, "class": name, "probabilities": probabilities}), flush=one_line)
        return
    if one_line:
        shown = ", ".join(f"{label} {p:.4f}" for label, p in zip(classes, probabilities, strict=True))
        print(f"{classes[index]}  ({shown})", flush=True)
        return
    print(classes[index])
    width = max(len(label) for label in classes)
    for label, p in zip(classes, probabilities, strict=True):
        print(f"  {label:<{width}}  {p:.4f}")


def _predict_texts(model, classes, args):
    """A text model: the text on the command line (its words joined by spaces), else one text a line from stdin,
    each answered on one line as it arrives; on a terminal with a prompt, as a chat would."""
    import sys

    if args.values:
        _print_classes(model.predict_proba(" ".join(args.values)), classes, args.json)
        return
    prompt = sys.stdin.isatty()
    if prompt:
        print(f"Type a message, then Enter; Ctrl+D ends. Classes: {', '.join(classes)}.", file=sys.stderr)
    while True:
        try:
            line = input("> " if prompt else "")
        except EOFError:
            break
        _print_classes(model.predict_proba(line), classes, args.json, one_line=True)


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
    if feature.kind == "text":
        vocabulary = feature.vocabulary
        shown = ", ".join(repr(t) for i, t in enumerate(vocabulary.tokens[:11]) if i != vocabulary.unk)
        return (f"text, tokenizer {vocabulary.tokenizer!r} version {vocabulary.version}, {len(vocabulary)} "
                f"vocabulary entries (UNK id {vocabulary.unk}): {shown}, ...")
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

