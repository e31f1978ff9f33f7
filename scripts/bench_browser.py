"""Section 6: the built site in headless Chromium on 127.0.0.1, against a bare page that only boots Pyodide.

The bare page (bare.html, written into the benchmark's copy of the site only) starts a module worker that
calls loadPyodide from the same pyodide/ files the finf page uses, as finf's worker does, and marks the time
it resolves. The finf page is loaded as built (it boots from the site's memory snapshot) and from fallback/,
a copy of the site without the snapshot file (it falls back to micropip). Every page is loaded in turn every
round: cold (a new browser context, empty HTTP cache) and then warm (the same browser profile again; serve.py
sends Cache-Control: no-cache, so the browser revalidates and gets 304s; the finf page's repeat visit is
served by its service worker, once the page says it is ready to work offline); the bare page and the finf page
also cold on a network throttled through the DevTools protocol (THROTTLE, which applies to the worker's
fetches too). Every cold load starts a new Chromium profile in a fresh directory, so its disk cache is empty.
"""

import functools
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
from pathlib import Path
from urllib.parse import urlsplit

from bench_common import ROOT, ms, spread, summarize
from bench_inference import table_lines

MAP_CELLS = 64  # web/view/map.js's MAP_CELLS

TARGETS = {"first": 0.35, "throttled": 0.8, "fallback": 1.2, "repeat": 0.35, "slider_ms": 16.0, "own_kb": 150.0,
           "map_ms": 150.0}
THROTTLE = {"offline": False, "latency": 20, "downloadThroughput": 50e6 / 8, "uploadThroughput": 50e6 / 8}
THROTTLE_TEXT = "50 Mbit/s, 20 ms latency"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-quic"]
LOAD_TIMEOUT_MS = 180_000
BARE_HTML = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>bare loadPyodide</title>
<script type="module" src="bare.js"></script></head><body><p>loadPyodide only</p></body></html>
"""
BARE_JS = """// Starts the worker and marks navigation start -> loadPyodide resolved.
const worker = new Worker(new URL("bare-worker.js", import.meta.url), { type: "module" });
worker.addEventListener("message", () => {
  const now = performance.now();
  performance.measure("bare:ready", { start: 0, end: now });
  document.documentElement.dataset.readyMs = now.toFixed(1);
});
"""
BARE_WORKER_JS = """// loadPyodide from the site's own pyodide/ files, nothing else.
import { loadPyodide } from "./pyodide/pyodide.mjs";
self.pyodide = await loadPyodide({ indexURL: new URL("./pyodide/", import.meta.url).href });
self.postMessage("ready");
"""
# Run in the bare page's worker: install the site's finf wheel with micropip and time predict_proba in Python.
IN_PYODIDE = """async ([manifest, rows, calls, rounds]) => {
  const py = self.pyodide;
  const site = new URL("./", location.href);
  const card = await (await fetch(new URL(manifest.card, site))).json();
  const model = new Uint8Array(await (await fetch(new URL(card.model_file, site))).arrayBuffer());
  py.FS.writeFile("/tmp/iris.bin", model);
  const start = performance.now();  // install as the page does: micropip, then the wheel
  const wheel = new Uint8Array(await (await fetch(new URL(manifest.wheel, site))).arrayBuffer());
  await py.loadPackage(new URL(manifest.micropip, site).href);
  py.FS.mkdirTree("/tmp/wheels");
  py.FS.writeFile("/tmp/wheels/" + manifest.wheel, wheel);
  const path = "emfs:/tmp/wheels/" + manifest.wheel;
  await py.runPythonAsync(`import micropip\\nawait micropip.install("${path}", deps=False)\\nimport finf`);
  const installMs = performance.now() - start;
  py.globals.set("bench_args", JSON.stringify({ rows, calls, rounds, installMs }));
  return py.runPython(`
import json, sys, time
import finf
args = json.loads(bench_args)
model = finf.load(open("/tmp/iris.bin", "rb").read())
rows = args["rows"]
def per_call(fn):
    start = time.perf_counter()
    for i in range(args["calls"]):
        fn(rows[i % len(rows)])
    return (time.perf_counter() - start) / args["calls"]
times = {"predict_proba": [], "forward": []}
for _ in range(args["rounds"]):
    times["predict_proba"].append(per_call(model.predict_proba))
    times["forward"].append(per_call(model.forward))
json.dumps({"times": times, "python": sys.version.split()[0], "all": [model.predict_proba(r) for r in rows],
            "micropip_ms": args["installMs"]})
`);
}"""


# The same wheel unpacked straight into site-packages, without micropip: not what the page does, measured to
# show what micropip costs.
UNPACK = """async ([manifest]) => {
  const py = self.pyodide;
  const start = performance.now();
  const site = new URL("./", location.href);
  const wheel = new Uint8Array(await (await fetch(new URL(manifest.wheel, site))).arrayBuffer());
  py.unpackArchive(wheel, "wheel", { extractDir: py.runPython("import sysconfig; sysconfig.get_paths()['purelib']") });
  py.runPython("import importlib; importlib.invalidate_caches(); import finf");
  return performance.now() - start;
}"""


def make_site(workdir):
    """Build the site into workdir/site and add the bare page; return the site directory and its manifest."""
    site = Path(workdir) / "site"
    result = subprocess.run([sys.executable, str(ROOT / "scripts" / "build_site.py"), "--out", str(site)],
                            capture_output=True, text=True, timeout=600, check=False)
    if result.returncode != 0:
        sys.exit(f"bench: scripts/build_site.py failed: {result.stderr.strip()}")
    manifest = json.loads((site / "site.json").read_text(encoding="utf-8"))
    shutil.copytree(site, site / "fallback", copy_function=os.link,
                    ignore=lambda directory, names: [manifest["snapshot"]["file"]] if directory == str(site) else [])
    (site / "bare.html").write_text(BARE_HTML, encoding="utf-8")
    (site / "bare.js").write_text(BARE_JS, encoding="utf-8")
    (site / "bare-worker.js").write_text(BARE_WORKER_JS, encoding="utf-8")
    return site, manifest


class Transfers:
    """Body bytes the server sends, by URL path, as its Content-Length headers say (gzip-compressed text is
    counted compressed, as it crosses the wire; a 304 revalidation sends no body)."""

    def __init__(self, site):
        self.site, self.log = site, []

    def serve(self):
        """Start scripts/serve.py's server for the site on a free port, logging each response it sends."""
        from serve import make_server

        server = make_server(self.site, 0, "/", verbose=False)
        log, handler = self.log, server.RequestHandlerClass

        class Logged(handler.func):
            def send_response(self, code, message=None):
                self.body_bytes = 0
                super().send_response(code, message)

            def send_header(self, keyword, value):
                if keyword.lower() == "content-length":
                    self.body_bytes = int(value)
                super().send_header(keyword, value)

            def end_headers(self):
                log.append((self.path.split("?")[0], self.body_bytes))
                super().end_headers()

        server.RequestHandlerClass = functools.partial(Logged, *handler.args, **handler.keywords)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        return server

    def take(self):
        found = {}
        for path, size in self.log:
            found[path] = found.get(path, 0) + size
        self.log.clear()
        return found


