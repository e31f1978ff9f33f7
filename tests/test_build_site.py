"""scripts/build_site.py: the site holds what the page loads and nothing else, with relative URLs only."""

import hashlib
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = Path(__file__).resolve().parent / "golden"
BUILD_SITE = ROOT / "scripts" / "build_site.py"
PYODIDE_FILES = {"pyodide.mjs", "pyodide.asm.mjs", "pyodide.asm.wasm", "python_stdlib.zip", "pyodide-lock.json"}
PAGE_FILES = {"index.html", "style.css", "main.js", "worker.js", "favicon.svg", "snapshot.js", "glue.py"}


def run_build(*args):
    return subprocess.run([sys.executable, str(BUILD_SITE), *map(str, args)], capture_output=True, text=True,
                          check=False)


def test_site_holds_the_page_runtime_wheels_model_and_card(site_dir, engine_wheel):
    manifest = json.loads((site_dir / "site.json").read_text(encoding="utf-8"))
    top = {p.name for p in site_dir.iterdir() if p.is_file()}
    assert top == PAGE_FILES | {"site.json", ".nojekyll", "iris.bin", "iris.json", manifest["wheel"],
                                manifest["micropip"], manifest["snapshot"]["file"]}
    assert {p.name for p in (site_dir / "pyodide").iterdir()} == PYODIDE_FILES
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
    for name in ("main.js", "worker.js", "snapshot.js"):
        code = (site_dir / name).read_text(encoding="utf-8")
        # Absolute paths or hosts would break the site under a sub-path or another host.
        assert not re.search(r"""(?:fetch|new URL|import)\(\s*["'`](?:/|https?:)""", code), name
        assert "http://" not in code and "https://" not in code, name


def test_no_inline_scripts_or_styles(site_dir):
    html = (site_dir / "index.html").read_text(encoding="utf-8")
    assert re.findall(r"<script\b[^>]*>", html) == ['<script type="module" src="main.js">']
    assert "<style" not in html and " style=" not in html
    assert not re.search(r"<[^>]*\son\w+\s*=", html), "inline event handler"


def test_a_model_whose_card_disagrees_is_refused_and_the_old_site_kept(tmp_path, site_dir, engine_wheel):
    out = tmp_path / "site"
    shutil.copytree(site_dir, out)
    model = tmp_path / "iris.bin"
    model.write_bytes(b"X" + (GOLDEN / "iris.bin").read_bytes()[1:])
    shutil.copyfile(GOLDEN / "iris.json", tmp_path / "iris.json")
    result = run_build("--model", model, "--out", out, "--wheel", engine_wheel)
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "does not match iris.bin" in result.stderr
    assert "Traceback" not in result.stderr
    assert hashlib.sha256((out / "iris.bin").read_bytes()).hexdigest() == \
        hashlib.sha256((GOLDEN / "iris.bin").read_bytes()).hexdigest()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["iris.bin", "iris.json", "site"]


def test_a_missing_model_is_one_line_and_exit_2(tmp_path, engine_wheel):
    result = run_build("--model", tmp_path / "nope.bin", "--out", tmp_path / "site", "--wheel", engine_wheel)
    assert result.returncode == 2
    assert result.stderr == f"build_site: {tmp_path / 'nope.bin'}: model file not found\n"
    assert not (tmp_path / "site").exists()


def test_no_snapshot_leaves_the_snapshot_out(tmp_path, engine_wheel):
    result = run_build("--model", GOLDEN / "iris.bin", "--out", tmp_path / "site", "--wheel", engine_wheel,
                       "--no-snapshot")
    assert result.returncode == 0, result.stderr
    manifest = json.loads((tmp_path / "site" / "site.json").read_text(encoding="utf-8"))
    assert "snapshot" not in manifest
    assert not list((tmp_path / "site").glob("snapshot-*"))
    # The worker still needs both: snapshot.js is imported by it, glue.py is what micropip's path imports.
    assert {"snapshot.js", "glue.py"} <= {p.name for p in (tmp_path / "site").iterdir()}
