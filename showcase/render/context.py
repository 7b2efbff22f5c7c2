"""Page contexts: everything a template may read, one dataclass per page type.

Templates never see catalog rows or feed fields, only these objects. Every field is documented
here; `tests/test_template_context.py` fails when a context gains an undocumented field. Money is
given both as a number (for sorting and data attributes) and as text already formatted for the
site's locale and currency. URLs are site-absolute paths (``/p/slug/``); ``canonical`` and
``og`` URLs are absolute.

Every page context has ``site`` (SiteContext) and ``meta`` (Meta), plus its own fields below.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from markupsafe import Markup


@dataclass(frozen=True, slots=True)
class Money:
    amount: Decimal  # in the site currency
    text: str  # formatted for the site locale, e.g. "1 299 ₽" or "RUB 1,299"


@dataclass(frozen=True, slots=True)
class Picture:
    src: str  # fallback image URL (JPEG, or the feed's URL when hotlinked)
    width: int  # intrinsic size, always set (no layout shift)
    height: int
    srcset: str = ""  # JPEG srcset, '' when hotlinked
    webp_srcset: str = ""  # WebP srcset for <source type="image/webp">, '' when hotlinked
    placeholder: bool = False  # missing or broken image: src is the placeholder
    alt: str = ""  # alternative text (the product title)


@dataclass(frozen=True, slots=True)
class Link:
    url: str
    text: str


@dataclass(frozen=True, slots=True)
class Card:
    """A product in a listing (home, category, brand, shop, similar products)."""

    url: str  # product page
    title: str
    brand: str
    picture: Picture | None
    price: Money | None  # the lowest live price; None when no shop sells it now
    old_price: Money | None  # the old price of that cheapest offer, when it is discounted
    discount: int  # percent, 0 when none
    shops: int  # how many shops sell it now
    available: bool
    brand_slug: str  # for filters
    shop_keys: tuple[str, ...]  # program names of the shops selling it, for filters


@dataclass(frozen=True, slots=True)
class AdLabel:
    """Russian ad-marking («Реклама») for offers of programs with an erid."""

    text: str  # "Реклама" / "Advertisement"
    advertiser: str  # the advertiser's name
    inn: str  # the advertiser's tax number, '' when not given
    erid: str  # the token


@dataclass(frozen=True, slots=True)
class OfferRow:
    """One shop's offer in a product's price comparison."""

    shop: str  # shop name
    shop_url: str  # the shop's page on this site
    price: Money
    old_price: Money | None
    discount: int
    available: bool
    href: str  # the outbound link: the deep link (links.mode direct) or /go/<key>/ (redirect) or the tracker
    rel: str  # "sponsored nofollow noopener"
    ad: AdLabel | None


@dataclass(frozen=True, slots=True)
class Crumb:
    name: str
    url: str


@dataclass(frozen=True, slots=True)
class Pager:
    page: int  # 1-based
    pages: int
    prev_url: str  # '' on the first page
    next_url: str  # '' on the last page
    links: tuple[Link, ...]  # every page number with its URL (text is the number)


@dataclass(frozen=True, slots=True)
class ChartPoint:
    x: float  # SVG user units
    y: float
    label: str  # "12.03.2026: 1 299 ₽"


@dataclass(frozen=True, slots=True)
class PriceChart:
    """A product's price history, laid out for an inline SVG (no script)."""

    width: int
    height: int
    path: str  # SVG path data of the lowest price over time
    points: tuple[ChartPoint, ...]  # one per change, with a readable label (for <title> / a table)
    y_labels: tuple[ChartPoint, ...]  # axis labels (min, max price)
    x_labels: tuple[ChartPoint, ...]  # axis labels (first and last date)
    summary: str  # one sentence for screen readers: range and dates


@dataclass(frozen=True, slots=True)
class CategoryTile:
    name: str
    url: str
    count: int  # products listed under it (with its subcategories)
    picture: Picture | None


@dataclass(frozen=True, slots=True)
class Facet:
    key: str  # brand slug or shop (program) name
    text: str
    count: int


@dataclass(frozen=True, slots=True)
class Meta:
    title: str  # <title>
    description: str  # meta description, plain text, ≤ 160 characters
    canonical: str  # absolute URL
    noindex: bool  # robots noindex (gone products, redirect pages, search)
    og_type: str  # "website" | "product"
    og_image: str  # absolute URL, '' when none
    jsonld: tuple[Markup, ...]  # ready-to-embed JSON-LD documents (already escaped for <script>)
    lang: str  # "ru" | "en"


