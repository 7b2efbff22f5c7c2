"""The click tracker as a real process: `showcase track` on 127.0.0.1, real HTTP, real SQLite files."""

from __future__ import annotations

import http.client
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from showcase.catalog import Catalog
from showcase.clicks import IpHasher, load_salt
from showcase.config import load_site
from showcase.links import LinkBuilder, offer_key, valid_subid
from showcase.normalize import Offer
from tests.conftest import REPO

BROWSER = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"
SITE_YML = """\
site: {title: Test shop, base_url: "https://shop.example/", language: en, currency: USD}
networks:
  adm: {type: admitad}
  aw: {type: awin, publisher_id: "777"}
programs:
  alpha: {name: Alpha, network: adm, id: abc123}
  beta: {name: Beta, network: aw, id: "555"}
feeds:
  a: {source: feeds/a.yml, program: alpha}
  b: {source: feeds/b.yml, program: beta}
  c: {source: feeds/c.yml, program: beta}
links: {mode: tracker, tracker_url: "https://go.shop.example"}
"""


def offer(feed: str, oid: str, title: str | None = None) -> Offer:
    return Offer(feed=feed, offer_id=oid, title=title or f"Product {feed} {oid}",
                 url=f"https://{feed}.example/item/{oid}?colour=red", price=Decimal(100), old_price=None,
                 source_price="100 USD", available=True)


