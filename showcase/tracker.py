"""The click tracker: ``GET /go/<key>`` -> the click stored -> 302 to the offer's deep link.

``make_app(site)`` is a plain WSGI app; ``serve(site, host, port)`` runs it on waitress until SIGTERM
or Ctrl-C (``showcase track``). With ``links.mode: tracker`` the storefront's buy links are
``<tracker_url>/go/<key>?from=<page>``.

Routes
------
``GET|HEAD /go/<key>`` (a trailing ``/`` is accepted, like the static redirect pages)
    * a live offer: a fresh click id (``clicks.new_click_id()``: 22 base62 characters, 7 of time
      and 15 from ``secrets``, about 89 random bits) becomes the sub-id of the offer's deep link,
      ``LinkBuilder(program, network).link(url, click_id)``; the click is committed to the store,
      and only then the answer goes out: ``302`` with that ``Location`` (so every answered click
      is in the store, whatever happens to the process afterwards). Bots, prefetches and HEADs
      are redirected too, and stored flagged (``clicks.classify``).
    * a gone offer (the shop no longer lists it): ``302`` to its product page on the site,
      ``<base_url>p/<slug>/`` (it says "not available" and shows alternatives); no click is stored,
      since no shop link was followed.
    * anything else (unknown key, a key that is not ``<feed>.<offer id>`` made of URL-safe
      characters, a program site.yml no longer defines): ``404`` with a link to the home page.
      The tracker only ever redirects to a deep link built from the catalog's offer URL, to the
      site's product page or to nothing: the request cannot choose the target (no open redirect).
``GET /healthz``: ``200 ok`` (``503`` while stopping or when the click writer died).
``GET /robots.txt``: disallows everything.

Responses to ``/go/`` carry ``Cache-Control: no-store`` (every click reaches the tracker),
``X-Robots-Tag: noindex, nofollow`` and ``Referrer-Policy: strict-origin-when-cross-origin``: the
network sees the storefront's origin (enough for the networks that check where traffic comes from)
and never the page's path; we found no network that needs more.

When a click cannot be stored (disk full, a store locked for over 10 s), the answer is ``503`` with
``Retry-After``: a shopper can retry, and no unrecorded click goes out.

The catalog is read through ``clicks.CatalogLookup`` (read-only, cached, dropped on every catalog
commit): an import that marks an offer gone takes effect on the next request. site.yml is read at
start: restart the tracker after changing networks or programs.

Stopping
--------
On SIGTERM or SIGINT: stop accepting connections and reading requests, let the requests already
read finish and their answers go out, close every connection once it is idle, commit the last
clicks, exit 0; at most ``drain_timeout`` seconds. A request a keep-alive client sent after that
point gets the connection closed without an answer (and is not a click): clients retry.

Put the tracker behind a reverse proxy (nginx) and pass ``--trusted-proxy`` so the client address
comes from ``X-Forwarded-For``.
"""

from __future__ import annotations

import html
import json
import logging
import re
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from urllib.parse import quote

from showcase.clicks import (
    CatalogLookup,
    Click,
    ClickStore,
    ClickStoreError,
    ClickWriter,
    IpHasher,
    classify,
    load_salt,
    new_click_id,
    page_param,
    referrer_host,
    store_path,
    utc_now,
)
from showcase.links import LinkError, builders_for

log = logging.getLogger("showcase.tracker")

_GO = re.compile(r"/go/([a-z0-9][a-z0-9_-]{0,63}\.[A-Za-z0-9_-]{1,40})/?")
_NOT_FOUND_TEXT = {"ru": ("Ссылка не найдена", "Такого товара здесь нет или ссылка устарела.",
                          "Перейти на главную страницу"),
                   "en": ("Link not found", "This offer is not here, or the link is out of date.",
                          "Go to the home page")}
_REDIRECT_HEADERS = [("Cache-Control", "no-store"), ("Referrer-Policy", "strict-origin-when-cross-origin"),
                     ("X-Robots-Tag", "noindex, nofollow"), ("Content-Length", "0")]
_URI_SAFE = "!#$%&'()*+,-./:;=?@[]_~"

Environ = dict
StartResponse = Callable


