"""fetch: conditional GET, retries, and the last good copy surviving every kind of failure.

A real HTTP server on 127.0.0.1 serves scripted replies; requests is not patched.
"""

from __future__ import annotations

import gzip
import io
import json
import re
import sys
import threading
import time
import zipfile
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from showcase import __version__
from showcase.fetch import FetchSpec, fetch_feeds

FEED = b'<?xml version="1.0" encoding="utf-8"?>\n<yml_catalog><shop><offers/></shop></yml_catalog>\n'
FEED2 = FEED.replace(b"<offers/>", b'<offers><offer id="1"/></offers>')
HTML = b"<!DOCTYPE html>\n<html><body><h1>502 Bad Gateway</h1></body></html>\n"


@dataclass
class Reply:
    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0  # seconds before the status line
    cut: int | None = None  # send only this many body bytes, then close (Content-Length stays full)
    length: bool = True  # send Content-Length; without it the body ends when the connection closes
    stall: float = 0.0  # after the ``cut`` bytes, wait this long before closing
    chunked: bool = False  # Transfer-Encoding: chunked (100-byte chunks; a cut one never ends)


class Server:
    """Serves, per path, the scripted replies in order (the last one repeats); records requests."""

    def __init__(self) -> None:
        self.routes: dict[str, list[Reply]] = {}
        self.requests: list[tuple[str, dict[str, str]]] = []
        self.stop = threading.Event()
        self.port = 0

    def route(self, path: str, *replies: Reply) -> str:
        self.routes[path] = list(replies)
        return f"http://127.0.0.1:{self.port}{path}"

    def hits(self, path: str) -> list[dict[str, str]]:
        return [headers for p, headers in self.requests if p == path]

    def next_reply(self, path: str) -> Reply:
        replies = self.routes.get(path) or [Reply(404, b"no such route")]
        return replies.pop(0) if len(replies) > 1 else replies[0]


def _handler(server: Server):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:
            server.requests.append((self.path, dict(self.headers)))
            reply = server.next_reply(self.path)
            if reply.delay and server.stop.wait(reply.delay):
                return
            body = reply.body if reply.cut is None else reply.body[: reply.cut]
            try:
                self.send_response(reply.status)
                for name, value in reply.headers.items():
                    self.send_header(name, value)
                if reply.chunked:
                    self.send_header("Transfer-Encoding", "chunked")
                elif reply.status != 304 and reply.length:
                    self.send_header("Content-Length", str(len(reply.body)))
                if reply.cut is not None or not reply.length:
                    self.send_header("Connection", "close")
                    self.close_connection = True
                self.end_headers()
                if reply.chunked:
                    self.wfile.write(_chunked(body, end=reply.cut is None))
                elif reply.status != 304:
                    self.wfile.write(body)
                self.wfile.flush()
                if reply.stall:
                    server.stop.wait(reply.stall)
            except (BrokenPipeError, ConnectionResetError):
                self.close_connection = True

        def log_message(self, format, *args) -> None:
            pass

    return Handler


def _chunked(body: bytes, end: bool) -> bytes:
    chunks = [body[i : i + 100] for i in range(0, len(body), 100)]
    framed = b"".join(b"%x\r\n%s\r\n" % (len(c), c) for c in chunks)
    return framed + (b"0\r\n\r\n" if end else b"")


@pytest.fixture
def server():
    srv = Server()
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler(srv))
    srv.port = httpd.server_address[1]
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield srv
    srv.stop.set()
    httpd.shutdown()
    httpd.server_close()
    thread.join()


@pytest.fixture
def site(tmp_path):
    """(feeds dir, state file) of a site."""
    return tmp_path / "feeds", tmp_path / ".showcase" / "fetch-state.json"


def fetch(site, *specs, **kw):
    dest, state = site
    results = fetch_feeds(list(specs), dest, state, **kw)
    assert not list(dest.glob(".*.part-*")), "temp files left behind"
    assert not list(state.parent.glob(".*.tmp-*")), "state temp files left behind"
    return results


