"""The finf command: train a model from a CSV or a language model from a text, predict, evaluate, inspect, convert.

Bad input of any kind ends with exit code 2 and one line on stderr that names the problem and where.
numpy is imported only by `finf train`, `finf train-lm` and `finf evaluate`, so predict and inspect start fast.
"""

import argparse
import os
import sys

from . import commands
from .defaults import DEFAULTS, LM_DEFAULTS, TEXT_DEFAULTS
from .lm import commands as lm_commands
from .values import is_whole, parse_number, show

MAX_HIDDEN = 65536
# Bounds on a language model's shape: beyond them the trainer's arrays (attention is B x heads x block x block)
# would not fit in a laptop's memory, and the engine could not run the model at a useful speed anyway.
LM_LIMITS = {"layers": 64, "embedding_dim": 4096, "heads": 64, "block": 4096, "batch_size": 4096}
GPT_ONLY = ("layers", "embedding_dim", "heads", "block", "batch_size")
MAX_CARD_SAMPLE = 1000  # rows in the card: the page draws them all on its map


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
    if not is_whole(text):
        raise argparse.ArgumentTypeError(f"expected a whole number, found {show(text)}")
    value = int(text)
    if value < least:
        raise argparse.ArgumentTypeError(f"expected a whole number >= {least}, found {show(text)}")
    return value


def _count(text):
    return _whole(text, 1)


def _seed(text):
    return _whole(text, 0)


def _card_sample(text):
    value = _whole(text, 0)
    if value > MAX_CARD_SAMPLE:
        raise argparse.ArgumentTypeError(f"expected at most {MAX_CARD_SAMPLE} rows, found {show(text)}")
    return value


def _hidden(text):
    value = _whole(text, 0)  # 0 alone means no hidden layer; _hidden_sizes checks it is alone
    if value > MAX_HIDDEN:
        raise argparse.ArgumentTypeError(f"expected a layer size of at most {MAX_HIDDEN}, found {show(text)}")
    return value


def _vocabulary_size(text):
    return _whole(text, 2)


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
    add = train.add_argument
    add("data", metavar="DATA.csv", help="CSV with a header row: feature columns and a target column")
    add("--target", required=True, metavar="COLUMN", help="name of the column to predict")
    add("--out", required=True, metavar="MODEL.bin", help="model file to write; its card goes beside")
    add("--task", choices=("auto", "classification", "regression"), default=DEFAULTS["task"],
        help="auto: classification for text or a few whole numbers, regression for many numbers")
    add("--ignore", nargs="+", default=list(DEFAULTS["ignore"]), metavar="COLUMN", help="columns to leave out")
    add("--categorical", nargs="+", default=list(DEFAULTS["categorical"]), metavar="COLUMN",
        help="columns to treat as categories even where they hold numbers")
    add("--missing", choices=("error", "drop", "impute"), default=DEFAULTS["missing"],
        help="missing values: stop, drop their rows, or fill them (the fill values go into the model)")
    add("--hidden", type=_hidden, nargs="+", default=None, metavar="N",
        help="hidden layer sizes; 0 for none (logistic or linear regression); default 32, none for --text")
    add("--activation", choices=("relu", "tanh", "sigmoid"), default=DEFAULTS["activation"])
    add("--epochs", type=_count, default=DEFAULTS["epochs"], metavar="N",
        help="default: 300 for classification, fewer for regression, until converged for a linear model")
    add("--lr", type=_learning_rate, default=DEFAULTS["lr"], metavar="X",
        help="learning rate (default 0.01 for adam, 0.1 for sgd)")
    add("--optimizer", choices=("adam", "sgd"), default=DEFAULTS["optimizer"])
    add("--batch-size", type=_count, default=DEFAULTS["batch_size"], metavar="N", help="default: the full batch")
    add("--val-fraction", type=_fraction, default=DEFAULTS["val_fraction"], metavar="F")
    add("--seed", type=_seed, default=DEFAULTS["seed"], metavar="N")
    add("--card-sample", type=_card_sample, default=DEFAULTS["card_sample"], metavar="N",
        help="put N random training rows in the model card, drawn as dots on the page's map (default 0: none, "
             "since the card is published with the model)")
    text = train.add_argument_group("text", "a model of one text column: Embedding -> MeanPool -> Linear")
    text.add_argument("--text", metavar="COLUMN", help="train on this column's text (other columns are not used)")
    text.add_argument("--embedding-dim", type=_count, default=TEXT_DEFAULTS["embedding_dim"], metavar="N")
    text.add_argument("--vocab-size", type=_vocabulary_size, default=TEXT_DEFAULTS["vocab_size"], metavar="N",
                      help="most entries in the vocabulary, UNK's included: the most frequent words")
    text.add_argument("--min-count", type=_count, default=TEXT_DEFAULTS["min_count"], metavar="K",
                      help="a word seen fewer times in the training rows is UNK")


