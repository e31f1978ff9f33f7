"""scripts/build_site.py: the site holds what the page loads and nothing else, with relative URLs only."""

import hashlib
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = Path(__file__).resolve().parent / "golden"
BUILD_SITE = ROOT / "scripts" / "build_site.py"
PYODIDE_FILES = {"pyodide.mjs", "pyodide.asm.mjs", "pyodide.asm.wasm", "python_stdlib.zip", "pyodide-lock.json"}
PAGE_FILES = {"index.html", "style.css", "main.js", "worker.js", "sw.js", "needs-http.js", "favicon.svg",
              "snapshot.js", "glue.py"}
VIEW_FILES = {"dom.js", "inputs.js", "results.js", "text.js", "generate.js", "batches.js", "colours.js", "curves.js",
              "explorer.js", "map.js", "selfcheck.js", "link.js", "drop.js"}  # web/view/: the page's parts


def run_build(*args):
    return subprocess.run([sys.executable, str(BUILD_SITE), *map(str, args)], capture_output=True, text=True,
                          check=False)


def test_site_holds_the_page_runtime_wheels_model_and_card(site_dir, engine_wheel):
    manifest = json.loads((site_dir / "site.json").read_text(encoding="utf-8"))
    top = {p.name for p in site_dir.iterdir() if p.is_file()}
    assert top == PAGE_FILES | {"site.json", ".nojekyll", "iris.bin", "iris.json", manifest["wheel"],
                                manifest["micropip"], manifest["snapshot"]["file"]}
    assert {p.name for p in (site_dir / "pyodide").iterdir()} == PYODIDE_FILES
    assert {p.name for p in (site_dir / "view").iterdir()} == VIEW_FILES
    assert manifest["wheel"] == engine_wheel.name
    assert (site_dir / "iris.bin").read_bytes() == (GOLDEN / "iris.bin").read_bytes()
    assert (site_dir / "iris.json").read_bytes() == (GOLDEN / "iris.json").read_bytes()


def test_no_source_maps_typings_or_consoles(site_dir):
    names = [p.name for p in site_dir.rglob("*")]
    assert not [n for n in names if n.endswith((".map", ".d.ts", ".html")) and n != "index.html"]
    assert "pyodide.js" not in names


def test_every_url_in_the_page_is_relative(site_dir):
    html = (site_dir / "index.html").read_text(encoding="utf-8")
    links = re.findall(r'(?:src|href)="([^"]*)"', html)
    local = [link for link in links if not link.startswith("https://pyodide.org/")]
    assert local and all(not link.startswith(("/", "http:", "https:", "data:", "//")) for link in local), links
    for name in ("main.js", "worker.js", "sw.js", "snapshot.js", *(f"view/{name}" for name in VIEW_FILES)):
        # The SVG namespace is a name, not a URL anything fetches.
        code = (site_dir / name).read_text(encoding="utf-8").replace('"http://www.w3.org/2000/svg"', "")
        # Absolute paths or hosts would break the site under a sub-path or another host.
        assert not re.search(r"""(?:fetch|new URL|import)\(\s*["'`](?:/|https?:)""", code), name
        assert "http://" not in code and "https://" not in code, name


def test_no_inline_scripts_or_styles(site_dir):
    html = (site_dir / "index.html").read_text(encoding="utf-8")
    # needs-http.js is classic, so it runs from file:// too, where the module main.js is refused.
    assert re.findall(r"<script\b[^>]*>", html) == ['<script defer src="needs-http.js">',
                                                    '<script type="module" src="main.js">']
    assert "<style" not in html and " style=" not in html
    assert not re.search(r"<[^>]*\son\w+\s*=", html), "inline event handler"


def test_the_page_preloads_every_module_main_js_imports(site_dir):
    """The page names every view module up front, so the browser fetches them beside main.js, not level by level."""
    page = (site_dir / "index.html").read_text(encoding="utf-8")
    preloaded = set(re.findall(r'<link rel="modulepreload" href="view/([a-z]+\.js)">', page))
    assert preloaded == VIEW_FILES


