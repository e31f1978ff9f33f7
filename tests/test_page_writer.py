"""A language model's page: the same text as CPython for a seed, Stop that stops, a corrupted file refused."""

import hashlib
import json
import os
import re
import shutil

import pytest

import finf
from conftest import READY_TIMEOUT_MS, Visit, build_site
from finf_train.lm.export import save_lm
from lm_reference import TEXT, gpt_config, gpt_state

expect = pytest.importorskip("playwright.sync_api").expect

pytestmark = pytest.mark.browser

VOCAB = "".join(sorted(set(TEXT + "It")))
PROMPT = "It is a truth"
GENERATED_MS = 60_000


@pytest.fixture(scope="module")
def writer_model(tmp_path_factory):
    """A small GPT with random weights, saved with its card as writer.bin."""
    out = tmp_path_factory.mktemp("writer") / "writer.bin"
    config = gpt_config(VOCAB, n_embd=16, n_head=4, block_size=16)
    save_lm(out, config, gpt_state(config, seed=5), {"corpus": "tiny.txt", "val_loss": 2.345, "steps": 30})
    return out


@pytest.fixture(scope="module")
def writer_site(writer_model, engine_wheel, tmp_path_factory):
    return build_site(tmp_path_factory.mktemp("site") / "site", writer_model, engine_wheel)


@pytest.fixture(scope="module")
def writer_url(writer_site, serve_site):
    return serve_site(writer_site)


def wait_ready(visit):
    expect(visit.html).to_have_attribute("data-state", re.compile("ready|error"), timeout=READY_TIMEOUT_MS)
    assert visit.html.get_attribute("data-state") == "ready", visit.status.text_content()
    expect(visit.page.locator("#generate")).to_be_enabled()


def generate(visit, prompt, length, temperature, seed):
    page = visit.page
    page.locator("#prompt").fill(prompt)
    page.locator("#length").fill(str(length))
    page.locator("#temperature").fill(str(temperature))
    page.locator("#seed").fill("" if seed is None else str(seed))
    page.locator("#generate").click()


def test_the_page_writes_the_cpython_text_for_a_seed(visit, writer_url, writer_model):
    model = finf.load(writer_model)
    v = visit(writer_url)
    wait_ready(v)
    card = v.page.locator("#card").text_content()
    assert "Trained on" in card and "tiny.txt, 30 steps" in card and "2.345 nats per character" in card
    assert v.page.locator("#features").is_hidden() and v.page.locator("#prompt").input_value() == PROMPT
    generate(v, PROMPT, 120, 0.9, 7)
    expect(v.html).to_have_attribute("data-generation", "done", timeout=GENERATED_MS)
    expected = PROMPT + "".join(model.generate(PROMPT, 120, temperature=0.9, seed=7))
    assert v.page.locator("#generated").text_content() == expected
    assert v.page.locator("#generate").text_content() == "Generate"
    assert float(v.html.get_attribute("data-chars-per-second")) > 0
    generate(v, PROMPT, 40, 0, None)  # temperature 0: the likeliest character each time, no seed needed
    expect(v.html).to_have_attribute("data-generation", "done", timeout=GENERATED_MS)
    assert v.page.locator("#generated").text_content() == PROMPT + "".join(model.generate(PROMPT, 40, 0))
    assert v.console_errors == [] and v.page_errors == []


def test_stop_stops_and_the_page_stays_responsive(visit, writer_url):
    v = visit(writer_url)
    wait_ready(v)
    generate(v, PROMPT, 5000, 1.0, 3)
    generated = v.page.locator("#generated")
    expect(v.page.locator("#generate")).to_have_text("Stop")
    expect(generated).to_have_text(re.compile(re.escape(PROMPT) + ".{20,}", re.S), timeout=GENERATED_MS)
    # The page answers while the worker writes: the main thread is free.
    assert v.page.evaluate("() => 1 + 1") == 2
    v.page.locator("#generate").click()
    expect(v.html).to_have_attribute("data-generation", "stopped")
    shown = generated.text_content()
    assert len(shown) < len(PROMPT) + 5000
    v.page.wait_for_timeout(500)
    assert generated.text_content() == shown  # nothing more after Stop
    expect(v.page.locator("#generate")).to_have_text("Generate")
    generate(v, PROMPT, 10, 1.0, 1)  # and it can write again
    expect(v.html).to_have_attribute("data-generation", "done", timeout=GENERATED_MS)


def test_a_prompt_outside_the_vocabulary_is_refused_in_words(visit, writer_url):
    v = visit(writer_url)
    wait_ready(v)
    generate(v, "Zebra", 10, 1.0, 1)
    expect(v.html).to_have_attribute("data-generation", "refused", timeout=GENERATED_MS)
    assert "'Z'" in v.page.locator("#writer-message").text_content()
    assert v.html.get_attribute("data-state") == "ready"


def test_a_corrupted_language_model_is_refused_in_words(visit, writer_site, serve_site, tmp_path):
    copy = tmp_path / "site"
    shutil.copytree(writer_site, copy, copy_function=os.link)
    model, card_path = copy / "writer.bin", copy / "writer.json"
    data = bytearray(model.read_bytes())
    data[17:21] = (0).to_bytes(4, "little")  # the block size
    model.unlink()
    model.write_bytes(bytes(data))
    card = json.loads(card_path.read_text(encoding="utf-8"))
    card.update(sha256=hashlib.sha256(bytes(data)).hexdigest())  # so only the engine can tell
    card_path.unlink()
    card_path.write_text(json.dumps(card), encoding="utf-8")
    v = Visit.wait_error(visit(serve_site(copy)))
    assert "writer.bin is not a valid finf model: byte 17: block size: expected 1 to 4096, found 0" in v


@pytest.mark.slow  # builds a site of two models, each with its own copy of the runtime
def test_one_site_hosts_several_models_behind_an_index_page(visit, writer_model, engine_wheel, serve_site, tmp_path):
    import subprocess
    import sys

    from conftest import GOLDEN_MODEL, ROOT

    out = tmp_path / "site"
    result = subprocess.run([sys.executable, str(ROOT / "scripts" / "build_site.py"), "--out", str(out), "--model",
                             str(GOLDEN_MODEL), "--model", str(writer_model), "--wheel", str(engine_wheel),
                             "--no-snapshot"], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    manifest = json.loads((out / "site.json").read_text())
    assert manifest["sites"] == ["iris", "writer"] and "writer/writer.bin" in manifest["files"]
    assert "iris/pyodide/pyodide.asm.wasm" in manifest["files"]
    v = visit(serve_site(out))
    links = v.page.locator("ul.models a")
    expect(links).to_have_count(2)
    assert "Writes text: a tiny GPT trained on tiny.txt" in v.page.locator("ul.models").text_content()
    assert "Predicts species: setosa, versicolor, virginica" in v.page.locator("ul.models").text_content()
    links.nth(1).click()
    wait_ready(v)
    generate(v, PROMPT, 20, 0, None)
    expect(v.html).to_have_attribute("data-generation", "done", timeout=GENERATED_MS)
    v.page.go_back()
    v.page.locator("ul.models a").nth(0).click()
    v.wait_ready()  # the Iris page, from its own folder
    assert v.console_errors == [] and v.page_errors == []
