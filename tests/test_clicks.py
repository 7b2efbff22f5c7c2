"""The click store on real SQLite files: schema, group commit, access-log import, stats."""

from __future__ import annotations

import gzip
import json
import shutil
import sqlite3
import threading

import pytest
from click.testing import CliRunner

from showcase.catalog import Catalog
from showcase.cli import main
from showcase.clicks import (
    CatalogLookup,
    Click,
    ClickStore,
    ClickWriter,
    IpHasher,
    classify,
    load_salt,
    new_click_id,
    referrer_host,
    utc_now,
)
from showcase.config import load_site
from showcase.links import valid_subid
from tests.test_tracker import make_site, offer

FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"
GOOGLEBOT = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"


def run(*args, ok=True):
    result = CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)
    if ok:
        assert result.exit_code == 0, result.output
    return result


def a_click(**kw) -> Click:
    fields = {"id": new_click_id(), "at": utc_now(), "key": "a.1", "feed": "a", "offer_id": "1", "offer_row": 1,
              "product_id": 1, "program": "alpha", "page": "product", "referrer_host": "", "ua_class": "human",
              "ip_hash": "x"}
    fields.update(kw)
    return Click(**fields)


# --- small pieces ------------------------------------------------------------------------------------


@pytest.mark.parametrize(("method", "ua", "headers", "expected"), [
    ("GET", FIREFOX, {}, "human"),
    ("GET", "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148", {}, "human"),
    ("GET", GOOGLEBOT, {}, "bot"),
    ("GET", "Mozilla/5.0 (compatible; YandexBot/3.0)", {}, "bot"),
    ("GET", "TelegramBot (like TwitterBot)", {}, "bot"),
    ("GET", "Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)", {}, "bot"),
    ("GET", "WhatsApp/2.23.20.0", {}, "bot"),
    ("GET", "python-requests/2.31.0", {}, "bot"),
    ("GET", "Wget/1.21.3", {}, "bot"),
    ("GET", "", {}, "bot"),
    ("GET", "-", {}, "bot"),
    ("GET", FIREFOX, {"HTTP_X_MOZ": "prefetch"}, "prefetch"),
    ("GET", FIREFOX, {"HTTP_SEC_PURPOSE": "prefetch"}, "prefetch"),
    ("GET", FIREFOX, {"HTTP_X_PURPOSE": "preview"}, "prefetch"),
    ("GET", GOOGLEBOT, {"HTTP_PURPOSE": "prefetch"}, "bot"),
    ("HEAD", FIREFOX, {}, "head"),
    ("HEAD", GOOGLEBOT, {}, "head"),
])
def test_classify(method, ua, headers, expected):
    assert classify(method, ua, headers) == expected


@pytest.mark.parametrize(("referer", "host"), [
    ("https://Blog.Example:8443/post?x=1", "blog.example"), ("http://blog.example", "blog.example"),
    ("", ""), ("-", ""), ("android-app://com.google.android.gm/", ""), ("javascript:alert(1)", ""),
    ("https://[::1]:80/", "::1"), ("https://bad host/", ""), ("not a url", ""),
])
def test_referrer_host_keeps_the_host_only(referer, host):
    assert referrer_host(referer) == host


def test_click_ids_are_unguessable_sub_ids_that_sort_by_time():
    ids = [new_click_id() for _ in range(2000)]
    assert len(set(ids)) == len(ids)
    assert all(valid_subid(i) and len(i) == 22 for i in ids)
    assert new_click_id(1_000) < new_click_id(2_000) < new_click_id(10**12)
    assert len({i[7:] for i in ids}) == len(ids)  # the random part alone is unique
    assert IpHasher(b"0123456789abcdef")("10.0.0.1") != IpHasher(b"0123456789abcdeF")("10.0.0.1")


def test_salt_is_created_once_private_and_config_overrides_it(tmp_path):
    site = load_site(make_site(tmp_path / "site"))
    salt = load_salt(site)
    assert load_salt(site) == salt and len(salt) == 64
    path = site.state_dir / "tracker-salt"
    assert path.stat().st_mode & 0o777 == 0o600
    yml = site.root / "site.yml"
    yml.write_text(yml.read_text() + "tracker: {salt: a-long-secret-salt-1}\n")
    assert load_salt(load_site(site.root)) == b"a-long-secret-salt-1"


# --- the store ---------------------------------------------------------------------------------------


