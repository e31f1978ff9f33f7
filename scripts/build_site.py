"""Assemble the static demo site: the page, the engine wheel, micropip, the Pyodide runtime, the model and its card.

Usage: python scripts/build_site.py [--model build/iris.bin ...] [--out dist/site] [--wheel FINF.whl] [--no-snapshot]
                                   [--examples EXAMPLES.json]

A text model's site is built the same way; --examples (a JSON list of texts) puts example inputs one click away
on its page, as the site's copy of the card's "examples".

The default model is trained with `finf train data/iris.csv --target species --out build/iris.bin` when missing.
Every URL in the site is relative, so it works from /, from a sub-path such as /finf/, and from any static host.

--out is replaced only by a finished build, and only when it is empty or a finf site: one whose site.json
lists every file in it. A directory holding anything else is refused, so no file the build did not make
is ever deleted.

Given several --model files (a classifier, a language model, ...), the site holds one such site per model,
each in a folder named after its model file (iris.bin -> iris/), and an index page at its top linking them.
Each folder is complete on its own (its own copy of the runtime), so each page works and is saved for
offline use as a single-model site is.

The site also holds a Pyodide memory snapshot with the engine imported (scripts/snapshot.py), which the page
boots from when it can; without it (--no-snapshot) the page installs the wheel with micropip.
"""

import argparse
import ctypes
import errno
import hashlib
import html
import json
import os
import shutil
import subprocess
import sys
import tempfile
import tomllib
from pathlib import Path

import finf
import snapshot
from finf_train import card as model_card

ROOT = Path(__file__).resolve().parent.parent
WEB = ROOT / "web"
PYODIDE = WEB / "node_modules" / "pyodide"
# Only what the page loads: no source maps, typings, consoles or the classic-script loader.
PYODIDE_FILES = ("pyodide.mjs", "pyodide.asm.mjs", "pyodide.asm.wasm", "python_stdlib.zip", "pyodide-lock.json")
PAGE_FILES = ("index.html", "style.css", "main.js", "worker.js", "sw.js", "needs-http.js", "favicon.svg",
              "view/dom.js", "view/inputs.js", "view/results.js", "view/text.js", "view/generate.js",
              "view/batches.js", "view/colours.js", "view/curves.js", "view/explorer.js", "view/map.js",
              "view/selfcheck.js", "view/link.js", "view/drop.js")
SNAPSHOT_FILES = ("snapshot.js", "glue.py")  # the worker's two ways to get the engine running
MICROPIP_VERSION = "0.11.1"
DEFAULT_MODEL = ROOT / "build" / "iris.bin"
MANIFEST = "site.json"
HOST_FILES = (".nojekyll",)  # for the static host, not the page: written by the build, not listed
TRAIN_ARGS = ("train", str(ROOT / "data" / "iris.csv"), "--target", "species", "--out", str(DEFAULT_MODEL))


class BuildError(Exception):
    """Something the site needs is missing or inconsistent; the message says what."""


def run(command, what):
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise BuildError(f"{what} failed (exit {result.returncode}):\n{result.stdout}{result.stderr}".rstrip())
    return result


def train_default_model():
    finf = Path(sys.executable).with_name("finf")
    command = [str(finf)] if finf.exists() else [sys.executable, "-m", "finf_train.cli"]
    print(f"build_site: training {DEFAULT_MODEL.relative_to(ROOT)} (finf {' '.join(TRAIN_ARGS[:4])})")
    run([*command, *TRAIN_ARGS], "training the Iris model")


# The page needs the engine alone: the project's metadata, the `finf` package, no trainer, no dependencies.
ENGINE_PYPROJECT = """\
[build-system]
requires = ["hatchling"]
build-backend = "hatchling.build"

[project]
name = "finf"
version = "{version}"
description = "{description}"
requires-python = "{requires_python}"
dependencies = []

[tool.hatch.build.targets.wheel]
packages = ["finf"]
"""