def load(page, url, ready_selector, measure, throttle=False):
    """Navigate and return milliseconds from navigation start to the page's own mark `measure`."""
    if throttle:
        cdp = page.context.new_cdp_session(page)
        cdp.send("Network.enable")
        cdp.send("Network.emulateNetworkConditions", THROTTLE)
    page.goto(url)
    page.wait_for_selector(f'{ready_selector}, html[data-state="error"]', state="attached", timeout=LOAD_TIMEOUT_MS)
    if page.get_attribute("html", "data-state") == "error":
        sys.exit(f"bench: {url} failed to load: {page.text_content('#status')}")
    return page.evaluate(f"() => performance.getEntriesByName('{measure}')[0].duration")


BARE, FINF, FALLBACK = "bare loadPyodide page", "finf page", "finf page, snapshot removed"
PAGES = {
    BARE: ("bare.html", "html[data-ready-ms]", "bare:ready"),
    FINF: ("index.html", "html[data-first-prediction-ms]", "finf:first-prediction"),
    FALLBACK: ("fallback/index.html", "html[data-first-prediction-ms]", "finf:first-prediction"),
}
BOOTS = {FINF: "snapshot", FALLBACK: "micropip"}  # how each finf page must have booted to count
CONDITIONS = ("cold", "warm", "throttled")


def wait_offline_ready(page):
    """Wait until the service worker has saved the site, so the next load of the finf page is served by it."""
    page.wait_for_selector("html[data-offline=ready], html[data-offline=unavailable]", state="attached",
                           timeout=LOAD_TIMEOUT_MS)
    if page.get_attribute("html", "data-offline") != "ready":
        sys.exit(f"bench: the service worker did not save the site: {page.text_content('#offline')}")


