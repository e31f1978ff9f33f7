// Colours the map and its legend share: one hue per class, with the confidence as intensity, and a
// sequential scale (viridis) for a regressor's value.

// Distinct hues that stay apart for common colour-vision deficiencies (Okabe and Ito), then more.
const CLASS_COLOURS = [
  [0, 114, 178], [230, 159, 0], [0, 158, 115], [204, 121, 167], [86, 180, 233], [213, 94, 0], [240, 228, 66],
  [0, 0, 0], [127, 127, 127], [153, 102, 51],
];
const PAPER = [255, 255, 255];
const VIRIDIS = [[68, 1, 84], [59, 82, 139], [33, 145, 140], [94, 201, 98], [253, 231, 37]];

export function classColour(index) {
  return CLASS_COLOURS[index % CLASS_COLOURS.length];
}

function mix(a, b, t) {
  return a.map((v, i) => Math.round(v + (b[i] - v) * t));
}

// The class's hue, faded towards white as the confidence falls to chance (1 / number of classes).
export function confidenceColour(index, probability, classes) {
  const chance = 1 / classes;
  const t = classes > 1 ? Math.max(0, (probability - chance) / (1 - chance)) : 1;
  return mix(PAPER, classColour(index), 0.15 + 0.85 * t);
}

// fraction 0..1 along the value scale (clamped).
export function valueColour(fraction) {
  const f = Math.min(1, Math.max(0, Number.isFinite(fraction) ? fraction : 0)) * (VIRIDIS.length - 1);
  const i = Math.min(VIRIDIS.length - 2, Math.floor(f));
  return mix(VIRIDIS[i], VIRIDIS[i + 1], f - i);
}

export function css([r, g, b]) {
  return `rgb(${r} ${g} ${b})`;
}
