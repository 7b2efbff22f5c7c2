"""Raw offers -> normalized offers: Decimal money in the site currency, clean text, safe HTML.

The same rules for every feed format, so a YML, a Merchant and a CSV offer of one product
look alike to the catalog. An offer that cannot be normalized becomes a ``Skip`` with a
short, stable reason (``missing price``, ``bad price: 'abc'``, ``no exchange rate USD->RUB``);
an offer excluded by the feed's filters becomes a ``Skip`` whose reason starts with
``filtered:`` so the two are counted apart.
"""

from __future__ import annotations

import contextlib
import html
import re
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from urllib.parse import urlsplit

import nh3

from showcase.feeds.base import FeedInfo, RawOffer, Skip

CENT = Decimal("0.01")
CURRENCY_ALIASES = {"RUR": "RUB", "BYR": "BYN"}
CURRENCY_SIGNS = {"₽": "RUB", "$": "USD", "€": "EUR", "£": "GBP", "₴": "UAH", "₸": "KZT", "zł": "PLN",
                  "руб": "RUB", "р.": "RUB", "грн": "UAH", "тг": "KZT", "Kč": "CZK"}
# Central-bank markers a YML feed may give instead of a number: we cannot look them up offline,
# so such a currency needs a rate in site.yml (feed or site `rates`).
BANK_RATES = {"CBRF", "NBU", "NBK", "CB", "NBRB"}

ALLOWED_TAGS = {"p", "br", "ul", "ol", "li", "b", "strong", "i", "em", "u", "s", "sub", "sup",
                "h3", "h4", "h5", "h6", "table", "thead", "tbody", "tr", "th", "td", "dl", "dt", "dd",
                "blockquote", "pre", "code", "hr", "span", "div"}
# Built once: nh3.clean() would convert the allow-lists on every call (3x slower).
_CLEANER = nh3.Cleaner(tags=ALLOWED_TAGS, attributes={}, strip_comments=True,
                       clean_content_tags={"script", "style", "iframe", "object", "embed", "noscript", "template",
                                           "svg", "math"})
_WS = re.compile(r"\s+")
_MONEY_JUNK = re.compile(r"[\s\u00a0\u202f\u2009'’]")
_NUMBER = re.compile(r"[-+]?[\d.,]*\d")
_BLOCK_GAPS = re.compile(r"(<br\s*/?>\s*){3,}")


@dataclass(slots=True)
class Offer:
    """One normalized offer of one feed; the catalog's input."""

    feed: str
    offer_id: str
    title: str
    url: str
    price: Decimal  # site currency
    old_price: Decimal | None  # site currency; only when above price
    source_price: str  # price and currency as the feed had them, e.g. "12.99 USD"
    available: bool
    brand: str = ""
    vendor_code: str = ""
    model: str = ""
    type: str = ""
    category: list[str] = field(default_factory=list)  # the feed's category path, root first
    site_category: str = ""  # the site tree path it maps to, "" when unmapped
    pictures: list[str] = field(default_factory=list)
    description: str = ""  # sanitized HTML
    params: list[tuple[str, str, str]] = field(default_factory=list)
    gtin: str = ""  # GTIN-14 (zero-padded), validated
    group_id: str = ""
    attrs: dict[str, str] = field(default_factory=dict)
    line: int | None = None

    @property
    def discount_percent(self) -> int:
        if not self.old_price or self.old_price <= self.price:
            return 0
        return int((100 * (self.old_price - self.price) / self.old_price).to_integral_value(ROUND_HALF_UP))