def build_engine_wheel(out_dir):
    """Build the wheel the page installs, the engine package alone, into out_dir and return its path."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    out_dir = Path(out_dir)
    with tempfile.TemporaryDirectory() as source:
        shutil.copytree(ROOT / "engine" / "finf", Path(source) / "finf", ignore=shutil.ignore_patterns("__pycache__"))
        text = ENGINE_PYPROJECT.format(**{key.replace("-", "_"): project[key] for key in
                                          ("version", "description", "requires-python")})
        (Path(source) / "pyproject.toml").write_text(text, encoding="utf-8")
        # pip, not the `build` package: pip is in every venv, so the demo needs no build tools installed.
        run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--wheel-dir", str(out_dir), source],
            "building the finf wheel")
    wheels = list(out_dir.glob("finf-*.whl"))
    if len(wheels) != 1:
        raise BuildError(f"building the finf wheel left {len(wheels)} wheels in {out_dir}")
    return wheels[0]


def micropip_wheel():
    """The micropip wheel, downloaded with pip once into build/micropip."""
    name = f"micropip-{MICROPIP_VERSION}-py3-none-any.whl"
    cache = ROOT / "build" / "micropip"
    if not (cache / name).exists():
        with tempfile.TemporaryDirectory() as tmp:
            run([sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--only-binary=:all:",
                 "--python-version", "3.14", f"micropip=={MICROPIP_VERSION}", "-d", tmp], "downloading micropip")
            cache.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(Path(tmp) / name, cache / f"{name}.part")
            (cache / f"{name}.part").replace(cache / name)
    return cache / name


def read_card(model):
    """The card beside the model, checked by the card's one check (finf_train.card.read) against the model."""
    card_path = Path(model_card.card_path(model))
    if not card_path.is_file():
        raise BuildError(f"{card_path}: model card not found (finf train writes it beside the model)")
    data = model.read_bytes()
    try:
        return card_path, model_card.read(card_path, finf.load(data), data)
    except ValueError as error:  # finf.FormatError included
        raise BuildError(f"{model}: {error}" if isinstance(error, finf.FormatError) else str(error)) from None


MAX_EXAMPLES, MAX_EXAMPLE_CHARS = 20, 2000


def read_examples(path):
    """The example texts in the JSON file at path: a list of 1 to MAX_EXAMPLES strings."""
    try:
        examples = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as error:
        raise BuildError(f"{path}: cannot read the examples: {error}") from None
    if not (isinstance(examples, list) and 1 <= len(examples) <= MAX_EXAMPLES
            and all(isinstance(e, str) and 0 < len(e) <= MAX_EXAMPLE_CHARS for e in examples)):
        raise BuildError(f"{path}: expected a JSON list of 1 to {MAX_EXAMPLES} texts of at most {MAX_EXAMPLE_CHARS} "
                         "characters")
    return examples


def assemble(site, model, wheel, with_snapshot=True, examples=None):
    """Write every file of the site into the empty directory site."""
    for name in PAGE_FILES + SNAPSHOT_FILES:
        (site / name).parent.mkdir(exist_ok=True)
        shutil.copyfile(WEB / name, site / name)
    (site / "pyodide").mkdir()
    for name in PYODIDE_FILES:
        if not (PYODIDE / name).is_file():
            raise BuildError(f"{PYODIDE / name} is missing; run scripts/setup.sh (npm ci --prefix web)")
        shutil.copyfile(PYODIDE / name, site / "pyodide" / name)
    micropip = micropip_wheel()
    shutil.copyfile(micropip, site / micropip.name)
    shutil.copyfile(wheel, site / wheel.name)
    card_path, card = read_card(model)
    model_name = card.get("model_file") or model.name
    shutil.copyfile(model, site / model_name)
    if examples is None:
        shutil.copyfile(card_path, site / card_path.name)
    else:
        if card["features"][0]["kind"] != "text":
            raise BuildError(f"{model}: --examples are texts, for a text model; this one takes "
                             f"{card['features'][0]['kind']} features")
        (site / card_path.name).write_text(model_card.dumps({**card, "examples": examples}), encoding="utf-8")
    manifest = {"card": card_path.name, "wheel": wheel.name, "micropip": micropip.name}
    if with_snapshot:
        try:
            manifest["snapshot"] = snapshot.build_snapshot(site, wheel)
        except snapshot.SnapshotError as error:
            raise BuildError(str(error)) from None
    (site / ".nojekyll").write_text("", encoding="utf-8")  # GitHub Pages: serve files as they are
    write_manifest(site, manifest)


