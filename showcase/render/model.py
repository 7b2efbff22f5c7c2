"""The site model: the catalog gathered once, then a page context for any page on demand.

Gather, then render: categories, brands, shops, home and sitemaps depend on the whole catalog,
so ``gather`` reads it completely first. It keeps only what listings need per product (a
``Product``: card fields, a few bytes each), never product bodies; a product page's offers,
description and price history are read from SQLite when that page is rendered (``product_page``
takes one batch of products at a time). URLs are computed here, once; two pages wanting one path
is an error.
"""

from __future__ import annotations

import html
import json
import re
import sqlite3
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal

from babel.numbers import format_currency
from markupsafe import Markup

from showcase.catalog import make_slug
from showcase.config import Config
from showcase.errors import ShowcaseError
from showcase.links import LinkError, builders_for, static_subid
from showcase.render import context as c
from showcase.render.i18n import STRINGS

REL = "sponsored nofollow noopener"
NETWORK_NAMES = {"admitad": "Admitad", "awin": "Awin", "cj": "CJ Affiliate", "impact": "Impact",
                 "rakuten": "Rakuten Advertising", "amazon": "Amazon Associates", "ebay": "eBay Partner Network"}
LOCALES = {"ru": "ru_RU", "en": "en_US"}
SIMILAR = 8
HOME_CARDS = 12
GALLERY_MAX = 8


class PathCollision(ShowcaseError):
    """Two pages want the same URL."""


@dataclass(slots=True)
class Product:
    """What listings need of one product; one per product, all in memory."""

    id: int
    slug: str
    title: str
    brand: str
    brand_slug: str
    category: str  # category path
    created_at: str
    variant_group: str
    price_cents: int | None = None  # the cheapest live offer (available ones first)
    old_cents: int | None = None
    available: bool = False
    shops: tuple[str, ...] = ()  # programs with a live offer
    picture: str = ""  # first picture of the cheapest offer that has one
    gone: bool = True  # no live offer: not listed, noindex, still reachable

    @property
    def url(self) -> str:
        return f"/p/{self.slug}/"

    @property
    def discount(self) -> int:
        if not self.old_cents or not self.price_cents or self.old_cents <= self.price_cents:
            return 0
        return round(100 * (self.old_cents - self.price_cents) / self.old_cents)


@dataclass(slots=True)
class Category:
    path: str
    name: str
    parent: str
    position: int
    children: list[str] = field(default_factory=list)
    products: list[int] = field(default_factory=list)  # listed products (own and descendants'), default order

    @property
    def url(self) -> str:
        return f"/{self.path}/"


