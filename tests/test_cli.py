"""The command line, through click's CliRunner on real site folders and real SQLite files."""

import json
import re

import pytest
from click.testing import CliRunner

from showcase.cli import main
from tests.conftest import REPO


def run(*args, ok=True):
    result = CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)
    if ok:
        assert result.exit_code == 0, result.output
    return result


def all_commands(group=main, prefix=()):
    for name, command in group.commands.items():
        path = (*prefix, name)
        if hasattr(command, "commands"):
            yield from all_commands(command, path)
        else:
            yield path


def test_every_command_has_help_and_is_in_the_readme():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    commands = list(all_commands())
    assert len(commands) >= 6
    for path in commands:
        result = run(*path, "--help")
        assert "Usage:" in result.output
        assert f"`showcase {' '.join(path)}" in readme, f"README does not document `showcase {' '.join(path)}`"


def test_init_creates_a_valid_site_and_refuses_to_overwrite(tmp_path):
    site = tmp_path / "mysite"
    out = run("init", site).output
    assert "created" in out and (site / "site.yml").is_file() and (site / ".gitignore").is_file()
    assert (site / "feeds").is_dir() and (site / "templates").is_dir()
    assert "valid" in run("--site", site, "check").output
    before = (site / "site.yml").read_bytes()
    result = run("init", site, ok=False)
    assert result.exit_code == 1 and "already exists" in result.output
    assert (site / "site.yml").read_bytes() == before


def test_check_reports_errors_with_line_and_exit_code_2(tmp_path):
    (tmp_path / "site.yml").write_text("site:\n  title: X\n  base_url: https://x.example/\n  language: de\n"
                                       "  currency: RUB\n", encoding="utf-8")
    result = run("--site", tmp_path, "check", ok=False)
    assert result.exit_code == 2
    assert re.search(r"site\.yml:4: site\.language: input should be 'ru' or 'en', got 'de'", result.output)


def test_check_json_on_the_demo_site(demo_site):
    summary = json.loads(run("--site", demo_site, "check", "--json").output)
    assert summary["site"]["currency"] == "RUB"
    assert set(summary["networks"].values()) >= {"admitad", "awin"}
    assert all(f["file_present"] for f in summary["feeds"].values())


def test_import_the_demo_site_then_stats(demo_site):
    out = run("--site", demo_site, "import").output
    assert re.search(r"technomir: ok: \d+ offers, \d+ new", out)
    stats = json.loads(run("--site", demo_site, "catalog", "stats", "--json").output)
    assert stats["shops"] >= 3 and stats["offers"] >= 300 and stats["products"] >= 250
    assert stats["products_multi_shop"] >= 20
    assert stats["categories"] >= 10
    assert set(stats["feeds"]) == {"technomir", "gadgethub", "domisad", "tropa"}
    assert all(f["last_import"]["status"] == "ok" for f in stats["feeds"].values())
    again = run("--site", demo_site, "import", "--json").output
    assert {f["status"] for f in json.loads(again)["feeds"]} == {"unchanged"}


def test_changed_settings_reimport_an_unchanged_file(demo_site):
    run("--site", demo_site, "import")
    config = (demo_site / "site.yml").read_text(encoding="utf-8")
    (demo_site / "site.yml").write_text(config.replace("USD: 92.5", "USD: 95"), encoding="utf-8")
    report = json.loads(run("--site", demo_site, "import", "--json").output)
    assert {f["status"] for f in report["feeds"]} == {"ok"}  # rates shape every feed's prices


def test_a_broken_feed_fails_alone_and_keeps_its_previous_catalog(demo_site):
    run("--site", demo_site, "import")
    before = json.loads(run("--site", demo_site, "catalog", "stats", "--json").output)["feeds"]["tropa"]["offers"]
    feed = demo_site / "feeds" / "demo" / "tropa.yml"
    text = feed.read_text(encoding="utf-8")
    feed.write_text(text.replace("</offer>", "</offr>", 3), encoding="utf-8")
    result = run("--site", demo_site, "import", "--json", ok=False)
    assert result.exit_code == 1
    report = json.loads(result.output)
    [failed] = [f for f in report["feeds"] if f["status"] == "failed"]
    assert failed["feed"] == "tropa" and re.search(r"tropa\.yml:\d+:\d+: ", failed["error"])
    stats = json.loads(run("--site", demo_site, "catalog", "stats", "--json").output)
    assert stats["feeds"]["tropa"]["offers"] == before
    assert stats["feeds"]["tropa"]["last_import"]["status"] == "failed"


def test_feed_inspect_json(demo_site):
    result = json.loads(run("feed", "inspect", demo_site / "feeds/demo/technomir.yml", "--json").output)
    assert result["format"] == "yml" and result["encoding"] == "windows-1251" and result["compression"] == "none"
    assert result["offers"] > 100 and result["categories"] > 5
    assert result["sample"] and result["sample"][0]["title"]
    assert "error" not in result


def test_feed_inspect_applies_the_site_feed_filters(demo_site):
    plain = json.loads(run("feed", "inspect", demo_site / "feeds/demo/gadgethub.xml", "--json").output)
    with_site = json.loads(run("--site", demo_site, "feed", "inspect", demo_site / "feeds/demo/gadgethub.xml",
                               "--feed", "gadgethub", "--json").output)
    assert with_site["offers"] == plain["offers"] - 1
    assert any(s["reason"].startswith("filtered: keyword") for s in with_site["skipped"])


@pytest.mark.parametrize("content, message", [
    (b"", "empty"), (b"<html><body>502 Bad Gateway</body></html>", "HTML"),
    (b'<?xml version="1.0"?><yml_catalog><shop><offers><offer id="1"><price>1</offers>', "line 1"),
])
def test_feed_inspect_unreadable_file_exits_1_with_error_key(tmp_path, content, message):
    path = tmp_path / "feed.xml"
    path.write_bytes(content)
    result = run("feed", "inspect", path, "--json", ok=False)
    assert result.exit_code == 1
    report = json.loads(result.output)
    assert str(path) in report["error"]
    assert message in report["error"] or re.search(r"feed\.xml:1:\d+", report["error"])


def test_unknown_feed_name_is_a_usage_error(demo_site):
    result = run("--site", demo_site, "import", "--feed", "nope", ok=False)
    assert result.exit_code == 2 and "unknown feed(s) nope" in result.output
