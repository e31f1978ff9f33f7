// Shareable state: the input values and the map's axes live in the URL fragment, so a link opens the page at the
// same prediction:  #values=5.1,3.5,1.4,0.2&map=2,3  (values in the card's feature order, each URI-encoded;
// an empty value is a missing category; a text model's one value is its text; map is the across and up inputs,
// by position).
// A link's values are used where they fit: a number outside its input's range is clamped to it, anything else
// that does not fit is ignored; either way a note says so. A link never stops the page.

const SAVE_AFTER_MS = 300;  // browsers throttle history.replaceState; a dragged slider writes once it rests

// {values, axes} from the fragment, each null when it has none. Split before decoding: a category's name may
// hold a comma (sent as %2C).
export function readLink(hash = location.hash) {
  const parts = new Map(hash.replace(/^#/, "").split("&").map((part) => {
    const at = part.indexOf("=");
    return at < 0 ? [part, ""] : [part.slice(0, at), part.slice(at + 1)];
  }));
  const list = (key) => (parts.has(key) ? parts.get(key).split(",").map(decode) : null);
  return { values: list("values"), axes: list("map")?.map(Number) ?? null };
}

function decode(text) {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;  // a stray % in a hand-edited link: the value is then refused with a note, as any other
  }
}

// Sets the inputs from the link's values; returns the notes on what was clamped or ignored.
export function applyValues(inputs, values) {
  const notes = [];
  if (values === null) return notes;
  if (values.length !== inputs.length) {
    const rest = values.length > inputs.length ? "the extra ones are ignored" : "the others keep their defaults";
    notes.push(`The link gives ${values.length} values for ${inputs.length} inputs; ${rest}.`);
  }
  inputs.forEach((input, i) => {
    if (i >= values.length || input.control === null) return;
    const setters = { categorical: setCategory, text: setText };
    const note = (setters[input.feature.kind] ?? setNumber)(input, values[i]);
    if (note) notes.push(note);
  });
  return notes;
}

function name(feature) {
  return feature.label || feature.name;
}

function setNumber({ feature, control, changed }, text) {
  const value = Number(text);
  if (text.trim() === "" || !Number.isFinite(value)) {
    return `The link's value for ${name(feature)}, "${text}", is not a number; it is ignored.`;
  }
  const clamped = Math.min(feature.max, Math.max(feature.min, value));
  control.value = String(clamped);
  changed?.();
  if (clamped === value) return null;
  const where = value < feature.min ? "below" : "above";
  return `The link's value for ${name(feature)}, ${text}, is ${where} its range; it is set to ` +
    `${clamped}${feature.unit ? ` ${feature.unit}` : ""}.`;
}

function setText({ control }, text) {
  control.value = text;  // any text is a text model's input
  return null;
}

function setCategory({ feature, control }, text) {
  if (text === "" && feature.fill !== null) {
    control.value = "";
    return null;
  }
  if (!feature.categories.includes(text)) {
    return `The link's value for ${name(feature)}, "${text}", is not one of its categories; it is ignored.`;
  }
  control.value = text;
  return null;
}

// The fragment for the inputs as they are now, and the map's axes (or null).
export function linkFor(inputs, axes) {
  const values = inputs.map(({ control, feature }) => {
    if (control === null) return String(feature.min);
    return encodeURIComponent(control.value);
  });
  return `#values=${values.join(",")}${axes ? `&map=${axes.join(",")}` : ""}`;
}

// save(inputs, axes): writes the fragment once the inputs rest, without a new history entry.
export function linkSaver() {
  let timer = null;
  return (inputs, axes) => {
    clearTimeout(timer);
    timer = setTimeout(() => history.replaceState(null, "", linkFor(inputs, axes)), SAVE_AFTER_MS);
  };
}
