"""Feed file -> catalog through showcase.ingest, inline and with the worker process."""

import sqlite3
import threading
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

import pytest
from click.testing import CliRunner

from showcase.catalog import Catalog
from showcase.cli import main
from showcase.config import load_site
from showcase.errors import FeedError
from showcase.ingest import import_feed

CATALOG_DUMP = ("SELECT o.feed, o.offer_id, p.slug, o.title, o.price_cents, o.old_price_cents, o.available, "
                "o.category, o.pictures, o.hash FROM offers o JOIN products p ON p.id = o.product_id "
                "ORDER BY o.feed, o.offer_id")


def dump(path):
    db = sqlite3.connect(path)
    try:
        return db.execute(CATALOG_DUMP).fetchall()
    finally:
        db.close()


def import_all(site, catalog_path, worker):
    with Catalog(catalog_path) as catalog:
        catalog.sync_site_categories(site.config.category_paths())
        return [import_feed(site, catalog, name, worker=worker) for name in site.config.feeds]


def test_the_worker_process_gives_the_same_catalog_as_inline(demo_site, tmp_path):
    site = load_site(demo_site)
    inline = import_all(site, tmp_path / "inline.sqlite", worker=False)
    worker = import_all(site, tmp_path / "worker.sqlite", worker=True)
    assert [r.summary_line() for r in inline] == [r.summary_line() for r in worker]
    assert dump(tmp_path / "inline.sqlite") == dump(tmp_path / "worker.sqlite")
    with Catalog(tmp_path / "worker.sqlite") as catalog:
        shop = catalog.db.execute("SELECT format, encoding, shop FROM feeds WHERE name='technomir'").fetchone()
    assert shop[:2] == ("yml", "windows-1251") and "ТехноМир" in shop[2]  # the header came back from the worker


@pytest.mark.parametrize("worker", [False, True])
def test_a_feed_error_in_either_path_names_line_and_column_and_rolls_back(demo_site, tmp_path, worker):
    site = load_site(demo_site)
    path = tmp_path / "c.sqlite"
    import_all(site, path, worker=False)
    before = dump(path)
    feed = site.feed_path("technomir")
    data = feed.read_bytes()
    cut = data.rfind(b"</offer>", 0, len(data) // 2)
    feed.write_bytes(data[:cut] + b"<broken" + data[cut:])
    with Catalog(path) as catalog, pytest.raises(FeedError) as info:
        import_feed(site, catalog, "technomir", worker=worker)
    assert info.value.path == str(feed) and info.value.line > 1 and info.value.column
    assert dump(path) == before


def test_fetch_then_import_over_http(demo_site, tmp_path):
    """Two remote feeds on a local server: one downloads, one answers 500; the good one still imports."""
    handler = partial(SimpleHTTPRequestHandler, directory=str(demo_site / "feeds" / "demo"))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    port = server.server_address[1]
    try:
        config = (demo_site / "site.yml").read_text(encoding="utf-8")
        config = config.replace("source: feeds/demo/gadgethub.xml", f"source: http://127.0.0.1:{port}/gadgethub.xml")
        config = config.replace("source: feeds/demo/domisad.csv", f"source: http://127.0.0.1:{port}/missing.csv")
        (demo_site / "site.yml").write_text(config, encoding="utf-8")
        runner = CliRunner()
        fetched = runner.invoke(main, ["--site", str(demo_site), "fetch"])
        assert fetched.exit_code == 1, fetched.output
        assert "gadgethub: updated" in fetched.output and "domisad: FAILED" in fetched.output
        assert (demo_site / "feeds" / "gadgethub.feed").is_file()
        again = runner.invoke(main, ["--site", str(demo_site), "fetch", "--feed", "gadgethub"])
        assert again.exit_code == 0 and "not modified" in again.output
        imported = runner.invoke(main, ["--site", str(demo_site), "import"])
        assert imported.exit_code == 1
        assert "gadgethub: ok" in imported.output and "technomir: ok" in imported.output
        assert "domisad: FAILED" in imported.output and "run `showcase fetch` first" in imported.output
    finally:
        server.shutdown()
        server.server_close()
