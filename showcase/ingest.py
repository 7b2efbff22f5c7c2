"""Feed file -> catalog: parse, normalize and prepare each offer, import the feed in one transaction.

Also ``inspect_feed``: the same parse and normalize, without touching the catalog.
"""

from __future__ import annotations

import hashlib
import marshal
import multiprocessing
import os
import queue
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from pathlib import Path

from showcase.catalog import CHUNK, Catalog, ImportRefused, ImportResult, OfferPreparer, Prepared, chunks
from showcase.config import FeedConfig, Site
from showcase.errors import FeedError, ShowcaseError
from showcase.feeds import CsvOptions, open_feed
from showcase.feeds.base import FeedInfo, Skip
from showcase.normalize import Normalizer, Offer


def input_digest(job: FeedJob) -> str:
    """sha256 of the feed file and of every setting that shapes its import: the same digest means an
    import would change nothing (a fetch answered 304, or a cron run with nothing new)."""
    digest = hashlib.sha256(repr((job.program, job.format, job.encoding, job.csv_options,
                                  sorted(job.normalizer.items(), key=lambda kv: kv[0]))).encode())
    with open(job.path, "rb") as f:
        while block := f.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()


@dataclass(frozen=True)
class FeedJob:
    """Everything needed to parse, normalize and prepare one feed: plain values, so it can be sent to a
    worker process."""

    name: str
    program: str
    path: Path
    format: str | None
    encoding: str | None
    csv_options: CsvOptions | None
    normalizer: dict  # Normalizer keyword arguments

    @classmethod
    def of(cls, site: Site, name: str) -> FeedJob:
        config, feed = site.config, site.config.feeds[name]
        return cls(name=name, program=feed.program, path=site.feed_path(name), format=feed.format,
                   encoding=feed.encoding, csv_options=_csv_options(feed),
                   normalizer={"site_currency": config.site.currency, "site_rates": dict(config.rates),
                               "feed_rates": dict(feed.rates), "default_currency": feed.currency,
                               "category_map": dict(feed.category_map), "filters": feed.filters,
                               "local_pictures": not feed.is_remote})

    def open(self):
        return open_feed(self.path, format=self.format, encoding=self.encoding, csv_options=self.csv_options)

    def stream(self, parsed) -> Iterator[Prepared | Skip]:
        """Parse -> normalize -> prepare, one item at a time (the CPU half of an import)."""
        normalize = Normalizer(self.name, parsed.info, **self.normalizer)
        prepare = OfferPreparer(self.name, self.program)
        for item in parsed:
            if not isinstance(item, Skip):
                item = normalize(item)
                if not isinstance(item, Skip):
                    item = prepare(item)
            yield item


def _csv_options(feed: FeedConfig | None) -> CsvOptions | None:
    if feed is None or (not feed.csv.delimiter and not feed.csv.columns):
        return None
    return CsvOptions(delimiter=feed.csv.delimiter, columns=dict(feed.csv.columns))


# A feed this large is parsed in a worker process while this one writes the catalog: the two halves of an
# import take about the same CPU, so two cores nearly halve the time. Smaller feeds are not worth a process.
WORKER_MIN_BYTES = 4 << 20


def import_feed(site: Site, catalog: Catalog, name: str, *, force: bool = False,
                tick: Callable[[int], None] | None = None, worker: bool | None = None) -> ImportResult:
    """Import feed ``name`` from its local source or last good download.

    A file and settings unchanged since the last successful import cost nothing unless ``force``.
    A feed that is not well-formed, or shrank too much, leaves that feed's catalog as it was; the
    refusal is recorded and raised (FeedError / ImportRefused). ``worker``: parse in a separate
    process (default: for feeds of WORKER_MIN_BYTES or more, on a machine with several CPUs).
    """
    feed = site.config.feeds[name]
    job = FeedJob.of(site, name)
    if not job.path.is_file():
        hint = "run `showcase fetch` first" if feed.is_remote else f"check feeds.{name}.source in site.yml"
        raise FeedError(job.path, f"feed file not found ({hint})")
    digest = input_digest(job)
    if not force and digest == catalog.last_input_digest(name):
        return ImportResult(feed=name, status="unchanged", message="same file and settings as the last import")
    if worker is None:
        worker = job.path.stat().st_size >= WORKER_MIN_BYTES and (os.cpu_count() or 1) > 1
    options = {"input_digest": digest, "max_shrink_percent": feed.max_shrink_percent, "force": force}
    try:
        if worker:
            with WorkerStream(job, tick) as stream:
                return catalog.import_feed(name, job.program, stream, info=stream.info, **options)
        with job.open() as parsed:
            return catalog.import_feed(name, job.program, _ticking(job.stream(parsed), tick), info=parsed.info,
                                       **options)
    except ImportRefused as e:
        catalog.record_import(ImportResult(feed=name, status="refused", message=str(e)), digest)
        raise
    except ShowcaseError as e:
        catalog.record_import(ImportResult(feed=name, status="failed", message=str(e)), digest)
        raise


