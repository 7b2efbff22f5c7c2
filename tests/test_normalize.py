"""Raw offers -> normalized offers: money, currencies, titles, HTML, GTINs, categories, filters."""

from decimal import Decimal

import pytest

from showcase.config import Filters
from showcase.feeds.base import Category, FeedInfo, RawOffer, Skip
from showcase.normalize import Normalizer, build_title, clean_brand, normalize_gtin, parse_money, sanitize_html


@pytest.mark.parametrize("text, amount, currency", [
    ("1299", "1299", ""), ("1 299,50", "1299.50", ""), ("1\u00a0299,50 ₽", "1299.50", "RUB"),
    ("12.99 USD", "12.99", "USD"), ("EUR130.00", "130.00", "EUR"), ("1,299.50", "1299.50", ""),
    ("1.299,50", "1299.50", ""), ("3045.5", "3045.5", ""), ("32.0 USD", "32.0", "USD"), ("1 234 567", "1234567", ""),
    ("990 руб", "990", "RUB"), ("11995 GBP", "11995", "GBP"),
])
def test_parse_money(text, amount, currency):
    assert parse_money(text) == (Decimal(amount), currency)


@pytest.mark.parametrize("text", ["", "abc", "по запросу", "12 ABCD"])
def test_parse_money_rejects(text):
    with pytest.raises(ValueError):
        parse_money(text)


def info(**kw) -> FeedInfo:
    return FeedInfo(format="yml", encoding="utf-8", **kw)


def offer(**kw) -> RawOffer:
    base = {"id": "1", "name": "Чайник", "url": "https://shop.example/p/1", "price": "1000"}
    return RawOffer(**{**base, **kw})


def test_feed_rates_convert_into_site_currency_with_plus():
    feed = info(currencies={"RUR": "1", "USD": "90", "EUR": "CBRF"}, currency_plus={"EUR": "2"})
    n = Normalizer("f", feed, site_currency="RUB", site_rates={"EUR": Decimal("100")})
    usd = n(offer(price="10.50", currency="USD", old_price="12"))
    assert (usd.price, usd.old_price, usd.source_price) == (Decimal("945.00"), Decimal("1080.00"), "10.50 USD")
    assert usd.discount_percent == 13
    eur = n(offer(price="10", currency="EUR"))  # a central-bank marker: the site rate plus the feed's 2%
    assert eur.price == Decimal("1020.00")
    assert n(offer(price="10", currency="rur")).price == Decimal("10.00")


def test_price_with_no_known_rate_is_an_error_for_that_offer():
    n = Normalizer("f", info(currencies={"RUR": "1", "USD": "CBRF"}), site_currency="RUB")
    skip = n(offer(currency="USD"))
    assert isinstance(skip, Skip) and skip.reason == "no exchange rate USD->RUB"


def test_feed_base_currency_differs_from_site():
    n = Normalizer("f", info(currencies={"UAH": "1", "USD": "41"}), site_currency="RUB",
                   site_rates={"UAH": Decimal("2")})
    assert n(offer(price="100")).price == Decimal("200.00")  # no currencyId: the feed's base, UAH
    assert n(offer(price="1", currency="USD")).price == Decimal("82.00")


@pytest.mark.parametrize("raw, reason", [
    (offer(price=""), "missing price"), (offer(price="abc"), "bad price: 'abc'"), (offer(price="0"), "bad price: '0'"),
    (offer(url=""), "missing url"), (offer(url="javascript:alert(1)"), "bad url: 'javascript:alert(1)'"),
    (offer(name=""), "missing name"),
])
def test_bad_offers_become_counted_skips(raw, reason):
    result = Normalizer("f", info(), site_currency="RUB")(raw)
    assert isinstance(result, Skip) and result.reason == reason and result.id == "1"


def test_old_price_not_above_price_is_no_discount():
    n = Normalizer("f", info(), site_currency="RUB")
    assert n(offer(price="1000", old_price="900")).old_price is None
    assert n(offer(price="1000", old_price="n/a")).old_price is None


