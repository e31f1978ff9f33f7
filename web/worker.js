// The worker: boots Pyodide with the finf engine, loads the model and predicts.
// Everything slow happens here so the page never freezes.
//
// Two ways to the engine: restore the site's memory snapshot, where finf and glue.py are already imported
// (snapshot.js), or, when the site has none or it fails in any way, boot the bare runtime and install the
// wheel with micropip. The ready timings say which (boot) and why (fallback_reason).
//
// Messages to the page:   {type: "status", text}               what is loading now
//                         {type: "card", card}                 the model card, checked, as soon as it arrives
//                         {type: "ready", timings}             the engine answers predictions from now on
//                         {type: "self-check", count, largest, tolerance, ok}  the card's test_vectors run
//                                                              through the engine (or {type: "self-check",
//                                                              error}); not sent for a card without them
//                         {type: "result", id, probabilities}  a classifier's answer, in the card's class order
//                         {type: "result", id, value}          a regressor's answer, in the target's units
//                         {type: "result", id, probabilities, words}  a text model's answer; words: [start, end,
//                                                              push] per word (see glue.predict_text), or []
//                         {type: "error", text}                anything that went wrong, in words
//                         {type: "text", id, text}             a language model's next characters, as generated
//                         {type: "done", id, stopped, chars_per_second} or {type: "done", id, error}
//                                                              the end of a generation (error: the prompt or the
//                                                              settings refused, in words)
//                         {type: "model", card, name, described}  the visitor's model is in use from now on
//                                                              (described: its card was made from the file)
//                         {type: "refused", text}              the visitor's model was not loaded; the one in
//                                                              use stays
//                         {type: "batch-result", id, probabilities | values}  a batch's answers, one per row
//                         {type: "batch-result", id, dropped: true}  a newer batch in its slot replaced it
//                         {type: "batch-result", id, error}    the batch was refused (the page stays usable)
// Messages from the page: {type: "predict", id, values}        values in the card's feature order: a number for
//                                                              a numeric feature; a category name for a
//                                                              categorical one, or null (missing) where the
//                                                              card gives it a fill value; a text model's one
//                                                              value is its text
//                         {type: "load", model, name, card, cardName}  a model the visitor gave: its bytes (an
//                                                              ArrayBuffer) and its card's text, or null to
//                                                              describe the model from its file alone
//                         {type: "batch", id, slot, rows}      many rows at once (a map, response curves), each
//                                                              checked as predict's values; computed in chunks,
//                                                              so a predict that arrives meanwhile is answered
//                                                              first, and dropped when a newer batch with the
//                                                              same slot name arrives
//                         {type: "generate", id, prompt, length, temperature, top_k, seed}
//                                                              a language model: write length characters after
//                                                              prompt (top_k and seed may be null)
//                         {type: "stop", id}                   stop that generation before its next character

import { SnapshotError, readSnapshot, restore } from "./snapshot.js";

const SITE = new URL("./", import.meta.url);  // every file is relative to this worker's own URL
const SHA256_HEX = /^[0-9a-f]{64}$/;

let engine = null;  // glue.py's functions (predict, predictText, predictBatch, selfCheck, start, next), once ready
let runtime = null;  // {pyodide, glue}, once ready
let features = null;  // the card's feature list, for validating inputs
let task = null;  // the card's task: which answer a result carries
let failed = false;

function post(message) {
  self.postMessage(message);
}

function fail(text) {
  if (!failed) post({ type: "error", text });
  failed = true;
}

class LoadError extends Error {}

async function fetchOk(name, what, init = {}) {
  let response;
  try {
    response = await fetch(new URL(name, SITE), init);
  } catch (error) {
    throw new LoadError(`Could not download ${what} (${name}): ${error.message}`);
  }
  if (!response.ok) {
    throw new LoadError(`Could not download ${what}: ${name} answered HTTP ${response.status} ${response.statusText}`.trim());
  }
  return response;
}