class Tracker:
    """The WSGI app (thread-safe). ``close()`` commits pending clicks and closes the files."""

    def __init__(self, site, *, store: Path | str | None = None, synchronous: str = "NORMAL"):
        config = site.config
        self.base_url = config.site.base_url
        self.hash_ip = IpHasher(load_salt(site))
        self.lookup = CatalogLookup(site.catalog_path)
        try:
            self.store = ClickStore(store or store_path(site), synchronous=synchronous)
        except BaseException:
            self.lookup.close()
            raise
        self.writer = ClickWriter(self.store)
        self.builders = builders_for(config)
        self.stopping = False
        self._warned: set[str] = set()
        title, text, home = _NOT_FOUND_TEXT.get(config.site.language, _NOT_FOUND_TEXT["en"])
        self._not_found = (f'<!doctype html>\n<html lang="{config.site.language}"><head><meta charset="utf-8">'
                           f'<meta name="robots" content="noindex"><meta name="viewport" '
                           f'content="width=device-width, initial-scale=1"><title>{title}</title></head>\n'
                           f"<body><h1>{title}</h1><p>{text}</p>\n"
                           f'<p><a href="{html.escape(self.base_url)}">{home}</a></p></body></html>\n').encode()

    def close(self) -> None:
        self.writer.close()
        self.store.close()
        self.lookup.close()

    # --- WSGI ----------------------------------------------------------------------------------------
    def __call__(self, environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
        method = environ.get("REQUEST_METHOD", "GET")
        path = environ.get("PATH_INFO", "")
        if method not in ("GET", "HEAD"):
            return self._respond(start_response, "405 Method Not Allowed", [("Allow", "GET, HEAD")], b"", method)
        if path.startswith("/go/"):
            return self._go(environ, start_response, method, path)
        if path == "/healthz":
            ok = self.writer.alive and not self.stopping
            body = json.dumps({"status": "ok" if ok else ("stopping" if self.stopping else "writer down"),
                               "clicks": self.writer.committed, "commits": self.writer.batches,
                               "checkpoint_pause_max_ms": round(self.writer.pause_max * 1000, 1)}).encode()
            return self._respond(start_response, "200 OK" if ok else "503 Service Unavailable",
                                 [("Content-Type", "application/json"), ("Cache-Control", "no-store")], body, method)
        if path == "/robots.txt":
            return self._respond(start_response, "200 OK", [("Content-Type", "text/plain")],
                                 b"User-agent: *\nDisallow: /\n", method)
        return self._not_found_response(start_response, method)

    def _go(self, environ: Environ, start_response: StartResponse, method: str, path: str) -> Iterable[bytes]:
        m = _GO.fullmatch(path)
        ref = self.lookup.get(m.group(1)) if m else None
        if ref is None:
            return self._not_found_response(start_response, method)
        if ref.gone:
            if not ref.slug:
                return self._not_found_response(start_response, method)
            return self._respond(start_response, "302 Found",
                                 [("Location", f"{self.base_url}p/{quote(ref.slug)}/"), *_REDIRECT_HEADERS], b"",
                                 method)
        builder = self.builders.get(ref.program)
        click_id = new_click_id()
        try:
            if builder is None:
                raise LinkError(f"program {ref.program!r} is not in site.yml")
            if isinstance(builder, LinkError):
                raise builder
            target = builder.link(ref.url, click_id)
        except LinkError as e:
            if ref.key not in self._warned and len(self._warned) < 1000:
                self._warned.add(ref.key)
                log.warning("/go/%s: no deep link: %s", ref.key, e)
            return self._not_found_response(start_response, method)
        if not target.isascii():
            target = quote(target, safe=_URI_SAFE)
        click = Click(click_id, utc_now(), ref.key, ref.feed, ref.offer_id, ref.row, ref.product_id, ref.program,
                      page_param(environ.get("QUERY_STRING", "")), referrer_host(environ.get("HTTP_REFERER", "")),
                      classify(method, environ.get("HTTP_USER_AGENT", ""), environ),
                      self.hash_ip(environ.get("REMOTE_ADDR", "")))
        try:
            self.writer.write(click)
        except ClickStoreError as e:
            log.error("click not stored: %s", e)
            return self._respond(start_response, "503 Service Unavailable",
                                 [("Retry-After", "1"), ("Cache-Control", "no-store"),
                                  ("Content-Type", "text/plain; charset=utf-8")],
                                 b"The link is busy for a moment: please try again.\n", method)
        return self._respond(start_response, "302 Found", [("Location", target), *_REDIRECT_HEADERS], b"", method)

    def _not_found_response(self, start_response: StartResponse, method: str) -> Iterable[bytes]:
        return self._respond(start_response, "404 Not Found",
                             [("Content-Type", "text/html; charset=utf-8"), ("Cache-Control", "no-store"),
                              ("X-Robots-Tag", "noindex")], self._not_found, method)

    def _respond(self, start_response: StartResponse, status: str, headers: list, body: bytes,
                 method: str) -> Iterable[bytes]:
        if not any(name == "Content-Length" for name, _ in headers):
            headers = [*headers, ("Content-Length", str(len(body)))]
        start_response(status, headers)
        return [b""] if method == "HEAD" else [body]


def make_app(site, **kw) -> Tracker:
    """The tracker's WSGI app for ``site`` (see ``Tracker``)."""
    return Tracker(site, **kw)


# --- serving -----------------------------------------------------------------------------------------


def serve(site, host: str = "127.0.0.1", port: int = 8080, *, threads: int = 8, trusted_proxy: str | None = None,
          synchronous: str = "NORMAL", drain_timeout: float = 10.0,
          on_ready: Callable[[str], None] | None = None) -> Tracker:
    """Serve the tracker with waitress until SIGTERM or SIGINT, then drain (see the module docs) and
    return the closed app (its ``writer`` counts the clicks committed). Call from the main thread."""
    import waitress
    from waitress import wasyncore
    from waitress.channel import HTTPChannel
    from waitress.server import BaseWSGIServer

    logging.getLogger("waitress.queue").setLevel(logging.ERROR)  # "Task queue depth" on every queued request
    # Hand the GIL over every 1 ms instead of 5: waitress's I/O thread and the workers take turns
    # faster. Measured with a trivial app and wrk -c32: p99 fell from 70-140 ms to about 10 ms.
    switch_interval = sys.getswitchinterval()
    sys.setswitchinterval(0.001)
    app = make_app(site, synchronous=synchronous)
    proxy = {}
    if trusted_proxy:
        proxy = {"trusted_proxy": trusted_proxy, "trusted_proxy_count": 1,
                 "trusted_proxy_headers": {"x-forwarded-for", "x-forwarded-proto", "x-forwarded-host"},
                 "clear_untrusted_proxy_headers": True}
    try:
        # Browsers keep a connection open after following the redirect: close idle ones after 30 s
        # (waitress: 120 s) and allow many (waitress: 100, then it stops accepting).
        server = waitress.create_server(app, host=host, port=port, threads=threads, ident="showcase",
                                        asyncore_use_poll=True, connection_limit=1000, channel_timeout=30,
                                        cleanup_interval=10, **proxy)
    except BaseException:
        app.close()
        sys.setswitchinterval(switch_interval)
        raise
    socket_map = server.map if hasattr(server, "map") else server._map
    stop, draining = threading.Event(), threading.Event()

    class Channel(HTTPChannel):
        def readable(self) -> bool:  # while draining, read no further requests from any connection
            return not draining.is_set() and HTTPChannel.readable(self)

    for dispatcher in list(socket_map.values()):
        if isinstance(dispatcher, BaseWSGIServer):
            dispatcher.channel_class = Channel

    def on_signal(signum, frame):
        stop.set()
        app.stopping = True

    previous = {s: signal.signal(s, on_signal) for s in (signal.SIGTERM, signal.SIGINT)}
    try:
        if on_ready:
            listen = getattr(server, "effective_listen", None) or [(server.effective_host, server.effective_port)]
            h, p = listen[0][:2]
            on_ready(f"http://{f'[{h}]' if ':' in str(h) else h}:{p}/")
        while not stop.is_set():
            wasyncore.loop(timeout=0.2, map=socket_map, use_poll=True, count=1)
        draining.set()
        _drain(server, socket_map, time.monotonic() + drain_timeout)
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)
        sys.setswitchinterval(switch_interval)
        app.stopping = True
        if socket_map:  # an error before the drain: do not leave the port open
            server.task_dispatcher.shutdown(cancel_pending=True, timeout=1)
            wasyncore.close_all(socket_map)
        app.close()
    return app