class Site:
    """The gathered site: products, categories, brands, shops; builds page contexts."""

    def __init__(self, config: Config, db: sqlite3.Connection, pictures, *, now: datetime | None = None):
        self.config = config
        self.db = db
        self.pictures = pictures  # callable: source -> c.Picture-like (showcase.render.images)
        self.now = now or datetime.now(UTC)
        self.lang = config.site.language
        self.locale = LOCALES[self.lang]
        self.strings = STRINGS[self.lang]
        self.products: dict[int, Product] = {}
        self.by_slug: dict[str, int] = {}
        self.categories: dict[str, Category] = {}
        self.brands: dict[str, tuple[str, list[int]]] = {}  # slug -> (display name, product ids)
        self.shops: dict[str, list[int]] = {}  # program -> product ids
        self.variants: dict[str, list[int]] = defaultdict(list)
        self.links = builders_for(config)
        self.assets: dict[str, str] = {}  # static file name -> fingerprinted URL, set by the builder
        self.position: dict[int, int] = {}  # product id -> its index in its own category's listing
        self.search_shards = 1  # Pagefind bundles, /pagefind/0/ ... (set by the builder)
        self._money: dict[int, c.Money] = {}
        self._site_context: c.SiteContext | None = None

    # --- gather ----------------------------------------------------------------------------------
    def gather(self) -> Site:
        self._gather_categories()
        self._gather_products()
        self._gather_listings()
        return self

    def _gather_categories(self) -> None:
        for path, name, parent, position in self.db.execute(
                "SELECT path, name, parent, position FROM categories ORDER BY source DESC, position, path"):
            self.categories[path] = Category(path, name, parent, position)
        for cat in self.categories.values():
            if cat.parent in self.categories:
                self.categories[cat.parent].children.append(cat.path)

    def _gather_products(self) -> None:
        rows = self.db.execute(
            "SELECT p.id, p.slug, p.title, p.brand, p.category, p.created_at, p.variant_group, o.price_cents, "
            "o.old_price_cents, o.available, o.program, o.pictures, o.category, o.gone_at IS NULL "
            "FROM products p JOIN offers o ON o.product_id = p.id ORDER BY p.id, o.gone_at IS NOT NULL, "
            "o.available DESC, o.price_cents")
        current: Product | None = None
        shops: list[str] = []
        site_category = ""
        for (pid, slug, title, brand, category, created, group, price, old, available, program, pictures,
             offer_category, live) in rows:
            if current is None or current.id != pid:
                if current is not None:
                    self._finish_product(current, shops, site_category)
                current = Product(pid, slug, title, brand, make_slug(brand) if brand else "", category, created, group)
                shops, site_category = [], ""
            if live:
                if current.gone:  # rows come cheapest live (available first) first
                    current.gone, current.price_cents, current.old_cents = False, price, old
                    current.available = bool(available)
                if program not in shops:
                    shops.append(program)
                if not site_category and self._is_site_category(offer_category):
                    site_category = offer_category
            if not current.picture and pictures != "[]":
                current.picture = json.loads(pictures)[0]
        if current is not None:
            self._finish_product(current, shops, site_category)

    def _is_site_category(self, path: str) -> bool:
        top = path.split("/", 1)[0]
        return bool(path) and top not in self.config.feeds and path in self.categories

    def _finish_product(self, product: Product, shops: list[str], site_category: str) -> None:
        product.shops = tuple(shops)
        if site_category:
            product.category = site_category  # a shop that maps it into the site tree wins
        self.products[product.id] = product
        self.by_slug[product.slug] = product.id
        if product.variant_group:
            self.variants[product.variant_group].append(product.id)

    def _gather_listings(self) -> None:
        listed = sorted((p for p in self.products.values() if not p.gone), key=_listing_order)
        brand_names: dict[str, Counter] = defaultdict(Counter)
        brand_products: dict[str, list[int]] = defaultdict(list)
        for p in listed:
            path = p.category
            while path:
                cat = self.categories.get(path)
                if cat is None:
                    break
                cat.products.append(p.id)
                path = cat.parent
            if p.brand_slug:
                brand_names[p.brand_slug][p.brand] += 1
                brand_products[p.brand_slug].append(p.id)
            for shop in p.shops:
                self.shops.setdefault(shop, []).append(p.id)
        self.brands = {slug: (brand_names[slug].most_common(1)[0][0], ids)
                       for slug, ids in sorted(brand_products.items())}
        for cat in self.categories.values():
            for i, pid in enumerate(cat.products):
                if self.products[pid].category == cat.path:
                    self.position[pid] = i

    # --- shared pieces ---------------------------------------------------------------------------
    def money(self, cents: int | None) -> c.Money | None:
        if cents is None:
            return None
        money = self._money.get(cents)
        if money is None:  # Babel takes ~30 µs a call; prices repeat across pages
            amount = Decimal(cents) / 100
            digits = 0 if amount == amount.to_integral_value() else 2
            text = format_currency(amount, self.config.site.currency, locale=self.locale,
                                   format="#,##0" + (".00" if digits else "") + "\u00a0¤", currency_digits=False)
            money = c.Money(amount, text)
            if len(self._money) < 200_000:
                self._money[cents] = money
        return money

    def picture(self, source: str, alt: str) -> c.Picture | None:
        if not source:
            return None
        p = self.pictures(source)
        return c.Picture(p.src, p.width, p.height, p.srcset, p.webp_srcset, p.placeholder, alt)

    def card(self, product: Product) -> c.Card:
        return c.Card(url=product.url, title=product.title, brand=product.brand,
                      picture=self.picture(product.picture, product.title), price=self.money(product.price_cents),
                      old_price=self.money(product.old_cents) if product.discount else None,
                      discount=product.discount, shops=len(product.shops), available=product.available,
                      brand_slug=product.brand_slug, shop_keys=product.shops)

    def site_context(self) -> c.SiteContext:
        if self._site_context is None:
            self._site_context = self._make_site_context()
        return self._site_context

    def _make_site_context(self) -> c.SiteContext:
        s = self.config.site
        nav = tuple(c.Link(cat.url, cat.name) for cat in self.top_categories())
        return c.SiteContext(title=s.title, base_url=s.base_url, language=self.lang, currency=s.currency, nav=nav,
                             strings=self.strings, home_url="/", brands_url="/brands/", shops_url="/shops/",
                             css=self.assets.get("site.css", "/assets/site.css"),
                             js=self.assets.get("filters.js", "/assets/filters.js"), search_url="/search/",
                             disclosure_url="/disclosure/", year=self.now.year, extra=dict(self.config.extra))

    def top_categories(self) -> list[Category]:
        return [cat for cat in self.categories.values() if not cat.parent and cat.products]

    def absolute(self, url: str) -> str:
        return self.config.site.base_url + url.lstrip("/")

    def meta(self, title: str, description: str, url: str, *, noindex: bool = False, og_type: str = "website",
             image: str = "", jsonld: Iterable[dict] = ()) -> c.Meta:
        full_title = title if title == self.config.site.title else f"{title} — {self.config.site.title}"
        return c.Meta(title=full_title, description=_shorten(description, 160), canonical=self.absolute(url),
                      noindex=noindex, og_type=og_type, og_image=self.absolute(image) if image.startswith("/")
                      else image, jsonld=tuple(_jsonld(doc) for doc in jsonld), lang=self.lang)

    def crumbs(self, category_path: str) -> list[c.Crumb]:
        out = [c.Crumb(self.strings["home"], "/")]
        chain, path = [], category_path
        while path in self.categories:
            chain.append(self.categories[path])
            path = self.categories[path].parent
        out += [c.Crumb(cat.name, cat.url) for cat in reversed(chain)]
        return out

    def breadcrumb_jsonld(self, crumbs: list[c.Crumb]) -> dict:
        return {"@context": "https://schema.org", "@type": "BreadcrumbList", "itemListElement": [
            {"@type": "ListItem", "position": i, "name": crumb.name, "item": self.absolute(crumb.url)}
            for i, crumb in enumerate(crumbs, 1)]}

    def pager(self, base_url: str, page: int, pages: int) -> c.Pager:
        def url(n: int) -> str:
            return base_url if n == 1 else f"{base_url}page/{n}/"

        return c.Pager(page=page, pages=pages, prev_url=url(page - 1) if page > 1 else "",
                       next_url=url(page + 1) if page < pages else "",
                       links=tuple(c.Link(url(n), str(n)) for n in range(1, pages + 1)))

    def tile(self, cat: Category) -> c.CategoryTile:
        first = self.products[cat.products[0]] if cat.products else None
        return c.CategoryTile(cat.name, cat.url, len(cat.products),
                              self.picture(first.picture, cat.name) if first else None)

    def offer_href(self, program: str, url: str, key: str, subid: str, page: str) -> str:
        """The outbound link for one offer, by links.mode."""
        mode = self.config.links.mode
        if mode == "redirect":
            return f"/go/{key}/"
        if mode == "tracker":
            return f"{self.config.links.tracker_url}/go/{key}?from={page}"
        return self.deep_link(program, url, subid)

    def deep_link(self, program: str, url: str, subid: str) -> str:
        builder = self.links.get(program)
        if builder is None:
            raise ShowcaseError(f"offers of program {program!r}, which site.yml no longer defines: re-import")
        if isinstance(builder, LinkError):
            raise builder
        return builder.link(url, subid)

    def ad_label(self, program: str) -> c.AdLabel | None:
        p = self.config.programs.get(program)
        if p is None or not p.erid or not p.advertiser:
            return None
        return c.AdLabel(self.strings["ad"], p.advertiser.name, p.advertiser.inn or "", p.erid)

    def shop_name(self, program: str) -> str:
        p = self.config.programs.get(program)
        return p.name if p else program

    # --- pages -----------------------------------------------------------------------------------
    def home_page(self) -> c.HomePage:
        listed = [p for p in self.products.values() if not p.gone and p.available]
        discounts = sorted((p for p in listed if p.discount), key=lambda p: (-p.discount, p.id))[:HOME_CARDS]
        newest = sorted(listed, key=lambda p: (p.created_at, p.id), reverse=True)[:HOME_CARDS]
        s = self.config.site
        jsonld = [{"@context": "https://schema.org", "@type": "WebSite", "name": s.title, "url": s.base_url,
                   "potentialAction": {"@type": "SearchAction", "target": self.absolute("/search/?q={query}"),
                                       "query-input": "required name=query"}}]
        return c.HomePage(site=self.site_context(), meta=self.meta(s.title, self.strings["home_description"].format(
            title=s.title, products=len(listed), shops=len(self.shops)), "/", jsonld=jsonld),
            top_categories=tuple(self.tile(cat) for cat in self.top_categories()),
            best_discounts=tuple(self.card(p) for p in discounts), new_arrivals=tuple(self.card(p) for p in newest))

    def category_pages(self, path: str) -> Iterator[tuple[str, c.CategoryPage]]:
        cat = self.categories[path]
        size = self.config.page_size
        pages = max(1, -(-len(cat.products) // size))
        crumbs = self.crumbs(path)
        products = [self.products[i] for i in cat.products]
        prices = [p.price_cents for p in products if p.price_cents is not None]
        brands = Counter(p.brand_slug for p in products if p.brand_slug)
        shops = Counter(s for p in products for s in p.shops)
        common = {
            "site": self.site_context(), "name": cat.name, "breadcrumbs": tuple(crumbs),
            "subcategories": tuple(self.tile(self.categories[ch]) for ch in cat.children
                                   if self.categories[ch].products),
            "total": len(products),
            "brands": tuple(c.Facet(slug, self.brands[slug][0], n) for slug, n in sorted(brands.items())),
            "shops": tuple(c.Facet(s, self.shop_name(s), n) for s, n in sorted(shops.items())),
            "price_min": min(prices) // 100 if prices else 0, "price_max": -(-max(prices) // 100) if prices else 0,
            "data_url": f"/data{cat.url}cards.json",
        }
        for page in range(1, pages + 1):
            url = cat.url if page == 1 else f"{cat.url}page/{page}/"
            title = cat.name if page == 1 else f"{cat.name} — {self.strings['page_n'].format(n=page)}"
            description = self.strings["category_description"].format(name=cat.name, count=len(products))
            yield url, c.CategoryPage(
                meta=self.meta(title, description, url, jsonld=[self.breadcrumb_jsonld(crumbs)]),
                cards=tuple(self.card(p) for p in products[(page - 1) * size:page * size]),
                pager=self.pager(cat.url, page, pages), **common)

    def category_data(self, path: str) -> dict:
        """Every card of a category for filtering in the browser (the theme's filters.js reads this)."""
        cards = []
        for pid in self.categories[path].products:
            p = self.products[pid]
            pic = self.picture(p.picture, p.title)
            cards.append({
                "url": p.url, "title": p.title, "brand": p.brand, "brand_slug": p.brand_slug, "shops": list(p.shops),
                "price": None if p.price_cents is None else p.price_cents // 100,
                "price_text": self.money(p.price_cents).text if p.price_cents is not None else "",
                "old_price_text": self.money(p.old_cents).text if p.discount else "", "discount": p.discount,
                "available": p.available,
                "img": None if pic is None else {"src": pic.src, "srcset": pic.srcset, "webp_srcset": pic.webp_srcset,
                                                 "width": pic.width, "height": pic.height}})
        return {"cards": cards}

    def listing_pages(self, kind: str, key: str) -> Iterator[tuple[str, c.ListingPage]]:
        if kind == "brand":
            name, ids = self.brands[key]
            base, ad = f"/brand/{key}/", None
            description = self.strings["brand_description"].format(name=name, count=len(ids))
        else:
            name, ids = self.shop_name(key), self.shops[key]
            base, ad = f"/shop/{key}/", self.ad_label(key)
            description = self.strings["shop_description"].format(name=name, count=len(ids))
        size = self.config.page_size
        pages = max(1, -(-len(ids) // size))
        index = c.Crumb(self.strings["brands" if kind == "brand" else "shops"], f"/{kind}s/")
        crumbs = (c.Crumb(self.strings["home"], "/"), index, c.Crumb(name, base))
        for page in range(1, pages + 1):
            url = base if page == 1 else f"{base}page/{page}/"
            yield url, c.ListingPage(
                site=self.site_context(), meta=self.meta(name if page == 1 else f"{name} — {page}", description, url,
                                                         jsonld=[self.breadcrumb_jsonld(list(crumbs))]),
                kind=kind, name=name, breadcrumbs=crumbs,
                cards=tuple(self.card(self.products[i]) for i in ids[(page - 1) * size:page * size]),
                pager=self.pager(base, page, pages), total=len(ids), ad=ad)

    def index_page(self, kind: str) -> tuple[str, c.IndexPage]:
        if kind == "brands":
            items = tuple(c.Facet(f"/brand/{slug}/", name, len(ids)) for slug, (name, ids) in self.brands.items())
        else:
            items = tuple(c.Facet(f"/shop/{key}/", self.shop_name(key), len(ids))
                          for key, ids in sorted(self.shops.items()))
        url = f"/{kind}/"
        title = self.strings[kind]
        return url, c.IndexPage(site=self.site_context(), meta=self.meta(title, title, url), kind=kind, items=items)

    def product_pages(self, ids: list[int]) -> Iterator[tuple[str, c.ProductPage]]:
        """Product pages for a batch of products: their offers and price history in two queries."""
        marks = ",".join("?" * len(ids))
        offers: dict[int, list[tuple]] = defaultdict(list)
        for row in self.db.execute(
                f"SELECT product_id, id, key, program, url, price_cents, old_price_cents, available, pictures, "
                f"params, description, gone_at IS NULL FROM offers WHERE product_id IN ({marks}) "
                f"ORDER BY product_id, gone_at IS NOT NULL, available DESC, price_cents, id", ids):
            offers[row[0]].append(row[1:])
        codes = {pid: (gtin, vendor_code) for pid, gtin, vendor_code in self.db.execute(
            f"SELECT id, gtin, vendor_code FROM products WHERE id IN ({marks})", ids)}
        history: dict[int, list[tuple]] = defaultdict(list)
        for row in self.db.execute(
                f"SELECT o.product_id, h.offer, h.at, h.price_cents, h.available FROM price_history h "
                f"JOIN offers o ON o.id = h.offer WHERE o.product_id IN ({marks}) ORDER BY h.at, h.offer", ids):
            history[row[0]].append(row[1:])
        for pid in ids:
            product = self.products[pid]
            yield product.url, self._product_page(product, offers[pid], history[pid], codes[pid])

    def _product_page(self, product: Product, offers: list[tuple], history: list[tuple],
                      codes: tuple[str, str]) -> c.ProductPage:
        s = self.strings
        live = [o for o in offers if o[10]]
        subid = static_subid(product.id, "product")
        rows = []
        for _id, key, program, url, price, old, available, *_ in live:
            old_money = self.money(old) if old and old > price else None
            rows.append(c.OfferRow(
                shop=self.shop_name(program), shop_url=f"/shop/{program}/", price=self.money(price),
                old_price=old_money, discount=round(100 * (old - price) / old) if old_money else 0,
                available=bool(available), href=self.offer_href(program, url, key, subid, "product"), rel=REL,
                ad=self.ad_label(program)))
        pictures: list[str] = []
        for o in live or offers:
            for src in json.loads(o[7]):
                if src not in pictures:
                    pictures.append(src)
        richest = max(live or offers, key=lambda o: (len(o[8]), len(o[9])))  # most params, then description
        params = tuple((n, f"{v} {u}" if u else v) for n, u, v in json.loads(richest[8]))
        description = max((o[9] for o in live or offers), key=len)
        crumbs = [*self.crumbs(product.category), c.Crumb(product.title, product.url)]
        similar = self._similar(product)
        gallery = tuple(self.picture(src, product.title) for src in pictures[:GALLERY_MAX])
        price_money = self.money(product.price_cents) if not product.gone else None
        jsonld = [self._product_jsonld(product, rows, gallery), self.breadcrumb_jsonld(crumbs)]
        brand = (c.Link(f"/brand/{product.brand_slug}/", product.brand)
                 if product.brand_slug in self.brands else None)
        description_text = _plain(description) or (
            s["product_description_gone"].format(title=product.title) if product.gone
            else s["product_description"].format(title=product.title, shops=len(rows), price=price_money.text))
        return c.ProductPage(
            site=self.site_context(),
            meta=self.meta(product.title, description_text, product.url, noindex=product.gone, og_type="product",
                           image=gallery[0].src if gallery else "", jsonld=jsonld),
            title=product.title, brand=brand, gallery=gallery, price=price_money,
            old_price=self.money(product.old_cents) if product.discount and not product.gone else None,
            discount=0 if product.gone else product.discount, available=product.available and not product.gone,
            gone=product.gone, offers=tuple(rows), params=params, description=Markup(description),  # noqa: S704
            breadcrumbs=tuple(crumbs), similar=tuple(self.card(p) for p in similar),
            variants=tuple(c.Link(self.products[i].url, self.products[i].title)
                           for i in self.variants.get(product.variant_group, ()) if i != product.id
                           and not self.products[i].gone),
            chart=self._chart(history), gtin=codes[0].lstrip("0"), vendor_code=codes[1])

    def _similar(self, product: Product) -> list[Product]:
        cat = self.categories.get(product.category)
        if cat is None:
            return []
        ids = cat.products
        at = self.position.get(product.id, 0)  # a gone product: its category's first products are alternatives
        picked = [i for i in ids[max(0, at - SIMILAR // 2):at + SIMILAR // 2 + 1] if i != product.id]
        if len(picked) < SIMILAR:
            picked += [i for i in ids[:SIMILAR * 2] if i != product.id and i not in picked]
        return [self.products[i] for i in picked[:SIMILAR]]

    def _product_jsonld(self, product: Product, rows: list[c.OfferRow], gallery) -> dict:
        doc: dict = {"@context": "https://schema.org", "@type": "Product", "name": product.title,
                     "url": self.absolute(product.url)}
        if gallery:
            doc["image"] = [self.absolute(p.src) if p.src.startswith("/") else p.src for p in gallery[:3]]
        if product.brand:
            doc["brand"] = {"@type": "Brand", "name": product.brand}
        currency = self.config.site.currency
        if len(rows) == 1:
            o = rows[0]
            doc["offers"] = {"@type": "Offer", "price": str(o.price.amount), "priceCurrency": currency,
                             "availability": _availability(o.available), "url": self.absolute(product.url),
                             "seller": {"@type": "Organization", "name": o.shop}}
        elif rows:
            prices = [o.price.amount for o in rows]
            doc["offers"] = {"@type": "AggregateOffer", "lowPrice": str(min(prices)), "highPrice": str(max(prices)),
                             "offerCount": len(rows), "priceCurrency": currency,
                             "availability": _availability(any(o.available for o in rows))}
        return doc

    def _chart(self, history: list[tuple]) -> c.PriceChart | None:
        """The lowest available price over time, from every offer's recorded changes."""
        state: dict[int, tuple[int, int]] = {}
        series: list[tuple[str, int]] = []
        for offer, at, price, available in history:
            state[offer] = (price, available)
            live = [p for p, a in state.values() if a]
            if live:
                low = min(live)
                day = at[:10]
                if series and series[-1][0] == day:
                    series[-1] = (day, low)
                elif not series or series[-1][1] != low:
                    series.append((day, low))
        if len(series) < 2:
            return None
        width, height, pad = 600, 200, 30
        t0, t1 = _day(series[0][0]), _day(series[-1][0])
        lo, hi = min(p for _, p in series), max(p for _, p in series)
        span_t, span_p = max((t1 - t0).days, 1), max(hi - lo, 1)

        def xy(day: str, price: int) -> tuple[float, float]:
            x = pad + (width - 2 * pad) * (_day(day) - t0).days / span_t
            y = height - pad - (height - 2 * pad) * (price - lo) / span_p
            return round(x, 1), round(y, 1)

        points = [xy(d, p) for d, p in series]
        path = "M" + " L".join(f"{x},{y0} {x},{y}" if i else f"{x},{y}" for i, ((x, y), (_, y0)) in
                               enumerate(zip(points, [points[0], *points[:-1]], strict=True)))
        labels = tuple(c.ChartPoint(x, y, f"{_date(d, self.lang)}: {self.money(p).text}")
                       for (x, y), (d, p) in zip(points, series, strict=True))
        low, high = self.money(lo).text, self.money(hi).text
        return c.PriceChart(
            width=width, height=height, path=path, points=labels,
            y_labels=(c.ChartPoint(2, height - pad, low), c.ChartPoint(2, pad, high)),
            x_labels=(c.ChartPoint(pad, height - 6, _date(series[0][0], self.lang)),
                      c.ChartPoint(width - pad, height - 6, _date(series[-1][0], self.lang))),
            summary=self.strings["chart_summary"].format(low=low, high=high, start=_date(series[0][0], self.lang),
                                                         end=_date(series[-1][0], self.lang)))

    def go_page(self, key: str) -> tuple[str, c.RedirectPage] | None:
        row = self.db.execute("SELECT program, url, product_id FROM offers WHERE key=? AND gone_at IS NULL",
                              (key,)).fetchone()
        if row is None:
            return None
        program, url, product_id = row
        target = self.deep_link(program, url, static_subid(product_id, "go"))
        page = f"/go/{key}/"
        return page, c.RedirectPage(site=self.site_context(), meta=self.meta(self.shop_name(program), "", page,
                                                                              noindex=True),
                                    target=target, shop=self.shop_name(program))

    def simple_page(self, kind: str):
        s = self.strings
        if kind == "search":
            return "/search/", c.SearchPage(site=self.site_context(),
                                            meta=self.meta(s["search"], s["search"], "/search/", noindex=True),
                                            index_url="/pagefind/0/",
                                            merge_urls=tuple(f"/pagefind/{k}/" for k in range(1, self.search_shards)))
        if kind == "disclosure":
            programs = tuple((p.name, NETWORK_NAMES.get(self.config.networks[p.network].type, p.network),
                              self.ad_label(name))
                             for name, p in self.config.programs.items() if name in self.shops)
            return "/disclosure/", c.DisclosurePage(site=self.site_context(), meta=self.meta(
                s["disclosure"], s["disclosure_description"], "/disclosure/"), programs=programs)
        if kind == "404":
            return "/404.html", c.NotFoundPage(site=self.site_context(), meta=self.meta(
                s["not_found"], s["not_found"], "/404.html", noindex=True))
        raise ValueError(kind)


def _listing_order(p: Product) -> tuple:
    """Default order of listings: available first, then sold by more shops, bigger discount, title."""
    return (not p.available, -len(p.shops), -p.discount, p.title.casefold(), p.id)


def _availability(available: bool) -> str:
    return "https://schema.org/InStock" if available else "https://schema.org/OutOfStock"


def _jsonld(doc: dict) -> Markup:
    text = json.dumps(doc, ensure_ascii=False, separators=(",", ":"))
    # safe inside <script>: no '</script>' or '<!--' can close or confuse it
    return Markup(text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026"))  # noqa: S704


def _plain(html_text: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", html_text)).split())


def _shorten(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit - 1].rsplit(" ", 1)[0] + "…"


def _day(text: str):
    return datetime.fromisoformat(text[:10]).date()


def _date(text: str, lang: str) -> str:
    d = _day(text)
    return f"{d.day:02d}.{d.month:02d}.{d.year}" if lang == "ru" else d.isoformat()


def check_collisions(urls: Iterable[tuple[str, str]]) -> None:
    """(url, what) pairs: two things wanting one URL is an error, never a silent overwrite."""
    seen: dict[str, str] = {}
    for url, what in urls:
        if url in seen:
            raise PathCollision(f"{url} is wanted by both {seen[url]} and {what}")
        seen[url] = what