def make_site(root: Path) -> Path:
    """A site with feed a (Admitad: offers 1..20 and one whose id is not URL-safe), b (Awin: x1 live,
    x2 gone) and c (empty until a test imports it)."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "site.yml").write_text(SITE_YML, encoding="utf-8")
    with Catalog(root / ".showcase" / "catalog.sqlite") as catalog:
        catalog.import_feed("a", "alpha", [offer("a", str(i)) for i in range(1, 21)] + [offer("a", "weird id/ö")])
        catalog.import_feed("b", "beta", [offer("b", "x1"), offer("b", "x2", "Gone kettle")])
        catalog.import_feed("b", "beta", [offer("b", "x1")], max_shrink_percent=100)
    return root


class TrackerProcess:
    """`python -m showcase --site DIR track --port N` in a child process."""

    def __init__(self, site: Path, port: int = 0, threads: int = 4, *options: str):
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "showcase", "--site", str(site), "track", "--port", str(port),
             "--threads", str(threads), *options], cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            text=True)
        line = self.proc.stdout.readline()
        if not line.startswith("Tracking clicks at http://"):
            self.proc.kill()
            out, err = self.proc.communicate()
            raise RuntimeError(f"the tracker did not start: {line}{out}{err}")
        self.port = int(urlsplit(line.split()[3]).port)

    def request(self, path: str, method: str = "GET", headers: dict | None = None):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        try:
            conn.request(method, path, headers={"User-Agent": BROWSER, **(headers or {})})
            response = conn.getresponse()
            return response.status, dict(response.getheaders()), response.read()
        finally:
            conn.close()

    def stop(self) -> tuple[int, str, str]:
        self.proc.send_signal(signal.SIGTERM)
        out, err = self.proc.communicate(timeout=20)
        return self.proc.returncode, out, err


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    return make_site(tmp_path_factory.mktemp("tracker") / "site")


@pytest.fixture(scope="module")
def tracker(site):
    t = TrackerProcess(site)
    yield t
    code, out, err = t.stop()
    assert code == 0, err
    assert "Stopped:" in out


def store_rows(site: Path, sql: str, *args) -> list[tuple]:
    db = sqlite3.connect(site / ".showcase" / "clicks.sqlite")
    try:
        return db.execute(sql, args).fetchall()
    finally:
        db.close()


def clicks_count(site: Path) -> int:
    return store_rows(site, "SELECT count(*) FROM clicks")[0][0]


def click(site: Path, click_id: str) -> dict:
    db = sqlite3.connect(site / ".showcase" / "clicks.sqlite")
    db.row_factory = sqlite3.Row
    try:
        row = db.execute("SELECT * FROM clicks WHERE id = ?", (click_id,)).fetchone()
        return dict(row) if row else {}
    finally:
        db.close()


def subid_of(location: str) -> str:
    query = parse_qs(urlsplit(location).query)
    return (query.get("subid") or query.get("clickref"))[0]


def test_go_redirects_to_the_deep_link_whose_sub_id_is_the_stored_click_id(site, tracker):
    config = load_site(site).config
    status, headers, body = tracker.request("/go/a.7?from=product",
                                            headers={"Referer": "https://blog.example/best-kettles?page=2"})
    assert status == 302 and body == b""
    rows = store_rows(site, "SELECT id FROM clicks WHERE key = 'a.7'")
    assert len(rows) == 1
    click_id = rows[0][0]
    assert valid_subid(click_id) and len(click_id) <= 30 and click_id.isalnum()
    builder = LinkBuilder(config.programs["alpha"], config.networks["adm"])
    assert headers["Location"] == builder.link("https://a.example/item/7?colour=red", click_id)
    assert headers["Cache-Control"] == "no-store"
    assert "noindex" in headers["X-Robots-Tag"]
    assert headers["Referrer-Policy"] == "strict-origin-when-cross-origin"

    row = click(site, click_id)
    with Catalog(site / ".showcase" / "catalog.sqlite") as catalog:
        offer_row, product = catalog.db.execute("SELECT id, product_id FROM offers WHERE key = 'a.7'").fetchone()
    assert row["key"] == "a.7" and (row["feed"], row["offer_id"], row["offer_row"]) == ("a", "7", offer_row)
    assert (row["product_id"], row["program"], row["page"]) == (product, "alpha", "product")
    assert (row["referrer_host"], row["ua_class"], row["source"]) == ("blog.example", "human", "tracker")
    assert row["ip_hash"] == IpHasher(load_salt(load_site(site)))("127.0.0.1")
    at = datetime.fromisoformat(row["at"])
    assert at.utcoffset().total_seconds() == 0 and abs((datetime.now(UTC) - at).total_seconds()) < 60
    assert row["log_line_id"] is None

    # Awin, a trailing slash, no ?from: another fresh id
    status, headers, _ = tracker.request("/go/b.x1/")
    click_id2 = subid_of(headers["Location"])
    assert status == 302 and click_id2 != click_id
    assert headers["Location"] == LinkBuilder(config.programs["beta"], config.networks["aw"]).link(
        "https://b.example/item/x1?colour=red", click_id2)
    assert click(site, click_id2)["page"] == ""
    # an offer id that is not URL-safe has a hashed key
    key = offer_key("a", "weird id/ö")
    status, headers, _ = tracker.request(f"/go/{key}?from=product")
    assert status == 302 and click(site, subid_of(headers["Location"]))["offer_id"] == "weird id/ö"


def test_the_store_never_holds_the_raw_ip(site, tracker):
    for i in range(5):
        assert tracker.request(f"/go/a.{i + 1}?from=product", headers={"Referer": "https://blog.example/"})[0] == 302
    files = [p for p in (site / ".showcase").glob("clicks.sqlite*")]
    assert files
    data = b"".join(p.read_bytes() for p in files)
    assert b"127.0.0.1" not in data and "127.0.0.1".encode("utf-16-le") not in data
    assert store_rows(site, "SELECT count(DISTINCT ip_hash), min(length(ip_hash)) FROM clicks") == [(1, 24)]
    salt = site / ".showcase" / "tracker-salt"
    assert salt.stat().st_mode & 0o777 == 0o600


@pytest.mark.parametrize(("method", "headers", "expected"), [
    ("GET", {"User-Agent": "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"}, "bot"),
    ("GET", {"User-Agent": "facebookexternalhit/1.1"}, "bot"),
    ("GET", {"User-Agent": "curl/8.5.0"}, "bot"),
    ("GET", {"User-Agent": ""}, "bot"),
    ("GET", {"Sec-Purpose": "prefetch;prerender"}, "prefetch"),
    ("GET", {"Purpose": "prefetch"}, "prefetch"),
    ("HEAD", {}, "head"),
])
def test_bots_prefetches_and_head_requests_are_redirected_and_stored_flagged(site, tracker, method, headers, expected):
    status, response_headers, body = tracker.request("/go/a.3?from=product", method, headers)
    assert status == 302 and body == b""
    row = click(site, subid_of(response_headers["Location"]))
    assert row["ua_class"] == expected and row["key"] == "a.3"


def test_unknown_key_is_a_404_with_a_link_home_and_stores_nothing(site, tracker):
    before = clicks_count(site)
    for path in ("/go/a.999", "/go/nofeed.1/", "/go/", "/", "/go/a"):
        status, headers, body = tracker.request(path)
        assert status == 404, path
        assert "Location" not in headers
        assert b'<a href="https://shop.example/">' in body
        assert headers["Content-Type"].startswith("text/html")
    assert clicks_count(site) == before


@pytest.mark.parametrize("path", [
    "/go/https://evil.example/",
    "/go/https%3A%2F%2Fevil.example%2F",
    "/go//evil.example",
    "/go/%2F%2Fevil.example",
    "/go/..%2F..%2Fetc%2Fpasswd",
    "/go/a.1/../../evil.example",
    "/go/a.1%2F..%2F..%2Fevil",
    "/go/a.1/extra",
    "/go/a.1@evil.example",
    "/go/evil.example",
    "/go/a.1%0d%0aLocation:%20https://evil.example",
    "//evil.example/go/a.1",
])
def test_no_open_redirect(site, tracker, path):
    status, headers, _ = tracker.request(path)
    assert status == 404, path
    assert "Location" not in headers


def test_query_parameters_cannot_choose_the_target(site, tracker):
    status, headers, _ = tracker.request("/go/a.1?from=https://evil.example/&url=https://evil.example/"
                                         "&to=//evil.example&ulp=https://evil.example")
    assert status == 302
    assert headers["Location"].startswith("https://ad.admitad.com/g/abc123/?ulp=https%3A%2F%2Fa.example%2Fitem%2F1")
    assert "evil" not in headers["Location"]
    assert click(site, subid_of(headers["Location"]))["page"] == ""  # not a page name: not stored


def test_gone_offer_redirects_to_its_product_page_and_is_not_a_click(site, tracker):
    before = clicks_count(site)
    status, headers, _ = tracker.request("/go/b.x2?from=product")
    assert status == 302
    assert headers["Location"] == "https://shop.example/p/gone-kettle/"
    assert headers["Cache-Control"] == "no-store"
    assert clicks_count(site) == before


def test_catalog_changes_apply_to_the_next_request(site, tracker):
    catalog_path = site / ".showcase" / "catalog.sqlite"
    with Catalog(catalog_path) as catalog:
        catalog.import_feed("c", "beta", [offer("c", "k1", "Toaster"), offer("c", "k2")])
    assert tracker.request("/go/c.k1")[0] == 302
    assert "clickref=" in tracker.request("/go/c.k1")[1]["Location"]
    with Catalog(catalog_path) as catalog:
        catalog.import_feed("c", "beta", [offer("c", "k2")], max_shrink_percent=100)
    status, headers, _ = tracker.request("/go/c.k1")
    assert (status, headers["Location"]) == (302, "https://shop.example/p/toaster/")
    with Catalog(catalog_path) as catalog:
        catalog.import_feed("c", "beta", [offer("c", "k1", "Toaster"), offer("c", "k2")])
    assert "clickref=" in tracker.request("/go/c.k1")[1]["Location"]


def test_healthz_robots_and_methods(tracker):
    status, headers, body = tracker.request("/healthz")
    assert status == 200 and b'"status": "ok"' in body
    status, _, body = tracker.request("/robots.txt")
    assert status == 200 and b"Disallow: /" in body
    status, headers, _ = tracker.request("/go/a.1", method="POST")
    assert status == 405 and headers["Allow"] == "GET, HEAD"


def test_sigterm_during_a_burst_loses_no_answered_click(tmp_path):
    """Four clients with keep-alive connections hammer the tracker; it gets SIGTERM, drains, exits 0, and
    is started again on the same port. Every 302 any client received has its click id in the store."""
    site = make_site(tmp_path / "site")
    first = TrackerProcess(site, threads=4)
    port = first.port
    answered: list[str] = []
    per_phase = {"before": 0, "after": 0}
    phase = ["before"]
    stop = threading.Event()
    lock = threading.Lock()
    errors: list[str] = []

    def client(n: int) -> None:
        conn = None
        i = 0
        while not stop.is_set():
            i += 1
            try:
                if conn is None:
                    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
                conn.request("GET", f"/go/a.{(n * 7 + i) % 20 + 1}?from=product", headers={"User-Agent": BROWSER})
                response = conn.getresponse()
                response.read()
                if response.status != 302:
                    errors.append(f"status {response.status}")
                    continue
                with lock:
                    answered.append(subid_of(response.getheader("Location")))
                    per_phase[phase[0]] += 1
            except (OSError, http.client.HTTPException):  # closed by the draining server, or refused while down
                if conn is not None:
                    conn.close()
                conn = None
                time.sleep(0.005)
        if conn is not None:
            conn.close()

    clients = [threading.Thread(target=client, args=(n,)) for n in range(4)]
    for t in clients:
        t.start()
    try:
        time.sleep(1.0)
        code, out, err = first.stop()
        assert code == 0, err
        assert "Stopped:" in out
        phase[0] = "after"
        second = TrackerProcess(site, port=port, threads=4)
        time.sleep(1.0)
    finally:
        stop.set()
        for t in clients:
            t.join()
    code, _, err = second.stop()
    assert code == 0, err
    assert not errors
    assert per_phase["before"] > 50 and per_phase["after"] > 50, per_phase
    db = sqlite3.connect(site / ".showcase" / "clicks.sqlite")
    try:
        stored = {row[0] for row in db.execute("SELECT id FROM clicks")}
    finally:
        db.close()
    lost = [i for i in answered if i not in stored]
    assert not lost, f"{len(lost)} of {len(answered)} answered clicks are not in the store"
    assert len(set(answered)) == len(answered)


def test_behind_a_trusted_proxy_the_client_address_comes_from_x_forwarded_for(tmp_path):
    site = make_site(tmp_path / "site")
    proxied = TrackerProcess(site, 0, 2, "--trusted-proxy", "127.0.0.1")
    try:
        status, headers, _ = proxied.request("/go/a.1", headers={"X-Forwarded-For": "198.51.100.7"})
    finally:
        code, _, err = proxied.stop()
    assert status == 302 and code == 0, err
    hasher = IpHasher(load_salt(load_site(site)))
    assert click(site, subid_of(headers["Location"]))["ip_hash"] == hasher("198.51.100.7")


def test_track_refuses_a_site_without_a_catalog(tmp_path):
    (tmp_path / "site.yml").write_text(SITE_YML, encoding="utf-8")
    proc = subprocess.run([sys.executable, "-m", "showcase", "--site", str(tmp_path), "track", "--port", "0"],
                          cwd=REPO, capture_output=True, text=True, timeout=30, env={**os.environ})
    assert proc.returncode == 1
    assert "no catalog yet" in proc.stderr
