"""The finf command: train a model from a CSV, predict with it, inspect it.

Bad input of any kind ends with exit code 2 and one line on stderr that names the problem and where.
numpy is imported only by `finf train`, so predict and inspect start fast.
"""

import argparse
import hashlib
import json
import os
import re
import sys

import finf
from finf.format import format_number

from . import card as model_card
from .values import parse_number, show

MAX_CARD_BYTES = 1024 * 1024
MAX_HIDDEN = 65536


class _Formatter(argparse.HelpFormatter):
    """argparse's formatter, told the terminal width so that it need not import shutil to ask.

    argparse makes a formatter for every add_argument call, so every run, not only those that
    print help, would otherwise pay for shutil and the compression modules it imports.
    """

    def __init__(self, prog):
        try:
            width = os.get_terminal_size(sys.stdout.fileno()).columns - 2
        except (OSError, ValueError):
            width = 78
        super().__init__(prog, width=width)


class _Parser(argparse.ArgumentParser):
    def __init__(self, **kwargs):
        kwargs.setdefault("formatter_class", _Formatter)  # sub-command parsers get it too
        super().__init__(**kwargs)

    def error(self, message):
        # argparse prints the usage and the error; one line is easier to read and to test.
        self.exit(2, f"{self.prog}: error: {message}\n")


def _whole(text, least):
    # ASCII digits only: int() would also take "1_000", " 5 " and other scripts' digits.
    if re.fullmatch(r"[+-]?[0-9]{1,18}", text, re.ASCII) is None:
        raise argparse.ArgumentTypeError(f"expected a whole number, found {show(text)}")
    value = int(text)
    if value < least:
        raise argparse.ArgumentTypeError(f"expected a whole number >= {least}, found {show(text)}")
    return value


def _count(text):
    return _whole(text, 1)


def _seed(text):
    return _whole(text, 0)


def _hidden(text):
    value = _whole(text, 1)
    if value > MAX_HIDDEN:
        raise argparse.ArgumentTypeError(f"expected a layer size of at most {MAX_HIDDEN}, found {show(text)}")
    return value