@dataclass(frozen=True, slots=True)
class SiteContext:
    title: str
    base_url: str  # absolute, ends with '/'
    language: str
    currency: str
    nav: tuple[Link, ...]  # top categories
    strings: dict  # interface strings for the site language (see showcase/render/i18n.py)
    css: str  # URL of the fingerprinted stylesheet
    js: str  # URL of the fingerprinted script (filters; the site works without it)
    search_url: str
    disclosure_url: str
    year: int  # for the footer
    extra: dict  # site.yml `extra`, free-form values for themes


@dataclass(frozen=True, slots=True)
class HomePage:
    site: SiteContext
    meta: Meta
    top_categories: tuple[CategoryTile, ...]
    best_discounts: tuple[Card, ...]
    new_arrivals: tuple[Card, ...]


@dataclass(frozen=True, slots=True)
class CategoryPage:
    site: SiteContext
    meta: Meta
    name: str
    breadcrumbs: tuple[Crumb, ...]
    subcategories: tuple[CategoryTile, ...]
    cards: tuple[Card, ...]  # this page's products, default order
    pager: Pager
    total: int  # products in the category (all pages)
    brands: tuple[Facet, ...]  # filter facets over the whole category
    shops: tuple[Facet, ...]
    price_min: int  # whole currency units, over the whole category (0 when empty)
    price_max: int
    data_url: str  # JSON with every card of the category, for filtering and sorting in the browser


@dataclass(frozen=True, slots=True)
class ProductPage:
    site: SiteContext
    meta: Meta
    title: str
    brand: Link | None  # the brand page
    gallery: tuple[Picture, ...]  # first is the main picture
    price: Money | None  # the lowest live price
    old_price: Money | None
    discount: int
    available: bool  # some shop sells it now
    gone: bool  # no shop lists it any more: "not available", alternatives, noindex
    offers: tuple[OfferRow, ...]  # live offers sorted by price (the price comparison), available first
    params: tuple[tuple[str, str], ...]  # (name, value with unit)
    description: Markup  # sanitized HTML from the catalog
    breadcrumbs: tuple[Crumb, ...]
    similar: tuple[Card, ...]  # same category, available first
    variants: tuple[Link, ...]  # other products of the same variant group
    chart: PriceChart | None  # None with fewer than two price points
    gtin: str
    vendor_code: str


@dataclass(frozen=True, slots=True)
class ListingPage:
    """Brand and shop pages: a heading and a paginated list of cards."""

    site: SiteContext
    meta: Meta
    kind: str  # "brand" | "shop"
    name: str
    breadcrumbs: tuple[Crumb, ...]
    cards: tuple[Card, ...]
    pager: Pager
    total: int
    ad: AdLabel | None = None  # shop pages of programs with an erid


@dataclass(frozen=True, slots=True)
class IndexPage:
    """The list of all brands or all shops."""

    site: SiteContext
    meta: Meta
    kind: str  # "brands" | "shops"
    items: tuple[Facet, ...]  # key is the page URL here


@dataclass(frozen=True, slots=True)
class SearchPage:
    site: SiteContext
    meta: Meta
    index_url: str  # the Pagefind bundle folder ("/pagefind/")


@dataclass(frozen=True, slots=True)
class DisclosurePage:
    site: SiteContext
    meta: Meta
    programs: tuple[tuple[str, str, AdLabel | None], ...] = field(default=())  # (shop, network, ad label)


@dataclass(frozen=True, slots=True)
class NotFoundPage:
    site: SiteContext
    meta: Meta


@dataclass(frozen=True, slots=True)
class RedirectPage:
    """/go/<key>/ in links.mode redirect: forwards to the deep link."""

    site: SiteContext
    meta: Meta
    target: str  # the deep link
    shop: str


PAGE_TYPES = {"home.html": HomePage, "category.html": CategoryPage, "product.html": ProductPage,
              "listing.html": ListingPage, "index.html": IndexPage, "search.html": SearchPage,
              "disclosure.html": DisclosurePage, "404.html": NotFoundPage, "go.html": RedirectPage}
