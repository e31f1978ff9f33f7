"""Section 9: the SMS spam filter, finf's text model against scikit-learn's CountVectorizer + LogisticRegression.

Both fit the same stratified 80/20 split that `finf train --text` makes (seed 0). finf trains with its
defaults (Embedding(1000, 16) -> MeanPool -> Linear(16, 2), 10 epochs); scikit-learn gets CountVectorizer()
and LogisticRegression(max_iter=1000) with their other defaults. Fit times run from the training texts to
a fitted model (finf: its tokenizer and vocabulary, then fit; scikit-learn: the pipeline's fit), rounds
interleaved. Sizes: finf's model file; scikit-learn's pipeline as joblib.dump writes it (a size only:
nothing is ever loaded from it). Per message: predict_proba on one text, in CPython, beside the Iris model's
one row.
"""

import io
import statistics
import tempfile
import time
from pathlib import Path

import joblib
import numpy as np

import finf
from bench_common import ROOT, interleaved, ms, spread, summarize, us
from bench_inference import table_lines
from finf_train import card as model_card
from finf_train import text as finf_text
from finf_train.defaults import TEXT_DEFAULTS
from finf_train.training import stratified_split

SMS = ROOT / "build" / "data" / "sms.csv"
MESSAGE_20 = ("Congratulations you have won a free prize call now to claim your cash reward before it expires "
              "tonight ok friend")
MESSAGE_50 = " ".join([MESSAGE_20, MESSAGE_20, "see you at lunch tomorrow my friend and bring the keys please"])


def finf_fit(texts, y, classes):
    """The finf model trained on texts as train_text does it, from raw texts to an engine Model."""
    tokenize = finf.format.TOKENIZERS[finf_text.TOKENIZER]
    vocabulary = finf_text.build_vocabulary([tokenize(t) for t in texts], TEXT_DEFAULTS["vocab_size"],
                                            TEXT_DEFAULTS["min_count"])
    ids, lengths = finf_text.encode(vocabulary, texts)
    network = finf_text.fit(ids, lengths, y, len(classes), len(vocabulary),
                            embedding_dim=TEXT_DEFAULTS["embedding_dim"], hidden=(), activation="relu",
                            optimizer="adam", lr=TEXT_DEFAULTS["lr"], epochs=TEXT_DEFAULTS["epochs"],
                            batch_size=TEXT_DEFAULTS["batch_size"], seed=0)
    return finf.Model([finf.TextFeature("message", vocabulary)], finf_text.engine_layers(network),
                      finf.Classification("label", classes))


def sklearn_fit(texts, y):
    from sklearn.feature_extraction.text import CountVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline

    return make_pipeline(CountVectorizer(), LogisticRegression(max_iter=1000)).fit(texts, y)


def scores(y, predicted, spam):
    accuracy = float(np.mean(y == predicted))
    f1 = finf_text.f1_scores(y, predicted, spam + 1)[spam]
    return accuracy, f1


def page_typing(result, rounds):
    """bench_browser.text_latencies for the trained model's site: keystrokes into a 50-word message."""
    import bench_browser

    with tempfile.TemporaryDirectory(prefix="finf-bench-text-") as tmp:
        model_path = Path(tmp) / "spam.bin"
        model_path.write_bytes(result.model_bytes)
        card = model_card.dumps(dict(result.card, model_file="spam.bin"))
        model_path.with_suffix(".json").write_text(card, encoding="utf-8")
        return bench_browser.text_latencies(model_path, MESSAGE_50, 20 * rounds, tmp)


