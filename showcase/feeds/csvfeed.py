"""Affiliate CSV feeds: one header row, one offer per row.

* Delimiter: ``CsvOptions.delimiter`` (one character, or ``"tab"``/``"comma"``/...), else sniffed
  from the file's start (:func:`showcase.feeds.source.sniff_delimiter`: the delimiter whose header
  is widest and that most early rows agree with). ``FeedInfo.dialect`` names it: ``"comma"``,
  ``"semicolon"``, ``"tab"``, ``"pipe"``.
* ``"``-quoted fields with embedded delimiters, doubled quotes and newlines; CR, LF and CRLF line
  ends. A row's ``line`` is the physical line it starts on. An unbalanced quote that swallows
  more than the csv module's field limit (128 KiB) raises FeedError with the line.
* Columns: header names are matched case-insensitively. ``CsvOptions.columns`` maps a RawOffer
  field name (or the site.yml aliases ``category``, ``picture``, ``barcode``) to a header name and
  wins over the defaults below (first non-empty column wins):

  ============= ==============================================================================
  id            id, sku, product_id, aw_product_id, merchant_product_id, offer_id, item_id
  name          name, title, product_name, product_title
  url           url, link, merchant_deep_link, product_url, deep_link, deeplink
                (Awin: url is the plain shop URL; ``aw_deep_link`` stays in attrs)
  price         price, search_price, store_price, current_price
  old_price     old_price, oldprice, price_old, rrp_price, product_price_old, rrp, list_price, msrp
  currency      currency, currencyid, currency_id
  vendor        vendor, brand, brand_name, manufacturer
  vendor_code   vendor_code, vendorcode, mpn, model_number
  model         model, product_model
  category_path category_path, merchant_product_category_path, product_type, category, categories,
                merchant_category, category_name, google_product_category
  pictures      first of picture, image, image_url, image_link, picture_url, large_image,
                merchant_image_url, aw_image_url; plus every one of pictures, images,
                additional_image_link, additional_images, alternate_image, alternate_image_two,
                alternate_image_three, alternate_image_four (cells may pack several URLs)
  description   description, product_description, product_short_description, short_description
  barcodes      every one of barcode, gtin, ean, upc, isbn, product_gtin (lists split on , ; space)
  group_id      group_id, item_group_id
  available     available, availability, in_stock, stock_status, is_in_stock, instock; else
                stock_quantity / quantity / stock > 0
  ============= ==============================================================================

  ``category_id`` and ``type`` are read only when mapped explicitly (a CSV has no category tree).
  Category path cells are split on ``>``; a cell without ``>`` is split on ``/``.
  Every other non-empty cell goes into ``attrs`` under its header name as written, including
  the alternatives of a field that did not give its value (e.g. Awin's ``merchant_product_id``,
  ``aw_image_url``, ``category_name``) and ``aw_deep_link``.
* A row whose number of cells differs from the header's → ``Skip(reason="wrong number of
  columns: ...")`` (extra cells that are all empty are tolerated); a row without id →
  ``Skip(id="", reason="missing id")``; blank lines are ignored.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from showcase.errors import FeedError
from showcase.feeds.base import FeedInfo, RawOffer, Skip
from showcase.feeds.source import (
    DELIMITER_NAMES,
    delimiter_char,
    delimiter_name,
    parse_availability,
    parse_count,
    split_path,
    split_urls,
)


@dataclass
class CsvOptions:
    """``delimiter``: force one; ``columns``: RawOffer field name -> CSV header name."""

    delimiter: str | None = None
    columns: dict[str, str] = field(default_factory=dict)


_DIALECT_DELIM = {"comma": ",", "semicolon": ";", "tab": "\t", "pipe": "|"}

# scalar fields: the first non-empty candidate column wins
_SCALAR = {
    "id": ["id", "sku", "product_id", "aw_product_id", "merchant_product_id", "offer_id", "item_id"],
    "name": ["name", "title", "product_name", "product_title"],
    "url": ["url", "link", "merchant_deep_link", "product_url", "deep_link", "deeplink"],
    "price": ["price", "search_price", "store_price", "current_price"],
    "old_price": ["old_price", "oldprice", "price_old", "rrp_price", "product_price_old", "rrp", "list_price",
                  "msrp"],
    "currency": ["currency", "currencyid", "currency_id"],
    "vendor": ["vendor", "brand", "brand_name", "manufacturer"],
    "vendor_code": ["vendor_code", "vendorcode", "mpn", "model_number"],
    "model": ["model", "product_model"],
    "type_prefix": ["type_prefix", "typeprefix"],
    "description": ["description", "product_description", "product_short_description", "short_description"],
    "group_id": ["group_id", "item_group_id"],
    "category_id": [],
    "type": [],
    "category_path": ["category_path", "merchant_product_category_path", "product_type", "category",
                      "categories", "merchant_category", "category_name", "google_product_category"],
    "available": ["available", "availability", "in_stock", "stock_status", "is_in_stock", "instock"],
}  # fmt: skip
_MAIN_PICTURE = ["picture", "image", "image_url", "image_link", "picture_url", "large_image",
                 "merchant_image_url", "aw_image_url"]  # fmt: skip
_MORE_PICTURES = ["pictures", "images", "additional_image_link", "additional_images", "alternate_image",
                  "alternate_image_two", "alternate_image_three", "alternate_image_four"]  # fmt: skip
_BARCODES = ["barcode", "gtin", "ean", "upc", "isbn", "product_gtin"]
_STOCK = ["stock_quantity", "quantity", "stock", "qty"]

FIELDS = frozenset([*_SCALAR, "pictures", "barcodes"])
# site.yml names (feeds.<name>.csv.columns) -> RawOffer fields
ALIASES = {"category": "category_path", "picture": "pictures", "barcode": "barcodes", "image": "pictures"}


def _fields(columns: dict[str, str]) -> dict[str, str]:
    return {ALIASES.get(k, k): v for k, v in columns.items()}


_SPLIT_CODES = re.compile(r"[,;\s]+")


def check_options(path: str, options: CsvOptions) -> None:
    """FeedError for a column mapping to an unknown field or an unknown delimiter."""
    unknown = sorted(k for k in options.columns if ALIASES.get(k, k) not in FIELDS)
    if unknown:
        known = ", ".join(sorted(FIELDS | set(ALIASES)))
        raise FeedError(path, f"csv column mapping: unknown field(s) {', '.join(unknown)}; known: {known}")
    d = options.delimiter
    if d is not None and d not in DELIMITER_NAMES and (len(d) != 1 or d in '"\r\n'):
        raise FeedError(path, f"csv delimiter {d!r} not supported: use one character such as , ; tab or |")


def _key(name: str) -> str:
    return name.strip().lstrip("\ufeff").strip().lower()


def rows(stream, delimiter: str, path: str) -> Iterator[tuple[int, list[str]]]:
    """(line the record starts on, cells) for every record, blank lines included as []."""
    reader = csv.reader(stream, delimiter=delimiter)
    prev = 0
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as e:
            hint = " (an unbalanced quote?)" if "field limit" in str(e) else ""
            raise FeedError(path, f"CSV: {e}{hint}", prev + 1) from None
        yield prev + 1, row
        prev = reader.line_num


def header_row(it: Iterator[tuple[int, list[str]]]) -> tuple[int, list[str]] | None:
    for line, row in it:
        if any(c.strip() for c in row):
            if row:
                row[0] = row[0].lstrip("\ufeff")
            return line, row
    return None


def wrong_width(row: list[str], width: int) -> bool:
    """True when the row's cell count differs from the header's (extra empty cells are fine)."""
    n = len(row)
    if n == width:
        return False
    if n > width and not any(c.strip() for c in row[width:]):
        del row[width:]
        return False
    return True


class _Plan:
    def __init__(self, header: list[str], columns: dict[str, str], path: str, line: int):
        keys = [_key(h) for h in header]
        index: dict[str, int] = {}
        for i, k in enumerate(keys):
            index.setdefault(k, i)

        def mapped(fieldname: str) -> int:
            want = columns[fieldname]
            if want in header:
                return header.index(want)
            i = index.get(_key(want))
            if i is None:
                shown = ", ".join(header[:30]) + (", ..." if len(header) > 30 else "")
                raise FeedError(
                    path, f"column {want!r} (mapped to {fieldname}) is not in the CSV header: {shown}", line
                )
            return i

        used: set[int] = set()  # columns always consumed; candidates that gave no value go to attrs
        self.scalar: list[tuple[str, list[int]]] = []
        for name, cands in _SCALAR.items():
            idx = [mapped(name)] if name in columns else [index[c] for c in cands if c in index]
            if idx:
                self.scalar.append((name, idx))
        if "pictures" in columns:
            self.main_pics, self.more_pics = [], [mapped("pictures")]
        else:
            self.main_pics = [index[c] for c in _MAIN_PICTURE if c in index]
            self.more_pics = [index[c] for c in _MORE_PICTURES if c in index]
        used.update(self.more_pics)
        self.barcodes = [mapped("barcodes")] if "barcodes" in columns else [index[c] for c in _BARCODES if c in index]
        used.update(self.barcodes)
        self.stock = [index[c] for c in _STOCK if c in index]
        self.id_cols = dict(self.scalar).get("id", [])
        self.attrs = [(i, header[i].strip()) for i in range(len(header)) if i not in used and header[i].strip()]
        self.width = len(header)

    def offer(self, row: list[str], line: int) -> RawOffer | Skip:
        values = {}
        taken = set()  # candidate columns that gave a value; the others may go to attrs
        for name, idx in self.scalar:
            for i in idx:
                v = row[i].strip()
                if v:
                    values[name] = v
                    taken.add(i)
                    break
        oid = values.pop("id", "")
        if not oid:
            return Skip("", "missing id", line)
        o = RawOffer(oid, line)
        avail = values.pop("available", None)
        path = values.pop("category_path", None)
        for name, v in values.items():
            setattr(o, name, v)
        o.available = parse_availability(avail) if avail else None
        if o.available is None:
            for i in self.stock:
                n = parse_count(row[i])
                if n is not None:
                    o.available = n > 0
                    break
        if path:
            o.category_path = split_path(path)
        for i in self.main_pics:
            v = row[i].strip()
            if v:
                o.pictures.extend(split_urls(v))
                taken.add(i)
                break
        for i in self.more_pics:
            v = row[i].strip()
            if v:
                o.pictures.extend(split_urls(v))
        for i in self.barcodes:
            v = row[i].strip()
            if v:
                o.barcodes.extend(b for b in _SPLIT_CODES.split(v) if b)
        attrs = o.attrs
        for i, h in self.attrs:
            if i not in taken:
                v = row[i].strip()
                if v:
                    attrs[h] = v
        return o


def parse(stream, info: FeedInfo, path: str, options: CsvOptions | None = None) -> Iterator[RawOffer | Skip]:
    """Yield one RawOffer (or Skip) per data row of a CSV text stream."""
    options = options or CsvOptions()
    if options.delimiter:
        delimiter = delimiter_char(options.delimiter)
        info.dialect = delimiter_name(delimiter)
    else:
        delimiter = _DIALECT_DELIM.get(info.dialect, info.dialect if len(info.dialect) == 1 else ",")
    try:
        it = rows(stream, delimiter, path)
        first = header_row(it)
        if first is None:
            return
        hline, header = first
        plan = _Plan(header, _fields(options.columns), path, hline)
        for line, row in it:
            if not row or (len(row) == 1 and not row[0].strip()):
                continue
            if wrong_width(row, plan.width):
                oid = next((row[i].strip() for i in plan.id_cols if i < len(row) and row[i].strip()), "")
                yield Skip(oid, f"wrong number of columns: {len(row)}, the header has {plan.width}", line)
                continue
            yield plan.offer(row, line)
    finally:
        stream.close()
