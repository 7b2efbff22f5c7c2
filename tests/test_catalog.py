"""Catalog imports on real SQLite files: merging, stable slugs, history, gone offers, shrink guard."""

import sqlite3
from decimal import Decimal

import pytest

from showcase.catalog import Catalog, ImportRefused, make_slug
from showcase.feeds.base import Skip
from showcase.normalize import Offer


def offer(oid, title="Чайник Tefal KO", price="1000", feed="a", **kw) -> Offer:
    fields = {"feed": feed, "offer_id": oid, "title": title, "url": f"https://{feed}.example/{oid}",
              "price": Decimal(price), "old_price": None, "source_price": f"{price} RUB", "available": True}
    fields.update(kw)
    return Offer(**fields)


@pytest.fixture
def catalog(tmp_path):
    with Catalog(tmp_path / "catalog.sqlite") as cat:
        yield cat


def rows(catalog, sql, *args):
    return catalog.db.execute(sql, args).fetchall()


def test_same_gtin_or_brand_and_vendor_code_across_shops_is_one_product(catalog):
    catalog.import_feed("a", "shop_a", [
        offer("1", "Смартфон Xiaomi 13T", gtin="04006381333931"),
        offer("2", "Чайник Tefal KO 150", brand="Tefal", vendor_code="KO-150"),
        offer("3", "Лампа"),
    ])
    catalog.import_feed("b", "shop_b", [
        offer("x", "Xiaomi 13T 256 ГБ", feed="b", price="990", gtin="04006381333931"),
        offer("y", "Tefal KO150 чайник", feed="b", brand="TEFAL", vendor_code="ko 150"),
        offer("z", "Лампа", feed="b"),  # same title, no key: a different product
    ])
    products = rows(catalog, "SELECT p.slug, count(o.id), group_concat(o.program) FROM products p "
                             "JOIN offers o ON o.product_id = p.id GROUP BY p.id ORDER BY p.id")
    assert products == [("smartfon-xiaomi-13t", 2, "shop_a,shop_b"), ("chaynik-tefal-ko-150", 2, "shop_a,shop_b"),
                        ("lampa", 1, "shop_a"), ("lampa-4", 1, "shop_b")]  # suffix: the product id
    assert catalog.stats()["products_multi_shop"] == 2


def test_slug_never_changes_when_the_product_is_renamed(catalog):
    catalog.import_feed("a", "p", [offer("1", "Старое имя")])
    catalog.import_feed("a", "p", [offer("1", "Новое имя")])
    assert rows(catalog, "SELECT slug FROM products") == [("staroe-imya",)]
    assert rows(catalog, "SELECT title FROM offers") == [("Новое имя",)]


def test_price_history_records_changes_only(catalog):
    catalog.import_feed("a", "p", [offer("1", price="1000")], now="2026-01-01T00:00:00+00:00")
    unchanged = catalog.import_feed("a", "p", [offer("1", price="1000")], now="2026-01-02T00:00:00+00:00")
    down = catalog.import_feed("a", "p", [offer("1", price="900", old_price=Decimal(1000))],
                               now="2026-01-03T00:00:00+00:00")
    gone_out = catalog.import_feed("a", "p", [offer("1", price="900", old_price=Decimal(1000), available=False)],
                                   now="2026-01-04T00:00:00+00:00")
    assert (unchanged.unchanged, unchanged.updated) == (1, 0)
    assert (down.price_down, down.updated) == (1, 1)
    assert gone_out.became_unavailable == 1
    history = rows(catalog, "SELECT at, price_cents, old_price_cents, available FROM price_history ORDER BY at")
    assert history == [("2026-01-01T00:00:00+00:00", 100000, None, 1), ("2026-01-03T00:00:00+00:00", 90000, 100000, 1),
                       ("2026-01-04T00:00:00+00:00", 90000, 100000, 0)]


def test_missing_offers_are_marked_gone_not_deleted_and_can_return(catalog):
    catalog.import_feed("a", "p", [offer("1"), offer("2", "Другой")], now="2026-01-01T00:00:00+00:00")
    result = catalog.import_feed("a", "p", [offer("1")], now="2026-01-02T00:00:00+00:00", max_shrink_percent=60)
    assert result.gone == 1
    assert rows(catalog, "SELECT offer_id, gone_at FROM offers ORDER BY offer_id") == [
        ("1", None), ("2", "2026-01-02T00:00:00+00:00")]
    back = catalog.import_feed("a", "p", [offer("1"), offer("2", "Другой")], now="2026-01-03T00:00:00+00:00")
    assert (back.returned, back.new) == (1, 0)
    assert rows(catalog, "SELECT count(*) FROM offers WHERE gone_at IS NULL") == [(2,)]