def page_paths(context):
    """The set of URL paths the context's pages and workers ask for (its service worker's requests left out)."""
    paths = set()
    context.on("request", lambda request: request.service_worker or paths.add(urlsplit(request.url).path))
    return paths


# Records each input event's time and each time the page shows a new result (html[data-results] changes).
LATENCY_PROBE = """() => {
  window.benchInputs = []; window.benchShown = [];
  document.addEventListener("input", (e) => window.benchInputs.push(e.timeStamp), true);
  new MutationObserver(() => window.benchShown.push(performance.now()))
    .observe(document.documentElement, { attributes: true, attributeFilter: ["data-results"] });
}"""


def slider_latencies(page, presses):
    """Press arrow keys on a slider; (page's own input -> result ms, input event -> result in the DOM ms)."""
    page.focus("#feature-2")
    return key_latencies(page, ("ArrowRight", "ArrowLeft"), presses)


def key_latencies(page, keys, presses):
    """Press the two keys in turn on the focused input, each waited for; latencies as slider_latencies gives them."""
    page.evaluate(LATENCY_PROBE)
    for i in range(presses):
        before = page.get_attribute("html", "data-results")
        page.keyboard.press(keys[i % 2])
        page.wait_for_selector(f'html:not([data-results="{before}"])', state="attached", timeout=30_000)
    own = page.evaluate("() => performance.getEntriesByName('finf:input-to-result').map((e) => e.duration)")
    inputs, shown = page.evaluate("() => [window.benchInputs, window.benchShown]")
    return own[-presses:], [s - i for i, s in zip(inputs, shown, strict=False)]


MAP_AXES = "() => { const g = JSON.parse(document.getElementById('map').dataset.grid); return [g.x, g.y]; }"


def map_timings(page, maps, presses):
    """Redraw the map maps times by changing its across axis, then press arrow keys on an input the map holds
    (each press asks for a new map); (map request -> drawn ms, slider input -> result ms while maps recompute)."""
    page.wait_for_selector("#map[data-drawn]", state="attached", timeout=30_000)
    drawn_before = page.evaluate("() => performance.getEntriesByName('finf:map').length")
    axes = page.evaluate(MAP_AXES)
    options = page.evaluate("() => [...document.querySelectorAll('#map-x option')].map((o) => Number(o.value))")
    across = [i for i in options if i != axes[1]]
    for k in range(maps):
        before = page.get_attribute("#map", "data-drawn")
        page.select_option("#map-x", str(across[(k + 1) % len(across)]))
        page.wait_for_selector(f'#map:not([data-drawn="{before}"])', state="attached", timeout=30_000)
    map_ms = page.evaluate("() => performance.getEntriesByName('finf:map').map((e) => e.duration)")[drawn_before:]
    axes = page.evaluate(MAP_AXES)
    held = next(i for i in options if i not in axes)
    results_before = page.evaluate("() => performance.getEntriesByName('finf:input-to-result').length")
    page.focus(f"#feature-{held}")
    for i in range(presses):
        before = page.get_attribute("html", "data-results")
        page.keyboard.press("ArrowRight" if i % 2 == 0 else "ArrowLeft")
        page.wait_for_selector(f'html:not([data-results="{before}"])', state="attached", timeout=30_000)
    own = page.evaluate("() => performance.getEntriesByName('finf:input-to-result').map((e) => e.duration)")
    return map_ms, own[results_before:]


def browser(rounds, quick, workdir=None):
    from playwright.sync_api import sync_playwright

    import finf
    from bench_common import load_iris

    rows = load_iris().X.tolist()
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if not chromium:
        sys.exit("bench: section 6 needs Chromium (apt-get install chromium)")
    with tempfile.TemporaryDirectory(prefix="finf-bench-site-") as tmp:
        site, manifest = make_site(workdir or tmp)
        wire = Transfers(site)
        server = wire.serve()
        try:
            with sync_playwright() as playwright:
                def launch():
                    profile = tempfile.mkdtemp(prefix="profile-", dir=tmp)
                    return playwright.chromium.launch_persistent_context(profile, executable_path=chromium,
                                                                         args=CHROMIUM_ARGS)

                loads, transfers, slider, pyodide = measure_all(launch, server.url, wire, manifest, rounds, quick,
                                                                rows)
        finally:
            server.shutdown()
            server.server_close()
        model = finf.load(site / json.loads((site / manifest["card"]).read_text(encoding="utf-8"))["model_file"])
    worst = max(abs(a - b) for row, got in zip(rows, pyodide["all"], strict=True)
                for a, b in zip(model.predict_proba(row), got, strict=True))
    if worst > 1e-12:
        sys.exit(f"bench: finf in Pyodide differs from CPython by {worst:.3g} on the site's model")
    check = f"finf in Pyodide vs CPython on the site's model: max |Δp| = {worst:.1e} on all 150 Iris rows"
    return report(loads, transfers, slider, pyodide, rounds, manifest) | {"checks": [check]}


