"""scripts/demo: builds the site, serves it on the port it is given and prints a URL that opens the working page."""

import queue
import re
import socket
import subprocess
import threading
import time
from pathlib import Path

import pytest

from hosts import stop

expect = pytest.importorskip("playwright.sync_api").expect

pytestmark = [pytest.mark.browser, pytest.mark.slow]

ROOT = Path(__file__).resolve().parent.parent
URL_TIMEOUT_S = 240  # setup (already done: seconds), building the wheel and copying the runtime


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def read_lines(stream, lines):
    for line in stream:
        lines.put(line)
    lines.put(None)


def wait_for_url(process, lines, timeout):
    """The URL the demo prints once it serves, or fail with everything it printed."""
    seen = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            line = lines.get(timeout=1)
        except queue.Empty:
            continue
        if line is None:
            break
        seen.append(line)
        match = re.search(r"Serving dist/site at (http://127\.0\.0\.1:\d+/\S*)", line)
        if match:
            return match.group(1)
    pytest.fail(f"scripts/demo printed no URL (exit {process.poll()}):\n{''.join(seen)}")


@pytest.fixture
def demo():
    """scripts/demo --port PORT running in the background; yields (port, lines queue, process)."""
    port = free_port()
    process = subprocess.Popen([str(ROOT / "scripts" / "demo"), "--port", str(port)], cwd=ROOT,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    lines = queue.Queue()
    threading.Thread(target=read_lines, args=(process.stdout, lines), daemon=True).start()
    yield port, lines, process
    stop(process)


def test_demo_serves_a_working_page_on_the_given_port(demo, visit):
    port, lines, process = demo
    url = wait_for_url(process, lines, URL_TIMEOUT_S)
    assert url == f"http://127.0.0.1:{port}/finf/"
    v = visit(url).wait_ready()
    expect(v.page.locator("#features input[type=range]:enabled")).to_have_count(4)
    expect(v.page.locator("#prediction")).to_have_text(re.compile(r"^(setosa|versicolor|virginica) \d+\.\d%$"))
    assert v.console_errors == []
    assert process.poll() is None, "the demo stopped serving"


def test_demo_rejects_a_bad_port():
    result = subprocess.run([str(ROOT / "scripts" / "demo"), "--port", "eighty"], cwd=ROOT,
                            capture_output=True, text=True, timeout=30, check=False)
    assert result.returncode == 2
    assert "--port expects a number" in result.stderr


def test_demo_rejects_an_unknown_model():
    result = subprocess.run([str(ROOT / "scripts" / "demo"), "--model", "penguins"], cwd=ROOT,
                            capture_output=True, text=True, timeout=30, check=False)
    assert result.returncode == 2
    assert "--model expects iris, spam, writer or gpt, got 'penguins'" in result.stderr


def test_demo_serves_a_writer_counted_from_a_corpus(visit, tmp_path):
    corpus = tmp_path / "corpus.txt"
    corpus.write_text("It is a truth universally acknowledged, that a single man in possession of a good fortune, "
                      "must be in want of a wife.\n" * 20, encoding="utf-8")
    port = free_port()
    process = subprocess.Popen([str(ROOT / "scripts" / "demo"), "--port", str(port), "--corpus", str(corpus)],
                               cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    lines = queue.Queue()
    threading.Thread(target=read_lines, args=(process.stdout, lines), daemon=True).start()
    try:
        v = visit(wait_for_url(process, lines, URL_TIMEOUT_S))
        expect(v.page.locator("#generate")).to_be_enabled(timeout=90_000)
        assert "corpus.txt" in v.page.locator("#card").text_content()
        v.page.locator("#seed").fill("1")
        v.page.locator("#generate").click()
        expect(v.html).to_have_attribute("data-generation", "done", timeout=60_000)
        assert v.page.locator("#generated").text_content().startswith("It is a truth")
    finally:
        stop(process)


def test_demo_names_the_script_that_makes_a_missing_corpus(tmp_path):
    result = subprocess.run([str(ROOT / "scripts" / "demo"), "--corpus", str(tmp_path / "none.txt")], cwd=ROOT,
                            capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 2 and "scripts/fetch_austen.py" in result.stderr