@dataclass
class ImportRun:
    """``import_feeds``: a result per imported feed, and the feeds that failed or were refused."""

    results: list[ImportResult] = field(default_factory=list)
    failures: list[dict] = field(default_factory=list)  # {"feed", "status": failed|refused, "error"}


def import_feeds(site: Site, names: list[str], *, force: bool = False,
                 ticker: Callable[[str], AbstractContextManager] | None = None,
                 done: Callable[[str, ImportResult | None, dict | None, float], None] | None = None) -> ImportRun:
    """Import feeds one after another. A feed that fails keeps its catalog as it was, and the others still
    import. ``ticker(name)``: a context giving the per-offer tick (or None); ``done(name, result, failure,
    seconds)`` after each feed."""
    run = ImportRun()
    with Catalog(site.catalog_path) as catalog:
        catalog.sync_site_categories(site.config.category_paths())
        for name in names:
            started = time.perf_counter()
            result = failure = None
            with ticker(name) if ticker else nullcontext() as tick:
                try:
                    result = import_feed(site, catalog, name, force=force, tick=tick)
                except (ImportRefused, ShowcaseError) as e:
                    failure = {"feed": name, "status": "refused" if isinstance(e, ImportRefused) else "failed",
                               "error": str(e)}
            if result:
                run.results.append(result)
            else:
                run.failures.append(failure)
            if done:
                done(name, result, failure, time.perf_counter() - started)
    return run


def _ticking(items: Iterator, tick: Callable[[int], None] | None) -> Iterator:
    if tick is None:
        yield from items
        return
    for item in items:
        tick(1)
        yield item


class WorkerStream:
    """Runs ``job.stream`` in a spawned process and yields its items here, a chunk at a time.

    The queue is bounded, so memory stays flat whatever the feed size; an error in the worker (a
    FeedError with its line and column) is raised here; the worker never outlives the import.
    """

    QUEUE_CHUNKS = 8

    def __init__(self, job: FeedJob, tick: Callable[[int], None] | None = None):
        context = multiprocessing.get_context("spawn")  # fork is unsafe with threads and open SQLite handles
        self.job, self.tick, self._info = job, tick, None
        self.queue = context.Queue(maxsize=self.QUEUE_CHUNKS)
        self.process = context.Process(target=_worker_main, args=(job, self.queue), daemon=True,
                                       name=f"showcase-import-{job.name}")

    def __enter__(self) -> WorkerStream:
        self.process.start()
        return self

    def __exit__(self, *exc) -> None:
        if self.process.is_alive():
            self.process.terminate()
        self.process.join()
        self.queue.close()

    def __iter__(self) -> Iterator[Prepared | Skip]:
        while True:
            try:
                kind, payload = self.queue.get(timeout=1.0)
            except queue.Empty:
                if not self.process.is_alive():
                    raise ShowcaseError(f"{self.job.path}: the import worker stopped unexpectedly "
                                        f"(exit code {self.process.exitcode})") from None
                continue
            if kind == "items":
                items = marshal.loads(payload)  # noqa: S302 - written by our own worker just above
                if self.tick:
                    self.tick(len(items))
                for item in items:
                    yield Skip(*item) if len(item) == 3 else Prepared._make(item)
            elif kind == "done":
                self._info = payload
                return
            else:
                raise payload

    def info(self) -> FeedInfo | None:
        """The feed's header, once every item was read."""
        return self._info


def _worker_main(job: FeedJob, out) -> None:
    try:
        with job.open() as parsed:
            for chunk in chunks(job.stream(parsed), CHUNK):
                # plain tuples through marshal: 2-3x cheaper than pickling the named tuples and dataclasses
                out.put(("items", marshal.dumps([(i.id, i.reason, i.line) if isinstance(i, Skip) else tuple(i)
                                                 for i in chunk])))
            out.put(("done", parsed.info))
    except ShowcaseError as e:
        out.put(("error", e))
    except BaseException as e:  # anything else arrives as one clear line, not a hung import
        out.put(("error", ShowcaseError(f"{job.path}: {type(e).__name__}: {e}")))


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
    job = FeedJob.of(site, feed_name) if site and feed_name else None
    info = None
    try:
        with open_feed(path, format=format or (job.format if job else None),
                       encoding=encoding or (job.encoding if job else None),
                       csv_options=job.csv_options if job else None) as parsed:
            info = parsed.info
            if job:
                normalize = Normalizer(feed_name, info, **job.normalizer)
            else:  # a bare file: keep prices in the currency the offer names
                currency = site.config.site.currency if site else "RUB"
                normalize = Normalizer("inspect", info, site_currency=currency, convert=False, local_pictures=True)
            reasons: Counter[str] = Counter()
            seen: set[str] = set()  # a diagnostic pass: ids in memory are fine here
            for raw in parsed:
                item = raw if isinstance(raw, Skip) else normalize(raw)
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
    if info is not None:
        result.format, result.dialect, result.encoding = info.format, info.dialect, info.encoding
        result.compression, result.shop = info.compression, dict(info.shop)
        result.categories, result.currencies = len(info.categories), dict(info.currencies)
    return result


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
