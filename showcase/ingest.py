"""Feed file -> catalog: open the feed, normalize each offer, import the feed in one transaction.

Also ``inspect_feed``: the same parse and normalize, without touching the catalog.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from showcase.catalog import Catalog, ImportRefused, ImportResult
from showcase.config import FeedConfig, Site
from showcase.errors import FeedError, ShowcaseError
from showcase.feeds import CsvOptions, open_feed
from showcase.feeds.base import FeedInfo, RawOffer, Skip
from showcase.normalize import Normalizer, Offer


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        while block := f.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()


def normalizer_for(site: Site, name: str, info: FeedInfo) -> Normalizer:
    config = site.config
    feed = config.feeds[name]
    return Normalizer(name, info, site_currency=config.site.currency, site_rates=config.rates,
                      feed_rates=feed.rates, default_currency=feed.currency, category_map=feed.category_map,
                      filters=feed.filters, local_pictures=not feed.is_remote)


def _csv_options(feed: FeedConfig | None) -> CsvOptions | None:
    if feed is None or (not feed.csv.delimiter and not feed.csv.columns):
        return None
    return CsvOptions(delimiter=feed.csv.delimiter, columns=dict(feed.csv.columns))


def normalized(items: Iterator[RawOffer | Skip], normalize: Callable[[RawOffer], Offer | Skip],
               tick: Callable[[], None] | None = None) -> Iterator[Offer | Skip]:
    for item in items:
        if tick:
            tick()
        yield item if isinstance(item, Skip) else normalize(item)


def import_feed(site: Site, catalog: Catalog, name: str, *, force: bool = False,
                tick: Callable[[], None] | None = None) -> ImportResult:
    """Import feed ``name`` from its local source or last good download.

    An unchanged file (same sha256 as the last successful import) costs nothing unless ``force``.
    A feed that is not well-formed, or shrank too much, leaves that feed's catalog as it was; the
    refusal is recorded and raised (FeedError / ImportRefused).
    """
    feed = site.config.feeds[name]
    path = site.feed_path(name)
    if not path.is_file():
        hint = "run `showcase fetch` first" if feed.is_remote else f"check feeds.{name}.source in site.yml"
        raise FeedError(path, f"feed file not found ({hint})")
    sha = file_sha256(path)
    if not force and sha == catalog.last_file_sha256(name):
        return ImportResult(feed=name, status="unchanged", message="same file as the last import")
    try:
        with open_feed(path, format=feed.format, encoding=feed.encoding, csv_options=_csv_options(feed)) as parsed:
            normalize = normalizer_for(site, name, parsed.info)
            return catalog.import_feed(name, feed.program, normalized(parsed, normalize, tick), info=parsed.info,
                                       file_sha256=sha, max_shrink_percent=feed.max_shrink_percent, force=force)
    except ImportRefused as e:
        catalog.record_import(ImportResult(feed=name, status="refused", message=str(e)), sha)
        raise
    except ShowcaseError as e:
        catalog.record_import(ImportResult(feed=name, status="failed", message=str(e)), sha)
        raise


# --- inspect -------------------------------------------------------------------------------------------


@dataclass
class Inspection:
    path: str
    format: str = ""
    dialect: str = ""
    encoding: str = ""
    compression: str = ""
    shop: dict = field(default_factory=dict)
    offers: int = 0
    skipped: list[dict] = field(default_factory=list)
    skip_reasons: dict[str, int] = field(default_factory=dict)
    categories: int = 0
    currencies: dict[str, str] = field(default_factory=dict)
    sample: list[dict] = field(default_factory=list)
    error: str | None = None

    def to_dict(self) -> dict:
        out = dict(self.__dict__)
        if out["error"] is None:
            del out["error"]
        return out


def inspect_feed(path: Path, *, format: str | None = None, encoding: str | None = None,
                 site: Site | None = None, feed_name: str | None = None, sample_size: int = 5,
                 max_skips: int = 200) -> Inspection:
    """Parse and normalize one file, report what a publisher needs to know; the catalog is not touched.

    With a site (and a feed of it), the feed's own rates, mapping and filters apply; without, prices
    are read in the currency the feed names (no conversion is needed to inspect a file).
    """
    result = Inspection(path=str(path))
    feed = site.config.feeds.get(feed_name) if site and feed_name else None
    try:
        with open_feed(path, format=format or (feed.format if feed else None),
                       encoding=encoding or (feed.encoding if feed else None),
                       csv_options=_csv_options(feed)) as parsed:
            info = parsed.info
            normalize = (normalizer_for(site, feed_name, info) if feed and site
                         else _standalone_normalizer(info, site))
            reasons: Counter[str] = Counter()
            seen: set[str] = set()  # a diagnostic pass: ids in memory are fine here
            for item in normalized(parsed, normalize):
                if isinstance(item, Offer) and item.offer_id in seen:
                    item = Skip(item.offer_id, "duplicate id", item.line)
                if isinstance(item, Skip):
                    reasons[item.reason.split(":")[0]] += 1
                    if len(result.skipped) < max_skips:
                        result.skipped.append({"id": item.id, "reason": item.reason, "line": item.line})
                    continue
                seen.add(item.offer_id)
                result.offers += 1
                if len(result.sample) < sample_size:
                    result.sample.append(offer_to_dict(item))
            result.skip_reasons = dict(reasons.most_common())
    except FeedError as e:
        result.error = str(e)
        info = getattr(locals().get("parsed"), "info", None)
    if info is not None:
        result.format, result.dialect, result.encoding = info.format, info.dialect, info.encoding
        result.compression, result.shop = info.compression, dict(info.shop)
        result.categories, result.currencies = len(info.categories), dict(info.currencies)
    return result


def _standalone_normalizer(info: FeedInfo, site: Site | None) -> Normalizer:
    currency = site.config.site.currency if site else "RUB"
    return Normalizer("inspect", info, site_currency=currency, convert=False, local_pictures=True)


def offer_to_dict(offer: Offer) -> dict:
    return {
        "id": offer.offer_id, "title": offer.title, "url": offer.url, "price": str(offer.price),
        "old_price": None if offer.old_price is None else str(offer.old_price),
        "discount_percent": offer.discount_percent, "source_price": offer.source_price,
        "available": offer.available, "brand": offer.brand, "vendor_code": offer.vendor_code,
        "gtin": offer.gtin, "group_id": offer.group_id, "type": offer.type, "category": offer.category,
        "site_category": offer.site_category, "pictures": offer.pictures, "params": offer.params,
        "description": offer.description[:300], "line": offer.line,
    }
