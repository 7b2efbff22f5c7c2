"""The preview server of ``showcase serve`` (and of the tests that drive the built site in a browser).

Static files from build/ over HTTP/1.1 (keep-alive, as a real web server), the site's own 404.html for
a missing path, the same content types as a deploy gives them (``showcase.mediatypes``: .wasm and .mjs
for Pagefind, .webp, the Atom feed), no request log. For previews: publish build/ with a real web server.
"""

from __future__ import annotations

import os
import sys
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from showcase.mediatypes import content_type


class PreviewHandler(SimpleHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # every response has a Content-Length

    def guess_type(self, path: str | os.PathLike) -> str:
        return content_type(os.fspath(path))

    def log_message(self, format: str, *args: object) -> None:
        pass

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        page = Path(self.directory) / "404.html"
        if code != 404 or not page.is_file():
            super().send_error(code, message, explain)
            return
        body = page.read_bytes()
        self.send_response(404)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)


class PreviewServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address) -> None:
        if not isinstance(sys.exc_info()[1], ConnectionError):  # a browser closing a connection early
            super().handle_error(request, client_address)


def make_server(build: Path, host: str = "127.0.0.1", port: int = 8000) -> PreviewServer:
    return PreviewServer((host, port), partial(PreviewHandler, directory=str(build)))
