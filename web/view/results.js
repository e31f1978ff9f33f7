// The result, from the worker's answer: a classifier's most probable class in the prediction line and a bar
// per class; a regressor's number in the prediction line and where it lies in the target's range in the data.
// The prediction line is the page's one live region; the details beside it are read on demand.
//
// Each kind is {check(message) -> problem or null, show(message), clear()}.

import { element, percent, withUnit } from "./dom.js";

export function resultsFor(card, { prediction, bars, position }) {
  return card.task === "regression"
    ? valueResult(card.target_values, card.target, prediction, position)
    : classResult(card.classes, prediction, bars);
}

function classResult(classes, prediction, bars) {
  const rows = classes.map((name) => {
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

  const check = ({ probabilities }) => {
    if (Array.isArray(probabilities) && probabilities.length === classes.length) return null;
    return `The engine returned ${probabilities?.length} probabilities for ${classes.length} classes.`;
  };
  const show = ({ probabilities }) => {
    let best = 0;
    probabilities.forEach((p, i) => { if (p > probabilities[best]) best = i; });
    const announced = `${classes[best]} ${percent(probabilities[best])}`;
    if (prediction.textContent !== announced) {
      prediction.replaceChildren(element("strong", "predicted-class", classes[best]), " ",
        element("span", "confidence", percent(probabilities[best])));
    }
    rows.forEach(({ row, fill, value }, i) => {
      const p = probabilities[i];
      fill.style.width = `${(p * 100).toFixed(2)}%`;
      value.textContent = percent(p);
      row.dataset.probability = String(p);
      // The most probable class is bold and named in the prediction line, not told by colour alone.
      row.classList.toggle("best", i === best);
    });
  };
  return { check, show, clear: () => bars.replaceChildren() };
}

// Decimals for a number in a range this wide: about a thousand distinct values across it.
function decimalsFor(span) {
  return span > 0 ? Math.max(0, 3 - Math.floor(Math.log10(span))) : 2;
}

function valueResult(target, targetName, prediction, position) {
  const { min, max, unit } = target;
  const name = target.label || targetName;
  const decimals = decimalsFor(max - min);
  // The range's own numbers without trailing zeros: 25 and 346, not 25.0 and 346.0.
  const plain = (x) => withUnit(x, neededDecimals(x, decimals), unit);
  const marker = element("span", "position-marker");
  const track = element("span", "position-track");
  track.append(marker);
  const scale = element("div", "position-scale");
  scale.append(element("span", "position-min", plain(min)), track, element("span", "position-max", plain(max)));
  scale.setAttribute("aria-hidden", "true");  // the sentence below says the same in words
  const words = element("p", "position-words");
  position.append(scale, words);
  position.hidden = false;

  const check = ({ value }) => (typeof value === "number" && Number.isFinite(value)
    ? null : `The engine returned ${JSON.stringify(value)}, not a number.`);
  const show = ({ value }) => {
    const text = withUnit(value, decimals, unit);
    if (prediction.textContent !== text) {
      prediction.replaceChildren(element("strong", "predicted-value", text));
    }
    prediction.dataset.value = String(value);
    const fraction = max > min ? (value - min) / (max - min) : 0.5;
    const clamped = Math.min(1, Math.max(0, fraction));
    marker.style.left = `${(clamped * 100).toFixed(2)}%`;
    position.dataset.fraction = String(clamped);
    words.textContent = whereInRange(text, name, fraction, plain(min), plain(max), target.mean, plain);
  };
  return { check, show, clear: () => position.replaceChildren() };
}

function whereInRange(text, name, fraction, low, high, mean, plain) {
  if (low === high) return `${text}; every ${name} in the data is ${low}.`;
  const range = `the lowest ${name} in the data is ${low} and the highest ${high}`;
  const average = Number.isFinite(mean) ? `; the mean is ${plain(mean)}` : "";
  if (fraction < 0) return `${text} is below the range of the data: ${range}${average}.`;
  if (fraction > 1) return `${text} is above the range of the data: ${range}${average}.`;
  return `${text} is ${Math.round(fraction * 100)}% of the way from the lowest ${name} in the data, ${low}, ` +
    `to the highest, ${high}${average}.`;
}

// The decimals x needs, at most most: 25 -> 0, 2.5 -> 1.
function neededDecimals(x, most) {
  const fraction = x.toFixed(most).split(".")[1] ?? "";
  return fraction.replace(/0+$/, "").length;
}