def test_a_model_whose_card_disagrees_is_refused_and_the_old_site_kept(tmp_path, site_dir, engine_wheel):
    out = tmp_path / "site"
    shutil.copytree(site_dir, out)
    model = tmp_path / "iris.bin"
    model.write_bytes((GOLDEN / "penguins-small.bin").read_bytes())  # a valid model, not the card's
    shutil.copyfile(GOLDEN / "iris.json", tmp_path / "iris.json")
    result = run_build("--model", model, "--out", out, "--wheel", engine_wheel)
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert "iris.json: the model card describes a different model file (its sha256 does not match)" in result.stderr
    model.write_bytes(b"X" + (GOLDEN / "iris.bin").read_bytes()[1:])  # not a model at all
    result = run_build("--model", model, "--out", out, "--wheel", engine_wheel)
    assert result.returncode == 2 and result.stderr.count("\n") == 1
    assert f"{model}: byte 0: magic: expected b'FINF', found b'XINF'" in result.stderr
    assert hashlib.sha256((out / "iris.bin").read_bytes()).hexdigest() == \
        hashlib.sha256((GOLDEN / "iris.bin").read_bytes()).hexdigest()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["iris.bin", "iris.json", "site"]


def test_a_missing_model_is_one_line_and_exit_2(tmp_path, engine_wheel):
    result = run_build("--model", tmp_path / "nope.bin", "--out", tmp_path / "site", "--wheel", engine_wheel)
    assert result.returncode == 2
    assert result.stderr == f"build_site: {tmp_path / 'nope.bin'}: model file not found\n"
    assert not (tmp_path / "site").exists()


def test_manifest_lists_every_file_with_its_sha256_under_a_build_id(site_dir, tmp_path, engine_wheel):
    manifest = json.loads((site_dir / "site.json").read_text(encoding="utf-8"))
    on_disk = {p.relative_to(site_dir).as_posix() for p in site_dir.rglob("*") if p.is_file()}
    assert set(manifest["files"]) == on_disk - {"site.json", ".nojekyll"}
    for name, digest in manifest["files"].items():
        assert hashlib.sha256((site_dir / name).read_bytes()).hexdigest() == digest, name
    assert re.fullmatch(r"[0-9a-f]{16}", manifest["build"])
    # The same inputs give the same build id; another model gives another.
    again = tmp_path / "again"
    assert run_build("--model", GOLDEN / "iris.bin", "--out", again, "--wheel", engine_wheel).returncode == 0
    assert json.loads((again / "site.json").read_text(encoding="utf-8"))["build"] == manifest["build"]
    other = tmp_path / "other.bin"
    write_other_model(other)
    assert run_build("--model", other, "--out", again, "--wheel", engine_wheel).returncode == 0
    assert json.loads((again / "site.json").read_text(encoding="utf-8"))["build"] != manifest["build"]


def write_other_model(path):
    """The golden model with another card: the same weights under a different file, so a different build."""
    data = (GOLDEN / "iris.bin").read_bytes()
    path.write_bytes(data)
    card = json.loads((GOLDEN / "iris.json").read_text(encoding="utf-8"))
    card["model_file"] = path.name
    card["metrics"] = {**card.get("metrics", {}), "val_accuracy": 0.5}
    path.with_suffix(".json").write_text(json.dumps(card), encoding="utf-8")


def snapshot(directory):
    return {p.relative_to(directory).as_posix(): p.read_bytes() for p in directory.rglob("*") if p.is_file()}


def test_a_directory_that_is_not_a_finf_site_is_refused_and_left_alone(tmp_path, engine_wheel):
    out = tmp_path / "mine"
    (out / "photos").mkdir(parents=True)
    (out / "photos" / "cat.jpg").write_bytes(b"\xff\xd8 a cat")
    (out / "notes.txt").write_text("keep me", encoding="utf-8")
    before = snapshot(out)
    result = run_build("--model", GOLDEN / "iris.bin", "--out", out, "--wheel", engine_wheel)
    assert result.returncode == 2
    assert result.stderr == (f"build_site: {out}: not empty and not a finf site (no site.json listing its files); "
                             "refusing to replace it: choose an empty or new --out\n")
    assert snapshot(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mine"]


def test_a_finf_site_holding_a_file_it_does_not_list_is_refused(tmp_path, site_dir, engine_wheel):
    out = tmp_path / "site"
    shutil.copytree(site_dir, out)
    (out / "CNAME").write_text("example.org\n", encoding="utf-8")
    before = snapshot(out)
    result = run_build("--model", GOLDEN / "iris.bin", "--out", out, "--wheel", engine_wheel)
    assert result.returncode == 2
    assert result.stderr.startswith(f"build_site: {out}: holds CNAME, which its site.json does not list; ")
    assert result.stderr.count("\n") == 1
    assert snapshot(out) == before


def test_a_file_is_refused_as_output_directory(tmp_path, engine_wheel):
    out = tmp_path / "site"
    out.write_text("not a directory", encoding="utf-8")
    result = run_build("--model", GOLDEN / "iris.bin", "--out", out, "--wheel", engine_wheel)
    assert result.returncode == 2
    assert result.stderr == f"build_site: {out}: exists and is not a directory; choose another --out\n"
    assert out.read_text(encoding="utf-8") == "not a directory"


def test_an_empty_directory_becomes_the_site(tmp_path, engine_wheel):
    out = tmp_path / "site"
    out.mkdir()
    assert run_build("--model", GOLDEN / "iris.bin", "--out", out, "--wheel", engine_wheel).returncode == 0
    assert (out / "site.json").is_file()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]


