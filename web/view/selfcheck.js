// The self-check line: the model card's test vectors (what the trainer's numpy forward pass computed for a few
// rows) against what this page's engine computes for them, as the worker reports it.
//
// <html data-self-check="verified|mismatch|unchecked"> says which, for tests.

import { element } from "./dom.js";

function number(x) {
  return x === 0 ? "0" : x.toExponential(1);
}

export function showSelfCheck(line, { count, largest, tolerance, ok, error }) {
  const root = document.documentElement;
  line.hidden = false;
  line.classList.toggle("warning", !ok);
  if (error) {
    root.dataset.selfCheck = "unchecked";
    line.replaceChildren(element("strong", "", "Not verified: "), `${error}.`);
  } else if (ok) {
    root.dataset.selfCheck = "verified";
    line.replaceChildren(element("strong", "", "Verified against the trainer: "),
      `the ${count} test vectors in the model card give the trainer's answers here, the largest difference ` +
      `${number(largest)} (tolerance ${number(tolerance)}).`);
  } else {
    root.dataset.selfCheck = "mismatch";
    line.replaceChildren(element("strong", "", "Warning: "),
      `this engine and the trainer disagree on the model card's ${count} test vectors: the largest difference is ` +
      `${number(largest)}, beyond the tolerance of ${number(tolerance)}. The predictions may not be the ones the ` +
      "model was trained to give.");
  }
  root.dataset.selfCheckLargest = String(largest ?? "");
}