async function fetchBytes(name, what) {
  return new Uint8Array(await (await fetchOk(name, what)).arrayBuffer());
}

async function fetchJSON(name, what) {
  const response = await fetchOk(name, what);
  try {
    return await response.json();
  } catch (error) {
    throw new LoadError(`${what} (${name}) is not valid JSON: ${error.message}`);
  }
}

function finiteNumber(value) {
  return typeof value === "number" && Number.isFinite(value);
}

const TASKS = ["classification", "regression", "generation"];

function isString(value) {
  return typeof value === "string";
}

// The page trusts the card for every label, range, category and class name, so check it before use.
// This mirrors trainer/finf_train/card.py's check(), the card's schema, as far as it can without the model,
// and fills in the defaults check() assumes for older cards, so the page reads every key as given here.
function checkCard(card, name) {
  const problem = (text) => { throw new LoadError(`The model card ${name} is not usable: ${text}`); };
  if (card === null || typeof card !== "object") problem("it is not a JSON object");
  if (!isString(card.model_file) || !/^[\w.-]+$/.test(card.model_file)) problem("model_file must be a plain file name");
  if (!isString(card.sha256) || !SHA256_HEX.test(card.sha256)) problem("sha256 must be 64 lowercase hex digits");
  if (card.task === undefined) card.task = "classification";  // cards from before regression: classifiers
  if (!TASKS.includes(card.task)) {
    problem(`task must be "classification", "regression" or "generation", not ${JSON.stringify(card.task)}`);
  }
  if (card.task === "generation") {  // a language model: its characters and window instead of features
    if (!isString(card.vocab) || card.vocab.length === 0) problem("vocab must be the model's characters");
    if (!Number.isInteger(card.block_size) || card.block_size < 1) problem("block_size must be a whole number >= 1");
    return;
  }
  if (!Array.isArray(card.features) || card.features.length === 0) problem("features must be a non-empty list");
  card.features.forEach((f, i) => {
    const where = `features[${i}]`;
    if (f === null || typeof f !== "object" || !isString(f.name)) problem(`${where}.name is missing`);
    if (f.kind === undefined) f.kind = "numeric";  // cards from before kinds: numeric features alone
    if (f.kind === "numeric") checkNumeric(f, where, problem);
    else if (f.kind === "categorical") checkCategorical(f, where, problem);
    else if (f.kind === "text") checkText(f, card, where, problem);
    else problem(`${where}.kind must be "numeric", "categorical" or "text", not ${JSON.stringify(f.kind)}`);
  });
  if (card.examples !== undefined &&
      !(Array.isArray(card.examples) && card.examples.length <= 20 && card.examples.every(isString))) {
    problem("examples must be a list of at most 20 texts");
  }
  if (card.task === "classification") {
    if (!Array.isArray(card.classes) || card.classes.length === 0) problem("classes must be a non-empty list");
    card.classes.forEach((c, i) => { if (!isString(c)) problem(`classes[${i}] must be a string`); });
  } else {
    const t = card.target_values;
    if (t === null || typeof t !== "object") problem("target_values must be {label, unit, min, max, mean}");
    checkRange(t, "target_values", problem);
  }
  checkRows(card, problem);
}

// The optional test_vectors and sample: rows of the card's width, with one answer or target each.
function checkRows(card, problem) {
  const width = card.features.length;
  const rowsOk = (rows) => Array.isArray(rows) && rows.every((row) => Array.isArray(row) && row.length === width);
  const vectors = card.test_vectors;
  if (vectors !== undefined) {
    const key = card.task === "regression" ? "values" : "probabilities";
    const outputs = vectors?.[key];
    const answerOk = (o) => (key === "values" ? finiteNumber(o)
      : Array.isArray(o) && o.length === card.classes.length && o.every(finiteNumber));
    if (!(rowsOk(vectors?.rows) && Array.isArray(outputs) && outputs.length === vectors.rows.length &&
      outputs.every(answerOk))) {
      problem(`test_vectors must be {rows, ${key}}: rows of ${width} values, one answer each`);
    }
  }
  const sample = card.sample;
  if (sample !== undefined && !(rowsOk(sample?.rows) && Array.isArray(sample.targets) &&
    sample.targets.length === sample.rows.length)) {
    problem(`sample must be {rows, targets}: rows of ${width} values, one target each`);
  }
}

