"""Serve a built finf site on 127.0.0.1, optionally under a sub-path like /finf/ (as GitHub Pages does).

Usage: python scripts/serve.py [--dir dist/site] [--port 8000] [--prefix /finf/]
"""

import argparse
import functools
import gzip
import hashlib
import http.server
import sys
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# The policy index.html declares in its <meta> tag. Sending it as a header too puts the worker,
# which a <meta> tag cannot reach, under the same rules.
CSP = (
    "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; worker-src 'self'; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'"
)
MIME_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".mjs": "text/javascript; charset=utf-8",
    ".json": "application/json",
    ".wasm": "application/wasm",
    ".zip": "application/zip",
    ".whl": "application/zip",
    ".bin": "application/octet-stream",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".ico": "image/x-icon",
}


# Text that compresses well; wheels, zips and wasm are sent as they are.
COMPRESSIBLE = {".html", ".css", ".js", ".mjs", ".json", ".svg"}


@functools.lru_cache(maxsize=64)
def _compressed(path, mtime_ns, size):
    """(ETag, gzip body) of a file, compressed once per version of it (mtime and size name the version)."""
    data = Path(path).read_bytes()
    return f'"{hashlib.sha256(data).hexdigest()[:32]}-gzip"', gzip.compress(data, mtime=0)


class SiteHandler(http.server.SimpleHTTPRequestHandler):
    """Static files from one directory, mounted at prefix; everything else is 404."""

    prefix = "/"
    verbose = True

    def do_GET(self):
        if self._redirect_to_prefix() or (self.path.startswith(self.prefix) and self._send_compressed()):
            return
        super().do_GET()

    def _send_compressed(self):
        """Send a text file gzip-compressed, as static hosts such as GitHub Pages do; False if not applicable."""
        path = Path(self.translate_path(self.path.split("?", 1)[0]))
        accepts = "gzip" in self.headers.get("Accept-Encoding", "")
        if not (accepts and path.suffix.lower() in COMPRESSIBLE and path.is_file()):
            return False
        stat = path.stat()
        etag, body = _compressed(str(path), stat.st_mtime_ns, stat.st_size)
        last_modified = self.date_time_string(int(stat.st_mtime))
        if self.headers.get("If-None-Match") == etag or self.headers.get("If-Modified-Since") == last_modified:
            self.send_response(304)
            self.send_header("ETag", etag)
            self.end_headers()
            return True
        self.send_response(200)
        self.send_header("Content-Type", self.guess_type(str(path)))
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Vary", "Accept-Encoding")
        self.send_header("ETag", etag)
        self.send_header("Last-Modified", last_modified)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
        return True

    def do_HEAD(self):
        if self._redirect_to_prefix():
            return
        super().do_HEAD()

    def _redirect_to_prefix(self):
        path = self.path.split("?", 1)[0]
        if self.prefix != "/" and path in ("/", self.prefix.rstrip("/")):
            self.send_response(301)
            self.send_header("Location", self.prefix)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return True
        return False

    def send_head(self):
        if not self.path.startswith(self.prefix):
            self.send_error(404, "Not under the site's prefix")
            return None
        return super().send_head()

    def translate_path(self, path):
        return super().translate_path("/" + path[len(self.prefix):])

    def guess_type(self, path):
        return MIME_TYPES.get(Path(path).suffix.lower(), "application/octet-stream")

    def end_headers(self):
        self.send_header("Content-Security-Policy", CSP)
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("Cache-Control", "no-cache")
        super().end_headers()

    def log_message(self, format, *args):  # noqa: A002 - the base class's signature
        if self.verbose:
            super().log_message(format, *args)


class SiteServer(http.server.ThreadingHTTPServer):
    def handle_error(self, request, client_address):
        # A browser that closes a tab mid-download is not a server error worth a traceback.
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


def make_server(directory, port=0, prefix="/", verbose=True):
    """An HTTP server for directory at http://127.0.0.1:port{prefix}; port 0 picks a free one."""
    prefix = "/" + prefix.strip("/") + "/" if prefix.strip("/") else "/"
    handler = type("Handler", (SiteHandler,), {"prefix": prefix, "verbose": verbose})
    server = SiteServer(("127.0.0.1", port), functools.partial(handler, directory=str(directory)))
    server.url = f"http://127.0.0.1:{server.server_address[1]}{prefix}"
    return server


def serve_in_thread(directory, prefix="/"):
    """Start make_server on a free port in a daemon thread; the caller calls .shutdown()."""
    server = make_server(directory, 0, prefix, verbose=False)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dir", type=Path, default=ROOT / "dist" / "site", help="site directory (default dist/site)")
    parser.add_argument("--port", type=int, default=8000, help="port on 127.0.0.1 (default 8000; 0 picks one)")
    parser.add_argument("--prefix", default="/", help="URL path the site is served under, e.g. /finf/")
    args = parser.parse_args(argv)
    if not (args.dir / "index.html").is_file():
        print(f"serve: {args.dir}/index.html not found; build the site with scripts/build_site.py", file=sys.stderr)
        return 2
    try:
        server = make_server(args.dir, args.port, args.prefix)
    except OSError as error:
        print(f"serve: cannot listen on 127.0.0.1:{args.port}: {error.strerror}", file=sys.stderr)
        return 2
    print(f"Serving {args.dir} at {server.url}  (Ctrl+C stops)", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
