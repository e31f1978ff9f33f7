// The page: builds the inputs from the model card (view/inputs.js), sends their values to the worker and shows
// its answer (view/results.js). Python runs in worker.js; the page only touches the DOM.
//
// Timings a test or benchmark can read (milliseconds, on the performance.now() clock):
//   performance.getEntriesByName("finf:first-prediction")  navigation start -> first result shown
//   performance.getEntriesByName("finf:input-to-result")   each input (a slider, a select) -> its result shown
//   performance.getEntriesByName("finf:map")               each map drawn: its request -> drawn (view/map.js)
//   performance.getEntriesByName("finf:ready")[0].detail    the worker's own timings: {runtime_ms, engine_ms,
//                                                           model_ms, total_ms} from the worker's start,
//                                                           boot ("snapshot" or "micropip") and, for micropip,
//                                                           fallback_reason
//   <html data-state="loading|ready|error" data-first-prediction-ms data-input-to-result-ms
//         data-offline="saving|ready|unavailable">

import { buildInputs, isCompact, readRow, setEnabled } from "./view/inputs.js";
import { element, percent } from "./view/dom.js";
import { batchClient } from "./view/batches.js";
import { buildExplorer } from "./view/explorer.js";
import { showSelfCheck } from "./view/selfcheck.js";
import { applyValues, linkSaver, readLink } from "./view/link.js";
import { setUpDrop } from "./view/drop.js";
import { resultsFor } from "./view/results.js";
import { buildTextInputs, withWords } from "./view/text.js";
import { buildWriter, writerFacts } from "./view/generate.js";

const PREDICTION_TIMEOUT_MS = 30000;

const root = document.documentElement;
const statusLine = document.getElementById("status");
const form = document.getElementById("features");
const prediction = document.getElementById("prediction");
const resultPanel = document.getElementById("result-panel");
const cardFacts = document.getElementById("card");
const offlineLine = document.getElementById("offline");

let inputs = [];  // view/inputs.js: one per feature of the card
let explorer = null;  // view/explorer.js: the map and the response curves, for a tabular model
const batches = batchClient((message) => { if (ready) worker.postMessage(message); });
const saveLink = linkSaver();  // view/link.js: the inputs and the map's axes in the URL fragment
let results = null;  // view/results.js: {check, show, clear} for the card's task
let writer = null;  // view/generate.js, for a language model's card
let ready = false;
let failed = false;
let firstShown = false;
let nextId = 1;
let inFlight = null;  // {id, inputAt, timer}: at most one request is with the worker
let queued = null;    // {inputAt}: the latest input while a request was in flight

function setStatus(text) {
  statusLine.textContent = text;
}

function showError(text) {
  if (failed) return;
  failed = true;
  ready = false;
  root.dataset.state = "error";
  statusLine.classList.add("error");
  setStatus(`Error: ${text}`);
  // The live region is the one place a screen reader listens to, so a failure is announced there too,
  // and a result from before the failure is no longer shown as current.
  prediction.textContent = `No prediction: ${text}`;
  delete prediction.dataset.value;
  results?.clear();
  writer?.disable();
  setEnabled(inputs, false);
  if (inFlight) clearTimeout(inFlight.timer);
}

function plural(count, noun, nouns = `${noun}s`) {
  return `${count} ${count === 1 ? noun : nouns}`;
}

// "species", "progression": what the model predicts, in the card's words.
function targetName(c) {
  if (c.task === "regression") return c.target_values.label || c.target || "value";
  return c.target || "class";
}

// The page's title, headings and lede say what this model predicts, from what.
function showTitles(c) {
  const target = targetName(c);
  const numeric = c.features.every((f) => f.kind === "numeric");
  const text = c.features[0].kind === "text" ? c.features[0].label || c.features[0].name : null;
  const from = text ?? plural(c.features.length, numeric ? "measurement" : "feature");
  const summary = `Predicting ${target} from ${from}`;
  document.title = `${summary} · finf`;
  document.querySelector('meta[name="description"]').content =
    `A tiny neural network predicting ${target} from ${from}, running in Python in your browser tab with Pyodide.`;
  document.getElementById("title").textContent = summary;
  const classes = c.task === "regression" ? null : plural(c.classes.length, "class", "classes");
  document.getElementById("summary").textContent = c.task === "regression"
    ? `A tiny neural network estimates ${target}, a number`
    : `A tiny neural network gives the probability of each of the ${classes} of ${target}`;
  document.getElementById("inputs-heading").textContent = from;
  document.getElementById("result-heading").textContent = `Predicted ${target}`;
}

