// A text model's input and its explanation: a text area in place of the sliders, example messages one click
// away, and under the result each word of the text highlighted by how much it pushed toward the predicted class
// (from the worker's words: [start, end, push] per word), with the same told in words for screen readers.

import { element } from "./dom.js";

const SUMMARY_WORDS = 5;  // words named in the summary for each side

// The input for the card's one text feature, built into form, and its examples; onChange(inputAt) on every edit.
// Returns the inputs list main.js reads ({feature, control, read}); read() also remembers the text it gave, which
// the result shown next belongs to (the page has at most one request in flight).
export function buildTextInputs(form, feature, onChange, examples) {
  const id = "feature-0";
  const row = element("div", "feature text-feature");
  const label = element("label", "feature-label", feature.label || feature.name);
  label.htmlFor = id;
  const area = element("textarea", "text-input");
  Object.assign(area, { id, name: feature.name, rows: 5, maxLength: 100000, disabled: true, spellcheck: false });
  area.placeholder = "Type or paste a message";
  row.append(label, area);
  const input = { feature, row, control: area, sent: "" };
  input.read = () => {
    input.sent = area.value;
    return { value: area.value };
  };
  area.addEventListener("input", () => onChange(performance.now()));
  if (examples.length) row.append(exampleButtons(examples, area));
  form.append(row);
  form.addEventListener("submit", (event) => event.preventDefault());
  return [input];
}

function exampleButtons(examples, area) {
  const box = element("div", "examples");
  box.append(element("span", "examples-label", "Try an example:"));
  examples.forEach((text, i) => {
    const button = element("button", "example", `Example ${i + 1}`);
    button.type = "button";
    button.title = text;
    button.setAttribute("aria-label", `Example ${i + 1}: ${text}`);
    button.addEventListener("click", () => {
      area.value = text;
      area.dispatchEvent(new Event("input", { bubbles: true }));
    });
    box.append(button);
  });
  return box;
}

// results (view/results.js) plus the highlighted words, shown in panel after the bars.
export function withWords(results, input, classes, panel) {
  const box = element("div", "words");
  const heading = element("h3", "words-heading", "What each word did");
  const shown = element("p", "highlighted");
  shown.setAttribute("aria-hidden", "true");  // the summary below says the same in words
  const summary = element("p", "words-summary");
  box.append(heading, shown, summary);
  box.hidden = true;
  panel.append(box);

  const show = (message) => {
    results.show(message);
    if (!message.words.length) return;  // a model with hidden layers does not explain itself
    box.hidden = false;
    const { probabilities, words } = message;
    const best = probabilities.indexOf(Math.max(...probabilities));
    highlight(shown, input.sent, words);
    summary.textContent = describe(input.sent, words, classes, best);
  };
  const check = (message) => results.check(message) ??
    (Array.isArray(message.words) ? null : "The engine returned no explanation of the words.");
  const clear = () => {
    results.clear();
    box.hidden = true;
  };
  return { check, show, clear };
}

// The text with each word in a <mark> whose colour and strength show its push: --push from -1 to 1.
function highlight(node, text, words) {
  const strongest = Math.max(...words.map(([, , push]) => Math.abs(push)), 1e-12);
  const parts = [];
  let at = 0;
  for (const [start, end, push] of words) {
    if (start > at) parts.push(text.slice(at, start));
    const mark = element("mark", push >= 0 ? "word toward" : "word away", text.slice(start, end));
    mark.style.setProperty("--push", (Math.abs(push) / strongest).toFixed(3));
    mark.dataset.push = String(push);
    parts.push(mark);
    at = end;
  }
  parts.push(text.slice(at));
  node.replaceChildren(...parts);
}

function describe(text, words, classes, best) {
  if (!words.length) return `No words: the prediction is the model's answer for an empty text.`;
  const named = (list) => {
    const seen = [];
    for (const [start, end] of list) {
      const word = text.slice(start, end);
      if (!seen.includes(word)) seen.push(word);
    }
    return seen.slice(0, SUMMARY_WORDS).join(", ");
  };
  const toward = words.filter(([, , push]) => push > 0).sort((a, b) => b[2] - a[2]);
  const away = words.filter(([, , push]) => push < 0).sort((a, b) => a[2] - b[2]);
  const sides = [];
  if (toward.length) sides.push(`Words that pushed most toward ${classes[best]}: ${named(toward)}.`);
  if (away.length) sides.push(`Words that pushed most against it: ${named(away)}.`);
  return sides.join(" ");
}