def load_page(page, url, name, throttle, phases):
    """load() one of PAGES; for a finf page, keep its worker's timings and check how it booted."""
    ms_ = load(page, url + PAGES[name][0], *PAGES[name][1:], throttle=throttle)
    if name in BOOTS:
        detail = page.evaluate("performance.getEntriesByName('finf:ready')[0].detail")
        if detail.get("boot") != BOOTS[name]:
            sys.exit(f"bench: the {name} booted by {detail.get('boot')}, not {BOOTS[name]}: {detail}")
        phases.append(detail)
    return ms_


def measure_all(launch, url, wire, manifest, rounds, quick, rows):
    """Page load times (ms), bytes by path, slider latencies (ms) and the in-Pyodide timings."""
    loads = {(name, condition): [] for name in PAGES for condition in CONDITIONS}
    phases = {(name, condition): [] for name in BOOTS for condition in CONDITIONS}  # the workers' own timings
    transfers, slider = {}, ([], [], [], [])  # slider -> result (page, DOM), map ms, slider -> result during maps
    for _ in range(rounds):
        for name in PAGES:
            context = launch()
            page = context.new_page()
            wire.take()
            paths = page_paths(context)
            for cache in ("cold", "warm"):
                loads[name, cache].append(load_page(page, url, name, False, phases.get((name, cache), [])))
                if name == FINF and cache == "cold":
                    wait_offline_ready(page)  # its repeat visit is then served by its service worker
                    # The page's own bytes, and what its service worker saved after the first prediction.
                    sent = wire.take()
                    transfers[name, cache] = {path: size for path, size in sent.items() if path in paths}
                    transfers[name, "offline"] = {path: size for path, size in sent.items() if path not in paths}
                else:
                    transfers[name, cache] = wire.take()
            if name == FINF:
                own, dom = slider_latencies(page, 6 if quick else 30)
                slider[0].extend(own)
                slider[1].extend(dom)
                map_ms, during = map_timings(page, 3 if quick else 10, 6 if quick else 30)
                slider[2].extend(map_ms)
                slider[3].extend(during)
            context.close()
        for name in (BARE, FINF):
            context = launch()
            loads[name, "throttled"].append(load_page(context.new_page(), url, name, True,
                                                      phases.get((name, "throttled"), [])))
            transfers[name, "throttled"] = wire.take()
            context.close()
    loads = {key: samples for key, samples in loads.items() if samples}
    context = launch()
    page = context.new_page()
    load(page, url + "bare.html", *PAGES[BARE][1:])
    calls = 2_000 if quick else 20_000
    result = json.loads(page.workers[0].evaluate(IN_PYODIDE, [manifest, rows, calls, rounds]))
    context.close()
    context = launch()
    page = context.new_page()
    load(page, url + "bare.html", *PAGES[BARE][1:])
    result["unpack_ms"] = page.workers[0].evaluate(UNPACK, [manifest])
    context.close()
    result["phases"] = phases
    return loads, transfers, slider, result


PHASES = {
    "runtime_ms": "Python runtime up (from the snapshot: with finf imported; else micropip fetched during it)",
    "engine_ms": "engine installed (without the snapshot: micropip.install of the wheel, import finf)",
    "model_ms": "model checked against its card and loaded",
    "total_ms": "worker start to ready, in all",
}
PHASE_COLUMNS = [(FINF, "cold"), (FINF, "warm"), (FINF, "throttled"), (FALLBACK, "cold"), (FALLBACK, "warm")]


def phase_table(phases):
    table = [["step", *(f"{'snapshot' if name == FINF else 'no snapshot'}, {condition}"
                        for name, condition in PHASE_COLUMNS)]]
    for key, step in PHASES.items():
        medians = [statistics.median(p[key] for p in phases[column]) for column in PHASE_COLUMNS]
        table.append([step, *(f"{median:.0f} ms" for median in medians)])
    return table


