// A classic script, which browsers run even in a page opened from the file system, where they refuse to
// load the module main.js: instead of "Loading…" forever, the page says how to serve it.
if (location.protocol === "file:") {
  // file:///C:/site/index.html names the folder C:/site/ on Windows.
  const folder = decodeURIComponent(location.pathname.replace(/[^/]*$/, "")).replace(/^\/(?=[A-Za-z]:\/)/, "");
  const quoted = /^[\w./-]+$/.test(folder) ? folder : `'${folder.replaceAll("'", "'\\''")}'`;
  const status = document.getElementById("status");
  document.documentElement.dataset.state = "error";
  status.classList.add("error");
  status.textContent = "Error: this page must be served over http(s); browsers do not run its scripts from a " +
    `file. Serve it with: python3 -m http.server 8000 --directory ${quoted} and open http://localhost:8000/`;
}
