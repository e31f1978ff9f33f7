// The service worker: keeps one whole build of the site in this browser, so the page starts without the
// network and never runs with files from two builds.
//
// site.json names the build and lists every file of it with its sha256 (scripts/build_site.py writes it).
// A build is saved whole, each file checked against its sha256, in the cache "finf <scope> <build>";
// site.json goes in last, so a cache that holds it is complete. Every navigation first asks the server for
// site.json (a few hundred bytes, given up after MANIFEST_TIMEOUT_MS): a new build is saved and switched to
// before the page is answered, so a rebuilt site shows on the next load, and older finf caches of this scope
// are deleted. Without a network the saved build answers. Files are then served from the cache only.
// A page, and the worker it starts, are answered from the build the page came from, never from another.
//
// Messages: {type: "has-build", build} on a MessagePort -> {cached: true|false}
//           to every page, when installing fails: {type: "not-saved", text}

const MANIFEST = "site.json";
const MANIFEST_TIMEOUT_MS = 3000;
const SCOPE = new URL(self.registration.scope);
const PREFIX = `finf ${SCOPE.pathname} `;  // two finf sites on one origin keep their own caches
// Headers that described the bytes on the wire; a cached response holds the decoded bytes.
const WIRE_HEADERS = ["content-encoding", "content-length", "transfer-encoding"];

// client id -> build id that client's files come from. Kept in memory: a page loads its files within seconds
// of its navigation, while this worker is running; a client it does not know gets the newest build.
const pins = new Map();
let newest = null;       // promise of the newest complete build {build, cache, files}, or of null

function siteURL(name) {
  return new URL(name, SCOPE).href;
}

// The site file a URL names ("" is the directory, answered with index.html), or null outside the scope.
function fileOf(url) {
  const { origin, pathname } = new URL(url);
  if (origin !== SCOPE.origin || !pathname.startsWith(SCOPE.pathname)) return null;
  const name = decodeURIComponent(pathname.slice(SCOPE.pathname.length));
  return name === "" ? "index.html" : name;
}

function validManifest(manifest) {
  return manifest !== null && typeof manifest === "object" && typeof manifest.build === "string" &&
    /^[0-9a-f]{8,64}$/.test(manifest.build) && manifest.files !== null && typeof manifest.files === "object";
}

async function openBuild(name) {
  if (!(await caches.has(name))) return null;  // caches.open would create it
  const cache = await caches.open(name);
  const response = await cache.match(siteURL(MANIFEST));
  if (!response) return null;
  return { build: name.slice(PREFIX.length), cache, files: (await response.json()).files };
}

async function findNewest() {
  const names = (await caches.keys()).filter((name) => name.startsWith(PREFIX));
  for (const name of names.reverse()) {  // keys() lists caches oldest first
    const found = await openBuild(name);
    if (found) return found;
  }
  return null;
}

function current() {
  newest ??= findNewest();
  return newest;
}

// site.json from the server, or null when the network does not answer in time or answers nonsense.
async function serverManifest() {
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), MANIFEST_TIMEOUT_MS);
  try {
    const response = await fetch(siteURL(MANIFEST), { cache: "no-store", signal: abort.signal });
    if (!response.ok) return null;
    const text = await response.text();
    const manifest = JSON.parse(text);
    return validManifest(manifest) ? { manifest, text, headers: response.headers } : null;
  } catch {
    return null;
  } finally {
    clearTimeout(timer);
  }
}

function keptHeaders(headers) {
  const kept = new Headers(headers);
  for (const name of WIRE_HEADERS) kept.delete(name);
  return kept;
}

async function sha256Hex(buffer) {
  const digest = await crypto.subtle.digest("SHA-256", buffer);
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}

async function saveFile(cache, name, sha256, previous) {
  if (previous?.files[name] === sha256) {
    const saved = await previous.cache.match(siteURL(name));
    if (saved) return cache.put(siteURL(name), saved);
  }
  // no-cache: the HTTP cache may answer, but only after the server confirms it is current.
  const response = await fetch(siteURL(name), { cache: "no-cache" });
  if (!response.ok) throw new Error(`${name} answered HTTP ${response.status}`);
  const digest = await sha256Hex(await response.clone().arrayBuffer());
  if (digest !== sha256) throw new Error(`${name} has sha256 ${digest}, site.json says ${sha256}`);
  // The response itself, not a copy: it keeps its URL, to which Chromium ties its compiled-wasm cache.
  return cache.put(siteURL(name), response);
}

