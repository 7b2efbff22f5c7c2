"""The catalog: one SQLite file that every later stage reads.

One transaction per feed import. Offers are matched to products across shops by GTIN, or
by brand + vendor code; a product's slug is given once and never changes. Each import
records price, old price and availability when they change (``price_history``) and marks
offers missing from the feed as gone (``gone_at``) rather than deleting them. An import
that would shrink a feed by more than its allowed share is refused and rolled back.

Money columns hold integer hundredths of the site currency (``*_cents``): sums are exact
and SQL sorts them as numbers.

Offers arrive as a stream and are written in chunks: one query finds the chunk's existing
offers, one finds the products its new offers match, and the writes go in ``executemany``
batches, so a million-offer feed costs a few thousand round trips, not millions.
"""

from __future__ import annotations

import hashlib
import json
import re
import sqlite3
import time
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from itertools import islice
from pathlib import Path
from typing import NamedTuple, Self

from slugify import slugify

from showcase.db import migrate, open_wal
from showcase.errors import ShowcaseError
from showcase.feeds.base import Skip
from showcase.links import offer_key
from showcase.normalize import Offer
from showcase.text import transliterate

SCHEMA_VERSION = 1
CHUNK = 1000
MAX_SKIPS_KEPT = 1000  # skip details kept per import; the counts are always complete

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS products (
    id INTEGER PRIMARY KEY,
    slug TEXT NOT NULL UNIQUE,          -- given once, never changed: the product's URL
    title TEXT NOT NULL,
    brand TEXT NOT NULL DEFAULT '',
    gtin TEXT NOT NULL DEFAULT '',      -- GTIN-14, '' when unknown
    vendor_code TEXT NOT NULL DEFAULT '',
    category TEXT NOT NULL DEFAULT '',  -- category path (categories.path)
    variant_group TEXT NOT NULL DEFAULT '',  -- products sharing it are variants of each other
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS products_category ON products(category);
CREATE INDEX IF NOT EXISTS products_variant_group ON products(variant_group) WHERE variant_group != '';
-- match keys: 'g:<gtin14>' and 'v:<brand>|<vendor code>'
CREATE TABLE IF NOT EXISTS product_keys (key TEXT PRIMARY KEY, product_id INTEGER NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS offers (
    id INTEGER PRIMARY KEY,
    feed TEXT NOT NULL,
    offer_id TEXT NOT NULL,             -- the feed's own id
    key TEXT NOT NULL UNIQUE,           -- links.offer_key(feed, offer_id): the /go/<key>/ of this offer
    product_id INTEGER NOT NULL REFERENCES products(id),
    program TEXT NOT NULL,
    title TEXT NOT NULL,
    url TEXT NOT NULL,
    price_cents INTEGER NOT NULL,
    old_price_cents INTEGER,
    source_price TEXT NOT NULL,         -- as the feed had it, e.g. '12.99 USD'
    available INTEGER NOT NULL,
    brand TEXT NOT NULL,
    vendor_code TEXT NOT NULL,
    gtin TEXT NOT NULL,
    group_id TEXT NOT NULL,
    type TEXT NOT NULL,
    category TEXT NOT NULL,             -- categories.path
    pictures TEXT NOT NULL,             -- JSON list
    params TEXT NOT NULL,               -- JSON list of [name, unit, value]
    attrs TEXT NOT NULL,                -- JSON object
    description TEXT NOT NULL,          -- sanitized HTML
    hash TEXT NOT NULL,                 -- content hash: unchanged offers cost one UPDATE
    first_seen TEXT NOT NULL,
    last_seen TEXT NOT NULL,
    gone_at TEXT,                       -- set when the feed stopped listing it
    last_import INTEGER NOT NULL,
    UNIQUE (feed, offer_id)
);
CREATE INDEX IF NOT EXISTS offers_product ON offers(product_id);
CREATE TABLE IF NOT EXISTS price_history (
    offer INTEGER NOT NULL REFERENCES offers(id),
    at TEXT NOT NULL,
    import INTEGER NOT NULL,
    price_cents INTEGER NOT NULL,
    old_price_cents INTEGER,
    available INTEGER NOT NULL,
    PRIMARY KEY (offer, import)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS categories (
    path TEXT PRIMARY KEY,              -- 'electronics/smartphones', or '<feed>/<slug>/...' when unmapped
    name TEXT NOT NULL,
    parent TEXT NOT NULL DEFAULT '',
    source TEXT NOT NULL,               -- 'site' (site.yml tree) or 'feed' (an unmapped feed path)
    position INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS imports (
    id INTEGER PRIMARY KEY,
    feed TEXT NOT NULL,
    started_at TEXT NOT NULL,
    finished_at TEXT NOT NULL,
    status TEXT NOT NULL,               -- ok | refused | unchanged | failed
    input_digest TEXT NOT NULL DEFAULT '',  -- sha256 of the feed file and the settings it was imported with
    message TEXT NOT NULL DEFAULT '',
    summary TEXT NOT NULL               -- JSON: ImportResult.to_dict()
);
CREATE INDEX IF NOT EXISTS imports_feed ON imports(feed, id);
CREATE TABLE IF NOT EXISTS feeds (
    name TEXT PRIMARY KEY,
    program TEXT NOT NULL,
    format TEXT NOT NULL DEFAULT '',
    encoding TEXT NOT NULL DEFAULT '',
    shop TEXT NOT NULL DEFAULT '{}',    -- JSON: the feed's shop header
    last_ok_import INTEGER,
    input_digest TEXT NOT NULL DEFAULT ''   -- of the last successful import: the same again costs nothing
);
"""

# What an offer says; hashed to tell a changed offer from an unchanged one without reading it back.
_CONTENT_COLUMNS = ("program", "title", "url", "price_cents", "old_price_cents", "source_price", "available", "brand",
                    "vendor_code", "gtin", "group_id", "type", "category", "pictures", "params", "attrs", "description")
_OFFER_COLUMNS = ("id", "feed", "offer_id", "key", "product_id", *_CONTENT_COLUMNS, "hash", "first_seen", "last_seen",
                  "gone_at", "last_import")
_INSERT_OFFER = f"INSERT INTO offers ({', '.join(_OFFER_COLUMNS)}) VALUES ({', '.join('?' * len(_OFFER_COLUMNS))})"
_UPDATE_OFFER = (f"UPDATE offers SET {', '.join(c + '=?' for c in _CONTENT_COLUMNS)}, hash=?, last_seen=?, "
                 f"gone_at=NULL, last_import=? WHERE id=?")


class ImportRefused(ShowcaseError):
    """The import would have emptied too much of the storefront; the catalog was left as it was."""


@dataclass
class ImportResult:
    feed: str
    status: str = "ok"  # ok | refused | unchanged | failed
    message: str = ""
    offers: int = 0  # accepted this import
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    returned: int = 0  # gone before, listed again
    gone: int = 0
    price_up: int = 0
    price_down: int = 0
    became_unavailable: int = 0
    became_available: int = 0
    skipped: int = 0
    filtered: int = 0
    skip_reasons: dict[str, int] = field(default_factory=dict)
    skips: list[dict] = field(default_factory=list)  # the first MAX_SKIPS_KEPT: id, reason, line
    active_before: int = 0
    products_new: int = 0
    elapsed: float = 0.0

    def to_dict(self) -> dict:
        return asdict(self)

    def summary_line(self) -> str:
        if self.status == "unchanged":
            return f"{self.feed}: unchanged ({self.message})"
        parts = [f"{self.offers} offers", f"{self.new} new", f"{self.gone} gone",
                 f"{self.price_up} price up", f"{self.price_down} price down",
                 f"{self.became_unavailable} became unavailable"]
        if self.skipped:
            parts.append(f"{self.skipped} skipped")
        if self.filtered:
            parts.append(f"{self.filtered} filtered")
        head = f"{self.feed}: {self.status}" + (f" ({self.message})" if self.message else "")
        return f"{head}: " + ", ".join(parts)


def now_iso() -> str:
    return datetime.now(UTC).replace(microsecond=0).isoformat()


def cents(amount: Decimal | None) -> int | None:
    return None if amount is None else int(amount * 100)


class Catalog:
    def __init__(self, path: Path | str):
        self.path = Path(path)
        self.db = open_wal(self.path, "the catalog", ShowcaseError, cache_mb=32)  # bounded, whatever the feed
        self.db.execute("PRAGMA foreign_keys=ON")
        migrate(self.db, self.path, "catalog", SCHEMA, SCHEMA_VERSION, ShowcaseError)

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # --- site tree -------------------------------------------------------------------------------
    def sync_site_categories(self, paths: dict[str, str]) -> None:
        """Make the ``categories`` rows of source 'site' match site.yml's tree (path -> name)."""
        rows = [(path, name, path.rpartition("/")[0], "site", i) for i, (path, name) in enumerate(paths.items())]
        with self._transaction():
            self.db.execute("DELETE FROM categories WHERE source='site'")
            self.db.executemany("INSERT OR REPLACE INTO categories (path, name, parent, source, position) "
                                "VALUES (?, ?, ?, ?, ?)", rows)

    # --- import ----------------------------------------------------------------------------------
    def last_input_digest(self, feed: str) -> str:
        row = self.db.execute("SELECT input_digest FROM feeds WHERE name=?", (feed,)).fetchone()
        return row[0] if row else ""

    def import_feed(self, feed: str, program: str, items: Iterable[Offer | Prepared | Skip], *, info=None,
                    input_digest: str = "", max_shrink_percent: Decimal | float = 50, force: bool = False,
                    now: str | None = None) -> ImportResult:
        """Import one feed's offers in one transaction. Raises ImportRefused when the feed shrank too much
        (and on any exception from ``items``, e.g. a FeedError, rolls back and re-raises).

        ``items`` may be prepared already (``OfferPreparer``, e.g. in another process); ``info`` is the
        FeedInfo, or a callable returning it once ``items`` is exhausted."""
        started = time.perf_counter()
        now = now or now_iso()
        result = ImportResult(feed=feed)
        reasons: Counter[str] = Counter()
        self.db.execute("BEGIN IMMEDIATE")
        try:
            import_id = self._start_import(feed, now)
            result.active_before = self.db.execute(
                "SELECT count(*) FROM offers WHERE feed=? AND gone_at IS NULL", (feed,)).fetchone()[0]
            writer = _ImportWriter(self.db, feed, import_id, now, result)
            prepare = OfferPreparer(feed, program)
            for chunk in chunks(items, CHUNK):
                prepared = []
                for item in chunk:
                    if isinstance(item, Skip):
                        self._count_skip(result, reasons, item)
                    else:
                        prepared.append(prepare(item) if isinstance(item, Offer) else item)
                for skip in writer.write(prepared):
                    self._count_skip(result, reasons, skip)
            writer.finish()
            if callable(info):
                info = info()
            result.skip_reasons = dict(reasons.most_common())
            self._check_shrink(result, max_shrink_percent, force)
            self._finish_import(import_id, feed, program, info, input_digest, now, result, started)
            self.db.execute("COMMIT")
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        return result

    def record_import(self, result: ImportResult, input_digest: str = "") -> None:
        """Store a refused or failed import's summary (the import itself was rolled back)."""
        now = now_iso()
        with self._transaction():
            self.db.execute("INSERT INTO imports (feed, started_at, finished_at, status, input_digest, message, "
                            "summary) VALUES (?, ?, ?, ?, ?, ?, ?)",
                            (result.feed, now, now, result.status, input_digest, result.message,
                             json.dumps(result.to_dict(), ensure_ascii=False)))

    @staticmethod
    def _count_skip(result: ImportResult, reasons: Counter, skip: Skip) -> None:
        if skip.reason.startswith("filtered:"):
            result.filtered += 1
        else:
            result.skipped += 1
        reasons[_reason_kind(skip.reason)] += 1
        if len(result.skips) < MAX_SKIPS_KEPT:
            result.skips.append({"id": skip.id, "reason": skip.reason, "line": skip.line})

    def _start_import(self, feed: str, now: str) -> int:
        cur = self.db.execute("INSERT INTO imports (feed, started_at, finished_at, status, summary) "
                              "VALUES (?, ?, ?, 'running', '{}')", (feed, now, now))
        return cur.lastrowid

    @staticmethod
    def _check_shrink(result: ImportResult, max_shrink_percent, force: bool) -> None:
        before, after = result.active_before, result.offers
        if before and not force and (before - after) * 100 > Decimal(str(max_shrink_percent)) * before:
            lost = (before - after) * 100 // before
            result.status = "refused"
            result.message = (f"the feed shrank from {before} to {after} offers ({lost}% fewer, more than the "
                              f"allowed {max_shrink_percent}%); the catalog keeps its previous state. "
                              f"Re-run with --force if the shop really removed them")
            raise ImportRefused(f"{result.feed}: {result.message}")

    def _finish_import(self, import_id, feed, program, info, input_digest, now, result, started) -> None:
        result.elapsed = round(time.perf_counter() - started, 3)
        self.db.execute("UPDATE imports SET finished_at=?, status=?, input_digest=?, message=?, summary=? WHERE id=?",
                        (now_iso(), result.status, input_digest, result.message,
                         json.dumps(result.to_dict(), ensure_ascii=False), import_id))
        shop = json.dumps(getattr(info, "shop", {}) or {}, ensure_ascii=False)
        self.db.execute(
            "INSERT INTO feeds (name, program, format, encoding, shop, last_ok_import, input_digest) "
            "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT(name) DO UPDATE SET program=excluded.program, "
            "format=excluded.format, encoding=excluded.encoding, shop=excluded.shop, "
            "last_ok_import=excluded.last_ok_import, input_digest=excluded.input_digest",
            (feed, program, getattr(info, "format", ""), getattr(info, "encoding", ""), shop, import_id,
             input_digest))

    def _transaction(self):
        db = self.db

        class _Tx:
            def __enter__(self):
                db.execute("BEGIN IMMEDIATE")

            def __exit__(self, exc_type, *rest):
                db.execute("ROLLBACK" if exc_type else "COMMIT")

        return _Tx()

    # --- reading ---------------------------------------------------------------------------------
    def stats(self) -> dict:
        q = self.db.execute
        per_feed = {}
        for name, program, fmt, last_ok in q("SELECT name, program, format, last_ok_import FROM feeds ORDER BY name"):
            active, gone = q("SELECT count(*) FILTER (WHERE gone_at IS NULL), count(*) FILTER (WHERE gone_at IS "
                             "NOT NULL) FROM offers WHERE feed=?", (name,)).fetchone()
            last = q("SELECT id, finished_at, status, message, summary FROM imports WHERE feed=? AND status != "
                     "'running' ORDER BY id DESC LIMIT 1", (name,)).fetchone()
            last_ok_row = q("SELECT finished_at FROM imports WHERE id=?", (last_ok,)).fetchone()
            summary = json.loads(last[4]) if last else {}
            per_feed[name] = {
                "program": program, "format": fmt, "offers": active, "gone": gone,
                "last_import": None if not last else {
                    "at": last[1], "status": last[2], "message": last[3],
                    **{k: summary.get(k, 0) for k in ("offers", "new", "gone", "price_up", "price_down",
                                                      "became_unavailable", "skipped", "filtered")}},
                "last_ok_import_at": last_ok_row[0] if last_ok_row else None,
            }
        return {
            "products": q("SELECT count(*) FROM products").fetchone()[0],
            "products_available": q("SELECT count(DISTINCT product_id) FROM offers WHERE gone_at IS NULL "
                                    "AND available=1").fetchone()[0],
            "products_multi_shop": q("SELECT count(*) FROM (SELECT product_id FROM offers WHERE gone_at IS NULL "
                                     "GROUP BY product_id HAVING count(DISTINCT program) > 1)").fetchone()[0],
            "offers": q("SELECT count(*) FROM offers WHERE gone_at IS NULL").fetchone()[0],
            "offers_gone": q("SELECT count(*) FROM offers WHERE gone_at IS NOT NULL").fetchone()[0],
            "shops": q("SELECT count(DISTINCT program) FROM offers WHERE gone_at IS NULL").fetchone()[0],
            "categories": q("SELECT count(*) FROM categories").fetchone()[0],
            "brands": q("SELECT count(DISTINCT brand) FROM products WHERE brand != ''").fetchone()[0],
            "price_history_rows": q("SELECT count(*) FROM price_history").fetchone()[0],
            "feeds": per_feed,
        }


class Prepared(NamedTuple):
    """An offer turned into catalog rows, by pure computation (no database): what a worker process can
    do while the main process writes. A plain tuple, so it pickles cheaply."""

    offer_id: str
    line: int | None
    content: tuple  # _CONTENT_COLUMNS values
    digest: str  # hash of content
    keys: list[str]  # product match keys
    variant_group: str  # '<feed>:<group id>' for variants, else ''
    feed_category: tuple[str, ...]  # the feed's own path when unmapped (to create its category rows), else ()


class OfferPreparer:
    """Offer -> Prepared for one feed and program. Pure; caches category paths."""

    def __init__(self, feed: str, program: str):
        self.feed, self.program = feed, program
        self._paths: dict[tuple[str, ...], str] = {}

    def __call__(self, offer: Offer) -> Prepared:
        unmapped = () if offer.site_category or not offer.category else tuple(offer.category)
        category = offer.site_category or (self._feed_path(unmapped) if unmapped else "")
        content = (self.program, offer.title, offer.url, cents(offer.price), cents(offer.old_price),
                   offer.source_price, int(offer.available), offer.brand, offer.vendor_code, offer.gtin,
                   offer.group_id, offer.type, category, _json(offer.pictures), _json(offer.params),
                   _json(offer.attrs) if offer.attrs else "{}", offer.description)
        group = f"{self.feed}:{offer.group_id}" if offer.group_id else ""
        return Prepared(offer.offer_id, offer.line, content, _hash(content), product_keys(offer), group, unmapped)

    def _feed_path(self, names: tuple[str, ...]) -> str:
        path = self._paths.get(names)
        if path is None:
            path = self._paths[names] = feed_category_paths(self.feed, names)[-1][0]
        return path


def feed_category_paths(feed: str, names: tuple[str, ...] | list[str]) -> list[tuple[str, str, str]]:
    """An unmapped feed category path -> its rows (path, name, parent), root first, under '<feed>/'."""
    rows, parent, path = [], "", feed
    for name in names:
        path = f"{path}/{make_slug(name)}"
        rows.append((path, name, parent))
        parent = path
    return rows


class _ImportWriter:
    """Writes one feed's prepared offers chunk by chunk inside the import's transaction."""

    def __init__(self, db: sqlite3.Connection, feed: str, import_id: int, now: str, result: ImportResult):
        self.db, self.feed = db, feed
        self.import_id, self.now, self.result = import_id, now, result
        self.next_product = (db.execute("SELECT max(id) FROM products").fetchone()[0] or 0) + 1
        self.next_offer = (db.execute("SELECT max(id) FROM offers").fetchone()[0] or 0) + 1
        self.feed_categories: set[tuple[str, ...]] = set()  # unmapped paths seen in this import

    def write(self, chunk: list[Prepared]) -> list[Skip]:
        if not chunk:
            return []
        skips: list[Skip] = []
        ids = [p.offer_id for p in chunk]
        existing = {row[1]: row for row in self.db.execute(
            f"SELECT id, offer_id, product_id, hash, price_cents, old_price_cents, available, gone_at, last_import "
            f"FROM offers WHERE feed=? AND offer_id IN ({','.join('?' * len(ids))})", (self.feed, *ids))}
        seen: set[str] = set()
        touch, updates, history, new = [], [], [], []
        r = self.result
        for p in chunk:
            oid = p.offer_id
            row = existing.get(oid)
            if oid in seen or (row is not None and row[8] == self.import_id):
                skips.append(Skip(oid, "duplicate id", p.line))
                continue
            seen.add(oid)
            r.offers += 1
            if p.feed_category:
                self.feed_categories.add(p.feed_category)
            if row is None:
                new.append(p)
                continue
            offer_row, _, _, old_hash, old_price, old_old, old_available, gone_at, _ = row
            if old_hash == p.digest and gone_at is None:
                r.unchanged += 1
                touch.append((self.now, self.import_id, offer_row))
                continue
            r.updated += 1
            price, old, available = p.content[3], p.content[4], p.content[6]
            if gone_at is not None:
                r.returned += 1
            if price > old_price:
                r.price_up += 1
            elif price < old_price:
                r.price_down += 1
            if old_available and not available and gone_at is None:
                r.became_unavailable += 1
            elif available and (not old_available or gone_at is not None):
                r.became_available += 1
            updates.append((*p.content, p.digest, self.now, self.import_id, offer_row))
            if (price, old, available) != (old_price, old_old, old_available) or gone_at:
                history.append((offer_row, self.now, self.import_id, price, old, available))
        if touch:
            self.db.executemany("UPDATE offers SET last_seen=?, last_import=? WHERE id=?", touch)
        if updates:
            self.db.executemany(_UPDATE_OFFER, updates)
        if new:
            history.extend(self._insert_new(new))
        if history:
            self.db.executemany("INSERT OR REPLACE INTO price_history VALUES (?, ?, ?, ?, ?, ?)", history)
        return skips

    def _insert_new(self, new: list[Prepared]) -> list[tuple]:
        """New offers: find or create their products, insert them; returns their first history rows."""
        all_keys = sorted({k for p in new for k in p.keys})
        found: dict[str, int] = {}
        for part in _slices(all_keys, 900):
            found.update(self.db.execute(
                f"SELECT key, product_id FROM product_keys WHERE key IN ({','.join('?' * len(part))})", part))
        created, key_rows, offer_rows, history = [], [], [], []
        for p in new:
            product_id = next((found[k] for k in p.keys if k in found), None)
            if product_id is None:
                product_id = self.next_product
                self.next_product += 1
                c = p.content  # a new product takes its first offer's title, brand, codes and category
                created.append((product_id, (c[1], c[7], c[9], c[8], c[12], p.variant_group)))
            for k in p.keys:
                if k not in found:
                    found[k] = product_id
                    key_rows.append((k, product_id))
            offer_row = self.next_offer
            self.next_offer += 1
            offer_rows.append((offer_row, self.feed, p.offer_id, offer_key(self.feed, p.offer_id), product_id,
                               *p.content, p.digest, self.now, self.now, None, self.import_id))
            history.append((offer_row, self.now, self.import_id, p.content[3], p.content[4], p.content[6]))
        slugs = self._free_slugs([(pid, product[0]) for pid, product in created])
        products = [(pid, slugs[pid], *product, self.now, self.now) for pid, product in created]
        self.result.new += len(new)
        self.result.products_new += len(created)
        self.db.executemany("INSERT INTO products (id, slug, title, brand, gtin, vendor_code, category, "
                            "variant_group, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", products)
        self.db.executemany("INSERT OR IGNORE INTO product_keys VALUES (?, ?)", key_rows)
        self.db.executemany(_INSERT_OFFER, offer_rows)
        return history

    def _free_slugs(self, items: list[tuple[int, str]]) -> dict[int, str]:
        """product id -> slug: the plain slug of its title where free, else '<slug>-<product id>'."""
        bases = {pid: make_slug(title) for pid, title in items}
        taken: set[str] = set()
        unique = sorted(set(bases.values()))
        for part in _slices(unique, 900):
            taken.update(r[0] for r in self.db.execute(
                f"SELECT slug FROM products WHERE slug IN ({','.join('?' * len(part))})", part))
        out = {}
        for pid, base in bases.items():
            slug, n = base, 1
            while slug in taken or (slug != base and self.db.execute(
                    "SELECT 1 FROM products WHERE slug=?", (slug,)).fetchone()):
                slug = f"{base}-{pid}" if n == 1 else f"{base}-{pid}-{n}"
                n += 1
            taken.add(slug)
            out[pid] = slug
        return out

    def finish(self) -> None:
        """After the last chunk: mark what the feed no longer lists as gone; store new feed categories."""
        gone_rows = self.db.execute("SELECT id, price_cents, old_price_cents FROM offers WHERE feed=? AND "
                                    "last_import != ? AND gone_at IS NULL", (self.feed, self.import_id)).fetchall()
        self.result.gone = len(gone_rows)
        self.db.executemany("INSERT OR REPLACE INTO price_history VALUES (?, ?, ?, ?, ?, 0)",
                            [(row[0], self.now, self.import_id, row[1], row[2]) for row in gone_rows])
        self.db.execute("UPDATE offers SET gone_at=? WHERE feed=? AND last_import != ? AND gone_at IS NULL",
                        (self.now, self.feed, self.import_id))
        rows = {row for names in self.feed_categories for row in feed_category_paths(self.feed, names)}
        self.db.executemany("INSERT OR IGNORE INTO categories (path, name, parent, source) VALUES (?, ?, ?, 'feed')",
                            sorted(rows))


# --- keys, slugs, hashes ---------------------------------------------------------------------------


_NON_ALNUM = re.compile(r"[^0-9a-zа-яё]+")


def product_keys(offer: Offer) -> list[str]:
    """The keys that make two shops' offers one product: GTIN, and brand + vendor code."""
    keys = []
    if offer.gtin:
        keys.append(f"g:{offer.gtin}")
    if offer.brand and offer.vendor_code:
        brand = _NON_ALNUM.sub("", offer.brand.casefold())
        code = _NON_ALNUM.sub("", offer.vendor_code.casefold())
        if brand and code:
            keys.append(f"v:{brand}|{code}")
    return keys


_SLUG_JUNK = re.compile(r"[^a-z0-9]+")
SLUG_MAX = 80


def make_slug(text: str) -> str:
    """'Смартфон Xiaomi 13T' -> 'smartfon-xiaomi-13t'. Cyrillic by showcase.text's fixed table (fast,
    and stable across library versions); anything else non-ASCII through python-slugify."""
    out = transliterate(text.casefold())
    if not out.isascii():
        out = slugify(out)
    out = _SLUG_JUNK.sub("-", out).strip("-")
    if len(out) > SLUG_MAX:
        out = out[:SLUG_MAX].rsplit("-", 1)[0] or out[:SLUG_MAX]
    return out or "item"


def _hash(content: tuple) -> str:
    return hashlib.blake2b("\x1f".join(map(str, content)).encode(), digest_size=12).hexdigest()


_json = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


def _reason_kind(reason: str) -> str:
    """"bad price: 'abc'" -> 'bad price'; "filtered: keyword: 'б/у'" -> 'filtered: keyword'."""
    parts = reason.split(":")
    return ":".join(parts[:2] if reason.startswith("filtered:") else parts[:1]).strip()


def chunks(items: Iterable, size: int) -> Iterator[list]:
    it = iter(items)
    while chunk := list(islice(it, size)):
        yield chunk


def _slices(items: list, size: int) -> Iterator[list]:
    for i in range(0, len(items), size):
        yield items[i:i + size]