function checkRange(f, where, problem) {
  for (const key of ["min", "max"]) {
    if (!finiteNumber(f[key])) problem(`${where}.${key} must be a number`);
  }
  if (!(f.min <= f.max)) problem(`${where}: min (${f.min}) must not be above max (${f.max})`);
}

function checkNumeric(f, where, problem) {
  checkRange(f, where, problem);
  if (f.step === undefined) f.step = 1;  // as check() reads a card without one
  if (!(finiteNumber(f.step) && f.step > 0)) problem(`${where}.step must be a number > 0`);
}

function checkCategorical(f, where, problem) {
  const { categories } = f;
  if (!Array.isArray(categories) || categories.length === 0 || !categories.every(isString)) {
    problem(`${where}.categories must be a non-empty list of names`);
  }
  if (new Set(categories).size !== categories.length) problem(`${where}.categories must be unique`);
  if (!categories.includes(f.default)) problem(`${where}.default must be one of its categories`);
  if (f.fill === undefined) f.fill = null;
  if (f.fill !== null && !categories.includes(f.fill)) problem(`${where}.fill must be one of its categories or null`);
}

function checkText(f, card, where, problem) {
  if (card.features.length !== 1) problem(`${where}: a text feature must be the model's only feature`);
  if (!Number.isInteger(f.vocabulary_size) || f.vocabulary_size < 2) problem(`${where}.vocabulary_size must be >= 2`);
  if (typeof f.explainable !== "boolean") problem(`${where}.explainable must be true or false`);
}

async function sha256Hex(bytes) {
  // crypto.subtle exists only in secure contexts (https, localhost); elsewhere Python's hashlib does it.
  if (self.crypto?.subtle) {
    const digest = await self.crypto.subtle.digest("SHA-256", bytes);
    return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
  }
  return null;
}

async function fileSha256(bytes, pyodide, path) {
  return await sha256Hex(bytes) ??
    pyodide.runPython(`import hashlib; hashlib.sha256(open("${path}", "rb").read()).hexdigest()`);
}

const PYODIDE_DIR = "pyodide/";  // scripts/build_site.py copies the runtime here

const RUNTIME_MODULE = `${PYODIDE_DIR}pyodide.mjs`;
const JAVASCRIPT_TYPE = /^\s*(text|application)\/(x-)?(javascript|ecmascript)\s*(;|$)/i;

async function importRuntime() {
  try {
    return (await import(new URL(RUNTIME_MODULE, SITE).href)).loadPyodide;
  } catch (error) {
    throw new LoadError(`Could not load the Python runtime (${RUNTIME_MODULE}): ${await whyNotImported(error)}`);
  }
}

// A module that fails to import says only "Failed to fetch dynamically imported module"; the server's
// answer says why. Browsers run a module only when it is sent with a JavaScript type, and some stock
// servers (Debian 12's nginx) send .mjs as application/octet-stream.
async function whyNotImported(error) {
  let response;
  try {
    response = await fetch(new URL(RUNTIME_MODULE, SITE), { method: "HEAD" });
  } catch {
    return error.message;
  }
  if (!response.ok) return `${RUNTIME_MODULE} answered HTTP ${response.status} ${response.statusText}`.trim();
  const type = response.headers.get("Content-Type");
  if (type !== null && JAVASCRIPT_TYPE.test(type)) return error.message;
  return `the server sends it as ${type === null ? "no Content-Type" : `"${type}"`}, and browsers run a module ` +
    "only when it is sent as JavaScript. Configure the server to send .mjs files as text/javascript " +
    "(nginx: types { text/javascript mjs; }, see the README's \"Hosting\" section).";
}

