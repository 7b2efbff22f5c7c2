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
    height: int  # intrinsic height
    srcset: str = ""  # JPEG srcset, '' when hotlinked
    webp_srcset: str = ""  # WebP srcset for <source type="image/webp">, '' when hotlinked
    placeholder: bool = False  # missing or broken image: src is the placeholder
    alt: str = ""  # alternative text (the product title)


@dataclass(frozen=True, slots=True)
class Link:
    url: str  # site-absolute path
    text: str  # the link text


@dataclass(frozen=True, slots=True)
class Card:
    """A product in a listing (home, category, brand, shop, similar products)."""

    url: str  # product page
    title: str  # product title
    brand: str  # brand name, '' when unknown
    picture: Picture | None  # main picture, None when the product has none
    price: Money | None  # the lowest live price; None when no shop sells it now
    old_price: Money | None  # the old price of that cheapest offer, when it is discounted
    discount: int  # percent, 0 when none
    shops: int  # how many shops sell it now
    available: bool  # some shop has it in stock
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
    price: Money  # this shop's price
    old_price: Money | None  # its old price, when discounted
    discount: int  # percent, 0 when none
    available: bool  # in stock at this shop
    href: str  # the outbound link: the deep link (links.mode direct) or /go/<key>/ (redirect) or the tracker
    rel: str  # "sponsored nofollow noopener"
    ad: AdLabel | None  # ad marking, for programs with an erid


@dataclass(frozen=True, slots=True)
class Crumb:
    name: str  # shown text
    url: str  # site-absolute path


@dataclass(frozen=True, slots=True)
class Pager:
    page: int  # 1-based
    pages: int  # total pages
    prev_url: str  # '' on the first page
    next_url: str  # '' on the last page
    links: tuple[Link, ...]  # every page number with its URL (text is the number)


@dataclass(frozen=True, slots=True)
class ChartPoint:
    x: float  # SVG user units
    y: float  # SVG user units, down from the top
    label: str  # "12.03.2026: 1 299 ₽"


@dataclass(frozen=True, slots=True)
class PriceChart:
    """A product's price history, laid out for an inline SVG (no script)."""

    width: int  # SVG viewBox width
    height: int  # SVG viewBox height
    path: str  # SVG path data of the lowest price over time
    points: tuple[ChartPoint, ...]  # one per change, with a readable label (for <title> / a table)
    y_labels: tuple[ChartPoint, ...]  # axis labels (min, max price)
    x_labels: tuple[ChartPoint, ...]  # axis labels (first and last date)
    summary: str  # one sentence for screen readers: range and dates


@dataclass(frozen=True, slots=True)
class CategoryTile:
    name: str  # category name
    url: str  # category page
    count: int  # products listed under it (with its subcategories)
    picture: Picture | None  # its first product's picture, None when none


@dataclass(frozen=True, slots=True)
class Facet:
    key: str  # brand slug or shop (program) name
    text: str  # shown name
    count: int  # products with this value


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
    title: str  # site.title from site.yml
    base_url: str  # absolute, ends with '/'
    language: str  # "ru" | "en"
    currency: str  # ISO 4217 code of every price
    nav: tuple[Link, ...]  # top categories
    strings: dict  # interface strings for the site language (see showcase/render/i18n.py)
    css: str  # URL of the fingerprinted stylesheet
    js: str  # URL of the fingerprinted script (filters; the site works without it)
    home_url: str  # the home page, site-absolute ("/"): works in a local preview too
    brands_url: str  # the list of all brands
    shops_url: str  # the list of all shops
    search_url: str  # the search page
    disclosure_url: str  # the affiliate disclosure page (linked from every footer)
    year: int  # for the footer
    extra: dict  # site.yml `extra`, free-form values for themes


@dataclass(frozen=True, slots=True)
class HomePage:
    site: SiteContext  # shared by every page: see SiteContext
    meta: Meta  # head of the page: see Meta
    top_categories: tuple[CategoryTile, ...]  # top-level categories that list products
    best_discounts: tuple[Card, ...]  # available products, biggest discount first
    new_arrivals: tuple[Card, ...]  # available products, newest first


