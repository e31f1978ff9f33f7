"""The page boots from the site's memory snapshot; without a usable one it falls back to micropip and still works."""

import gzip
import json
import re
from pathlib import Path

import pytest

import finf
from test_page import assert_matches_cpython, random_positions
from test_page_sites import replace_file

expect = pytest.importorskip("playwright.sync_api").expect

pytestmark = pytest.mark.browser

GOLDEN = Path(__file__).resolve().parent / "golden"
READY_DETAIL = "performance.getEntriesByName('finf:ready')[0].detail"


@pytest.fixture(scope="module")
def golden_model():
    return finf.load(GOLDEN / "iris.bin")


@pytest.fixture(scope="module")
def golden_card():
    return json.loads((GOLDEN / "iris.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def manifest(site_dir):
    return json.loads((site_dir / "site.json").read_text(encoding="utf-8"))


def check_predictions(v, card, model):
    assert_matches_cpython(v.shown(), model, card["classes"])
    for row in random_positions(card, 2, seed=5):
        for i, value in enumerate(row):
            v.set_value(i, value)
        assert_matches_cpython(v.shown(), model, card["classes"])


def test_the_page_boots_from_the_snapshot(visit, site_url, manifest, golden_card, golden_model):
    v = visit(site_url).wait_ready()
    timings = v.page.evaluate(READY_DETAIL)
    assert timings["boot"] == "snapshot" and "fallback_reason" not in timings, timings
    expect(v.status).to_have_text(re.compile(r"^Ready in \d+\.\d s \(Python and the engine from a snapshot \d+\.\d s, "
                                             r"model \d+\.\d s\)\.$"))
    check_predictions(v, golden_card, golden_model)
    # The engine came inside the snapshot: neither micropip, the wheel nor the glue was downloaded (the service
    # worker saves them for offline use after the first prediction, so its own requests do not count).
    fetched = {url.rsplit("/", 1)[-1] for url in v.page_requests}
    assert manifest["snapshot"]["file"] in fetched
    assert not fetched & {manifest["wheel"], manifest["micropip"], "glue.py"}, fetched
    assert not [m for m in v.console if "snapshot" in m], v.console
    assert v.console_errors == [] and v.page_errors == []
    assert v.page.evaluate("window.cspViolations") == []


def edit_entry(site, **changes):
    manifest = json.loads((site / "site.json").read_text(encoding="utf-8"))
    manifest["snapshot"].update(changes)
    replace_file(site / "site.json", json.dumps(manifest).encode())


def zero_build_id(site, entry):
    """The snapshot as another Pyodide build would have made it, with site.json agreeing."""
    raw = bytearray(gzip.decompress((site / entry["file"]).read_bytes()))
    raw[16:48] = bytes(32)
    replace_file(site / entry["file"], gzip.compress(bytes(raw), compresslevel=1))
    edit_entry(site, build_id="0" * 64)


def first_half(site, entry):
    data = (site / entry["file"]).read_bytes()
    replace_file(site / entry["file"], data[: len(data) // 2])


FALLBACKS = {
    "deleted": (lambda site, entry: (site / entry["file"]).unlink(), "answered HTTP 404"),
    "truncated": (first_half, "could not be decompressed: "),
    "not-gzip": (lambda site, entry: replace_file(site / entry["file"], b"<!doctype html><title>Not found</title>"),
                 "could not be decompressed: "),
    "wrong-key": (lambda site, entry: edit_entry(site, key="wheel-0+glue-0"), "holds the key wheel-"),
    "other-build": (zero_build_id, "could not be restored: Snapshot build id mismatch"),
}


@pytest.mark.parametrize("fallback", FALLBACKS)
def test_without_a_usable_snapshot_the_page_installs_with_micropip(visit, site_variant, manifest, golden_card,
                                                                   golden_model, fallback):
    change, reason = FALLBACKS[fallback]
    entry = manifest["snapshot"]
    v = visit(site_variant(lambda site: change(site, entry))).wait_ready()
    timings = v.page.evaluate(READY_DETAIL)
    assert timings["boot"] == "micropip", timings
    assert timings["fallback_reason"].startswith(f"the snapshot {entry['file']} {reason}"), timings
    expect(v.status).to_have_text(re.compile(r"^Ready in \d+\.\d s \(Python runtime \d+\.\d s, engine install"))
    check_predictions(v, golden_card, golden_model)
    # The visitor sees a working page; the console says why it took the long way.
    assert f"warning: finf: booting without the snapshot: {timings['fallback_reason']}" in v.console
    assert v.console_errors == [] and v.page_errors == []
    assert v.page.evaluate("window.cspViolations") == []
