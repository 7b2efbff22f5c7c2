"""The default theme (themes/default): every page type renders in ru and en from the fixtures in
tests/render_fixtures.py, with the markup the storefront depends on (SEO head, affiliate links and ad
marking, accessibility basics, the search index boundaries), and a site can override one template or
one partial by extending the theme's version.

The Environment is set up the way the renderer does it: a ChoiceLoader [site overrides, theme] plus a
PrefixLoader {"theme": theme} for `{% extends "theme/..." %}`, autoescape on, `_` from i18n, `asset`
as a global, trim_blocks and lstrip_blocks. StrictUndefined makes a misspelt field fail here instead
of printing nothing.
"""

from __future__ import annotations

import itertools
import json
import re
import shutil
import string
import subprocess
from collections import Counter
from pathlib import Path

import lxml.html
import pytest
from jinja2 import ChoiceLoader, Environment, FileSystemLoader, PrefixLoader, StrictUndefined

from showcase.render.context import PAGE_TYPES
from showcase.render.i18n import STRINGS, translator
from tests import render_fixtures as F

REPO = Path(__file__).resolve().parents[1]
THEME = REPO / "themes" / "default"
TEMPLATES = THEME / "templates"
STATIC = THEME / "static"
LANGS = ("ru", "en")

# The documented shape of one card in the category JSON (CategoryPage.data_url); see the README.
CARD_JSON_KEYS = {"url", "title", "brand", "brand_slug", "shops", "price", "price_text", "old_price_text",
                  "discount", "available", "img"}
CARD_JSON_IMG_KEYS = {"src", "srcset", "webp_srcset", "width", "height"}


