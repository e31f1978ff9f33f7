// The map: the model's answer over two inputs the visitor picks, every other input held at its current value.
// A classifier's cells take the colour of their most probable class, faded as its probability falls; a
// regressor's cells take the value's colour on a scale with a legend in the target's units. The current point
// is marked, a click sets the two inputs, and a sentence under the map says what it shows.
//
// The computed grid is on the canvas as data-grid (JSON: {x, y, xs, ys, base, asked, answers}: the current row,
// the row it was computed around (the same but for the axes' values), and the answers row by row from the
// lowest y); data-drawn counts the maps drawn, so a test can compare them with CPython's predictions;
// data-sample counts the training rows drawn as dots (the card's optional sample).

import { classColour, confidenceColour, css, valueColour } from "./colours.js";
import { argmax, decimalsOf, element, withUnit } from "./dom.js";

export const MAP_CELLS = 64;  // cells along each axis
const MAP_PIXELS = 320;  // the canvas's own size; CSS scales it to the page

// features: the card's; axes: the indices a map may use (numeric, not fixed). onPick(index, value) sets an input.
export function buildMap(section, card, axes, onPick) {
  const classification = card.task !== "regression";
  const target = classification ? (card.target || "class") : (card.target_values.label || card.target || "value");
  const heading = element("h2", "", classification ? `Map of ${target}` : `Map of predicted ${target}`);
  heading.id = "map-heading";
  const intro = element("p", "map-intro",
    "Two inputs across and up, every other input held at its current value. Click the map to set both.");
  const xSelect = axisSelect("map-x", axes, card.features);
  const ySelect = axisSelect("map-y", axes, card.features);
  const choose = element("div", "map-axes");
  choose.append(labelled("Across", xSelect), labelled("Up", ySelect));
  const canvas = element("canvas", "map-canvas");
  Object.assign(canvas, { id: "map", width: MAP_PIXELS, height: MAP_PIXELS });
  canvas.setAttribute("role", "img");
  const summary = element("p", "map-summary");
  summary.id = "map-summary";
  summary.setAttribute("aria-live", "off");
  canvas.setAttribute("aria-describedby", summary.id);
  const yTicks = element("div", "map-y-ticks");
  const xTicks = element("div", "map-x-ticks");
  const frame = element("div", "map-frame");
  frame.append(yTicks, canvas, element("span"), xTicks);
  const legend = element("div", "map-legend");
  section.setAttribute("aria-labelledby", heading.id);
  section.append(heading, intro, choose, frame, legend, summary);
  section.hidden = false;
  drawLegend(legend, card);

  const image = document.createElement("canvas");  // one pixel per cell, scaled up when drawn
  image.width = image.height = MAP_CELLS;
  let grid = null;  // the last grid drawn: {x, y, xs, ys, base, answers}
  let point = null;  // the current row
  let drawn = 0;

  const current = () => [Number(xSelect.value), Number(ySelect.value)];

  function setAxes(x, y) {
    xSelect.value = String(x);
    ySelect.value = String(y);
    showTicks();
  }

  function showTicks() {
    const [x, y] = current();
    const ticks = (f, names) => names.map((n) => element("span", n[0], n[1](f)));
    const low = (f) => withUnit(f.min, decimalsOf(f.step), f.unit);
    const high = (f) => withUnit(f.max, decimalsOf(f.step), f.unit);
    const name = (f) => f.label || f.name;
    xTicks.replaceChildren(...ticks(card.features[x], [["low", low], ["name", name], ["high", high]]));
    yTicks.replaceChildren(...ticks(card.features[y], [["high", high], ["name", name], ["low", low]]));
    canvas.setAttribute("aria-label", `Map of ${target} over ${name(card.features[x])} (across) and ` +
      `${name(card.features[y])} (up)`);
  }

  // What the map around base (the current row) depends on: its axes and the values it holds.
  function keyFor(base) {
    const [x, y] = current();
    return JSON.stringify([x, y, base.map((v, i) => (i === x || i === y ? null : v))]);
  }

  // The rows to ask the worker for, around base, and their key.
  function rowsFor(base) {
    const [x, y] = current();
    const xs = positions(card.features[x]);
    const ys = positions(card.features[y]);
    const rows = [];
    for (const yv of ys) {
      for (const xv of xs) {
        const row = base.slice();
        row[x] = xv;
        row[y] = yv;
        rows.push(row);
      }
    }
    return { key: keyFor(base), grid: { x, y, xs, ys, base }, rows };
  }

  function draw(request, answer) {
    grid = { ...request, answers: answer.probabilities ?? answer.values };
    const pixels = new ImageData(MAP_CELLS, MAP_CELLS);
    grid.answers.forEach((a, k) => {
      const i = k % MAP_CELLS;
      const j = Math.floor(k / MAP_CELLS);
      const colour = cellColour(a, card);
      const at = ((MAP_CELLS - 1 - j) * MAP_CELLS + i) * 4;  // the lowest y at the bottom
      pixels.data.set([...colour, 255], at);
    });
    image.getContext("2d").putImageData(pixels, 0, 0);
    canvas.dataset.grid = JSON.stringify(grid);
    canvas.dataset.drawn = String(++drawn);
    summary.textContent = describe(grid, card, target);
    paint();
  }

  function paint() {
    const context = canvas.getContext("2d");
    context.clearRect(0, 0, MAP_PIXELS, MAP_PIXELS);
    if (grid) {
      context.imageSmoothingEnabled = false;
      context.drawImage(image, 0, 0, MAP_PIXELS, MAP_PIXELS);
    }
    const [x, y] = current();
    drawSample(context, card, x, y);
    if (point) {
      const [px, py] = toPixels(point[x], point[y], x, y);
      context.lineWidth = 3;
      context.strokeStyle = "#fff";
      context.beginPath();
      context.arc(px, py, 8, 0, 2 * Math.PI);
      context.stroke();
      context.lineWidth = 1.5;
      context.strokeStyle = "#1d2a26";
      context.stroke();
    }
    canvas.dataset.point = point ? JSON.stringify([point[x], point[y]]) : "";
  }

  function toPixels(xv, yv, x, y) {
    const fx = fraction(xv, card.features[x]);
    const fy = fraction(yv, card.features[y]);
    return [fx * MAP_PIXELS, (1 - fy) * MAP_PIXELS];
  }

  function drawSample(context, c, x, y) {
    const sample = c.sample;
    let dots = 0;
    sample?.rows.forEach((row, k) => {
      if (typeof row[x] !== "number" || typeof row[y] !== "number") return;
      dots += 1;
      const [px, py] = toPixels(row[x], row[y], x, y);
      const t = sample.targets[k];
      const colour = classification ? classColour(c.classes.indexOf(t))
        : valueColour(fraction(t, c.target_values));
      context.fillStyle = css(colour);
      context.strokeStyle = "#fff";
      context.lineWidth = 1;
      context.beginPath();
      context.arc(px, py, 3.5, 0, 2 * Math.PI);
      context.fill();
      context.stroke();
    });
    canvas.dataset.sample = String(dots);
  }

  function fail(text) {
    summary.textContent = `The map could not be computed: ${text}`;
  }

  function setPoint(row) {
    point = row;
    paint();
  }

  canvas.addEventListener("click", (event) => {
    const box = canvas.getBoundingClientRect();
    const [x, y] = current();
    const fx = (event.clientX - box.left) / box.width;
    const fy = 1 - (event.clientY - box.top) / box.height;
    onPick(x, atFraction(card.features[x], fx));
    onPick(y, atFraction(card.features[y], fy));
  });

  showTicks();
  return { setAxes, axes: current, keyFor, rowsFor, draw, fail, setPoint, selects: [xSelect, ySelect] };
}

