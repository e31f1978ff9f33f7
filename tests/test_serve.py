"""scripts/serve.py: the static server the demo and the browser tests use."""

import gzip
import sys
import urllib.error
import urllib.request
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "scripts"))
from serve import serve_in_thread  # noqa: E402 - scripts/ is not a package

SCRIPT = b"export const answer = 42;\n" * 100
WHEEL = bytes(range(256)) * 8


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    site = tmp_path_factory.mktemp("site")
    (site / "main.js").write_bytes(SCRIPT)
    (site / "engine.whl").write_bytes(WHEEL)
    server = serve_in_thread(site, prefix="/finf/")
    yield server
    server.shutdown()


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def get(url, **headers):
    try:
        opener = urllib.request.build_opener(NoRedirect)
        with opener.open(urllib.request.Request(url, headers=headers)) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, b""


def test_text_is_sent_gzip_compressed_to_clients_that_accept_it(server):
    status, headers, body = get(server.url + "main.js", **{"Accept-Encoding": "gzip, br"})
    assert status == 200
    assert headers["Content-Encoding"] == "gzip"
    assert headers["Content-Type"].startswith("text/javascript")
    assert gzip.decompress(body) == SCRIPT
    assert len(body) < len(SCRIPT) // 10


def test_text_is_sent_as_it_is_to_clients_that_do_not_accept_gzip(server):
    status, headers, body = get(server.url + "main.js")
    assert (status, headers["Content-Encoding"], body) == (200, None, SCRIPT)


def test_a_compressed_file_is_revalidated_by_its_etag(server):
    _, headers, _ = get(server.url + "main.js", **{"Accept-Encoding": "gzip"})
    status, _, body = get(server.url + "main.js", **{"Accept-Encoding": "gzip", "If-None-Match": headers["ETag"]})
    assert (status, body) == (304, b"")


def test_wheels_are_sent_uncompressed(server):
    status, headers, body = get(server.url + "engine.whl", **{"Accept-Encoding": "gzip"})
    assert (status, headers["Content-Encoding"], body) == (200, None, WHEEL)


def test_the_prefix_without_its_slash_redirects_to_it(server):
    status, headers, _ = get(server.url.rstrip("/"))
    assert (status, headers["Location"]) == (301, "/finf/")


@pytest.mark.parametrize("path", ["/main.js", "/other/main.js", "/finf/missing.js"])
def test_paths_outside_the_prefix_or_missing_are_404(server, path):
    root = server.url[: -len("/finf/")]
    assert get(root + path, **{"Accept-Encoding": "gzip"})[0] == 404
    assert get(root + path)[0] == 404