// Save every file of a build, reusing unchanged files of the previous one; site.json last marks it complete.
async function saveBuild({ manifest, text, headers }, previous) {
  const name = PREFIX + manifest.build;
  const cache = await caches.open(name);
  try {
    await Promise.all(Object.entries(manifest.files).map(([file, sha256]) => saveFile(cache, file, sha256, previous)));
    await cache.put(siteURL(MANIFEST), new Response(text, { headers: keptHeaders(headers) }));
  } catch (error) {
    await caches.delete(name);
    throw error;
  }
  return { build: manifest.build, cache, files: manifest.files };
}

async function deleteOlderBuilds(keep) {
  for (const name of await caches.keys()) {
    if (name.startsWith(PREFIX) && name !== PREFIX + keep) await caches.delete(name);
  }
  for (const [client, build] of pins) {
    if (build !== keep && !(await self.clients.get(client))) pins.delete(client);
  }
}

let saving = null;  // one build is saved at a time
let lastFailure = null;  // why the last build could not be saved, in words

// The build to answer a navigation with: the server's, once saved whole, else the newest saved one.
async function update() {
  const now = await current();
  const server = await serverManifest();
  if (server === null || server.manifest.build === now?.build) return now;
  saving ??= saveBuild(server, now).then((saved) => {
    newest = Promise.resolve(saved);
    return deleteOlderBuilds(saved.build).then(() => saved);
  }).finally(() => { saving = null; });
  try {
    return await saving;
  } catch (error) {
    lastFailure = `saving build ${server.manifest.build} failed: ${error.message}`;
    console.warn(`finf: ${lastFailure}`);
    return current();
  }
}

function unavailable(text) {
  return new Response(text, { status: 503, statusText: "Unavailable", headers: { "Content-Type": "text/plain" } });
}

async function answer(request, found, name) {
  if (found === null || !(name in found.files || name === MANIFEST)) return fetch(request);
  const response = await found.cache.match(siteURL(name));
  return response ?? unavailable(`${name} is missing from the saved build ${found.build}: reload the page.`);
}

async function navigate(event, name) {
  const found = await update();
  if (found && event.resultingClientId) pins.set(event.resultingClientId, found.build);
  return answer(event.request, found, name);
}

async function subresource(event, name) {
  const build = pins.get(event.clientId);
  let found;
  if (build === undefined) {
    found = await current();  // a client from before this service worker started: the newest build
  } else {
    found = await openBuild(PREFIX + build);
    if (found === null) {
      return unavailable(`This page's build (${build}) of the site was replaced by a newer one: reload the page.`);
    }
  }
  // A worker's files come from the build of the page that started it.
  if (found && event.resultingClientId) pins.set(event.resultingClientId, found.build);
  return answer(event.request, found, name);
}

self.addEventListener("fetch", (event) => {
  if (event.request.method !== "GET") return;
  const name = fileOf(event.request.url);
  if (name === null) return;
  event.respondWith(event.request.mode === "navigate" ? navigate(event, name) : subresource(event, name));
});

// Install only with a whole build saved; otherwise tell the pages why, since they see only a failed install.
self.addEventListener("install", (event) => {
  event.waitUntil(update().then(async (found) => {
    if (found !== null) return self.skipWaiting();
    const text = lastFailure ?? `${MANIFEST} could not be downloaded`;
    for (const client of await self.clients.matchAll({ includeUncontrolled: true })) {
      client.postMessage({ type: "not-saved", text });
    }
    throw new Error(`finf: ${text}`);
  }));
});

self.addEventListener("message", (event) => {
  if (event.data?.type !== "has-build" || !event.ports[0]) return;
  event.waitUntil(openBuild(PREFIX + event.data.build).then(
    (found) => event.ports[0].postMessage({ cached: found !== null }),
    () => event.ports[0].postMessage({ cached: false })));
});