def _number(text):
    try:
        return parse_number(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def _learning_rate(text):
    value = _number(text)
    if not value > 0:
        raise argparse.ArgumentTypeError(f"expected a number > 0, found {show(text)}")
    return value


def _fraction(text):
    value = _number(text)
    if not 0 <= value < 1:
        raise argparse.ArgumentTypeError(f"expected a number in [0, 1), found {show(text)}")
    return value


def _train_arguments(train):
    train.add_argument("data", metavar="DATA.csv", help="CSV with a header row: numeric features and a label column")
    train.add_argument("--target", required=True, metavar="COLUMN", help="name of the label column")
    train.add_argument("--out", required=True, metavar="MODEL.bin", help="model file to write; its card goes beside")
    train.add_argument("--hidden", type=_hidden, nargs="+", default=[32], metavar="N", help="hidden layer sizes")
    train.add_argument("--activation", choices=("relu", "tanh", "sigmoid"), default="relu")
    train.add_argument("--epochs", type=_count, default=300, metavar="N")
    train.add_argument("--lr", type=_learning_rate, default=None, metavar="X",
                       help="learning rate (default 0.01 for adam, 0.1 for sgd)")
    train.add_argument("--optimizer", choices=("adam", "sgd"), default="adam")
    train.add_argument("--batch-size", type=_count, default=None, metavar="N", help="default: the full batch")
    train.add_argument("--val-fraction", type=_fraction, default=0.2, metavar="F")
    train.add_argument("--seed", type=_seed, default=0, metavar="N")


def _predict_arguments(predict):
    predict.add_argument("model", metavar="MODEL.bin")
    predict.add_argument("values", nargs="*", metavar="V", help="feature values in the training column order")
    predict.add_argument("--json", action="store_true", help='print {"class_index", "class", "probabilities"}')


def _inspect_arguments(inspect):
    inspect.add_argument("model", metavar="MODEL.bin")


def build_parser(only=None):
    """The argparse parser for `finf train`, `finf predict` and `finf inspect`, or for the command `only` alone."""
    parser = _Parser(prog="finf", description="Tiny neural networks: train with numpy, run anywhere Python does.")
    commands = parser.add_subparsers(dest="command", required=True, metavar="{" + ",".join(COMMANDS) + "}")
    # A run needs one command's parser, and every argparse parser costs start-up time (gettext looks up
    # its translations), so `finf predict ...` builds the predict parser alone.
    for name, (help_text, add_arguments, run) in COMMANDS.items():
        if only in (None, name):
            command = commands.add_parser(name, help=help_text)
            add_arguments(command)
            command.set_defaults(run=run)
    return parser


def run_train(args):
    # One BLAS thread: these networks are too small to gain from more, and threads fight on a busy machine.
    # This only takes effect because numpy is imported here, after it, and only for training.
    for name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(name, "1")
    from .files import check_out, save  # noqa: I001 (imported here: training needs numpy, predict does not)
    from .training import train

    check_out(args.out)
    result = train(args.data, args.target, hidden=args.hidden, activation=args.activation,
                   optimizer=args.optimizer, lr=args.lr, epochs=args.epochs, batch_size=args.batch_size,
                   val_fraction=args.val_fraction, seed=args.seed)
    card = save(result, args.out)
    settings, metrics = card["training"], card["metrics"]
    layers = " ".join(card["architecture"]["layers"])
    batch = "full batch" if settings["batch_size"] is None else f"batch size {settings['batch_size']}"
    val = "" if metrics["val_accuracy"] is None else f", validation {metrics['val_accuracy']:.1%}"
    print(f"data: {args.data}: {settings['train_rows'] + settings['val_rows']} rows "
          f"({settings['train_rows']} train, {settings['val_rows']} validation), "
          f"{len(card['features'])} features, {len(card['classes'])} classes")
    print(f"model: {layers}, {card['architecture']['parameters']} parameters")
    print(f"training: {settings['optimizer']} lr {settings['lr']:g}, {settings['epochs']} epochs, {batch}, "
          f"seed {settings['seed']}, {metrics['train_seconds']:.3f} s")
    print(f"accuracy: train {metrics['train_accuracy']:.1%}{val}, all rows {metrics['accuracy']:.1%}")
    print(f"wrote {args.out} ({card['size_bytes']} bytes) and {model_card.card_path(args.out)}")


def run_predict(args):
    data = read_model_bytes(args.model)
    model = load_model(args.model, data)
    card = read_card(args.model, model, data)
    names = card["classes"] if card else None
    if len(args.values) != model.n_features:
        raise ValueError(f"{args.model}: expected {model.n_features} feature values, got {len(args.values)}")
    row = []
    for i, text in enumerate(args.values):
        try:
            row.append(parse_number(text))
        except ValueError as error:
            raise ValueError(f"value {i + 1} of {len(args.values)}: {error}") from None
    probabilities = model.predict_proba(row)
    index = max(range(len(probabilities)), key=probabilities.__getitem__)
    if args.json:
        name = names[index] if names else None
        print(json.dumps({"class_index": index, "class": name, "probabilities": probabilities}))
        return
    labels = names or [f"class {i}" for i in range(len(probabilities))]
    print(labels[index])
    width = max(len(label) for label in labels)
    for label, p in zip(labels, probabilities, strict=True):
        print(f"  {label:<{width}}  {p:.4f}")


def run_inspect(args):
    data = read_model_bytes(args.model)
    model = load_model(args.model, data)
    card = read_card(args.model, model, data)
    features = [f["name"] for f in card["features"]] if card else [f"feature {i}" for i in range(model.n_features)]
    print(f"{args.model}: FINF version {model.version}, {len(data)} bytes, sha256 {hashlib.sha256(data).hexdigest()}")
    print(f"normalizer: {model.n_features} features (mean, std)")
    width = max(len(name) for name in features)
    for name, mean, std in zip(features, model.normalizer.mean, model.normalizer.std, strict=True):
        print(f"  {name:<{width}}  {format_number(mean)}, {format_number(std)}")  # as the file spells them
    print(f"layers: {len(model.layers)}")
    for i, (layer, text) in enumerate(zip(model.layers, model_card.describe_layers(model), strict=True)):
        count = layer.in_features * layer.out_features + layer.out_features if isinstance(layer, finf.Linear) else 0
        print(f"  {i}  {text}" + (f"  {count} parameters" if count else ""))
    print(f"parameters: {sum(len(p) for p in model.parameters())}")
    if card:
        print(f"classes: {', '.join(card['classes'])} (target {card.get('target')!r})")


def read_model_bytes(path):
    """The bytes of a model file, with OS errors turned into one line naming the path."""
    try:
        with open(path, "rb") as f:
            return f.read(finf.format.MAX_FILE_BYTES + 1)
    except OSError as error:
        raise ValueError(f"{path}: cannot read: {error.strerror or error}") from None


def load_model(path, data):
    """finf.load of a file's bytes for the command line: a FormatError names the file."""
    try:
        return finf.load(data)
    except finf.FormatError as error:
        raise finf.FormatError(f"{path}: {error}") from None


def read_card(model_path, model, data):
    """The card beside a model file, or None if there is none; it must describe this very model."""
    path = model_card.card_path(model_path)
    if not os.path.exists(path):
        return None
    try:
        with open(path, "rb") as f:
            text = f.read(MAX_CARD_BYTES + 1)
        card = json.loads(text) if len(text) <= MAX_CARD_BYTES else None
    except OSError as error:
        raise ValueError(f"{path}: cannot read the model card: {error.strerror or error}") from None
    except ValueError as error:  # JSONDecodeError and UnicodeDecodeError are ValueErrors
        raise ValueError(f"{path}: not a valid model card: {error}") from None
    _check_card(path, card, model, data)
    return card


def _check_card(path, card, model, data):
    if not isinstance(card, dict):
        raise ValueError(f"{path}: not a valid model card: expected a JSON object of at most {MAX_CARD_BYTES} bytes")
    if card.get("sha256") != hashlib.sha256(data).hexdigest():
        raise ValueError(f"{path}: the model card describes a different model file (its sha256 does not match)")
    classes, features = card.get("classes"), card.get("features")
    if not (isinstance(classes, list) and len(classes) == model.n_outputs and all(isinstance(c, str) for c in classes)):
        raise ValueError(f"{path}: model card 'classes': expected {model.n_outputs} class names")
    if not (isinstance(features, list) and len(features) == model.n_features
            and all(isinstance(f, dict) and isinstance(f.get("name"), str) for f in features)):
        raise ValueError(f"{path}: model card 'features': expected {model.n_features} features with names")


def _predict_argv(argv):
    """argparse reads '-1e3' or '-inf' as an option; keep the model and values positional behind '--'."""
    if not argv or argv[0] != "predict":
        return argv
    flags = [arg for arg in argv[1:] if arg in ("--json", "-h", "--help")]
    rest = [arg for arg in argv[1:] if arg not in flags]
    if "--" in rest:
        rest.remove("--")
    return ["predict", *flags, "--", *rest]


COMMANDS = {  # name: (help, arguments, what runs it)
    "train": ("train a classifier on a CSV file and write MODEL.bin and MODEL.json", _train_arguments, run_train),
    "predict": ("print the class and probabilities for one row of features", _predict_arguments, run_predict),
    "inspect": ("print a model file's header, layers and normalizer", _inspect_arguments, run_inspect),
}


def main(argv=None):
    """Entry point of the `finf` console script; returns the exit code."""
    argv = sys.argv[1:] if argv is None else list(argv)
    only = argv[0] if argv and argv[0] in COMMANDS else None
    args = build_parser(only).parse_args(_predict_argv(argv))
    try:
        args.run(args)
    except BrokenPipeError:
        # The reader went away (e.g. `finf inspect m.bin | head`); stay quiet, as other tools do.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    except (ValueError, OSError) as error:
        message = str(error) if isinstance(error, ValueError) else _os_error(error)
        message = message.replace("\r", " ").replace("\n", " ")  # one line, whatever the message holds
        print(f"finf {args.command}: error: {message}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"finf {args.command}: interrupted", file=sys.stderr)
        return 130
    return 0


def _os_error(error):
    where = f"{error.filename}: " if error.filename else ""
    return f"{where}{error.strerror or error}"


if __name__ == "__main__":
    sys.exit(main())
