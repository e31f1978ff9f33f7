// Response curves: beside each slider, the predicted probability of the current class (a regressor: the
// predicted value) across that input's range, every other input held at its current value. The curve lies
// under its slider on the same scale, so its x matches the slider's thumb; a vertical mark is the current value.
//
// Each curve's numbers are on its <svg> as data-curve (JSON: {feature, base, xs, ys, class}) for tests.

import { argmax, percent, withUnit } from "./dom.js";

export const CURVE_POINTS = 33;
const SVG = "http://www.w3.org/2000/svg";
const WIDTH = 100;
const HEIGHT = 24;

function svgElement(tag, attributes) {
  const node = document.createElementNS(SVG, tag);
  for (const [key, value] of Object.entries(attributes)) node.setAttribute(key, value);
  return node;
}

// inputs: view/inputs.js's; a curve for each numeric input with a range (not a fixed value).
export function buildCurves(inputs, card) {
  const curves = inputs.map((input, index) => ({ input, index }))
    .filter(({ input }) => input.control && input.feature.kind === "numeric")
    .map(({ input, index }) => {
      const svg = svgElement("svg", { class: "curve", viewBox: `0 0 ${WIDTH} ${HEIGHT}`, preserveAspectRatio: "none",
        role: "img" });
      const line = svgElement("polyline", { class: "curve-line", points: "", "vector-effect": "non-scaling-stroke" });
      const mark = svgElement("line",
        { class: "curve-mark", y1: 0, y2: HEIGHT, "vector-effect": "non-scaling-stroke" });
      svg.append(line, mark);
      input.row.append(svg);
      return { index, feature: input.feature, svg, line, mark, xs: positions(input.feature) };
    });

  // Row 0 is the current row itself; then each curve's rows, its feature moved across its range.
  function rowsFor(base) {
    const rows = [base];
    for (const { index, xs } of curves) {
      for (const x of xs) {
        const row = base.slice();
        row[index] = x;
        rows.push(row);
      }
    }
    return { base, rows };
  }

  // Draws the curves; returns each curve's effect (how far its line moves) by feature index.
  function draw({ base }, answer) {
    const regression = card.task === "regression";
    const answers = answer.probabilities ?? answer.values;
    const best = regression ? null : argmax(answers[0]);
    const series = curves.map((_, k) => answers.slice(1 + k * CURVE_POINTS, 1 + (k + 1) * CURVE_POINTS)
      .map((a) => (regression ? a : a[best])));
    let [low, high] = [0, 1];
    if (regression) {
      low = Math.min(card.target_values.min, ...series.flat());
      high = Math.max(card.target_values.max, ...series.flat());
    }
    const effects = new Map();
    curves.forEach((curve, k) => {
      const ys = series[k];
      const { min, max } = curve.feature;
      const points = ys.map((y, i) => {
        const px = ((curve.xs[i] - min) / (max - min)) * WIDTH;
        const py = HEIGHT - ((y - low) / (high - low || 1)) * HEIGHT;
        return `${px.toFixed(2)},${py.toFixed(2)}`;
      });
      curve.line.setAttribute("points", points.join(" "));
      const at = ((base[curve.index] - min) / (max - min)) * WIDTH;
      curve.mark.setAttribute("x1", at.toFixed(2));
      curve.mark.setAttribute("x2", at.toFixed(2));
      const name = curve.feature.label || curve.feature.name;
      const show = regression ? (y) => withUnit(y, 2, card.target_values.unit) : percent;
      const what = regression ? `Predicted ${card.target_values.label || card.target}`
        : `Probability of ${card.classes[best]}`;
      curve.svg.setAttribute("aria-label", `${what} across ${name}: from ${show(ys[0])} at its lowest to ` +
        `${show(ys[ys.length - 1])} at its highest (least ${show(Math.min(...ys))}, most ${show(Math.max(...ys))}).`);
      curve.svg.dataset.curve = JSON.stringify({ feature: curve.index, base, xs: curve.xs, ys,
        class: regression ? null : card.classes[best] });
      effects.set(curve.index, Math.max(...ys) - Math.min(...ys));
    });
    return effects;
  }

  return { rowsFor, draw, count: curves.length };
}

function positions(f) {
  return Array.from({ length: CURVE_POINTS },
    (_, i) => Math.min(f.max, f.min + (i * (f.max - f.min)) / (CURVE_POINTS - 1)));
}
