#!/usr/bin/env python3
"""Benchmarks finf against scikit-learn, onnxruntime, PyTorch, numpy and bare Pyodide; writes docs/BENCHMARKS.md.

Usage: scripts/bench.py [--rounds N] [--quick] [--only SECTION ...] [--out docs/BENCHMARKS.md]

Sections: 1 training, 2 one-row, 3 batch, 4 startup, 5 size, 6 browser, 7 regression, 8 convert, 9 text (the
SMS spam filter against CountVectorizer + LogisticRegression; --sms names its data, fetched when missing), 10
lm-train (which trains the default GPT on build/data/austen.txt for 3 to 6 minutes; see bench_lm_train.py), 11 lm
(a language model writing text in CPython, Pyodide and the page). Every competitor
computes the same thing (same Iris split, normalizer and weights; see bench_common.py) and is checked against
finf before it is timed. The machine is shared and noisy, so each table gives the median and the spread over
rounds that run interleaved, and the ratios compare numbers from the same run. With --only, the sections not
run are kept from the report already at --out, marked with the date of their run. Needs the bench extra
(scripts/setup.sh bench) and, for section 6, Chromium.
"""

import argparse
import datetime
import importlib
import importlib.metadata
import os
import platform
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import NamedTuple

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench_common  # noqa: E402  (after the path line, like every bench_* helper)

SECTIONS = {
    "training": (1, "Training to the same validation accuracy"),
    "one-row": (2, "One row in CPython"),
    "batch": (3, "Many rows: 10,000 rows through the batch API"),
    "startup": (4, "Start-up: a fresh process that loads the model and predicts one row"),
    "size": (5, "Model size"),
    "browser": (6, "In the browser"),
    "regression": (7, "Regression on data/diabetes.csv"),
    "convert": (8, "Conversion: from scikit-learn and PyTorch, to ONNX"),
    "text": (9, "Text: the SMS spam filter"),
    "lm-train": (10, "Training a language model: a GPT step against PyTorch, and quality on Jane Austen"),
    "lm": (11, "A language model writing text"),
}
PACKAGES = ["numpy", "scikit-learn", "onnxruntime", "onnx", "skl2onnx", "torch", "joblib", "playwright"]


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=None, metavar="N", help="rounds per measurement (default 7)")
    parser.add_argument("--quick", action="store_true", help="tiny round counts and budgets: checks, not numbers")
    numbers = {str(number): name for name, (number, _) in SECTIONS.items()}
    parser.add_argument("--only", nargs="+", metavar="SECTION", choices=[*SECTIONS, *numbers],
                        help="run only these sections (names or numbers)")
    parser.add_argument("--out", type=Path, default=bench_common.ROOT / "docs" / "BENCHMARKS.md")
    parser.add_argument("--sms", type=Path, default=bench_common.ROOT / "build" / "data" / "sms.csv",
                        help="section 9's labelled messages (label, message); scripts/fetch_sms.py writes the default")
    args = parser.parse_args(argv)
    args.only = [numbers.get(s, s) for s in args.only] if args.only else list(SECTIONS)
    if args.rounds is None:
        args.rounds = 2 if args.quick else 7
    if args.rounds < 1:
        parser.error("--rounds must be at least 1")
    return args


def run_section(name, args, context):
    rounds, quick, work = args.rounds, args.quick, context["workdir"]
    model, iris = context["model"], context["iris"]
    runs = {  # section: (its bench_* module, how to call it); a module is imported only when its section runs
        "training": ("bench_train", lambda m: m.training(iris, rounds, quick)),
        "one-row": ("bench_inference", lambda m: m.one_row(model, iris, rounds, 0.02 if quick else 0.3)),
        "batch": ("bench_inference", lambda m: m.many_rows(model, iris, rounds, 1_000 if quick else 10_000)),
        "startup": ("bench_startup", lambda m: m.startup(context, rounds, work)),
        "size": ("bench_inference", lambda m: m.sizes(model, iris, context["finf_bytes"])),
        "browser": ("bench_browser", lambda m: m.browser(rounds, quick, work)),
        "regression": ("bench_regression", lambda m: m.regression(rounds, quick)),
        "convert": ("bench_convert", lambda m: m.conversion(rounds, quick)),
        "text": ("bench_text", lambda m: m.text(rounds, quick, args.sms.resolve(), model)),
        "lm-train": ("bench_lm_train", lambda m: m.lm_training(rounds, quick)),
        "lm": ("bench_lm", lambda m: m.language_model(rounds, quick, work)),
    }
    module, run = runs[name]
    return run(importlib.import_module(module))