def split_bytes(sent, snapshot_file):
    """(runtime, snapshot, finf's own) bytes of one load: /pyodide/, the snapshot file, everything else."""
    runtime = sum(size for path, size in sent.items() if "/pyodide/" in path)
    snapshot = sum(size for path, size in sent.items() if path.endswith("/" + snapshot_file))
    return runtime, snapshot, sum(sent.values()) - runtime - snapshot


def bytes_lines(transfers, manifest):
    cold = transfers[FINF, "cold"]
    snapshot_file = manifest["snapshot"]["file"]
    own = {path: size for path, size in cold.items() if "/pyodide/" not in path and not path.endswith(snapshot_file)}
    table = [["file (finf page, cold load, to its first prediction)", "body bytes sent"]]
    table += [[path, f"{size:,}"] for path, size in sorted(own.items(), key=lambda item: -item[1])]
    split = {name: split_bytes(transfers[name, "cold"], snapshot_file) for name in PAGES}
    table += [["**finf's own, total**", f"**{sum(own.values()):,}**"]]
    for name in PAGES:
        runtime, snapshot, finf_own = split[name]
        table.append([f"{name}, cold: runtime + snapshot + finf", f"{runtime:,} + {snapshot:,} + {finf_own:,}"])
    table.append([f"{FINF}, then saved for offline use by its service worker, everything",
                  f"{sum(transfers[FINF, 'offline'].values()):,}"])
    for name in PAGES:
        table.append([f"{name}, warm load, everything", f"{sum(transfers[name, 'warm'].values()):,}"])
    return table, split


def report(loads, transfers, slider, pyodide, rounds, manifest):
    results = {key: summarize([ms_ / 1000 for ms_ in samples]) for key, samples in loads.items()}
    table = [["page", "condition", "median navigation -> ready", "spread (min – max)", "page / bare"]]
    for condition in CONDITIONS:
        for name in PAGES:
            if (name, condition) in results:
                s = results[name, condition]
                bare = results[BARE, condition].median
                table.append([name, condition, ms(s.median), spread(s, ms), f"{s.median / bare:.3f}"])
    bytes_table, split = bytes_lines(transfers, manifest)
    own_ms, dom_ms = statistics.median(slider[0]), statistics.median(slider[1])
    map_ms, during_ms = statistics.median(slider[2]), statistics.median(slider[3])
    per_call = {name: statistics.median(times) for name, times in pyodide["times"].items()}
    ratio = {key: results[key].median / results[BARE, key[1]].median for key in results}
    # The snapshot pays for itself while its extra bytes take less time to arrive than it saves on this machine.
    extra_bytes = sum(split[FINF]) - sum(split[FALLBACK])
    saved_s = results[FALLBACK, "cold"].median - results[FINF, "cold"].median
    break_even = f"{extra_bytes * 8 / saved_s / 1e6:.0f} Mbit/s" if saved_s > 0 else "none (it saves no time here)"
    lines = [
        "Headless Chromium (Debian's), the site from scripts/build_site.py served by scripts/serve.py on",
        f"127.0.0.1. {rounds} rounds; each round loads the bare page, the finf page and the finf page without its",
        "snapshot cold then warm (the same profile again: the bare page and the page without its snapshot from the",
        "HTTP cache, the finf page from its service worker once the page says it is ready to work offline), then",
        "the bare page and the finf page cold with the network throttled to",
        f"{THROTTLE_TEXT} (DevTools network emulation). The finf page is ready at its first prediction on",
        "screen (its `finf:first-prediction` mark); the bare page when loadPyodide resolves in its worker.",
        "",
        *table_lines(table),
        "",
        "Where the finf page's time goes, from its worker's start (the worker's own laps, median over the rounds):",
        "",
        *table_lines(phase_table(pyodide["phases"])),
        "",
        f"Break-even bandwidth: the snapshot adds {extra_bytes:,} bytes to a first visit and saves "
        f"{saved_s * 1000:.0f} ms of the cold first prediction on this machine's loopback network, so it "
        f"comes out ahead above {break_even} (below that the extra bytes take longer to arrive than it saves).",
        "",
        f"Slider input to updated result ({len(slider[0])} arrow-key presses on a slider of a warm page): median "
        f"{own_ms:.1f} ms as the page measures it (input handler to result in the DOM, `finf:input-to-result`), "
        f"{dom_ms:.1f} ms from the input event's timestamp to the DOM change; range "
        f"{min(slider[0]):.1f} – {max(slider[0]):.1f} ms.",
        "",
        f"The map ({MAP_CELLS}x{MAP_CELLS} cells, one batch in the worker): request to drawn, median {map_ms:.1f} ms "
        f"over {len(slider[2])} maps (range {min(slider[2]):.1f} – {max(slider[2]):.1f} ms), each drawn after its "
        "across axis changed. Slider input to result on an input the map holds, so every press asks for a new "
        f"map while the last one may still be computing: median {during_ms:.1f} ms over {len(slider[3])} presses "
        f"(range {min(slider[3]):.1f} – {max(slider[3]):.1f} ms), beside {own_ms:.1f} ms above.",
        "",
        f"`predict_proba` inside Pyodide (Python {pyodide['python']}, in a worker, finf installed from the site's "
        f"wheel, cycling through the Iris rows): median {per_call['predict_proba'] * 1e6:.1f} µs per call over "
        f"{rounds} rounds; the reference `Model.forward` takes {per_call['forward'] * 1e6:.1f} µs.",
        "",
        "Installing the engine in a worker that has just booted Pyodide (fetching the wheel, then importing finf)"
        f" takes {pyodide['micropip_ms']:.0f} ms the fallback's way (loadPackage micropip, then micropip.install)"
        f" and {pyodide['unpack_ms']:.0f} ms with `pyodide.unpackArchive(wheel, 'wheel')` into site-packages, which"
        " needs no micropip (one measurement each, for comparison; the page does neither when it has its"
        " snapshot).",
        "",
        "Bytes the server sent (response bodies; a 304 revalidation sends none) on a first visit, split into the",
        "Pyodide runtime (pyodide/), the snapshot and finf's own files (the rest, micropip included when it is",
        "fetched, since a bare loadPyodide needs none of it), up to the first prediction; after it, the finf page's",
        "service worker saves the whole site for offline use:",
        "",
        *table_lines(bytes_table),
    ]
    targets = [
        ("browser: first prediction / bare loadPyodide, cold cache", ratio[FINF, "cold"], TARGETS["first"]),
        (f"browser: first prediction / bare loadPyodide, cold, {THROTTLE_TEXT}", ratio[FINF, "throttled"],
         TARGETS["throttled"]),
        ("browser: repeat visit served by the service worker / bare loadPyodide, warm HTTP cache",
         ratio[FINF, "warm"], TARGETS["repeat"]),
        ("browser: first prediction without the snapshot / bare loadPyodide, cold cache", ratio[FALLBACK, "cold"],
         TARGETS["fallback"]),
        ("browser: slider input -> updated result, median ms", own_ms, TARGETS["slider_ms"]),
        (f"browser: {MAP_CELLS}x{MAP_CELLS} Iris map, request -> drawn, median ms", map_ms, TARGETS["map_ms"]),
        ("browser: slider input -> updated result while maps recompute, median ms", during_ms, TARGETS["slider_ms"]),
        ("browser: finf's own bytes to the first prediction, beyond the runtime and the snapshot, KB",
         split[FINF][2] / 1000,
         TARGETS["own_kb"]),
    ]
    return {"lines": lines, "checks": [], "targets": targets}