def _at_most(limit):
    def parse(text):
        value = _count(text)
        if value > limit:
            raise argparse.ArgumentTypeError(f"expected a whole number of at most {limit}, found {show(text)}")
        return value

    return parse


def _train_lm_arguments(train):
    add = train.add_argument
    add("corpus", metavar="CORPUS.txt", help="UTF-8 text; the first 90%% trains, the rest validates")
    add("--out", required=True, metavar="LM.bin", help="model file to write; its card goes beside")
    add("--model", choices=("bigram", "gpt"), default=LM_DEFAULTS["model"],
        help="bigram: next character from the current one; gpt: a character transformer (default)")
    # The GPT's options default to None, so that giving one with --model bigram can be refused.
    add("--layers", type=_at_most(LM_LIMITS["layers"]), metavar="N", help=f"default {LM_DEFAULTS['layers']}")
    add("--embedding-dim", type=_at_most(LM_LIMITS["embedding_dim"]), metavar="N",
        help=f"default {LM_DEFAULTS['embedding_dim']}")
    add("--heads", type=_at_most(LM_LIMITS["heads"]), metavar="N",
        help=f"attention heads, dividing --embedding-dim (default {LM_DEFAULTS['heads']})")
    add("--block", type=_at_most(LM_LIMITS["block"]), metavar="N",
        help=f"characters of context (default {LM_DEFAULTS['block']})")
    add("--batch-size", type=_at_most(LM_LIMITS["batch_size"]), metavar="N",
        help=f"windows per step (default {LM_DEFAULTS['batch_size']})")
    add("--steps", type=_count, default=LM_DEFAULTS["steps"], metavar="N", help="default 3000 for gpt, 500 for bigram")
    add("--lr", type=_learning_rate, default=LM_DEFAULTS["lr"], metavar="X",
        help="peak learning rate (default 3e-3 for gpt, 0.1 for bigram)")
    add("--seed", type=_seed, default=LM_DEFAULTS["seed"], metavar="N")


def _predict_arguments(predict):
    predict.add_argument("model", metavar="MODEL.bin")
    predict.add_argument("values", nargs="*", metavar="V",
                         help="feature values in the model's feature order (NA for a missing value); a text "
                              "model's text (none: one text a line from stdin, with a prompt on a terminal)")
    predict.add_argument("--csv", metavar="IN.csv", help="score every row of a CSV, matching columns by name")
    predict.add_argument("--out", metavar="OUT.csv", help="with --csv: write here instead of to stdout")
    predict.add_argument("--json", action="store_true", help="print the prediction as JSON")


def _evaluate_arguments(evaluate):
    evaluate.add_argument("model", metavar="MODEL.bin")
    evaluate.add_argument("data", metavar="DATA",
                          help="labelled rows (CSV): the model's feature and target columns; for a language model, "
                               "a UTF-8 text")
    evaluate.add_argument("--json", action="store_true", help="print the metrics as JSON")
    evaluate.add_argument("--max-chars", type=_count, metavar="N", help="a language model: read only the first N "
                          "characters of the text")


