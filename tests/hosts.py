"""Real static hosts for the built site: Debian's nginx with its stock mime.types, and python3 -m http.server.

Each runs as a child process in the foreground on a free port of 127.0.0.1 (no root needed) and is stopped
when its `with` block ends.
"""

import contextlib
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NGINX_MIME_FIX = ROOT / "docs" / "nginx-mime.conf"
STOCK_MIME_TYPES = Path("/etc/nginx/mime.types")
START_TIMEOUT_S = 20

# As Debian's /etc/nginx/nginx.conf has it: mime.types, then conf.d/*.conf (where the fix goes), inside http {}.
NGINX_CONF = """\
daemon off;
master_process off;
pid {work}/nginx.pid;
error_log stderr;
events {{}}
http {{
    include {mime_types};
    {fix}
    default_type application/octet-stream;
    access_log off;
    client_body_temp_path {work}/body;
    proxy_temp_path {work}/proxy;
    fastcgi_temp_path {work}/fastcgi;
    uwsgi_temp_path {work}/uwsgi;
    scgi_temp_path {work}/scgi;
    server {{
        listen 127.0.0.1:{port};
        location {prefix} {{
            alias {site}/;
        }}
    }}
}}
"""


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def nginx_binary():
    found = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)
    if found is None or not STOCK_MIME_TYPES.is_file():
        raise RuntimeError("nginx is not installed; scripts/test installs Debian's nginx")
    return found


def _wait_listening(process, log, port, what):
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            log.seek(0)
            raise RuntimeError(f"{what} exited with {process.returncode}:\n{log.read()}")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=1):
            return
        time.sleep(0.1)
    raise RuntimeError(f"{what} did not listen on 127.0.0.1:{port} within {START_TIMEOUT_S} s")


@contextlib.contextmanager
def _running(command, port, what):
    # A file, not a pipe: a server logging every request would fill a pipe nobody reads and stall.
    log = tempfile.TemporaryFile(mode="w+")
    process = subprocess.Popen(command, stdout=log, stderr=log, text=True)
    try:
        _wait_listening(process, log, port, what)
        yield process
    finally:
        stop(process)
        log.close()


def stop(process):
    """Terminate a child process, and kill it if it has not ended within 10 seconds."""
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@contextlib.contextmanager
def nginx(site, work, prefix="/finf/", fix=True):
    """Serve site with nginx at http://127.0.0.1:PORT{prefix}, with docs/nginx-mime.conf or without (fix)."""
    work = Path(work)
    work.mkdir(parents=True, exist_ok=True)
    port = free_port()
    conf = work / "nginx.conf"
    conf.write_text(NGINX_CONF.format(work=work, mime_types=STOCK_MIME_TYPES, port=port, prefix=prefix,
                                      site=Path(site).resolve(),
                                      fix=f"include {NGINX_MIME_FIX};" if fix else ""), encoding="utf-8")
    command = [nginx_binary(), "-p", str(work), "-c", str(conf), "-e", "stderr"]
    with _running(command, port, "nginx"):
        yield f"http://127.0.0.1:{port}{prefix}"


@contextlib.contextmanager
def http_server(site):
    """Serve site with `python3 -m http.server` at http://127.0.0.1:PORT/, as the page tells file:// visitors."""
    port = free_port()
    command = [sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1", "--directory", str(site)]
    with _running(command, port, "python3 -m http.server"):
        yield f"http://127.0.0.1:{port}/"
