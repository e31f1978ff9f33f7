"""The service worker (web/sw.js): after one visit the page works offline, and a rebuilt site replaces it whole."""

import hashlib
import json
import re
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import pytest

import finf
from conftest import GOLDEN_MODEL, READY_TIMEOUT_MS, SITE_PREFIX, build_site
from hosts import http_server
from test_page import assert_matches_cpython

expect = pytest.importorskip("playwright.sync_api").expect

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parent.parent
OFFLINE_READY = re.compile(r"^Ready to work offline: ")


def manifest_of(site):
    return json.loads((site / "site.json").read_text(encoding="utf-8"))


def wait_offline_ready(v):
    expect(v.html).to_have_attribute("data-offline", re.compile("ready|unavailable"), timeout=READY_TIMEOUT_MS)
    expect(v.page.locator("#offline")).to_have_text(OFFLINE_READY)
    expect(v.page.locator("#offline")).to_be_visible()
    assert v.page.evaluate("window.cspViolations") == []  # registering the service worker needs no new rule


def offline_reload_reaches_a_prediction(v, model, classes):
    """Cut the network, reload, and check the page predicts as CPython does, every file from the service worker."""
    responses = []
    v.page.on("response", lambda response: responses.append(response))
    v.context.set_offline(True)
    v.page.reload()
    v.wait_ready()
    assert_matches_cpython(v.shown(), model, classes)
    expect(v.page.locator("#offline")).to_have_text(OFFLINE_READY)
    assert responses and all(r.from_service_worker for r in responses), [r.url for r in responses]
    assert v.page.evaluate("window.cspViolations") == []
    assert v.console_errors == [] and v.page_errors == []


@pytest.fixture(scope="module")
def golden():
    card = json.loads(GOLDEN_MODEL.with_suffix(".json").read_text(encoding="utf-8"))
    return finf.load(GOLDEN_MODEL.read_bytes()), card


def test_after_one_visit_the_page_works_offline_at_a_sub_path(visit, site_url, site_dir, golden):
    model, card = golden
    assert urlsplit(site_url).path == SITE_PREFIX
    v = visit(site_url).wait_ready()
    wait_offline_ready(v)
    build = manifest_of(site_dir)["build"]
    assert v.page.evaluate("caches.keys()") == [f"finf {SITE_PREFIX} {build}"]
    offline_reload_reaches_a_prediction(v, model, card["classes"])


def test_after_one_visit_the_page_works_offline_at_the_root_of_python_http_server(visit, site_dir, golden):
    model, card = golden
    with http_server(site_dir) as url:
        v = visit(url).wait_ready()
        wait_offline_ready(v)
        assert v.page.evaluate("caches.keys()") == [f"finf / {manifest_of(site_dir)['build']}"]
        offline_reload_reaches_a_prediction(v, model, card["classes"])


def train_other_model(directory):
    """An Iris model with other weights than the golden one; returns (model path, card)."""
    out = directory / "other.bin"
    subprocess.run([str(Path(sys.executable).with_name("finf")), "train", str(ROOT / "data" / "iris.csv"),
                    "--target", "species", "--hidden", "6", "--epochs", "60", "--seed", "5", "--out", str(out)],
                   check=True, capture_output=True, text=True)
    return out, json.loads(out.with_suffix(".json").read_text(encoding="utf-8"))


FETCH_MANIFEST = "fetch('site.json').then(async (response) => [response.status, await response.text()])"


def test_a_rebuild_shows_after_one_reload_with_nothing_of_the_old_build(visit, tmp_path, engine_wheel, serve_site):
    site = build_site(tmp_path / "site", GOLDEN_MODEL, engine_wheel)
    url = serve_site(site)
    old, old_text = manifest_of(site), (site / "site.json").read_text(encoding="utf-8")
    v = visit(url).wait_ready()
    wait_offline_ready(v)
    # A second tab on the saved build: a navigation to site.json, answered from the cache.
    tab = v.context.new_page()
    tab.goto(url + "site.json")
    assert tab.evaluate(FETCH_MANIFEST) == [200, old_text]

    other, card = train_other_model(tmp_path)
    build_site(site, other, engine_wheel)
    new = manifest_of(site)
    assert new["build"] != old["build"]
    assert tab.evaluate(FETCH_MANIFEST) == [200, old_text]  # no navigation yet: still the build it came from

    bodies = {}
    v.context.on("response", lambda r: bodies.setdefault(urlsplit(r.url).path, []).append(r))
    v.page.reload()
    v.wait_ready()
    assert_matches_cpython(v.shown(), finf.load(other.read_bytes()), card["classes"])
    expect(v.page.locator("#card")).to_contain_text(card["sha256"])
    expect(v.page.locator("#card")).to_contain_text("other.bin")
    wait_offline_ready(v)
    # Only the new build is kept, and every file the page and its worker got is the new build's.
    assert v.page.evaluate("caches.keys()") == [f"finf {SITE_PREFIX} {new['build']}"]
    got = {}
    for path, responses in bodies.items():
        name = path.removeprefix(SITE_PREFIX) or "index.html"
        for response in responses:
            if response.status == 200 and name in new["files"] | {"site.json": None}:
                got.setdefault(name, set()).add(hashlib.sha256(response.body()).hexdigest())
    assert got["site.json"] == {hashlib.sha256((site / "site.json").read_bytes()).hexdigest()}
    assert {name: digests for name, digests in got.items() if name != "site.json"} == \
        {name: {new["files"][name]} for name in got if name != "site.json"}
    assert {"index.html", "main.js", "worker.js", "other.json", "other.bin", new["wheel"],
            "pyodide/pyodide.asm.wasm"} <= set(got)
    assert v.page.evaluate("window.cspViolations") == []
    # The other tab's build is gone: it gets an error, never a file of the new build.
    assert tab.evaluate(FETCH_MANIFEST) == [
        503, f"This page's build ({old['build']}) of the site was replaced by a newer one: reload the page."]


def test_a_file_that_does_not_match_site_json_is_not_saved_and_the_page_says_why(visit, site_variant):
    def change_style(site):
        css = site / "style.css"
        data = css.read_bytes() + b"\n/* changed after the build */\n"
        css.unlink()  # the variant's files are hard links to the built site's
        css.write_bytes(data)

    v = visit(site_variant(change_style)).wait_ready()  # the page itself works: its CSS is only a look
    expect(v.html).to_have_attribute("data-offline", "unavailable", timeout=READY_TIMEOUT_MS)
    expect(v.page.locator("#offline")).to_have_text(re.compile(
        r"^Not available offline: saving build [0-9a-f]{16} failed: style\.css has sha256 [0-9a-f]{64}, "
        r"site\.json says [0-9a-f]{64}\.$"))
    assert v.page.evaluate("caches.keys()") == []