INDEX_PAGE = """<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta http-equiv="Content-Security-Policy" content="default-src 'self'; object-src 'none'; base-uri 'none'">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>finf: {count} tiny neural networks in your browser tab</title>
  <link rel="icon" href="favicon.svg" type="image/svg+xml">
  <link rel="stylesheet" href="style.css">
</head>
<body>
  <main>
    <header>
      <h1>finf</h1>
      <p class="lede">Tiny neural networks run by Python (<a href="https://pyodide.org/">Pyodide</a>) in your
        browser tab. Each page computes on your machine; nothing is sent to a server.</p>
    </header>
    <ul class="models">
{items}
    </ul>
  </main>
</body>
</html>
"""


def describe_model(card):
    """One line on what the model of card does, for the index page."""
    task = card.get("task")
    if task == "generation":
        kind = "a tiny GPT" if card.get("kind") == "gpt" else "a character bigram"
        corpus = card.get("training", {}).get("corpus")
        return f"Writes text: {kind}" + (f" trained on {corpus}" if corpus else "")
    if task == "regression":
        return f"Estimates {card.get('target', 'a number')} from {len(card.get('features', []))} features"
    return f"Predicts {card.get('target', 'the class')}: {', '.join(card.get('classes', []))}"


def assemble_several(site, models, wheel, with_snapshot=True, examples=None):
    """One site per model in its own folder (model file name without its suffix), and an index page linking them.

    examples, if given, go to every text model's page.
    """
    names = [model.stem for model in models]
    repeated = sorted({name for name in names if names.count(name) > 1})
    if repeated:
        raise BuildError(f"two models would share the folder {repeated[0]}/: give the model files different names")
    items = []
    for name, model in zip(names, models, strict=True):
        (site / name).mkdir()
        _, card = read_card(model)
        text = card["features"][0]["kind"] == "text" if card.get("features") else False
        assemble(site / name, model, wheel, with_snapshot, examples if text else None)
        items.append(f'      <li><a href="{html.escape(name)}/">{html.escape(name)}</a>: '
                     f"{html.escape(describe_model(card))}</li>")
    for name in ("style.css", "favicon.svg"):
        shutil.copyfile(WEB / name, site / name)
    (site / "index.html").write_text(INDEX_PAGE.format(count=len(models), items="\n".join(items)), encoding="utf-8")
    (site / ".nojekyll").write_text("", encoding="utf-8")
    write_manifest(site, {"sites": names})