function describeCard(c) {
  const facts = [["File", `${c.model_file}${c.size_bytes ? ` (${c.size_bytes} bytes)` : ""}`]];
  if (c.architecture?.layers) facts.push(["Layers", c.architecture.layers.join(" → ")]);
  if (Number.isFinite(c.architecture?.parameters)) facts.push(["Parameters", String(c.architecture.parameters)]);
  if (Number.isFinite(c.metrics?.val_accuracy)) facts.push(["Validation accuracy", percent(c.metrics.val_accuracy)]);
  if (Number.isFinite(c.metrics?.validation?.r2)) facts.push(["Validation R²", c.metrics.validation.r2.toFixed(3)]);
  if (c.task === "generation") {
    facts.push(...writerFacts(c));
  } else if (c.task === "regression") {
    const { min, max, unit } = c.target_values;
    facts.push(["Predicts", `${targetName(c)}, a number (from ${min} to ${max}${unit ? ` ${unit}` : ""} in the data)`]);
  } else {
    facts.push(["Predicts", `${targetName(c)}: ${c.classes.join(", ")}`]);
  }
  facts.push(["SHA-256", c.sha256]);
  for (const [term, detail] of facts) cardFacts.append(element("dt", "", term), element("dd", "", detail));
}

// A language model's page: the writer in place of the inputs and the prediction.
function onWriterCard(c) {
  const summary = c.kind === "gpt" ? "A tiny GPT writing text" : "A character bigram writing text";
  document.title = `${summary} · finf`;
  document.getElementById("title").textContent = summary;
  document.getElementById("summary").textContent = `${summary}, one character at a time`;
  document.querySelector(".panels").hidden = true;
  document.querySelector(".own-model").hidden = true;  // a dropped model replaces a table's or a text's inputs
  writer = buildWriter(document.getElementById("writer"), c, (message) => worker.postMessage(message));
  describeCard(c);
}

function onCard(c) {
  if (c.task === "generation") {
    onWriterCard(c);
    return;
  }
  buildPage(c);
  applyLink();
  keepFocusInView();
}

function buildPage(c) {
  showTitles(c);
  const text = c.features[0].kind === "text";
  document.querySelector(".panels").classList.toggle("compact", !text && isCompact(c.features));
  document.querySelector(".panels").classList.toggle("text", text);
  const onInput = (inputAt) => {
    request(inputAt);
    saveLink(inputs, explorer?.axes());
  };
  inputs = text ? buildTextInputs(form, c.features[0], onInput, c.examples ?? []) : buildInputs(form, c.features, onInput);
  results = resultsFor(c, {
    prediction, bars: document.getElementById("bars"), position: document.getElementById("position"),
  });
  if (text) results = withWords(results, inputs[0], c.classes, resultPanel);
  describeCard(c);
  explorer = buildExplorer({ card: c, inputs, section: document.getElementById("explorer"), batches,
    onAxes: (...axes) => saveLink(inputs, axes) });
}

// The visitor's own model (view/drop.js): the worker checks it; until it answers, nothing is sent to it.
function onFiles(files) {
  if (!ready || writer) return;
  ready = false;
  if (inFlight) clearTimeout(inFlight.timer);
  inFlight = queued = null;
  batches.reset();
  showOwn(`Loading ${files.name}${files.card === null ? "" : ` with ${files.cardName}`}…`);
  worker.postMessage({ type: "load", ...files }, [files.model]);
}

function showOwn(text, error = false) {
  const line = document.getElementById("own-status");
  line.textContent = text;
  line.classList.toggle("error", error);
  line.hidden = false;
}

