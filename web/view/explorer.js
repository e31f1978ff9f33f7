// The explorer: response curves beside the inputs (view/curves.js) and a map over two of them (view/map.js),
// kept up to date with the inputs through batched worker requests (view/batches.js). Tabular models only: it is
// off for a card with a feature that is neither numeric nor categorical, and the map is off with fewer than
// two numeric inputs to put on its axes. The map's axes start at the two inputs whose curves move the most.

import { buildCurves } from "./curves.js";
import { buildMap } from "./map.js";
import { decimalsOf } from "./dom.js";
import { readRow } from "./inputs.js";

// onAxes(x, y) is told when the visitor changes the map's axes.
export function buildExplorer({ card, inputs, section, batches, onAxes = () => {} }) {
  if (!card.features.every((f) => f.kind === "numeric" || f.kind === "categorical")) return null;
  const curves = buildCurves(inputs, card);
  if (curves.count === 0) return null;
  const axes = inputs.flatMap((input, i) => (input.control && input.feature.kind === "numeric" ? [i] : []));
  const map = axes.length >= 2 ? buildMap(section, card, axes, setInput) : null;
  let axesChosen = false;
  let mapKey = null;  // what the newest map request was for
  let previous = map?.axes();  // the axes before a select changes

  // Whether row is what the inputs hold now.
  function current(row) {
    const { values } = readRow(inputs);
    return values !== undefined && values.every((v, i) => v === row[i]);
  }

  function setInput(index, value) {
    const { control, feature } = inputs[index];
    control.value = value.toFixed(decimalsOf(feature.step));
    control.dispatchEvent(new Event("input", { bubbles: true }));
  }

  function setAxes(x, y) {
    if (!map || x === y || !axes.includes(x) || !axes.includes(y)) return false;
    map.setAxes(x, y);
    previous = map.axes();
    axesChosen = true;
    return true;
  }

  // A map whose held inputs or axes changed while it was computed is never drawn (a newer one is on its way).
  async function refreshMap(values) {
    const request = map.rowsFor(values);
    if (request.key === mapKey) return;  // only the marker moved
    mapKey = request.key;
    const since = performance.now();
    const answer = await batches.request("map", request.rows);
    if (answer === null) return;  // a newer map replaced it
    const { values: now } = readRow(inputs);
    if (now === undefined || map.keyFor(now) !== request.key) {  // the held inputs moved on: it is out of date
      if (mapKey === request.key) mapKey = null;
      return;
    }
    if (answer.error) {
      mapKey = null;
      map.fail(answer.error);
      return;
    }
    // The same map around the current point; asked: the row it was computed around.
    map.draw({ ...request.grid, base: now, asked: request.grid.base }, answer);
    performance.measure("finf:map", { start: since, end: performance.now() });
  }

  async function update() {
    const { values, problem } = readRow(inputs);
    if (problem) return;
    map?.setPoint(values);
    if (map && axesChosen) refreshMap(values);
    const request = curves.rowsFor(values);
    const answer = await batches.request("curves", request.rows);
    if (answer === null || answer.error || !current(request.base)) return;
    const effects = curves.draw(request, answer);
    if (map && !axesChosen) {
      const [x, y] = [...effects].sort((a, b) => b[1] - a[1]).map(([i]) => i);
      map.setAxes(Math.min(x, y), Math.max(x, y));
      previous = map.axes();
      axesChosen = true;
      refreshMap(values);
    }
  }

  map?.selects.forEach((select, k) => {
    select.addEventListener("change", () => {
      const other = map.selects[1 - k];
      if (other.value === select.value) other.value = String(previous[k]);  // the two axes stay two inputs
      map.setAxes(...map.axes());
      previous = map.axes();
      axesChosen = true;
      onAxes(...map.axes());
      update();
    });
  });

  return { update, setAxes, axes: () => (map ? map.axes() : null) };
}