def _drain(server, socket_map: dict, deadline: float) -> None:
    """Stop accepting; let the requests already read finish and their answers go out; close each
    connection once it has nothing left to do (no further request is read from it); then stop the
    worker threads. waitress has no graceful stop of its own: this reads its channels' state
    (``requests``, ``request``, ``total_outbufs_len``), as in waitress 3.0; tests/test_tracker.py
    and bench/tracker.py (sigterm) fail if a waitress upgrade changes them."""
    from waitress import wasyncore
    from waitress.channel import HTTPChannel
    from waitress.server import BaseWSGIServer

    for dispatcher in list(socket_map.values()):
        if isinstance(dispatcher, BaseWSGIServer):
            wasyncore.dispatcher.close(dispatcher)  # the listening socket only: the trigger stays
    patience = time.monotonic() + 1.0  # for clients in the middle of sending a request
    while time.monotonic() < deadline:
        channels = [d for d in list(socket_map.values()) if isinstance(d, HTTPChannel)]
        if not channels:
            break
        for ch in channels:
            if ch.requests:  # a request is queued or running on a worker thread
                continue
            if ch.total_outbufs_len:
                ch.close_when_flushed = True
            elif ch.request is None or time.monotonic() > patience:
                ch.handle_close()
        wasyncore.loop(timeout=0.05, map=socket_map, use_poll=True, count=1)
    server.task_dispatcher.shutdown(cancel_pending=True, timeout=max(0.1, deadline - time.monotonic()))
    wasyncore.close_all(socket_map)