function onModel({ card: c, name, described }) {
  form.replaceChildren();
  prediction.replaceChildren();
  delete prediction.dataset.value;
  const position = document.getElementById("position");
  position.replaceChildren();
  position.hidden = true;
  document.getElementById("bars").replaceChildren();
  cardFacts.replaceChildren();
  const section = document.getElementById("explorer");
  section.replaceChildren();
  section.hidden = true;
  for (const id of ["self-check", "link-note"]) document.getElementById(id).hidden = true;
  delete root.dataset.selfCheck;
  history.replaceState(null, "", location.pathname + location.search);  // the link was for the other model
  buildPage(c);
  ready = true;
  setEnabled(inputs, true);
  showOwn(described
    ? `Loaded ${name} in this tab. It came without its card, so its inputs are described from the file alone: ` +
      "the names it holds (generic ones in a version 2 file) and ranges of its training mean ± 3 standard deviations."
    : `Loaded ${name} with its card in this tab.`);
  request(performance.now());
}

function onRefused({ text }) {
  ready = true;
  showOwn(`Not loaded: ${text} The model in use is unchanged.`, true);
  request(performance.now());  // inputs moved while the worker was busy with the file are answered now
}

// A link's values and map axes, where they fit; a note says what did not.
function applyLink() {
  const { values, axes } = readLink();
  const notes = applyValues(inputs, values);
  if (axes && !explorer?.setAxes(...axes)) {
    notes.push("The link's map axes are not two inputs of this map; they are ignored.");
  }
  const line = document.getElementById("link-note");
  line.textContent = notes.join(" ");
  line.hidden = notes.length === 0;
}

addEventListener("hashchange", () => {
  if (failed || inputs.length === 0) return;
  applyLink();
  request(performance.now());
});

// On a narrow screen the result panel sticks to the top of the viewport, over the inputs scrolling beneath it:
// scroll-padding keeps an input that gets the focus below the panel, not hidden under it.
function keepFocusInView() {
  const observer = new ResizeObserver(() => {
    const columns = getComputedStyle(resultPanel.parentElement).gridTemplateColumns.split(" ").length;
    const sticky = columns === 1 && getComputedStyle(resultPanel).position === "sticky";
    root.style.scrollPaddingTop = sticky ? `${resultPanel.offsetHeight + 8}px` : "";
  });
  observer.observe(resultPanel);
  observer.observe(root);
}

function send(inputAt) {
  const { values, problem } = readRow(inputs);
  if (problem) {
    showError(problem);
    return;
  }
  const id = nextId++;
  const timer = setTimeout(() => showError("The engine did not answer within 30 seconds."), PREDICTION_TIMEOUT_MS);
  inFlight = { id, inputAt, timer };
  worker.postMessage({ type: "predict", id, values });
}

// Coalesce: while the worker is busy only the latest input is kept, so the result never lags behind.
function request(inputAt) {
  if (!ready) return;
  if (inFlight) {
    queued = { inputAt };
  } else {
    send(inputAt);
  }
}

function onResult(message) {
  if (!inFlight || message.id !== inFlight.id) return;
  const problem = results.check(message);
  if (problem) {
    showError(problem);
    return;
  }
  clearTimeout(inFlight.timer);
  results.show(message);
  const now = performance.now();
  if (!firstShown) {
    firstShown = true;
    performance.measure("finf:first-prediction", { start: 0, end: now });
    root.dataset.firstPredictionMs = Math.round(now);
    saveForOffline();
  } else {
    performance.measure("finf:input-to-result", { start: inFlight.inputAt, end: now });
    root.dataset.inputToResultMs = (now - inFlight.inputAt).toFixed(1);
  }
  root.dataset.results = message.id;
  inFlight = null;
  if (queued) {
    const { inputAt } = queued;
    queued = null;
    send(inputAt);
  }
  explorer?.update();  // after the result is shown and the next input sent: the map and the curves never delay them
}