// loadPyodide never settles when pyodide.asm.wasm fails to download or compile: Pyodide only
// console.warn()s "wasm instantiation failed!" and then the reason. This turns those two warnings
// into a rejection; stop() puts console.warn back once the runtime is up.
function wasmFailure() {
  const warn = console.warn;
  let reject;
  let seen = false;
  const failure = new Promise((_, r) => { reject = r; });
  console.warn = (...args) => {
    warn(...args);
    if (seen) reject(new Error(`${PYODIDE_DIR}pyodide.asm.wasm: ${args.join(" ")}`));
    seen ||= args[0] === "wasm instantiation failed!";
  };
  return { failure, stop: () => { console.warn = warn; } };
}

const GLUE_FILE = "glue.py";  // the Python side of the worker, imported as the module glue

function runtimeOptions() {
  return {
    indexURL: new URL(PYODIDE_DIR, SITE).href,
    stdout: console.log,
    stderr: (text) => console.warn(text),  // the console.warn of the moment, not the boot-time wrapper
  };
}

// loadPyodide(options), rejecting when pyodide.asm.wasm fails (loadPyodide alone would never settle).
async function loadRuntime(loadPyodide, options) {
  const wasm = wasmFailure();
  try {
    return await Promise.race([wasm.failure, loadPyodide(options)]);
  } finally {
    wasm.stop();
  }
}

// micropip is passed to loadPyodide, which downloads it while the runtime boots.
async function bootRuntime(loadPyodide, micropipName) {
  let pyodide;
  try {
    pyodide = await loadRuntime(loadPyodide, { ...runtimeOptions(), packages: [new URL(micropipName, SITE).href] });
  } catch (error) {
    // Ask the server ourselves so a missing file is named with its HTTP status.
    await fetchOk(`${PYODIDE_DIR}pyodide.asm.wasm`, "the Python runtime", { method: "HEAD" });
    throw new LoadError(`The Python runtime failed to start: ${error.message}`);
  }
  if (!pyodide.loadedPackages.micropip) {
    // loadPyodide only logs a package that failed; ask the server ourselves so a 404 says which file.
    await fetchOk(micropipName, "the package installer micropip");
    throw new LoadError(`Could not load micropip (${micropipName}): it is not a loadable wheel`);
  }
  return pyodide;
}

// Installs the wheel with micropip and glue.py beside it; returns the glue module.
async function installEngine(pyodide, manifest, wheelBytes, glueSource) {
  const wheelPath = `/tmp/wheels/${manifest.wheel.split("/").pop()}`;
  pyodide.FS.mkdirTree("/tmp/wheels");
  pyodide.FS.writeFile(wheelPath, wheelBytes);
  try {
    const sitePackages = pyodide.runPython("import sysconfig; sysconfig.get_paths()['purelib']");
    pyodide.FS.writeFile(`${sitePackages}/${GLUE_FILE}`, glueSource);
    await pyodide.runPythonAsync(`import micropip\nawait micropip.install("emfs:${wheelPath}", deps=False)`);
    pyodide.runPython("import importlib; importlib.invalidate_caches()");
    return pyodide.pyimport("glue");
  } catch (error) {
    throw new LoadError(`Could not install the finf engine from ${manifest.wheel}: ${lastLine(error.message)}`);
  }
}

// The snapshot's response, once its headers are in. Every failure is a SnapshotError: a reason to fall back.
async function requestSnapshot(entry) {
  let response;
  try {
    response = await fetch(new URL(entry.file, SITE));
  } catch (error) {
    throw new SnapshotError(`could not be downloaded: ${error.message}`);
  }
  if (!response.ok) throw new SnapshotError(`answered HTTP ${response.status} ${response.statusText}`.trim());
  return response;
}