def make_env(site_templates: Path | None = None) -> Environment:
    theme = FileSystemLoader(str(TEMPLATES))
    loaders = [FileSystemLoader(str(site_templates))] if site_templates else []
    env = Environment(
        loader=ChoiceLoader([*loaders, theme, PrefixLoader({"theme": theme})]),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals["asset"] = lambda name: f"/assets/{name}"
    return env


ENV = make_env()


def render(name: str, page, lang: str, env: Environment = ENV) -> str:
    return env.get_template(name).render(page=page, site=page.site, _=translator(lang))


def parse(html: str):
    return lxml.html.document_fromstring(html)


def text(el) -> str:
    """The element's text with ASCII whitespace collapsed (no-break spaces in prices are kept)."""
    return re.sub(r"[ \t\r\n]+", " ", el.text_content()).strip()


def page_id(case) -> str:
    name, page = case
    return f"{name}:{getattr(page, 'kind', '')}{'gone' if getattr(page, 'gone', False) else ''}"


CASES = [(lang, name, page) for lang in LANGS for name, page in F.all_pages(lang)]
IDS = [f"{lang}-{page_id((name, page))}" for lang, name, page in CASES]


# --- every page -------------------------------------------------------------------------------

def test_every_page_type_has_a_template_and_a_fixture():
    for name in PAGE_TYPES:
        assert (TEMPLATES / name).is_file(), name
    for lang in LANGS:
        covered = {name for name, _ in F.all_pages(lang)}
        assert covered == set(PAGE_TYPES)
        for name, page in F.all_pages(lang):
            assert isinstance(page, PAGE_TYPES[name]), name


@pytest.mark.parametrize(("lang", "name", "page"), CASES, ids=IDS)
def test_page_head_and_layout(lang, name, page):
    html = render(name, page, lang)
    assert html.startswith("<!DOCTYPE html>")
    doc = parse(html)
    meta = page.meta
    assert doc.get("lang") == lang
    assert len(doc.xpath("//h1")) == 1
    assert doc.xpath("//head/meta[@charset]")[0].get("charset") == "utf-8"
    assert doc.xpath("//meta[@name='viewport']/@content") == ["width=device-width, initial-scale=1"]
    assert doc.xpath("//title")[0].text == meta.title
    assert doc.xpath("//meta[@name='description']/@content") == [meta.description]
    assert doc.xpath("//link[@rel='canonical']/@href") == [meta.canonical]
    assert doc.xpath("//meta[@property='og:title']/@content") == [meta.title]
    assert doc.xpath("//meta[@property='og:description']/@content") == [meta.description]
    assert doc.xpath("//meta[@property='og:url']/@content") == [meta.canonical]
    assert doc.xpath("//meta[@property='og:type']/@content") == [meta.og_type]
    assert doc.xpath("//meta[@property='og:image']/@content") == ([meta.og_image] if meta.og_image else [])
    robots = doc.xpath("//meta[@name='robots']/@content")
    if meta.noindex or name == "go.html":
        assert len(robots) == 1 and "noindex" in robots[0]
    else:
        assert robots == []
    assert doc.xpath("//link[@rel='icon']/@href") == ["data:,"]
    assert doc.xpath("//link[@rel='stylesheet']/@href") == [page.site.css]

    # JSON-LD: one script per document, emitted unescaped (the renderer already made it safe)
    scripts = doc.xpath("//script[@type='application/ld+json']")
    assert [s.text for s in scripts] == [str(d) for d in meta.jsonld]
    for s in scripts:
        json.loads(s.text)

    # no render-blocking script: every other script is external and deferred
    for s in doc.xpath("//script[not(@type='application/ld+json')]"):
        assert s.get("src") and s.get("defer") is not None, lxml.html.tostring(s)

    # skip link, main landmark, header search form, nav
    assert doc.xpath("//a[@class='skip']/@href") == ["#main"]
    assert len(doc.xpath("//main[@id='main']")) == 1
    for form in doc.xpath("//form[not(@id='filters')]"):
        assert form.get("action") == page.site.search_url and form.get("method") == "get"
        assert form.xpath(".//input[@name='q']")
    nav = doc.xpath("//nav[contains(@class,'site-nav')]//a/@href")
    assert nav == [link.url for link in page.site.nav]

    # the affiliate disclosure is linked from every page's footer, with the year
    footer = doc.xpath("//footer")[0]
    assert footer.xpath(".//a/@href") == [page.site.disclosure_url, page.site.brands_url, page.site.shops_url]
    assert str(page.site.year) in text(footer)

    # only (live) product pages are in the Pagefind index
    bodies = doc.xpath("//*[@data-pagefind-body]")
    if name == "product.html" and not page.gone:
        assert len(bodies) == 1
    else:
        assert bodies == []
        assert "data-pagefind-meta" not in html


@pytest.mark.parametrize(("lang", "name", "page"), CASES, ids=IDS)
def test_page_markup_basics(lang, name, page):
    """What the HTML checker and Lighthouse look at first: ids, images, links, buttons, labels, headings."""
    html = render(name, page, lang)
    doc = parse(html)
    ids = Counter(doc.xpath("//@id"))
    assert [i for i, n in ids.items() if n > 1] == []
    for ref in doc.xpath("//label/@for") + [h.lstrip("#") for h in doc.xpath("//a[starts-with(@href,'#')]/@href")]:
        assert ref in ids, ref
    for img in doc.xpath("//img"):
        assert img.get("width") and img.get("height") and img.get("alt") is not None, lxml.html.tostring(img)
        if img.get("srcset", "").rstrip().endswith("w"):
            assert img.get("sizes")
    for a in doc.xpath("//a"):
        assert a.get("href"), lxml.html.tostring(a)
        assert text(a) or a.get("aria-label"), lxml.html.tostring(a)
    for button in doc.xpath("//button"):
        assert button.get("type") in {"submit", "reset", "button"}
    for field in doc.xpath("//input[not(@type='hidden')] | //select"):
        assert doc.xpath(f"//label[@for='{field.get('id')}']"), lxml.html.tostring(field)
    levels = [int(h.tag[1]) for h in doc.iter("h1", "h2", "h3", "h4", "h5", "h6")]
    assert levels[0] == 1
    for before, after in itertools.pairwise(levels):
        assert after <= before + 1, levels
    # no unrendered placeholders or template syntax leaking through
    assert "{{" not in html and "{%" not in html
    assert not re.search(r"\{[a-z_]+\}", text(doc.body))


def test_rendering_is_deterministic():
    for lang, name, page in CASES:
        assert render(name, page, lang) == render(name, page, lang)


# --- product ----------------------------------------------------------------------------------

@pytest.mark.parametrize("lang", LANGS)
def test_product_buy_links_and_ad_marking(lang):
    page = F.product_page(lang)
    doc = parse(render("product.html", page, lang))
    buys = doc.xpath("//a[contains(concat(' ', @class, ' '), ' buy ')]")
    assert [a.get("href") for a in buys] == [o.href for o in page.offers]
    for a, offer in zip(buys, page.offers, strict=True):
        assert "sponsored" in a.get("rel").split()
        assert a.get("rel") == offer.rel
        assert a.get("target") == "_blank"
        assert a.get("data-shop") == offer.shop
        expected = STRINGS[lang]["buy_at" if offer.available else "view_at"].format(shop=offer.shop)
        assert text(a).startswith(expected)

    rows = doc.xpath("//table[contains(@class,'offers-table')]/tbody/tr")
    assert len(rows) == len(page.offers)
    for row, offer in zip(rows, page.offers, strict=True):
        cell = row.xpath(".//a[contains(@class,'buy')]/..")[0]
        labels = cell.xpath(".//*[contains(@class,'ad-label')]")
        if offer.ad:
            assert len(labels) == 1
            label = text(labels[0])
            assert offer.ad.text in label and offer.ad.advertiser in label
            assert f"erid: {offer.ad.erid}" in label
            assert (offer.ad.inn in label) == bool(offer.ad.inn)
            # right next to its link: the label follows the buy link in the same cell
            assert labels[0].getprevious() is cell.xpath(".//a[contains(@class,'buy')]")[0]
        else:
            assert labels == []
            assert "erid" not in text(row)
        assert offer.price.text in text(row)
        if offer.old_price:
            assert row.xpath(f".//s[contains(., '{offer.old_price.text}')]")
    assert len(doc.xpath("//*[contains(@class,'ad-label')]")) == sum(1 for o in page.offers if o.ad)


@pytest.mark.parametrize("lang", LANGS)
def test_product_page_content(lang):
    page = F.product_page(lang)
    doc = parse(render("product.html", page, lang))
    h1 = doc.xpath("//h1")[0]
    assert text(h1) == page.title and h1.get("data-pagefind-meta") == "title"
    body = doc.xpath("//*[@data-pagefind-body]")[0]
    assert h1 in body.iter()
    assert doc.xpath("//*[@data-pagefind-meta='price']/text()") == [page.price.text]
    assert doc.xpath("//*[@data-pagefind-meta='price']")[0].get("hidden") is not None

    # gallery: the first picture eager and high priority, the others lazy
    imgs = doc.xpath("//div[contains(@class,'gallery')]//img")
    assert len(imgs) == len(page.gallery)
    assert imgs[0].get("fetchpriority") == "high" and imgs[0].get("loading") is None
    assert imgs[0].get("data-pagefind-meta") == "image[src]" and imgs[0].get("src") == page.gallery[0].src
    assert all(i.get("loading") == "lazy" for i in imgs[1:])
    assert doc.xpath("//picture/source[@type='image/webp']/@srcset")[0] == page.gallery[0].webp_srcset

    assert doc.xpath("//p[@class='brand']/a/@href") == [page.brand.url]
    assert doc.xpath("//strong[contains(@class,'price--big')]/text()") == [page.price.text]
    assert doc.xpath(f"//div[@class='buybox']//s[contains(., '{page.old_price.text}')]")
    badge = STRINGS[lang]["discount_badge"].format(n=page.discount)
    assert badge in text(doc.xpath("//div[@class='buybox']")[0])

    # price history: inline SVG, no script
    svg = doc.xpath("//svg")[0]
    assert svg.get("role") == "img" and svg.get("aria-label") == page.chart.summary
    assert svg.xpath(".//path/@d") == [page.chart.path]
    assert svg.xpath(".//circle/title/text()") == [p.label for p in page.chart.points]
    labels = svg.xpath(".//text/text()")
    assert [p.label for p in page.chart.y_labels + page.chart.x_labels] == labels

    params = [(text(dt), text(dd)) for dt, dd in zip(doc.xpath("//dl/div/dt"), doc.xpath("//dl/div/dd"), strict=True)]
    assert params[: len(page.params)] == list(page.params)
    assert (STRINGS[lang]["gtin"], page.gtin) in params
    assert doc.xpath("//div[@class='prose']/p")
    # the last crumb is the page itself: shown as the current page, not as a link
    assert page.breadcrumbs[-1].name == page.title
    assert [c.get("href") for c in doc.xpath("//nav[@class='crumbs']//a")] == [c.url for c in page.breadcrumbs[:-1]]
    assert doc.xpath("//nav[@class='crumbs']//span[@aria-current='page']/text()") == [page.title]
    assert doc.xpath("//section[@id='similar']//article[@class='card']//h3/a/@href") == [c.url for c in page.similar]
    assert doc.xpath("//section[contains(@class,'variants')]//a/@href") == [v.url for v in page.variants]


@pytest.mark.parametrize("lang", LANGS)
def test_gone_product(lang):
    page = F.gone_product_page(lang)
    doc = parse(render("product.html", page, lang))
    assert doc.xpath("//a[contains(@class,'buy')]") == []
    assert doc.xpath("//*[@id='offers']") == []
    notice = text(doc.xpath("//*[contains(@class,'notice--gone')]")[0])
    assert STRINGS[lang]["gone_title"] in notice
    assert text(doc.xpath("//section[@id='similar']/h2")[0]) == STRINGS[lang]["alternatives_heading"]
    assert len(doc.xpath("//section[@id='similar']//article")) == len(page.similar)
    assert doc.xpath("//meta[@name='robots']/@content") == ["noindex"]
    assert doc.xpath("//img[@class='placeholder']")


# --- category and listings --------------------------------------------------------------------

@pytest.mark.parametrize("lang", LANGS)
def test_category_filters_cards_and_pager(lang):
    page = F.category_page(lang)
    doc = parse(render("category.html", page, lang))
    assert doc.xpath("//script/@src") == [page.site.js]

    form = doc.xpath("//form[@id='filters']")[0]
    assert form.get("hidden") is not None
    assert form.get("data-src") == page.data_url
    assert form.get("data-count") == STRINGS[lang]["filter_count"].replace("{n}", "{n}")
    assert "{n}" in form.get("data-count")
    assert form.xpath(".//input[@name='min']/@placeholder") == [str(page.price_min)]
    assert form.xpath(".//input[@name='max']/@placeholder") == [str(page.price_max)]
    assert form.xpath(".//input[@name='brand']/@value") == [f.key for f in page.brands]
    assert form.xpath(".//input[@name='shop']/@value") == [f.key for f in page.shops]
    assert form.xpath(".//input[@name='available']")
    assert form.xpath(".//select[@name='sort']/option/@value") == ["", "price-asc", "price-desc", "discount"]
    for field in form.xpath(".//input | .//select"):
        assert field.get("id") and form.xpath(f".//label[@for='{field.get('id')}']")
    status = doc.xpath("//*[@id='filter-status']")[0]
    assert status.get("aria-live") == "polite"

    cards = doc.xpath("//div[@id='cards']/article")
    assert [c.xpath(".//h3/a/@href")[0] for c in cards] == [c.url for c in page.cards]
    for el, card in zip(cards, page.cards, strict=True):
        assert el.get("data-brand") == card.brand_slug
        assert el.get("data-shops").split() == list(card.shop_keys)
        assert el.get("data-price") == (str(int(card.price.amount)) if card.price else "")
        if card.price is None:
            assert STRINGS[lang]["out_of_stock"] in text(el)
    assert doc.xpath("//button[@id='more']")[0].get("hidden") is not None

    pager = doc.xpath("//nav[@class='pager']")[0]
    assert pager.get("aria-label") == STRINGS[lang]["pager_label"]
    assert pager.xpath(".//a[@rel='prev']/@href") == [page.pager.prev_url]
    assert pager.xpath(".//a[@rel='next']/@href") == [page.pager.next_url]
    assert pager.xpath(".//a[@aria-current='page']/text()") == [str(page.pager.page)]
    numbers = pager.xpath(".//a[not(@rel)]/text()")
    assert numbers[0] == "1" and numbers[-1] == str(page.pager.pages)  # first, last, and a window around the current

    tiles = doc.xpath("//ul[@class='tiles']/li/a/@href")
    assert tiles == [t.url for t in page.subcategories]


def test_category_json_shape_is_what_filters_js_reads():
    data = F.category_data("ru")
    json.dumps(data)
    for card in data["cards"]:
        assert set(card) == CARD_JSON_KEYS
        assert card["img"] is None or set(card["img"]) == CARD_JSON_IMG_KEYS
        assert card["price"] is None or isinstance(card["price"], int)
    js = (STATIC / "filters.js").read_text()
    for key in CARD_JSON_KEYS | CARD_JSON_IMG_KEYS:
        assert re.search(rf"\.{key}\b", js), key
    readme = (THEME / "README.md").read_text()
    for key in CARD_JSON_KEYS | CARD_JSON_IMG_KEYS:
        assert f'"{key}"' in readme, key


@pytest.mark.parametrize("lang", LANGS)
def test_listing_pages(lang):
    shop = F.shop_page(lang)
    doc = parse(render("listing.html", shop, lang))
    assert text(doc.xpath("//h1")[0]) == STRINGS[lang]["listing_shop_title"].format(name=shop.name)
    label = text(doc.xpath("//*[@class='ad-label']")[0])
    assert shop.ad.advertiser in label and f"erid: {shop.ad.erid}" in label
    assert doc.xpath("//nav[@class='pager']") == []  # a single page has no pager

    brand = F.brand_page(lang)
    doc = parse(render("listing.html", brand, lang))
    assert text(doc.xpath("//h1")[0]) == STRINGS[lang]["listing_brand_title"].format(name=brand.name)
    assert doc.xpath("//*[@class='ad-label']") == []
    assert len(doc.xpath("//div[@class='grid']/article")) == len(brand.cards)
    assert doc.xpath("//nav[@class='pager']//a[@rel='next']/@href") == [brand.pager.next_url]
    assert doc.xpath("//nav[@class='pager']//a[@rel='prev']") == []


@pytest.mark.parametrize("lang", LANGS)
def test_index_and_home(lang):
    for page in (F.brands_index_page(lang), F.shops_index_page(lang)):
        doc = parse(render("index.html", page, lang))
        assert doc.xpath("//ul[@class='index-list']/li/a/@href") == [i.key for i in page.items]
    home = F.home_page(lang)
    doc = parse(render("home.html", home, lang))
    assert text(doc.xpath("//h1")[0]) == home.site.title
    headings = [STRINGS[lang][k] for k in ("home_categories", "home_discounts", "home_new")]
    assert [text(h) for h in doc.xpath("//h2")] == headings
    assert doc.xpath("//ul[@class='tiles']/li/a/@href") == [t.url for t in home.top_categories]
    cards = doc.xpath("//article[contains(@class,'card')]")
    assert len(cards) == len(home.best_discounts) + len(home.new_arrivals)


# --- search, disclosure, 404, go --------------------------------------------------------------

@pytest.mark.parametrize("lang", LANGS)
def test_search_page(lang):
    page = F.search_page(lang)
    doc = parse(render("search.html", page, lang))
    assert doc.xpath("//script/@src") == ["/assets/search.js"]
    form = doc.xpath("//form[@id='search']")[0]
    assert form.get("data-index") == page.index_url
    assert form.get("action") == page.site.search_url
    assert len(doc.xpath("//form")) == 1  # the header's search form is left out here
    assert doc.xpath("//*[@id='search-status']/@aria-live") == ["polite"]
    assert doc.xpath("//div[@id='results']")


@pytest.mark.parametrize("lang", LANGS)
def test_disclosure_page(lang):
    page = F.disclosure_page(lang)
    doc = parse(render("disclosure.html", page, lang))
    assert STRINGS[lang]["disclosure_p2"] in text(doc.body)
    rows = doc.xpath("//table[@class='programs']/tbody/tr")
    assert len(rows) == len(page.programs)
    for row, (shop, network, ad) in zip(rows, page.programs, strict=True):
        assert shop in text(row) and network in text(row)
        if ad:
            assert f"erid: {ad.erid}" in text(row) and ad.advertiser in text(row)
        else:
            assert STRINGS[lang]["ad_not_required"] in text(row)


@pytest.mark.parametrize("lang", LANGS)
def test_not_found_and_redirect(lang):
    page = F.not_found_page(lang)
    doc = parse(render("404.html", page, lang))
    assert doc.xpath("//main//a[@class='btn']/@href") == [page.site.home_url]
    assert doc.xpath("//main//form/@action") == [page.site.search_url]

    page = F.redirect_page(lang)
    doc = parse(render("go.html", page, lang))
    assert doc.xpath("//meta[@http-equiv='refresh']/@content") == [f"0; url={page.target}"]
    link = doc.xpath("//main//a[@href=$t]", t=page.target)[0]
    assert link.get("rel") == "sponsored nofollow noopener"
    assert page.shop in text(link)
    assert doc.xpath("//script") == []


# --- overrides --------------------------------------------------------------------------------

def test_a_site_overrides_one_block_of_a_theme_template(tmp_path):
    (tmp_path / "product.html").write_text(
        '{% extends "theme/product.html" %}\n'
        '{% block offers %}<section id="offers"><h2>Custom offers</h2>'
        '<p class="custom">{{ page.offers|length }}</p></section>{% endblock %}\n'
    )
    env = make_env(tmp_path)
    page = F.product_page("ru")
    doc = parse(render("product.html", page, "ru", env))
    assert text(doc.xpath("//p[@class='custom']")[0]) == str(len(page.offers))
    assert doc.xpath("//a[contains(@class,'buy')]") == []
    assert len(doc.xpath("//h1")) == 1 and doc.xpath("//svg")  # everything else is the theme's
    assert doc.xpath("//footer//a/@href")[0] == page.site.disclosure_url
    # other page types are untouched
    assert "Custom offers" not in render("category.html", F.category_page("ru"), "ru", env)


def test_a_site_overrides_a_partial_everywhere(tmp_path):
    (tmp_path / "partials").mkdir()
    (tmp_path / "partials" / "card.html").write_text(
        '{% extends "theme/partials/card.html" %}\n'
        '{% block card_body %}{{ super() }}<p class="mine">{{ card.brand }}</p>{% endblock %}\n'
    )
    env = make_env(tmp_path)
    page = F.category_page("en")
    doc = parse(render("category.html", page, "en", env))
    assert doc.xpath("//article/p[@class='mine']/text()") == [c.brand for c in page.cards]
    assert len(doc.xpath("//article//h3")) == len(page.cards)


# --- strings and static files -----------------------------------------------------------------

def placeholders(s: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(s) if name}


def test_i18n_languages_have_the_same_keys_and_placeholders():
    assert set(STRINGS) == set(LANGS)
    assert set(STRINGS["ru"]) == set(STRINGS["en"])
    for key, ru in STRINGS["ru"].items():
        assert placeholders(ru) == placeholders(STRINGS["en"][key]), key
        assert ru.strip() and STRINGS["en"][key].strip(), key


def test_every_string_the_templates_use_exists():
    used = set()
    for path in TEMPLATES.rglob("*.html"):
        used |= set(re.findall(r"""\b_\(\s*["']([a-z0-9_]+)["']""", path.read_text()))
    assert used
    assert used - set(STRINGS["ru"]) == set()


def test_translator():
    _ = translator("ru")
    assert _("buy_at", shop="Ozon") == "Купить в Ozon"
    assert translator("en")("buy_at", shop="Ozon") == "Buy at Ozon"
    with pytest.raises(KeyError):
        _("no_such_key")


def test_static_files_are_small_and_self_contained():
    css = (STATIC / "site.css").read_text()
    assert len(css.encode()) < 20_000
    assert "@import" not in css and "url(http" not in css and "@font-face" not in css
    for name in ("filters.js", "search.js"):
        js = (STATIC / name).read_text()
        assert len(js.encode()) < 8_000, name
        assert "http://" not in js and "https://" not in js, name
    for path in TEMPLATES.rglob("*.html"):
        src = path.read_text()
        assert not re.search(r"""(src|href)=["']https?://""", src), path
        assert "<script>" not in src, path  # no inline scripts (only JSON-LD, which has a type)


@pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")
@pytest.mark.parametrize("name", ["filters.js", "search.js"])
def test_scripts_parse(name):
    run = subprocess.run(["node", "--check", str(STATIC / name)], capture_output=True, text=True, check=False)
    assert run.returncode == 0, run.stderr
