// Batched requests to the worker (a map, response curves): one slot per kind of request. Only the newest
// request of a slot gets its answer; an older one resolves to null and is never drawn, and the worker stops
// computing it once the newer one arrives.

export function batchClient(post) {
  let nextId = 1;
  const latest = new Map();  // slot -> id of its newest request
  const pending = new Map();  // id -> {slot, resolve}

  // Resolves to the worker's answer ({probabilities} or {values}, or {error}), or null when replaced.
  function request(slot, rows) {
    const id = nextId++;
    latest.set(slot, id);
    return new Promise((resolve) => {
      pending.set(id, { slot, resolve });
      post({ type: "batch", id, slot, rows });
    });
  }

  function onResult(message) {
    const entry = pending.get(message.id);
    if (!entry) return;
    pending.delete(message.id);
    entry.resolve(message.dropped || latest.get(entry.slot) !== message.id ? null : message);
  }

  // Forget every request: a new model replaces the one they were for.
  function reset() {
    for (const { resolve } of pending.values()) resolve(null);
    pending.clear();
    latest.clear();
  }

  return { request, onResult, reset };
}
