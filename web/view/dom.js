// Small DOM and number helpers the page's views share.

export function element(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

// The decimals a step needs to show every position exactly: 0.025 -> 3, 0.5 -> 1, 2 -> 0, 1e-7 -> 7.
export function decimalsOf(step) {
  const [mantissa, exponent] = String(step).split("e");
  const fraction = (mantissa.split(".")[1] ?? "").length;
  return Math.max(0, fraction - Number(exponent ?? 0));
}

// value with decimals places and its unit, if any: "5.825 cm".
export function withUnit(value, decimals, unit) {
  return unit ? `${value.toFixed(decimals)} ${unit}` : value.toFixed(decimals);
}

// A probability as the page shows it: 0.9713 -> "97.1%".
export function percent(p) {
  return `${(p * 100).toFixed(1)}%`;
}

// The index of the largest value (the first, on a tie).
export function argmax(values) {
  let best = 0;
  values.forEach((v, i) => { if (v > values[best]) best = i; });
  return best;
}
