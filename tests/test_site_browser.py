"""The built demo storefront in a real browser: Playwright for Python driving Debian's chromium
(never `playwright install`: the browser comes from apt, /usr/bin/chromium or CHROME_PATH).

* search -> product: a word from a product title typed into the search page (Pagefind's JS API, through
  static/search.js) finds the product; its page's buy links are exactly the affiliate deep links with
  the page's sub-id, computed here from the catalog with showcase.links, rel="sponsored ...", new tab;
* category filters: static/filters.js reveals the hidden filter form; a price range shows only cards
  in that range, as many as the category JSON has;
* without JavaScript the category page is the paginated list, and its pager works;
* on 320 and 360 px wide phones no page scrolls sideways (wide tables scroll inside their own box).

Skips (fails in CI) without playwright or chromium.
"""

from __future__ import annotations

import json
import re
import sqlite3
from collections import Counter
from urllib.parse import parse_qs, urlsplit

import pytest

from showcase.config import load_site
from showcase.links import deep_link, static_subid
from tests.site_fixture import CHROME_FLAGS, CHROMIUM, ServedSite, chromium_missing, require, sample_products

try:
    from playwright.sync_api import sync_playwright
except ImportError:  # a machine without the test extra
    sync_playwright = None

TIMEOUT_MS = 15_000
CATEGORY = "/electronics/smartphones/"
PAGED_CATEGORY = "/electronics/"


@pytest.fixture(scope="module")
def browser():
    require(sync_playwright is not None, "playwright is not installed (pip install -e '.[test]')")
    require(not chromium_missing(), chromium_missing())
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROME_FLAGS)
        try:
            yield b
        finally:
            b.close()


