"""The built site on real static hosts: Debian's nginx, with and without docs/nginx-mime.conf, and file://."""

import json
import re
import urllib.request

import pytest

import finf
from conftest import GOLDEN_MODEL
from hosts import nginx
from test_page_offline import offline_reload_reaches_a_prediction, wait_offline_ready

expect = pytest.importorskip("playwright.sync_api").expect

pytestmark = pytest.mark.browser


def content_type(url):
    """What `curl -sI URL | grep -i content-type` shows, as the README's check does."""
    with urllib.request.urlopen(urllib.request.Request(url, method="HEAD")) as response:
        return response.headers["Content-Type"]


def test_opened_from_the_file_system_the_page_says_to_serve_it(visit, site_dir):
    v = visit(f"file://{site_dir}/index.html")
    text = v.wait_error()
    assert text == ("Error: this page must be served over http(s); browsers do not run its scripts from a file. "
                    f"Serve it with: python3 -m http.server 8000 --directory {site_dir}/ and open "
                    "http://localhost:8000/")
    expect(v.status).to_have_class(re.compile(r"\berror\b"))
    assert v.page.evaluate("window.cspViolations") == []


def test_stock_nginx_sends_mjs_with_a_type_browsers_refuse_and_the_page_names_the_fix(visit, site_dir, tmp_path):
    with nginx(site_dir, tmp_path, fix=False) as url:
        assert content_type(url + "pyodide/pyodide.mjs") == "application/octet-stream"
        v = visit(url)
        text = v.wait_error()
    assert text == (
        "Error: Could not load the Python runtime (pyodide/pyodide.mjs): the server sends it as "
        '"application/octet-stream", and browsers run a module only when it is sent as JavaScript. Configure the '
        "server to send .mjs files as text/javascript (nginx: types { text/javascript mjs; }, see the README's "
        '"Hosting" section).')
    expect(v.page.locator("#prediction")).to_have_text(f"No prediction: {text.removeprefix('Error: ')}")


def test_nginx_with_the_documented_fix_serves_a_working_page_that_then_works_offline(visit, site_dir, tmp_path):
    card = json.loads(GOLDEN_MODEL.with_suffix(".json").read_text(encoding="utf-8"))
    with nginx(site_dir, tmp_path, fix=True) as url:
        assert content_type(url + "pyodide/pyodide.mjs") == "text/javascript"
        assert content_type(url + "pyodide/pyodide.asm.wasm") == "application/wasm"
        v = visit(url).wait_ready()
        wait_offline_ready(v)
        assert v.console_errors == [] and v.page_errors == []
        offline_reload_reaches_a_prediction(v, finf.load(GOLDEN_MODEL.read_bytes()), card["classes"])