def machine():
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as f:
            cpu = next((line.split(":", 1)[1].strip() for line in f if line.startswith("model name")), cpu)
    except OSError:
        pass
    versions = []
    for package in PACKAGES:
        try:
            versions.append(f"{package} {importlib.metadata.version(package)}")
        except importlib.metadata.PackageNotFoundError:
            versions.append(f"{package} (not installed)")
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=bench_common.ROOT, capture_output=True,
                            text=True, check=False).stdout.strip()
    return [
        f"- Date: {datetime.datetime.now(datetime.UTC):%Y-%m-%d %H:%M} UTC, finf commit {commit or 'unknown'}",
        f"- Machine: {cpu}, {os.cpu_count()} logical cores, {platform.system()} {platform.release()}"
        " (shared and noisy: compare ratios within this run, not absolute times across runs)",
        f"- Python: {platform.python_implementation()} {platform.python_version()}",
        f"- Packages: {', '.join(versions)}",
    ]


def render(args, results, seconds, kept):
    command = "scripts/bench.py " + " ".join(sys.argv[1:]) if sys.argv[1:] else "scripts/bench.py"
    lines = ["# Benchmarks", "",
             "finf against the tools a user would otherwise pick, on the same data in one run. Every competitor",
             "computes the same thing: the same Iris split, normalizer and 4 -> 32 ReLU -> 3 softmax network, with",
             "finf's trained weights wherever weights are shared, checked to agree with finf before anything is",
             "timed. The machine is shared and noisy: rounds of all competitors run interleaved, tables give the",
             "median and the spread (min – max) over rounds, and ratios compare medians from this one run.",
             "",
             "Written by `scripts/bench.py`; to reproduce:", "", "```", "scripts/setup.sh bench", command, "```", ""]
    lines += machine()
    lines += [f"- Rounds per measurement: {args.rounds}; whole run: {seconds:.0f} s", ""]
    headline = []
    for name, (number, _) in SECTIONS.items():
        if name in results:
            headline += [f"| {number} | {what} | {value:.4g} | <= {limit:g} | {'yes' if value <= limit else 'NO'} |"
                         for what, value, limit in results[name]["targets"]]
        else:
            headline += kept.headline.get(number, [])
    if headline:
        lines += ["## Headline", "", "| section | target | measured | limit | met |", "|---|---|---|---|---|",
                  *headline, ""]
    for name, (number, title) in SECTIONS.items():
        if name in results:
            lines += [f"## {number}. {title}", "", *results[name]["lines"], ""]
            if results[name]["checks"]:
                lines += ["Checked before timing:", ""] + [f"- {check}" for check in results[name]["checks"]] + [""]
        elif number in kept.sections:
            lines += [kept.sections[number], ""]
    return "\n".join(lines)


class Kept(NamedTuple):
    sections: dict  # {number: the section's text, heading first}
    headline: dict  # {number: [its rows of the headline table]}


def kept_sections(path, run):
    """The sections of the report at path that this run does not redo, each marked with the run it came from.

    So that `--only` updates some sections of docs/BENCHMARKS.md and leaves the others as they were.
    """
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return Kept({}, {})
    stamp = re.search(r"^- Date: (.*)$", text, re.M)
    note = f"_Not re-run by the command above: kept from the run of {stamp.group(1) if stamp else 'an earlier date'}._"
    sections, headline = {}, {}
    numbers = {number for name, (number, _) in SECTIONS.items() if name not in run}
    for block in re.findall(r"^## \d+\. .*?(?=^## |\Z)", text, re.M | re.S):
        number = int(block[3:block.index(".")])
        if number in numbers:
            block = block.rstrip()
            if "_Not re-run by the command above" not in block:
                heading, _, body = block.partition("\n")
                block = f"{heading}\n\n{note}\n{body}"
            sections[number] = block
    table = text.split("## Headline", 1)[1].split("\n## ", 1)[0] if "## Headline" in text else ""
    for match in re.finditer(r"^\| (\d+) \| .*\|$", table, re.M):  # rows from before the section column: dropped
        if int(match.group(1)) in numbers:
            headline.setdefault(int(match.group(1)), []).append(match.group(0))
    return Kept(sections, headline)


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    start = time.perf_counter()
    iris = bench_common.load_iris()
    model = bench_common.train_model(iris)
    results = {}
    with tempfile.TemporaryDirectory(prefix="finf-bench-") as workdir:
        context = {"iris": iris, "model": model, "finf_bytes": bench_common.finf_bytes(model), "workdir": workdir}
        for name in args.only:
            print(f"bench: section {SECTIONS[name][0]} ({name})", file=sys.stderr, flush=True)
            results[name] = run_section(name, args, context)
    report = render(args, results, time.perf_counter() - start, kept_sections(args.out, results))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    partial = args.out.with_name(args.out.name + ".partial")
    partial.write_text(report + "\n", encoding="utf-8")
    partial.replace(args.out)
    print(f"bench: wrote {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