// The runtime restored from the snapshot with the glue module, or null, with the reason in the timings.
// A snapshot that is not there is known before loadPyodide starts; its body is decompressed while the
// runtime downloads.
async function bootFromSnapshot(loadPyodide, entry, snapshotResponse) {
  if (!entry) {
    timings.fallback_reason = "site.json names no snapshot";
    return null;
  }
  try {
    const snapshot = readSnapshot(await snapshotResponse, entry);
    return await restore((options) => loadRuntime(loadPyodide, options), runtimeOptions(), snapshot, entry);
  } catch (error) {
    const reason = error instanceof SnapshotError ? error.message : `failed: ${error?.message ?? error}`;
    timings.fallback_reason = `the snapshot ${entry.file} ${reason}`;
    console.warn(`finf: booting without the snapshot: ${timings.fallback_reason}`);
    return null;
  }
}

// {pyodide, glue}: from the snapshot when it restores and checks out, else the runtime and micropip.
async function bootEngine(loadPyodide, manifest, snapshot) {
  const restored = await bootFromSnapshot(loadPyodide, manifest.snapshot, snapshot);
  if (restored) {
    Object.assign(timings, { boot: "snapshot", engine_ms: 0 });  // finf was imported when the snapshot was made
    lap("runtime_ms", t0);
    return restored;
  }
  timings.boot = "micropip";
  const wheel = fetchBytes(manifest.wheel, "the finf engine wheel");
  const glueSource = fetchBytes(GLUE_FILE, "the engine's Python glue");
  for (const p of [wheel, glueSource]) p.catch((error) => fail(describe(error)));
  const pyodide = await bootRuntime(loadPyodide, manifest.micropip);
  lap("runtime_ms", t0);
  post({ type: "status", text: "Installing the finf engine…" });
  const since = performance.now();
  const glue = await installEngine(pyodide, manifest, await wheel, await glueSource);
  lap("engine_ms", since);
  return { pyodide, glue };
}

function lastLine(text) {
  const lines = String(text).trim().split("\n");
  return lines[lines.length - 1];
}

const MODEL_PATH = "/tmp/model.bin";  // the model in use, in Pyodide's file system
const CANDIDATE_PATH = "/tmp/candidate.bin";  // a model the visitor gave, until it is checked

async function checkModel(card, modelBytes, glue, pyodide, path = MODEL_PATH) {
  if (card.size_bytes !== undefined && card.size_bytes !== modelBytes.length) {
    throw new LoadError(
      `The model file ${card.model_file} is ${modelBytes.length} bytes but its card says ${card.size_bytes}: ` +
      "the file is damaged or does not belong to this card.");
  }
  pyodide.FS.writeFile(path, modelBytes);
  const digest = await fileSha256(modelBytes, pyodide, path);
  if (digest !== card.sha256) {
    throw new LoadError(
      `The model file ${card.model_file} does not match its model card: its SHA-256 is ${digest}, ` +
      `the card says ${card.sha256}. The file may be damaged or replaced; it was not loaded.`);
  }
  const loaded = JSON.parse(glue.load_model(path, card.model_file));
  if (loaded.error) throw new LoadError(loaded.error);
  if (loaded.task !== card.task) {
    throw new LoadError(`The model is a ${loaded.task} model, but its card says ${card.task}.`);
  }
  if (card.task === "generation") {
    if (loaded.vocab !== card.vocab || loaded.block_size !== card.block_size) {
      throw new LoadError("The language model's characters or block size differ from its card's.");
    }
    return loaded;
  }
  const outputs = card.task === "regression" ? 1 : card.classes.length;
  if (loaded.n_features !== card.features.length || loaded.n_outputs !== outputs) {
    const what = card.task === "regression" ? "1 output" : `${outputs} classes`;
    throw new LoadError(
      `The model takes ${loaded.n_features} features and gives ${loaded.n_outputs} outputs, but its card lists ` +
      `${card.features.length} features and ${what}.`);
  }
  card.features.forEach((f, i) => {
    if ((loaded.kinds[i] === "text") !== (f.kind === "text")) {
      throw new LoadError(`The model takes ${loaded.kinds[i]} for ${f.name}, but its card says ${f.kind}.`);
    }
    const categories = loaded.categories[i];
    const same = f.kind === "categorical"
      ? categories !== null && categories.join("\n") === f.categories.join("\n") : categories === null;
    if (!same) {
      const model = categories === null ? "a number" : `one of ${categories.join(", ")}`;
      const own = f.kind === "categorical" ? `lists ${f.categories.join(", ")}` : "says a number";
      throw new LoadError(`The model takes ${model} for ${f.name}, but its card ${own}.`);
    }
  });
  return loaded;
}