@dataclass(frozen=True, slots=True)
class CategoryPage:
    site: SiteContext  # shared by every page: see SiteContext
    meta: Meta  # head of the page: see Meta
    name: str  # category name (the <h1>)
    breadcrumbs: tuple[Crumb, ...]  # home first, this category last
    subcategories: tuple[CategoryTile, ...]  # child categories that list products
    cards: tuple[Card, ...]  # this page's products, default order
    pager: Pager  # static pagination
    total: int  # products in the category (all pages)
    brands: tuple[Facet, ...]  # filter facets over the whole category
    shops: tuple[Facet, ...]  # shop facets: key is the program name
    price_min: int  # whole currency units, over the whole category (0 when empty)
    price_max: int  # whole currency units, rounded up
    data_url: str  # JSON with every card of the category, for filtering and sorting in the browser


@dataclass(frozen=True, slots=True)
class ProductPage:
    site: SiteContext  # shared by every page: see SiteContext
    meta: Meta  # head of the page: see Meta
    title: str  # product title (the <h1>)
    brand: Link | None  # the brand page
    gallery: tuple[Picture, ...]  # first is the main picture
    price: Money | None  # the lowest live price
    old_price: Money | None  # old price of the cheapest offer, when discounted
    discount: int  # percent, 0 when none
    available: bool  # some shop sells it now
    gone: bool  # no shop lists it any more: "not available", alternatives, noindex
    offers: tuple[OfferRow, ...]  # live offers sorted by price (the price comparison), available first
    params: tuple[tuple[str, str], ...]  # (name, value with unit)
    description: Markup  # sanitized HTML from the catalog
    breadcrumbs: tuple[Crumb, ...]  # home, category path, the product
    similar: tuple[Card, ...]  # same category, available first
    variants: tuple[Link, ...]  # other products of the same variant group
    chart: PriceChart | None  # None with fewer than two price points
    gtin: str  # GTIN/EAN without leading zeros, '' when unknown
    vendor_code: str  # manufacturer's part number, '' when unknown


@dataclass(frozen=True, slots=True)
class ListingPage:
    """Brand and shop pages: a heading and a paginated list of cards."""

    site: SiteContext  # shared by every page: see SiteContext
    meta: Meta  # head of the page: see Meta
    kind: str  # "brand" | "shop"
    name: str  # brand or shop name (the <h1>)
    breadcrumbs: tuple[Crumb, ...]  # home, all brands/shops, this one
    cards: tuple[Card, ...]  # this page's products
    pager: Pager  # static pagination
    total: int  # products on all pages
    ad: AdLabel | None = None  # shop pages of programs with an erid


@dataclass(frozen=True, slots=True)
class IndexPage:
    """The list of all brands or all shops."""

    site: SiteContext  # shared by every page: see SiteContext
    meta: Meta  # head of the page: see Meta
    kind: str  # "brands" | "shops"
    items: tuple[Facet, ...]  # key is the page URL here


@dataclass(frozen=True, slots=True)
class SearchPage:
    site: SiteContext  # shared by every page: see SiteContext
    meta: Meta  # head of the page: see Meta
    index_url: str  # the first Pagefind bundle folder ("/pagefind/0/")
    merge_urls: tuple[str, ...] = ()  # the other bundles (index shards) to merge into it (mergeIndex)


@dataclass(frozen=True, slots=True)
class DisclosurePage:
    site: SiteContext  # shared by every page: see SiteContext
    meta: Meta  # head of the page: see Meta
    programs: tuple[tuple[str, str, AdLabel | None], ...] = field(default=())  # (shop, network, ad label)


@dataclass(frozen=True, slots=True)
class NotFoundPage:
    site: SiteContext  # shared by every page: see SiteContext
    meta: Meta  # head of the page: see Meta


@dataclass(frozen=True, slots=True)
class RedirectPage:
    """/go/<key>/ in links.mode redirect: forwards to the deep link."""

    site: SiteContext  # shared by every page: see SiteContext
    meta: Meta  # head of the page: see Meta
    target: str  # the deep link
    shop: str  # shop name, for the visible link


PAGE_TYPES = {"home.html": HomePage, "category.html": CategoryPage, "product.html": ProductPage,
              "listing.html": ListingPage, "index.html": IndexPage, "search.html": SearchPage,
              "disclosure.html": DisclosurePage, "404.html": NotFoundPage, "go.html": RedirectPage}
