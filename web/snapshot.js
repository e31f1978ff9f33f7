// Booting Pyodide from the site's memory snapshot: the Python heap saved right after the engine and the glue
// were imported (scripts/snapshot.mjs makes it), so a visitor skips micropip and every import.
// Used by worker.js in the page and by scripts/snapshot.mjs under Node, which checks each snapshot it builds.
//
// The snapshot options of loadPyodide (_loadSnapshot, _makeSnapshot) are private to Pyodide and a snapshot
// restores only in the Pyodide build that made it. Every restore starts from the same state: restore()
// reseeds `random`, but str hashes (PYTHONHASHSEED) stay those of the snapshot. site.json describes it:
//   {file, bytes, gzip_bytes, build_id, key}   file: gzip-compressed, bytes and gzip_bytes: its size
//     uncompressed and as shipped, build_id: the Pyodide build that made it, key: what it holds (KEY_GLOBAL)

// Pyodide's snapshot header: uint32 magic, then at byte 16 the build id as 8 uint32 words (pyodide.asm.mjs).
const MAGIC = 1886286592;
const BUILD_ID_OFFSET = 16;
const HEADER_BYTES = 48;
const MAX_BYTES = 2 ** 31;  // far above any real snapshot: Pyodide's heap starts at 30 MiB
// The builder stores the snapshot's key in this __main__ global: the wheel's and the glue's sha256.
export const KEY_GLOBAL = "finf_snapshot_key";

export class SnapshotError extends Error {}

// The build id Pyodide wrote into the snapshot's header, as Pyodide spells it (64 hex digits).
export function snapshotBuildId(bytes) {
  if (bytes.byteLength < HEADER_BYTES) throw new SnapshotError(`is ${bytes.byteLength} bytes, too short for a header`);
  const words = new Uint32Array(bytes.buffer, bytes.byteOffset, HEADER_BYTES / 4);
  if (words[0] !== MAGIC) throw new SnapshotError("does not start with Pyodide's snapshot magic number");
  return Array.from(words.subarray(BUILD_ID_OFFSET / 4), (w) => w.toString(16).padStart(8, "0")).join("");
}

// The snapshot bytes from a fetch Response of the gzip file, decompressed while they arrive.
export async function readSnapshot(response, entry) {
  if (!Number.isSafeInteger(entry.bytes) || entry.bytes < HEADER_BYTES || entry.bytes > MAX_BYTES) {
    throw new SnapshotError(`has no usable size in site.json (bytes: ${entry.bytes})`);
  }
  const bytes = new Uint8Array(entry.bytes);
  let filled = 0;
  try {
    const reader = response.body.pipeThrough(new DecompressionStream("gzip")).getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      if (filled + value.length > bytes.length) {
        throw new SnapshotError(`is larger than the ${entry.bytes} bytes site.json says`);
      }
      bytes.set(value, filled);
      filled += value.length;
    }
  } catch (error) {
    if (error instanceof SnapshotError) throw error;
    throw new SnapshotError(`could not be decompressed: ${error.message}`);
  }
  if (filled !== bytes.length) throw new SnapshotError(`is ${filled} bytes, site.json says ${entry.bytes}`);
  const buildId = snapshotBuildId(bytes);
  if (buildId !== entry.build_id) throw new SnapshotError(`has build id ${buildId}, site.json says ${entry.build_id}`);
  return bytes;
}

// loadPyodide(options) restored from the snapshot (or a promise of its bytes), checked to hold what
// entry.key says, with `random` seeded afresh. Pyodide refuses a snapshot of another build itself.
export async function restore(loadPyodide, options, snapshot, entry) {
  // loadPyodide awaits the snapshot only once its own script has loaded; a failure before that is handled here.
  Promise.resolve(snapshot).catch(() => {});
  let pyodide;
  try {
    pyodide = await loadPyodide({ ...options, _loadSnapshot: snapshot });
  } catch (error) {
    if (error instanceof SnapshotError) throw error;
    throw new SnapshotError(`could not be restored: ${String(error?.message ?? error).trim().split("\n")[0]}`);
  }
  const key = pyodide.globals.get(KEY_GLOBAL);
  if (key !== entry.key) throw new SnapshotError(`holds the key ${key ?? "(none)"}, site.json says ${entry.key}`);
  const glue = pyodide.pyimport("glue");
  const seed = crypto.getRandomValues(new Uint8Array(32));
  glue.reseed(Array.from(seed, (b) => b.toString(16).padStart(2, "0")).join(""));
  return { pyodide, glue };
}