def write_manifest(site, manifest):
    """Write site.json: manifest plus every file of the site with its sha256, and a build id derived from them.

    The service worker (sw.js) precaches exactly these files under the build id, so this runs last, once
    every other file is in place.
    """
    files = {path.relative_to(site).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
             for path in sorted(site.rglob("*")) if path.is_file() and path.name not in HOST_FILES}
    # Two builds of a snapshot differ in their bytes (and so in their file's name) but not in what they hold,
    # which its key names; the build id counts the key, so the same inputs give the same build id.
    snapshot_entry = manifest.get("snapshot") or {}
    identity = dict(files)
    if snapshot_entry:
        del identity[snapshot_entry["file"]]
        identity["snapshot"] = f"{snapshot_entry['key']} {snapshot_entry['build_id']}"
    build = hashlib.sha256("".join(f"{name} {digest}\n" for name, digest in identity.items()).encode()).hexdigest()
    manifest = {**manifest, "build": build[:16], "files": files}
    (site / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")


def listed_files(site):
    """The files a finf site's site.json says the build made, or None when site is not a finf site."""
    try:
        manifest = json.loads((site / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError):
        return None
    if not isinstance(manifest, dict):
        return None
    if isinstance(manifest.get("files"), dict):
        return {*manifest["files"], MANIFEST, *HOST_FILES}
    if not all(isinstance(manifest.get(key), str) for key in ("card", "wheel", "micropip")):
        return None
    # A site built before site.json listed its files: what that build made.
    try:
        model = json.loads((site / manifest["card"]).read_text(encoding="utf-8"))["model_file"]
    except (OSError, UnicodeDecodeError, ValueError, KeyError, TypeError):
        model = None
    return {*PAGE_FILES, *(f"pyodide/{name}" for name in PYODIDE_FILES), MANIFEST, *HOST_FILES,
            manifest["card"], manifest["wheel"], manifest["micropip"], model}


def check_replaceable(out):
    """Refuse out unless it is missing, an empty directory, or a finf site holding only the files it lists."""
    if not out.exists():
        return
    if not out.is_dir() or out.is_symlink():
        raise BuildError(f"{out}: exists and is not a directory; choose another --out")
    names = {path.relative_to(out).as_posix() for path in out.rglob("*") if not path.is_dir()}
    if not names:
        return
    listed = listed_files(out)
    if listed is None:
        raise BuildError(f"{out}: not empty and not a finf site (no {MANIFEST} listing its files); "
                         "refusing to replace it: choose an empty or new --out")
    unknown = sorted(names - listed)
    if unknown:
        more = f" (and {len(unknown) - 1} more)" if len(unknown) > 1 else ""
        raise BuildError(f"{out}: holds {unknown[0]}{more}, which its {MANIFEST} does not list; refusing to "
                         "delete files the build did not make: move them or choose another --out")


AT_FDCWD = -100
RENAME_EXCHANGE = 2  # linux/fs.h


def exchange(a, b):
    """Swap the paths a and b in one step (Linux renameat2), True; False where the system cannot."""
    try:
        renameat2 = ctypes.CDLL(None, use_errno=True).renameat2
    except (OSError, AttributeError):
        return False
    if renameat2(AT_FDCWD, os.fsencode(a), AT_FDCWD, os.fsencode(b), RENAME_EXCHANGE) == 0:
        return True
    error = ctypes.get_errno()
    if error in (errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP):
        return False
    raise OSError(error, os.strerror(error), str(b))


def swap_in(staging, out):
    """Put the finished site staging at out; the old out is removed only once the new one is in place."""
    if not out.exists():
        staging.rename(out)
        return
    # A server reading out sees the old site or the new one, never neither.
    if exchange(staging, out):
        shutil.rmtree(staging)  # now the old site
        return
    old = Path(tempfile.mkdtemp(prefix=f".{out.name}-old-", dir=out.parent))
    out.rename(old)  # onto the empty directory mkdtemp made: a name nothing else uses
    try:
        staging.rename(out)
    except OSError:
        old.rename(out)
        raise
    shutil.rmtree(old)


def build_site(model=DEFAULT_MODEL, out=ROOT / "dist" / "site", wheel=None, with_snapshot=True, examples=None):
    """Build the site into out (replaced only when the build succeeds) and return out; examples: a JSON file.

    model is a model file, or a list of them for a site with an index page (assemble_several).
    """
    models, out = [Path(m) for m in (model if isinstance(model, (list, tuple)) else [model])], Path(out)
    examples = None if examples is None else read_examples(examples)
    check_replaceable(out)
    for path in models:
        if not path.is_file():
            if path.resolve() != DEFAULT_MODEL:
                raise BuildError(f"{path}: model file not found")
            train_default_model()
    out.parent.mkdir(parents=True, exist_ok=True)
    # Build beside out, then swap it in, so a failed build never leaves half a site.
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}-", dir=out.parent))
    try:
        with tempfile.TemporaryDirectory() as tmp:
            wheel_path = Path(wheel) if wheel else build_engine_wheel(tmp)
            if len(models) == 1:
                assemble(staging, models[0], wheel_path, with_snapshot, examples)
            else:
                assemble_several(staging, models, wheel_path, with_snapshot, examples)
        os.chmod(staging, 0o755)  # noqa: S103 - mkdtemp makes it private; a web server must read the site
        check_replaceable(out)  # again: something may have been written there while the build ran
        swap_in(staging, out)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return out


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path, action="append",
                        help="FINF model with its card beside it; again for a site of several models "
                             f"(default {DEFAULT_MODEL.relative_to(ROOT)})")
    parser.add_argument("--out", type=Path, default=ROOT / "dist" / "site",
                        help="output directory: new, empty or a finf site, which is replaced")
    parser.add_argument("--wheel", type=Path, help="use this finf wheel instead of building one")
    parser.add_argument("--no-snapshot", action="store_true",
                        help="ship no Pyodide memory snapshot: the page installs the engine with micropip")
    parser.add_argument("--examples", type=Path, metavar="EXAMPLES.json",
                        help="a text model's example inputs, a JSON list of texts, one click away on the page")
    args = parser.parse_args(argv)
    try:
        site = build_site(args.model or [DEFAULT_MODEL], args.out, args.wheel, not args.no_snapshot, args.examples)
    except BuildError as error:
        print(f"build_site: {error}", file=sys.stderr)
        return 2
    files = sorted(p for p in site.rglob("*") if p.is_file())
    total = sum(p.stat().st_size for p in files)
    print(f"build_site: {site} ({len(files)} files, {total / 1e6:.1f} MB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
