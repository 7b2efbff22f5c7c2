"""Google Merchant Center feeds: RSS 2.0 (``<item>``), Atom 1.0 (``<entry>``) and tab-separated text.

XML: attributes in the Google namespace ``http://base.google.com/ns/1.0`` (any prefix) are read by
local name; plain RSS/Atom ``title``, ``link`` (Atom: ``<link href=>``, rel alternate or none),
``description`` (Atom also ``summary``/``content``) and ``id`` are used when the ``g:`` form is
absent (the ``g:`` form wins). Only direct children of an item count, so the ``g:price`` inside
``g:shipping`` is not the item's price. Empty elements (``<g:price/>``) are missing values.
TSV: a header row of attribute names (``g:`` prefix and spaces tolerated), one item per row,
``additional_image_link`` as a comma-joined list in one cell. Items are streamed with lxml
``iterparse`` (hardened as in :mod:`showcase.feeds.yml`), cleared once read.

Mapping to RawOffer:

* ``id`` → id (missing → ``Skip(id="", reason="missing id")``); ``title`` → name;
  ``description`` → description; ``link`` → url; ``brand`` → vendor; ``mpn`` → vendor_code;
  ``model`` (vehicle ads) → model; ``gtin`` (also ``ean``/``upc``/``isbn``) → barcodes; ``item_group_id`` → group_id.
* **Money**: ``price`` is passed as written, currency included (``"12.99 USD"``);
  ``RawOffer.currency`` stays ``""`` unless the item has its own ``currency`` element/column
  (non-standard, e.g. ``<g:currency>USD</g:currency>``). normalize parses ``"12.99 USD"``.
  With a non-empty ``sale_price``: price = sale_price and old_price = price.
* **Availability**: ``in stock``/``in_stock``, ``limited availability``, ``preorder``, ``backorder``
  → True (they can be ordered); ``out of stock``/``out_of_stock``, ``discontinued`` → False; the
  value as written is kept in ``attrs["availability"]``.
* pictures: ``image_link`` first, then every ``additional_image_link`` (repeated elements and
  comma-joined lists).
* category_path: ``product_type`` (the first one) split on ``>``, after unescaping a double-escaped
  ``&amp;gt;`` once more; else a non-numeric ``google_product_category`` the same way. Both stay in
  attrs as written (unescaped).
* ``color``, ``size``, ``gender``, ``age_group``, ``material``, ``pattern``, ``size_type``,
  ``size_system`` → params ``(name, "", value)``; every other attribute with a value (condition,
  custom_label_*, availability_date, identifier_exists, ...) → attrs (repeated ones joined
  ``"; "``). Nested blocks (``shipping``, ``tax``) are ignored.
* header: channel / feed ``title`` → ``shop["name"]``, its ``link`` → ``shop["url"]``,
  ``lastBuildDate``/``pubDate``/``updated`` → date.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator

from lxml import etree

from showcase.feeds.base import FeedInfo, RawOffer, Skip
from showcase.feeds.csvfeed import header_row, rows, wrong_width
from showcase.feeds.source import GOOGLE_NS, merchant_key, parse_availability, split_path, split_urls
from showcase.feeds.yml import CHUNK, HARDENED, syntax_error

ATOM_NS = "http://www.w3.org/2005/Atom"
_ITEM_TAGS = ("item", f"{{{ATOM_NS}}}entry", "entry")
_PARAMS = ("color", "size", "gender", "age_group", "material", "pattern", "size_type", "size_system")
_USED = frozenset(
    ["id", "title", "description", "summary", "content", "link", "price", "sale_price", "brand", "mpn", "gtin",
     "ean", "upc", "isbn", "item_group_id", "model", "image_link", "additional_image_link", "currency", *_PARAMS]
)  # fmt: skip
_SPLIT_CODES = re.compile(r"[,;\s]+")


def _first(fields: dict[str, list[str]], key: str) -> str:
    v = fields.get(key)
    return v[0] if v else ""


def _unescape(v: str) -> str:
    return html.unescape(v) if "&" in v else v


def build_offer(fields: dict[str, list[str]], line: int | None) -> RawOffer | Skip:
    """A RawOffer from Merchant attributes (local name -> non-empty values, in order)."""
    oid = _first(fields, "id")
    if not oid:
        return Skip("", "missing id", line)
    o = RawOffer(oid, line)
    o.name = _first(fields, "title")
    o.description = _first(fields, "description") or _first(fields, "summary") or _first(fields, "content")
    o.url = _first(fields, "link")
    price, sale = _first(fields, "price"), _first(fields, "sale_price")
    if sale:
        o.price, o.old_price = sale, price
    else:
        o.price = price
    o.currency = _first(fields, "currency")
    o.vendor = _first(fields, "brand")
    o.vendor_code = _first(fields, "mpn")
    o.model = _first(fields, "model")
    o.group_id = _first(fields, "item_group_id")
    avail = _first(fields, "availability")
    if avail:
        o.available = parse_availability(avail)
    for key in ("gtin", "ean", "upc", "isbn"):
        for v in fields.get(key, ()):
            o.barcodes.extend(b for b in _SPLIT_CODES.split(v) if b)
    for v in fields.get("image_link", ()):
        o.pictures.extend(split_urls(v))
    for v in fields.get("additional_image_link", ()):
        o.pictures.extend(split_urls(v))
    for key in _PARAMS:
        for v in fields.get(key, ()):
            o.params.append((key, "", v))
    attrs = o.attrs
    for key, values in fields.items():
        if key in _USED:
            continue
        if key in ("product_type", "google_product_category"):
            values = [_unescape(v) for v in values]
        attrs[key] = values[0] if len(values) == 1 else "; ".join(values)
    ptype = _first(fields, "product_type")
    if ptype:
        o.category_path = split_path(ptype)
    else:
        gpc = _first(fields, "google_product_category")
        if gpc and not gpc.isdigit():
            o.category_path = split_path(gpc)
    return o


def parse_xml(stream, info: FeedInfo, path: str, *, encoding: str | None = None) -> Iterator[RawOffer | Skip]:
    """Yield the items of a Merchant RSS or Atom byte stream."""
    parser = etree.XMLPullParser(events=("end",), tag=_ITEM_TAGS, encoding=encoding, **HARDENED)
    header_done = False
    error = None
    try:
        while True:
            data = stream.read(CHUNK)
            try:
                if data:
                    parser.feed(data)
                else:
                    parser.close()
            except etree.XMLSyntaxError as e:
                error = e  # first hand on the items that were complete before the error
            for _event, el in parser.read_events():
                if not header_done:
                    _read_header(el.getparent(), info)
                    header_done = True
                yield _item(el)
                el.clear()
                while el.getprevious() is not None:
                    del el.getparent()[0]
            if error is not None:
                raise syntax_error(path, error)
            if not data:
                break
    finally:
        stream.close()


def _local(tag) -> tuple[str, bool]:
    """(local name, in the Google namespace)"""
    if tag[0] == "{":
        ns, local = tag[1:].split("}", 1)
        return local, ns == GOOGLE_NS or "base.google.com" in ns
    if tag.startswith("g:"):  # a prefix without a declared namespace cannot occur in lxml; keep simple
        return tag[2:], True
    return tag, False


def _item(el) -> RawOffer | Skip:
    g: dict[str, list[str]] = {}
    plain: dict[str, list[str]] = {}
    for ch in el:
        tag = ch.tag
        if type(tag) is not str:
            continue
        local, is_g = _local(tag)
        if not is_g and local == "link" and ch.get("href") is not None:
            if ch.get("rel") not in (None, "alternate"):
                continue
            text = ch.get("href").strip()
        else:
            text = ch.text
            if text is None:
                continue
            text = text.strip()
        if not text:
            continue
        (g if is_g else plain).setdefault(local, []).append(text)
    for k, v in plain.items():
        if k not in g:
            g[k] = v
    return build_offer(g, el.sourceline)


def _read_header(parent, info: FeedInfo) -> None:
    """Channel (RSS) or feed (Atom) title/link/date, read before the first item is cleared."""
    if parent is None:
        return
    for ch in parent:
        tag = ch.tag
        if type(tag) is not str:
            continue
        local, is_g = _local(tag)
        if is_g or local in ("item", "entry"):
            continue
        if local == "title" and "name" not in info.shop and (ch.text or "").strip():
            info.shop["name"] = ch.text.strip()
        elif local == "link" and "url" not in info.shop:
            href = ch.get("href")
            if href is not None and ch.get("rel") not in (None, "alternate", "self"):
                continue
            url = (href if href is not None else ch.text or "").strip()
            if url:
                info.shop["url"] = url
        elif local in ("lastBuildDate", "pubDate", "updated") and not info.date and (ch.text or "").strip():
            info.date = ch.text.strip()


def parse_tsv(stream, info: FeedInfo, path: str) -> Iterator[RawOffer | Skip]:
    """Yield the rows of a Merchant tab-separated text feed."""
    try:
        it = rows(stream, "\t", path)
        first = header_row(it)
        if first is None:
            return
        _hline, header = first
        keys = [merchant_key(h) for h in header]
        width = len(header)
        id_col = keys.index("id") if "id" in keys else None
        for line, row in it:
            if not row or (len(row) == 1 and not row[0].strip()):
                continue
            if wrong_width(row, width):
                oid = row[id_col].strip() if id_col is not None and id_col < len(row) else ""
                yield Skip(oid, f"wrong number of columns: {len(row)}, the header has {width}", line)
                continue
            fields: dict[str, list[str]] = {}
            for k, v in zip(keys, row, strict=True):
                v = v.strip()
                if v and k:
                    fields.setdefault(k, []).append(v)
            yield build_offer(fields, line)
    finally:
        stream.close()
