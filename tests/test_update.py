"""showcase update from cron: a real feed server on 127.0.0.1, real builds of the demo site, a real dir target."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from showcase.cli import main
from showcase.config import load_site
from showcase.lock import SiteLock
from tests.conftest import REPO
from tests.site_fixture import copy_demo

REMOTE_FEED = "gadgethub"  # the demo's Google Merchant feed, served over HTTP here


class FeedServer:
    """Serves one feed file; ``status`` switches it to an error answer."""

    def __init__(self, body: bytes):
        self.body, self.status, self.hits = body, 200, 0
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                server.hits += 1
                body = server.body if server.status == 200 else b"<html>Internal Server Error</html>"
                self.send_response(server.status)
                self.send_header("Content-Type", "application/xml" if server.status == 200 else "text/html")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/feed.xml"
        self.thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def feed_server():
    server = FeedServer((REPO / "feeds" / "demo" / f"{REMOTE_FEED}.xml").read_bytes())
    yield server
    server.close()


@pytest.fixture
def cron_site(tmp_path, feed_server):
    """The demo site with one feed fetched over HTTP and a dir target; the path nginx would serve."""
    root = copy_demo(tmp_path / "site")
    config = yaml.safe_load((root / "site.yml").read_text(encoding="utf-8"))
    config["feeds"][REMOTE_FEED]["source"] = feed_server.url
    config["feeds"][REMOTE_FEED]["timeout"] = 5
    config["deploy"] = {"live": {"type": "dir", "path": str(tmp_path / "www" / "shop")}}
    (root / "site.yml").write_text(yaml.safe_dump(config, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return root


def update(root: Path, *args: str, code: int = 0):
    result = CliRunner().invoke(main, ["--site", str(root), "update", *args], catch_exceptions=False)
    assert result.exit_code == code, result.output
    return result


def live(root: Path) -> Path:
    return root.parent / "www" / "shop"


def set_title(root: Path, title: str) -> None:
    text = (root / "site.yml").read_text(encoding="utf-8")
    config = yaml.safe_load(text)
    config["site"]["title"] = title
    (root / "site.yml").write_text(yaml.safe_dump(config, allow_unicode=True, sort_keys=False), encoding="utf-8")


def test_update_fetches_imports_builds_deploys_and_logs(cron_site, feed_server):
    result = json.loads(update(cron_site, "--json").output)
    assert result["ok"] and result["failed"] is None and result["warnings"] == []
    steps = {s["name"]: s for s in result["steps"]}
    assert list(steps) == ["fetch", "import", "build", "deploy"]
    assert steps["fetch"]["counts"]["updated"] == 1 and steps["fetch"]["counts"]["local"] == 3
    assert steps["import"]["counts"]["imported"] == 4
    assert steps["build"]["counts"]["pages"] > 100
    assert steps["deploy"]["counts"]["live"]["new"] == steps["build"]["counts"]["written"]
    assert (live(cron_site) / "index.html").is_file()
    assert (live(cron_site) / "shop" / REMOTE_FEED / "index.html").is_file()  # the fetched feed's shop page

    log = Path(result["log"])
    assert log.parent == cron_site / ".showcase" / "logs"
    text = log.read_text(encoding="utf-8")
    for line in ("fetch: ok in", "import: ok in", "build: ok in", "deploy: ok in", "update done in"):
        assert line in text

    again = update(cron_site)  # nothing changed: a 304-less server still gives the same bytes
    assert "update done" in again.output and "live 0 uploaded, 0 deleted" in again.output


def test_a_feed_answering_500_keeps_its_last_good_copy_and_the_site_still_updates(cron_site, feed_server):
    update(cron_site, "--quiet")
    release = live(cron_site).resolve()
    feed_server.status = 500
    set_title(cron_site, "Renamed shop")
    result = update(cron_site)  # a warning, not a failure
    assert f"warning: feed {REMOTE_FEED}: download failed" in result.output
    assert "kept the last good copy" in result.output
    assert live(cron_site).resolve() != release
    home = (live(cron_site) / "index.html").read_text(encoding="utf-8")
    assert "Renamed shop" in home
    assert (live(cron_site) / "shop" / REMOTE_FEED / "index.html").is_file()  # its offers are still there

    # --strict: the same failure stops the run before anything is deployed
    set_title(cron_site, "Strictly renamed")
    release = live(cron_site).resolve()
    result = update(cron_site, "--strict", code=1)
    assert "update FAILED: fetch: feed gadgethub: download failed" in result.output
    assert live(cron_site).resolve() == release
    assert "Strictly renamed" not in (live(cron_site) / "index.html").read_text(encoding="utf-8")


def test_a_failing_build_deploys_nothing(cron_site):
    update(cron_site, "--quiet")
    release = live(cron_site).resolve()
    (cron_site / "templates").mkdir(exist_ok=True)
    (cron_site / "templates" / "home.html").write_text("{% extends 'theme/home.html' %}{% block main %}{% if %}"
                                                       "{% endblock %}", encoding="utf-8")
    result = update(cron_site, code=1)
    assert "update FAILED: build: template" in result.output
    assert live(cron_site).resolve() == release
    log = sorted((cron_site / ".showcase" / "logs").glob("update-*.log"))[-1].read_text(encoding="utf-8")
    assert "stopped before deploying" in log and "deploy:" not in log.split("stopped before deploying")[0]


def test_a_second_run_while_one_holds_the_lock_exits_3(cron_site, feed_server):
    site = load_site(cron_site)
    with SiteLock(site, "update"):
        result = update(cron_site, code=3)
        for command in ("build", "deploy"):  # nor a build or deploy by hand
            by_hand = CliRunner().invoke(main, ["--site", str(cron_site), command], catch_exceptions=False)
            assert by_hand.exit_code == 3, by_hand.output
            assert f"{command} skipped: another showcase run is working on this site" in by_hand.output
    assert "another showcase run is working on this site (showcase update, pid" in result.output
    assert feed_server.hits == 0  # it did nothing
    update(cron_site, "--quiet")  # the lock is free again