function axisSelect(id, axes, features) {
  const select = element("select");
  select.id = id;
  for (const i of axes) select.append(new Option(features[i].label || features[i].name, String(i)));
  return select;
}

function labelled(text, control) {
  const label = element("label", "map-axis", text);
  label.htmlFor = control.id;
  const wrap = element("span", "map-axis-choice");
  wrap.append(label, control);
  return wrap;
}

// MAP_CELLS values from the feature's min to its max, the ends included.
function positions(f) {
  return Array.from({ length: MAP_CELLS }, (_, i) => Math.min(f.max, f.min + (i * (f.max - f.min)) / (MAP_CELLS - 1)));
}

function fraction(v, { min, max }) {
  return max > min ? (v - min) / (max - min) : 0.5;
}

// The slider position nearest to a fraction of the feature's range.
function atFraction(f, t) {
  const clamped = Math.min(1, Math.max(0, t));
  const steps = Math.round((clamped * (f.max - f.min)) / f.step);
  return Math.min(f.max, Math.max(f.min, f.min + steps * f.step));
}

function cellColour(answer, card) {
  if (card.task === "regression") return valueColour(fraction(answer, card.target_values));
  const best = argmax(answer);
  return confidenceColour(best, answer[best], answer.length);
}

function drawLegend(legend, card) {
  if (card.task !== "regression") {
    card.classes.forEach((name, i) => {
      const swatch = element("span", "map-swatch");
      swatch.style.background = css(classColour(i));
      const item = element("span", "map-legend-item");
      item.append(swatch, name);
      legend.append(item);
    });
    legend.append(element("span", "map-legend-note", "Paler: less confident."));
    return;
  }
  const { min, max, unit } = card.target_values;
  const scale = element("canvas", "map-scale");
  Object.assign(scale, { width: 200, height: 12 });
  const context = scale.getContext("2d");
  for (let px = 0; px < 200; px++) {
    context.fillStyle = css(valueColour(px / 199));
    context.fillRect(px, 0, 1, 12);
  }
  scale.setAttribute("aria-hidden", "true");
  const decimals = max - min > 0 ? Math.max(0, 2 - Math.floor(Math.log10(max - min))) : 2;
  legend.append(element("span", "map-scale-low", withUnit(min, decimals, unit)), scale,
    element("span", "map-scale-high", withUnit(max, decimals, unit)));
}

// The map in words: its axes and what covers it.
function describe(grid, card, target) {
  const f = (i) => card.features[i];
  const range = (i) => `${withUnit(f(i).min, decimalsOf(f(i).step), f(i).unit)} to ` +
    `${withUnit(f(i).max, decimalsOf(f(i).step), f(i).unit)}`;
  const axes = `${f(grid.x).label || f(grid.x).name} across (${range(grid.x)}) and ` +
    `${f(grid.y).label || f(grid.y).name} up (${range(grid.y)})`;
  if (card.task === "regression") {
    const low = Math.min(...grid.answers);
    const high = Math.max(...grid.answers);
    const { unit } = card.target_values;
    return `Predicted ${target} over ${axes}: from ${withUnit(low, 2, unit)} to ${withUnit(high, 2, unit)}.`;
  }
  const counts = card.classes.map(() => 0);
  for (const p of grid.answers) counts[argmax(p)] += 1;
  const share = counts.map((n, i) => [i, n / grid.answers.length]).filter(([, s]) => s > 0)
    .sort((a, b) => b[1] - a[1]);
  const words = share.map(([i, s]) => `${card.classes[i]} ${Math.round(s * 100)}%`);
  return `Map of ${target} over ${axes}: ${card.classes[share[0][0]]} covers most of it (${words.join(", ")}).`;
}
