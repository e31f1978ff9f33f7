"""Fuzz the FINF reader for a while and report what came out.

    scripts/setup.sh fuzz && .venv/bin/python scripts/fuzz.py --seconds 600   # atheris (coverage-guided) if installed
    .venv/bin/python scripts/fuzz.py --seconds 600 --engine mutate  # seeded mutation fuzzer, stdlib only
    .venv/bin/python scripts/fuzz.py --caps                         # time and memory of files at the caps

Every input must either load or raise finf.FormatError; anything else is a crash, as is an input that
takes over HANG_SECONDS: either stops the run with a non-zero exit and the input saved under --crashes.
A model that loads must also write -> read -> write to identical bytes and predict without raising
(on a row of plain values, with None for every feature that has a fill).
Figures (executions, wall time, distinct messages and kinds, slowest input, peak RSS) are written as
JSON to --stats every few seconds and printed at the end. Not part of the tests.
"""

import argparse
import hashlib
import json
import random
import re
import resource
import struct
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
INTERESTING_U32 = (0, 1, 2, 3, 4, 5, 0x7F, 0x80, 0xFF, 0x100, 0xFFFF, 0x10000, 0x7FFFFFFF, 0x80000000, 0xFFFFFFFF)
HANG_SECONDS = 1.0


class Stats:
    def __init__(self, engine, path):
        self.engine, self.path = engine, path
        self.start = time.perf_counter()
        self.executions = self.loaded = 0
        self.messages, self.kinds = set(), {}
        self.slowest = (0.0, b"")
        self.last_write = self.start

    def record(self, data, seconds, message):
        self.executions += 1
        if message is None:
            self.loaded += 1
        else:
            self.messages.add(hash(message))  # hashes, so a long run does not grow memory by the text
            # Numbers and quoted feature names masked: "feature N (NAME) std: expected a number > N".
            kind = re.sub(r"\d+", "N", re.sub(r"\((['\"]).*?\1\)", "(NAME)", message.split(", found")[0]))
            kind = re.sub(r"N bytes?\b", "N bytes", kind)  # "1 byte left" and "2 bytes left" are one kind
            self.kinds[kind] = self.kinds.get(kind, 0) + 1
        if seconds > self.slowest[0]:
            self.slowest = (seconds, bytes(data))
        if time.perf_counter() - self.last_write > 5:
            self.write()

    def summary(self):
        return {
            "engine": self.engine, "executions": self.executions, "loaded": self.loaded,
            "rejected": self.executions - self.loaded, "wall_seconds": round(time.perf_counter() - self.start, 1),
            "distinct_messages": len(self.messages), "distinct_kinds": len(self.kinds),
            "hang_threshold_seconds": HANG_SECONDS,
            "slowest_input_seconds": round(self.slowest[0], 4), "slowest_input_bytes": len(self.slowest[1]),
            "peak_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
            "kinds": dict(sorted(self.kinds.items())),
        }

    def write(self):
        self.last_write = time.perf_counter()
        self.path.write_text(json.dumps(self.summary(), indent=1) + "\n")
        self.path.with_name("slowest.bin").write_bytes(self.slowest[1])  # to time it again on its own


def check(finf, data):
    """Load data; return None if it loaded, else the FormatError message. Anything else propagates."""
    try:
        model = finf.load(data)
    except finf.FormatError as error:
        return str(error)
    written = finf.dumps(model)
    if finf.dumps(finf.load(written)) != written:
        raise AssertionError("write -> read -> write changed the bytes")
    if model.task == "generation":  # a language model: a few characters (past a small window) and a loss
        text = "".join(model.generate(model.vocab[0], min(model.block_size + 2, 40), seed=0))
        model.loss(model.vocab[0] + text)
        return None
    row = "win money now" if model.text else [
        None if f.fill is not None else f.categories[0] if f.kind == "categorical" else 0.5 for f in model.features]
    model.predict(row)
    if model.task == "classification":
        model.predict_proba(row)
    return None


def seeds(hostile):
    import hostile_lm  # beside hostile, in tests/

    small = [case.data for case in hostile.corpus() + hostile_lm.cases() if len(case.data) < 4096]
    wider = hostile.model(layers=(hostile.linear(2, 16), hostile.activation(3), hostile.linear(16, 3),
                                  hostile.activation(2)))
    return [*hostile.valid_files().values(), wider, hostile_lm.VALID_BIGRAM, hostile_lm.VALID_GPT] + small