class Normalizer:
    """Normalizes the offers of one feed. Build one per import: it caches the feed's rates and paths."""

    def __init__(self, feed_name: str, info: FeedInfo, *, site_currency: str, site_rates=None,
                 feed_rates=None, default_currency: str | None = None, category_map=None, filters=None,
                 local_pictures: bool = False, convert: bool = True):
        self.feed = feed_name
        self.convert = convert  # False: keep prices in the currency the offer names (feed inspect)
        self.local_pictures = local_pictures  # relative picture paths are trusted from local feeds only
        self.info = info
        self.site_currency = site_currency
        self.site_rates = {k.upper(): Decimal(v) for k, v in (site_rates or {}).items()}
        self.feed_rates = {k.upper(): Decimal(v) for k, v in (feed_rates or {}).items()}
        self.default_currency = (default_currency or "").upper()
        self.category_map = {_key(k): v.strip("/") for k, v in (category_map or {}).items()}
        self.filters = filters
        self._rate_cache: dict[str, Decimal | str] = {}
        self._path_cache: dict[str, list[str]] = {}
        self._exclude_words = [w.casefold() for w in (filters.exclude_keywords if filters else [])]
        self._include = {_key(c) for c in (filters.include_categories if filters else [])}
        self._exclude = {_key(c) for c in (filters.exclude_categories if filters else [])}

    # --- the one entry point ---------------------------------------------------------------------
    def __call__(self, raw: RawOffer) -> Offer | Skip:
        oid = raw.id.strip()
        if not raw.url.strip():
            return Skip(oid, "missing url", raw.line)
        url = raw.url.strip()
        if not _is_http_url(url):
            return Skip(oid, f"bad url: {_short(url)}", raw.line)
        if not raw.price.strip():
            return Skip(oid, "missing price", raw.line)
        try:
            amount, currency = parse_money(raw.price)
        except ValueError:
            return Skip(oid, f"bad price: {_short(raw.price)}", raw.line)
        if amount <= 0:
            return Skip(oid, f"bad price: {_short(raw.price)}", raw.line)
        currency = _currency_code(raw.currency) or currency or self._feed_currency()
        rate = self.rate(currency)
        if isinstance(rate, str):
            return Skip(oid, rate, raw.line)
        price = (amount * rate).quantize(CENT, ROUND_HALF_UP)
        old_price = None
        if raw.old_price.strip():
            try:
                old_amount, old_currency = parse_money(raw.old_price)
                old_rate = rate if not old_currency or old_currency == currency else self.rate(old_currency)
                if not isinstance(old_rate, str):
                    old_price = (old_amount * old_rate).quantize(CENT, ROUND_HALF_UP)
            except ValueError:
                old_price = None  # a bad old price loses the discount, not the offer
            if old_price is not None and old_price <= price:
                old_price = None
        title = build_title(raw)
        if not title:
            return Skip(oid, "missing name", raw.line)
        category = self.category_path(raw)
        offer = Offer(
            feed=self.feed, offer_id=oid, title=title, url=url, price=price, old_price=old_price,
            source_price=f"{amount} {currency}", available=True if raw.available is None else raw.available,
            brand=clean_brand(raw.vendor), vendor_code=clean_text(raw.vendor_code), model=clean_text(raw.model),
            type=raw.type, category=category, site_category=self.map_category(raw, category),
            pictures=clean_pictures(raw.pictures, self.local_pictures), description=sanitize_html(raw.description),
            params=[(clean_text(n), clean_text(u), clean_text(v)) for n, u, v in raw.params if n and v],
            gtin=first_gtin(raw.barcodes), group_id=raw.group_id.strip(), attrs=raw.attrs, line=raw.line,
        )
        reason = self.filtered(offer, raw)
        return Skip(oid, f"filtered: {reason}", raw.line) if reason else offer

    # --- money -----------------------------------------------------------------------------------
    def _feed_currency(self) -> str:
        if self.default_currency:
            return self.default_currency
        base = [c for c, r in self.info.currencies.items() if r.strip() in ("1", "1.0", "1.00")]
        return _currency_code(base[0]) if len(base) == 1 else self.site_currency

    def rate(self, currency: str) -> Decimal | str:
        """Units of the site currency per unit of ``currency``, or the reason there is none."""
        if not self.convert:
            return Decimal(1)
        cached = self._rate_cache.get(currency)
        if cached is None:
            cached = self._rate_cache[currency] = self._find_rate(currency)
        return cached

    def _find_rate(self, currency: str) -> Decimal | str:
        site = self.site_currency
        if currency == site:
            return Decimal(1)
        if currency in self.feed_rates:
            return self.feed_rates[currency]
        feed_rates = {_currency_code(k): v.strip() for k, v in self.info.currencies.items()}
        base = next((c for c, r in feed_rates.items() if r in ("1", "1.0", "1.00")), None)
        written = feed_rates.get(currency, "")
        if base and written and written.upper() not in BANK_RATES:
            try:
                in_base = Decimal(written.replace(",", "."))
            except InvalidOperation:
                return f"bad exchange rate for {currency}: {_short(written)}"
            plus = self.info.currency_plus.get(currency) or self.info.currency_plus.get(currency.lower())
            if plus:
                with contextlib.suppress(InvalidOperation):
                    in_base *= 1 + Decimal(plus.replace(",", ".")) / 100
            to_site = Decimal(1) if base == site else self.feed_rates.get(base) or self.site_rates.get(base)
            if to_site is not None:
                return in_base * to_site
        if currency in self.site_rates:
            rate = self.site_rates[currency]
            plus = self.info.currency_plus.get(currency) if written.upper() in BANK_RATES else None
            if plus:
                with contextlib.suppress(InvalidOperation):
                    rate *= 1 + Decimal(plus.replace(",", ".")) / 100
            return rate
        return f"no exchange rate {currency}->{site}"

    # --- categories ------------------------------------------------------------------------------
    def category_path(self, raw: RawOffer) -> list[str]:
        if raw.category_path:
            return [clean_text(p) for p in raw.category_path if clean_text(p)]
        cid = raw.category_id.strip()
        if not cid:
            return []
        path = self._path_cache.get(cid)
        if path is None:
            path, seen, current = [], set(), cid
            while current and current not in seen and current in self.info.categories:
                seen.add(current)  # a parent loop (id="5" parentId="5") ends the walk
                category = self.info.categories[current]
                path.append(clean_text(category.name) or current)
                current = category.parent_id
            path = self._path_cache[cid] = path[::-1] if path else [cid]
        return path

    def map_category(self, raw: RawOffer, path: list[str]) -> str:
        """The site category for an offer: its category id, its full path, its own name, then the
        closest mapped ancestor path."""
        if not self.category_map:
            return ""
        candidates = [raw.category_id, " > ".join(path), path[-1] if path else ""]
        candidates += [" > ".join(path[:depth]) for depth in range(len(path) - 1, 0, -1)]
        for key in candidates:
            target = self.category_map.get(_key(key)) if key else None
            if target:
                return target
        return ""

    def filtered(self, offer: Offer, raw: RawOffer) -> str:
        f = self.filters
        if f is None:
            return ""
        if f.available_only and not offer.available:
            return "not available"
        if f.min_price is not None and offer.price < f.min_price:
            return f"price: {offer.price} below {f.min_price}"
        if f.max_price is not None and offer.price > f.max_price:
            return f"price: {offer.price} above {f.max_price}"
        if self._include or self._exclude:
            keys = {_key(raw.category_id)} | {_key(" > ".join(offer.category[:d]))
                                              for d in range(1, len(offer.category) + 1)}
            keys |= {_key(name) for name in offer.category}
            if self._include and not keys & self._include:
                return "category: not included"
            if keys & self._exclude:
                return "category: excluded"
        if self._exclude_words:
            title = offer.title.casefold()
            for word in self._exclude_words:
                if word in title:
                    return f"keyword: {word!r}"
        return ""