@pytest.mark.parametrize("raw, title", [
    (RawOffer("1", type="vendor.model", type_prefix="Смартфон", vendor="Xiaomi", model="13T 256GB"),
     "Смартфон Xiaomi 13T 256GB"),
    (RawOffer("1", type="vendor.model", vendor="Apple", model="Apple iPhone 15"), "Apple iPhone 15"),
    (RawOffer("1", name="Палатка", vendor="Tramp", model="Lite"), "Палатка"),
    (RawOffer("1", vendor="Tramp", model="Lite Dome"), "Tramp Lite Dome"),
    (RawOffer("1", type="book", name="Мастер и Маргарита", attrs={"author": "М. Булгаков"}),
     "М. Булгаков. Мастер и Маргарита"),
    (RawOffer("1", type="artist.title", attrs={"artist": "Pink Floyd", "title": "The Wall"}), "Pink Floyd — The Wall"),
    (RawOffer("1", type="event-ticket", name="Концерт", attrs={"place": "Олимпийский", "date": "2026-12-01"}),
     "Концерт, Олимпийский, 2026-12-01"),
    (RawOffer("1", name="  Чайник \n  электрический  "), "Чайник электрический"),
])
def test_titles_follow_yml_rules(raw, title):
    assert build_title(raw) == title


def test_homoglyph_brand_is_repaired_only_when_mixed():
    assert clean_brand("НP") == "HP"  # Cyrillic Н + Latin P
    assert clean_brand("Бирюса") == "Бирюса"
    assert clean_brand("Samsung") == "Samsung"


def test_sanitize_html_keeps_a_safe_subset():
    dirty = ('<p onclick="steal()" style="color:red">Хороший <b>чайник</b>&nbsp;1,7&nbsp;л</p><script>alert(1)</script>'
             '<iframe src="https://evil.example"></iframe><a href="https://shop.example">ссылка</a><!-- x -->'
             '<img src=x onerror=alert(1)>')
    clean = sanitize_html(dirty)
    assert "<p>Хороший <b>чайник</b>" in clean and "1,7" in clean and "ссылка" in clean
    for bad in ("script", "onclick", "style", "iframe", "href", "<img", "onerror", "<!--", "alert"):
        assert bad not in clean
    assert sanitize_html("Plain & simple <3") == "Plain &amp; simple &lt;3"


@pytest.mark.parametrize("code, gtin", [
    ("4006381333931", "04006381333931"), ("96385074", "00000096385074"), ("036000291452", "00036000291452"),
    ("978-0-306-40615-7", "09780306406157"), ("0-306-40615-2", "09780306406157"),
    ("4006381333932", ""), ("0000000000000", ""), ("abc", ""), ("12345", ""),
])
def test_normalize_gtin(code, gtin):
    assert normalize_gtin(code) == gtin


def test_category_path_from_parents_with_loop_guard_and_mapping():
    categories = {"1": Category("1", "Электроника"), "2": Category("2", "Телефоны", "1"),
                  "5": Category("5", "Петля", "5")}
    n = Normalizer("f", info(categories=categories), site_currency="RUB",
                   category_map={"Электроника": "electronics", "2": "electronics/phones"})
    phone = n(offer(category_id="2"))
    assert phone.category == ["Электроника", "Телефоны"] and phone.site_category == "electronics/phones"
    loop = n(offer(category_id="5"))
    assert loop.category == ["Петля"] and loop.site_category == ""
    unknown = n(offer(category_id="99"))
    assert unknown.category == ["99"]
    path = n(offer(category_path=["Электроника", "Аудио"]))
    assert path.site_category == "electronics"  # the closest mapped ancestor


def test_filters():
    filters = Filters(min_price=Decimal(500), max_price=Decimal(5000), available_only=True,
                      exclude_keywords=["б/у"], exclude_categories=["Уценка"])
    n = Normalizer("f", info(), site_currency="RUB", filters=filters)
    assert n(offer()).price == Decimal(1000)
    reasons = [n(offer(price="100")).reason, n(offer(price="9000")).reason, n(offer(available=False)).reason,
               n(offer(name="Чайник Б/У")).reason, n(offer(category_path=["Уценка"])).reason]
    assert reasons == ["filtered: price: 100.00 below 500", "filtered: price: 9000.00 above 5000",
                       "filtered: not available", "filtered: keyword: 'б/у'", "filtered: category: excluded"]


def test_relative_pictures_only_from_local_feeds():
    raw = offer(pictures=["img/a.jpg", "https://cdn.example/b.jpg", "../../etc/passwd", "/abs.jpg", "img/a.jpg"])
    assert Normalizer("f", info(), site_currency="RUB", local_pictures=True)(raw).pictures == [
        "img/a.jpg", "https://cdn.example/b.jpg"]
    assert Normalizer("f", info(), site_currency="RUB")(raw).pictures == ["https://cdn.example/b.jpg"]