def test_a_feed_that_shrinks_too_much_is_refused_and_rolled_back(catalog):
    catalog.import_feed("a", "p", [offer(str(i), f"Товар {i}") for i in range(10)])
    before = rows(catalog, "SELECT * FROM offers ORDER BY id")
    with pytest.raises(ImportRefused, match=r"shrank from 10 to 4 offers \(60% fewer, more than the allowed 50%\)"):
        catalog.import_feed("a", "p", [offer(str(i), f"Товар {i}", price="1") for i in range(4)])
    assert rows(catalog, "SELECT * FROM offers ORDER BY id") == before
    forced = catalog.import_feed("a", "p", [offer(str(i), f"Товар {i}") for i in range(4)], force=True)
    assert forced.gone == 6


def test_duplicate_ids_and_skips_are_counted_with_reasons(catalog):
    items = [offer("1"), Skip("2", "missing price", 7), offer("1", price="5"), Skip("3", "filtered: keyword: 'x'", 9)]
    items += [offer(str(i), f"Товар {i}") for i in range(10, 2600)]  # spans chunks: duplicates across chunks too
    items.append(offer("10", "Товар 10"))
    result = catalog.import_feed("a", "p", items)
    assert result.offers == 2591
    assert (result.skipped, result.filtered) == (3, 1)
    assert result.skip_reasons == {"duplicate id": 2, "missing price": 1, "filtered: keyword": 1}
    assert {"id": "2", "reason": "missing price", "line": 7} in result.skips
    assert rows(catalog, "SELECT price_cents FROM offers WHERE offer_id='1'") == [(100000,)]  # the first one wins


def test_a_failing_stream_rolls_back_that_feed_only(catalog):
    catalog.import_feed("a", "p", [offer("1")])

    def broken():
        yield offer("1", price="1")
        raise RuntimeError("feed broke at line 9")

    with pytest.raises(RuntimeError):
        catalog.import_feed("a", "p", broken())
    assert rows(catalog, "SELECT price_cents FROM offers") == [(100000,)]


def test_unmapped_categories_are_kept_under_the_feeds_own_path(catalog):
    catalog.sync_site_categories({"home": "Дом", "home/kitchen": "Кухня"})
    catalog.import_feed("a", "p", [offer("1", site_category="home/kitchen", category=["Кухня"]),
                                   offer("2", "Дрель", category=["Инструменты", "Дрели"])])
    assert rows(catalog, "SELECT offer_id, category FROM offers ORDER BY offer_id") == [
        ("1", "home/kitchen"), ("2", "a/instrumenty/dreli")]
    assert rows(catalog, "SELECT path, name, parent, source FROM categories ORDER BY path") == [
        ("a/instrumenty", "Инструменты", "", "feed"), ("a/instrumenty/dreli", "Дрели", "a/instrumenty", "feed"),
        ("home", "Дом", "", "site"), ("home/kitchen", "Кухня", "home", "site")]


def test_variants_share_a_group(catalog):
    catalog.import_feed("a", "p", [offer("1", "Футболка синяя", group_id="T1"), offer("2", "Футболка красная",
                                                                                       group_id="T1")])
    assert rows(catalog, "SELECT DISTINCT variant_group FROM products") == [("a:T1",)]


def test_stats(catalog):
    catalog.import_feed("a", "p", [offer("1"), offer("2", "Б")])
    stats = catalog.stats()
    assert (stats["products"], stats["offers"], stats["shops"], stats["offers_gone"]) == (2, 2, 1, 0)
    assert stats["feeds"]["a"]["offers"] == 2 and stats["feeds"]["a"]["last_import"]["status"] == "ok"


def test_schema_from_a_newer_showcase_is_refused(tmp_path):
    path = tmp_path / "c.sqlite"
    db = sqlite3.connect(path)
    db.execute("PRAGMA user_version=99")
    db.close()
    with pytest.raises(Exception, match="newer than this showcase understands"):
        Catalog(path)


@pytest.mark.parametrize("text, slug", [
    ("Смартфон Xiaomi 13T", "smartfon-xiaomi-13t"), ("Щётка «Чистюля» №5", "shchetka-chistyulya-no5"),
    ("Kühlschrank Größe", "kuhlschrank-grosse"), ("!!!", "item"), ("Їжак", "yizhak"),
])
def test_make_slug(text, slug):
    assert make_slug(text) == slug
