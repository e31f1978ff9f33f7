"""The page for a text model: typing gives CPython's class and probabilities, each word is highlighted as the
engine explains it, examples are one click away, and a corrupted vocabulary is refused in words."""

import csv
import hashlib
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote

import pytest

import finf
from test_train_text import corpus

expect = pytest.importorskip("playwright.sync_api").expect

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ["Claim your FREE prize now, txt WIN", "See you at home later, love mum"]
TYPED = "URGENT! call now to claim the cash prize 😀 or see you tonight"


def build(work, engine_wheel, change=None):
    """Train on a corpus made here, build its site with examples; change(model bytes) -> bytes corrupts the model."""
    data = work / "messages.csv"
    with open(data, "w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows([("label", "message"), *corpus()])
    model = work / "spam.bin"
    subprocess.run([str(Path(sys.executable).with_name("finf")), "train", str(data), "--target", "label", "--text",
                    "message", "--out", str(model), "--epochs", "40", "--lr", "0.01", "--min-count", "1"],
                   check=True, capture_output=True, text=True)
    (work / "examples.json").write_text(json.dumps(EXAMPLES), encoding="utf-8")
    site = work / "site"
    result = subprocess.run([sys.executable, str(ROOT / "scripts" / "build_site.py"), "--out", str(site), "--model",
                             str(model), "--wheel", str(engine_wheel), "--no-snapshot", "--examples",
                             str(work / "examples.json")], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    if change is not None:  # the card then vouches for the changed file, so the engine is what refuses it
        card = json.loads((site / "spam.json").read_text(encoding="utf-8"))
        data = change((site / "spam.bin").read_bytes())
        (site / "spam.bin").write_bytes(data)
        card.update(sha256=hashlib.sha256(data).hexdigest(), size_bytes=len(data))
        (site / "spam.json").write_text(json.dumps(card), encoding="utf-8")
    return site, finf.load(model.read_bytes())


@pytest.fixture(scope="module")
def text_site(tmp_path_factory, engine_wheel, serve_site):
    site, model = build(tmp_path_factory.mktemp("text"), engine_wheel)
    return serve_site(site), model


def bars(page):
    return page.evaluate("""() => [...document.querySelectorAll("#bars .bar")].map(
        (row) => [row.dataset.class, Number(row.dataset.probability)])""")


def type_text(v, text):
    v.after_result(lambda: v.page.locator("#features textarea").fill(text))


def test_typing_gives_cpythons_class_and_probabilities(visit, text_site):
    url, model = text_site
    v = visit(url).wait_ready()
    assert v.page.locator("#features input").count() == 0  # a text area, no sliders
    expect(v.page.locator("#features textarea")).to_be_enabled()
    for text in [TYPED, "", "lunch at home, see you later mum"]:
        type_text(v, text)
        want = model.predict_proba(text)
        assert bars(v.page) == [["ham", want[0]], ["spam", want[1]]]
        best = model.classes[model.predict(text)]
        expect(v.page.locator("#prediction .predicted-class")).to_have_text(best)
    assert float(v.html.get_attribute("data-input-to-result-ms")) > 0
    assert v.page_errors == [] and v.console_errors == []


def test_every_word_is_highlighted_by_its_push_with_a_summary_in_words(visit, text_site):
    url, model = text_site
    v = visit(url).wait_ready()
    type_text(v, TYPED)
    marks = v.page.locator(".highlighted mark.word")
    explanation = model.explain(TYPED)
    expect(marks).to_have_count(len(explanation))
    assert marks.all_text_contents()[:3] == ["URGENT", "call", "now"]  # the words as typed, emoji left out
    best = model.predict(TYPED)
    pushes = [float(p) for p in v.page.evaluate(
        "() => [...document.querySelectorAll('.highlighted mark')].map((m) => m.dataset.push)")]
    want = [shares[best] - shares[1 - best] for _, shares in explanation]
    assert pushes == pytest.approx(want, rel=1e-12, abs=1e-15)
    classes = [("toward" if p >= 0 else "away") in c for p, c in
               zip(pushes, [m.get_attribute("class") for m in marks.all()], strict=True)]
    assert all(classes)
    expect(v.page.locator(".highlighted")).to_have_attribute("aria-hidden", "true")
    summary = v.page.locator(".words-summary")
    top = max(zip(pushes, marks.all_text_contents(), strict=True))[1]
    expect(summary).to_contain_text(f"Words that pushed most toward {model.classes[best]}: {top}")


def test_an_example_is_one_click_away(visit, text_site):
    url, model = text_site
    v = visit(url).wait_ready()
    button = v.page.get_by_role("button", name=re.compile("^Example 2"))
    v.after_result(button.click)
    expect(v.page.locator("#features textarea")).to_have_value(EXAMPLES[1])
    want = model.predict_proba(EXAMPLES[1])
    assert bars(v.page) == [["ham", want[0]], ["spam", want[1]]]


def test_a_link_carries_the_text_and_typing_keeps_it_in_the_fragment(visit, text_site):
    url, model = text_site
    text = "Claim, your prize: 100% FREE"  # a comma, a colon and a percent sign survive the link
    v = visit(f"{url}#values={quote(text, safe='')}").wait_ready()
    expect(v.page.locator("#features textarea")).to_have_value(text)
    want = model.predict_proba(text)
    expect(v.page.locator("#prediction .predicted-class")).to_have_text(model.classes[model.predict(text)])
    assert bars(v.page) == [["ham", want[0]], ["spam", want[1]]]
    type_text(v, "see you at home")
    expect(v.page).to_have_url(re.compile(re.escape("#values=see%20you%20at%20home") + "$"))


def corrupt_vocabulary(data):
    """The model with its vocabulary entry "prize" spelled "Prize", a text the tokenizer never gives."""
    assert data.count(b"\x05\x00\x00\x00prize") == 1
    return data.replace(b"\x05\x00\x00\x00prize", b"\x05\x00\x00\x00Prize")


def test_a_corrupted_vocabulary_is_refused_in_words(visit, tmp_path, engine_wheel, serve_site):
    site, _ = build(tmp_path, engine_wheel, change=corrupt_vocabulary)
    v = visit(serve_site(site))
    status = v.wait_error()
    assert re.search(r"spam\.bin is not a valid finf model: byte \d+: feature 0 \('message'\) vocabulary entry \d+: "
                     r"expected a token of 'words' version 1 .*found 'Prize'", status), status
    expect(v.page.locator("#prediction")).to_contain_text("No prediction")
    shutil.rmtree(site)
