"""The site's Pyodide memory snapshot (scripts/snapshot.py, snapshot.mjs, web/snapshot.js), restored under Node."""

import csv
import gzip
import hashlib
import json
import os
import re
import shutil
import struct
import subprocess
import sys
from pathlib import Path

import pytest

import finf
from pyodide_harness import micropip_wheel

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = Path(__file__).resolve().parent / "golden"
sys.path.insert(0, str(ROOT / "scripts"))
import snapshot  # noqa: E402 - scripts/ is not a package

pytestmark = pytest.mark.pyodide


@pytest.fixture(scope="module")
def entry(site_dir):
    return json.loads((site_dir / "site.json").read_text(encoding="utf-8"))["snapshot"]


def iris_rows():
    with (ROOT / "data" / "iris.csv").open(newline="") as f:
        return [[float(v) for v in r[:4]] for r in list(csv.reader(f))[1:]]


def site_with_snapshot(tmp_path, site_dir, entry, raw):
    """A copy of the site whose snapshot file holds raw, gzip-compressed."""
    copy = tmp_path / "site"
    shutil.copytree(site_dir, copy, copy_function=os.link)
    (copy / entry["file"]).unlink()
    (copy / entry["file"]).write_bytes(gzip.compress(raw, compresslevel=1))
    return copy


def test_the_manifest_describes_the_snapshot_file(site_dir, entry, engine_wheel):
    data = (site_dir / entry["file"]).read_bytes()
    assert entry["file"] == f"snapshot-{hashlib.sha256(data).hexdigest()[:16]}.bin.gz"
    assert entry["gzip_bytes"] == len(data)
    raw = gzip.decompress(data)
    assert entry["bytes"] == len(raw)
    runtime = (site_dir / "pyodide" / "pyodide.mjs").read_text(encoding="utf-8")
    assert re.search(r'BUILD_ID:"([0-9a-f]{64})"', runtime).group(1) == entry["build_id"]
    # Pyodide's header: the build id as 8 little-endian 32-bit words from byte 16.
    assert "".join(f"{word:08x}" for word in struct.unpack("<8I", raw[16:48])) == entry["build_id"]
    glue = hashlib.sha256((ROOT / "web" / "glue.py").read_bytes()).hexdigest()
    wheel = hashlib.sha256(engine_wheel.read_bytes()).hexdigest()
    assert entry["key"] == f"wheel-{wheel}+glue-{glue}" == snapshot.snapshot_key(engine_wheel)


def test_the_restored_snapshot_predicts_exactly_as_cpython(site_dir, entry):
    rows = iris_rows()
    model = finf.load(GOLDEN / "iris.bin")
    # JSON floats round-trip exactly, so == compares every bit of every probability.
    assert snapshot.golden_predictions(site_dir, entry, rows=rows) == [model.predict_proba(r) for r in rows]


def test_a_snapshot_with_a_wrong_key_is_refused(site_dir, entry):
    wrong = entry | {"key": "wheel-0+glue-0"}
    refusal = f"snapshot check failed: holds the key {entry['key']}, site.json says wheel-0+glue-0"
    with pytest.raises(snapshot.SnapshotError, match=f"^{re.escape(refusal)}$"):
        snapshot.golden_predictions(site_dir, wrong)


def test_a_snapshot_of_another_pyodide_build_is_refused(tmp_path, site_dir, entry):
    raw = bytearray(gzip.decompress((site_dir / entry["file"]).read_bytes()))
    raw[16:48] = bytes(32)  # the header's build id
    copy = site_with_snapshot(tmp_path, site_dir, entry, bytes(raw))
    # site.json agrees with the file, so it is Pyodide that refuses it.
    with pytest.raises(snapshot.SnapshotError, match="could not be restored: Snapshot build id mismatch$"):
        snapshot.golden_predictions(copy, entry | {"build_id": "0" * 64})
    with pytest.raises(snapshot.SnapshotError, match=f"has build id {'0' * 64}, site.json says {entry['build_id']}$"):
        snapshot.golden_predictions(copy, entry)


@pytest.mark.parametrize(("data", "reason"), [
    (b"<!doctype html><title>Not found</title>", "could not be decompressed: "),
    (None, "could not be decompressed: "),  # the first half of the real file
])
def test_a_damaged_snapshot_file_is_refused(tmp_path, site_dir, entry, data, reason):
    copy = tmp_path / "site"
    shutil.copytree(site_dir, copy, copy_function=os.link)
    whole = (copy / entry["file"]).read_bytes()
    (copy / entry["file"]).unlink()
    (copy / entry["file"]).write_bytes(whole[: len(whole) // 2] if data is None else data)
    with pytest.raises(snapshot.SnapshotError, match=f"snapshot check failed: {reason}"):
        snapshot.golden_predictions(copy, entry)


def test_a_build_whose_snapshot_cannot_import_finf_fails_in_one_line(tmp_path, site_dir):
    out = tmp_path / "site"
    shutil.copytree(site_dir, out)
    # micropip's wheel in place of the engine's: the snapshot cannot import finf, so the site is not replaced.
    result = subprocess.run([sys.executable, str(ROOT / "scripts" / "build_site.py"), "--model",
                             str(GOLDEN / "iris.bin"), "--out", str(out), "--wheel", str(micropip_wheel())],
                            capture_output=True, text=True, check=False)
    assert result.returncode == 2
    assert result.stderr == "build_site: snapshot make failed: ModuleNotFoundError: No module named 'finf'\n"
    assert (out / "site.json").read_bytes() == (site_dir / "site.json").read_bytes()
