"""Hand-built, realistic page contexts: one (or more) for every page type in
``showcase.render.context.PAGE_TYPES``, in Russian and English.

Used by ``tests/test_theme.py`` and meant for the renderer's golden tests. Everything is fixed (no
clock, no randomness), so rendering a fixture twice gives the same bytes.

    all_pages(lang)       -> [(template name, context), ...] covering every page type
    category_data(lang)   -> the JSON document behind CategoryPage.data_url (see themes/default/README.md)
    site_context(lang), product_page(lang), gone_product_page(lang), category_page(lang), ... one each

Conventions the fixtures follow (those of showcase/render/model.py): breadcrumbs run from home to
the page itself (the theme shows the last one as the current page); URLs are site-absolute paths
(/brand/<slug>/, /shop/<key>/, <category>/page/<n>/), ``meta.canonical`` and ``meta.og_image``
absolute; money text is already formatted for the locale; interface words (the «Реклама» text,
"Home") come from ``showcase.render.i18n.STRINGS``.
"""

from __future__ import annotations

import json
from decimal import Decimal

from markupsafe import Markup

from showcase.render.context import (
    AdLabel,
    Card,
    CategoryPage,
    CategoryTile,
    ChartPoint,
    Crumb,
    DisclosurePage,
    Facet,
    HomePage,
    IndexPage,
    Link,
    ListingPage,
    Meta,
    Money,
    NotFoundPage,
    OfferRow,
    Pager,
    Picture,
    PriceChart,
    ProductPage,
    RedirectPage,
    SearchPage,
    SiteContext,
)
from showcase.render.i18n import STRINGS

BASE_URL = "https://demo.showcase.example/"
REL = "sponsored nofollow noopener"

# Per-language texts of the fixture catalog (not interface strings: those come from i18n.STRINGS).
T = {
    "ru": {
        "site": "Витрина — сравнение цен",
        "home": "Главная",
        "electronics": "Электроника",
        "smartphones": "Смартфоны",
        "laptops": "Ноутбуки",
        "headphones": "Наушники",
        "home_cat": "Дом",
        "sport": "Спорт и отдых",
        "phone": "Смартфон Nova X2 128 ГБ, синий",
        "phone_variant": "Смартфон Nova X2 256 ГБ, чёрный",
        "gone": "Смартфон Nova X1 64 ГБ",
        "ad": "Реклама",
        "advertiser": "ООО «ТехноМир»",
        "advertiser2": "ООО «Тропа Снаряжение»",
        "shop1": "ТехноМир",
        "shop2": "Gadget Hub",
        "shop3": "Дом и Сад",
        "shop4": "Тропа",
        "params": (("Экран", "6,5″, 2400×1080"), ("Память", "128 ГБ"), ("Цвет", "синий"), ("Вес", "189 г")),
        "description": ("<p>Смартфон с ярким экраном и&nbsp;батареей на 5000&nbsp;мА·ч.</p>"
                        "<ul><li>NFC</li><li>Две SIM-карты</li></ul>"),
        "summary": "Цена снизилась с 27 990 ₽ до 24 990 ₽ с 12.01.2026 по 20.03.2026",
        "dates": ("12.01.2026", "20.03.2026"),
        "desc": "Сравните цены на {} в магазинах-партнёрах.",
    },
    "en": {
        "site": "Showcase — compare prices",
        "home": "Home",
        "electronics": "Electronics",
        "smartphones": "Smartphones",
        "laptops": "Laptops",
        "headphones": "Headphones",
        "home_cat": "Home & Garden",
        "sport": "Sports & Outdoors",
        "phone": "Nova X2 smartphone 128 GB, blue",
        "phone_variant": "Nova X2 smartphone 256 GB, black",
        "gone": "Nova X1 smartphone 64 GB",
        "ad": "Advertisement",
        "advertiser": "TechnoMir LLC",
        "advertiser2": "Tropa Outdoor LLC",
        "shop1": "TechnoMir",
        "shop2": "Gadget Hub",
        "shop3": "Home & Garden Store",
        "shop4": "Tropa",
        "params": (("Screen", '6.5", 2400×1080'), ("Storage", "128 GB"), ("Colour", "blue"), ("Weight", "189 g")),
        "description": ("<p>A phone with a bright screen and a 5000&nbsp;mAh battery.</p>"
                        "<ul><li>NFC</li><li>Dual SIM</li></ul>"),
        "summary": "The price fell from $279.90 to $249.90 between 01/12/2026 and 03/20/2026",
        "dates": ("01/12/2026", "03/20/2026"),
        "desc": "Compare prices for {} at partner shops.",
    },
}


