"""showcase build on a small inline site: incremental writes, atomic swap, link modes, gone products."""

import json
import os
import re
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner

from showcase.cli import main
from showcase.render.seo import sitemaps

SITE = """\
site: {title: Mini, base_url: "https://mini.example/", language: en, currency: RUB}
links: {mode: MODE, tracker_url: "https://t.example"}
images: hotlink
page_size: 4
categories:
  - {slug: kitchen, name: Kitchen, children: [{slug: kettles, name: Kettles}]}
networks:
  adm: {type: admitad}
programs:
  a: {name: Shop A, network: adm, id: codeA}
  b: {name: Shop B, network: adm, id: codeB}
feeds:
  fa: {source: fa.yml, program: a, category_map: {"1": kitchen/kettles}}
  fb: {source: fb.yml, program: b, category_map: {"1": kitchen/kettles}, max_shrink_percent: 100}
"""


def yml(offers: list[tuple[str, str, int, str]]) -> str:
    items = "".join(f'<offer id="{oid}" available="true"><url>https://shop.example/{oid}</url><price>{price}</price>'
                    f"<currencyId>RUR</currencyId><categoryId>1</categoryId><picture>https://img.example/{oid}.jpg"
                    f"</picture><name>{name}</name><vendor>Tefal</vendor><barcode>{ean}</barcode></offer>"
                    for oid, name, price, ean in offers)
    return (f'<?xml version="1.0" encoding="UTF-8"?><yml_catalog date="2026-01-01"><shop><name>S</name>'
            f'<currencies><currency id="RUR" rate="1"/></currencies><categories><category id="1">Чайники'
            f"</category></categories><offers>{items}</offers></shop></yml_catalog>")


KETTLES = [("1", "Kettle One", 1000, "4006381333931"), ("2", "Kettle Two", 2000, "5901234123457"),
           ("3", "Kettle Three", 3000, "9780306406157")]


@pytest.fixture
def mini(tmp_path):
    def make(mode="direct"):
        (tmp_path / "site.yml").write_text(SITE.replace("MODE", mode), encoding="utf-8")
        (tmp_path / "fa.yml").write_text(yml(KETTLES), encoding="utf-8")
        (tmp_path / "fb.yml").write_text(yml([("b1", "Tefal Kettle 1", 950, "4006381333931")]), encoding="utf-8")
        return tmp_path
    return make


def build(site: Path, *args, ok=True):
    result = CliRunner().invoke(main, ["--site", str(site), "build", "--jobs", "1", "--json", *args],
                                catch_exceptions=False)
    if ok:
        assert result.exit_code == 0, result.output
        return json.loads(result.output)
    return result


def snapshot(root: Path) -> dict[str, tuple[int, int]]:
    return {p.relative_to(root).as_posix(): (p.stat().st_ino, p.stat().st_mtime_ns)
            for p in root.rglob("*") if p.is_file()}


def test_build_then_rebuild_rewrites_only_what_changed(mini):
    site = mini()
    first = build(site)
    assert first["pages"] > 8 and first["written"] > first["pages"]
    before = snapshot(site / "build")
    again = build(site)
    assert again["written"] == 0 and again["skipped"] == again["pages"]
    assert snapshot(site / "build") == before  # same inodes and mtimes: rsync and CDNs see no change
    (site / "fa.yml").write_text(yml([*KETTLES[:2], ("3", "Kettle Three", 2500, "9780306406157")]), encoding="utf-8")
    CliRunner().invoke(main, ["--site", str(site), "import"])
    changed = build(site)
    after = snapshot(site / "build")
    rewritten = {path for path in after if after[path] != before.get(path)}
    assert "p/kettle-three/index.html" in rewritten and "kitchen/kettles/index.html" in rewritten
    # pages whose content does not show that price keep their files (other products' pages do show it,
    # in their similar-products cards, so they legitimately change on a site this small)
    assert not rewritten & {"disclosure/index.html", "search/index.html", "404.html", "shops/index.html"}
    assert changed["written"] == len(rewritten) < len(after) // 2