# --- pure helpers (also used by the catalog and the storefront) -----------------------------------


def parse_money(text: str) -> tuple[Decimal, str]:
    """'1 299,50' -> (1299.50, ''); '12.99 USD' -> (12.99, 'USD'); 'EUR130.00' -> (130.00, 'EUR').

    One comma and no dot is a decimal comma (the Russian convention); with both, the last is
    the decimal separator. Raises ValueError when there is no number.
    """
    text = text.strip()
    if text.isdigit() or (text.count(".") == 1 and text.replace(".", "").isdigit()):
        return Decimal(text), ""  # the common case: '1299' or '1299.50'
    currency = ""
    letters = re.sub(r"[\d\s.,\-+'’\u00a0\u202f\u2009]", "", text)
    if letters:
        currency = _currency_code(letters)
        if not currency:
            raise ValueError(text)
    compact = _MONEY_JUNK.sub("", text)
    match = _NUMBER.search(compact)
    if not match:
        raise ValueError(text)
    number = match.group()
    if "," in number and "." in number:
        if number.rfind(",") > number.rfind("."):
            number = number.replace(".", "").replace(",", ".")
        else:
            number = number.replace(",", "")
    elif number.count(",") == 1:
        number = number.replace(",", ".")
    elif number.count(",") > 1:
        number = number.replace(",", "")
    elif number.count(".") > 1:
        number = number.replace(".", "")  # 1.299.000
    try:
        return Decimal(number), currency
    except InvalidOperation:
        raise ValueError(text) from None


def _currency_code(text: str) -> str:
    text = text.strip()
    if not text:
        return ""
    if text in CURRENCY_SIGNS or text.lower() in CURRENCY_SIGNS:
        return CURRENCY_SIGNS.get(text) or CURRENCY_SIGNS[text.lower()]
    code = text.upper()
    if len(code) == 3 and code.isalpha() and code.isascii():
        return CURRENCY_ALIASES.get(code, code)
    return ""


