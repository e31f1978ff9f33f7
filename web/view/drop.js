// Your own model: a .bin (and optionally its .json card) dropped on the page or picked with the file input.
// The files are read here, in the tab, and handed to the worker; nothing is sent anywhere.

const MAX_CARD_BYTES = 1024 * 1024;  // as trainer/finf_train/card.py's MAX_CARD_BYTES

// onFiles({model: ArrayBuffer, name, card: text or null, cardName}) for a usable choice; onProblem(text) else.
export function setUpDrop({ input, zone, onFiles, onProblem }) {
  const take = (files) => read([...files]).then(onFiles, (error) => onProblem(error.message));
  input.addEventListener("change", () => {
    if (input.files.length > 0) take(input.files);
    input.value = "";  // the same file picked again is a new choice
  });
  zone.addEventListener("dragover", (event) => {
    if (!event.dataTransfer?.types.includes("Files")) return;
    event.preventDefault();  // a drop target: without this the browser opens the file instead
    zone.classList.add("dragging");
  });
  zone.addEventListener("dragleave", (event) => {
    if (event.relatedTarget === null) zone.classList.remove("dragging");
  });
  zone.addEventListener("drop", (event) => {
    zone.classList.remove("dragging");
    if (!event.dataTransfer?.files.length) return;
    event.preventDefault();
    take(event.dataTransfer.files);
  });
}

async function read(files) {
  const cards = files.filter((f) => f.name.toLowerCase().endsWith(".json"));
  const models = files.filter((f) => !f.name.toLowerCase().endsWith(".json"));
  if (models.length !== 1 || cards.length > 1) {
    throw new Error(`Choose one model file (.bin) and, if you have it, its card (.json); got ${files.length} ` +
      `file${files.length === 1 ? "" : "s"}: ${files.map((f) => f.name).join(", ")}.`);
  }
  const [card] = cards;
  if (card && card.size > MAX_CARD_BYTES) {
    throw new Error(`The model card ${card.name} is ${card.size} bytes; a card is at most ${MAX_CARD_BYTES}.`);
  }
  return {
    model: await models[0].arrayBuffer(), name: models[0].name,
    card: card ? await card.text() : null, cardName: card?.name ?? null,
  };
}