def test_clean_renders_everything_anew(mini):
    site = mini()
    build(site)
    clean = build(site, "--clean")
    assert clean["skipped"] == 0 and clean["written"] >= clean["pages"]


def test_a_failing_build_leaves_the_previous_build_untouched(mini):
    site = mini()
    build(site)
    before = snapshot(site / "build")
    (site / "templates").mkdir()
    (site / "templates" / "product.html").write_text('{% extends "theme/product.html" %}{% block content %}'
                                                     "{{ page.no_such_field.x }}{% endblock %}", encoding="utf-8")
    result = build(site, ok=False)
    assert result.exit_code == 1 and "template product.html failed on /p/" in result.output
    assert snapshot(site / "build") == before
    assert not (site / ".build.next").exists()
    (site / "templates" / "product.html").write_text("{% if %}", encoding="utf-8")
    result = build(site, ok=False)
    assert result.exit_code == 1 and re.search(r"template .*product\.html:1: ", result.output)


def test_a_site_template_overrides_and_extends_the_theme(mini):
    site = mini()
    (site / "templates").mkdir()
    (site / "templates" / "product.html").write_text(textwrap.dedent("""\
        {% extends "theme/product.html" %}
        {% block content %}<p class="note">Our pick</p>{{ super() }}{% endblock %}"""), encoding="utf-8")
    build(site)
    page = (site / "build" / "p" / "kettle-one" / "index.html").read_text(encoding="utf-8")
    assert '<p class="note">Our pick</p>' in page and 'class="buy"' in page


def test_merged_product_page_has_both_shops_and_deep_links(mini):
    site = mini()
    build(site)
    page = (site / "build" / "p" / "kettle-one" / "index.html").read_text(encoding="utf-8")
    links = re.findall(r'<a class="buy" href="([^"]+)" rel="([^"]+)" target="_blank"', page)
    assert [href.split("?")[0] for href, _ in links] == ["https://ad.admitad.com/g/codeB/",
                                                          "https://ad.admitad.com/g/codeA/"]  # cheapest first
    assert all("sponsored" in rel for _, rel in links) and all("subid=p1product" in href for href, _ in links)


def test_redirect_mode_writes_go_pages_and_disallows_them(mini):
    site = mini("redirect")
    build(site)
    page = (site / "build" / "p" / "kettle-one" / "index.html").read_text(encoding="utf-8")
    assert 'href="/go/fa.1/"' in page and 'href="/go/fb.b1/"' in page
    go = (site / "build" / "go" / "fa.1" / "index.html").read_text(encoding="utf-8")
    assert "noindex" in go and 'http-equiv="refresh"' in go and "https://ad.admitad.com/g/codeA/?ulp=" in go
    assert "Disallow: /go/" in (site / "build" / "robots.txt").read_text()


def test_tracker_mode_points_buy_links_at_the_tracker(mini):
    site = mini("tracker")
    build(site)
    page = (site / "build" / "p" / "kettle-two" / "index.html").read_text(encoding="utf-8")
    assert 'href="https://t.example/go/fa.2?from=product"' in page


def test_gone_products_keep_their_page_with_noindex_and_leave_listings_and_sitemaps(mini):
    site = mini()
    build(site)
    (site / "fa.yml").write_text(yml(KETTLES[:1] + KETTLES[2:]), encoding="utf-8")  # Kettle Two is gone
    CliRunner().invoke(main, ["--site", str(site), "import", "--force"])
    build(site)
    out = site / "build"
    page = (out / "p" / "kettle-two" / "index.html").read_text(encoding="utf-8")
    assert 'name="robots" content="noindex' in page and 'class="buy"' not in page
    assert "/p/kettle-two/" not in (out / "sitemaps" / "sitemap-1.xml").read_text()
    assert "/p/kettle-two/" not in (out / "kitchen" / "kettles" / "index.html").read_text(encoding="utf-8")