def mutate(rng, data, pool):
    data = bytearray(data)
    for _ in range(rng.choice((1, 1, 1, 2, 4))):
        at = rng.randrange(len(data) + 1)
        op = rng.randrange(7)
        if op == 0 and data:
            data[min(at, len(data) - 1)] ^= 1 << rng.randrange(8)
        elif op == 1 and data:
            data[min(at, len(data) - 1)] = rng.choice((0, 1, 0x7F, 0x80, 0xFF, rng.randrange(256)))
        elif op == 2:
            data[at:at + 4] = struct.pack("<I", rng.choice(INTERESTING_U32))
        elif op == 3:
            data[at:at] = rng.randbytes(rng.choice((1, 1, 2, 4, 8, 32)))
        elif op == 4:
            del data[at:at + rng.choice((1, 1, 2, 4, 16))]
        elif op == 5:
            other = rng.choice(pool)
            cut = rng.randrange(len(other) + 1)
            data = data[:at] + other[cut:]
        else:
            data = data[:at]
    return bytes(data)


def save_crash(crashes, data):
    crashes.mkdir(parents=True, exist_ok=True)
    path = crashes / f"crash-{hashlib.sha256(data).hexdigest()[:16]}"
    path.write_bytes(data)
    return path


def run_mutate(args, finf, hostile, stats):
    rng = random.Random(args.seed)
    pool = seeds(hostile)
    deadline = time.perf_counter() + args.seconds
    while time.perf_counter() < deadline:
        for _ in range(1000):
            data = mutate(rng, rng.choice(pool), pool)
            start = time.perf_counter()
            try:
                message = check(finf, data)
            except BaseException:
                print(f"crash: input saved to {save_crash(args.crashes, data)}", file=sys.stderr)
                raise
            seconds = time.perf_counter() - start
            if seconds > HANG_SECONDS:
                raise SystemExit(f"hang: {seconds:.2f} s, input saved to {save_crash(args.crashes, data)}")
            kinds = len(stats.kinds)
            stats.record(data, seconds, message)
            # Keep inputs that load or give a new kind of error: cheap feedback without coverage.
            if len(pool) < 5000 and (message is None or len(stats.kinds) > kinds):
                pool.append(data)


def run_atheris(args, stats):
    import atheris

    with atheris.instrument_imports(include=["finf"]):
        import finf
    import hostile

    corpus = Path(args.crashes).parent / "corpus"
    corpus.mkdir(parents=True, exist_ok=True)
    for data in seeds(hostile):
        (corpus / hashlib.sha256(data).hexdigest()[:16]).write_bytes(data)
    deadline = time.perf_counter() + args.seconds

    def one_input(data):
        start = time.perf_counter()
        message = check(finf, data)
        stats.record(data, time.perf_counter() - start, message)
        if time.perf_counter() > deadline - 1:  # libFuzzer ends the process at its own deadline
            stats.write()

    libfuzzer = [sys.argv[0], f"-max_total_time={args.seconds}", f"-timeout={int(HANG_SECONDS) + 1}",
                 "-rss_limit_mb=1024", f"-seed={args.seed}", f"-artifact_prefix={args.crashes}/", str(corpus)]
    Path(args.crashes).mkdir(parents=True, exist_ok=True)
    atheris.Setup(libfuzzer, one_input)
    atheris.Fuzz()


def v3_file(hostile_v3, features, classes, n_in=None):
    """A v3 classifier: features is [(name, categories or None for numeric)], then one Linear to the classes."""
    u32 = hostile_v3.u32
    pieces, width = [("FEAT.count", u32(len(features)))], 0
    for i, (name, categories) in enumerate(features):
        if categories is None:
            pieces += hostile_v3.numeric(i, name, 0.0, 1.0)
        else:
            pieces += hostile_v3.categorical(i, name, categories)
        width += 1 if categories is None else len(categories)
    pieces += [("TRGT.name", hostile_v3.text("y")), ("TRGT.task", b"\x00"), ("TRGT.count", u32(len(classes)))]
    pieces += [(f"TRGT.class.{k}", hostile_v3.text(c)) for k, c in enumerate(classes)]
    pieces += [("LAYR.count", u32(1))] + hostile_v3.linear(0, width if n_in is None else n_in, len(classes))
    return hostile_v3.assemble(pieces).data