function onReady({ timings }) {
  ready = true;
  performance.mark("finf:ready", { detail: timings });
  root.dataset.state = "ready";
  setEnabled(inputs, true);
  document.getElementById("model-files").disabled = false;
  const seconds = (ms) => `${(ms / 1000).toFixed(1)} s`;
  const engine = timings.boot === "snapshot"
    ? `Python and the engine from a snapshot ${seconds(timings.runtime_ms)}`
    : `Python runtime ${seconds(timings.runtime_ms)}, engine install ${seconds(timings.engine_ms)}`;
  setStatus(`Ready in ${seconds(timings.total_ms)} (${engine}, model ${seconds(timings.model_ms)}).`);
  if (writer) {
    writer.ready();
    saveForOffline();
    return;
  }
  request(performance.now());
}

function showOffline(state, text) {
  root.dataset.offline = state;
  offlineLine.textContent = text;
  offlineLine.hidden = false;
}

// The service worker's registration once a version of it is active; rejects if the one installing fails.
function activated(registration) {
  if (registration.active) return Promise.resolve(registration.active);
  const worker = registration.installing ?? registration.waiting;
  return new Promise((resolve, reject) => {
    worker.addEventListener("statechange", () => {
      if (worker.state === "activated") resolve(worker);
      if (worker.state === "redundant") reject(new Error("saving the site's files failed"));  // why: "not-saved"
    });
  });
}

function ask(worker, message) {
  const channel = new MessageChannel();
  const answer = new Promise((resolve) => { channel.port1.onmessage = (event) => resolve(event.data); });
  worker.postMessage(message, [channel.port2]);
  return answer;
}

// After the first prediction, so it never competes with the first visit's downloads: sw.js saves this build
// of the site in the browser, and the page says once this build works without a network.
async function saveForOffline() {
  if (!("serviceWorker" in navigator)) {  // not a secure context: plain http from another host than localhost
    showOffline("unavailable", "Online only: browsers save a page for offline use only when it is served over " +
      "https or from localhost.");
    return;
  }
  let reason = null;
  navigator.serviceWorker.addEventListener("message", (event) => {
    if (event.data?.type !== "not-saved") return;
    reason = `Not available offline: ${event.data.text}.`;
    showOffline("unavailable", reason);
  });
  try {
    const build = fetch(new URL("site.json", import.meta.url)).then((response) => response.json());
    const registration = await navigator.serviceWorker.register(new URL("sw.js", import.meta.url));
    if (!registration.active) showOffline("saving", "Saving this page for offline use…");
    const { cached } = await ask(await activated(registration), { type: "has-build", build: (await build).build });
    if (cached) {
      showOffline("ready", "Ready to work offline: the page, the Python runtime and the model are saved in this " +
        "browser, and the next visit starts from them.");
    } else {
      showOffline("unavailable", "Not saved for offline use: the site changed since this page loaded; reload it.");
    }
  } catch (error) {
    showOffline("unavailable", reason ?? `Not available offline: ${error.message}.`);
  }
}

const handlers = {
  status: ({ text }) => { if (!failed) setStatus(text); },
  card: (message) => onCard(message.card),
  ready: onReady,
  result: onResult,
  "batch-result": (message) => batches.onResult(message),
  "self-check": (message) => showSelfCheck(document.getElementById("self-check"), message),
  model: onModel,
  refused: onRefused,
  error: ({ text }) => showError(text),
  text: (message) => writer?.text(message),
  done: (message) => writer?.done(message),
};

setUpDrop({ input: document.getElementById("model-files"), zone: document.body, onFiles,
  onProblem: (text) => showOwn(`Not loaded: ${text}`, true) });

let worker;
try {
  worker = new Worker(new URL("worker.js", import.meta.url), { type: "module" });
  worker.addEventListener("message", (event) => {
    try {
      handlers[event.data?.type]?.(event.data);
    } catch (error) {
      showError(`The page failed to show the result: ${error.message}`);
    }
  });
  worker.addEventListener("error", (event) => {
    event.preventDefault();
    showError(`The worker stopped: ${event.message || "worker.js failed to load or crashed"}.`);
  });
  worker.addEventListener("messageerror", () => showError("A message from the worker could not be read."));
} catch (error) {
  showError(`Could not start the worker (worker.js): ${error.message}`);
}
