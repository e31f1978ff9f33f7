// Makes and checks the page's Pyodide memory snapshot under Node; driven by scripts/build_site.py.
//
//   node scripts/snapshot.mjs make  < {indexURL, wheel, glue, key, out}
//     Boots the site's own runtime (indexURL: the directory of its pyodide.mjs, ending in /), unpacks the
//     engine wheel into site-packages, imports finf, every finf submodule and the glue, stores key, checks
//     the heap did not grow and the build id is the runtime's, and writes the snapshot gzip-compressed into
//     the directory out as snapshot-<sha256 prefix>.bin.gz. Prints the site.json entry:
//     {file, bytes, gzip_bytes, build_id, key}.
//   node scripts/snapshot.mjs check < {indexURL, snapshot, entry, model, rows}
//     Restores the snapshot file as the page does (web/snapshot.js), loads the model and prints
//     {probabilities} for the rows.
//
// Exit status 1 with the reason on stderr when anything fails.
import { createHash } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { basename, join } from "node:path";
import { pathToFileURL } from "node:url";
import { gzipSync } from "node:zlib";

import { KEY_GLOBAL, readSnapshot, restore, snapshotBuildId } from "../web/snapshot.js";

// Everything the worker uses once it runs: the engine, the glue and hashlib (the model's sha256 on plain http).
const IMPORTS = `
import hashlib, importlib, pkgutil, sysconfig
import finf
for module in pkgutil.walk_packages(finf.__path__, "finf."):
    importlib.import_module(module.name)
import glue
`;

// Python's output goes to stderr: stdout carries the one JSON answer.
const toStderr = (text) => process.stderr.write(text + "\n");
const quiet = { stdout: toStderr, stderr: toStderr };

function runtimeBuildId(indexURL) {
  // pyodide.mjs carries its build id in its default configuration: BUILD_ID:"<64 hex digits>".
  const found = readFileSync(join(indexURL, "pyodide.mjs"), "utf8").match(/BUILD_ID:"([0-9a-f]{64})"/);
  if (!found) throw new Error(`${indexURL}pyodide.mjs names no BUILD_ID`);
  return found[1];
}

async function make(spec) {
  const { loadPyodide } = await import(pathToFileURL(join(spec.indexURL, "pyodide.mjs")).href);
  const pyodide = await loadPyodide({ indexURL: spec.indexURL, _makeSnapshot: true, ...quiet });
  const heap = pyodide._module.HEAP8.length;
  // Unpacked by hand: micropip or loadPackage here would leave proxies a snapshot cannot hold.
  const sitePackages = pyodide.runPython("import sysconfig; sysconfig.get_paths()['purelib']");
  pyodide.unpackArchive(new Uint8Array(readFileSync(spec.wheel)), "wheel", { extractDir: sitePackages });
  pyodide.FS.writeFile(join(sitePackages, "glue.py"), readFileSync(spec.glue));
  pyodide.runPython(IMPORTS);
  pyodide.globals.set(KEY_GLOBAL, spec.key);
  // A heap that grew past its initial size makes a snapshot that does not restore (Pyodide issue 6254).
  if (pyodide._module.HEAP8.length !== heap) {
    throw new Error(`the Python heap grew from ${heap} to ${pyodide._module.HEAP8.length} bytes before the snapshot`);
  }
  const snapshot = pyodide.makeMemorySnapshot();
  const buildId = snapshotBuildId(snapshot);
  const shipped = runtimeBuildId(spec.indexURL);
  if (buildId !== shipped) throw new Error(`the snapshot's build id ${buildId} is not the runtime's ${shipped}`);
  const compressed = gzipSync(snapshot, { level: 9 });
  const file = `snapshot-${createHash("sha256").update(compressed).digest("hex").slice(0, 16)}.bin.gz`;
  writeFileSync(join(spec.out, file), compressed);
  return { file, bytes: snapshot.length, gzip_bytes: compressed.length, build_id: buildId, key: spec.key };
}

async function check(spec) {
  const { loadPyodide } = await import(pathToFileURL(join(spec.indexURL, "pyodide.mjs")).href);
  const response = new Response(readFileSync(spec.snapshot));
  const { pyodide, glue } = await restore(loadPyodide, { indexURL: spec.indexURL, ...quiet },
    readSnapshot(response, spec.entry), spec.entry);
  pyodide.FS.writeFile("/tmp/model.bin", readFileSync(spec.model));
  const loaded = JSON.parse(glue.load_model("/tmp/model.bin", basename(spec.model)));
  if (loaded.error) throw new Error(loaded.error);
  return { probabilities: spec.rows.map((row) => JSON.parse(glue.predict(JSON.stringify(row))).probabilities) };
}

const commands = { make, check };
const command = commands[process.argv[2]];
if (!command) {
  process.stderr.write("usage: node scripts/snapshot.mjs make|check < spec.json\n");
  process.exit(2);
}
try {
  const result = await command(JSON.parse(readFileSync(0, "utf8")));
  process.stdout.write(JSON.stringify(result) + "\n");
} catch (error) {
  process.stderr.write(`${error.message ?? error}\n`);
  process.exitCode = 1;
}