def build_title(raw: RawOffer) -> str:
    """The shopper-facing title, by the YML rules for each offer type."""
    a = raw.attrs
    name = clean_text(raw.name)
    kind = raw.type
    if kind == "vendor.model" or (not name and raw.model):
        vendor, model = clean_brand(raw.vendor), clean_text(raw.model)
        if name and not model:
            return name
        if vendor and model.casefold().startswith(vendor.casefold()):
            vendor = ""  # the model already names the vendor
        return clean_text(" ".join(p for p in (clean_text(raw.type_prefix), vendor, model) if p)) or name
    if kind in ("book", "audiobook"):
        title = name or clean_text(a.get("title", ""))
        author = clean_text(a.get("author", ""))
        return f"{author}. {title}" if author and title else title
    if kind == "artist.title":
        title = clean_text(a.get("title", "")) or name
        artist = clean_text(a.get("artist", ""))
        return f"{artist} — {title}" if artist and title else title
    if kind == "event-ticket":
        parts = [name, clean_text(a.get("place", "")), clean_text(a.get("date", ""))]
        return ", ".join(p for p in parts if p)
    if kind == "tour" and not name:
        return clean_text(" ".join(a.get(k, "") for k in ("country", "region", "place")))
    return name or clean_text(a.get("title", ""))


def clean_text(text: str) -> str:
    if not text:
        return ""
    if "&" in text:
        text = html.unescape(text)  # entities a generator escaped twice
    if "  " in text or "\n" in text or "\t" in text or "\r" in text or "\xa0" in text:
        return _WS.sub(" ", text).strip()
    return text.strip()


# Cyrillic letters that look Latin: a brand like "НP" (Cyrillic Н) is HP.
_HOMOGLYPHS = str.maketrans("АВЕКМНОРСТУХаеорсух", "ABEKMHOPCTYXaeopcyx")
_LATIN = re.compile(r"[A-Za-z]")
_CYRILLIC = re.compile(r"[\u0400-\u04ff]")


def clean_brand(text: str) -> str:
    text = clean_text(text)
    if text and _LATIN.search(text) and _CYRILLIC.search(text):
        fixed = text.translate(_HOMOGLYPHS)
        if not _CYRILLIC.search(fixed):
            return fixed
    return text


def sanitize_html(text: str) -> str:
    """Feed HTML -> a safe subset: no script, style, event handlers, iframes, links or images."""
    if not text or not text.strip():
        return ""
    if "<" not in text:
        return html.escape(clean_text(text), quote=False)
    cleaned = _CLEANER.clean(text)
    return _BLOCK_GAPS.sub("<br><br>", cleaned).strip()


def clean_pictures(pictures: list[str], allow_relative: bool = False) -> list[str]:
    """http(s) URLs; relative paths only from a local feed, and never climbing out with '..'."""
    out: list[str] = []
    for p in pictures:
        p = p.strip()
        if not p or p in out:
            continue
        if _is_http_url(p) or (allow_relative and not urlsplit(p).scheme and not p.startswith("/")
                               and ".." not in p.split("/")):
            out.append(p)
    return out


def first_gtin(barcodes: list[str]) -> str:
    for code in barcodes:
        gtin = normalize_gtin(code)
        if gtin:
            return gtin
    return ""


def normalize_gtin(code: str) -> str:
    """EAN-8/UPC-12/EAN-13/GTIN-14/ISBN -> a zero-padded GTIN-14, or '' when not a valid code."""
    raw = code.strip().upper().replace("-", "").replace(" ", "")
    if len(raw) == 10 and raw[:9].isdigit() and (raw[9].isdigit() or raw[9] == "X"):
        if not _isbn10_ok(raw):
            return ""
        raw = "978" + raw[:9]
        raw += str(_gtin_check_digit(raw))
    if not raw.isdigit() or len(raw) not in (8, 12, 13, 14) or set(raw) == {"0"}:
        return ""
    if int(raw[-1]) != _gtin_check_digit(raw[:-1]):
        return ""
    return raw.zfill(14)


def _gtin_check_digit(body: str) -> int:
    digits = body[::-1]  # weights 3, 1, 3, ... from the right
    total = 3 * sum(map(int, digits[::2])) + sum(map(int, digits[1::2]))
    return (10 - total % 10) % 10


def _isbn10_ok(code: str) -> bool:
    total = sum((10 - i) * (10 if c == "X" else int(c)) for i, c in enumerate(code))
    return total % 11 == 0


def _is_http_url(url: str) -> bool:
    """http(s)://host... without urlsplit: this runs for every offer URL and picture."""
    if url.startswith("https://"):
        host_start = 8
    elif url.startswith("http://"):
        host_start = 7
    else:
        return False
    return len(url) > host_start and url[host_start] not in "/?#"


def _key(text: str) -> str:
    return clean_text(str(text)).casefold()


def _short(text: str, limit: int = 40) -> str:
    text = text.strip()
    return repr(text if len(text) <= limit else text[:limit] + "…")