def _temperature(text):
    value = _number(text)
    if not value >= 0:
        raise argparse.ArgumentTypeError(f"expected a number >= 0, found {show(text)}")
    return value


def _generate_arguments(generate):
    add = generate.add_argument
    add("model", metavar="LM.bin", help="a language model file")
    add("--prompt", required=True, help="the text to continue (characters of the model's vocabulary)")
    add("--length", type=lambda text: _whole(text, 0), default=200, metavar="N", help="characters to generate")
    add("--temperature", type=_temperature, default=1.0, metavar="T", help="0: always the likeliest character")
    add("--top-k", type=_count, default=None, metavar="K", help="sample among the K likeliest characters only")
    add("--seed", type=_seed, default=None, metavar="N", help="the same seed gives the same text (default: random)")


def _convert_arguments(convert):
    convert.add_argument("source", metavar="SOURCE",
                         help="a pickled scikit-learn model (a file you trust: loading a pickle runs its code), "
                              "or a FINF file to convert to ONNX")
    convert.add_argument("--out", required=True, metavar="OUT",
                         help="MODEL.bin (its card beside it) for a scikit-learn model; MODEL.onnx for a FINF file")
    convert.add_argument("--data", metavar="DATA.csv", help="rows for the card's feature ranges (columns by name)")
    convert.add_argument("--target", metavar="COLUMN",
                         help="the target's name; with --data, its column, on which the card scores the model")


def _inspect_arguments(inspect):
    inspect.add_argument("model", metavar="MODEL.bin")


def build_parser(only=None):
    """The argparse parser for every command, or for the command `only` alone."""
    parser = _Parser(prog="finf", description="Tiny neural networks: train with numpy, run anywhere Python does.")
    commands_ = parser.add_subparsers(dest="command", required=True, metavar="{" + ",".join(COMMANDS) + "}")
    # A run needs one command's parser, and every argparse parser costs start-up time (gettext looks up
    # its translations), so `finf predict ...` builds the predict parser alone.
    for name, (help_text, add_arguments, run) in COMMANDS.items():
        if only in (None, name):
            command = commands_.add_parser(name, help=help_text)
            add_arguments(command)
            command.set_defaults(run=run)
    return parser


def _predict_argv(argv):
    """argparse reads '-1e3' or '-inf' as an option; keep the model and values positional behind '--'."""
    if not argv or argv[0] != "predict":
        return argv
    flags, rest, args = [], [], iter(argv[1:])
    for arg in args:
        if arg in ("--json", "-h", "--help"):
            flags.append(arg)
        elif arg in ("--csv", "--out"):
            flags += [arg, next(args, "")]
        elif arg.startswith(("--csv=", "--out=")):
            flags.append(arg)
        elif arg != "--":
            rest.append(arg)
    return ["predict", *flags, "--", *rest]


COMMANDS = {  # name: (help, arguments, what runs it)
    "train": ("train a model on a CSV file and write MODEL.bin and MODEL.json", _train_arguments,
              commands.run_train),
    "train-lm": ("train a character language model on a text file and write LM.bin and LM.json",
                 _train_lm_arguments, commands.run_train_lm),
    "predict": ("predict one row of feature values, or every row of a CSV", _predict_arguments, commands.run_predict),
    "evaluate": ("print a model's metrics on a labelled CSV file", _evaluate_arguments, commands.run_evaluate),
    "inspect": ("print a model file's features, target and layers", _inspect_arguments, commands.run_inspect),
    "convert": ("convert a scikit-learn model to FINF, or a FINF file to ONNX", _convert_arguments,
                commands.run_convert),
    "generate": ("continue a prompt with a language model, streaming the text", _generate_arguments,
                 lm_commands.run_generate),
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