def test_store_is_wal_with_the_schema_and_indexes(tmp_path):
    with ClickStore(tmp_path / "c.sqlite") as store:
        store.record(a_click(id="abc"))
        db = store.db
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert db.execute("PRAGMA busy_timeout").fetchone()[0] == 10000
        columns = [r[1] for r in db.execute("PRAGMA table_info(clicks)")]
        assert columns == ["id", "at", "key", "feed", "offer_id", "offer_row", "product_id", "program", "page",
                           "referrer_host", "ua_class", "ip_hash", "source", "log_line_id"]
        indexes = {r[1] for r in db.execute("PRAGMA index_list(clicks)")}
        assert {"clicks_at", "clicks_program"} <= indexes
        plan = " ".join(r[3] for r in db.execute("EXPLAIN QUERY PLAN SELECT * FROM clicks WHERE id = ?", ("x",)))
        assert "USING INDEX" in plan or "PRIMARY KEY" in plan
        with pytest.raises(sqlite3.IntegrityError):
            store.record(a_click(ua_class="alien"))
    with ClickStore(tmp_path / "c.sqlite") as again:  # reopening keeps the data
        assert again.count() == 1


def test_writer_commits_in_groups_and_answers_only_after_the_commit(tmp_path):
    store = ClickStore(tmp_path / "c.sqlite")
    writer = ClickWriter(store, checkpoint_every=0.05)
    written: list[str] = []
    lock = threading.Lock()
    check = sqlite3.connect(tmp_path / "c.sqlite", check_same_thread=False)
    not_yet_visible: list[str] = []

    def worker():
        for _ in range(150):
            c = a_click()
            writer.write(c)
            with lock:  # once write() returned, another connection sees the click
                if not check.execute("SELECT 1 FROM clicks WHERE id = ?", (c.id,)).fetchone():
                    not_yet_visible.append(c.id)
                written.append(c.id)

    threads = [threading.Thread(target=worker) for _ in range(12)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    writer.close()
    check.close()
    assert not not_yet_visible
    assert writer.committed == len(written) == 1800 == store.count()
    assert writer.batches <= 1800
    store.close()


def test_catalog_lookup_follows_imports_at_once(tmp_path):
    root = make_site(tmp_path / "site")
    path = root / ".showcase" / "catalog.sqlite"
    lookup = CatalogLookup(path)
    try:
        ref = lookup.get("b.x1")
        assert (ref.feed, ref.offer_id, ref.program, ref.gone) == ("b", "x1", "beta", False)
        assert lookup.get("b.x2").gone and lookup.get("b.x2").slug == "gone-kettle"
        assert lookup.get("b.nope") is None
        with Catalog(path) as catalog:
            catalog.import_feed("b", "beta", [offer("b", "x2", "Gone kettle")], max_shrink_percent=100)
        assert lookup.get("b.x1").gone and not lookup.get("b.x2").gone
        assert lookup.titles([ref.product_id]) == {ref.product_id: "Product b x1"}
    finally:
        lookup.close()


# --- access logs -------------------------------------------------------------------------------------

COMBINED = f"""\
203.0.113.5 - - [01/Mar/2026:10:00:00 +0300] "GET /go/a.1/ HTTP/1.1" 200 812 "https://blog.example/top-10" "{FIREFOX}"
203.0.113.5 - - [01/Mar/2026:10:00:00 +0300] "GET /go/a.1/ HTTP/1.1" 200 812 "https://blog.example/top-10" "{FIREFOX}"
203.0.113.6 - - [01/Mar/2026:10:05:00 +0300] "GET /go/a.2/?from=category HTTP/2.0" 304 0 "-" "{FIREFOX}"
66.249.66.1 - - [01/Mar/2026:11:00:00 +0300] "GET /go/b.x1/ HTTP/1.1" 200 812 "-" "{GOOGLEBOT}"
198.51.100.7 - - [01/Mar/2026:12:00:00 +0300] "HEAD /go/a.2/ HTTP/1.1" 200 0 "-" "{FIREFOX}"
203.0.113.5 - - [01/Mar/2026:12:30:00 +0300] "GET /go/a.1 HTTP/1.1" 301 169 "-" "{FIREFOX}"
203.0.113.5 - - [01/Mar/2026:12:31:00 +0300] "GET /go/a.404/ HTTP/1.1" 404 500 "-" "{FIREFOX}"
203.0.113.5 - - [01/Mar/2026:12:32:00 +0300] "GET /p/product-a-1/ HTTP/1.1" 200 9000 "-" "{FIREFOX}"
203.0.113.5 - - [01/Mar/2026:12:33:00 +0300] "POST /go/a.1/ HTTP/1.1" 200 10 "-" "{FIREFOX}"
this line is junk but mentions /go/a.1/
203.0.113.8 - - [02/Mar/2026:01:00:00 +0300] "GET /go/a.1/index.html HTTP/1.1" 200 812 "https://shop.example/p/x/" "{FIREFOX}"
"""  # noqa: E501
# nginx `main`: combined + "$http_x_forwarded_for"; behind a local proxy the client is the first XFF address
NGINX = f"""\
127.0.0.1 - - [02/Mar/2026:23:30:00 +0000] "GET /go/b.x1/?from=product HTTP/1.1" 200 512 "https://shop.example/p/x/" "{FIREFOX}" "192.0.2.44, 10.0.0.2"
127.0.0.1 - - [02/Mar/2026:23:31:00 +0000] "GET /go/b.x1/ HTTP/1.1" 200 512 "-" "Mozilla/5.0 (compatible; \\x22odd\\x22 bingbot/2.0)" "192.0.2.45"
192.0.2.46 - - [02/Mar/2026:23:32:00 +0000] "GET /search/?q=%2Fgo%2F HTTP/1.1" 200 512 "-" "{FIREFOX}" "-"
"""  # noqa: E501
APACHE = f"""\
shop.example:443 203.0.113.9 - - [03/Mar/2026:08:00:00 +0100] "GET /go/a.3/ HTTP/1.1" 200 812 "https://t.co/abc" "{FIREFOX}"
203.0.113.9 - - [03/Mar/2026:08:01:00 +0100] "GET /go/a.4/ HTTP/1.1" 200 812 "-" "{FIREFOX}"
"""  # noqa: E501


@pytest.fixture
def logs(tmp_path):
    root = make_site(tmp_path / "site")
    combined = tmp_path / "access.log"
    combined.write_text(COMBINED)
    nginx = tmp_path / "nginx.log.gz"
    with gzip.open(nginx, "wt") as f:
        f.write(NGINX)
    apache = tmp_path / "apache.log"
    apache.write_text(APACHE)
    return root, combined, nginx, apache


def test_log_import_counts_go_hits_once(logs, tmp_path):
    root, combined, nginx, apache = logs
    report = json.loads(run("--site", root, "clicks", "import", "--json", combined).output)
    f = report["files"][0]
    assert (f["lines"], f["go_hits"], f["new"], f["duplicates"], f["unparsed"]) == (11, 6, 6, 0, 1)
    assert f["unparsed_lines"] == [10]
    assert f["by_class"] == {"human": 4, "bot": 1, "prefetch": 0, "head": 1}
    out = run("--site", root, "clicks", "import", "--format", "nginx", nginx).output
    assert "2 new (1 human, 1 bot), 0 already imported" in out

    # again, and a rotated, gzipped copy of the first log: nothing new
    again = json.loads(run("--site", root, "clicks", "import", "--json", combined).output)
    assert (again["new"], again["duplicates"]) == (0, 6)
    rotated = tmp_path / "access.log.2.gz"
    with open(combined, "rb") as src, gzip.open(rotated, "wb") as dst:
        shutil.copyfileobj(src, dst)
    assert json.loads(run("--site", root, "clicks", "import", "--json", rotated).output)["new"] == 0
    assert json.loads(run("--site", root, "clicks", "import", "--json", "--format", "nginx",
                          nginx).output)["new"] == 0
    # the log grew since: only the new line counts
    with open(combined, "a") as f:
        f.write(COMBINED.splitlines()[0].replace("10:00:00", "18:00:00") + "\n")
    assert json.loads(run("--site", root, "clicks", "import", "--json", combined).output)["new"] == 1
    apache_report = json.loads(run("--site", root, "clicks", "import", "--format", "apache", "--json",
                                   apache).output)
    assert apache_report["new"] == 2

    db = sqlite3.connect(root / ".showcase" / "clicks.sqlite")
    db.row_factory = sqlite3.Row
    rows = [dict(r) for r in db.execute("SELECT * FROM clicks ORDER BY at, id")]
    data = b"".join(p.read_bytes() for p in (root / ".showcase").glob("clicks.sqlite*"))
    db.close()
    assert len(rows) == 11 and all(r["source"] == "log" and r["log_line_id"] for r in rows)
    first = rows[0]
    assert first["at"] == "2026-03-01T07:00:00.000+00:00"  # +0300 -> UTC
    assert (first["key"], first["feed"], first["offer_id"], first["program"]) == ("a.1", "a", "1", "alpha")
    assert (first["referrer_host"], first["ua_class"], first["page"]) == ("blog.example", "human", "")
    assert rows[1]["at"] == first["at"] and rows[1]["id"] != first["id"]  # two shoppers, identical lines
    assert all(valid_subid(r["id"]) for r in rows)
    hasher = IpHasher(load_salt(load_site(root)))
    assert first["ip_hash"] == hasher("203.0.113.5")
    nginx_rows = [r for r in rows if r["key"] == "b.x1" and r["at"].startswith("2026-03-02")]
    assert [r["ip_hash"] for r in nginx_rows] == [hasher("192.0.2.44"), hasher("192.0.2.45")]
    assert [r["ua_class"] for r in nginx_rows] == ["human", "bot"]
    assert nginx_rows[0]["page"] == "product"
    for ip in (b"203.0.113.5", b"192.0.2.44", b"66.249.66.1"):
        assert ip not in data

    stats = json.loads(run("--site", root, "clicks", "stats", "--json").output)
    assert stats["total"] == {"human": 8, "bot": 2, "prefetch": 0, "head": 1}
    assert stats["sources"] == {"tracker": 0, "log": 11}
    assert stats["by_day"] == [
        {"day": "2026-03-01", "human": 5, "bot": 1, "prefetch": 0, "head": 1},
        {"day": "2026-03-02", "human": 1, "bot": 1, "prefetch": 0, "head": 0},
        {"day": "2026-03-03", "human": 2, "bot": 0, "prefetch": 0, "head": 0},
    ]
    assert stats["by_program"] == [{"program": "alpha", "human": 7, "bot": 0, "prefetch": 0, "head": 1},
                                   {"program": "beta", "human": 1, "bot": 2, "prefetch": 0, "head": 0}]
    top = stats["by_product"][0]
    assert (top["human"], top["title"]) == (4, "Product a 1")
    assert {p["page"]: p["human"] for p in stats["by_page"]} == {"": 6, "category": 1, "product": 1}

    day = json.loads(run("--site", root, "clicks", "stats", "--json", "--since", "2026-03-02", "--until",
                         "2026-03-02").output)
    assert day["total"] == {"human": 1, "bot": 1, "prefetch": 0, "head": 0}
    table = run("--site", root, "clicks", "stats").output
    assert "8 human; 2 bot, 0 prefetch, 1 HEAD not counted" in table
    assert "2026-03-01" in table and "alpha" in table and "Product a 1" in table


def test_log_import_without_a_catalog_keeps_the_key_and_warns(tmp_path):
    root = tmp_path / "site"
    make_site(root)
    (root / ".showcase" / "catalog.sqlite").unlink()
    log = tmp_path / "access.log"
    log.write_text(COMBINED.splitlines()[0] + "\n")
    result = run("--site", root, "clicks", "import", log)
    assert "1 new" in result.output and "no catalog" in result.stderr
    with ClickStore(root / ".showcase" / "clicks.sqlite") as store:
        rows = store.db.execute("SELECT key, feed, offer_id, program FROM clicks").fetchall()
    assert rows == [("a.1", "a", None, "")]


def test_clicks_stats_without_a_store_says_what_to_do(tmp_path):
    root = make_site(tmp_path / "site")
    result = run("--site", root, "clicks", "stats", ok=False)
    assert result.exit_code == 1 and "no clicks yet" in result.output


def test_stats_on_tracker_clicks_with_a_date_range(tmp_path):
    with ClickStore(tmp_path / "c.sqlite") as store:
        store.record_many([
            a_click(at="2026-01-31T23:59:59.999+00:00"),
            a_click(at="2026-02-01T00:00:00.000+00:00", ua_class="prefetch", page="home"),
            a_click(at="2026-02-01T10:00:00.000+00:00", program="beta", product_id=2),
            a_click(at="2026-02-02T00:00:00.000+00:00"),
        ])
        stats = store.stats(since="2026-02-01", until="2026-02-01")
    assert stats["total"] == {"human": 1, "bot": 0, "prefetch": 1, "head": 0}
    assert stats["by_program"][0] == {"program": "beta", "human": 1, "bot": 0, "prefetch": 0, "head": 0}
    assert [p["product_id"] for p in stats["by_product"]] == [2, 1]