// What the ready message reports: milliseconds from the worker's start, how the engine booted and,
// when not from the snapshot, why.
const t0 = performance.now();
const timings = {};
const lap = (name, since) => { timings[name] = Math.round(performance.now() - since); };

async function start() {
  post({ type: "status", text: "Loading the Python runtime, the finf engine and the model…" });
  const loader = importRuntime();
  loader.catch(() => {});  // reported below, once the manifest is known
  const manifest = await fetchJSON("site.json", "the site manifest");
  // Start every download at once; the runtime boots while the rest arrive.
  const snapshot = manifest.snapshot ? requestSnapshot(manifest.snapshot) : null;
  snapshot?.catch(() => {});  // a reason to fall back, not an error: bootFromSnapshot reports it
  const booted = loader.then((loadPyodide) => bootEngine(loadPyodide, manifest, snapshot));
  const card = fetchJSON(manifest.card, "the model card").then((c) => { checkCard(c, manifest.card); return c; });
  // The model file sits beside its card.
  const model = card.then((c) => fetchBytes(manifest.card.replace(/[^/]*$/, "") + c.model_file, "the model file"));
  // Surface whichever fails first, even while another step is still pending.
  const all = Promise.all([booted, card, model]);
  all.catch(() => {});
  for (const p of [card, model, booted]) p.catch((error) => fail(describe(error)));

  const cardValue = await card;
  ({ features, task } = cardValue);
  post({ type: "card", card: cardValue });
  const [{ pyodide, glue }, , modelBytes] = await all;

  post({ type: "status", text: "Checking and loading the model…" });
  const since = performance.now();
  await checkModel(cardValue, modelBytes, glue, pyodide);
  runtime = { pyodide, glue };
  lap("model_ms", since);
  lap("total_ms", t0);
  engine = { predict: glue.predict, predictText: glue.predict_text, predictBatch: glue.predict_batch,
    selfCheck: glue.self_check, start: glue.start_generation, next: glue.next_text };
  post({ type: "ready", timings });
  selfCheck(cardValue);
}

// The card's test vectors, computed by the trainer, run through this engine: do training and serving agree?
function selfCheck(card) {
  if (card.test_vectors === undefined) return;
  post({ type: "self-check", ...JSON.parse(engine.selfCheck(JSON.stringify(card.test_vectors))) });
}

function describe(error) {
  if (error instanceof LoadError) return error.message;
  return `Unexpected error in the worker: ${error?.message ?? error}`;
}

// Values come from the page but are checked again here: nothing unchecked reaches Python.
function checkValues(values) {
  if (!Array.isArray(values) || values.length !== features.length) {
    return `expected ${features.length} values, got ${Array.isArray(values) ? values.length : typeof values}`;
  }
  for (let i = 0; i < values.length; i++) {
    const problem = checkValue(values[i], features[i]);
    if (problem) return `${features[i].name}: ${problem}`;
  }
  return null;
}

const MAX_TEXT_CHARS = 100000;  // far more than a message; the engine reads the first 512 words of a text

function checkValue(v, f) {
  if (f.kind === "text") {
    if (!isString(v)) return `${JSON.stringify(v)} is not a text`;
    return v.length <= MAX_TEXT_CHARS ? null : `the text is ${v.length} characters long, over ${MAX_TEXT_CHARS}`;
  }
  if (f.kind === "categorical") {
    if (v === null) return f.fill === null ? "a value is needed (the model has no fill for it)" : null;
    return f.categories.includes(v) ? null : `${JSON.stringify(v)} is not one of its categories`;
  }
  if (!finiteNumber(v)) return `${JSON.stringify(v)} is not a number`;
  if (v < f.min || v > f.max) return `${v} is outside ${f.min} to ${f.max}`;
  return null;
}