def text(rounds, quick, path=SMS, iris_model=None):
    if not path.exists():
        import fetch_sms

        fetch_sms.main(["--out", str(path)])
    data = finf_text.read_text_csv(path, "label", "message")
    train, val = stratified_split(data.y, 0.2, 0)
    spam = data.classes.index("spam")
    texts = [data.texts[i] for i in train]
    val_texts = [data.texts[i] for i in val]
    result = finf_text.train_text(path, "label", "message")  # what `finf train --text message` writes
    model = result.model
    finf_predicted = np.array([model.predict(t) for t in val_texts])
    if not np.array_equal(finf_predicted, finf.load(result.model_bytes).predict_batch(val_texts)):
        raise SystemExit("bench: the model file does not predict what the trained model does")
    pipe = sklearn_fit(texts, data.y[train])
    finf_scores = scores(data.y[val], finf_predicted, spam)
    sklearn_scores = scores(data.y[val], pipe.predict(val_texts), spam)
    if not abs(finf_scores[0] - result.metrics["val_accuracy"]) < 1e-12:
        raise SystemExit("bench: finf's validation accuracy differs from the one train_text reports")

    n = 1 if quick else rounds
    fits = {"finf": [], "scikit-learn": []}
    for _ in range(n):
        for name, fit in (("finf", lambda: finf_fit(texts, data.y[train], data.classes)),
                          ("scikit-learn", lambda: sklearn_fit(texts, data.y[train]))):
            start = time.perf_counter()
            fit()
            fits[name].append(time.perf_counter() - start)
    fit_times = {name: summarize(samples) for name, samples in fits.items()}
    saved = io.BytesIO()
    joblib.dump(pipe, saved)  # the competitor's own format, as section 5 measures it
    sizes = {"finf": len(result.model_bytes), "scikit-learn": len(saved.getvalue())}

    calls = {
        "finf, 20-word message": lambda: model.predict_proba(MESSAGE_20),
        "finf, 50-word message": lambda: model.predict_proba(MESSAGE_50),
        "scikit-learn pipeline, 20-word message": lambda: pipe.predict_proba([MESSAGE_20]),
    }
    if iris_model is not None:
        row = [5.1, 3.5, 1.4, 0.2]
        calls["finf, Iris one row (section 2's model)"] = lambda: iris_model.predict_proba(row)
    budget = 0.02 if quick else 0.3
    per_call = {name: summarize(samples) for name, samples in interleaved(calls, n, budget).items()}
    words_20 = len(finf.format.TOKENIZERS[finf_text.TOKENIZER](MESSAGE_20))
    typing = None if quick else page_typing(result, rounds)  # a site to build and Chromium: not in --quick

    table = [["model", "val accuracy", "val spam F1", "median fit time", "fit (min – max)", "size"]]
    for name, (accuracy, f1) in (("finf (Embedding 16, MeanPool, Linear)", finf_scores),
                                 ("CountVectorizer + LogisticRegression", sklearn_scores)):
        key = "finf" if name.startswith("finf") else "scikit-learn"
        table.append([name, f"{accuracy:.2%}", f"{f1:.3f}", ms(fit_times[key].median), spread(fit_times[key], ms),
                      f"{sizes[key] / 1000:.1f} KB"])
    timing = [["one call", "median", "spread (min – max)"]]
    timing += [[name, us(s.median), spread(s, us)] for name, s in per_call.items()]
    majority = float(np.mean(data.y[val] == np.bincount(data.y[train]).argmax()))
    lines = [
        f"{path.relative_to(ROOT) if path.is_relative_to(ROOT) else path.name} ({len(data.y)} messages, "
        f"{int(np.sum(data.y == spam))} spam; `scripts/fetch_sms.py` writes it), the stratified split of "
        f"`finf train --text message` (seed 0): {len(train)} training and {len(val)} validation messages. Always "
        f"guessing ham scores {majority:.2%} and spam F1 0. finf: `finf train build/data/sms.csv --target label "
        f"--text message` with its defaults; scikit-learn: CountVectorizer() + LogisticRegression(max_iter=1000). "
        f"Fit times from the training texts to a model, {n} interleaved round{'s' * (n > 1)}.",
        "",
        *table_lines(table),
        "",
        f"Per message in CPython (the 20-word message has {words_20} words), rounds interleaved:",
        "",
        *table_lines(timing),
    ]
    if typing is not None:
        own, dom = statistics.median(typing[0]), statistics.median(typing[1])
        lines += ["", f"On the page (scripts/bench_browser.py's text_latencies: the model's site in headless Chromium, "
                  f"the {len(MESSAGE_50.split())}-word message typed into its text area, then {len(typing[0])} "
                  f"keystrokes at its end, each waited for): input to updated result and highlighted words, median "
                  f"{own:.1f} ms as the page measures it (`finf:input-to-result`), {dom:.1f} ms from the input "
                  f"event's timestamp to the DOM change; range {min(typing[0]):.1f} – {max(typing[0]):.1f} ms."]
    checks = [f"the model file predicts every validation message as the trained model does ({len(val)} messages)",
              "the validation accuracy measured here is the one train_text reports"]
    targets = [("text: 1 - validation accuracy (SMS spam)", 1 - finf_scores[0], 0.03),
               ("text: 1 - validation spam F1", 1 - finf_scores[1], 0.10),
               ("text: model file, KB", sizes["finf"] / 1000, 100),
               ("text: one 20-word message, µs", per_call["finf, 20-word message"].median * 1e6, 100)]
    if typing is not None:
        targets.append(("text: page, 50-word message, keystroke -> result, median ms", own, 16.0))
    return {"lines": lines, "checks": checks, "targets": targets}
