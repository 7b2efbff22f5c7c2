"""Yandex Market Language (YML) feeds, streamed with lxml.

The file is fed in 64 KiB chunks to ``etree.XMLPullParser`` (the engine under ``iterparse``)
with a tag filter, so Python only sees the end of each ``offer``, ``category`` and ``currency``;
each offer's children are read in one pass, dispatching on the tag through a dict. Values are
strings as written, trimmed; for single-valued fields the first non-empty element wins.

Supported:

* every offer type: simplified (no ``type``, also the "combined" name + vendor + model style),
  ``vendor.model``, ``book``, ``audiobook``, ``artist.title``, ``medicine``, ``event-ticket``,
  ``tour``, ``alco``. Type-specific elements (author, publisher, series, year, ISBN, title, artist,
  media, starring, place, hall (+ ``hall_plan`` from ``<hall plan=>``), date, worldRegion,
  country, region, days, dataTour, hotel_stars, room, meal, included, transport, ...) and any
  other leaf element with text (sales_notes, country_of_origin, weight, dimensions, keywords, ...)
  go into ``RawOffer.attrs`` by element name; a repeated element (``dataTour``) is joined with
  ``"; "``. Nested blocks (delivery-options, outlets, condition, ...) are ignored.
* offers anywhere under the root: ``<shop><offers>``, ``<offers>`` straight under
  ``<yml_catalog>`` (Epicentr), or ``<offer>`` without an ``<offers>`` wrapper.
* ``available`` attribute → bool; without it a child ``<available>``, else ``stock_quantity`` /
  ``quantity`` / ``count`` / ``stock`` / ``instock`` (> 0 → True); else None.
* name: ``<name>``; bilingual ``<name lang="ru">``/``<name lang="ua">`` → ru, else the first;
  ``<title>`` → ``attrs["title"]`` and, except for ``artist.title`` offers, also the name when
  there is no ``<name>``. ``<description lang=...>`` follows the same rule; a description holding
  raw (non-CDATA) HTML elements is serialized back to HTML.
* ``oldprice`` and its spellings ``old_price``, ``price_old``, ``oldPrice``; ``currencyId`` as
  written; ``categoryId`` (empty → ``""``) or ``<category code=>`` (code → category_id, text →
  category_path); ``<picture>`` repeated and/or several URLs packed in one element (``a | b |``,
  ``a, b``); ``<param name= unit=>``; ``<barcode>`` (comma lists split) and ``ISBN`` → barcodes
  (ISBN also stays in attrs); ``vendorCode``; ``group_id`` attribute (or element).
* header: ``date`` of the root; shop ``name``/``company``/``url``; ``<currency id= rate= plus=>``
  (id upper-cased, rate as written, ``""`` when absent); ``<category id= parentId=>`` (the
  ``parent_id`` typo is read too; a category that is its own parent gets ``parent_id=""``).
* an offer without id → ``Skip(id="", reason="missing id", line)``.

Security: ``resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False``: a DTD is
never fetched, an external entity is never read and no entity is expanded (an element whose
text holds an entity reference keeps only the text before it), and libxml2 refuses entity
amplification (billion laughs) as not well-formed. ``remove_blank_text`` drops whitespace-only
text between elements (faster; a raw, non-CDATA HTML description may lose a blank between two
inline tags).

Memory stays flat: each processed offer / category / currency element is cleared and its
preceding siblings deleted. Not well-formed XML raises
``FeedError(path, "not well-formed XML: <libxml2 message>", line, column)`` from iteration,
after the offers before the error were yielded.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from lxml import etree

from showcase.errors import FeedError
from showcase.feeds.base import Category, FeedInfo, RawOffer, Skip
from showcase.feeds.source import parse_availability, parse_count, split_path, split_urls

# first non-empty wins: element name -> RawOffer field
_SCALAR = {
    "name": "name",
    "url": "url",
    "price": "price",
    "currencyId": "currency",
    "categoryId": "category_id",
    "vendor": "vendor",
    "vendorCode": "vendor_code",
    "oldprice": "old_price",
    "model": "model",
    "typePrefix": "type_prefix",
    "old_price": "old_price",
    "price_old": "old_price",
    "oldPrice": "old_price",
    "OldPrice": "old_price",
    "currencyid": "currency",
    "categoryid": "category_id",
    "vendorcode": "vendor_code",
    "typeprefix": "type_prefix",
    "group_id": "group_id",
}
# elements needing more than "first wins"; anything else with text goes to attrs
(_BARCODE, _ISBN, _AVAILABLE, _STOCK, _TITLE, _CATEGORY, _HALL, _IGNORE) = range(8)
_SPECIAL = {
    "barcode": _BARCODE,
    "barcodes": _BARCODE,
    "ISBN": _ISBN,
    "isbn": _ISBN,
    "available": _AVAILABLE,
    "stock_quantity": _STOCK,
    "quantity": _STOCK,
    "quantity_in_stock": _STOCK,
    "count": _STOCK,
    "stock": _STOCK,
    "instock": _STOCK,
    "title": _TITLE,
    "category": _CATEGORY,
    "hall": _HALL,
    "delivery-options": _IGNORE,
    "pickup-options": _IGNORE,
    "outlets": _IGNORE,
}

_SHOP_FIELDS = ("name", "company", "url")
_SPLIT_CODES = re.compile(r"[,;\s]+")
_BOOL = {"true": True, "false": False, "1": True, "0": False}
_STRIP_POS = re.compile(r",? line \d+, column \d+$")


_TAGS = ("offer", "category", "currency")
# never fetch a DTD, never read an external entity; libxml2 refuses entity amplification
HARDENED = dict(
    resolve_entities=False,
    no_network=True,
    load_dtd=False,
    huge_tree=False,
    remove_comments=True,
    remove_pis=True,
)
CHUNK = 1 << 16


def parse(stream, info: FeedInfo, path: str, *, encoding: str | None = None) -> Iterator[RawOffer | Skip]:
    """Yield the offers of a YML byte stream; fill ``info`` (date, shop, currencies, categories)."""
    parser = etree.XMLPullParser(events=("end",), tag=_TAGS, encoding=encoding, remove_blank_text=True, **HARDENED)
    categories = info.categories
    currencies = info.currencies
    plus = info.currency_plus
    root = None
    header_done = False
    read = stream.read
    feed = parser.feed
    read_events = parser.read_events
    error = None
    try:
        while True:
            data = read(CHUNK)
            try:
                if data:
                    feed(data)
                else:
                    done = parser.close()
                    if root is None and done is not None:  # a feed without offers still has a header
                        root = done
                        info.date = info.date or (done.get("date") or "").strip()
            except etree.XMLSyntaxError as e:
                error = e  # first hand on what was complete before the error
            for _event, el in read_events():
                tag = el.tag
                if tag == "offer":
                    if not header_done:
                        root = _read_root(el, info)
                        _read_header(el.getparent(), info)
                        header_done = True
                    yield _offer(el)
                    el.clear()
                    while el.getprevious() is not None:
                        del el.getparent()[0]
                    continue
                if tag == "category":
                    parent = el.getparent()
                    if parent is None or parent.tag != "categories":
                        continue  # <category code=> inside an offer: the offer reads it
                    cid = (el.get("id") or "").strip()
                    if cid:
                        pid = (el.get("parentId") or el.get("parent_id") or el.get("parentid") or "").strip()
                        if pid == cid:
                            pid = ""
                        categories[cid] = Category(cid, " ".join((el.text or "").split()), pid)
                elif tag == "currency":
                    parent = el.getparent()
                    if parent is None or parent.tag != "currencies":
                        continue
                    cur = (el.get("id") or "").strip().upper()
                    if cur:
                        currencies[cur] = (el.get("rate") or "").strip()
                        p = el.get("plus")
                        if p is not None:
                            plus[cur] = p.strip()
                if root is None:
                    root = _read_root(el, info)
                el.clear()
                while el.getprevious() is not None:
                    del el.getparent()[0]
            if error is not None:
                raise syntax_error(path, error)
            if not data:
                break
    finally:
        if root is not None:
            shop = root.find("shop")
            _read_header(shop if shop is not None else root, info)
        stream.close()


def syntax_error(path: str, e: etree.XMLSyntaxError) -> FeedError:
    msg = _STRIP_POS.sub("", e.msg or str(e)).strip()
    line, column = e.position if e.position else (e.lineno, None)
    if "not proper UTF-8" in msg or "Invalid bytes in character encoding" in msg:
        msg += " (the declared encoding does not match the bytes; set the feed's encoding to override it)"
    elif "Unsupported encoding" in msg:
        msg += " (set the feed's encoding to override it)"
    return FeedError(path, f"not well-formed XML: {msg}", line, column)


def _read_root(el, info: FeedInfo):
    root = el.getroottree().getroot()
    if not info.date:
        info.date = (root.get("date") or "").strip()
    return root


def _read_header(shop, info: FeedInfo) -> None:
    """Shop name/company/url from the element that holds <offers> (``<shop>`` or the root)."""
    if shop is None:
        return
    if shop.tag == "offers":
        shop = shop.getparent()
        if shop is None:
            return
    s = info.shop
    for ch in shop:
        tag = ch.tag
        if tag in _SHOP_FIELDS and tag not in s:
            text = (ch.text or "").strip()
            if text:
                s[tag] = text


def _inner_html(el) -> str:
    parts = [el.text or ""]
    for ch in el:
        parts.append(etree.tostring(ch, encoding="unicode", with_tail=True))
    return "".join(parts).strip()


def _offer(el) -> RawOffer | Skip:
    # The hot path: one pass over the children; most of them are scalar fields found through
    # one dict lookup, and their text is read only when the field is still empty.
    get = el.get
    line = el.sourceline
    oid = get("id")
    if oid is not None:
        oid = oid.strip()
    if not oid:
        return Skip("", "missing id", line)
    d: dict[str, str] = {}
    pictures: list[str] = []
    params: list[tuple[str, str, str]] = []
    barcodes: list[str] = []
    attrs: dict[str, str] = {}
    avail_el = stock = None
    scalar = _SCALAR.get
    for ch in el:
        tag = ch.tag
        f = scalar(tag)
        if f is not None:
            if f not in d:
                text = ch.text
                if text is not None:
                    text = text.strip()
                    if text:
                        d[f] = text
            elif f == "name":
                _second_name(el, ch, d)
            continue
        text = ch.text
        if text is not None:
            text = text.strip()
        if tag == "picture":
            if text:
                if "|" in text or "," in text or " " in text or "\n" in text:
                    pictures.extend(split_urls(text))
                else:
                    pictures.append(text)
        elif tag == "param":
            pn = ch.get("name")
            pu = ch.get("unit")
            if pn or text:
                params.append((pn.strip() if pn else "", pu.strip() if pu else "", text or ""))
        elif tag == "description":
            if len(ch):
                text = _inner_html(ch)
            if text and (
                "description" not in d or (ch.get("lang") == "ru" and el.find("description").get("lang") != "ru")
            ):
                d["description"] = text
        else:
            k = _SPECIAL.get(tag)
            if k is None:
                if text and type(tag) is str:
                    prev = attrs.get(tag)
                    attrs[tag] = text if prev is None else prev + "; " + text
            elif not text:
                if k == _HALL and ch.get("plan"):
                    attrs.setdefault("hall_plan", ch.get("plan").strip())
            elif k == _BARCODE:
                if "," in text or ";" in text or " " in text:
                    barcodes.extend(b for b in _SPLIT_CODES.split(text) if b)
                else:
                    barcodes.append(text)
            elif k == _ISBN:
                barcodes.append(text)
                attrs.setdefault("ISBN", text)
            elif k == _TITLE:
                attrs.setdefault("title", text)
            elif k == _AVAILABLE:
                avail_el = text
            elif k == _STOCK:
                if stock is None:
                    stock = text
                attrs.setdefault(tag, text)
            elif k == _CATEGORY:
                code = ch.get("code") or ch.get("id")
                if code and "category_id" not in d:
                    d["category_id"] = code.strip()
                if "category_path" not in d:
                    d["category_path"] = split_path(text) if ">" in text else [text]
            elif k == _HALL:
                attrs.setdefault("hall", text)
                plan = ch.get("plan")
                if plan:
                    attrs.setdefault("hall_plan", plan.strip())
    typ = get("type")
    avail = get("available")
    if avail is None:
        available = None
    else:
        available = _BOOL.get(avail)
        if available is None:
            available = parse_availability(avail)
    if available is None and (avail_el is not None or stock is not None):
        available = _available_from_children(avail_el, stock)
    if "group_id" not in d:
        g = get("group_id")
        if g:
            d["group_id"] = g.strip()
    if "name" not in d and "title" in attrs and typ != "artist.title":
        d["name"] = attrs["title"]
    return RawOffer(
        oid, line, typ.strip() if typ else "", available,
        pictures=pictures, params=params, barcodes=barcodes, attrs=attrs, **d,
    )  # fmt: skip


def _second_name(el, ch, d: dict[str, str]) -> None:
    """Bilingual names (Epicentr): a ``lang="ru"`` name wins over a first name in another language."""
    text = (ch.text or "").strip()
    if text and ch.get("lang") == "ru":
        first = el.find("name")
        if first is not None and first.get("lang") != "ru":
            d["name"] = text


def _available_from_children(avail_el: str | None, stock: str | None) -> bool | None:
    available = parse_availability(avail_el) if avail_el is not None else None
    if available is None and stock is not None:
        n = parse_count(stock)
        if n is not None:
            available = n > 0
    return available
