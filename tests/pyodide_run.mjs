// Runs one Python snippet in real Pyodide under Node; driven by tests/pyodide_harness.py.
// stdin: JSON {indexURL, micropip, wheel, code, files: {path: base64}}.
// stdout: whatever the snippet prints. stderr: Pyodide's messages and any traceback.
// Exit status 1 when the snippet raises.
import { readFileSync } from "node:fs";
import { posix } from "node:path";

const spec = JSON.parse(readFileSync(0, "utf8"));
const { loadPyodide } = await import(spec.indexURL + "pyodide.mjs");

const log = (text) => process.stderr.write(text + "\n");
const py = await loadPyodide({ indexURL: spec.indexURL, stdout: (s) => process.stdout.write(s + "\n"), stderr: log });
await py.loadPackage(spec.micropip, { messageCallback: log, errorCallback: log });

// Relative paths are relative to Pyodide's working directory, /home/pyodide.
function writeFile(path, bytes) {
  path = posix.resolve("/home/pyodide", path);
  py.FS.mkdirTree(posix.dirname(path));
  py.FS.writeFile(path, bytes);
}

const wheel = "/tmp/wheels/" + posix.basename(spec.wheel);
writeFile(wheel, readFileSync(spec.wheel));
for (const [path, data] of Object.entries(spec.files)) {
  writeFile(path, Buffer.from(data, "base64"));
}

try {
  await py.runPythonAsync(`import micropip\nawait micropip.install("emfs:${wheel}")`);
  await py.runPythonAsync(spec.code);
} catch (error) {
  log(String(error.message ?? error));
  process.exitCode = 1;
}
