// The inputs, one per feature of the model card, in its order: a slider for a numeric feature, a fixed value
// for a numeric feature that is the same in every row of the data (min == max), and a <select> of its
// categories for a categorical one, with a "missing" choice when the model has a fill value for it.
// Each input reads back the value the worker expects: a number, a category name, or null for missing.

import { decimalsOf, element, withUnit } from "./dom.js";

const COMPACT_ABOVE = 12;  // more features than this are laid out in a compact grid

// Build the inputs into form; onChange(inputAt) is called on every change. Returns the inputs:
// {feature, control (the <input> or <select>, null for a fixed value), read() -> {value} or {problem}}.
export function buildInputs(form, features, onChange) {
  form.classList.toggle("compact", isCompact(features));
  return features.map((feature, i) => {
    const build = feature.kind === "categorical" ? categorySelect
      : feature.min === feature.max ? fixedValue : slider;
    const input = build(feature, `feature-${i}`);
    form.append(input.row);
    input.control?.addEventListener(input.control.tagName === "SELECT" ? "change" : "input", () => {
      const inputAt = performance.now();
      input.changed?.();
      onChange(inputAt);
    });
    return input;
  });
}

export function isCompact(features) {
  return features.length > COMPACT_ABOVE;
}

export function setEnabled(inputs, enabled) {
  for (const { control } of inputs) {
    if (control) control.disabled = !enabled;
  }
}

// The row for the worker, or the first input's problem: a value the card does not allow never leaves the page.
export function readRow(inputs) {
  const values = [];
  for (const input of inputs) {
    const { value, problem } = input.read();
    if (problem) return { problem };
    values.push(value);
  }
  return { values };
}

function labelFor(feature, id) {
  const label = element("label", "feature-label", feature.label || feature.name);
  label.htmlFor = id;
  return label;
}

function initialValue(feature) {
  const { min, max, step } = feature;
  const mean = Number.isFinite(feature.mean) ? feature.mean : (min + max) / 2;
  return Math.min(max, Math.max(min, min + Math.round((mean - min) / step) * step));
}

function slider(feature, id) {
  const { min, max, step, unit } = feature;
  const decimals = decimalsOf(step);
  const row = element("div", "feature");
  const output = element("output", "feature-value");
  output.htmlFor = id;
  // An <output> is an implicit live region; the slider already speaks its value (aria-valuetext),
  // so only the prediction is announced.
  output.setAttribute("aria-live", "off");
  const input = element("input");
  Object.assign(input, { type: "range", id, name: feature.name, min, max, step, disabled: true });
  input.value = initialValue(feature).toFixed(decimals);
  const range = element("span", "feature-range",
    `${withUnit(min, decimals, unit)} to ${withUnit(max, decimals, unit)}`);
  range.setAttribute("aria-hidden", "true");
  row.append(labelFor(feature, id), output, input, range);

  const show = () => {
    const text = withUnit(Number(input.value), decimals, unit);
    output.textContent = text;
    input.setAttribute("aria-valuetext", text);
  };
  show();
  const read = () => {
    const value = Number(input.value);
    if (input.value === "" || !Number.isFinite(value) || value < min || value > max) {
      return { problem: `${feature.name} has the value "${input.value}", expected a number from ${min} to ${max}.` };
    }
    return { value };
  };
  return { feature, row, control: input, read, changed: () => { if (Number.isFinite(Number(input.value))) show(); } };
}

// A feature with one value in all the data: shown, not offered; the model always gets that value.
function fixedValue(feature) {
  const row = element("div", "feature fixed");
  const decimals = decimalsOf(feature.step);
  row.append(element("span", "feature-label", feature.label || feature.name),
    element("span", "feature-value", withUnit(feature.min, decimals, feature.unit)),
    element("span", "feature-range", "fixed: the same in every row of the data"));
  return { feature, row, control: null, read: () => ({ value: feature.min }) };
}

function categorySelect(feature, id) {
  const row = element("div", "feature");
  const select = element("select");
  Object.assign(select, { id, name: feature.name, disabled: true });
  for (const category of feature.categories) {
    select.append(new Option(category, category, false, category === feature.default));
  }
  let missing = null;
  if (feature.fill !== null) {
    // Sent as null: the engine puts the fill value in its place, as it did for the training rows.
    missing = new Option(`missing (filled with ${feature.fill})`, "");
    missing.className = "missing";
    select.append(missing);
  }
  row.append(labelFor(feature, id), select);
  const read = () => {
    const option = select.selectedOptions[0];
    if (option && option === missing) return { value: null };
    if (option && feature.categories.includes(option.value)) return { value: option.value };
    const expected = feature.categories.join(", ");
    return { problem: `${feature.name} has the value "${select.value}", expected one of ${expected}.` };
  };
  return { feature, row, control: select, read };
}
