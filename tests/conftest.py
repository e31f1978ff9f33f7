"""Fixtures shared by the test modules."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import pyodide_harness

ROOT = Path(__file__).resolve().parent.parent
GOLDEN_MODEL = Path(__file__).resolve().parent / "golden" / "iris.bin"
SITE_PREFIX = "/finf/"  # served from a sub-path, as a GitHub Pages project site is
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--no-first-run", "--disable-quic",
]


@pytest.fixture(scope="session")
def engine_wheel():
    """Path of the finf wheel built once per test session from this checkout."""
    return pyodide_harness.engine_wheel()


def build_site(out, model, wheel):
    """Run scripts/build_site.py as a user would; return the site directory."""
    result = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "build_site.py"), "--out", str(out), "--model", str(model),
         "--wheel", str(wheel)],
        capture_output=True, text=True, check=False,
    )
    if result.returncode != 0:
        raise RuntimeError(f"build_site.py failed:\n{result.stdout}{result.stderr}")
    return Path(out)


@pytest.fixture(scope="session")
def site_dir(tmp_path_factory, engine_wheel):
    """The demo site for the golden Iris model, built once per session."""
    return build_site(tmp_path_factory.mktemp("site") / "site", GOLDEN_MODEL, engine_wheel)


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