function predict({ id, values }) {
  if (failed) return;
  if (engine === null) {
    fail("A prediction was asked for before the engine was ready.");
    return;
  }
  const problem = checkValues(values);
  if (problem) {
    fail(`Input rejected: ${problem}.`);
    return;
  }
  const text = features[0].kind === "text";
  const answer = JSON.parse(text ? engine.predictText(JSON.stringify(values[0])) : engine.predict(JSON.stringify(values)));
  if (answer.error) {
    fail(answer.error);
    return;
  }
  if (text) {
    post({ type: "result", id, probabilities: answer.probabilities, words: answer.words });
  } else if (task === "regression") {
    post({ type: "result", id, value: answer.value });
  } else {
    post({ type: "result", id, probabilities: answer.probabilities });
  }
}

// A model the visitor dropped on the page: checked against its card when one came with it, else described from
// the file alone (glue.describe_model). Refused in words, with the model in use left as it was.
// A page of inputs cannot take a language model: it writes text, on a page of its own.
const WRITES_TEXT = (name) => `${name} is a language model, which writes text on a page of its own ` +
  "(scripts/build_site.py --model); this page takes a model of a table or of a text.";

async function loadOwn({ model, name, card: cardText, cardName }) {
  if (failed || runtime === null) return;
  const { pyodide, glue } = runtime;
  latestBatch.clear();  // a batch still in its chunks stops at the next one: it was for the model in use
  const bytes = new Uint8Array(model);
  const plainName = String(name).replace(/[^\w.-]/g, "_") || "model.bin";
  try {
    let card;
    if (cardText === null) {
      pyodide.FS.writeFile(CANDIDATE_PATH, bytes);
      const loaded = JSON.parse(glue.load_model(CANDIDATE_PATH, name));
      if (loaded.error) throw new LoadError(loaded.error);
      if (loaded.task === "generation") throw new LoadError(WRITES_TEXT(name));
      card = { ...JSON.parse(glue.describe_model(plainName)), size_bytes: bytes.length,
        sha256: await fileSha256(bytes, pyodide, CANDIDATE_PATH) };
      checkCard(card, `made from ${name}`);
    } else {
      try {
        card = JSON.parse(cardText);
      } catch (error) {
        throw new LoadError(`The model card ${cardName} is not valid JSON: ${error.message}`);
      }
      checkCard(card, cardName);
      card.model_file = plainName;  // the file the visitor gave, whatever its card calls it
      await checkModel(card, bytes, glue, pyodide, CANDIDATE_PATH);
    }
    if (card.task === "generation") throw new LoadError(WRITES_TEXT(name));
    pyodide.FS.rename(CANDIDATE_PATH, MODEL_PATH);
    ({ features, task } = card);
    post({ type: "model", card, name, described: cardText === null });
    selfCheck(card);
  } catch (error) {
    glue.load_model(MODEL_PATH, "the model in use");  // back to it, whatever the candidate got to
    post({ type: "refused", text: describe(error) });
  }
}

const BATCH_CHUNK = 64;  // rows per Python call: about 1.5 ms in Pyodide for Iris, so a predict waits no longer
const latestBatch = new Map();  // slot -> id of its newest batch

// A macrotask: messages that arrived meanwhile (a predict before a batch's next chunk, a stop before a
// generation's next character) are handled first.
function yieldToMessages() {
  return new Promise((resolve) => {
    const channel = new MessageChannel();
    channel.port1.onmessage = () => resolve();
    channel.port2.postMessage(null);
  });
}

let writing = null;  // {id, stopped}: the generation under way

