"""Fixtures shared by the test modules."""

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import pyodide_harness

ROOT = Path(__file__).resolve().parent.parent
GOLDEN_MODEL = Path(__file__).resolve().parent / "golden" / "iris.bin"
SITE_PREFIX = "/finf/"  # served from a sub-path, as a GitHub Pages project site is
READY_TIMEOUT_MS = 90_000  # a cold Pyodide boot on a busy 2-core machine
RESULT_TIMEOUT_MS = 15_000
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--no-first-run", "--disable-quic",
]


@pytest.fixture(scope="session")
def engine_wheel():
    """Path of the finf wheel built once per test session from this checkout."""
    return pyodide_harness.engine_wheel()


def build_site(out, model, wheel, snapshot=False):
    """Run scripts/build_site.py as a user would; return the site directory.

    Only the golden site has a memory snapshot by default: making one takes seconds.
    """
    result = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "build_site.py"), "--out", str(out), "--model", str(model),
         "--wheel", str(wheel), *([] if snapshot else ["--no-snapshot"])],
        capture_output=True, text=True, check=False,
    )
    if result.returncode != 0:
        raise RuntimeError(f"build_site.py failed:\n{result.stdout}{result.stderr}")
    return Path(out)


@pytest.fixture(scope="session")
def site_dir(tmp_path_factory, engine_wheel):
    """The demo site for the golden Iris model, with its memory snapshot, built once per session."""
    return build_site(tmp_path_factory.mktemp("site") / "site", GOLDEN_MODEL, engine_wheel, snapshot=True)


@pytest.fixture(scope="session")
def serve_site():
    """serve_site(directory) -> base URL of directory served at /finf/ on 127.0.0.1 until the session ends."""
    sys.path.insert(0, str(ROOT / "scripts"))
    try:
        import serve
    finally:
        sys.path.remove(str(ROOT / "scripts"))
    servers = []

    def start(directory):
        server = serve.serve_in_thread(directory, SITE_PREFIX)
        servers.append(server)
        return server.url

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="session")
def site_url(site_dir, serve_site):
    """URL of the golden Iris site."""
    return serve_site(site_dir)


@pytest.fixture(scope="session")
def site_variant(site_dir, serve_site, tmp_path_factory):
    """site_variant(change) -> URL of a copy of the site after change(copy_dir) edited it.

    The copy hard-links every file, so change must replace a file (write a new one), not edit it in place.
    """

    def make(change):
        copy = tmp_path_factory.mktemp("variant") / "site"
        shutil.copytree(site_dir, copy, copy_function=os.link)
        change(copy)
        return serve_site(copy)

    return make


@pytest.fixture(scope="session")
def browser():
    """One headless Debian Chromium for the whole session."""
    sync_api = pytest.importorskip("playwright.sync_api")
    executable = shutil.which("chromium") or shutil.which("chromium-browser")
    if executable is None:
        pytest.fail("chromium is not installed; scripts/test installs Debian's chromium")
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def _expect(*args, **kwargs):
    """playwright's expect, imported only by the browser tests that use it."""
    from playwright.sync_api import expect

    return expect(*args, **kwargs)


# Runs in the page before its own scripts (Playwright injects it outside the page's CSP).
WATCH_CSP = """
window.cspViolations = [];
document.addEventListener("securitypolicyviolation",
  (e) => window.cspViolations.push(`${e.violatedDirective} blocked ${e.blockedURI}`));
"""
SHOWN = """() => ({
  prediction: document.getElementById("prediction").textContent,
  bars: [...document.querySelectorAll("#bars .bar")].map((row) =>
    [row.dataset.class, row.querySelector(".bar-value").textContent, row.dataset.probability]),
  values: [...document.querySelectorAll("#features input")].map((input) => input.value),
  outputs: [...document.querySelectorAll("#features output")].map((output) => output.textContent),
})"""
SET_VALUE = """([index, value]) => {
  const input = document.querySelectorAll("#features input")[index];
  input.value = value;
  input.dispatchEvent(new Event("input", { bubbles: true }));
}"""


class Visit:
    """The demo page opened in a fresh browser context, with what it logged and fetched."""

    def __init__(self, browser, url):
        self.console_errors = []
        self.console = []  # every console message of the page and its worker, as "type: text"
        self.page_errors = []
        self.requests = []  # every URL the page, its worker and its service worker asked for
        self.page_requests = []  # those of the page and its worker, without the service worker's
        self.sw_requests = []  # the service worker's (it saves the site after the first prediction)
        self.context = browser.new_context()
        self.context.on("request", self._on_request)
        self.page = self.context.new_page()
        self.page.add_init_script(WATCH_CSP)
        self.page.on("console", self._on_console)
        self.page.on("pageerror", lambda error: self.page_errors.append(str(error)))
        self.page.on("worker", lambda worker: worker.on("console", self._on_console))
        self.html = self.page.locator("html")
        self.status = self.page.locator("#status")
        self.sliders = self.page.locator("#features input[type=range]")
        self.page.goto(url)

    def _on_request(self, request):
        self.requests.append(request.url)
        (self.page_requests if request.service_worker is None else self.sw_requests).append(request.url)

    def _on_console(self, message):
        self.console.append(f"{message.type}: {message.text}")
        if message.type == "error" or "Content Security Policy" in message.text:
            self.console_errors.append(f"{message.type}: {message.text}")

    def wait_ready(self):
        _expect(self.html).to_have_attribute("data-state", re.compile("ready|error"), timeout=READY_TIMEOUT_MS)
        assert self.html.get_attribute("data-state") == "ready", self.status.text_content()
        _expect(self.html).to_have_attribute("data-results", re.compile(r"\d+"), timeout=RESULT_TIMEOUT_MS)
        return self

    def wait_error(self):
        _expect(self.html).to_have_attribute("data-state", "error", timeout=READY_TIMEOUT_MS)
        return self.status.text_content()

    def after_result(self, action):
        """Run action (one slider input) and wait until the page shows the result it caused."""
        before = self.html.get_attribute("data-results")
        action()
        _expect(self.html).not_to_have_attribute("data-results", before, timeout=RESULT_TIMEOUT_MS)
        assert self.html.get_attribute("data-state") == "ready", self.status.text_content()

    def set_value(self, index, value):
        self.after_result(lambda: self.page.evaluate(SET_VALUE, [index, value]))

    def shown(self):
        return self.page.evaluate(SHOWN)

    def close(self):
        self.context.close()


@pytest.fixture
def visit(browser):
    """visit(url) -> Visit of the page at url; its context is closed after the test."""
    visits = []

    def open_page(url):
        visits.append(Visit(browser, url))
        return visits[-1]

    yield open_page
    for v in visits:
        v.close()