def cap_files(finf, hostile):
    """{name: build()} for the largest files the caps allow, each built to fail (or load) as late as possible."""
    import hostile_v3

    fmt = finf.format
    n_in = 1000
    text = b";".join([b"0,1"] * n_in)
    n_out = (fmt.MAX_FILE_BYTES - len(text) - 64) // (4 * (n_in + 1))

    def big_linear(bias):
        return hostile.model(text=text, layers=(hostile.linear(n_in, n_out, [0.5] * (n_in * n_out), bias),))

    categories = [f"c{k}" for k in range(fmt.MAX_CATEGORIES)]
    return {
        "over the file cap by one byte": lambda: bytes(fmt.MAX_FILE_BYTES + 1),
        "16 MiB, NaN in the very last bias": lambda: big_linear([0.0] * (n_out - 1) + [float("nan")]),
        "16 MiB, valid (4.2M parameters)": lambda: big_linear([0.0] * n_out),
        "normalizer at its cap, tiny pairs, error at the end": lambda: hostile.model(
            text=b"0,1;" * (fmt.MAX_NORMALIZER_BYTES // 4)),
        "layer count at its cap, error in the last layer": lambda: hostile.model(
            layers=hostile.LAYERS + (hostile.activation(0),) * (fmt.MAX_LAYERS - 5) + (hostile.activation(9),)),
        "v3, 16,384 numeric features (the cap), valid": lambda: v3_file(
            hostile_v3, [(f"x{i}", None) for i in range(fmt.MAX_FEATURES)], ["a", "b"]),
        "v3, 65,536 classes (the cap), valid": lambda: v3_file(
            hostile_v3, [("x", None)], [f"c{k}" for k in range(fmt.MAX_CLASSES)]),
        "v3, 16 MiB of categories (468 x 4,096), refused at the first Linear": lambda: v3_file(
            hostile_v3, [(f"f{i}", categories) for i in range(468)], ["a", "b"], n_in=1),
    }


def measure_caps():
    """Time finf.load on each cap file in a fresh process that only reads the file, so peak RSS is the load's."""
    import subprocess
    import tempfile

    # Peak RSS from /proc (VmHWM, in KiB): unlike ru_maxrss it starts afresh at exec, not at this process's peak.
    code = (
        "import re, sys, time\n"
        "import finf\n"
        "def peak_rss():\n    return int(re.search(r'VmHWM:\\s+(\\d+)', open('/proc/self/status').read())[1])\n"
        "data = open(sys.argv[1], 'rb').read()\n"
        "before = peak_rss()\n"
        "start = time.perf_counter()\n"
        "try:\n    finf.load(data); outcome = 'loaded'\n"
        "except finf.FormatError as error:\n    outcome = str(error)\n"
        "seconds = time.perf_counter() - start\n"
        "peak = peak_rss() - before\n"
        "print(f'{seconds:.3f} s, +{peak / 1024:.0f} MiB peak RSS over the {len(data)} input bytes: {outcome[:90]}')\n"
    )
    import finf
    import hostile

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "cap.bin"
        for name, build in cap_files(finf, hostile).items():
            path.write_bytes(build())
            result = subprocess.run([sys.executable, "-c", code, str(path)], capture_output=True, text=True, check=True)
            print(f"{name}: {result.stdout.strip()}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--engine", choices=("atheris", "mutate"), default=None)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--stats", type=Path, default=ROOT / "build" / "fuzz" / "stats.json")
    parser.add_argument("--crashes", type=Path, default=ROOT / "build" / "fuzz" / "crashes")
    parser.add_argument("--caps", action="store_true", help="measure files at the caps instead of fuzzing")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT / "tests"))
    if args.caps:
        return measure_caps()
    if args.engine is None:
        try:
            import atheris  # noqa: F401
            args.engine = "atheris"
        except ImportError:
            args.engine = "mutate"
    args.stats.parent.mkdir(parents=True, exist_ok=True)
    stats = Stats(args.engine, args.stats)
    if args.engine == "atheris":
        run_atheris(args, stats)  # libFuzzer exits the process when the time is up
    import finf
    import hostile

    run_mutate(args, finf, hostile, stats)
    stats.write()
    print(json.dumps(stats.summary(), indent=1))


if __name__ == "__main__":
    main()