def test_sitemaps_split_at_50000_urls_with_an_index():
    files = dict(sitemaps("https://x.example/", [f"/p/{i}/" for i in range(120_001)]))
    assert sorted(files) == ["sitemap.xml", "sitemaps/sitemap-1.xml", "sitemaps/sitemap-2.xml",
                             "sitemaps/sitemap-3.xml"]
    assert files["sitemaps/sitemap-1.xml"].count(b"<url>") == 50_000
    assert files["sitemaps/sitemap-3.xml"].count(b"<url>") == 20_001
    assert files["sitemap.xml"].count(b"<sitemap>") == 3


def test_parallel_build_equals_serial(mini, tmp_path_factory):
    site = mini()
    build(site)
    serial = {p: (site / "build" / p).read_bytes() for p in snapshot(site / "build")}
    result = CliRunner().invoke(main, ["--site", str(site), "build", "--clean", "--jobs", "2"])
    assert result.exit_code == 0, result.output
    assert {p: (site / "build" / p).read_bytes() for p in snapshot(site / "build")} == serial
    assert os.path.exists(site / "build" / "pagefind" / "0" / "pagefind.js")


def test_an_interrupted_commit_is_finished_by_the_next_run(mini):
    """The journal is written before files move: whatever stopped the last run, the next one rolls forward."""
    from showcase.render.output import finish_commit

    site = mini()
    build(site)
    staging = site / ".build.next"
    (staging / "p" / "kettle-one").mkdir(parents=True)
    (staging / "p" / "kettle-one" / "index.html").write_text("new", encoding="utf-8")
    journal = site / ".showcase" / "build-commit.json"
    journal.write_text(json.dumps({"staging": str(staging), "live": str(site / "build"),
                                   "remove": ["p/kettle-three/index.html"]}), encoding="utf-8")
    finish_commit(journal)
    assert (site / "build" / "p" / "kettle-one" / "index.html").read_text(encoding="utf-8") == "new"
    assert not (site / "build" / "p" / "kettle-three").exists()  # emptied folders go too
    assert not journal.exists() and not staging.exists()
    build(site, "--clean")  # (this journal was made up: only a clean build knows to redo those pages)
    assert 'class="buy"' in (site / "build" / "p" / "kettle-one" / "index.html").read_text(encoding="utf-8")


def test_the_search_index_is_sharded_and_only_a_changed_shard_is_reindexed(mini, monkeypatch):
    from showcase.render import build as build_module

    monkeypatch.setattr(build_module, "search_shards", lambda products: 4)  # 3 products in shards 2, 3 and 1
    site = mini()
    build(site)
    out = site / "build"
    shards = {build_module.shard_of(f"p/{slug}/index.html", 4) for slug in ("kettle-one", "kettle-two", "kettle-three")}
    assert shards == {1, 2, 3}  # shard 0 has no product: it gets no bundle
    bundles = {int(p.parent.name) for p in (out / "pagefind").glob("*/pagefind.js")}
    assert bundles == shards
    search = (out / "search" / "index.html").read_text(encoding="utf-8")
    assert 'data-index="/pagefind/0/"' in search and 'data-merge="/pagefind/1/ /pagefind/2/ /pagefind/3/"' in search
    before = snapshot(out / "pagefind")
    (site / "fa.yml").write_text(yml([*KETTLES[:2], ("3", "Kettle Three", 2500, "9780306406157")]), encoding="utf-8")
    CliRunner().invoke(main, ["--site", str(site), "import"])
    build(site)
    after = snapshot(out / "pagefind")
    shard = build_module.shard_of("p/kettle-three/index.html", 4)
    changed = {path.split("/")[0] for path in after if after[path] != before.get(path)}
    assert changed == {str(shard)}  # the other shards' files were not touched