def money(amount: int | str, lang: str = "ru") -> Money:
    """Whole roubles for ru ("24 990 ₽"), dollars and cents for en ("$249.90": amount / 100)."""
    if lang == "ru":
        value = Decimal(amount)
        return Money(value, f"{int(value):,}".replace(",", "\u00a0") + "\u00a0₽")
    value = Decimal(amount) / 100
    return Money(value, f"${value:,.2f}")


def jsonld(doc: dict) -> Markup:
    """A JSON-LD document escaped for a <script> element (what the renderer hands over)."""
    text = json.dumps(doc, ensure_ascii=False, separators=(",", ":"))
    return Markup(text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026"))


def picture(name: str, alt: str, width: int = 800, height: int = 800, hotlinked: bool = False) -> Picture:
    if hotlinked:
        return Picture(src=f"https://cdn.shop.example/{name}.jpg", width=width, height=height, alt=alt)
    return Picture(
        src=f"/img/{name}-400.jpg",
        width=width,
        height=height,
        srcset=f"/img/{name}-200.jpg 200w, /img/{name}-400.jpg 400w, /img/{name}-800.jpg 800w",
        webp_srcset=f"/img/{name}-200.webp 200w, /img/{name}-400.webp 400w, /img/{name}-800.webp 800w",
        alt=alt,
    )


def site_context(lang: str = "ru") -> SiteContext:
    t = T[lang]
    return SiteContext(
        title=t["site"],
        base_url=BASE_URL,
        language=lang,
        currency="RUB" if lang == "ru" else "USD",
        nav=(
            Link("/electronics/", t["electronics"]),
            Link("/home/", t["home_cat"]),
            Link("/sport/", t["sport"]),
        ),
        strings=STRINGS[lang],
        css="/assets/site.3f2a1b9c.css",
        js="/assets/site.9c8d7e6f.js",
        home_url="/",
        brands_url="/brands/",
        shops_url="/shops/",
        search_url="/search/",
        disclosure_url="/disclosure/",
        year=2026,
        extra={},
    )


def meta(lang: str, title: str, path: str, *, noindex: bool = False, og_type: str = "website",
         og_image: str = "", jsonld_docs: tuple[dict, ...] = (), description: str = "") -> Meta:
    site = T[lang]["site"]
    return Meta(
        title=f"{title} — {site}" if title != site else site,
        description=description or T[lang]["desc"].format(title),
        canonical=BASE_URL + path.lstrip("/"),
        noindex=noindex,
        og_type=og_type,
        og_image=og_image,
        jsonld=tuple(jsonld(doc) for doc in jsonld_docs),
        lang=lang,
    )


def card(lang: str, n: int, *, price: int | None = 24990, old: int | None = None,
         shops: tuple[str, ...] = ("technomir",),
         brand: str = "Nova", available: bool = True, picture_: bool = True) -> Card:
    title = f"{T[lang]['smartphones'][:-1]} {brand} {n}" if lang == "ru" else f"{brand} phone {n}"
    discount = round(100 - 100 * price / old) if price and old else 0
    return Card(
        url=f"/p/{brand.lower()}-{n}/",
        title=title,
        brand=brand,
        picture=picture(f"{brand.lower()}-{n}", title) if picture_ else None,
        price=money(price, lang) if price is not None else None,
        old_price=money(old, lang) if old else None,
        discount=discount,
        shops=len(shops) if price is not None else 0,
        available=available and price is not None,
        brand_slug=brand.lower(),
        shop_keys=shops if price is not None else (),
    )


def cards(lang: str, count: int = 6) -> tuple[Card, ...]:
    brands = ("Nova", "Orbit", "Nova", "Pixelon", "Orbit", "Nova", "Pixelon", "Nova")
    out = []
    for i in range(count):
        price = 14990 + 2500 * i
        out.append(card(
            lang, i + 1,
            price=price if i != 4 else None,
            old=price + 3000 if i % 3 == 0 else None,
            shops=("technomir", "gadgethub") if i % 2 == 0 else ("gadgethub",),
            brand=brands[i % len(brands)],
            picture_=i != 5,
        ))
    return tuple(out)


def breadcrumbs(lang: str, *names_paths: tuple[str, str]) -> tuple[Crumb, ...]:
    return (Crumb(STRINGS[lang]["home"], "/"), *(Crumb(name, path) for name, path in names_paths))


def product_crumbs(lang: str, title: str, url: str) -> tuple[Crumb, ...]:
    t = T[lang]
    return breadcrumbs(lang, (t["electronics"], "/electronics/"), (t["smartphones"], "/electronics/smartphones/"),
                       (title, url))


def pager(path: str, page: int, pages: int) -> Pager:
    def url(n: int) -> str:
        return path if n == 1 else f"{path}page/{n}/"

    return Pager(
        page=page,
        pages=pages,
        prev_url=url(page - 1) if page > 1 else "",
        next_url=url(page + 1) if page < pages else "",
        links=tuple(Link(url(n), str(n)) for n in range(1, pages + 1)),
    )


def ad_label(lang: str, second: bool = False) -> AdLabel:
    t = T[lang]
    if second:
        return AdLabel(text=STRINGS[lang]["ad"], advertiser=t["advertiser2"], inn="", erid="2VtzqwBp7Jd")
    return AdLabel(text=STRINGS[lang]["ad"], advertiser=t["advertiser"], inn="7714381526", erid="LjN8KbTq2")


def home_page(lang: str = "ru") -> HomePage:
    t = T[lang]
    return HomePage(
        site=site_context(lang),
        meta=meta(lang, t["site"], "/", jsonld_docs=({"@context": "https://schema.org", "@type": "WebSite",
                                                      "name": t["site"], "url": BASE_URL},)),
        top_categories=(
            CategoryTile(t["electronics"], "/electronics/", 182, picture("cat-electronics", "", 400, 300)),
            CategoryTile(t["home_cat"], "/home/", 64, picture("cat-home", "", 400, 300)),
            CategoryTile(t["sport"], "/sport/", 41, None),
        ),
        best_discounts=cards(lang, 4),
        new_arrivals=cards(lang, 8)[4:],
    )


def category_page(lang: str = "ru") -> CategoryPage:
    t = T[lang]
    name = t["electronics"]
    return CategoryPage(
        site=site_context(lang),
        meta=meta(lang, f"{name} — {STRINGS[lang]['page_n'].format(n=2)}", "/electronics/page/2/", jsonld_docs=(
            {"@context": "https://schema.org", "@type": "BreadcrumbList", "itemListElement": [
                {"@type": "ListItem", "position": 1, "name": t["home"], "item": BASE_URL},
                {"@type": "ListItem", "position": 2, "name": name, "item": BASE_URL + "electronics/"}]},
        )),
        name=name,
        breadcrumbs=breadcrumbs(lang, (name, "/electronics/")),
        subcategories=(
            CategoryTile(t["smartphones"], "/electronics/smartphones/", 58, picture("cat-phones", "", 400, 300)),
            CategoryTile(t["laptops"], "/electronics/laptops/", 31, None),
            CategoryTile(t["headphones"], "/electronics/headphones/", 44, picture("cat-headphones", "", 400, 300)),
        ),
        cards=cards(lang, 6),
        pager=pager("/electronics/", 2, 7),
        total=182,
        brands=(Facet("nova", "Nova", 71), Facet("orbit", "Orbit", 60), Facet("pixelon", "Pixelon", 51)),
        shops=(Facet("technomir", t["shop1"], 120), Facet("gadgethub", t["shop2"], 95)),
        price_min=990,
        price_max=189990,
        data_url="/data/electronics/cards.json",
    )


def category_data(lang: str = "ru") -> dict:
    """The JSON behind CategoryPage.data_url: every card of the category, in the default order."""
    out = []
    for c in cards(lang, 8):
        out.append({
            "url": c.url,
            "title": c.title,
            "brand": c.brand,
            "brand_slug": c.brand_slug,
            "shops": list(c.shop_keys),
            "price": int(c.price.amount) if c.price else None,
            "price_text": c.price.text if c.price else "",
            "old_price_text": c.old_price.text if c.old_price else "",
            "discount": c.discount,
            "available": c.available,
            "img": {"src": c.picture.src, "srcset": c.picture.srcset, "webp_srcset": c.picture.webp_srcset,
                    "width": c.picture.width, "height": c.picture.height} if c.picture else None,
        })
    return {"cards": out}


def price_chart(lang: str = "ru") -> PriceChart:
    t = T[lang]
    prices = (27990, 26490, 25990, 24990)
    xs = (48.0, 230.5, 402.0, 584.0)
    ys = (40.0, 95.0, 113.5, 150.0)
    middle = ("14.02.2026", "03.03.2026") if lang == "ru" else ("02/14/2026", "03/03/2026")
    dates = (t["dates"][0], *middle, t["dates"][1])
    points = tuple(ChartPoint(x, y, f"{d}: {money(p, lang).text}")
                   for x, y, d, p in zip(xs, ys, dates, prices, strict=True))
    path = "M" + " L".join(f"{p.x},{p.y}" for p in points)
    return PriceChart(
        width=600,
        height=200,
        path=path,
        points=points,
        y_labels=(ChartPoint(4, 40.0, money(27990, lang).text), ChartPoint(4, 150.0, money(24990, lang).text)),
        x_labels=(ChartPoint(48, 192, t["dates"][0]), ChartPoint(584, 192, t["dates"][1])),
        summary=t["summary"],
    )


def offers(lang: str = "ru") -> tuple[OfferRow, ...]:
    t = T[lang]
    return (
        OfferRow(
            shop=t["shop1"], shop_url="/shop/technomir/", price=money(24990, lang), old_price=money(27990, lang),
            discount=11, available=True,
            href="https://ad.admitad.com/g/3f9d2a71c4/?ulp=https%3A%2F%2Ftechnomir.example%2Fp%2F1&subid=p1product&erid=LjN8KbTq2",
            rel=REL, ad=ad_label(lang),
        ),
        OfferRow(
            shop=t["shop2"], shop_url="/shop/gadgethub/", price=money(25490, lang), old_price=None, discount=0,
            available=True,
            href="https://www.awin1.com/cread.php?awinmid=18542&awinaffid=123456&clickref=p1product&ued=https%3A%2F%2Fgadgethub.example%2Fnova-x2",
            rel=REL, ad=None,
        ),
        OfferRow(
            shop=t["shop3"], shop_url="/shop/domisad/", price=money(26990, lang), old_price=None, discount=0,
            available=False, href="/go/k7Qm2/", rel=REL, ad=None,
        ),
    )


def product_page(lang: str = "ru") -> ProductPage:
    t = T[lang]
    title = t["phone"]
    gallery = (picture("nova-x2-1", title, 800, 800), picture("nova-x2-2", title, 800, 600),
               picture("nova-x2-3", title, 600, 800, hotlinked=True))
    return ProductPage(
        site=site_context(lang),
        meta=meta(lang, title, "/p/nova-x2-128-blue/", og_type="product",
                  og_image=BASE_URL + "img/nova-x2-1-800.jpg",
                  jsonld_docs=(
                      {"@context": "https://schema.org", "@type": "Product", "name": title,
                       "brand": {"@type": "Brand", "name": "Nova"}, "gtin13": "4601234567893",
                       "offers": {"@type": "AggregateOffer", "lowPrice": "24990", "highPrice": "26990",
                                  "priceCurrency": "RUB", "offerCount": 3}},
                      {"@context": "https://schema.org", "@type": "BreadcrumbList", "itemListElement": [
                          {"@type": "ListItem", "position": 1, "name": t["home"], "item": BASE_URL}]},
                  )),
        title=title,
        brand=Link("/brand/nova/", "Nova"),
        gallery=gallery,
        price=money(24990, lang),
        old_price=money(27990, lang),
        discount=11,
        available=True,
        gone=False,
        offers=offers(lang),
        params=t["params"],
        description=Markup(t["description"]),
        breadcrumbs=product_crumbs(lang, title, "/p/nova-x2-128-blue/"),
        similar=cards(lang, 4),
        variants=(Link("/p/nova-x2-256-black/", t["phone_variant"]),),
        chart=price_chart(lang),
        gtin="4601234567893",
        vendor_code="NX2-128-BL",
    )


def gone_product_page(lang: str = "ru") -> ProductPage:
    t = T[lang]
    title = t["gone"]
    return ProductPage(
        site=site_context(lang),
        meta=meta(lang, title, "/p/nova-x1-64/", noindex=True, og_type="product"),
        title=title,
        brand=Link("/brand/nova/", "Nova"),
        gallery=(Picture(src="/assets/placeholder.svg", width=400, height=400, placeholder=True, alt=title),),
        price=None,
        old_price=None,
        discount=0,
        available=False,
        gone=True,
        offers=(),
        params=(),
        description=Markup(""),
        breadcrumbs=product_crumbs(lang, title, "/p/nova-x1-64/"),
        similar=cards(lang, 4),
        variants=(),
        chart=None,
        gtin="",
        vendor_code="",
    )


def brand_page(lang: str = "ru") -> ListingPage:
    return ListingPage(
        site=site_context(lang),
        meta=meta(lang, "Nova", "/brand/nova/"),
        kind="brand",
        name="Nova",
        breadcrumbs=breadcrumbs(lang, (STRINGS[lang]["brands"], "/brands/"), ("Nova", "/brand/nova/")),
        cards=cards(lang, 4),
        pager=pager("/brand/nova/", 1, 3),
        total=71,
    )


def shop_page(lang: str = "ru") -> ListingPage:
    t = T[lang]
    return ListingPage(
        site=site_context(lang),
        meta=meta(lang, t["shop1"], "/shop/technomir/"),
        kind="shop",
        name=t["shop1"],
        breadcrumbs=breadcrumbs(lang, (STRINGS[lang]["shops"], "/shops/"), (t["shop1"], "/shop/technomir/")),
        cards=cards(lang, 3),
        pager=pager("/shop/technomir/", 1, 1),
        total=3,
        ad=ad_label(lang),
    )


def brands_index_page(lang: str = "ru") -> IndexPage:
    return IndexPage(
        site=site_context(lang),
        meta=meta(lang, STRINGS[lang]["brands"], "/brands/"),
        kind="brands",
        items=(Facet("/brand/nova/", "Nova", 71), Facet("/brand/orbit/", "Orbit", 60),
               Facet("/brand/pixelon/", "Pixelon", 51)),
    )


def shops_index_page(lang: str = "ru") -> IndexPage:
    t = T[lang]
    return IndexPage(
        site=site_context(lang),
        meta=meta(lang, STRINGS[lang]["shops"], "/shops/"),
        kind="shops",
        items=(Facet("/shop/technomir/", t["shop1"], 120), Facet("/shop/gadgethub/", t["shop2"], 95),
               Facet("/shop/domisad/", t["shop3"], 64), Facet("/shop/tropa/", t["shop4"], 41)),
    )


def search_page(lang: str = "ru") -> SearchPage:
    return SearchPage(
        site=site_context(lang),
        meta=meta(lang, STRINGS[lang]["search"], "/search/", noindex=True),
        index_url="/pagefind/",
    )


def disclosure_page(lang: str = "ru") -> DisclosurePage:
    t = T[lang]
    return DisclosurePage(
        site=site_context(lang),
        meta=meta(lang, STRINGS[lang]["disclosure"], "/disclosure/"),
        programs=(
            (t["shop1"], "Admitad", ad_label(lang)),
            (t["shop2"], "Awin", None),
            (t["shop3"], "Awin", None),
            (t["shop4"], "Admitad", ad_label(lang, second=True)),
        ),
    )


def not_found_page(lang: str = "ru") -> NotFoundPage:
    return NotFoundPage(
        site=site_context(lang),
        meta=meta(lang, STRINGS[lang]["not_found"], "/404.html", noindex=True),
    )


def redirect_page(lang: str = "ru") -> RedirectPage:
    t = T[lang]
    return RedirectPage(
        site=site_context(lang),
        meta=meta(lang, t["shop3"], "/go/k7Qm2/", noindex=True),
        target="https://www.awin1.com/cread.php?awinmid=21877&awinaffid=123456&clickref=k7Qm2&ued=https%3A%2F%2Fdomisad.example%2Fp%2F9",
        shop=t["shop3"],
    )


def all_pages(lang: str = "ru") -> list[tuple[str, object]]:
    """(template name, context) for every page type, some types more than once."""
    return [
        ("home.html", home_page(lang)),
        ("category.html", category_page(lang)),
        ("product.html", product_page(lang)),
        ("product.html", gone_product_page(lang)),
        ("listing.html", brand_page(lang)),
        ("listing.html", shop_page(lang)),
        ("index.html", brands_index_page(lang)),
        ("index.html", shops_index_page(lang)),
        ("search.html", search_page(lang)),
        ("disclosure.html", disclosure_page(lang)),
        ("404.html", not_found_page(lang)),
        ("go.html", redirect_page(lang)),
    ]