def spec(name: str, url: str, **kw) -> FetchSpec:
    kw.setdefault("timeout", 2.0)
    kw.setdefault("backoff", 0.01)
    return FetchSpec(name, url, **kw)


def state_of(site) -> dict:
    return json.loads(site[1].read_text())["feeds"]


def gz(data: bytes) -> bytes:
    return gzip.compress(data, mtime=0)


def good_copy_then(server, site, *replies: Reply, **kw):
    """Fetch FEED once, then fetch again with ``replies``; return (result, copy path)."""
    url = server.route("/f.xml", Reply(200, FEED, {"ETag": '"v1"'}), *replies)
    (first,) = fetch(site, spec("shop", url))
    assert first.status == "updated"
    (result,) = fetch(site, spec("shop", url, **kw))
    return result, first.path


def assert_kept(result, path: Path, site) -> None:
    assert result.status == "failed"
    assert result.path == path
    assert path.read_bytes() == FEED
    entry = state_of(site)["shop"]
    assert entry["last_error"] == result.error
    assert entry["bytes"] == len(FEED)  # the record of the good copy is kept


# --- success and conditional GET --------------------------------------------------------------


def test_200_stores_file_and_state(server, site):
    url = server.route("/a.xml", Reply(200, FEED, {"ETag": '"abc"', "Last-Modified": "Wed, 01 May 2024 10:00:00 GMT"}))
    (result,) = fetch(site, spec("shop-a", url))

    assert result.status == "updated" and result.changed and result.error is None
    assert result.path == site[0] / "shop-a.feed"
    assert result.path.read_bytes() == FEED
    assert result.bytes == len(FEED)
    entry = state_of(site)["shop-a"]
    assert entry["url"] == url
    assert entry["etag"] == '"abc"'
    assert entry["last_modified"] == "Wed, 01 May 2024 10:00:00 GMT"
    assert entry["bytes"] == len(FEED)
    assert len(entry["sha256"]) == 64
    assert entry["last_success"].endswith("+00:00")
    assert entry["last_error"] is None
    (headers,) = server.hits("/a.xml")
    assert headers["User-Agent"] == f"showcase/{__version__}"
    assert "If-None-Match" not in headers


def test_304_keeps_the_copy_untouched(server, site):
    url = server.route(
        "/a.xml",
        Reply(200, FEED, {"ETag": '"abc"', "Last-Modified": "Wed, 01 May 2024 10:00:00 GMT"}),
        Reply(304),
    )
    (first,) = fetch(site, spec("shop", url))
    before = first.path.stat().st_mtime_ns
    time.sleep(0.01)

    (second,) = fetch(site, spec("shop", url))

    assert second.status == "not_modified" and not second.changed and second.bytes == 0
    assert first.path.stat().st_mtime_ns == before
    assert first.path.read_bytes() == FEED
    headers = server.hits("/a.xml")[1]
    assert headers["If-None-Match"] == '"abc"'
    assert headers["If-Modified-Since"] == "Wed, 01 May 2024 10:00:00 GMT"
    assert state_of(site)["shop"]["etag"] == '"abc"'


def test_same_content_again_is_updated_but_not_changed(server, site):
    url = server.route("/a.xml", Reply(200, FEED), Reply(200, FEED), Reply(200, FEED2))
    assert [r.changed for r in fetch(site, spec("shop", url))] == [True]
    assert [r.changed for r in fetch(site, spec("shop", url))] == [False]
    (result,) = fetch(site, spec("shop", url))
    assert result.changed and result.path.read_bytes() == FEED2


def test_no_conditional_headers_when_the_copy_is_missing_or_the_url_changed(server, site):
    url = server.route("/a.xml", Reply(200, FEED, {"ETag": '"abc"'}))
    other = server.route("/b.xml", Reply(200, FEED, {"ETag": '"abc"'}))
    (first,) = fetch(site, spec("shop", url))
    first.path.unlink()
    assert fetch(site, spec("shop", url))[0].status == "updated"
    assert fetch(site, spec("shop", other))[0].status == "updated"
    assert "If-None-Match" not in server.hits("/a.xml")[1]
    assert "If-None-Match" not in server.hits("/b.xml")[0]