@pytest.fixture
def page(browser):
    """A page in a fresh context (wide enough for the filters to open); fails the test on a script error."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="ru-RU")
    context.set_default_timeout(TIMEOUT_MS)
    tab = context.new_page()
    errors: list[str] = []
    tab.on("pageerror", lambda e: errors.append(f"{tab.url}: {e}"))
    tab.on("console", lambda m: errors.append(f"{tab.url}: console.{m.type}: {m.text}") if m.type == "error" else None)
    yield tab
    context.close()
    assert not errors, "script errors in the browser:\n" + "\n".join(errors)


def distinctive_word(title: str, titles: list[str]) -> str:
    """The word of ``title`` found in the fewest product titles (letters only, 4+ characters)."""
    def words(t: str) -> set[str]:
        return {w.lower() for w in re.findall(r"[^\W\d_]{4,}", t)}
    counts = Counter(w for t in titles for w in words(t))
    candidates = sorted(words(title), key=lambda w: (counts[w], w))
    assert candidates, f"no word to search for in {title!r}"
    return candidates[0]


def expected_links(site: ServedSite, product_id: int) -> dict[str, str]:
    """Shop name -> the buy link its live offer must have on the product page, computed independently of
    the renderer: the deep link of the offer URL with sub-id "p<id>" (links.mode direct), or /go/<key>/."""
    config = load_site(site.root).config
    db = sqlite3.connect(f"file:{site.catalog}?mode=ro", uri=True)
    try:
        offers = db.execute("SELECT program, url, key FROM offers WHERE product_id = ? AND gone_at IS NULL",
                            (product_id,)).fetchall()
    finally:
        db.close()
    subid = static_subid(product_id, "product")
    out = {}
    for program, url, key in offers:
        prog = config.programs[program]
        if config.links.mode == "redirect":
            out[prog.name] = f"/go/{key}/"
        else:
            assert config.links.mode == "direct", f"links.mode {config.links.mode}: no expectation written for it"
            out[prog.name] = deep_link(url, prog, config.networks[prog.network], subid)
    return out


def test_search_finds_a_product_whose_buy_links_are_the_affiliate_deep_links(built_demo: ServedSite, page):
    product = sample_products(built_demo)["multi_shop_ad"]  # several shops, one with an ad-marking erid
    db = sqlite3.connect(f"file:{built_demo.catalog}?mode=ro", uri=True)
    try:
        titles = [t for (t,) in db.execute("SELECT title FROM products")]
    finally:
        db.close()
    word = distinctive_word(product.title, titles)

    page.goto(built_demo.url("/search/"))
    page.fill("#search-q", word)
    page.press("#search-q", "Enter")
    result = page.locator(f'#results .card a[href="{product.path}"]')
    result.wait_for(state="visible")
    assert parse_qs(urlsplit(page.url).query).get("q") == [word]  # the query is kept in the URL
    result.click()
    page.wait_for_url(f"**{product.path}")
    assert page.locator("h1").inner_text().strip() == product.title

    expected = expected_links(built_demo, product.id)
    assert len(expected) > 1
    buy = page.locator("a.buy")
    assert buy.count() == len(expected), f"{buy.count()} buy links for {len(expected)} live offers"
    found = {}
    programs = load_site(built_demo.root).config.programs
    erids = {p.name: p.erid for p in programs.values() if p.erid}
    for i in range(buy.count()):
        link = buy.nth(i)
        shop = link.get_attribute("data-shop")
        found[shop] = link.get_attribute("href")
        assert "sponsored" in (link.get_attribute("rel") or "").split(), f"{shop}: rel={link.get_attribute('rel')!r}"
        assert link.get_attribute("target") == "_blank", shop
        if shop in erids:  # the ad marking sits in the same row as the link
            row = link.locator("xpath=ancestor::tr[1]")
            assert erids[shop] in row.inner_text(), f"{shop}: no erid {erids[shop]} next to its buy link"
    assert found == expected
    assert set(erids) & set(found), "the product has no offer from a program with ad marking"


def category_cards(site: ServedSite, category: str, page) -> list[dict]:
    """The cards of the category JSON the filter form reads (form[data-src]), from the build."""
    src = page.locator("#filters").get_attribute("data-src")
    file = site.file(src)
    assert file is not None, f"{category}: filter data {src} is not in the build"
    return json.loads(file.read_text(encoding="utf-8"))["cards"]


def visible_prices(page) -> list[str]:
    return page.eval_on_selector_all(
        "#cards .card", "cards => cards.filter(c => c.offsetParent !== null).map(c => c.dataset.price)")


def test_category_price_filter(built_demo: ServedSite, page):
    page.goto(built_demo.url(CATEGORY))
    form = page.locator("#filters")
    form.wait_for(state="visible")  # hidden in the HTML, revealed by site.js
    before = visible_prices(page)
    cards = category_cards(built_demo, CATEGORY, page)
    prices = sorted(c["price"] for c in cards if c["price"] is not None)
    assert len(prices) >= 8, f"{CATEGORY}: too few priced products to filter ({len(prices)})"
    low, high = prices[len(prices) // 4], prices[3 * len(prices) // 4]
    expected = [c for c in cards if c["price"] is not None and low <= c["price"] <= high]
    assert 0 < len(expected) < len(before)

    if not page.locator("#filters details").evaluate("d => d.open"):
        page.click("#filters summary")
    page.fill("#f-min", str(low))
    page.fill("#f-max", str(high))
    page.click("#filters button[type=submit]")
    status = form.get_attribute("data-count").replace("{n}", str(len(expected)))
    page.locator("#filter-status").filter(has_text=status).wait_for()

    after = visible_prices(page)
    assert len(after) == min(len(expected), 48), (len(after), len(expected))
    assert len(after) != len(before)
    outside = [p for p in after if not p or not low <= float(p) <= high]
    assert not outside, f"cards outside {low}..{high}: {outside}"
    assert sorted(after, key=float) == sorted((str(c["price"]) for c in expected[:48]), key=float)
    assert f"min={low}" in page.url and f"max={high}" in page.url  # the state is kept in the query string
    pager = page.locator(".pager")
    assert pager.count() == 0 or not pager.is_visible()

    page.click("#filters button[type=reset]")  # back to the server-rendered list
    page.wait_for_function(f"document.querySelectorAll('#cards .card').length === {len(before)}")


def test_category_without_javascript_is_the_paginated_list(built_demo: ServedSite, browser):
    page2 = PAGED_CATEGORY + "page/2/"
    assert built_demo.file(page2), f"{PAGED_CATEGORY} has no second page in the demo build"
    context = browser.new_context(java_script_enabled=False, viewport={"width": 1280, "height": 900})
    context.set_default_timeout(TIMEOUT_MS)
    try:
        tab = context.new_page()
        tab.goto(built_demo.url(PAGED_CATEGORY))
        assert not tab.locator("#filters").is_visible()  # the filter form needs the script
        cards = tab.locator("#cards .card")
        first = cards.count()
        assert first > 1 and cards.first.is_visible()
        first_href = tab.locator("#cards .card a").first.get_attribute("href")
        pager = tab.locator(".pager")
        assert pager.is_visible()
        tab.locator(f'.pager a[href="{page2}"]').first.click()
        tab.wait_for_url(f"**{page2}")
        assert cards.count() > 0
        assert tab.locator("#cards .card a").first.get_attribute("href") != first_href  # the next products
        tab.goto(built_demo.url(CATEGORY))  # a one-page category lists its cards as well
        assert tab.locator("#cards .card").count() > 1
    finally:
        context.close()



PHONE_WIDTHS = (320, 360)  # CSS px: the smallest phones in use, the most common small Android width


@pytest.fixture(scope="module")
def too_wide(built_demo: ServedSite, browser) -> dict[str, dict[str, list[str]]]:
    """"<width> <page>" -> {"table": [...], "other": [...]}: the outermost elements that stick out of a phone
    screen PHONE_WIDTHS wide (Lighthouse's emulated phone is 412 px wide), inside a table or not."""
    paths = ["/", PAGED_CATEGORY, CATEGORY, "/brands/", "/shop/technomir/", "/disclosure/", "/search/?q=xiaomi",
             "/404.html", *(p.path for p in sample_products(built_demo).values())]
    out = {}
    for width in PHONE_WIDTHS:
        context = browser.new_context(viewport={"width": width, "height": 740}, device_scale_factor=2,
                                      is_mobile=True, has_touch=True)
        context.set_default_timeout(TIMEOUT_MS)
        try:
            tab = context.new_page()
            for path in paths:
                tab.goto(built_demo.url(path))
                tab.wait_for_load_state("load")
                out[f"{width} {path}"] = tab.evaluate("""w => {
                    const name = e => e.tagName.toLowerCase()
                        + (e.className ? '.' + String(e.className).split(' ')[0] : '');
                    const inScrollBox = e => {  // a wide table may scroll inside its own box, not the page
                        for (let p = e.parentElement; p; p = p.parentElement) {
                            const o = getComputedStyle(p).overflowX;
                            if (o === 'auto' || o === 'scroll') return true;
                        }
                        return false;
                    };
                    const wide = [...document.querySelectorAll('body *')]
                        .filter(e => e.getBoundingClientRect().right > w + 1 && !inScrollBox(e));
                    const top = wide.filter(e => !wide.includes(e.parentElement));
                    const page = document.documentElement.scrollWidth > w ? ['document'] : [];
                    return {table: top.filter(e => e.closest('table')).map(name),
                            other: page.concat(top.filter(e => !e.closest('table')).map(name))};
                }""", width)
        finally:
            context.close()
    return out


def test_no_page_scrolls_sideways_on_a_small_phone(too_wide):
    wide = {page: found["other"] for page, found in too_wide.items() if found["other"]}
    assert not wide, f"elements wider than the phone screen (width, page: elements): {wide}"


def test_no_table_scrolls_sideways_on_a_small_phone(too_wide):
    wide = {page: found["table"] for page, found in too_wide.items() if found["table"]}
    assert not wide, f"tables wider than the phone screen (width, page: elements): {wide}"


def search_count(page, site: ServedSite, query: str) -> str:
    page.goto(site.url(f"/search/?q={query}"))
    page.locator("#results .card").first.wait_for(state="visible")
    return page.locator("#search-status").inner_text()


def test_a_search_index_split_into_shards_finds_what_one_index_finds(built_demo: ServedSite, page, tmp_path,
                                                                      monkeypatch):
    """Large catalogs get their search index in shards merged in the browser: same results as one index."""
    from click.testing import CliRunner

    from showcase.cli import main
    from showcase.render import build as build_module
    from tests.site_fixture import copy_demo, serve

    root = copy_demo(tmp_path / "sharded")
    monkeypatch.setattr(build_module, "search_shards", lambda products: 3)
    result = CliRunner().invoke(main, ["--site", str(root), "build", "--jobs", "1"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert len(list((root / "build" / "pagefind").glob("*/pagefind.js"))) == 3
    with serve(root) as sharded:
        found = search_count(page, sharded, "Xiaomi")
        assert re.search(r"\d", found) and found == search_count(page, built_demo, "Xiaomi"), found