def text_latencies(model, message, presses, workdir):
    """A text model's page, built for model and opened warm, with message typed into its text area: then
    presses keystrokes at its end (a letter, then Backspace, in turn), each waited for; returns (the page's own
    input -> result ms, input event timestamp -> result in the DOM ms), one per keystroke. Section 9 reports them.
    """
    from playwright.sync_api import sync_playwright

    from serve import serve_in_thread

    site = Path(workdir) / "text-site"
    result = subprocess.run([sys.executable, str(ROOT / "scripts" / "build_site.py"), "--out", str(site), "--model",
                             str(model), "--no-snapshot"], capture_output=True, text=True, timeout=600, check=False)
    if result.returncode != 0:
        sys.exit(f"bench: scripts/build_site.py failed for {model}: {result.stderr.strip()}")
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if not chromium:
        sys.exit("bench: the text page's latency needs Chromium (apt-get install chromium)")
    server = serve_in_thread(site)
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
            page = browser.new_page()
            load(page, server.url, "html[data-first-prediction-ms]", "finf:first-prediction")
            before = page.get_attribute("html", "data-results")
            page.fill("#feature-0", message)
            page.wait_for_selector(f'html:not([data-results="{before}"])', state="attached", timeout=30_000)
            page.focus("#feature-0")
            page.keyboard.press("End")
            latencies = key_latencies(page, ("s", "Backspace"), presses)
            browser.close()
    finally:
        server.shutdown()
        server.server_close()
    return latencies