# --- retries and HTTP errors ------------------------------------------------------------------


def test_500_then_200_succeeds_after_a_retry(server, site):
    url = server.route("/a.xml", Reply(500, b"oops"), Reply(200, FEED))
    (result,) = fetch(site, spec("shop", url, retries=2))
    assert result.status == "updated"
    assert len(server.hits("/a.xml")) == 2


def test_persistent_500_fails_and_keeps_the_previous_copy(server, site):
    result, path = good_copy_then(server, site, Reply(500, b"oops"), retries=2)
    assert_kept(result, path, site)
    assert len(server.hits("/f.xml")) == 1 + 3
    assert result.error == (
        f"http://127.0.0.1:{server.port}/f.xml: HTTP 500 Internal Server Error (gave up after 3 attempts)"
    )


def test_404_fails_without_retrying(server, site):
    result, path = good_copy_then(server, site, Reply(404, b"gone"), retries=3)
    assert_kept(result, path, site)
    assert len(server.hits("/f.xml")) == 2
    assert result.error.endswith("/f.xml: HTTP 404 Not Found")


def test_first_fetch_failing_leaves_no_file(server, site):
    url = server.route("/a.xml", Reply(403, b"forbidden"))
    (result,) = fetch(site, spec("shop", url))
    assert result.status == "failed" and not result.path.exists()
    assert state_of(site)["shop"]["last_error"].endswith("HTTP 403 Forbidden")


def test_connection_refused_fails_with_a_clear_error(server, site):
    import socket

    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    (result,) = fetch(site, spec("shop", f"http://127.0.0.1:{port}/a.xml", retries=1))
    assert result.status == "failed"
    assert (
        result.error == f"http://127.0.0.1:{port}/a.xml: cannot connect: Connection refused (gave up after 2 attempts)"
    )


def test_not_an_http_url(site):
    (result,) = fetch(site, spec("shop", "ftp://example.com/feed.xml"))
    assert result.status == "failed" and result.error == "ftp://example.com/feed.xml: not an http(s) URL"


# --- the last good copy survives a bad body ---------------------------------------------------


def test_slow_server_times_out_and_keeps_the_previous_copy(server, site):
    started = time.monotonic()
    result, path = good_copy_then(server, site, Reply(200, FEED2, delay=5), timeout=0.3, retries=1)
    assert_kept(result, path, site)
    assert "no response within 0.3 s (gave up after 2 attempts)" in result.error
    assert time.monotonic() - started < 2


def test_body_stalling_past_the_read_timeout_fails(server, site):
    started = time.monotonic()
    result, path = good_copy_then(server, site, Reply(200, FEED2, cut=10, stall=5), timeout=0.3, retries=0)
    assert_kept(result, path, site)
    assert result.error.endswith("/f.xml: download stalled: no data for 0.3 s")
    assert time.monotonic() - started < 2


def test_truncated_body_fails_and_keeps_the_previous_copy(server, site):
    result, path = good_copy_then(server, site, Reply(200, FEED2, cut=20), retries=1)
    assert_kept(result, path, site)
    assert f"body truncated: received 20 of {len(FEED2)} bytes" in result.error
    assert len(server.hits("/f.xml")) == 1 + 2


def test_chunked_body_cut_mid_stream_fails(server, site):
    result, path = good_copy_then(server, site, Reply(200, FEED2 * 20, chunked=True, cut=250), retries=0)
    assert_kept(result, path, site)
    assert "/f.xml: connection broke off after" in result.error


def test_html_page_served_with_200_is_rejected(server, site):
    result, path = good_copy_then(server, site, Reply(200, b"\xef\xbb\xbf\n  " + HTML))
    assert_kept(result, path, site)
    assert result.error.endswith("/f.xml: server sent an HTML page, not a feed")


def test_gzipped_html_page_is_rejected(server, site):
    result, path = good_copy_then(server, site, Reply(200, gz(b"<html><body>Login</body></html>")))
    assert_kept(result, path, site)
    assert result.error.endswith("server sent an HTML page, not a feed")


