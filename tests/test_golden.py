"""Golden tests: page contexts and JSON-LD of a small fixed catalog, with pinned time and locale.

Regenerate after an intended change with:  SHOWCASE_UPDATE_GOLDEN=1 .venv/bin/pytest tests/test_golden.py
and review the diff of tests/golden/.
"""

import dataclasses
import json
import os
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from showcase.catalog import Catalog
from showcase.config import parse_config
from showcase.normalize import Offer
from showcase.render.images import Images
from showcase.render.model import Site

GOLDEN = Path(__file__).parent / "golden"
UPDATE = os.environ.get("SHOWCASE_UPDATE_GOLDEN") == "1"
CONFIG = """
site: {title: Тест, base_url: "https://shop.example/", language: LANG, currency: RUB}
categories:
  - {slug: electronics, name: Электроника, children: [{slug: phones, name: Телефоны}]}
networks:
  adm: {type: admitad}
  aw: {type: awin, publisher_id: "777"}
programs:
  alpha: {name: Альфа, network: adm, id: code1, erid: Kr2aBcD, advertiser: {name: ООО «Альфа», inn: "7701234567"}}
  beta: {name: Beta Store, network: aw, id: "55"}
feeds:
  alpha: {source: a.yml, program: alpha}
  beta: {source: b.yml, program: beta}
"""


def offer(feed, oid, title, price, **kw):
    base = {"feed": feed, "offer_id": oid, "title": title, "url": f"https://{feed}.example/p/{oid}?x=1&y=2",
            "price": Decimal(price), "old_price": None, "source_price": f"{price} RUB", "available": True,
            "site_category": "electronics/phones", "category": ["Телефоны"], "brand": "Xiaomi",
            "pictures": [f"https://img.example/{oid}.jpg"]}
    base.update(kw)
    return Offer(**base)


@pytest.fixture(params=["ru", "en"])
def site(request, tmp_path):
    config = parse_config(CONFIG.replace("LANG", request.param))
    path = tmp_path / "c.sqlite"
    days = ["2026-03-01T10:00:00+00:00", "2026-03-05T10:00:00+00:00", "2026-03-09T10:00:00+00:00"]
    with Catalog(path) as cat:
        cat.sync_site_categories(config.category_paths())
        for i, day in enumerate(days):
            cat.import_feed("alpha", "alpha", [
                offer("alpha", "1", "Смартфон Xiaomi 13T", str(30000 - 1000 * i), gtin="04006381333931",
                      old_price=Decimal(32000), params=[("Память", "ГБ", "256")], description="<p>Хороший</p>"),
                offer("alpha", "2", "Xiaomi Redmi 12", "12000"),
            ] + ([offer("alpha", "3", "Xiaomi Mi 9 <снят>", "9000")] if i == 0 else []),
                now=day, max_shrink_percent=100)
            cat.import_feed("beta", "beta", [offer("beta", "b1", "Xiaomi 13T 256GB", "29500", gtin="04006381333931")],
                            now=day)
    db = __import__("sqlite3").connect(path)
    images = Images("hotlink", tmp_path, tmp_path / "img")
    yield Site(config, db, images.picture, now=datetime(2026, 3, 10, tzinfo=UTC)).gather()
    db.close()


def plain(value):
    """Contexts -> JSON-able data (Decimal and Markup as text), ``site`` dropped (shared by every page)."""
    if dataclasses.is_dataclass(value):
        return {f.name: plain(getattr(value, f.name)) for f in dataclasses.fields(value) if f.name != "site"}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, str):
        return str(value)
    return value


def check(name: str, data) -> None:
    path = GOLDEN / f"{name}.json"
    text = json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True) + "\n"
    if UPDATE or not path.exists():
        path.write_text(text, encoding="utf-8")
        if not UPDATE:
            pytest.fail(f"{path} did not exist: written now, review and commit it")
    assert json.loads(text) == json.loads(path.read_text(encoding="utf-8")), f"{name} differs from {path}"


def test_product_page_context(site):
    pid = site.by_slug["smartfon-xiaomi-13t"]
    [(url, page)] = list(site.product_pages([pid]))
    assert url == "/p/smartfon-xiaomi-13t/"
    assert [o.shop for o in page.offers] == ["Альфа", "Beta Store"]  # sorted by price: 28000 < 29500
    assert page.offers[0].ad is not None and page.offers[1].ad is None
    check(f"product-{site.lang}", plain(page))


def test_gone_product_context(site):
    [(_, page)] = list(site.product_pages([site.by_slug["xiaomi-mi-9-snyat"]]))
    assert page.gone and page.meta.noindex and not page.offers and page.similar
    check(f"product-gone-{site.lang}", plain(page))


def test_category_and_home_contexts(site):
    [(url, page)] = list(site.category_pages("electronics/phones"))
    assert url == "/electronics/phones/" and page.total == 2
    check(f"category-{site.lang}", plain(page))
    check(f"home-{site.lang}", plain(site.home_page()))


def test_jsonld(site):
    [(_, page)] = list(site.product_pages([site.by_slug["smartfon-xiaomi-13t"]]))
    docs = [json.loads(str(doc)) for doc in page.meta.jsonld]
    product, crumbs = docs
    assert product["@type"] == "Product" and product["offers"]["@type"] == "AggregateOffer"
    assert product["offers"]["lowPrice"] == "28000" and product["offers"]["offerCount"] == 2
    assert [i["name"] for i in crumbs["itemListElement"]][-1] == "Смартфон Xiaomi 13T"
    [(_, single)] = list(site.product_pages([site.by_slug["xiaomi-redmi-12"]]))
    assert json.loads(str(single.meta.jsonld[0]))["offers"]["@type"] == "Offer"
    check(f"jsonld-{site.lang}", docs)