async function batch({ id, slot, rows }) {
  if (failed || engine === null) return;
  latestBatch.set(slot, id);
  const problem = Array.isArray(rows) ? rows.map(checkValues).find((p) => p !== null) : "rows must be a list";
  if (problem) {
    post({ type: "batch-result", id, error: `Input rejected: ${problem}.` });
    return;
  }
  const key = task === "regression" ? "values" : "probabilities";
  const answers = [];
  for (let start = 0; start < rows.length; start += BATCH_CHUNK) {
    if (start > 0) await yieldToMessages();
    if (latestBatch.get(slot) !== id || failed) {
      post({ type: "batch-result", id, dropped: true });
      return;
    }
    const answer = JSON.parse(engine.predictBatch(JSON.stringify(rows.slice(start, start + BATCH_CHUNK))));
    if (answer.error) {
      post({ type: "batch-result", id, error: answer.error });
      return;
    }
    answers.push(...answer[key]);
  }
  post({ type: "batch-result", id, [key]: answers });
}

function checkGeneration({ prompt, length, temperature, top_k: topK, seed }) {
  if (!isString(prompt) || prompt.length === 0 || prompt.length > 10000) return "the prompt must be 1 to 10,000 characters";
  if (!Number.isInteger(length) || length < 1 || length > 100000) return "the length must be a whole number from 1 to 100,000";
  if (!finiteNumber(temperature) || temperature < 0 || temperature > 100) return "the temperature must be a number from 0 to 100";
  if (topK !== null && !(Number.isInteger(topK) && topK >= 1)) return "top-k must be a whole number >= 1, or empty";
  if (seed !== null && !(Number.isSafeInteger(seed) && seed >= 0)) return "the seed must be a whole number >= 0, or empty";
  return null;
}

// One character per call into Python, with a turn of the event loop between: Stop answers within one character.
async function generate(request) {
  const { id } = request;
  if (failed) return;
  if (engine === null || task !== "generation") {
    post({ type: "done", id, error: "This model does not generate text, or is not ready yet." });
    return;
  }
  if (writing) writing.stopped = true;
  const run = { id, stopped: false };
  writing = run;
  const problem = checkGeneration(request);
  const started = problem ? { error: problem } : JSON.parse(engine.start(JSON.stringify({
    prompt: request.prompt, length: request.length, temperature: request.temperature, top_k: request.top_k,
    seed: request.seed,
  })));
  if (started.error) {
    post({ type: "done", id, error: started.error });
    if (writing === run) writing = null;
    return;
  }
  const since = performance.now();
  let count = 0;
  for (;;) {
    await yieldToMessages();
    if (run.stopped) {
      post({ type: "done", id, stopped: true });
      break;
    }
    const { text, done } = JSON.parse(engine.next(1));
    count += text.length;
    if (text) post({ type: "text", id, text });
    if (done) {
      post({ type: "done", id, stopped: false, chars_per_second: count / ((performance.now() - since) / 1000) });
      break;
    }
  }
  if (writing === run) writing = null;
}

self.addEventListener("message", (event) => {
  try {
    if (event.data?.type === "predict") predict(event.data);
    if (event.data?.type === "load") {
      loadOwn(event.data).catch((error) => post({ type: "refused", text: describe(error) }));
    }
    if (event.data?.type === "batch") {
      const onFailure = (error) => fail(`The engine failed while predicting: ${lastLine(error?.message ?? error)}`);
      batch(event.data).catch(onFailure);
    }
    if (event.data?.type === "generate") generate(event.data).catch((error) => fail(describe(error)));
    if (event.data?.type === "stop" && writing?.id === event.data.id) writing.stopped = true;
  } catch (error) {
    fail(`The engine failed while predicting: ${lastLine(error?.message ?? error)}`);
  }
});
self.addEventListener("error", (event) => fail(`Unexpected error in the worker: ${event.message}`));
self.addEventListener("unhandledrejection", (event) => fail(describe(event.reason)));

start().catch((error) => fail(describe(error)));
