// A language model's page: a prompt, the length, temperature and seed, a Generate button that becomes Stop,
// and the text as the worker writes it. The worker generates; this module only touches the DOM.
//
// <html data-generation="running|done|stopped|refused" data-chars-per-second>: what the last generation did.

import { element } from "./dom.js";

const DEFAULT_PROMPT = "It is a truth";

function field(label, input) {
  const wrapper = element("label", "writer-field");
  wrapper.append(element("span", "writer-label", label), input);
  return wrapper;
}

function numberInput(id, value, { min, max, step, placeholder }) {
  const input = element("input");
  Object.assign(input, { id, type: "number", min, max, step, value, placeholder: placeholder ?? "" });
  input.inputMode = step === "1" ? "numeric" : "decimal";
  return input;
}

// The prompt the visitor starts from: the default when the model knows all its characters, else its vocabulary's.
function startingPrompt(vocab) {
  if ([...DEFAULT_PROMPT].every((c) => vocab.includes(c))) return DEFAULT_PROMPT;
  return [...vocab].filter((c) => c.trim()).slice(0, 8).join("");
}

// Builds the writer into panel for card; post sends a message to the worker. Returns {ready, text, done, disable}.
export function buildWriter(panel, card, post) {
  const root = document.documentElement;
  const prompt = element("textarea");
  Object.assign(prompt, { id: "prompt", rows: 3, maxLength: 10000, value: startingPrompt(card.vocab) });
  const length = numberInput("length", "300", { min: "1", max: "5000", step: "1" });
  const temperature = numberInput("temperature", "0.8", { min: "0", max: "5", step: "0.1" });
  const seed = numberInput("seed", "", { min: "0", step: "1", placeholder: "random" });
  const button = element("button", "writer-button", "Generate");
  Object.assign(button, { id: "generate", type: "submit", disabled: true });
  const message = element("p", "writer-message");
  message.id = "writer-message";
  const output = element("pre", "generated");
  output.id = "generated";
  const form = element("form", "writer-form");
  form.append(field("Prompt", prompt), field("Length (characters)", length), field("Temperature", temperature),
    field("Seed", seed), button);
  panel.append(form, message, output);
  panel.hidden = false;

  let running = null;  // the id of the generation under way
  let nextId = 1;
  let written = null;  // the text node the generated characters go into

  function finish(state, text) {
    running = null;
    root.dataset.generation = state;
    button.textContent = "Generate";
    output.setAttribute("aria-busy", "false");
    message.textContent = text;
  }

  function read() {
    const values = { length: Number(length.value), temperature: Number(temperature.value) };
    if (!Number.isInteger(values.length) || values.length < 1 || values.length > 5000) {
      return { problem: "Length: a whole number from 1 to 5000." };
    }
    if (!Number.isFinite(values.temperature) || values.temperature < 0 || values.temperature > 5) {
      return { problem: "Temperature: a number from 0 (always the likeliest character) to 5." };
    }
    const seedValue = seed.value.trim() === "" ? null : Number(seed.value);
    if (seedValue !== null && !(Number.isSafeInteger(seedValue) && seedValue >= 0)) {
      return { problem: "Seed: a whole number >= 0, or empty for a random one." };
    }
    if (prompt.value.length === 0) return { problem: "Prompt: type at least one character." };
    return { request: { prompt: prompt.value, ...values, top_k: null, seed: seedValue } };
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    if (running !== null) {  // the button says Stop: nothing more is shown from this generation
      post({ type: "stop", id: running });
      finish("stopped", "Stopped.");
      return;
    }
    const { request, problem } = read();
    if (problem) {
      message.textContent = problem;
      return;
    }
    running = nextId++;
    root.dataset.generation = "running";
    delete root.dataset.charsPerSecond;
    button.textContent = "Stop";
    message.textContent = "";
    output.replaceChildren(element("span", "prompt-text", request.prompt));
    written = document.createTextNode("");
    output.append(written);
    output.setAttribute("aria-busy", "true");
    post({ type: "generate", id: running, ...request });
  });

  return {
    ready() { button.disabled = false; },
    text({ id, text }) { if (id === running) written.appendData(text); },
    done({ id, stopped, error, chars_per_second: speed }) {
      if (id !== running) return;
      if (error) {
        finish("refused", `Not generated: ${error}`);
        return;
      }
      root.dataset.charsPerSecond = speed.toFixed(1);
      finish(stopped ? "stopped" : "done", `${written.length} characters at ${speed.toFixed(0)} per second, ` +
        "computed in this tab.");
    },
    disable() {
      button.disabled = true;
      running = null;
    },
  };
}

// The card's facts for a language model: what it writes, what it was trained on and how well it predicts.
export function writerFacts(card) {
  const facts = [["Writes", `text, one character at a time (${card.vocab.length} characters known, ` +
    `looking back ${card.block_size} at most)`]];
  const { corpus, steps } = card.training ?? {};
  if (typeof corpus === "string") facts.push(["Trained on", steps ? `${corpus}, ${steps} steps` : corpus]);
  const loss = card.metrics?.val_loss;
  if (Number.isFinite(loss)) facts.push(["Validation loss", `${loss.toFixed(3)} nats per character`]);
  return facts;
}