def test_a_finf_site_is_replaced_whole_with_nothing_left_beside_it(tmp_path, site_dir, engine_wheel):
    out = tmp_path / "site"
    shutil.copytree(site_dir, out)
    (out / "iris.bin").unlink()  # the new build has no iris.bin: nothing of the old site may remain
    other = tmp_path / "models" / "other.bin"
    other.parent.mkdir()
    write_other_model(other)
    result = run_build("--model", other, "--out", out, "--wheel", engine_wheel)
    assert result.returncode == 0, result.stderr
    manifest = json.loads((out / "site.json").read_text(encoding="utf-8"))
    assert manifest["card"] == "other.json" and "iris.bin" not in manifest["files"]
    assert {p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()} == \
        set(manifest["files"]) | {"site.json", ".nojekyll"}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["models", "site"]


def test_a_site_from_before_the_file_list_is_replaced(tmp_path, site_dir, engine_wheel):
    out = tmp_path / "site"
    shutil.copytree(site_dir, out)
    manifest = json.loads((out / "site.json").read_text(encoding="utf-8"))
    old = {key: manifest[key] for key in ("card", "wheel", "micropip")}
    (out / "site.json").write_text(json.dumps(old), encoding="utf-8")
    for name in ("sw.js", "needs-http.js", "snapshot.js", "glue.py", manifest["snapshot"]["file"]):
        (out / name).unlink()  # an old site had none of these
    assert run_build("--model", GOLDEN / "iris.bin", "--out", out, "--wheel", engine_wheel).returncode == 0
    assert json.loads((out / "site.json").read_text(encoding="utf-8"))["build"] == manifest["build"]


def test_no_snapshot_leaves_the_snapshot_out(tmp_path, engine_wheel):
    result = run_build("--model", GOLDEN / "iris.bin", "--out", tmp_path / "site", "--wheel", engine_wheel,
                       "--no-snapshot")
    assert result.returncode == 0, result.stderr
    manifest = json.loads((tmp_path / "site" / "site.json").read_text(encoding="utf-8"))
    assert "snapshot" not in manifest
    assert not list((tmp_path / "site").glob("snapshot-*"))
    # The worker still needs both: snapshot.js is imported by it, glue.py is what micropip's path imports.
    assert {"snapshot.js", "glue.py"} <= {p.name for p in (tmp_path / "site").iterdir()}


def test_exchange_swaps_two_directories_in_one_step(tmp_path):
    sys.path.insert(0, str(ROOT / "scripts"))
    try:
        import build_site
    finally:
        sys.path.remove(str(ROOT / "scripts"))
    new, out = tmp_path / "new", tmp_path / "out"
    for directory in (new, out):
        directory.mkdir()
        (directory / "which").write_text(directory.name, encoding="utf-8")
    if not build_site.exchange(new, out):
        pytest.skip("this system has no renameat2 RENAME_EXCHANGE; swap_in renames twice instead")
    assert (out / "which").read_text(encoding="utf-8") == "new"
    assert (new / "which").read_text(encoding="utf-8") == "out"


@pytest.mark.parametrize(("examples", "message"), [
    ('["Win a prize"]', "--examples are texts, for a text model; this one takes numeric features"),
    ('{"a": 1}', "expected a JSON list of 1 to 20 texts"),
    ('["ok", 5]', "expected a JSON list of 1 to 20 texts"),
    ("[not json", "cannot read the examples"),
])
def test_examples_are_refused_in_words(tmp_path, engine_wheel, examples, message):
    path = tmp_path / "examples.json"
    path.write_text(examples, encoding="utf-8")
    result = run_build("--model", GOLDEN / "iris.bin", "--out", tmp_path / "site", "--wheel", engine_wheel,
                       "--no-snapshot", "--examples", path)
    assert result.returncode == 2 and message in result.stderr, result.stderr
    assert not (tmp_path / "site").exists()