def test_empty_body_is_rejected(server, site):
    result, path = good_copy_then(server, site, Reply(200, b""))
    assert_kept(result, path, site)
    assert result.error.endswith("/f.xml: server sent an empty body")


@pytest.mark.parametrize("length", [True, False], ids=["content-length", "no-content-length"])
def test_body_over_max_bytes_is_rejected(server, site, length):
    big = FEED2 * 200
    result, path = good_copy_then(server, site, Reply(200, big, length=length), max_bytes=1000)
    assert_kept(result, path, site)
    assert "over the limit of 1000 bytes" in result.error
    assert result.bytes <= 1000 + 256 * 1024  # aborted early, not after the whole body


def test_cut_gzip_file_is_rejected(server, site):
    # the transfer itself is complete (Content-Length matches), the .gz file is not
    data = gz(FEED2 * 50)
    result, path = good_copy_then(
        server, site, Reply(200, data[: len(data) // 2], {"Content-Type": "application/gzip"})
    )
    assert_kept(result, path, site)
    assert "gzip data is cut short or corrupt" in result.error


def test_damaged_zip_is_rejected(server, site):
    data = _zip(FEED2)
    result, path = good_copy_then(server, site, Reply(200, data[:-30], {"Content-Type": "application/zip"}))
    assert_kept(result, path, site)
    assert "zip archive is cut short or damaged" in result.error


def test_cut_gzip_transfer_encoding_is_rejected(server, site):
    # no Content-Length: only the gzip stream itself can tell the body was cut
    data = gz(FEED2 * 50)
    reply = Reply(200, data[: len(data) // 2], {"Content-Encoding": "gzip"}, length=False)
    result, path = good_copy_then(server, site, reply, retries=0)
    assert_kept(result, path, site)
    assert "gzip transfer encoding is broken: the compressed stream was cut short" in result.error


# --- compressed feeds -------------------------------------------------------------------------


def test_gzip_file_is_stored_as_is(server, site):
    data = gz(FEED)
    url = server.route("/a.xml.gz", Reply(200, data, {"Content-Type": "application/gzip"}))
    (result,) = fetch(site, spec("shop", url))
    assert result.status == "updated"
    assert result.path.read_bytes() == data
    assert result.path.read_bytes()[:2] == b"\x1f\x8b"
    assert "gzip" in server.hits("/a.xml.gz")[0]["Accept-Encoding"]


def test_zip_file_is_stored_as_is(server, site):
    data = _zip(FEED)
    url = server.route("/a.zip", Reply(200, data, {"Content-Type": "application/zip"}))
    (result,) = fetch(site, spec("shop", url))
    assert result.status == "updated" and result.path.read_bytes() == data


def test_content_encoding_gzip_is_decoded(server, site):
    body = gz(FEED)
    url = server.route("/a.xml", Reply(200, body, {"Content-Encoding": "gzip", "Content-Type": "text/xml"}))
    (result,) = fetch(site, spec("shop", url))
    assert result.status == "updated"
    assert result.path.read_bytes() == FEED
    assert result.bytes == len(body)  # bytes on the wire
    assert state_of(site)["shop"]["bytes"] == len(FEED)  # bytes stored


def test_chunked_content_encoding_gzip_is_decoded(server, site):
    body = FEED2 * 20 + b"<!--" + b"x" * (5 << 20) + b"-->"  # compresses ~1000:1, decoded in pieces
    url = server.route("/a.xml", Reply(200, gz(body), {"Content-Encoding": "gzip"}, chunked=True))
    (result,) = fetch(site, spec("shop", url))
    assert result.status == "updated" and result.path.read_bytes() == body


def test_unasked_content_encoding_is_refused(server, site):
    result, path = good_copy_then(server, site, Reply(200, b"\x8b\x00", {"Content-Encoding": "br"}))
    assert_kept(result, path, site)
    assert result.error.endswith("server sent Content-Encoding 'br', only gzip was asked for")


def test_content_encoding_gzip_over_a_gz_file_stores_the_gz_file(server, site):
    inner = gz(FEED)
    url = server.route("/a.xml.gz", Reply(200, gz(inner), {"Content-Encoding": "gzip"}))
    (result,) = fetch(site, spec("shop", url))
    assert result.path.read_bytes() == inner


# --- several feeds ----------------------------------------------------------------------------


def test_parallel_feeds_one_fails_the_others_update(server, site):
    urls = {
        "a": server.route("/a.xml", Reply(200, FEED, delay=0.1)),
        "b": server.route("/b.xml", Reply(404, b"gone")),
        "c": server.route("/c.xml", Reply(200, gz(FEED), delay=0.05)),
        "d": server.route("/d.xml", Reply(200, HTML)),
        "e": server.route("/e.xml", Reply(200, FEED2)),
    }
    results = fetch(site, *(spec(name, url, retries=0) for name, url in urls.items()), parallel=4)

    assert [r.name for r in results] == list(urls)
    assert [r.status for r in results] == ["updated", "failed", "updated", "failed", "updated"]
    state = state_of(site)
    assert set(state) == set(urls)
    assert all(state[n]["sha256"] for n in "ace")
    assert state["b"]["last_error"].endswith("HTTP 404 Not Found")
    assert state["d"]["last_error"].endswith("server sent an HTML page, not a feed")
    assert sorted(p.name for p in site[0].iterdir()) == ["a.feed", "c.feed", "e.feed"]


def test_state_stays_valid_json_after_failures(server, site):
    good = server.route("/ok.xml", Reply(200, FEED))
    bad = server.route("/bad.xml", Reply(200, FEED, cut=5))
    for _ in range(3):
        fetch(site, spec("ok", good), spec("bad", bad, retries=0), parallel=2)
    data = json.loads(site[1].read_text())
    assert data["version"] == 1
    assert data["feeds"]["ok"]["last_error"] is None
    assert data["feeds"]["bad"]["last_error"]
    assert sorted(p.name for p in site[0].iterdir()) == ["ok.feed"]


def test_corrupt_state_file_means_a_full_fetch(server, site):
    url = server.route("/a.xml", Reply(200, FEED, {"ETag": '"abc"'}))
    fetch(site, spec("shop", url))
    site[1].write_text("{not json")
    (result,) = fetch(site, spec("shop", url))
    assert result.status == "updated"
    assert "If-None-Match" not in server.hits("/a.xml")[1]
    assert state_of(site)["shop"]["etag"] == '"abc"'


def test_bad_or_duplicate_names_are_refused(site):
    with pytest.raises(ValueError, match="must match"):
        fetch_feeds([spec("../x", "http://127.0.0.1/")], *site)
    with pytest.raises(ValueError, match="used twice"):
        fetch_feeds([spec("a", "http://127.0.0.1/"), spec("a", "http://127.0.0.1/")], *site)


def test_progress_reports_large_downloads_only(server, site, capsys):
    big = b"<feed>" + b"x" * (2 << 20) + b"</feed>"
    urls = [server.route("/big.xml", Reply(200, big)), server.route("/small.xml", Reply(200, FEED))]
    results = fetch(site, spec("big", urls[0]), spec("small", urls[1]), progress=True)
    assert [r.status for r in results] == ["updated", "updated"]
    err = capsys.readouterr().err
    assert "fetching big (2.0 MB)" in err
    assert "small" not in err


def test_progress_on_a_terminal_is_one_line_redrawn_in_place(server, site, capsys, monkeypatch):
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)
    big = b"<feed>" + b"x" * (3 << 20) + b"</feed>"
    urls = [server.route(f"/{n}.xml", Reply(200, big)) for n in "abc"]
    results = fetch(site, *(spec(n, u) for n, u in zip("abc", urls, strict=True)), progress=True, parallel=3)
    assert [r.status for r in results] == ["updated"] * 3
    err = capsys.readouterr().err
    assert "\n" not in err  # one line, redrawn in place ...
    assert re.match(r"\rfetching (a|b|c|\d feeds) \[[#-]{24}\] +\d+% [\d.]+ MB of [\d.]+ MB", err)
    assert re.search(r"\r +\r$", err)  # ... and wiped at the end


def _zip(data: bytes) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("feed.xml", data)
    return buf.getvalue()
