// The page: builds sliders from the model card, sends slider values to the worker, shows the result.
// Python runs in worker.js; this module only touches the DOM.
//
// Timings a test or benchmark can read (milliseconds, on the performance.now() clock):
//   performance.getEntriesByName("finf:first-prediction")  navigation start -> first result shown
//   performance.getEntriesByName("finf:input-to-result")   each slider input -> its result shown
//   performance.getEntriesByName("finf:ready")[0].detail    the worker's own timings: {runtime_ms, engine_ms,
//                                                           model_ms, total_ms} from the worker's start,
//                                                           boot ("snapshot" or "micropip") and, for micropip,
//                                                           fallback_reason
//   <html data-state="loading|ready|error" data-first-prediction-ms data-input-to-result-ms
//         data-offline="saving|ready|unavailable">

const PREDICTION_TIMEOUT_MS = 30000;

const root = document.documentElement;
const statusLine = document.getElementById("status");
const form = document.getElementById("features");
const prediction = document.getElementById("prediction");
const bars = document.getElementById("bars");
const cardFacts = document.getElementById("card");
const offlineLine = document.getElementById("offline");

let card = null;
let sliders = [];  // {input, output, feature, decimals}
let barRows = [];  // {row, fill, value}
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
  bars.replaceChildren();
  for (const { input } of sliders) input.disabled = true;
  if (inFlight) clearTimeout(inFlight.timer);
}

function decimalsOf(step) {
  const [mantissa, exponent] = String(step).split("e");
  const fraction = (mantissa.split(".")[1] ?? "").length;
  return Math.max(0, fraction - Number(exponent ?? 0));
}

function formatValue(value, slider) {
  const unit = slider.feature.unit ? ` ${slider.feature.unit}` : "";
  return `${value.toFixed(slider.decimals)}${unit}`;
}

function percent(p) {
  return `${(p * 100).toFixed(1)}%`;
}

function element(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

function initialValue(feature, step) {
  const mean = Number.isFinite(feature.mean) ? feature.mean : (feature.min + feature.max) / 2;
  const snapped = feature.min + Math.round((mean - feature.min) / step) * step;
  return Math.min(feature.max, Math.max(feature.min, snapped));
}

function buildSlider(feature, i) {
  const step = feature.step ?? (feature.max - feature.min) / 100;
  const slider = { feature, decimals: decimalsOf(step) };
  const id = `feature-${i}`;
  const row = element("div", "feature");
  const label = element("label", "feature-label", feature.label || feature.name);
  label.htmlFor = id;
  slider.output = element("output", "feature-value");
  slider.output.htmlFor = id;
  // An <output> is an implicit live region; the slider already speaks its value (aria-valuetext),
  // so only the prediction is announced.
  slider.output.setAttribute("aria-live", "off");
  const input = element("input");
  Object.assign(input, { type: "range", id, name: feature.name, min: feature.min, max: feature.max, step, disabled: true });
  input.value = initialValue(feature, step).toFixed(slider.decimals);
  input.addEventListener("input", onInput);
  slider.input = input;
  const range = element("span", "feature-range", `${formatValue(feature.min, slider)} to ${formatValue(feature.max, slider)}`);
  range.setAttribute("aria-hidden", "true");
  row.append(label, slider.output, input, range);
  form.append(row);
  showValue(slider, Number(input.value));
  return slider;
}

function showValue(slider, value) {
  const text = formatValue(value, slider);
  slider.output.textContent = text;
  slider.input.setAttribute("aria-valuetext", text);
}

function buildBars(classes) {
  return classes.map((name) => {
    const row = element("li", "bar");
    const track = element("span", "bar-track");
    const fill = element("span", "bar-fill");
    track.append(fill);
    track.setAttribute("aria-hidden", "true");
    const value = element("span", "bar-value", "–");
    row.dataset.class = name;
    row.append(element("span", "bar-name", name), track, value);
    bars.append(row);
    return { row, fill, value };
  });
}

function describeCard(c) {
  const facts = [["File", `${c.model_file}${c.size_bytes ? ` (${c.size_bytes} bytes)` : ""}`]];
  if (c.architecture?.layers) facts.push(["Layers", c.architecture.layers.join(" → ")]);
  if (Number.isFinite(c.architecture?.parameters)) facts.push(["Parameters", String(c.architecture.parameters)]);
  if (Number.isFinite(c.metrics?.val_accuracy)) facts.push(["Validation accuracy", percent(c.metrics.val_accuracy)]);
  facts.push(["Predicts", `${c.target ?? "class"}: ${c.classes.join(", ")}`]);
  facts.push(["SHA-256", c.sha256]);
  for (const [term, detail] of facts) cardFacts.append(element("dt", "", term), element("dd", "", detail));
}

function onCard(c) {
  card = c;
  sliders = c.features.map(buildSlider);
  barRows = buildBars(c.classes);
  describeCard(c);
}

// Read and check every slider: a value that is not a finite number in range never leaves the page.
function readValues() {
  const values = [];
  for (const slider of sliders) {
    const value = Number(slider.input.value);
    const { min, max, name } = slider.feature;
    if (!Number.isFinite(value) || value < min || value > max) {
      showError(`${name} has the value "${slider.input.value}", expected a number from ${min} to ${max}.`);
      return null;
    }
    values.push(value);
  }
  return values;
}

function send(inputAt) {
  const values = readValues();
  if (values === null) return;
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

function onInput(event) {
  const inputAt = performance.now();
  const slider = sliders.find((s) => s.input === event.target);
  const value = Number(slider.input.value);
  if (Number.isFinite(value)) showValue(slider, value);
  request(inputAt);
}

function showResult(probabilities) {
  let best = 0;
  probabilities.forEach((p, i) => { if (p > probabilities[best]) best = i; });
  const announced = `${card.classes[best]} ${percent(probabilities[best])}`;
  if (prediction.textContent !== announced) {
    prediction.replaceChildren(element("strong", "predicted-class", card.classes[best]), " ",
      element("span", "confidence", percent(probabilities[best])));
  }
  barRows.forEach(({ row, fill, value }, i) => {
    const p = probabilities[i];
    fill.style.width = `${(p * 100).toFixed(2)}%`;
    value.textContent = percent(p);
    row.dataset.probability = String(p);
    row.classList.toggle("best", i === best);
  });
}

function onResult({ id, probabilities }) {
  if (!inFlight || id !== inFlight.id) return;
  if (!Array.isArray(probabilities) || probabilities.length !== card.classes.length) {
    showError(`The engine returned ${probabilities?.length} probabilities for ${card.classes.length} classes.`);
    return;
  }
  clearTimeout(inFlight.timer);
  showResult(probabilities);
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
  root.dataset.results = id;
  inFlight = null;
  if (queued) {
    const { inputAt } = queued;
    queued = null;
    send(inputAt);
  }
}

function onReady({ timings }) {
  ready = true;
  performance.mark("finf:ready", { detail: timings });
  root.dataset.state = "ready";
  for (const { input } of sliders) input.disabled = false;
  const seconds = (ms) => `${(ms / 1000).toFixed(1)} s`;
  const engine = timings.boot === "snapshot"
    ? `Python and the engine from a snapshot ${seconds(timings.runtime_ms)}`
    : `Python runtime ${seconds(timings.runtime_ms)}, engine install ${seconds(timings.engine_ms)}`;
  setStatus(`Ready in ${seconds(timings.total_ms)} (${engine}, model ${seconds(timings.model_ms)}).`);
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
  error: ({ text }) => showError(text),
};

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
