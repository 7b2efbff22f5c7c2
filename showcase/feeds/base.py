"""What every feed parser yields: raw offers as the feed wrote them, plus the feed's header.

Parsers only read; they never convert money, clean HTML or decide titles. That is
``showcase.normalize``'s job, so every format is normalized by the same rules.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(slots=True)
class RawOffer:
    """One offer, fields as strings exactly as the feed had them (whitespace trimmed)."""

    id: str
    line: int | None = None  # source line of the offer, for messages
    type: str = ""  # YML offer type: "" (simplified), vendor.model, book, audiobook, artist.title,
    #                 medicine, event-ticket, tour, alco; "" for Merchant and CSV
    available: bool | None = None  # None: the feed does not say
    name: str = ""
    type_prefix: str = ""
    vendor: str = ""  # brand
    model: str = ""
    vendor_code: str = ""  # manufacturer part number / MPN
    url: str = ""
    price: str = ""  # as written: "1 299,50", "12.99 USD", "3045.5"
    old_price: str = ""
    currency: str = ""  # as written ("RUR", "rub", "USD"); "" when the price carries none
    category_id: str = ""  # the feed's own category id (YML)
    category_path: list[str] = field(default_factory=list)  # when the feed gives a path instead
    pictures: list[str] = field(default_factory=list)
    description: str = ""  # HTML or text, entities inside CDATA left as they were
    params: list[tuple[str, str, str]] = field(default_factory=list)  # (name, unit, value)
    barcodes: list[str] = field(default_factory=list)  # GTIN / EAN / UPC / ISBN as written
    group_id: str = ""  # variants: YML group_id, Merchant item_group_id
    attrs: dict[str, str] = field(default_factory=dict)  # type-specific: author, title, artist, ...


@dataclass(slots=True)
class Skip:
    """An offer the parser could not use. Parsing goes on; the reason is counted and reported."""

    id: str  # offer id, or "" when the offer has none
    reason: str  # short and stable, e.g. "missing id", "missing price", "bad price: 'abc'"
    line: int | None = None


@dataclass(slots=True)
class Category:
    id: str
    name: str
    parent_id: str = ""


@dataclass
class FeedInfo:
    """The feed's header. Filled in as parsing proceeds (YML headers precede offers)."""

    format: str  # "yml" | "merchant" | "csv"
    encoding: str  # the encoding actually used, e.g. "utf-8", "windows-1251"
    compression: str = "none"  # "none" | "gzip" | "zip"
    dialect: str = ""  # e.g. "rss", "atom", "tsv" for merchant; delimiter name for csv
    shop: dict[str, str] = field(default_factory=dict)  # name, company, url, when given
    currencies: dict[str, str] = field(default_factory=dict)  # id (upper-case) -> rate as written
    currency_plus: dict[str, str] = field(default_factory=dict)  # id -> YML "plus" percent
    categories: dict[str, Category] = field(default_factory=dict)
    date: str = ""  # the feed's own generation date, as written
